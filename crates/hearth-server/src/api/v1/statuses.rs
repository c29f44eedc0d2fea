//! Commit statuses, Gitea's routes (issue #18): `POST|GET /repos/:o/:r/statuses/:sha`, and
//! `GET …/commits/:ref/statuses` and `…/commits/:ref/status` (served through the commit lookup's
//! wildcard route, see `commit_comments::get_commit_or_comments`).

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{LateBody, ListParams, Paged, RepoPath, TokenUser};
use crate::service::access::AccessMode;
use crate::service::statuses::{self, CreateStatus};
use crate::types::{CombinedStatus, CommitStatus, Repository};

/// Gitea's CreateStatusOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateStatusOption {
    pub state: String,
    pub target_url: String,
    pub description: String,
    pub context: String,
}

/// Report a status for a commit (writers).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/statuses/{sha}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path)),
    request_body = CreateStatusOption,
    responses((status = 201, body = CommitStatus), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_status(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<CommitStatus>)> {
    ctx.require(AccessMode::Write)?;
    let opt: CreateStatusOption = body.parse()?;
    let create = CreateStatus {
        state: opt.state.trim().to_string(),
        target_url: opt.target_url,
        description: opt.description,
        context: opt.context,
    };
    let row = statuses::create(&state, &ctx.owner, &ctx.repo, ctx.dir().to_path_buf(), &me, &sha, &create).await?;
    let mut json = statuses::to_json(&state, &ctx.owner.name, &ctx.repo.name, std::slice::from_ref(&row)).await?;
    Ok((StatusCode::CREATED, Json(json.remove(0))))
}

/// Every status of a commit, newest first (`sort=oldest` reverses; `state` filters).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/statuses/{sha}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path),
        ("sort" = Option<String>, Query), ("state" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [CommitStatus]), (status = 404)))]
pub async fn list_statuses(
    State(state): State<AppState>,
    Path((_owner, _repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<CommitStatus>> {
    list_of_ref(&state, &ctx, &sha, &params).await
}

/// The statuses of the commit `r` (a branch, a tag or a commit id) names; empty when it names none.
pub(super) async fn list_of_ref(
    state: &AppState,
    ctx: &RepoCtx,
    r: &str,
    params: &ListParams,
) -> ApiResult<Paged<CommitStatus>> {
    let page = params.optional().unwrap_or(params.fixed(30));
    let Some(sha) = statuses::resolve_ref(ctx.dir().to_path_buf(), r).await? else {
        return Ok(Paged::page(Vec::new(), 0, params, page));
    };
    let oldest = params.get("sort") == Some("oldest");
    let (rows, total) = statuses::list(state, &ctx.repo, &sha, params.get("state"), oldest, page.window()).await?;
    let data = statuses::to_json(state, &ctx.owner.name, &ctx.repo.name, &rows).await?;
    Ok(Paged::page(data, total, params, page))
}

/// The combined status of the commit `r` names: each context's newest status, the worst state.
pub(super) async fn combined_of_ref(state: &AppState, ctx: &RepoCtx, r: &str) -> ApiResult<Json<CombinedStatus>> {
    let empty = CombinedStatus {
        state: String::new(),
        sha: String::new(),
        total_count: 0,
        statuses: None,
        repository: None,
        commit_url: String::new(),
        url: String::new(),
    };
    let Some(sha) = statuses::resolve_ref(ctx.dir().to_path_buf(), r).await? else { return Ok(Json(empty)) };
    let rows = statuses::latest(state, &ctx.repo, &sha).await?;
    if rows.is_empty() {
        return Ok(Json(empty));
    }
    let perms = crate::types::Permission::from_mode(ctx.mode);
    Ok(Json(CombinedStatus {
        state: statuses::combined_state(&rows),
        sha,
        total_count: rows.len() as i64,
        statuses: Some(statuses::to_json(state, &ctx.owner.name, &ctx.repo.name, &rows).await?),
        repository: Some(Repository::new(&state.links, &ctx.repo, &ctx.owner, Some(perms))),
        commit_url: String::new(),
        url: String::new(),
    }))
}
