//! The whole HTTP surface: the API routes, Swagger, and the middleware every response passes.

use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::api;
use crate::app::AppState;
use crate::error::{ApiError, internal_error_response};
use crate::extract::auth;

pub fn build(state: AppState) -> Router {
    let (api_routes, openapi) = api::v1::router().split_for_parts();
    let api_routes = api_routes
        .route("/swagger", axum::routing::get(crate::swagger::gitea_redirect))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn(auth::enforce_scopes))
        .layer(middleware::from_fn_with_state(state.clone(), auth::identify))
        .layer(middleware::from_fn_with_state(state.clone(), buffer_body));

    let mut app = Router::new()
        .nest("/api/v1", api_routes)
        .merge(crate::swagger::routes(openapi))
        .merge(crate::git_http::routes())
        .merge(crate::ops::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(state.clone())
        .layer(middleware::from_fn(log_request))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("deny"),
        ));
    let origin = state.config.http.access_control_allow_origin.trim();
    if !origin.is_empty()
        && let Ok(origin) = HeaderValue::from_str(origin)
    {
        app = with_cors(app, origin);
    }
    app.layer(CatchPanicLayer::custom(|_| internal_error_response()))
}

/// Gogs' fixed CORS headers on every response, plus the methods and exposed headers browsers need.
fn with_cors(app: Router, origin: HeaderValue) -> Router {
    let fixed = [
        ("access-control-allow-origin", origin),
        ("access-control-allow-credentials", HeaderValue::from_static("true")),
        ("access-control-max-age", HeaderValue::from_static("3600")),
        (
            "access-control-allow-headers",
            HeaderValue::from_static(
                "Content-Type, Access-Control-Allow-Headers, Authorization, X-Requested-With, Sudo",
            ),
        ),
        ("access-control-allow-methods", HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS")),
        ("access-control-expose-headers", HeaderValue::from_static("Link, X-Total-Count")),
    ];
    fixed.into_iter().fold(app, |app, (name, value)| {
        app.layer(SetResponseHeaderLayer::overriding(HeaderName::from_static(name), value))
    })
}

/// Read an API request's body before anything can reject the request: a guard answering 401/403
/// without reading the body would otherwise make hyper drop the keep-alive connection (without a
/// `Connection: close`), and a client reusing it fails. API bodies are small and read whole anyway.
async fn buffer_body(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let has_body = req.headers().contains_key(header::TRANSFER_ENCODING)
        || req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.trim() != "0");
    if !has_body {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match crate::extract::read_limited(body, state.config.server.max_body_bytes).await {
        Ok(bytes) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        Err(e) => e.into_response(),
    }
}

async fn not_found() -> Response {
    ApiError::Status(StatusCode::NOT_FOUND).into_response()
}

/// One log line per request: method, path (never the query, which may hold a token), status, time.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let mut resp = next.run(req).await;
    // Gogs' JSON responses name their charset; axum's `Json` does not.
    if resp.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/json") {
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
    }
    tracing::debug!(%method, %path, status = resp.status().as_u16(), elapsed_us = started.elapsed().as_micros() as u64, "request");
    resp
}
