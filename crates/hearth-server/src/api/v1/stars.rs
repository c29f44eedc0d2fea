//! Starring and watching (Gitea's Activity routes): who starred or watches a repository, what a
//! user starred or watches (only repositories the caller may read), and the caller's own star and
//! subscription. Lists take `page`/`limit` (30 per page, at most `MAX_RESPONSE_ITEMS`).

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::stars::Kind;
use hearth_store::users::UserRow;

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, ListParams, Paged, RepoPath, TokenUser};
use crate::service::stars;
use crate::types::{Permission, Repository, User, WatchInfo};

/// Gitea's default page size.
const PAGE_SIZE: i64 = 30;

async fn users_of(
    state: &AppState,
    kind: Kind,
    ctx: &crate::extract::RepoCtx,
    show_email: bool,
    params: &ListParams,
) -> ApiResult<Paged<User>> {
    let page = params.fixed(PAGE_SIZE);
    let (rows, total) = stars::users(&state.db, kind, &ctx.repo, page.limit, page.offset()).await?;
    let items = rows.iter().map(|u| User::new(&state.links, u, show_email)).collect();
    Ok(Paged::page(items, total, params, page))
}

async fn repos_of(
    state: &AppState,
    kind: Kind,
    user: &UserRow,
    viewer: Option<&UserRow>,
    params: &ListParams,
) -> ApiResult<Paged<Repository>> {
    let page = params.fixed(PAGE_SIZE);
    let (listed, total) = stars::repos_of(&state.db, kind, user, viewer, page.limit, page.offset()).await?;
    let items = listed
        .iter()
        .map(|l| Repository::new(&state.links, &l.repo, &l.owner, Some(Permission::from_mode(l.mode))))
        .collect();
    Ok(Paged::page(items, total, params, page))
}

/// The users who starred the repository, oldest star first.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/stargazers", tag = "starring",
    params(("owner" = String, Path), ("repo" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [User]), (status = 404)))]
pub async fn list_stargazers(
    State(state): State<AppState>,
    Auth(who): Auth,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    users_of(&state, Kind::Star, &ctx, who.user.is_some(), &params).await
}

/// The repositories a user starred that the caller may read, newest star first.
#[utoipa::path(get, path = "/users/{username}/starred", tag = "starring",
    params(("username" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Repository]), (status = 404)))]
pub async fn list_user_starred(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    let user = load_user(&state, &username).await?;
    repos_of(&state, Kind::Star, &user, who.user.as_deref(), &params).await
}

/// The repositories the caller starred, newest star first.
#[utoipa::path(get, path = "/user/starred", tag = "starring",
    params(("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Repository]), (status = 401)))]
pub async fn list_my_starred(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    repos_of(&state, Kind::Star, &me, Some(&me), &params).await
}

/// 204 when the caller starred the repository, else 404.
#[utoipa::path(get, path = "/user/starred/{owner}/{repo}", tag = "starring",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn check_starring(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    if stars::is_set(&state.db, Kind::Star, &me, &ctx.repo).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// Star the repository (idempotent).
#[utoipa::path(put, path = "/user/starred/{owner}/{repo}", tag = "starring",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn star_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    stars::set(&state.db, Kind::Star, &me, &ctx.repo, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove the caller's star (idempotent).
#[utoipa::path(delete, path = "/user/starred/{owner}/{repo}", tag = "starring",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn unstar_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    stars::set(&state.db, Kind::Star, &me, &ctx.repo, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The users who watch the repository, oldest watch first.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/subscribers", tag = "watching",
    params(("owner" = String, Path), ("repo" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [User]), (status = 404)))]
pub async fn list_subscribers(
    State(state): State<AppState>,
    Auth(who): Auth,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    users_of(&state, Kind::Watch, &ctx, who.user.is_some(), &params).await
}

/// The repositories a user watches that the caller may read, newest watch first.
#[utoipa::path(get, path = "/users/{username}/subscriptions", tag = "watching",
    params(("username" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Repository]), (status = 404)))]
pub async fn list_user_subscriptions(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    let user = load_user(&state, &username).await?;
    repos_of(&state, Kind::Watch, &user, who.user.as_deref(), &params).await
}

/// The repositories the caller watches, newest watch first.
#[utoipa::path(get, path = "/user/subscriptions", tag = "watching",
    params(("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Repository]), (status = 401)))]
pub async fn list_my_subscriptions(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    repos_of(&state, Kind::Watch, &me, Some(&me), &params).await
}

/// The caller's subscription (Gitea's WatchInfo); 404 when the caller does not watch.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/subscription", tag = "watching",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = WatchInfo), (status = 401), (status = 404)))]
pub async fn get_subscription(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<WatchInfo>> {
    if !stars::is_set(&state.db, Kind::Watch, &me, &ctx.repo).await? {
        return Err(ApiError::not_found());
    }
    Ok(Json(WatchInfo::new(&state.links, &ctx.owner.name, &ctx.repo)))
}

/// Watch the repository (idempotent).
#[utoipa::path(put, path = "/repos/{owner}/{repo}/subscription", tag = "watching",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = WatchInfo), (status = 401), (status = 404)))]
pub async fn watch_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<WatchInfo>> {
    let repo = stars::set(&state.db, Kind::Watch, &me, &ctx.repo, true).await?;
    Ok(Json(WatchInfo::new(&state.links, &ctx.owner.name, &repo)))
}

/// Stop watching the repository (idempotent).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/subscription", tag = "watching",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn unwatch_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    stars::set(&state.db, Kind::Watch, &me, &ctx.repo, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
