//! Notices for site administrators (Gogs' admin notices, web-only there): list, delete one,
//! delete all. Site admins only: 401 without credentials, 403 for everyone else.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ListParams, Paged, SignedInAdmin};
use crate::service::notices;
use crate::types::Notice;

/// Notices, newest first, 25 a page (Gogs' admin page size).
#[utoipa::path(get, path = "/admin/notices", tag = "admin",
    params(("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Notice]), (status = 401), (status = 403)))]
pub async fn list_notices(
    State(state): State<AppState>,
    SignedInAdmin(_admin): SignedInAdmin,
    params: ListParams,
) -> ApiResult<Paged<Notice>> {
    let page = params.fixed(25);
    let (rows, total) = notices::list(&state.db, page.limit, page.offset()).await?;
    Ok(Paged::page(rows.iter().map(Notice::new).collect(), total, &params, page))
}

/// Delete every notice.
#[utoipa::path(delete, path = "/admin/notices", tag = "admin",
    responses((status = 204), (status = 401), (status = 403)))]
pub async fn delete_all_notices(
    State(state): State<AppState>,
    SignedInAdmin(_admin): SignedInAdmin,
) -> ApiResult<StatusCode> {
    notices::delete_all(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete one notice (404 when there is none).
#[utoipa::path(delete, path = "/admin/notices/{id}", tag = "admin",
    params(("id" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_notice(
    State(state): State<AppState>,
    SignedInAdmin(_admin): SignedInAdmin,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = id.trim().parse::<i64>().map_err(|_| ApiError::not_found())?;
    notices::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
