//! `/OWNER/REPO/settings/collaboration`: who collaborates with which access; new collaborators get
//! write access (as Gogs), through the service of the API's collaborator routes.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{Window, collaborations};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminRepo, refused};
use crate::app::AppState;
use crate::service::access::AccessMode;
use crate::service::collaborators;
use crate::web::page::{WebError, ser};
use crate::web::session::redirect_with_flash;

const TEMPLATE: &str = "repo/settings/collaboration.html";

#[derive(Serialize)]
struct Item {
    id: i64,
    name: String,
    mode: &'static str,
}

async fn list(state: &AppState, page: &AdminRepo) -> Result<Vec<Item>, WebError> {
    let mut h = state.db.acquire().await?;
    let (rows, _) = collaborations::list(h.conn(), page.0.ctx.repo.id, Window::ALL).await?;
    Ok(rows.into_iter().map(|c| Item { id: c.user.id, name: c.user.name, mode: c.mode.name() }).collect())
}

async fn render(
    state: &AppState,
    page: &AdminRepo,
    username: &str,
    error: Option<(&str, String)>,
) -> Result<Response, WebError> {
    let ctx = context! { collaborators => ser(&list(state, page).await?), username };
    match error {
        Some((field, message)) => page.invalid(state, TEMPLATE, "collaboration", ctx, field, message).await,
        None => page.render(state, TEMPLATE, "collaboration", ctx).await,
    }
}

pub async fn show(State(state): State<AppState>, page: AdminRepo) -> Result<Response, WebError> {
    render(&state, &page, "", None).await
}

async fn user_named(state: &AppState, name: &str) -> Result<Option<UserRow>, WebError> {
    let mut h = state.db.acquire().await?;
    Ok(user_store::by_name(h.conn(), name.trim()).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddForm {
    collaborator: String,
}

pub async fn add(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<AddForm>,
) -> Result<Response, WebError> {
    let Some(user) = user_named(&state, &form.collaborator).await? else {
        let message = "There is no user by that name.".to_string();
        return render(&state, &page, &form.collaborator, Some(("collaborator", message))).await;
    };
    let ctx = &page.0.ctx;
    match collaborators::put(&state.db, &ctx.repo, page.me()?, ctx.mode, &user, None).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &page.path("/settings/collaboration"),
            &format!("{} is now a collaborator.", user.name),
        )),
        Err(e) => {
            let message = refused(e)?;
            render(&state, &page, &form.collaborator, Some(("collaborator", message))).await
        }
    }
}

/// A current collaborator named by a row's hidden field (anyone else: 404).
async fn collaborator(state: &AppState, page: &AdminRepo, name: &str) -> Result<UserRow, WebError> {
    let user = user_named(state, name).await?.ok_or(WebError::NotFound)?;
    let mut h = state.db.acquire().await?;
    match collaborations::mode_of(h.conn(), page.0.ctx.repo.id, user.id).await? {
        Some(_) => Ok(user),
        None => Err(WebError::NotFound),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccessForm {
    name: String,
    mode: String,
}

pub async fn change_access(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<AccessForm>,
) -> Result<Response, WebError> {
    let user = collaborator(&state, &page, &form.name).await?;
    if !matches!(form.mode.as_str(), "read" | "write" | "admin") {
        return render(&state, &page, "", Some(("list", "Choose Read, Write or Admin.".into()))).await;
    }
    let ctx = &page.0.ctx;
    let mode = AccessMode::parse_grant(&form.mode);
    match collaborators::put(&state.db, &ctx.repo, page.me()?, ctx.mode, &user, Some(mode)).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &page.path("/settings/collaboration"),
            &format!("The access of {} has been changed.", user.name),
        )),
        Err(e) => {
            let message = refused(e)?;
            render(&state, &page, "", Some(("list", message))).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    name: String,
}

pub async fn remove(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<RemoveForm>,
) -> Result<Response, WebError> {
    let user = collaborator(&state, &page, &form.name).await?;
    match collaborators::remove(&state.db, &page.0.ctx.repo, &user).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &page.path("/settings/collaboration"),
            &format!("{} is no longer a collaborator.", user.name),
        )),
        Err(e) => {
            let message = refused(e)?;
            render(&state, &page, "", Some(("list", message))).await
        }
    }
}
