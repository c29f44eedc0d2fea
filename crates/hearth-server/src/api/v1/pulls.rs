//! Pull requests, Gitea's routes (issue #18): `/repos/:o/:r/pulls[/:index[/merge]]`. Every route
//! answers 404 while the repository's pull requests are off.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::issues::IssueRow;
use hearth_store::pulls::{self as pull_store, PullRow};
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use super::issues::tracker;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Paged, RepoPath, TokenUser, Validator};
use crate::service::issue_lists::{self, IssueQuery};
use crate::service::issues::EditIssue;
use crate::service::pull_view::pulls_json;
use crate::service::pulls::{self, CreatePull, MergePull};
use crate::types::PullRequest;

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

fn pulls_on(ctx: RepoCtx) -> ApiResult<RepoCtx> {
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
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("state" = Option<String>, Query),
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
        ..Default::default()
    };
    let found = issue_lists::list(&state, &ctx.repo, &query, page.limit, page.offset()).await?;
    let mut h = state.db.acquire().await?;
    let ids: Vec<i64> = found.rows.iter().map(|i| i.id).collect();
    let mut records = pull_store::of_issues(h.conn(), &ids).await?;
    let rows: Vec<(IssueRow, PullRow)> = found
        .rows
        .into_iter()
        .filter_map(|i| {
            let at = records.iter().position(|p| p.issue_id == i.id)?;
            Some((i, records.swap_remove(at)))
        })
        .collect();
    let data = pulls_json(&state, h.conn(), &ctx.owner, &ctx.repo, &rows).await?;
    Ok(Paged::page(data, found.total, &params, page))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 200, body = PullRequest), (status = 404)))]
pub async fn get_pull(
    State(state): State<AppState>,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<PullRequest>> {
    let ctx = pulls_on(ctx)?;
    let (issue, pull) = pulls::get_settled(&state, ctx.repo.id, index).await?;
    Ok(Json(one_json(&state, &ctx, issue, pull).await?))
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
    };
    // `delete_branch_after_merge` is accepted and not acted on yet (the branch stays).
    let _ = opt.delete_branch_after_merge;
    pulls::merge(&state, &tracker(&ctx, &me), index, &merge).await?;
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
