//! Repository collaborators: `/repos/:o/:r/collaborators[/:collaborator]` (repository admins).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::collaborations;
use hearth_store::users::{self as user_store, UserRow};
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Page, Paged, RepoPath, TokenUser};
use crate::service::access::AccessMode;
use crate::service::collaborators;
use crate::types::{Collaborator, Permission, User};

/// B8. AddCollaboratorOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AddCollaboratorOption {
    /// `read`, `write` (default for new collaborators) or `admin`; anything else is read.
    pub permission: Option<String>,
}

/// The repository (its admins only) and the named user; an unknown user is a 422, as Gogs (with
/// a message where Gogs sends an empty body: the project's error-body decision).
async fn load(state: &AppState, ctx: RepoCtx, name: &str) -> ApiResult<(RepoCtx, UserRow)> {
    ctx.require(AccessMode::Admin)?;
    let mut h = state.db.acquire().await?;
    let user = user_store::by_name(h.conn(), name)
        .await?
        .ok_or_else(|| ApiError::unprocessable(format!("user does not exist [name: {name}]")))?;
    Ok((ctx, user))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/collaborators", tag = "collaborators",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [Collaborator]), (status = 401), (status = 403), (status = 404)))]
pub async fn list_collaborators(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Collaborator>> {
    ctx.require(AccessMode::Admin)?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = collaborations::list(h.conn(), ctx.repo.id, Page::window_of(page)).await?;
    Ok(Paged::list(
        rows.iter()
            .map(|c| Collaborator {
                user: User::new(&state.links, &c.user, true),
                permissions: Permission::from_mode(c.mode),
            })
            .collect(),
        total,
        &params,
        page,
    ))
}

/// 204 when the user is a collaborator, 404 when not.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/collaborators/{collaborator}", tag = "collaborators",
    params(("owner" = String, Path), ("repo" = String, Path), ("collaborator" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn check_collaborator(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, name)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let (ctx, user) = load(&state, ctx, &name).await?;
    let mut h = state.db.acquire().await?;
    match collaborations::mode_of(h.conn(), ctx.repo.id, user.id).await? {
        Some(_) => Ok(StatusCode::NO_CONTENT),
        None => Err(ApiError::not_found()),
    }
}

/// Add a collaborator or change its permission.
#[utoipa::path(put, path = "/repos/{owner}/{repo}/collaborators/{collaborator}", tag = "collaborators",
    params(("owner" = String, Path), ("repo" = String, Path), ("collaborator" = String, Path)),
    request_body = AddCollaboratorOption,
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn add_collaborator(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, name)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<StatusCode> {
    let (ctx, user) = load(&state, ctx, &name).await?;
    // Gogs binds a body here, so a Content-Type is required even when there is no body.
    let opt: AddCollaboratorOption = body.parse()?;
    let requested = opt.permission.as_deref().map(AccessMode::parse_grant);
    collaborators::put(&state.db, &ctx.repo, &me, ctx.mode, &user, requested).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a collaborator (204 also when the user was not one).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/collaborators/{collaborator}", tag = "collaborators",
    params(("owner" = String, Path), ("repo" = String, Path), ("collaborator" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn delete_collaborator(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, name)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let (ctx, user) = load(&state, ctx, &name).await?;
    collaborators::remove(&state.db, &ctx.repo, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
