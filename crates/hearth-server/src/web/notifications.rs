//! `/notifications`: the viewer's unread (or read) threads, newest first, with "Mark as read" per
//! thread and "Mark all as read", through the service the API's `/notifications` routes run.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_store::notifications::{Filter, READ, UNREAD};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::home::Pager;
use super::page::{WebError, render, ser};
use super::session::{Viewer, redirect_with_flash};
use crate::app::AppState;
use crate::service::notifications;

const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    state: String,
    /// Kept as text: see [`page_number`](crate::web::home::page_number).
    page: String,
}

#[derive(Serialize)]
struct Item {
    id: i64,
    repo: String,
    title: String,
    link: String,
    kind: &'static str,
    state: String,
    updated_at: String,
}

/// An absolute page URL of this site as a site path (links stay on the host the viewer uses).
fn local(state: &AppState, url: &str) -> String {
    let base = state.links.external_url.trim_end_matches('/');
    match url.strip_prefix(base) {
        Some(rest) => super::session::site_path(state, rest),
        None => url.to_string(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let read = q.state == "read";
    let number = crate::web::home::page_number(&q.page);
    let f = Filter { user_id: me.id, statuses: vec![if read { READ } else { UNREAD }], ..Filter::default() };
    let (threads, total) = notifications::list(&state, &me, &f, PER_PAGE, (number - 1) * PER_PAGE).await?;
    let items: Vec<Item> = threads
        .into_iter()
        .map(|t| {
            let link = if t.subject.latest_comment_html_url.is_empty() {
                &t.subject.html_url
            } else {
                &t.subject.latest_comment_html_url
            };
            Item {
                id: t.id,
                link: local(&state, link),
                repo: t.repository.full_name.clone(),
                title: t.subject.title,
                kind: if t.subject.kind == "Pull" { "Pull request" } else { "Issue" },
                state: t.subject.state,
                updated_at: t.updated_at,
            }
        })
        .collect();
    render(
        &viewer,
        "notifications.html",
        context! { items => ser(&items), read, pager => ser(&Pager::new(number, PER_PAGE, total)) },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BackForm {
    state: String,
}

fn back(form: &BackForm) -> &'static str {
    if form.state == "read" { "/notifications?state=read" } else { "/notifications" }
}

/// `POST /notifications/{id}/read` (and `/unread` from the read list).
pub async fn set_one(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, to)): Path<(String, String)>,
    Form(form): Form<BackForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let (status, message) = match to.as_str() {
        "read" => (READ, "Marked as read."),
        "unread" => (UNREAD, "Marked as unread."),
        _ => return Err(WebError::NotFound),
    };
    // Another user's thread is a 404 here (the API's 403 would tell it exists).
    notifications::set_thread(&state, &me, id, status).await.map_err(|_| WebError::NotFound)?;
    Ok(redirect_with_flash(&state, back(&form), message))
}

pub async fn read_all(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let f = Filter { user_id: me.id, statuses: vec![UNREAD], ..Filter::default() };
    notifications::mark(&state, &me, &f, READ).await?;
    Ok(redirect_with_flash(&state, "/notifications", "All notifications have been marked as read."))
}
