//! Users: `GET /user`, `GET /users/:username`, `GET /users/search`.

use crate::json::{Json, Raw};
use axum::extract::{Path, State};
use hearth_store::users as user_store;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, ListParams, TokenUser};
use crate::service::row_cache::Answer;
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
pub async fn get_user(State(state): State<AppState>, Auth(id): Auth, Path(username): Path<String>) -> ApiResult<Raw> {
    // Kept until a write: the answer depends on the row and on whether the caller is signed in.
    let epoch = state.db.rows_epoch();
    let user = state.rows.user_by_name(&state.db, &username).await?.ok_or_else(ApiError::not_found)?;
    let signed_in = id.user.is_some();
    if let Some(body) = state.rows.answer(&state.db, Answer::User, user.id, u8::from(signed_in)) {
        return Ok(Raw(body));
    }
    let body =
        crate::json::to_bytes(&User::new(&state.links, &user, signed_in)).map_err(|e| ApiError::Internal(e.into()))?;
    state.rows.keep_answer(Answer::User, user.id, u8::from(signed_in), epoch, body.clone());
    Ok(Raw(body))
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
