//! The API's own documentation: the OpenAPI document at `/swagger.v1.json` and Swagger UI (served
//! from the vendored copy, so it works offline) at `/api/swagger`, answered directly rather than
//! through a redirect to `/api/swagger/` so that a link checker or `curl` without `-L` sees the
//! page; Gitea's `/api/v1/swagger` redirects to it.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::Config;

const DOCUMENT: &str = "/swagger.v1.json";

#[derive(Clone)]
struct Docs {
    /// The document, serialized once.
    openapi: Arc<Vec<u8>>,
    ui: Arc<Config<'static>>,
}

pub fn routes<S: Clone + Send + Sync + 'static>(openapi: OpenApi) -> Router<S> {
    let serialized = serde_json::to_vec(&openapi).expect("the OpenAPI document serializes");
    let docs = Docs { openapi: Arc::new(serialized), ui: Arc::new(Config::from(DOCUMENT)) };
    Router::new()
        .route(DOCUMENT, get(document))
        // Relative asset links must resolve under `/api/swagger/` from either address.
        .route("/api/swagger", get(|s: State<Docs>| async move { index(&s, "swagger/") }))
        .route("/api/swagger/", get(|s: State<Docs>| async move { index(&s, "./") }))
        .route("/api/swagger/{*file}", get(asset))
        .with_state(docs)
}

/// Gitea's address for the same page.
pub async fn gitea_redirect() -> Redirect {
    Redirect::to("/api/swagger")
}

async fn document(State(docs): State<Docs>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], docs.openapi.as_ref().clone()).into_response()
}

fn index(docs: &Docs, base: &str) -> Response {
    match file(docs, "index.html") {
        Some((_, bytes)) => {
            let html = String::from_utf8_lossy(&bytes).replacen("<head>", &format!("<head><base href=\"{base}\">"), 1);
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn asset(State(docs): State<Docs>, Path(name): Path<String>) -> Response {
    match file(&docs, &name) {
        Some((content_type, bytes)) => ([(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn file(docs: &Docs, name: &str) -> Option<(String, Vec<u8>)> {
    match utoipa_swagger_ui::serve(name, docs.ui.clone()) {
        Ok(Some(f)) => Some((f.content_type, f.bytes.into_owned())),
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "swagger ui");
            None
        }
    }
}
