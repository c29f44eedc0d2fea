//! Issues, their comments and their labels: `/repos/:o/:r/issues…`, `/user/issues`, `/issues`.
//! Every route answers 404 while the repository's built-in tracker is off.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::issues::{self as issue_store, IssueFilter};
use hearth_store::users::UserRow;
use hearth_store::{labels as label_store, milestones as milestone_store, repos as repo_store, users as user_store};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::{RepoCtx, load_repo};
use crate::api::types::{Comment, Issue, Label};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Paged, TokenUser, Validator};
use crate::service::issue_view;
use crate::service::issues::{self, CreateIssue, EditIssue, LabelChange, Tracker};

/// B10. CreateIssueOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateIssueOption {
    pub title: String,
    pub body: String,
    pub assignee: String,
    pub milestone: i64,
    pub labels: Vec<i64>,
    pub closed: bool,
}

/// B11. EditIssueOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditIssueOption {
    pub title: Option<String>,
    pub body: Option<String>,
    pub assignee: Option<String>,
    pub milestone: Option<i64>,
    pub state: Option<String>,
}

/// B12. CreateIssueCommentOption / EditIssueCommentOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct IssueCommentOption {
    pub body: String,
}

/// B13. IssueLabelsOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct IssueLabelsOption {
    pub labels: Vec<i64>,
}

/// The repository, readable by the caller, with its built-in tracker on.
async fn tracker_repo(state: &AppState, me: &UserRow, owner: &str, repo: &str) -> ApiResult<RepoCtx> {
    let ctx = load_repo(state, Some(me), owner, repo).await?;
    if !ctx.repo.enable_issues || ctx.repo.enable_external_tracker {
        return Err(ApiError::not_found());
    }
    Ok(ctx)
}

fn tracker<'a>(ctx: &'a RepoCtx, me: &'a UserRow) -> Tracker<'a> {
    Tracker { owner: &ctx.owner, repo: &ctx.repo, mode: ctx.mode, doer: me }
}

async fn issue_json(state: &AppState, ctx: &RepoCtx, row: &issue_store::IssueRow) -> ApiResult<Issue> {
    let mut h = state.db.acquire().await?;
    Ok(issue_view::issue_json(state, h.c(), &ctx.owner.name, &ctx.repo.name, row).await?)
}

/// `state`: `closed`, `all` (a Gitea extension), anything else open.
fn state_filter(params: &ListParams) -> Option<bool> {
    match params.get("state") {
        Some("closed") => Some(true),
        Some("all") => None,
        _ => Some(false),
    }
}

/// Issues of a repository, newest first, 10 per page (Gogs); Gitea's filters as extensions.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("state" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query), ("labels" = Option<String>, Query),
        ("milestone" = Option<String>, Query), ("assignee" = Option<String>, Query),
        ("created_by" = Option<String>, Query), ("q" = Option<String>, Query), ("type" = Option<String>, Query)),
    responses((status = 200, body = [Issue]), (status = 401), (status = 404)))]
pub async fn list_issues(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo)): Path<(String, String)>,
    params: ListParams,
) -> ApiResult<Paged<Issue>> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let page = params.fixed(10);
    let mut h = state.db.acquire().await?;
    let mut f = IssueFilter {
        repo_id: Some(ctx.repo.id),
        closed: state_filter(&params),
        is_pull: Some(params.get("type") == Some("pulls")),
        ..IssueFilter::default()
    };
    let mut narrowed = f.is_pull == Some(true);
    let names = |key: &str| -> Vec<String> {
        params.get(key).unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
    };
    // A filter naming nothing that exists matches nothing (Gitea discards unknown names).
    let mut impossible = false;
    let label_names = names("labels");
    if !label_names.is_empty() {
        narrowed = true;
        let all = label_store::list(h.c(), ctx.repo.id).await?;
        f.label_ids = all.iter().filter(|l| label_names.contains(&l.name)).map(|l| l.id).collect();
        impossible |= f.label_ids.is_empty();
    }
    let milestone_names = names("milestone");
    if !milestone_names.is_empty() {
        narrowed = true;
        let all = milestone_store::list(h.c(), ctx.repo.id).await?;
        f.milestone_ids = all
            .iter()
            .filter(|m| milestone_names.iter().any(|n| *n == m.name || n.parse::<i64>().ok() == Some(m.id)))
            .map(|m| m.id)
            .collect();
        impossible |= f.milestone_ids.is_empty();
    }
    for (key, slot) in [("assignee", &mut f.assignee_id), ("created_by", &mut f.poster_id)] {
        if let Some(name) = params.get(key).filter(|n| !n.is_empty()) {
            narrowed = true;
            match user_store::by_name(h.c(), name).await? {
                Some(u) => *slot = Some(u.id),
                None => impossible = true,
            }
        }
    }
    if let Some(q) = params.get("q").map(str::trim).filter(|q| !q.is_empty()) {
        narrowed = true;
        f.keyword = Some(q.to_string());
    }
    if impossible {
        return Ok(Paged::page(Vec::new(), 0, &params, page));
    }
    // The repository's counters give the unfiltered totals without a COUNT over every issue.
    let total = if narrowed {
        issue_store::count(h.c(), &f).await?
    } else {
        let r = &ctx.repo;
        match f.closed {
            Some(true) => r.num_closed_issues,
            Some(false) => r.num_issues - r.num_closed_issues,
            None => r.num_issues,
        }
    };
    let rows = issue_store::list(h.c(), &f, page.limit, page.offset()).await?;
    let data = issue_view::issues_json(&state, h.c(), &ctx.owner.name, &ctx.repo.name, &rows).await?;
    Ok(Paged::page(data, total, &params, page))
}

/// Issues assigned to the caller in any repository.
async fn assigned_to_me(state: &AppState, me: &UserRow, params: &ListParams) -> ApiResult<Paged<Issue>> {
    let page = params.fixed(10);
    let f = IssueFilter {
        assignee_id: Some(me.id),
        closed: state_filter(params),
        is_pull: Some(false),
        ..Default::default()
    };
    let mut h = state.db.acquire().await?;
    let total = issue_store::count(h.c(), &f).await?;
    let rows = issue_store::list(h.c(), &f, page.limit, page.offset()).await?;
    // One batch per repository on the page, then back into the page's order.
    let mut repo_ids: Vec<i64> = rows.iter().map(|r| r.repo_id).collect();
    repo_ids.sort_unstable();
    repo_ids.dedup();
    let mut by_id: HashMap<i64, Issue> = HashMap::new();
    for repo_id in repo_ids {
        let Some(r) = repo_store::by_id(h.c(), repo_id).await? else { continue };
        let Some(o) = user_store::by_id(h.c(), r.owner_id).await? else { continue };
        let group: Vec<issue_store::IssueRow> = rows.iter().filter(|i| i.repo_id == repo_id).cloned().collect();
        for json in issue_view::issues_json(state, h.c(), &o.name, &r.name, &group).await? {
            by_id.insert(json.id, json);
        }
    }
    let data = rows.iter().filter_map(|i| by_id.remove(&i.id)).collect();
    Ok(Paged::page(data, total, params, page))
}

#[utoipa::path(get, path = "/user/issues", tag = "issues",
    params(("state" = Option<String>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = [Issue]), (status = 401)))]
pub async fn list_my_issues(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Issue>> {
    assigned_to_me(&state, &me, &params).await
}

#[utoipa::path(get, path = "/issues", tag = "issues",
    params(("state" = Option<String>, Query), ("page" = Option<i64>, Query)),
    responses((status = 200, body = [Issue]), (status = 401)))]
pub async fn list_assigned_issues(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Issue>> {
    assigned_to_me(&state, &me, &params).await
}

/// Open an issue (any reader; assignee, milestone and labels only for writers).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/issues", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateIssueOption,
    responses((status = 201, body = Issue), (status = 401), (status = 404), (status = 422)))]
pub async fn create_issue(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo)): Path<(String, String)>,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Issue>)> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let opt: CreateIssueOption = body.parse()?;
    Validator::new().required("Title", opt.title.trim()).max_size("Title", &opt.title, 255).finish()?;
    let create = CreateIssue {
        title: opt.title,
        body: opt.body,
        assignee: opt.assignee,
        milestone: opt.milestone,
        labels: opt.labels,
        closed: opt.closed,
    };
    let row = issues::create(&state, &tracker(&ctx, &me), &create).await?;
    Ok((StatusCode::CREATED, Json(issue_json(&state, &ctx, &row).await?)))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues/{index}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 200, body = Issue), (status = 401), (status = 404)))]
pub async fn get_issue(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, index)): Path<(String, String, i64)>,
) -> ApiResult<Json<Issue>> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let row = {
        let mut h = state.db.acquire().await?;
        issue_store::by_index(h.c(), ctx.repo.id, index).await?.ok_or_else(ApiError::not_found)?
    };
    Ok(Json(issue_json(&state, &ctx, &row).await?))
}

/// Edit an issue (its poster or a writer). Answers 201, as Gogs does.
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/issues/{index}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = EditIssueOption,
    responses((status = 201, body = Issue), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_issue(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, index)): Path<(String, String, i64)>,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Issue>)> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let opt: EditIssueOption = body.parse()?;
    let edit = EditIssue {
        title: opt.title,
        body: opt.body,
        assignee: opt.assignee,
        milestone: opt.milestone,
        state: opt.state,
    };
    let row = issues::edit(&state, &tracker(&ctx, &me), index, &edit).await?;
    Ok((StatusCode::CREATED, Json(issue_json(&state, &ctx, &row).await?)))
}

/// `?since=` (RFC 3339): entries updated at or after it; unparsable → 422.
fn since(params: &ListParams) -> ApiResult<i64> {
    match params.get("since").filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339)
            .map(|t| t.unix_timestamp())
            .map_err(|e| ApiError::unprocessable(format!("parsing time \"{s}\": {e}"))),
    }
}

async fn comments_json(
    state: &AppState,
    ctx: &RepoCtx,
    rows: &[issue_store::CommentRow],
    index: &HashMap<i64, i64>,
) -> ApiResult<Vec<Comment>> {
    let mut h = state.db.acquire().await?;
    Ok(issue_view::comments_json(state, h.c(), &ctx.owner.name, &ctx.repo.name, rows, index).await?)
}

/// Plain comments of every issue of the repository, oldest first.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues/comments", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("since" = Option<String>, Query)),
    responses((status = 200, body = [Comment]), (status = 401), (status = 404), (status = 422)))]
pub async fn list_repo_comments(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo)): Path<(String, String)>,
    params: ListParams,
) -> ApiResult<Json<Vec<Comment>>> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let since = since(&params)?;
    let mut h = state.db.acquire().await?;
    let rows = issue_store::comments_of_repo(h.c(), ctx.repo.id, since).await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.issue_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let index: HashMap<i64, i64> = issue_store::indexes(h.c(), &ids).await?.into_iter().collect();
    drop(h);
    Ok(Json(comments_json(&state, &ctx, &rows, &index).await?))
}

/// Plain comments of one issue, oldest first (the close/reopen entries are left out).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues/{index}/comments", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("since" = Option<String>, Query)),
    responses((status = 200, body = [Comment]), (status = 401), (status = 404), (status = 422)))]
pub async fn list_issue_comments(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, index)): Path<(String, String, i64)>,
    params: ListParams,
) -> ApiResult<Json<Vec<Comment>>> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let since = since(&params)?;
    let mut h = state.db.acquire().await?;
    let issue = issue_store::by_index(h.c(), ctx.repo.id, index).await?.ok_or_else(ApiError::not_found)?;
    let rows = issue_store::comments_of_issue(h.c(), issue.id, since).await?;
    drop(h);
    Ok(Json(comments_json(&state, &ctx, &rows, &HashMap::from([(issue.id, issue.idx)])).await?))
}

fn comment_body(body: &LateBody) -> ApiResult<String> {
    let opt: IssueCommentOption = body.parse()?;
    Validator::new().required("Body", &opt.body).finish()?;
    Ok(opt.body)
}

/// Comment on an issue (any reader).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/issues/{index}/comments", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = IssueCommentOption,
    responses((status = 201, body = Comment), (status = 401), (status = 404), (status = 422)))]
pub async fn create_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, index)): Path<(String, String, i64)>,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let text = comment_body(&body)?;
    let row = issues::create_comment(&state, &tracker(&ctx, &me), index, &text).await?;
    let json = comments_json(&state, &ctx, std::slice::from_ref(&row), &HashMap::from([(row.issue_id, index)])).await?;
    Ok((StatusCode::CREATED, Json(json.into_iter().next().ok_or_else(ApiError::not_found)?)))
}

async fn edit_comment_by_id(
    state: &AppState,
    me: &UserRow,
    (owner, repo): (&str, &str),
    id: i64,
    body: LateBody,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let ctx = tracker_repo(state, me, owner, repo).await?;
    let text = comment_body(&body)?;
    let Some(row) = issues::edit_comment(state, &tracker(&ctx, me), id, &text).await? else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let idx = {
        let mut h = state.db.acquire().await?;
        issue_store::by_id(h.c(), row.issue_id).await?.map(|i| i.idx).unwrap_or(0)
    };
    let json = comments_json(state, &ctx, std::slice::from_ref(&row), &HashMap::from([(row.issue_id, idx)])).await?;
    Ok(Json(json.into_iter().next().ok_or_else(ApiError::not_found)?).into_response())
}

/// Edit a comment (its poster or a repository admin); the `:index` is not checked, as Gogs.
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/issues/{index}/comments/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    request_body = IssueCommentOption,
    responses((status = 200, body = Comment), (status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, _index, id)): Path<(String, String, i64, i64)>,
    body: LateBody,
) -> ApiResult<axum::response::Response> {
    edit_comment_by_id(&state, &me, (&owner, &repo), id, body).await
}

/// The same edit without the issue number (Gogs routes both).
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/issues/comments/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    request_body = IssueCommentOption,
    responses((status = 200, body = Comment), (status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_repo_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, id)): Path<(String, String, i64)>,
    body: LateBody,
) -> ApiResult<axum::response::Response> {
    edit_comment_by_id(&state, &me, (&owner, &repo), id, body).await
}

#[utoipa::path(delete, path = "/repos/{owner}/{repo}/issues/{index}/comments/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, _index, id)): Path<(String, String, i64, i64)>,
) -> ApiResult<StatusCode> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    issues::delete_comment(&state, &tracker(&ctx, &me), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn labels_json(state: &AppState, ctx: &RepoCtx, issue_id: i64) -> ApiResult<Json<Vec<Label>>> {
    let mut h = state.db.acquire().await?;
    let rows = label_store::of_issue(h.c(), issue_id).await?;
    Ok(Json(rows.iter().map(|l| Label::new(state, &ctx.owner.name, &ctx.repo.name, l)).collect()))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 200, body = [Label]), (status = 401), (status = 404)))]
pub async fn list_issue_labels(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, index)): Path<(String, String, i64)>,
) -> ApiResult<Json<Vec<Label>>> {
    let ctx = tracker_repo(&state, &me, &owner, &repo).await?;
    let issue = {
        let mut h = state.db.acquire().await?;
        issue_store::by_index(h.c(), ctx.repo.id, index).await?.ok_or_else(ApiError::not_found)?
    };
    labels_json(&state, &ctx, issue.id).await
}

enum LabelKind {
    Add,
    Replace,
    Clear,
    Remove(i64),
}

async fn change_labels(
    state: &AppState,
    me: &UserRow,
    (owner, repo, index): (String, String, i64),
    body: Option<LateBody>,
    kind: LabelKind,
) -> ApiResult<Json<Vec<Label>>> {
    let ctx = tracker_repo(state, me, &owner, &repo).await?;
    ctx.require(crate::service::access::AccessMode::Write)?;
    let opt: IssueLabelsOption = match &body {
        Some(b) => b.parse()?,
        None => IssueLabelsOption::default(),
    };
    let change = match kind {
        LabelKind::Add => LabelChange::Add(&opt.labels),
        LabelKind::Replace => LabelChange::Replace(&opt.labels),
        LabelKind::Clear => LabelChange::Clear,
        LabelKind::Remove(id) => LabelChange::Remove(id),
    };
    let issue = issues::change_labels(state, &tracker(&ctx, me), index, change).await?;
    labels_json(state, &ctx, issue.id).await
}

/// Attach labels of this repository (others are dropped); answers the issue's labels.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = IssueLabelsOption,
    responses((status = 200, body = [Label]), (status = 401), (status = 403), (status = 404)))]
pub async fn add_issue_labels(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(path): Path<(String, String, i64)>,
    body: LateBody,
) -> ApiResult<Json<Vec<Label>>> {
    change_labels(&state, &me, path, Some(body), LabelKind::Add).await
}

/// Replace the issue's labels.
#[utoipa::path(put, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = IssueLabelsOption,
    responses((status = 200, body = [Label]), (status = 401), (status = 403), (status = 404)))]
pub async fn replace_issue_labels(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(path): Path<(String, String, i64)>,
    body: LateBody,
) -> ApiResult<Json<Vec<Label>>> {
    change_labels(&state, &me, path, Some(body), LabelKind::Replace).await
}

#[utoipa::path(delete, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn clear_issue_labels(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(path): Path<(String, String, i64)>,
) -> ApiResult<StatusCode> {
    let _labels = change_labels(&state, &me, path, None, LabelKind::Clear).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Detach one label (422 for a label of another repository; 204 when it was not attached).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/issues/{index}/labels/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn remove_issue_label(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, index, id)): Path<(String, String, i64, i64)>,
) -> ApiResult<StatusCode> {
    let _labels = change_labels(&state, &me, (owner, repo, index), None, LabelKind::Remove(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn assignees(state: &AppState, me: &UserRow, owner: &str, repo: &str) -> ApiResult<Vec<UserRow>> {
    let ctx = load_repo(state, Some(me), owner, repo).await?;
    let mut h = state.db.acquire().await?;
    Ok(hearth_store::collaborations::assignable(h.c(), ctx.repo.id, ctx.repo.owner_id).await?)
}

/// Users who can be assigned issues: those with write access (Gitea's route).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/assignees", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [crate::api::types::User]), (status = 401), (status = 404)))]
pub async fn list_assignees(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo)): Path<(String, String)>,
) -> ApiResult<Json<Vec<crate::api::types::User>>> {
    let users = assignees(&state, &me, &owner, &repo).await?;
    Ok(Json(users.iter().map(|u| crate::api::types::User::new(&state, u, true)).collect()))
}

/// 204 when the user can be assigned issues, 404 otherwise.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/assignees/{assignee}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("assignee" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn check_assignee(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, assignee)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let users = assignees(&state, &me, &owner, &repo).await?;
    if users.iter().any(|u| u.lower_name == assignee.to_lowercase()) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
