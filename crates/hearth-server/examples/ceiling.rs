//! The ceiling for `scripts/bench-hot-path.sh`: the same HTTP stack as hearth (tokio, hyper,
//! axum) answering a repository-sized JSON document from memory, with nothing else to do. A
//! route of hearth's that reaches a large fraction of this is bound by HTTP, not by its own work.
//! Usage: ceiling PORT

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// A `GET /repos/:o/:r` answer's size and shape, fixed.
const BODY: &str = r#"{"id":1,"owner":{"id":1,"login":"bench","full_name":"","email":"bench@example.com","avatar_url":"http://127.0.0.1:3000/avatars/1","username":"bench"},"name":"big","full_name":"bench/big","description":"","private":false,"fork":false,"parent":null,"empty":false,"mirror":false,"size":1024,"html_url":"http://127.0.0.1:3000/bench/big","ssh_url":"git@127.0.0.1:bench/big.git","clone_url":"http://127.0.0.1:3000/bench/big.git","website":"","stars_count":0,"forks_count":0,"watchers_count":1,"open_issues_count":0,"default_branch":"master","created_at":"2026-12-04T12:00:00Z","updated_at":"2026-12-04T12:00:00Z","permissions":{"admin":true,"push":true,"pull":true}}"#;

async fn repo() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], BODY)
}

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args().nth(1).and_then(|p| p.parse().ok()).expect("usage: ceiling PORT");
    let app = Router::new().route("/api/v1/repos/{owner}/{repo}", get(repo)).route("/api/v1/users/{user}", get(repo));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}
