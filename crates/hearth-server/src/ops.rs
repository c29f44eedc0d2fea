//! Operations endpoints outside the API: health checks and, when enabled, metrics.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use subtle::ConstantTimeEq;

use crate::app::AppState;
use crate::error::ApiError;
use crate::service::health;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthcheck", get(healthcheck))
        .route("/api/healthz", get(healthcheck))
        .route("/metrics", get(metrics))
}

/// `GET /metrics`: Prometheus text, when `[metrics] ENABLED` (404 otherwise); with `[metrics]
/// TOKEN` set, only for `Authorization: Bearer TOKEN` (401 otherwise).
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(metrics) = &state.metrics else { return ApiError::Status(StatusCode::NOT_FOUND).into_response() };
    let token = state.config.metrics.token.as_bytes();
    if !token.is_empty() {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(token)) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer"), (header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Unauthorized\n",
            )
                .into_response();
        }
    }
    let text = metrics.render(&state.db).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// Gitea's health document (draft-inadarei-api-health-check).
#[derive(Serialize)]
struct Health {
    status: &'static str,
    description: &'static str,
    checks: std::collections::BTreeMap<&'static str, Vec<Component>>,
}

#[derive(Serialize)]
struct Component {
    status: &'static str,
    time: String,
}

fn word(pass: bool) -> &'static str {
    if pass { "pass" } else { "fail" }
}

/// `GET /healthcheck` (Gogs) and `GET /api/healthz` (Gitea): 200 with `"status": "pass"` when the
/// database answers, 503 with `"status": "fail"` when it does not (the reason is logged, not
/// shown). No authentication.
async fn healthcheck(State(state): State<AppState>) -> Response {
    let db = health::check_database(&state).await;
    let pass = db.pass;
    let body = Health {
        status: word(pass),
        description: "hearth: a painless self-hosted Git service",
        checks: [("database:ping", vec![Component { status: word(db.pass), time: db.time }])].into_iter().collect(),
    };
    let status = if pass { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body)).into_response()
}
