//! Access tokens: `GET|POST /users/:username/tokens` and Gitea's `DELETE …/tokens/:token` (Basic
//! auth; `:username` is ignored and the authenticated user's tokens are used, as Gogs does).

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::tokens::TokenRow;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::paging::Page;
use crate::extract::{BasicUser, Body, ListParams, Paged, Validator};
use crate::service::tokens;
use crate::types::AccessToken;

/// B1. CreateAccessTokenOption, with Gitea's `scopes` (e.g. `["read:repository", "write:issue"]`;
/// none: full access, as Gogs' tokens).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateAccessTokenOption {
    pub name: String,
    pub scopes: Vec<String>,
}

fn scopes_of(row: &TokenRow) -> Vec<String> {
    row.scope.split(',').filter(|s| !s.is_empty()).map(String::from).collect()
}

fn listed(row: TokenRow) -> AccessToken {
    AccessToken {
        id: row.id,
        sha1: row.sha256[..40].to_string(),
        scopes: scopes_of(&row),
        name: row.name,
        token_last_eight: row.token_last_eight,
    }
}

/// The caller's tokens, oldest first; `sha1` is an identifier, not the token. All of them unless
/// `page` or `limit` is given (Gitea pages this list).
#[utoipa::path(get, path = "/users/{username}/tokens", tag = "tokens",
    params(("username" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [AccessToken]), (status = 401, description = "Basic auth required")))]
pub async fn list_access_tokens(
    State(state): State<AppState>,
    BasicUser(me): BasicUser,
    Path(_username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<AccessToken>> {
    let page =
        (params.page.is_some() || params.limit.is_some()).then(|| params.fixed(state.config.api.max_response_items));
    let (rows, total) = tokens::list(&state.db, me.id, page.map(|p| (p.offset(), p.limit))).await?;
    let items = rows.into_iter().map(listed).collect();
    // Unpaged: one page holding everything (no `Link`).
    let page = page.unwrap_or(Page { page: 1, limit: total.max(1) });
    Ok(Paged::page(items, total, &params, page))
}

/// Create a token; the response's `sha1` is the raw token, shown only this once.
#[utoipa::path(post, path = "/users/{username}/tokens", tag = "tokens",
    params(("username" = String, Path)),
    request_body = CreateAccessTokenOption,
    responses((status = 201, body = AccessToken), (status = 400, description = "unknown scope"), (status = 401), (status = 422)))]
pub async fn create_access_token(
    State(state): State<AppState>,
    BasicUser(me): BasicUser,
    Path(_username): Path<String>,
    Body(opt): Body<CreateAccessTokenOption>,
) -> ApiResult<(StatusCode, Json<AccessToken>)> {
    Validator::new().required("Name", &opt.name).max_size("Name", &opt.name, 255).finish()?;
    let (row, raw) = tokens::create(&state.db, me.id, &opt.name, &opt.scopes).await?;
    Ok((StatusCode::CREATED, Json(AccessToken { sha1: raw, ..listed(row) })))
}

/// Delete one of the caller's tokens (Gitea): `:token` is its id, or else its name. It stops
/// working at once on this server (and within the token cache's bound on others).
#[utoipa::path(delete, path = "/users/{username}/tokens/{token}", tag = "tokens",
    params(("username" = String, Path), ("token" = String, Path, description = "token id, or else name")),
    responses((status = 204), (status = 401, description = "Basic auth required"), (status = 404),
        (status = 422, description = "several tokens of that name")))]
pub async fn delete_access_token(
    State(state): State<AppState>,
    BasicUser(me): BasicUser,
    Path((_username, token)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    tokens::delete(&state.db, me.id, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}
