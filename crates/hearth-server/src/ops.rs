//! Operations endpoints outside the API: health checks (and, when enabled, metrics).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use crate::app::AppState;
use crate::service::health;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthcheck", get(healthcheck)).route("/api/healthz", get(healthcheck))
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
