//! Issues: `/repos/:o/:r/issues[/:index]`, `/user/issues`, `/issues`, and assignees. Their comments
//! and labels have rooms of their own.
//! Every route answers 404 while the repository's built-in tracker is off.

use std::collections::HashMap;

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::issues::{self as issue_store, IssueFilter};
use hearth_store::users::UserRow;
use hearth_store::{repos as repo_store, users as user_store};
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Paged, RepoPath, TokenUser, Validator};
use crate::service::issue_lists::{self, IssueQuery};
use crate::service::issue_view;
use crate::service::issues::{self, CreateIssue, EditIssue, Tracker};
use crate::types::Issue;

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

/// The repository, if its built-in tracker is on (404 otherwise).
pub(super) fn tracker_on(ctx: RepoCtx) -> ApiResult<RepoCtx> {
    if !ctx.repo.enable_issues || ctx.repo.enable_external_tracker {
        return Err(ApiError::not_found());
    }
    Ok(ctx)
}

pub(super) fn tracker<'a>(ctx: &'a RepoCtx, me: &'a UserRow) -> Tracker<'a> {
    Tracker { owner: &ctx.owner, repo: &ctx.repo, mode: ctx.mode, doer: me }
}

async fn issue_json(state: &AppState, ctx: &RepoCtx, row: &issue_store::IssueRow) -> ApiResult<Issue> {
    let mut h = state.db.acquire().await?;
    Ok(issue_view::issue_json(state, h.conn(), &ctx.owner.name, &ctx.repo.name, row).await?)
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
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Issue>> {
    let ctx = tracker_on(ctx)?;
    let page = params.fixed(10);
    let names = |key: &str| -> Vec<String> {
        params.get(key).unwrap_or("").split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
    };
    let given = |key: &str| params.get(key).map(str::trim).filter(|v| !v.is_empty()).map(String::from);
    let query = IssueQuery {
        closed: state_filter(&params),
        pulls: params.get("type") == Some("pulls"),
        labels: names("labels"),
        milestones: names("milestone"),
        assignee: params.get("assignee").filter(|n| !n.is_empty()).map(String::from),
        created_by: params.get("created_by").filter(|n| !n.is_empty()).map(String::from),
        keyword: given("q"),
        ..Default::default()
    };
    let found = issue_lists::list(&state, &ctx.repo, &query, page.limit, page.offset()).await?;
    let mut h = state.db.acquire().await?;
    let data = issue_view::issues_json(&state, h.conn(), &ctx.owner.name, &ctx.repo.name, &found.rows).await?;
    let total = found.total;
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
    let total = issue_store::count(h.conn(), &f).await?;
    let rows = issue_store::list(h.conn(), &f, page.limit, page.offset()).await?;
    // One batch per repository on the page, then back into the page's order.
    let mut repo_ids: Vec<i64> = rows.iter().map(|r| r.repo_id).collect();
    repo_ids.sort_unstable();
    repo_ids.dedup();
    let mut by_id: HashMap<i64, Issue> = HashMap::new();
    for repo_id in repo_ids {
        let Some(r) = repo_store::by_id(h.conn(), repo_id).await? else { continue };
        let Some(o) = user_store::by_id(h.conn(), r.owner_id).await? else { continue };
        let group: Vec<issue_store::IssueRow> = rows.iter().filter(|i| i.repo_id == repo_id).cloned().collect();
        for json in issue_view::issues_json(state, h.conn(), &o.name, &r.name, &group).await? {
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
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Issue>)> {
    let ctx = tracker_on(ctx)?;
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
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Issue>> {
    let ctx = tracker_on(ctx)?;
    let row = {
        let mut h = state.db.acquire().await?;
        issue_store::by_index(h.conn(), ctx.repo.id, index).await?.ok_or_else(ApiError::not_found)?
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
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Issue>)> {
    let ctx = tracker_on(ctx)?;
    let opt: EditIssueOption = body.parse()?;
    let edit = EditIssue {
        title: opt.title,
        body: opt.body,
        assignee: opt.assignee,
        milestone: opt.milestone,
        state: opt.state,
        base: None,
    };
    let row = issues::edit(&state, &tracker(&ctx, &me), index, &edit).await?;
    Ok((StatusCode::CREATED, Json(issue_json(&state, &ctx, &row).await?)))
}

async fn assignees(state: &AppState, ctx: &RepoCtx) -> ApiResult<Vec<UserRow>> {
    let mut h = state.db.acquire().await?;
    Ok(hearth_store::collaborations::assignable(h.conn(), ctx.repo.id, ctx.repo.owner_id).await?)
}

/// Users who can be assigned issues: those with write access (Gitea's route).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/assignees", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [crate::types::User]), (status = 401), (status = 404)))]
pub async fn list_assignees(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<crate::types::User>> {
    let users = assignees(&state, &ctx).await?;
    let users = users.iter().map(|u| crate::types::User::new(&state.links, u, true)).collect();
    Ok(Paged::slice(users, &params, params.optional()))
}

/// 204 when the user can be assigned issues, 404 otherwise.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/assignees/{assignee}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("assignee" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn check_assignee(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, assignee)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let users = assignees(&state, &ctx).await?;
    if users.iter().any(|u| u.lower_name == assignee.to_lowercase()) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}
