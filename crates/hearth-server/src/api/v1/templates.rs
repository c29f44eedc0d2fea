//! Repository templates (Gitea's routes): the `.gitignore` templates and licences that repository
//! creation accepts, from the same lists (`service::templates`). Anyone may read them.

use crate::json::Json;
use axum::extract::{Path, State};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::service::templates;
use crate::types::{GitignoreTemplateInfo, LicenseTemplateInfo, LicensesTemplateListEntry};

#[utoipa::path(get, path = "/gitignore/templates", tag = "misc",
    responses((status = 200, body = [String])))]
pub async fn list_gitignore_templates() -> Json<Vec<&'static str>> {
    Json(templates::gitignore_names())
}

#[utoipa::path(get, path = "/gitignore/templates/{name}", tag = "misc",
    params(("name" = String, Path)),
    responses((status = 200, body = GitignoreTemplateInfo), (status = 404)))]
pub async fn get_gitignore_template(Path(name): Path<String>) -> ApiResult<Json<GitignoreTemplateInfo>> {
    let source = templates::gitignore_template(&name).ok_or_else(ApiError::not_found)?;
    Ok(Json(GitignoreTemplateInfo { name, source: source.to_string() }))
}

fn license_url(state: &AppState, name: &str) -> String {
    format!("{}/licenses/{}", state.links.api_url, utf8_percent_encode(name, NON_ALPHANUMERIC))
}

#[utoipa::path(get, path = "/licenses", tag = "misc",
    responses((status = 200, body = [LicensesTemplateListEntry])))]
pub async fn list_license_templates(State(state): State<AppState>) -> Json<Vec<LicensesTemplateListEntry>> {
    let list = templates::license_names()
        .map(|name| LicensesTemplateListEntry {
            key: name.to_string(),
            name: name.to_string(),
            url: license_url(&state, name),
        })
        .collect();
    Json(list)
}

#[utoipa::path(get, path = "/licenses/{name}", tag = "misc",
    params(("name" = String, Path)),
    responses((status = 200, body = LicenseTemplateInfo), (status = 404)))]
pub async fn get_license_template(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<LicenseTemplateInfo>> {
    let body = templates::license(&name).map_err(|_| ApiError::not_found())?;
    Ok(Json(LicenseTemplateInfo {
        key: name.clone(),
        url: license_url(&state, &name),
        name,
        body,
        implementation: String::new(),
    }))
}
