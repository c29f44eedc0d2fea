//! Notifications, Gitea's routes (issue #19): the caller's threads, overall and per repository,
//! their read state, and the unread count. Tokens only, as Gitea asks.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::notifications::{self as store, Filter};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ListParams, Paged, RepoPath, TokenUser};
use crate::service::access::AccessMode;
use crate::service::notifications::{self, source_of, status_of};
use crate::types::{NotificationCount, NotificationThread};

fn time_param(params: &ListParams, name: &str) -> ApiResult<Option<i64>> {
    match params.get(name).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339)
            .map(|t| Some(t.unix_timestamp()))
            .map_err(|e| ApiError::unprocessable(format!("parsing time \"{s}\": {e}"))),
    }
}

/// Gitea's list filter: `all` (every status) or `status-types` (unread and pinned by default),
/// `subject-type`, `since`, `before`.
fn list_filter(params: &ListParams, user_id: i64, repo_id: Option<i64>) -> ApiResult<Filter> {
    let statuses: Vec<i16> = if params.get("all").is_some_and(|v| v == "true" || v == "1") {
        vec![store::UNREAD, store::READ, store::PINNED]
    } else {
        let named: Vec<i16> = params.all("status-types").into_iter().filter_map(status_of).collect();
        if named.is_empty() { vec![store::UNREAD, store::PINNED] } else { named }
    };
    let named_sources: Vec<&str> = params.all("subject-type");
    let mut sources: Vec<i16> = named_sources.iter().filter_map(|s| source_of(s)).collect();
    if !named_sources.is_empty() && sources.is_empty() {
        sources.push(0); // only unknown names: nothing matches
    }
    Ok(Filter {
        user_id,
        repo_id,
        statuses,
        sources,
        since: time_param(params, "since")?,
        before: time_param(params, "before")?,
    })
}

/// Gitea's mark-as-read filter: threads updated before `last_read_at` (now by default) whose
/// status is among `status-types` (unread by default; `all` takes every status).
fn mark_filter(params: &ListParams, user_id: i64, repo_id: Option<i64>) -> ApiResult<(Filter, i16)> {
    let statuses: Vec<i16> = if params.get("all").is_some_and(|v| v == "true" || v == "1") {
        vec![store::UNREAD, store::READ, store::PINNED]
    } else {
        let named: Vec<i16> = params.all("status-types").into_iter().filter_map(status_of).collect();
        if named.is_empty() { vec![store::UNREAD] } else { named }
    };
    let last_read = time_param(params, "last_read_at")?.unwrap_or_else(crate::service::now_unix);
    let to = params.get("to-status").and_then(status_of).unwrap_or(store::READ);
    let f = Filter { user_id, repo_id, statuses, sources: vec![], since: None, before: Some(last_read + 1) };
    Ok((f, to))
}

async fn page(
    state: &AppState,
    me: &hearth_store::users::UserRow,
    params: &ListParams,
    f: Filter,
) -> ApiResult<Paged<NotificationThread>> {
    let page = params.optional().unwrap_or(params.fixed(30));
    let (threads, total) = notifications::list(state, me, &f, page.limit, page.offset()).await?;
    Ok(Paged::page(threads, total, params, page))
}

/// The caller's threads, most recently updated first.
#[utoipa::path(get, path = "/notifications", tag = "notification",
    params(("all" = Option<bool>, Query), ("status-types" = Option<Vec<String>>, Query),
        ("subject-type" = Option<Vec<String>>, Query), ("since" = Option<String>, Query),
        ("before" = Option<String>, Query), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [NotificationThread]), (status = 401), (status = 422)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<NotificationThread>> {
    let f = list_filter(&params, me.id, None)?;
    page(&state, &me, &params, f).await
}

/// Mark the caller's threads read (or `to-status`): 205 with the threads changed.
#[utoipa::path(put, path = "/notifications", tag = "notification",
    params(("last_read_at" = Option<String>, Query), ("all" = Option<bool>, Query),
        ("status-types" = Option<Vec<String>>, Query), ("to-status" = Option<String>, Query)),
    responses((status = 205, body = [NotificationThread]), (status = 401), (status = 422)))]
pub async fn mark_notifications(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<(StatusCode, Json<Vec<NotificationThread>>)> {
    let (f, to) = mark_filter(&params, me.id, None)?;
    Ok((StatusCode::RESET_CONTENT, Json(notifications::mark(&state, &me, &f, to).await?)))
}

/// How many threads are unread.
#[utoipa::path(get, path = "/notifications/new", tag = "notification",
    responses((status = 200, body = NotificationCount), (status = 401)))]
pub async fn count_new(State(state): State<AppState>, TokenUser(me): TokenUser) -> ApiResult<Json<NotificationCount>> {
    Ok(Json(NotificationCount { new: notifications::count_unread(&state, &me).await? }))
}

#[utoipa::path(get, path = "/notifications/threads/{id}", tag = "notification",
    params(("id" = i64, Path)),
    responses((status = 200, body = NotificationThread), (status = 401), (status = 403), (status = 404)))]
pub async fn get_thread(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<NotificationThread>> {
    Ok(Json(notifications::thread(&state, &me, id).await?))
}

/// Mark one thread read (or `to-status`): 205 with it.
#[utoipa::path(patch, path = "/notifications/threads/{id}", tag = "notification",
    params(("id" = i64, Path), ("to-status" = Option<String>, Query)),
    responses((status = 205, body = NotificationThread), (status = 401), (status = 403), (status = 404)))]
pub async fn mark_thread(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<i64>,
    params: ListParams,
) -> ApiResult<(StatusCode, Json<NotificationThread>)> {
    let to = params.get("to-status").and_then(status_of).unwrap_or(store::READ);
    Ok((StatusCode::RESET_CONTENT, Json(notifications::set_thread(&state, &me, id, to).await?)))
}

/// The caller's threads in one repository.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/notifications", tag = "notification",
    params(("owner" = String, Path), ("repo" = String, Path), ("all" = Option<bool>, Query),
        ("status-types" = Option<Vec<String>>, Query), ("subject-type" = Option<Vec<String>>, Query),
        ("since" = Option<String>, Query), ("before" = Option<String>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [NotificationThread]), (status = 401), (status = 404), (status = 422)))]
pub async fn list_repo_notifications(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<NotificationThread>> {
    ctx.require(AccessMode::Read)?;
    let f = list_filter(&params, me.id, Some(ctx.repo.id))?;
    page(&state, &me, &params, f).await
}

/// Mark the caller's threads in one repository read: 205 with the threads changed.
#[utoipa::path(put, path = "/repos/{owner}/{repo}/notifications", tag = "notification",
    params(("owner" = String, Path), ("repo" = String, Path), ("last_read_at" = Option<String>, Query),
        ("all" = Option<bool>, Query), ("status-types" = Option<Vec<String>>, Query),
        ("to-status" = Option<String>, Query)),
    responses((status = 205, body = [NotificationThread]), (status = 401), (status = 404), (status = 422)))]
pub async fn mark_repo_notifications(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<(StatusCode, Json<Vec<NotificationThread>>)> {
    ctx.require(AccessMode::Read)?;
    let (f, to) = mark_filter(&params, me.id, Some(ctx.repo.id))?;
    Ok((StatusCode::RESET_CONTENT, Json(notifications::mark(&state, &me, &f, to).await?)))
}
