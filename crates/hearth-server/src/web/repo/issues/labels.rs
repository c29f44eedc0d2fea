//! `/OWNER/REPO/labels`: the repository's labels with their open-issue counts; writers create,
//! edit and delete them, or start from the default set, through `service::labels`.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hearth_store::{Window, labels as label_store};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::super::RepoPage;
use super::Num;
use crate::app::AppState;
use crate::service::{ServiceError, labels};
use crate::web::account::sentence;
use crate::web::page::{WebError, render_status, ser};
use crate::web::session::redirect_with_flash;

#[derive(Serialize)]
struct Item {
    id: i64,
    name: String,
    color: String,
    open: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LabelForm {
    name: String,
    color: String,
}

pub async fn list(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    page.tracker_on()?;
    show(&state, &page, StatusCode::OK, None, LabelForm::default()).await
}

/// The page; `error` and `form` belong to a refused create or edit (`error.0` is the label id,
/// 0 for the create form).
async fn show(
    state: &AppState,
    page: &RepoPage,
    status: StatusCode,
    error: Option<(i64, String)>,
    form: LabelForm,
) -> Result<Response, WebError> {
    let (rows, counts) = {
        let mut h = state.db.acquire().await?;
        let (rows, _) = label_store::list(h.conn(), page.ctx.repo.id, Window::ALL).await?;
        let counts: HashMap<i64, i64> =
            label_store::open_issue_counts(h.conn(), page.ctx.repo.id).await?.into_iter().collect();
        (rows, counts)
    };
    let items: Vec<Item> = rows
        .into_iter()
        .map(|l| Item { open: counts.get(&l.id).copied().unwrap_or(0), id: l.id, name: l.name, color: l.color })
        .collect();
    let (error_for, error) = match error {
        Some((id, e)) => (Some(id), Some(e)),
        None => (None, None),
    };
    render_status(
        &page.viewer,
        status,
        "repo/issues/labels.html",
        context! {
            repo => page.header(state, "issues").await?,
            labels => ser(&items),
            writer => page.writer(),
            error_for, error,
            form => context! { name => form.name, color => if form.color.is_empty() { "#e11d21".to_string() } else { form.color } },
        },
    )
}

/// Writers only; anyone else gets the 404 of a page that offers them nothing.
fn writer(page: &RepoPage) -> Result<(), WebError> {
    page.tracker_on()?;
    page.viewer.signed_in()?;
    if page.writer() { Ok(()) } else { Err(WebError::NotFound) }
}

fn check(form: &LabelForm) -> Result<(), String> {
    if form.name.trim().is_empty() {
        return Err("Label name is required.".into());
    }
    labels::check_color(form.color.trim()).map_err(|_| "Color must be # and six hex digits, like #e11d21.".into())
}

async fn done(state: &AppState, page: &RepoPage, message: &str) -> Result<Response, WebError> {
    Ok(redirect_with_flash(state, &format!("{}/labels", page.path()), message))
}

async fn again(state: &AppState, page: &RepoPage, id: i64, e: String, form: LabelForm) -> Result<Response, WebError> {
    show(state, page, StatusCode::UNPROCESSABLE_ENTITY, Some((id, e)), form).await
}

pub async fn create(
    State(state): State<AppState>,
    page: RepoPage,
    Form(form): Form<LabelForm>,
) -> Result<Response, WebError> {
    writer(&page)?;
    if let Err(e) = check(&form) {
        return again(&state, &page, 0, e, form).await;
    }
    match labels::create_label(&state, page.ctx.repo.id, form.name.trim(), form.color.trim()).await {
        Ok(_) => done(&state, &page, "The label has been created.").await,
        Err(ServiceError::Invalid(m)) => again(&state, &page, 0, sentence(&m), form).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    page: RepoPage,
    Num(id): Num,
    Form(form): Form<LabelForm>,
) -> Result<Response, WebError> {
    writer(&page)?;
    let label = {
        let mut h = state.db.acquire().await?;
        label_store::get(h.conn(), page.ctx.repo.id, id).await?.ok_or(WebError::NotFound)?
    };
    if let Err(e) = check(&form) {
        return again(&state, &page, id, e, LabelForm::default()).await;
    }
    labels::edit_label(&state, &label, Some(form.name.trim()), Some(form.color.trim())).await?;
    done(&state, &page, "The label has been saved.").await
}

pub async fn delete(State(state): State<AppState>, page: RepoPage, Num(id): Num) -> Result<Response, WebError> {
    writer(&page)?;
    {
        let mut h = state.db.acquire().await?;
        label_store::get(h.conn(), page.ctx.repo.id, id).await?.ok_or(WebError::NotFound)?;
    }
    labels::delete_label(&state, page.ctx.repo.id, id).await?;
    done(&state, &page, "The label has been deleted.").await
}

/// "Use default labels": the `Default` set, offered while the repository has none.
pub async fn initialize(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    writer(&page)?;
    let empty = {
        let mut h = state.db.acquire().await?;
        label_store::list(h.conn(), page.ctx.repo.id, Window { limit: 1, offset: 0 }).await?.1 == 0
    };
    if empty {
        labels::add_label_set(&state, page.ctx.repo.id, "Default").await?;
    }
    done(&state, &page, "The default labels have been added.").await
}
