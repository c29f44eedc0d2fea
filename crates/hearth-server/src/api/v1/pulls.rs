//! Pull requests, Gitea's routes (issue #18): `/repos/:o/:r/pulls[/:index[/merge]]`. Every route
//! answers 404 while the repository's pull requests are off.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_git::{diff, read};
use hearth_store::issues::IssueRow;
use hearth_store::pulls::{self as pull_store, PullRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::issues::tracker;
use super::{RepoCtx, git_find};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, LateBody, ListParams, Paged, RepoPath, TokenUser, Validator};
use crate::service::issue_lists::{self, IssueQuery};
use crate::service::issues::EditIssue;
use crate::service::pull_view::pulls_json;
use crate::service::pulls::{self, CreatePull, MergePull};
use crate::types::{Commit, PullRequest};

/// Gitea's CreatePullRequestOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreatePullRequestOption {
    pub head: String,
    pub base: String,
    pub title: String,
    pub body: String,
    pub assignee: String,
    pub milestone: i64,
    pub labels: Vec<i64>,
}

/// Gitea's EditPullRequestOption (the issue's fields, and `base` to retarget).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditPullRequestOption {
    pub title: Option<String>,
    pub body: Option<String>,
    pub state: Option<String>,
    pub base: Option<String>,
    pub assignee: Option<String>,
    pub milestone: Option<i64>,
}

/// Gitea's MergePullRequestOption (its first keys are Go field names, matched case-insensitively
/// by Go's JSON decoder: `Do`, `MergeTitleField`, `MergeMessageField`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MergePullRequestOption {
    #[serde(rename = "Do", alias = "do")]
    pub style: String,
    #[serde(rename = "MergeTitleField", alias = "merge_title_field")]
    pub title: String,
    #[serde(rename = "MergeMessageField", alias = "merge_message_field")]
    pub message: String,
    pub head_commit_id: String,
    pub delete_branch_after_merge: bool,
}

pub(super) fn pulls_on(ctx: RepoCtx) -> ApiResult<RepoCtx> {
    if !ctx.repo.enable_pulls {
        return Err(ApiError::not_found());
    }
    Ok(ctx)
}

async fn one_json(state: &AppState, ctx: &RepoCtx, issue: IssueRow, pull: PullRow) -> ApiResult<PullRequest> {
    let mut h = state.db.acquire().await?;
    Ok(pulls_json(state, h.conn(), &ctx.owner, &ctx.repo, &[(issue, pull)]).await?.remove(0))
}

/// Pull requests of a repository, newest first (Gitea: every state unless `state` says otherwise).
/// The names of the labels a `labels` query asks for by id (Gitea filters pulls by label ids).
async fn label_names(state: &AppState, ctx: &RepoCtx, params: &ListParams) -> ApiResult<Vec<String>> {
    let ids: Vec<i64> = params.all("labels").iter().filter_map(|v| v.trim().parse().ok()).collect();
    let mut names = Vec::new();
    let mut h = state.db.acquire().await?;
    for id in ids {
        match hearth_store::labels::get(h.conn(), ctx.repo.id, id).await? {
            Some(l) => names.push(l.name),
            // An unknown label matches nothing.
            None => names.push(String::from("\u{0}")),
        }
    }
    Ok(names)
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("state" = Option<String>, Query),
        ("milestone" = Option<i64>, Query), ("poster" = Option<String>, Query), ("labels" = Option<i64>, Query),
        ("sort" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [PullRequest]), (status = 404)))]
pub async fn list_pulls(
    State(state): State<AppState>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<PullRequest>> {
    let ctx = pulls_on(ctx)?;
    let page = params.optional().unwrap_or(params.fixed(30));
    let query = IssueQuery {
        closed: match params.get("state") {
            Some("open") => Some(false),
            Some("closed") => Some(true),
            _ => None,
        },
        pulls: true,
        // Gitea's filters: a milestone id, a poster's name, label ids (given once each).
        milestones: params
            .get("milestone")
            .filter(|m| !m.is_empty() && *m != "0")
            .map(String::from)
            .into_iter()
            .collect(),
        created_by: params.get("poster").filter(|p| !p.is_empty()).map(String::from),
        labels: label_names(&state, &ctx, &params).await?,
        sort: hearth_store::issues::IssueSort::from_name(params.get("sort").unwrap_or_default()),
        ..Default::default()
    };
    let found = issue_lists::list(&state, &ctx.repo, &query, page.limit, page.offset()).await?;
    let mut h = state.db.acquire().await?;
    let ids: Vec<i64> = found.rows.iter().map(|i| i.id).collect();
    let mut records = pull_store::of_issues(h.conn(), &ids).await?;
    let rows: Vec<(IssueRow, PullRow)> = found
        .rows
        .into_iter()
        .map(|i| {
            let record = match records.iter().position(|p| p.issue_id == i.id) {
                Some(at) => records.swap_remove(at),
                // A pull imported from Gogs without its branches: listed, with no head or base.
                None => PullRow {
                    id: 0,
                    issue_id: i.id,
                    base_repo_id: ctx.repo.id,
                    base_branch: String::new(),
                    head_repo_id: 0,
                    head_branch: String::new(),
                    head_sha: String::new(),
                    merge_base: String::new(),
                    status: hearth_store::pulls::PullStatus::Error as i16,
                    conflicted_files: String::new(),
                    has_merged: false,
                    merged_unix: 0,
                    merger_id: 0,
                    merged_commit: String::new(),
                    allow_maintainer_edit: false,
                },
            };
            (i, record)
        })
        .collect();
    let data = pulls_json(&state, h.conn(), &ctx.owner, &ctx.repo, &rows).await?;
    Ok(Paged::page(data, found.total, &params, page))
}

/// One pull request; `N.diff` and `N.patch` answer its diff (merge base to head) and its commits
/// as `git format-patch` text.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = String, Path)),
    responses((status = 200, body = PullRequest), (status = 404)))]
pub async fn get_pull(
    State(state): State<AppState>,
    Path((_owner, _repo, index)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Response> {
    let ctx = pulls_on(ctx)?;
    let (number, format) = match index.rsplit_once('.') {
        Some((n, f @ ("diff" | "patch"))) => (n, Some(f)),
        _ => (index.as_str(), None),
    };
    let number: i64 = number.parse().map_err(|_| ApiError::not_found())?;
    let (issue, pull) = pulls::get_settled(&state, ctx.repo.id, number).await?;
    let Some(format) = format else { return Ok(Json(one_json(&state, &ctx, issue, pull).await?).into_response()) };
    let (dir, from, head) = (ctx.dir().to_path_buf(), range_start(&state, &ctx, &pull).await?, pull.head_sha.clone());
    let body = super::streamed::pull_text(dir, from, head, format == "patch", MAX_PATCH_COMMITS);
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response())
}

/// The open pull from a head (`branch` or `owner:branch`; the rest of the path, so branch names
/// may hold slashes) into a base branch (Gitea's `GetPullRequestByBaseHead`).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{base}/{head}", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("base" = String, Path), ("head" = String, Path)),
    responses((status = 200, body = PullRequest), (status = 404)))]
pub async fn get_pull_by_base_head(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((_owner, _repo, base, head)): Path<(String, String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<PullRequest>> {
    let ctx = pulls_on(ctx)?;
    let (issue, pull) = pulls::by_base_head(&state, &ctx.owner, &ctx.repo, who.user.as_deref(), &base, &head).await?;
    Ok(Json(one_json(&state, &ctx, issue, pull).await?))
}

/// Commits a `.patch` lists at most.
pub(crate) const MAX_PATCH_COMMITS: usize = 250;
/// Commits counted for a pull's commit list at most.
const MAX_COUNTED_COMMITS: usize = 10_000;

async fn range_start(state: &AppState, ctx: &RepoCtx, pull: &PullRow) -> ApiResult<String> {
    Ok(pulls::range_start(state, &ctx.owner, &ctx.repo, pull).await?)
}

/// The commits of a pull request (merge base to head), newest first, paged as Gitea pages them.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}/commits", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Commit]), (status = 404)))]
pub async fn list_pull_commits(
    State(state): State<AppState>,
    Path((owner, repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Commit>> {
    let ctx = pulls_on(ctx)?;
    let (_, pull) = pulls::get_settled(&state, ctx.repo.id, index).await?;
    let page = params.optional().unwrap_or(params.fixed(30));
    let (dir, from, head) = (ctx.dir().to_path_buf(), range_start(&state, &ctx, &pull).await?, pull.head_sha.clone());
    let (skip, limit) = (page.offset() as usize, page.limit as usize);
    let (commits, total) =
        git_find(move || read::log_range(&dir, &head, &from, skip, limit, MAX_COUNTED_COMMITS)).await?;
    let data = super::commits::to_api(&state, &ctx, (&owner, &repo), commits).await?;
    Ok(Paged::page(data, total as i64, &params, page))
}

/// Gitea's ChangedFile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangedFile {
    pub filename: String,
    pub previous_filename: String,
    /// `added`, `deleted` or `changed` (no rename detection).
    pub status: String,
    pub additions: u32,
    pub deletions: u32,
    pub changes: u32,
    pub html_url: String,
    pub contents_url: String,
    pub raw_url: String,
}

/// The files a pull request changes (merge base to head), paged.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}/files", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [ChangedFile]), (status = 404)))]
pub async fn list_pull_files(
    State(state): State<AppState>,
    Path((owner, repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<ChangedFile>> {
    let ctx = pulls_on(ctx)?;
    let (_, pull) = pulls::get_settled(&state, ctx.repo.id, index).await?;
    let page = params.optional().unwrap_or(params.fixed(30));
    let (dir, from, head) = (ctx.dir().to_path_buf(), range_start(&state, &ctx, &pull).await?, pull.head_sha.clone());
    // Counts only: no hunks are kept.
    let d = git_find(move || diff::between(&dir, &from, &head, 0)).await?;
    let site = format!("{}{owner}/{repo}", state.links.external_url);
    let api = format!("{}/repos/{owner}/{repo}", state.links.api_url);
    let files: Vec<ChangedFile> = d
        .files
        .into_iter()
        .map(|f| ChangedFile {
            html_url: format!("{site}/src/{}/{}", pull.head_sha, f.path),
            contents_url: format!("{api}/contents/{}?ref={}", f.path, pull.head_sha),
            raw_url: format!("{site}/raw/{}/{}", pull.head_sha, f.path),
            status: match f.status {
                "modified" => "changed".to_string(),
                s => s.to_string(),
            },
            additions: f.additions,
            deletions: f.deletions,
            changes: f.additions + f.deletions,
            previous_filename: String::new(),
            filename: f.path,
        })
        .collect();
    Ok(Paged::slice(files, &params, Some(page)))
}

/// Open a pull request (any reader of the base and the head).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreatePullRequestOption,
    responses((status = 201, body = PullRequest), (status = 401), (status = 404), (status = 409), (status = 422)))]
pub async fn create_pull(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<PullRequest>)> {
    let ctx = pulls_on(ctx)?;
    let opt: CreatePullRequestOption = body.parse()?;
    Validator::new()
        .required("Head", opt.head.trim())
        .required("Base", opt.base.trim())
        .required("Title", opt.title.trim())
        .max_size("Title", &opt.title, 255)
        .finish()?;
    let create = CreatePull {
        title: opt.title,
        body: opt.body,
        head: opt.head.trim().to_string(),
        base: opt.base.trim().to_string(),
        assignee: opt.assignee,
        milestone: opt.milestone,
        labels: opt.labels,
    };
    let (issue, pull) = pulls::create(&state, &tracker(&ctx, &me), &create).await?;
    Ok((StatusCode::CREATED, Json(one_json(&state, &ctx, issue, pull).await?)))
}

/// Edit a pull request (its poster or a writer). Answers 201, as Gitea does.
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/pulls/{index}", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = EditPullRequestOption,
    responses((status = 201, body = PullRequest), (status = 401), (status = 403), (status = 404), (status = 409),
        (status = 412), (status = 422)))]
pub async fn edit_pull(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<PullRequest>)> {
    let ctx = pulls_on(ctx)?;
    let opt: EditPullRequestOption = body.parse()?;
    if let Some(s) = opt.state.as_deref()
        && s != "open"
        && s != "closed"
    {
        return Err(ApiError::Message(StatusCode::PRECONDITION_FAILED, format!("unknown state: {s}")));
    }
    let edit = EditIssue {
        title: opt.title,
        body: opt.body,
        assignee: opt.assignee,
        milestone: opt.milestone,
        state: opt.state,
        base: opt.base.map(|b| b.trim().to_string()).filter(|b| !b.is_empty()),
    };
    pulls::edit(&state, &tracker(&ctx, &me), index, edit).await?;
    let (issue, pull) = pulls::get(&state, ctx.repo.id, index).await?;
    Ok((StatusCode::CREATED, Json(one_json(&state, &ctx, issue, pull).await?)))
}

/// 204 when the pull is merged, 404 otherwise (also for no such pull).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}/merge", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn is_merged(
    State(state): State<AppState>,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let ctx = pulls_on(ctx)?;
    match pulls::get(&state, ctx.repo.id, index).await {
        Ok((_, pull)) if pull.has_merged => Ok(StatusCode::NO_CONTENT),
        _ => Err(ApiError::not_found()),
    }
}

/// Merge a pull request (writers): `Do` is merge, rebase, rebase-merge, squash or
/// fast-forward-only. Gitea's `POST`; `PUT` as well, as routes.tsv lists it.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls/{index}/merge", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = MergePullRequestOption,
    responses((status = 200), (status = 401), (status = 404), (status = 405), (status = 409), (status = 422)))]
pub async fn merge_pull(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<StatusCode> {
    let ctx = pulls_on(ctx)?;
    let opt: MergePullRequestOption = body.parse()?;
    Validator::new().required("Do", opt.style.trim()).finish()?;
    let merge = MergePull {
        style: opt.style.trim().to_string(),
        title: opt.title,
        message: opt.message,
        head_commit_id: opt.head_commit_id.trim().to_string(),
        delete_branch: opt.delete_branch_after_merge,
    };
    pulls::merge(&state, &tracker(&ctx, &me), index, &merge).await?;
    Ok(StatusCode::OK)
}

/// Bring the pull's head branch up to date with its base: `style` merge (default) or rebase.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls/{index}/update", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("style" = Option<String>, Query)),
    responses((status = 200), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update_pull_branch(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<StatusCode> {
    let ctx = pulls_on(ctx)?;
    let rebase = match params.get("style").unwrap_or("merge") {
        "merge" | "" => false,
        "rebase" => true,
        other => return Err(ApiError::unprocessable(format!("unknown update style {other:?}"))),
    };
    pulls::update_branch(&state, &tracker(&ctx, &me), index, rebase).await?;
    Ok(StatusCode::OK)
}

#[utoipa::path(put, path = "/repos/{owner}/{repo}/pulls/{index}/merge", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = MergePullRequestOption,
    responses((status = 200), (status = 401), (status = 404), (status = 405), (status = 409), (status = 422)))]
pub async fn merge_pull_put(
    state: State<AppState>,
    me: TokenUser,
    path: Path<(String, String, i64)>,
    ctx: RepoPath,
    body: LateBody,
) -> ApiResult<StatusCode> {
    merge_pull(state, me, path, ctx, body).await
}
