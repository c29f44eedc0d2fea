//! Users: `GET /user`, `GET /users/:username`, `GET /users/search`.

use crate::json::Json;
use axum::extract::{Path, State};
use hearth_store::users as user_store;

use super::load_user;
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, ListParams, TokenUser};
use crate::types::{User, UserSearchResults};

/// The authenticated user, e-mail included.
#[utoipa::path(get, path = "/user", tag = "users",
    responses((status = 200, body = User), (status = 401, description = "no token")))]
pub async fn get_authenticated_user(State(state): State<AppState>, TokenUser(me): TokenUser) -> Json<User> {
    Json(User::new(&state.links, &me, true))
}

/// A user or organisation by name; the e-mail is blank for anonymous callers.
#[utoipa::path(get, path = "/users/{username}", tag = "users",
    params(("username" = String, Path)),
    responses((status = 200, body = User), (status = 404)))]
pub async fn get_user(
    State(state): State<AppState>,
    Auth(id): Auth,
    Path(username): Path<String>,
) -> ApiResult<Json<User>> {
    let user = load_user(&state, &username).await?;
    Ok(Json(User::new(&state.links, &user, id.user.is_some())))
}

/// Individuals whose name or full name contains `q` (empty `q` → no results), at most `limit`
/// (default 10, capped at `MAX_RESPONSE_ITEMS`).
#[utoipa::path(get, path = "/users/search", tag = "users",
    params(("q" = Option<String>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = UserSearchResults)))]
pub async fn search_users(
    State(state): State<AppState>,
    Auth(id): Auth,
    params: ListParams,
) -> ApiResult<Json<UserSearchResults>> {
    let q = params.get("q").unwrap_or("").trim().to_string();
    if q.is_empty() {
        return Ok(Json(UserSearchResults { data: vec![], ok: true }));
    }
    let limit = match params.limit {
        Some(l) if l > 0 => l.min(state.config.api.max_response_items),
        _ => 10,
    };
    let mut h = state.db.acquire().await?;
    let rows = user_store::search(h.conn(), &q, limit).await?;
    let show_email = id.user.is_some();
    let data = rows.iter().map(|u| User::new(&state.links, u, show_email)).collect();
    Ok(Json(UserSearchResults { data, ok: true }))
}
