//! Access tokens: `GET|POST /users/:username/tokens` (Basic auth; `:username` is ignored and the
//! authenticated user's tokens are used, as Gogs does).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::tokens as token_store;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{BasicUser, Body, Validator};
use crate::service::tokens;
use crate::types::AccessToken;

/// B1. CreateAccessTokenOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateAccessTokenOption {
    pub name: String,
}

/// The caller's tokens, oldest first; `sha1` is an identifier, not the token.
#[utoipa::path(get, path = "/users/{username}/tokens", tag = "tokens",
    params(("username" = String, Path)),
    responses((status = 200, body = [AccessToken]), (status = 401, description = "Basic auth required")))]
pub async fn list_access_tokens(
    State(state): State<AppState>,
    BasicUser(me): BasicUser,
    Path(_username): Path<String>,
) -> ApiResult<Json<Vec<AccessToken>>> {
    let mut h = state.db.acquire().await?;
    let rows = token_store::list(h.conn(), me.id).await?;
    Ok(Json(rows.into_iter().map(|t| AccessToken { name: t.name, sha1: t.sha256[..40].to_string() }).collect()))
}

/// Create a token; the response's `sha1` is the raw token, shown only this once.
#[utoipa::path(post, path = "/users/{username}/tokens", tag = "tokens",
    params(("username" = String, Path)),
    request_body = CreateAccessTokenOption,
    responses((status = 201, body = AccessToken), (status = 401), (status = 422)))]
pub async fn create_access_token(
    State(state): State<AppState>,
    BasicUser(me): BasicUser,
    Path(_username): Path<String>,
    Body(opt): Body<CreateAccessTokenOption>,
) -> ApiResult<(StatusCode, Json<AccessToken>)> {
    Validator::new().required("Name", &opt.name).max_size("Name", &opt.name, 255).finish()?;
    let (row, raw) = tokens::create(&state.db, me.id, &opt.name).await?;
    Ok((StatusCode::CREATED, Json(AccessToken { name: row.name, sha1: raw })))
}
