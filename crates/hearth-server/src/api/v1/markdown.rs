//! `POST /markdown` and `POST /markdown/raw`: GFM rendered to sanitized HTML.

use axum::extract::{Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::Body;
use crate::extract::body::read_limited;

/// B25. MarkdownOption (`mode` is accepted and ignored, as Gogs).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MarkdownOption {
    pub text: String,
    pub context: String,
    pub mode: String,
}

fn html(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=UTF-8")], body).into_response()
}

async fn render(text: String, context: Option<String>) -> ApiResult<Response> {
    // Rendering is CPU work proportional to the input: keep it off the async workers.
    let out = tokio::task::spawn_blocking(move || hearth_markup::render(&text, context.as_deref()))
        .await
        .map_err(anyhow::Error::from)?;
    Ok(html(out))
}

#[utoipa::path(post, path = "/markdown", tag = "misc",
    request_body = MarkdownOption,
    responses((status = 200, content_type = "text/html", body = String), (status = 415)))]
pub async fn render_markdown(Body(opt): Body<MarkdownOption>) -> ApiResult<Response> {
    render(opt.text, Some(opt.context)).await
}

/// The request body itself is the Markdown (any Content-Type).
#[utoipa::path(post, path = "/markdown/raw", tag = "misc",
    request_body(content = String, content_type = "text/plain"),
    responses((status = 200, content_type = "text/html", body = String), (status = 413)))]
pub async fn render_markdown_raw(State(state): State<AppState>, req: Request) -> ApiResult<Response> {
    let bytes = read_limited(req.into_body(), state.config.server.max_body_bytes).await?;
    render(String::from_utf8_lossy(&bytes).into_owned(), None).await
}
