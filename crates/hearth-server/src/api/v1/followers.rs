//! Followers: lists (40 per page, newest follow first), checks (204/404), follow and unfollow.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::follows as follow_store;
use hearth_store::users::UserRow;

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ListParams, Paged, TokenUser};
use crate::service::follows;
use crate::types::User;

const PAGE_SIZE: i64 = 40;

enum Direction {
    Followers,
    Following,
}

async fn list(state: &AppState, of: &UserRow, dir: Direction, params: &ListParams) -> ApiResult<Paged<User>> {
    let page = params.fixed(PAGE_SIZE);
    let mut h = state.db.acquire().await?;
    let (rows, total) = match dir {
        Direction::Followers => {
            (follow_store::followers(h.conn(), of.id, page.limit, page.offset()).await?, of.num_followers)
        }
        Direction::Following => {
            (follow_store::following(h.conn(), of.id, page.limit, page.offset()).await?, of.num_following)
        }
    };
    let items = rows.iter().map(|u| User::new(&state.links, u, true)).collect();
    Ok(Paged::page(items, total, params, page))
}

async fn check(state: &AppState, user: &UserRow, target: &UserRow) -> ApiResult<StatusCode> {
    let mut h = state.db.acquire().await?;
    if follow_store::is_following(h.conn(), user.id, target.id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

#[utoipa::path(get, path = "/user/followers", tag = "followers",
    params(("page" = Option<i64>, Query)),
    responses((status = 200, body = [User]), (status = 401)))]
pub async fn list_my_followers(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    list(&state, &me, Direction::Followers, &params).await
}

#[utoipa::path(get, path = "/user/following", tag = "followers",
    params(("page" = Option<i64>, Query)),
    responses((status = 200, body = [User]), (status = 401)))]
pub async fn list_my_following(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    list(&state, &me, Direction::Following, &params).await
}

#[utoipa::path(get, path = "/users/{username}/followers", tag = "followers",
    params(("username" = String, Path), ("page" = Option<i64>, Query)),
    responses((status = 200, body = [User]), (status = 401), (status = 404)))]
pub async fn list_followers(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    let user = load_user(&state, &username).await?;
    list(&state, &user, Direction::Followers, &params).await
}

#[utoipa::path(get, path = "/users/{username}/following", tag = "followers",
    params(("username" = String, Path), ("page" = Option<i64>, Query)),
    responses((status = 200, body = [User]), (status = 401), (status = 404)))]
pub async fn list_following(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    let user = load_user(&state, &username).await?;
    list(&state, &user, Direction::Following, &params).await
}

/// 204 if `username` follows `target`, else 404.
#[utoipa::path(get, path = "/users/{username}/following/{target}", tag = "followers",
    params(("username" = String, Path), ("target" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn check_following(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((username, target)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let user = load_user(&state, &username).await?;
    let target = load_user(&state, &target).await?;
    check(&state, &user, &target).await
}

/// 204 if the caller follows `username`, else 404.
#[utoipa::path(get, path = "/user/following/{username}", tag = "followers",
    params(("username" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn check_my_following(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    let target = load_user(&state, &username).await?;
    check(&state, &me, &target).await
}

/// Follow (idempotent; following yourself is a no-op).
#[utoipa::path(put, path = "/user/following/{username}", tag = "followers",
    params(("username" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn follow_user(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    let target = load_user(&state, &username).await?;
    follows::follow(&state.db, &me, &target).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unfollow (idempotent).
#[utoipa::path(delete, path = "/user/following/{username}", tag = "followers",
    params(("username" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn unfollow_user(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    let target = load_user(&state, &username).await?;
    follows::unfollow(&state.db, &me, &target).await?;
    Ok(StatusCode::NO_CONTENT)
}
