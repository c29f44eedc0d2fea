//! `/OWNER/REPO/issues/new`: the new-issue form (writers also pick labels, milestone and assignee),
//! a Markdown preview without JavaScript (the "Preview" button renders the form again), and the
//! creation through the service the API's `POST …/issues` runs.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hearth_store::{Window, collaborations, labels, milestones};
use minijinja::{Value, context};

use super::super::RepoPage;
use super::{form_ids, form_pairs, form_value, markdown};
use crate::app::AppState;
use crate::service::ServiceError;
use crate::service::issues::{self, CreateIssue};
use crate::web::account::sentence;
use crate::web::page::{WebError, render_status, ser};
use crate::web::session::redirect_with_flash;

/// What the form shows: submitted values, an error for one field, a preview.
#[derive(Default)]
struct Draft {
    title: String,
    content: String,
    labels: Vec<i64>,
    milestone: i64,
    assignee: String,
    error: Option<(&'static str, String)>,
    preview: Option<Value>,
}

pub async fn form(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    page.tracker_on()?;
    page.viewer.signed_in()?;
    show(&state, &page, StatusCode::OK, Draft::default()).await
}

async fn show(state: &AppState, page: &RepoPage, status: StatusCode, d: Draft) -> Result<Response, WebError> {
    let (all_labels, all_ms, assignable) = if page.writer() {
        let mut h = state.db.acquire().await?;
        let (l, _) = labels::list(h.conn(), page.ctx.repo.id, Window::ALL).await?;
        let (m, _) = milestones::list(h.conn(), page.ctx.repo.id, true, false, Window::ALL).await?;
        let a = collaborations::assignable(h.conn(), page.ctx.repo.id, page.ctx.repo.owner_id).await?;
        (l, m, a)
    } else {
        Default::default()
    };
    let (field, error) = match d.error {
        Some((f, e)) => (Some(f), Some(e)),
        None => (None, None),
    };
    render_status(
        &page.viewer,
        status,
        "repo/issues/new.html",
        context! {
            repo => page.header(state, "issues").await?,
            writer => page.writer(),
            form => context! { title => d.title, content => d.content, labels => d.labels, milestone => d.milestone, assignee => d.assignee },
            errors => field.map(|f| Value::from_pairs([(f, error.clone().unwrap_or_default())])),
            error,
            preview => d.preview,
            all_labels => ser(&all_labels.iter().map(|l| (l.id, l.name.clone())).collect::<Vec<_>>()),
            all_milestones => ser(&all_ms.iter().map(|m| (m.id, m.name.clone())).collect::<Vec<_>>()),
            assignable => ser(&assignable.iter().map(|u| u.name.clone()).collect::<Vec<_>>()),
        },
    )
}

pub async fn create(State(state): State<AppState>, page: RepoPage, body: Bytes) -> Result<Response, WebError> {
    page.tracker_on()?;
    let me = page.viewer.signed_in()?.clone();
    let pairs = form_pairs(&body);
    let mut d = Draft {
        title: form_value(&pairs, "title").to_string(),
        content: form_value(&pairs, "content").to_string(),
        labels: form_ids(&pairs, "label"),
        milestone: form_value(&pairs, "milestone").parse().unwrap_or(0),
        assignee: form_value(&pairs, "assignee").to_string(),
        ..Draft::default()
    };
    if form_value(&pairs, "action") == "preview" {
        d.preview = markdown(&state, &page, &[&d.content]).await?.pop();
        return show(&state, &page, StatusCode::OK, d).await;
    }
    if d.title.trim().is_empty() {
        d.error = Some(("title", "Title is required.".into()));
        return show(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, d).await;
    }
    if d.title.chars().count() > 255 {
        d.error = Some(("title", "Title must be at most 255 characters.".into()));
        return show(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, d).await;
    }
    let opt = CreateIssue {
        title: d.title.clone(),
        body: d.content.clone(),
        assignee: d.assignee.clone(),
        milestone: d.milestone,
        labels: d.labels.clone(),
        closed: false,
    };
    match issues::create(&state, &page.tracker(&me), &opt).await {
        Ok(issue) => Ok(redirect_with_flash(
            &state,
            &format!("{}/issues/{}", page.path(), issue.idx),
            &format!("Issue #{} has been created.", issue.idx),
        )),
        Err(ServiceError::Invalid(msg)) => {
            d.error = Some(("assignee", sentence(&msg)));
            show(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, d).await
        }
        Err(e) => Err(e.into()),
    }
}
