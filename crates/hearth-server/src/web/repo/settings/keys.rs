//! `/OWNER/REPO/settings/keys`: the repository's deploy keys, read-only unless write access is
//! allowed, through the service of the API's deploy-key routes.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use hearth_store::{Window, deploy_keys as key_store};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminRepo, refused, ticked};
use crate::app::AppState;
use crate::service::deploy_keys;
use crate::web::page::{WebError, ser};
use crate::web::session::redirect_with_flash;

const TEMPLATE: &str = "repo/settings/keys.html";

#[derive(Serialize)]
struct Item {
    id: i64,
    title: String,
    fingerprint: String,
    read_only: bool,
    created_unix: i64,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct KeyForm {
    title: String,
    content: String,
    allow_write: Option<String>,
}

async fn render(
    state: &AppState,
    page: &AdminRepo,
    form: &KeyForm,
    error: Option<(&str, String)>,
) -> Result<Response, WebError> {
    let rows = {
        let mut h = state.db.acquire().await?;
        key_store::list(h.conn(), page.0.ctx.repo.id, Window::ALL).await?.0
    };
    let keys: Vec<Item> = rows
        .into_iter()
        .map(|k| Item {
            id: k.id,
            title: k.name,
            fingerprint: k.fingerprint,
            read_only: k.read_only,
            created_unix: k.created_unix,
        })
        .collect();
    let ctx = context! { keys => ser(&keys), form => ser(form) };
    match error {
        Some((field, message)) => page.invalid(state, TEMPLATE, "keys", ctx, field, message).await,
        None => page.render(state, TEMPLATE, "keys", ctx).await,
    }
}

pub async fn show(State(state): State<AppState>, page: AdminRepo) -> Result<Response, WebError> {
    render(&state, &page, &KeyForm::default(), None).await
}

pub async fn add(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<KeyForm>,
) -> Result<Response, WebError> {
    let title = form.title.trim();
    // The API's limits (CreateKeyOption).
    if title.is_empty() || title.chars().count() > 255 {
        let message = "Title is required (at most 255 characters).".to_string();
        return render(&state, &page, &form, Some(("title", message))).await;
    }
    let key = form.content.trim();
    if key.is_empty() || key.len() > 16 * 1024 {
        let message = "Key is required (at most 16 KiB).".to_string();
        return render(&state, &page, &form, Some(("content", message))).await;
    }
    match deploy_keys::add(&state.db, &page.0.ctx.repo, title, key, !ticked(&form.allow_write)).await {
        Ok(_) => Ok(redirect_with_flash(&state, &page.path("/settings/keys"), "The deploy key has been added.")),
        Err(e) => {
            let message = refused(e)?;
            let field = if message.contains("title") { "title" } else { "content" };
            render(&state, &page, &form, Some((field, message))).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IdForm {
    /// Text, so that a garbled id is "not found" rather than axum's plain-text rejection.
    id: String,
}

pub async fn delete(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<IdForm>,
) -> Result<Response, WebError> {
    let id: i64 = form.id.trim().parse().map_err(|_| WebError::NotFound)?;
    let key = {
        let mut h = state.db.acquire().await?;
        key_store::get(h.conn(), page.0.ctx.repo.id, id).await?.ok_or(WebError::NotFound)?
    };
    deploy_keys::delete(&state.db, &key).await?;
    Ok(redirect_with_flash(&state, &page.path("/settings/keys"), "The deploy key has been deleted."))
}
