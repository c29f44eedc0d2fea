//! Users' SSH public keys: `/user/keys`, `/user/keys/:id`, `/users/:username/keys`.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::keys as key_store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, ListParams, Page, Paged, TokenUser, Validator};
use crate::service::keys;
use crate::types::PublicKey;

/// B3. CreateKeyOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateKeyOption {
    pub title: String,
    pub key: String,
}

impl CreateKeyOption {
    pub fn validate(&self) -> ApiResult<()> {
        Validator::new()
            .required("Title", &self.title)
            .max_size("Title", &self.title, 255)
            .required("Key", &self.key)
            .max_size("Key", &self.key, 16 * 1024)
            .finish()
    }
}

pub(crate) async fn list_keys_of(state: &AppState, owner_id: i64, params: &ListParams) -> ApiResult<Paged<PublicKey>> {
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = key_store::list_user_keys(h.conn(), owner_id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(|k| PublicKey::new(&state.links, k)).collect(), total, params, page))
}

#[utoipa::path(get, path = "/user/keys", tag = "user-keys",
    responses((status = 200, body = [PublicKey]), (status = 401)))]
pub async fn list_my_keys(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<PublicKey>> {
    list_keys_of(&state, me.id, &params).await
}

#[utoipa::path(get, path = "/users/{username}/keys", tag = "user-keys",
    params(("username" = String, Path)),
    responses((status = 200, body = [PublicKey]), (status = 401), (status = 404)))]
pub async fn list_user_keys(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<PublicKey>> {
    let user = load_user(&state, &username).await?;
    list_keys_of(&state, user.id, &params).await
}

/// Add a key: a valid OpenSSH or RFC 4716 public key not used by any account.
#[utoipa::path(post, path = "/user/keys", tag = "user-keys",
    request_body = CreateKeyOption,
    responses((status = 201, body = PublicKey), (status = 401), (status = 422)))]
pub async fn create_my_key(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<CreateKeyOption>,
) -> ApiResult<(StatusCode, Json<PublicKey>)> {
    opt.validate()?;
    let row = keys::add_user_key(&state.db, me.id, &opt.title, &opt.key).await?;
    Ok((StatusCode::CREATED, Json(PublicKey::new(&state.links, &row))))
}

fn parse_id(id: &str) -> Option<i64> {
    id.parse::<i64>().ok().filter(|n| *n > 0)
}

/// One of the caller's keys (hearth: others' keys are 404, unlike Gogs; site admins see all).
#[utoipa::path(get, path = "/user/keys/{id}", tag = "user-keys",
    params(("id" = i64, Path)),
    responses((status = 200, body = PublicKey), (status = 401), (status = 404)))]
pub async fn get_my_key(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PublicKey>> {
    let id = parse_id(&id).ok_or_else(ApiError::not_found)?;
    let mut h = state.db.acquire().await?;
    let key = key_store::by_id(h.conn(), id).await?.filter(|k| k.kind == hearth_store::KeyKind::User);
    match key {
        Some(k) if k.owner_id == me.id || me.is_admin => Ok(Json(PublicKey::new(&state.links, &k))),
        _ => Err(ApiError::not_found()),
    }
}

/// Delete a key: its owner or a site admin; an unknown id is 204.
#[utoipa::path(delete, path = "/user/keys/{id}", tag = "user-keys",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403)))]
pub async fn delete_my_key(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let Some(id) = parse_id(&id) else { return Ok(StatusCode::NO_CONTENT) };
    match keys::delete_user_key(&state.db, &me, id).await? {
        keys::DeleteKey::NotYours => {
            Err(ApiError::Message(StatusCode::FORBIDDEN, "You do not have access to this key.".into()))
        }
        keys::DeleteKey::Deleted | keys::DeleteKey::Missing => Ok(StatusCode::NO_CONTENT),
    }
}
