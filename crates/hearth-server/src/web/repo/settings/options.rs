//! `/OWNER/REPO/settings`: name, description, website, visibility; and the danger zone
//! (transfer, delete), each behind a typed confirmation of the repository's name.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use hearth_store::UserKind;
use hearth_store::users as user_store;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminRepo, refused, ticked};
use crate::app::AppState;
use crate::service::access::AccessMode;
use crate::service::repo_manage::{self, EditRepo, Transferred};
use crate::service::{orgs, repos};
use crate::web::page::{WebError, ser};
use crate::web::session::redirect_with_flash;

const TEMPLATE: &str = "repo/settings/options.html";

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct OptionsForm {
    repo_name: String,
    description: String,
    website: String,
    private: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct TransferForm {
    new_owner: String,
    transfer_confirm: String,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    delete_confirm: String,
}

/// The page's three forms; only the failed one carries what was typed.
fn ctx(page: &AdminRepo, options: &OptionsForm, transfer: &TransferForm) -> minijinja::Value {
    context! {
        form => ser(options),
        transfer => ser(transfer),
        // Transfer and deletion are the owner's (as the API's routes).
        is_owner => page.0.ctx.mode >= AccessMode::Owner,
    }
}

fn current(page: &AdminRepo) -> OptionsForm {
    let repo = &page.0.ctx.repo;
    OptionsForm {
        repo_name: repo.name.clone(),
        description: repo.description.clone(),
        website: repo.website.clone(),
        private: repo.is_private.then(|| "on".to_string()),
    }
}

pub async fn show(State(state): State<AppState>, page: AdminRepo) -> Result<Response, WebError> {
    let c = ctx(&page, &current(&page), &TransferForm::default());
    page.render(&state, TEMPLATE, "options", c).await
}

pub async fn update(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<OptionsForm>,
) -> Result<Response, WebError> {
    let invalid = |field: &'static str, message: String| (ctx(&page, &form, &TransferForm::default()), field, message);
    // The API's size limits (EditRepoOption).
    if form.description.chars().count() > 2048 {
        let (c, f, m) = invalid("description", "Description must be at most 2048 characters.".into());
        return page.invalid(&state, TEMPLATE, "options", c, f, m).await;
    }
    if form.website.chars().count() > 1024 {
        let (c, f, m) = invalid("website", "Website must be at most 1024 characters.".into());
        return page.invalid(&state, TEMPLATE, "options", c, f, m).await;
    }
    let me = page.me()?;
    let edit = EditRepo {
        name: Some(form.repo_name.trim().to_string()),
        description: Some(form.description.clone()),
        website: Some(form.website.trim().to_string()),
        private: Some(ticked(&form.private)),
        ..EditRepo::default()
    };
    let ctx = &page.0.ctx;
    match repo_manage::edit(&state, &ctx.owner, &ctx.repo, me, &edit).await {
        Ok(row) => Ok(redirect_with_flash(
            &state,
            &format!("/{}/{}/settings", ctx.owner.name, row.name),
            "The repository settings have been updated.",
        )),
        Err(e) => {
            let message = refused(e)?;
            let field = if message.contains("rivate") { "private" } else { "repo_name" };
            let (c, f, m) = invalid(field, message);
            page.invalid(&state, TEMPLATE, "options", c, f, m).await
        }
    }
}

/// The confirmation matches the repository's name (names compare case-insensitively).
fn confirmed(page: &AdminRepo, typed: &str) -> bool {
    typed.trim().to_lowercase() == page.0.ctx.repo.lower_name
}

const NOT_CONFIRMED: &str = "The confirmation does not match the repository name.";

pub async fn transfer(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<TransferForm>,
) -> Result<Response, WebError> {
    if page.0.ctx.mode < AccessMode::Owner {
        return Err(WebError::NotFound);
    }
    let invalid = |field: &'static str, message: String| (ctx(&page, &current(&page), &form), field, message);
    if !confirmed(&page, &form.transfer_confirm) {
        let (c, f, m) = invalid("transfer_confirm", NOT_CONFIRMED.into());
        return page.invalid(&state, TEMPLATE, "options", c, f, m).await;
    }
    let new_owner = {
        let mut h = state.db.acquire().await?;
        user_store::by_name(h.conn(), form.new_owner.trim()).await?
    };
    let Some(new_owner) = new_owner else {
        let (c, f, m) = invalid("new_owner", "The new owner does not exist.".into());
        return page.invalid(&state, TEMPLATE, "options", c, f, m).await;
    };
    let me = page.me()?;
    let ctx = &page.0.ctx;
    match repo_manage::start_transfer(&state, &ctx.owner, &ctx.repo, me, &new_owner, &[]).await {
        Ok(Transferred::Done(row)) => Ok(redirect_with_flash(
            &state,
            &format!("/{}/{}", new_owner.name, row.name),
            &format!("The repository has been transferred to {}.", new_owner.name),
        )),
        Ok(Transferred::Pending(_)) => Ok(redirect_with_flash(
            &state,
            &page.path("/settings"),
            &format!("The transfer waits for {} to accept it.", new_owner.name),
        )),
        Err(e) => {
            let message = refused(e)?;
            let (c, f, m) = invalid("new_owner", message);
            page.invalid(&state, TEMPLATE, "options", c, f, m).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    page: AdminRepo,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    let ctx = &page.0.ctx;
    if ctx.mode < AccessMode::Owner {
        return Err(WebError::NotFound);
    }
    let me = page.me()?;
    // Organisation repositories: the Owners team only, site admins included (as the API).
    if ctx.owner.kind == UserKind::Organization && !orgs::is_owner(&state.db, ctx.owner.id, me.id).await? {
        return Err(WebError::NotFound);
    }
    if !confirmed(&page, &form.delete_confirm) {
        let c = ctx_for_delete(&page);
        return page.invalid(&state, TEMPLATE, "options", c, "delete_confirm", NOT_CONFIRMED.into()).await;
    }
    repos::delete(&state, &ctx.owner, &ctx.repo).await?;
    Ok(redirect_with_flash(
        &state,
        "/",
        &format!("The repository {}/{} has been deleted.", ctx.owner.name, ctx.repo.name),
    ))
}

fn ctx_for_delete(page: &AdminRepo) -> minijinja::Value {
    ctx(page, &current(page), &TransferForm::default())
}
