//! The whole HTTP surface: the API routes, Swagger, and the middleware every response passes.

use std::time::Instant;

use axum::Router;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
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
        // One layer (a layer costs an allocation and a copy of the future per request):
        // buffer_body → auth::identify → auth::enforce_scopes.
        .layer(middleware::from_fn_with_state(state.clone(), buffer_body));

    let mut app = Router::new()
        .nest("/api/v1", api_routes)
        .merge(crate::swagger::routes(openapi))
        .merge(crate::git_http::routes())
        .merge(crate::web::oauth2::provider_routes())
        .merge(crate::lfs::routes())
        .merge(crate::lfs_locks::routes())
        .merge(crate::ops::routes())
        .merge(crate::web::routes(state.clone()));
    // The route template is only wanted by the metrics.
    if state.metrics.is_some() {
        app = app.route_layer(middleware::from_fn(mark_route));
    }
    let mut app = app
        .fallback(crate::web::fallback)
        .method_not_allowed_fallback(crate::web::fallback)
        .with_state(state.clone())
        // log_request → web::viewer, and the fixed headers, in one layer.
        .layer(middleware::from_fn_with_state(state.clone(), log_request));
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
                "Content-Type, Access-Control-Allow-Headers, Authorization, X-Requested-With, Sudo, X-Gitea-OTP, X-Forgejo-OTP",
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
        return auth::identify(State(state), req, next).await;
    }
    let (parts, body) = req.into_parts();
    match crate::extract::read_limited(body, state.config.server.max_body_bytes).await {
        Ok(bytes) => {
            let req = Request::from_parts(parts, axum::body::Body::from(bytes));
            auth::identify(State(state), req, next).await
        }
        Err(e) => e.into_response(),
    }
}

async fn not_found() -> Response {
    ApiError::Status(StatusCode::NOT_FOUND).into_response()
}

/// The route template a request matched, left on its response for the metrics.
#[derive(Clone)]
struct RouteTemplate(MatchedPath);

async fn mark_route(req: Request, next: Next) -> Response {
    // (A `MatchedPath` is a shared string: cloning it does not copy.)
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut resp = next.run(req).await;
    if let Some(route) = route
        && resp.extensions().get::<RouteTemplate>().is_none()
    {
        resp.extensions_mut().insert(RouteTemplate(route));
    }
    resp
}

/// One log line per request at info level (target `hearth::request`): method, path with secret
/// query values removed, status, duration, the authenticated user and the client address; and the
/// request metrics. The client address it decides on ([`auth::real_ip`]) is the one used after it.
async fn log_request(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    state.activity.request();
    let method = req.method().clone();
    // Formatting the line costs allocations on every request: only when it is written.
    let logged = tracing::enabled!(target: "hearth::request", tracing::Level::INFO);
    let path = if logged { redacted_path(req.uri()) } else { String::new() };
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| auth::real_ip(peer.ip(), req.headers(), &state.config.auth.trusted_proxies));
    if let Some(ip) = ip {
        req.extensions_mut().insert(auth::ClientIp(ip));
    }
    let started = Instant::now();
    let mut resp = crate::web::viewer(State(state.clone()), req, next).await;
    let elapsed = started.elapsed();
    let headers = resp.headers_mut();
    // Gogs' JSON responses name their charset; axum's `Json` does not.
    if headers.get(header::CONTENT_TYPE).is_some_and(|v| v == "application/json") {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("deny"));
    let status = resp.status().as_u16();
    if let Some(m) = &state.metrics {
        let route = resp.extensions().get::<RouteTemplate>().map_or(crate::metrics::UNMATCHED, |r| r.0.as_str());
        m.http_request(method.as_str(), route, status, elapsed.as_secs_f64());
    }
    if !logged {
        return resp;
    }
    let user = resp.extensions().get::<auth::RequestUser>().map(|u| u.0.as_str()).unwrap_or("-");
    let ip = ip.map_or_else(|| "-".to_string(), |ip| ip.to_string());
    tracing::info!(
        target: "hearth::request",
        %method,
        %path,
        status,
        duration_ms = (elapsed.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
        user,
        ip,
        "request"
    );
    resp
}

/// Query parameters whose values never reach a log.
const SECRET_PARAMS: [&str; 4] = ["token", "access_token", "password", "passwd"];

/// The path and query, with the values of secret query parameters replaced by `REDACTED`.
fn redacted_path(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let Some(query) = uri.query() else { return path.to_string() };
    let kept: Vec<String> = query
        .split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or_default();
            let decoded = percent_encoding::percent_decode_str(key).decode_utf8_lossy().to_lowercase();
            if SECRET_PARAMS.contains(&decoded.as_str()) { format!("{key}=REDACTED") } else { pair.to_string() }
        })
        .collect();
    format!("{path}?{}", kept.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_query_values_are_redacted() {
        let uri: axum::http::Uri = "/api/v1/user?token=abc&page=2&Access_Token=x&%70assword=y".parse().unwrap();
        assert_eq!(redacted_path(&uri), "/api/v1/user?token=REDACTED&page=2&Access_Token=REDACTED&%70assword=REDACTED");
        let uri: axum::http::Uri = "/healthcheck".parse().unwrap();
        assert_eq!(redacted_path(&uri), "/healthcheck");
    }
}
