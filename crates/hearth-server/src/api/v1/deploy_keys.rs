//! Deploy keys: `/repos/:o/:r/keys[/:id]` (repository admins).

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::deploy_keys as key_store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Page, Paged, RepoPath, TokenUser, Validator};
use crate::service::access::AccessMode;
use crate::service::deploy_keys;
use crate::types::DeployKey;

/// B3. CreateKeyOption, plus `read_only` (a Gitea/GitHub extension; Gogs clients never send it,
/// and absent means read-only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateDeployKeyOption {
    pub title: String,
    pub key: String,
    pub read_only: bool,
}

impl Default for CreateDeployKeyOption {
    fn default() -> Self {
        CreateDeployKeyOption { title: String::new(), key: String::new(), read_only: true }
    }
}

fn json(state: &AppState, ctx: &RepoCtx, k: &key_store::DeployKeyRow) -> DeployKey {
    DeployKey::new(&state.links, &ctx.owner.name, &ctx.repo.name, k)
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/keys", tag = "deploy-keys",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [DeployKey]), (status = 401), (status = 403), (status = 404)))]
pub async fn list_deploy_keys(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<DeployKey>> {
    ctx.require(AccessMode::Admin)?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = key_store::list(h.conn(), ctx.repo.id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(|k| json(&state, &ctx, k)).collect(), total, &params, page))
}

#[utoipa::path(post, path = "/repos/{owner}/{repo}/keys", tag = "deploy-keys",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateDeployKeyOption,
    responses((status = 201, body = DeployKey), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_deploy_key(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<DeployKey>)> {
    ctx.require(AccessMode::Admin)?;
    let opt: CreateDeployKeyOption = body.parse()?;
    Validator::new()
        .required("Title", &opt.title)
        .max_size("Title", &opt.title, 255)
        .required("Key", &opt.key)
        .max_size("Key", &opt.key, 16 * 1024)
        .finish()?;
    let row = deploy_keys::add(&state.db, &ctx.repo, &opt.title, &opt.key, opt.read_only).await?;
    Ok((StatusCode::CREATED, Json(json(&state, &ctx, &row))))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/keys/{id}", tag = "deploy-keys",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = DeployKey), (status = 401), (status = 403), (status = 404)))]
pub async fn get_deploy_key(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<DeployKey>> {
    ctx.require(AccessMode::Admin)?;
    let mut h = state.db.acquire().await?;
    let key = key_store::get(h.conn(), ctx.repo.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(json(&state, &ctx, &key)))
}

#[utoipa::path(delete, path = "/repos/{owner}/{repo}/keys/{id}", tag = "deploy-keys",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_deploy_key(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Admin)?;
    let key = {
        let mut h = state.db.acquire().await?;
        key_store::get(h.conn(), ctx.repo.id, id).await?.ok_or_else(ApiError::not_found)?
    };
    deploy_keys::delete(&state.db, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
