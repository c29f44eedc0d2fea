//! Site administration beyond Gogs' API (hearth's and Gitea's routes): the dashboard's counts, the
//! effective configuration, the login sources and the list of accounts. Site admins only: 401
//! without credentials, 403 for everyone else.

use crate::json::Json;
use axum::extract::State;
use serde_json::Value;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{ListParams, Paged, SignedInAdmin};
use crate::service::admin;
use crate::types::{AdminStats, LoginSource, User};

/// Counts of what the site holds, under the names of Gogs' admin dashboard.
#[utoipa::path(get, path = "/admin/stats", tag = "admin",
    responses((status = 200, body = AdminStats), (status = 401), (status = 403)))]
pub async fn get_stats(
    State(state): State<AppState>,
    SignedInAdmin(_admin): SignedInAdmin,
) -> ApiResult<Json<AdminStats>> {
    let counts = admin::counts(&state.db).await?;
    let sources = admin::login_sources(&state.db).await?.len() as i64;
    Ok(Json(AdminStats::new(&counts, sources)))
}

/// The configuration in effect, by `app.ini` section and key; secrets read `******`.
#[utoipa::path(get, path = "/admin/config", tag = "admin",
    responses((status = 200, body = Object), (status = 401), (status = 403)))]
pub async fn get_config(State(state): State<AppState>, SignedInAdmin(_admin): SignedInAdmin) -> Json<Value> {
    Json(admin::effective_config(&state.config, &state.links.external_url))
}

/// The authentication sources (Gogs' `LoginSource` shape): the local one only.
#[utoipa::path(get, path = "/admin/auths", tag = "admin",
    responses((status = 200, body = [LoginSource]), (status = 401), (status = 403)))]
pub async fn list_auths(
    State(state): State<AppState>,
    SignedInAdmin(_admin): SignedInAdmin,
) -> ApiResult<Json<Vec<LoginSource>>> {
    Ok(Json(admin::login_sources(&state.db).await?))
}

/// Every individual account, by name (Gitea's admin search): `login_name` (exact) and
/// `source_id` (when above 0) filter; 30 a page by default.
#[utoipa::path(get, path = "/admin/users", tag = "admin",
    params(("login_name" = Option<String>, Query), ("source_id" = Option<i64>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [User]), (status = 401), (status = 403)))]
pub async fn search_users(
    State(state): State<AppState>,
    SignedInAdmin(_admin): SignedInAdmin,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    let login_name = params.get("login_name").unwrap_or("").trim().to_string();
    let source_id = params.get("source_id").and_then(|v| v.trim().parse::<i64>().ok()).unwrap_or(0);
    let page = params.fixed(30);
    let (rows, total) = admin::search_users(&state.db, &login_name, source_id, page.limit, page.offset()).await?;
    let data = rows.iter().map(|u| User::new(&state.links, u, true)).collect();
    Ok(Paged::page(data, total, &params, page))
}
