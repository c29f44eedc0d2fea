//! `/OWNER/REPO/forks` (the forks the viewer may read) and `/repo/fork/ID` (the "New fork" form),
//! through the same services as `GET`/`POST /repos/:o/:r/forks`.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_store::repos as repo_store;
use hearth_store::users::{self as user_store, UserRow};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::RepoPage;
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::RepoCtx;
use crate::extract::repo::{Found, load_repo};
use crate::service::migrate::{self, ForkAs};
use crate::service::{ServiceError, repo_lists};
use crate::web::account::sentence;
use crate::web::home::RepoItem;
use crate::web::page::{WebError, render, render_status, ser};
use crate::web::repo_create::owners;
use crate::web::session::Viewer;

pub async fn list(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    let forks = repo_lists::forks(&state.db, page.viewer.user.as_deref(), page.ctx.repo.id).await?;
    let repos: Vec<RepoItem> = forks.iter().map(|f| RepoItem::new(&f.repo, &f.owner.name)).collect();
    render(
        &page.viewer,
        "people.html",
        context! {
            title => "Forks",
            repo => page.header(&state, "code").await?,
            repos => ser(&repos),
            pager => context! {},
        },
    )
}

/// The repository `/repo/fork/ID` names, if the viewer may read it (else 404, as for a missing one).
async fn source(state: &AppState, viewer: &Viewer, id: &str) -> Result<RepoCtx, WebError> {
    // Not a number: no such repository (a page, not axum's plain-text rejection).
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let (owner, name) = {
        let mut h = state.db.acquire().await?;
        let repo = repo_store::by_id(h.conn(), id).await?.ok_or(WebError::NotFound)?;
        let owner = user_store::by_id(h.conn(), repo.owner_id).await?.ok_or(WebError::NotFound)?;
        (owner.name, repo.name)
    };
    match load_repo(state, viewer.user.as_deref(), &owner, &name).await {
        Ok(Found::Repo(ctx)) => Ok(*ctx),
        Err(ApiError::Internal(e)) => Err(WebError::Internal(e)),
        Ok(Found::MovedTo { .. }) | Err(_) => Err(WebError::NotFound),
    }
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ForkForm {
    owner: String,
    name: String,
    description: String,
}

fn form_page(
    viewer: &Viewer,
    status: StatusCode,
    src: &RepoCtx,
    owners: &[UserRow],
    form: &ForkForm,
    error: Option<(&str, String)>,
) -> Result<Response, WebError> {
    let names: Vec<&str> = owners.iter().filter(|o| o.id != src.repo.owner_id).map(|o| o.name.as_str()).collect();
    let (field, message) = crate::web::page::field_error(error);
    render_status(
        viewer,
        status,
        "repo/fork.html",
        context! {
            source => format!("{}/{}", src.owner.name, src.repo.name),
            id => src.repo.id,
            owners => ser(&names),
            form => ser(form),
            error_field => field,
            error => message,
        },
    )
}

pub async fn fork_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let src = source(&state, &viewer, &id).await?;
    let owners = owners(&state, &me).await?;
    let first = owners.iter().find(|o| o.id != src.repo.owner_id).map(|o| o.name.clone()).unwrap_or_default();
    let form = ForkForm { owner: first, name: src.repo.name.clone(), description: src.repo.description.clone() };
    form_page(&viewer, StatusCode::OK, &src, &owners, &form, None)
}

pub async fn fork(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<ForkForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let src = source(&state, &viewer, &id).await?;
    let owners = owners(&state, &me).await?;
    let again = |field: &str, message: String| {
        form_page(&viewer, StatusCode::UNPROCESSABLE_ENTITY, &src, &owners, &form, Some((field, message)))
    };
    let Some(target) = owners.iter().find(|o| o.name.eq_ignore_ascii_case(&form.owner) && o.id != src.repo.owner_id)
    else {
        return again("owner", "You may not fork into that account.".into());
    };
    let fork_as = ForkAs { name: Some(form.name.clone()), description: Some(form.description.clone()) };
    match migrate::fork(&state, &src.owner, &src.repo, target, &me, &fork_as).await {
        Ok(row) => Ok(Redirect::to(&format!("/{}/{}", target.name, row.name)).into_response()),
        Err(ServiceError::Invalid(m) | ServiceError::BadRequest(m) | ServiceError::Forbidden(m)) => {
            let field = if m.contains("description") { "description" } else { "name" };
            again(field, sentence(&m))
        }
        Err(ServiceError::Field { message, .. }) => again("name", sentence(message)),
        Err(e) => Err(e.into()),
    }
}
