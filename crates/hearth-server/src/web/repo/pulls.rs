//! Pull request pages beyond the conversation (`issues/view.rs` renders that): comparing branches
//! and opening a pull (`/compare`), a pull's commits and files (with line comments), its merge
//! and branch deletion. Every change runs the service the API's pull routes run.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_git::read::{self, CommitDetail};
use hearth_store::pulls::PullRow;
use hearth_store::reviews::{self as review_store, ReviewState};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::RepoPage;
use super::commits::{MAX_DIFF_LINES, diff_files};
use super::issues::view::{Extras, load, render as render_conversation};
use super::issues::{Num, form_pairs, form_value};
use crate::app::AppState;
use crate::service::issue_view::users_by_id;
use crate::service::pulls::{self, CreatePull, MergePull};
use crate::service::reviews::{self, CreateReview, NewComment};
use crate::service::{ServiceError, compare, git_blocking};
use crate::web::account::sentence;
use crate::web::page::{WebError, render, render_status, ser};
use crate::web::session::redirect_with_flash;

#[derive(Serialize)]
struct CommitItem {
    sha: String,
    subject: String,
    author: String,
    time: i64,
}

fn commit_items(commits: &[CommitDetail]) -> Vec<CommitItem> {
    commits
        .iter()
        .map(|c| CommitItem {
            sha: c.info.id.clone(),
            subject: c.info.message.lines().next().unwrap_or("").to_string(),
            author: c.info.author_name.clone(),
            time: c.info.author_time,
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompareQuery {
    base: String,
    head: String,
}

/// `/OWNER/REPO/compare`: pick two branches (`?base=B&head=H` goes to `/compare/B...H`).
pub async fn compare_form(
    State(state): State<AppState>,
    page: RepoPage,
    Query(q): Query<CompareQuery>,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    if !q.base.is_empty() && !q.head.is_empty() {
        return Err(WebError::Redirect(format!("{}/compare/{}...{}", page.path(), q.base, q.head)));
    }
    let mut heads = branches(page.ctx.dir()).await?;
    let bases = heads.clone();
    // Branches of the forks the viewer can read, as `owner:branch`.
    let forks = {
        let mut h = state.db.acquire().await?;
        let forks = hearth_store::repos::forks_of(h.conn(), page.ctx.repo.id).await?;
        let mut readable = Vec::new();
        for f in forks {
            if crate::service::access::access_mode(h.conn(), page.viewer.user.as_deref(), &f).await?
                >= crate::service::access::AccessMode::Read
                && let Some(o) = hearth_store::users::by_id(h.conn(), f.owner_id).await?
            {
                readable.push((o, f));
            }
        }
        readable
    };
    for (o, f) in forks {
        let dir = crate::service::pulls::dir(&state, &o, &f);
        heads.extend(branches(&dir).await?.into_iter().map(|b| format!("{}:{b}", o.name)));
    }
    render(
        &page.viewer,
        "repo/compare.html",
        context! {
            repo => page.header(&state, "pulls").await?,
            picking => true,
            bases, heads,
            default_branch => page.ctx.repo.default_branch.clone(),
        },
    )
}

async fn branches(dir: &std::path::Path) -> Result<Vec<String>, WebError> {
    let dir = dir.to_path_buf();
    let mut names: Vec<String> =
        git_blocking(move || hearth_git::list_branches(&dir)).await?.into_iter().map(|b| b.name).collect();
    names.sort();
    Ok(names)
}

/// `BASE...HEAD` (HEAD may be `owner:branch`).
fn split_range(range: &str) -> Result<(&str, &str), WebError> {
    let (base, head) = range.split_once("...").ok_or(WebError::NotFound)?;
    if base.is_empty() || head.is_empty() { Err(WebError::NotFound) } else { Ok((base, head)) }
}

/// `/OWNER/REPO/compare/BASE...HEAD`: the head's commits and diff, a link to the open pull for
/// the pair, or the form that opens one.
pub async fn compare(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, range)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    show_compare(&state, &page, &range, StatusCode::OK, None, ("", "")).await
}

async fn show_compare(
    state: &AppState,
    page: &RepoPage,
    range: &str,
    status: StatusCode,
    error: Option<String>,
    (title, content): (&str, &str),
) -> Result<Response, WebError> {
    let (base, head) = split_range(range)?;
    let viewer = page.viewer.user.as_deref();
    let cmp = compare::compare(state, &page.ctx.owner, &page.ctx.repo, viewer, base, head, MAX_DIFF_LINES).await?;
    let prefilled = match cmp.commits.as_slice() {
        [only] => only.info.message.lines().next().unwrap_or("").to_string(),
        _ => cmp.head_branch.replace(['-', '_'], " "),
    };
    let (files, additions, deletions, cut, comparable) = match &cmp.diff {
        Some(d) => (diff_files(&d.files), d.additions, d.deletions, d.cut, true),
        None => (Vec::new(), 0, 0, false, false),
    };
    render_status(
        &page.viewer,
        status,
        "repo/compare.html",
        context! {
            repo => page.header(state, "pulls").await?,
            picking => false,
            base, head,
            range,
            commits => ser(&commit_items(&cmp.commits)),
            total_commits => cmp.total_commits,
            files, additions, deletions, cut, comparable,
            open_pull => cmp.open_pull,
            head_repo => format!("{}/{}", cmp.head_owner, cmp.head_repo.name),
            form => context! { title => if title.is_empty() { prefilled } else { title.to_string() }, content },
            error,
        },
    )
}

/// `POST /OWNER/REPO/compare/BASE...HEAD`: open the pull request.
pub async fn create(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, range)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    let me = page.viewer.signed_in()?.clone();
    let (base, head) = split_range(&range)?;
    let pairs = form_pairs(&body);
    let (title, content) = (form_value(&pairs, "title").trim(), form_value(&pairs, "content"));
    let again =
        |e: String| show_compare(&state, &page, &range, StatusCode::UNPROCESSABLE_ENTITY, Some(e), (title, content));
    if title.is_empty() || title.chars().count() > 255 {
        return again("The title must be 1 to 255 characters.".into()).await;
    }
    let opt = CreatePull {
        title: title.to_string(),
        body: content.to_string(),
        head: head.to_string(),
        base: base.to_string(),
        ..CreatePull::default()
    };
    match pulls::create(&state, &page.tracker(&me), &opt).await {
        Ok((issue, _)) => Ok(redirect_with_flash(
            &state,
            &format!("{}/pulls/{}", page.path(), issue.idx),
            &format!("Pull request #{} has been opened.", issue.idx),
        )),
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => again(sentence(&m)).await,
        Err(e) => Err(e.into()),
    }
}

/// A pull of this repository and where its changes start.
async fn pull_range(state: &AppState, page: &RepoPage, index: i64) -> Result<(PullRow, String), WebError> {
    page.pulls_on()?;
    let (_, pull) = pulls::get_settled(state, page.ctx.repo.id, index).await?;
    let from = pulls::range_start(state, &page.ctx.owner, &page.ctx.repo, &pull).await?;
    Ok((pull, from))
}

/// The header of a pull's tab pages.
async fn tab_context(state: &AppState, page: &RepoPage, index: i64, tab: &str) -> Result<Value, WebError> {
    let issue = load(state, page, index).await?;
    Ok(context! { index, title => issue.title, tab, closed => issue.is_closed })
}

/// `/OWNER/REPO/pulls/N/commits`.
pub async fn commits(State(state): State<AppState>, page: RepoPage, Num(index): Num) -> Result<Response, WebError> {
    let (pull, from) = pull_range(&state, &page, index).await?;
    let (dir, head) = (page.ctx.dir().to_path_buf(), pull.head_sha.clone());
    let (commits, total) =
        git_blocking(move || read::log_range(&dir, &head, &from, 0, 250, 10_000)).await?.unwrap_or_default();
    render(
        &page.viewer,
        "repo/pull_tabs.html",
        context! {
            repo => page.header(&state, "pulls").await?,
            pull => tab_context(&state, &page, index, "commits").await?,
            commits => ser(&commit_items(&commits)),
            total_commits => total,
        },
    )
}

#[derive(Serialize)]
struct LineComment {
    author: String,
    body: Value,
    created_unix: i64,
}

/// `/OWNER/REPO/pulls/N/files`: the diff from the merge base, review comments under their lines,
/// and the form that adds one.
pub async fn files(State(state): State<AppState>, page: RepoPage, Num(index): Num) -> Result<Response, WebError> {
    files_page(&state, &page, index, StatusCode::OK, None).await
}

async fn files_page(
    state: &AppState,
    page: &RepoPage,
    index: i64,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, WebError> {
    let (pull, from) = pull_range(state, page, index).await?;
    let (dir, head) = (page.ctx.dir().to_path_buf(), pull.head_sha.clone());
    let d = git_blocking(move || hearth_git::diff::between(&dir, &from, &head, MAX_DIFF_LINES))
        .await?
        .ok_or(WebError::NotFound)?;
    // Review line comments by `path:line` (new side; old-side ones by `path:-line`).
    let comments = {
        let mut h = state.db.acquire().await?;
        let reviews = review_store::of_issue(h.conn(), pull.issue_id).await?;
        let mut all = Vec::new();
        // Pending reviews are their reviewer's drafts.
        let mine = |r: &review_store::ReviewRow| page.viewer.user.as_ref().is_some_and(|u| u.id == r.reviewer_id);
        for r in reviews.iter().filter(|r| r.state() != ReviewState::Pending || mine(r)) {
            all.extend(review_store::comments_of(h.conn(), r.id).await?);
        }
        all
    };
    let people = {
        let mut h = state.db.acquire().await?;
        users_by_id(h.conn(), comments.iter().map(|c| c.poster_id)).await?
    };
    let texts: Vec<&str> = comments.iter().map(|c| c.body.as_str()).collect();
    let rendered = super::issues::markdown(state, page, &texts).await?;
    let mut by_line: HashMap<String, Vec<LineComment>> = HashMap::new();
    for (c, body) in comments.iter().zip(rendered) {
        let key = if c.new_position > 0 {
            format!("{}:{}", c.path, c.new_position)
        } else {
            format!("{}:-{}", c.path, c.old_position)
        };
        by_line.entry(key).or_default().push(LineComment {
            author: people.get(&c.poster_id).map(|u| u.name.clone()).unwrap_or_default(),
            body,
            created_unix: c.created_unix,
        });
    }
    let paths: Vec<String> = d.files.iter().map(|f| f.path.clone()).collect();
    render_status(
        &page.viewer,
        status,
        "repo/pull_tabs.html",
        context! {
            repo => page.header(state, "pulls").await?,
            pull => tab_context(state, page, index, "files").await?,
            files => diff_files(&d.files),
            additions => d.additions, deletions => d.deletions, cut => d.cut,
            review_comments => ser(&by_line),
            paths,
            error,
        },
    )
}

/// `POST …/pulls/N/files`: one line comment, as a review of event COMMENT.
pub async fn add_line_comment(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    let me = page.viewer.signed_in()?.clone();
    let pairs = form_pairs(&body);
    let line: i64 = form_value(&pairs, "line").trim().parse().unwrap_or(0);
    let text = form_value(&pairs, "content");
    if line < 1 || text.trim().is_empty() {
        let e = "A review comment needs a line (1 or more) and a text.".to_string();
        return files_page(&state, &page, index, StatusCode::UNPROCESSABLE_ENTITY, Some(e)).await;
    }
    let opt = CreateReview {
        event: "COMMENT".into(),
        comments: vec![NewComment {
            path: form_value(&pairs, "path").to_string(),
            body: text.to_string(),
            new_position: line,
            old_position: 0,
        }],
        ..CreateReview::default()
    };
    match reviews::create(&state, &page.tracker(&me), index, &opt).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("{}/pulls/{index}/files", page.path()),
            "Your review comment has been added.",
        )),
        Err(ServiceError::Invalid(m)) => {
            files_page(&state, &page, index, StatusCode::UNPROCESSABLE_ENTITY, Some(sentence(&m))).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST …/pulls/N/reviews`: approve, request changes or comment, with a summary.
pub async fn review(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    let me = page.viewer.signed_in()?.clone();
    let pairs = form_pairs(&body);
    let event = match form_value(&pairs, "event") {
        "approve" => "APPROVED",
        "request_changes" => "REQUEST_CHANGES",
        _ => "COMMENT",
    };
    let opt = CreateReview {
        event: event.into(),
        body: form_value(&pairs, "content").to_string(),
        ..CreateReview::default()
    };
    match reviews::create(&state, &page.tracker(&me), index, &opt).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("{}/pulls/{index}", page.path()),
            "Your review has been submitted.",
        )),
        Err(ServiceError::Invalid(m)) => {
            let issue = load(&state, &page, index).await?;
            let extras = Extras { error: Some(sentence(&m)), ..Extras::default() };
            render_conversation(&state, &page, issue, StatusCode::UNPROCESSABLE_ENTITY, extras).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST …/pulls/N/merge`: writers merge with one of the styles the repository allows.
pub async fn merge(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    let me = page.viewer.signed_in()?.clone();
    if !page.writer() {
        return Err(WebError::NotFound);
    }
    let pairs = form_pairs(&body);
    let message = form_value(&pairs, "message");
    let (title, rest) = message.split_once('\n').unwrap_or((message, ""));
    let opt = MergePull {
        style: form_value(&pairs, "style").to_string(),
        title: title.trim().to_string(),
        message: rest.trim().to_string(),
        head_commit_id: form_value(&pairs, "head").to_string(),
        delete_branch: false,
    };
    match pulls::merge(&state, &page.tracker(&me), index, &opt).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("{}/pulls/{index}", page.path()),
            "The pull request has been merged.",
        )),
        Err(ServiceError::Invalid(m) | ServiceError::NotAllowed(m) | ServiceError::Conflict(m)) => {
            let issue = load(&state, &page, index).await?;
            let reason = if m.is_empty() { "This pull request cannot be merged.".to_string() } else { sentence(&m) };
            let extras = Extras { error: Some(reason), ..Extras::default() };
            render_conversation(&state, &page, issue, StatusCode::UNPROCESSABLE_ENTITY, extras).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST …/pulls/N/delete-branch`: after the merge, the head branch when it is in this repository.
pub async fn delete_branch(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    let me = page.viewer.signed_in()?.clone();
    if !page.writer() {
        return Err(WebError::NotFound);
    }
    let (_, pull) = pulls::get(&state, page.ctx.repo.id, index).await?;
    if !pull.has_merged || pull.head_repo_id != page.ctx.repo.id {
        return Err(WebError::NotFound);
    }
    let dir = page.ctx.dir().to_path_buf();
    crate::service::refs::delete_branch(&state, &page.ctx.owner, &page.ctx.repo, &dir, &me, &pull.head_branch).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("{}/pulls/{index}", page.path()),
        &format!("Branch {} has been deleted.", pull.head_branch),
    ))
}
