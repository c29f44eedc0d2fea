//! `POST /OWNER/REPO/action/{star,unstar,watch,unwatch}`: the buttons of the repository header,
//! through the same service as the API's star and watch routes.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_store::stars::Kind;

use super::RepoPage;
use crate::app::AppState;
use crate::service::stars;
use crate::web::page::WebError;

pub async fn act(
    State(state): State<AppState>,
    page: RepoPage,
    Path((owner, repo, action)): Path<(String, String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let me = page.viewer.signed_in()?;
    let (kind, on) = match action.as_str() {
        "star" => (Kind::Star, true),
        "unstar" => (Kind::Star, false),
        "watch" => (Kind::Watch, true),
        "unwatch" => (Kind::Watch, false),
        _ => return Err(WebError::NotFound),
    };
    stars::set(&state.db, kind, me, &page.ctx.repo, on).await?;
    Ok(Redirect::to(&back_to(&headers, &format!("/{owner}/{repo}"))).into_response())
}

/// Back to the page the form was on (its `Referer` path, when it is on this site).
fn back_to(headers: &axum::http::HeaderMap, default: &str) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| default.to_string())
}
