//! Issue label sets (Gitea's routes): the names `issue_labels` on repository creation accepts and
//! their labels, from the same list (`service::templates`). Anyone may read them.

use crate::json::Json;
use axum::extract::Path;

use crate::error::{ApiError, ApiResult};
use crate::service::templates;
use crate::types::LabelTemplate;

/// The label set names, sorted.
#[utoipa::path(get, path = "/label/templates", tag = "misc",
    responses((status = 200, body = [String])))]
pub async fn list_label_templates() -> Json<Vec<&'static str>> {
    Json(templates::label_set_names().collect())
}

/// The labels of one set, in the set's order (404 for an unknown name).
#[utoipa::path(get, path = "/label/templates/{name}", tag = "misc",
    params(("name" = String, Path)),
    responses((status = 200, body = [LabelTemplate]), (status = 404)))]
pub async fn get_label_template(Path(name): Path<String>) -> ApiResult<Json<Vec<LabelTemplate>>> {
    if !templates::label_set_names().any(|n| n == name) {
        return Err(ApiError::not_found());
    }
    let labels = templates::label_set(&name)?
        .into_iter()
        .map(|l| LabelTemplate {
            color: l.color.trim_start_matches('#').to_string(),
            name: l.name,
            exclusive: l.exclusive,
            description: l.description,
        })
        .collect();
    Ok(Json(labels))
}
