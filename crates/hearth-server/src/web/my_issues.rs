//! `/issues` and `/pulls`: the signed-in user's issues or pull requests across the repositories
//! they can read — created by them (the default), assigned to them, or mentioning them.

use axum::extract::{Query, State};
use axum::response::Response;
use hearth_store::Window;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::home::Pager;
use super::page::{WebError, render, ser};
use super::session::Viewer;
use crate::app::AppState;
use crate::service::issue_lists::{Involvement, dashboard, dashboard_counts};

const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashQuery {
    #[serde(rename = "type")]
    kind: String,
    state: String,
    /// Kept as text: see [`page_number`](crate::web::home::page_number).
    page: String,
}

#[derive(Serialize)]
struct Row {
    repo: String,
    index: i64,
    title: String,
    comments: i64,
    created_unix: i64,
}

pub async fn issues(state: State<AppState>, viewer: Viewer, q: Query<DashQuery>) -> Result<Response, WebError> {
    list(state, viewer, q, false).await
}

pub async fn pulls(state: State<AppState>, viewer: Viewer, q: Query<DashQuery>) -> Result<Response, WebError> {
    list(state, viewer, q, true).await
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<DashQuery>,
    pulls: bool,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let (involvement, kind) = match q.kind.as_str() {
        "assigned" => (Involvement::Assigned, "assigned"),
        "mentioned" => (Involvement::Mentioned, "mentioned"),
        _ => (Involvement::CreatedBy, "created_by"),
    };
    let closed = q.state == "closed";
    let number = crate::web::home::page_number(&q.page);
    let w = Window { limit: PER_PAGE, offset: (number - 1) * PER_PAGE };
    let (rows, total) = dashboard(&state, &me, involvement, pulls, closed, w).await?;
    let (open_total, closed_total) = dashboard_counts(&state, &me, involvement, pulls).await?;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row {
            repo: format!("{}/{}", r.owner, r.repo),
            index: r.issue.idx,
            title: r.issue.title,
            comments: r.issue.num_comments,
            created_unix: r.issue.created_unix,
        })
        .collect();
    render(
        &viewer,
        "my_issues.html",
        context! {
            pulls, kind, closed, open_total, closed_total,
            rows => ser(&rows),
            pager => ser(&Pager::new(number, PER_PAGE, total)),
        },
    )
}
