//! `/repo/create`: the "New repository" form, through the same service as `POST /user/repos` and
//! `POST /org/:org/repos`.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_store::users::UserRow;
use hearth_store::{Window, orgs as org_store};
use minijinja::context;
use serde::Deserialize;

use super::page::{WebError, render_status, ser};
use super::session::Viewer;
use crate::app::AppState;
use crate::service::repos::{self, CreateRepo};
use crate::service::{ServiceError, templates};

/// The accounts the viewer may create repositories for: itself and the organisations it owns.
pub(super) async fn owners(state: &AppState, me: &UserRow) -> Result<Vec<UserRow>, WebError> {
    let mut h = state.db.acquire().await?;
    let (orgs, _) = org_store::orgs_of(h.conn(), me.id, false, Window::ALL).await?;
    let mut out = vec![me.clone()];
    for org in orgs {
        if org_store::is_owner(h.conn(), org.id, me.id).await? {
            out.push(org);
        }
    }
    Ok(out)
}

#[derive(Deserialize, Default, serde::Serialize)]
#[serde(default)]
pub struct RepoForm {
    owner: String,
    name: String,
    description: String,
    private: Option<String>,
    auto_init: Option<String>,
    gitignores: String,
    license: String,
}

fn form_page(
    viewer: &Viewer,
    status: StatusCode,
    owners: &[UserRow],
    form: &RepoForm,
    error: Option<(&str, String)>,
) -> Result<Response, WebError> {
    let names: Vec<&str> = owners.iter().map(|o| o.name.as_str()).collect();
    let (field, message) = super::page::field_error(error);
    render_status(
        viewer,
        status,
        "repo/create.html",
        context! {
            owners => ser(&names),
            form => ser(form),
            gitignores => ser(&templates::gitignore_names()),
            licenses => ser(&templates::license_names().collect::<Vec<_>>()),
            error_field => field,
            error => message,
        },
    )
}

/// `?org=ID` (Gogs' query, the organisation page's "New repository" link) preselects that owner.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateQuery {
    /// Kept as text: a garbled id is ignored, not a plain-text 400.
    org: String,
}

pub async fn create_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<CreateQuery>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let owners = owners(&state, &me).await?;
    // An account the viewer may not create in (or no such id) leaves the viewer preselected.
    let wanted = q.org.trim().parse::<i64>().ok();
    let owner = owners.iter().find(|o| Some(o.id) == wanted).unwrap_or(&me);
    let form = RepoForm { owner: owner.name.clone(), ..RepoForm::default() };
    form_page(&viewer, StatusCode::OK, &owners, &form, None)
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<RepoForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let owners = owners(&state, &me).await?;
    let Some(owner) = owners.iter().find(|o| o.name.eq_ignore_ascii_case(&form.owner)) else {
        return form_page(
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            &owners,
            &form,
            Some(("owner", "You may not create repositories there.".into())),
        );
    };
    let opts = CreateRepo {
        name: form.name.trim().to_string(),
        description: form.description.clone(),
        private: form.private.is_some(),
        auto_init: form.auto_init.is_some(),
        gitignores: form.gitignores.clone(),
        license: form.license.clone(),
        readme: if form.auto_init.is_some() { "Default".into() } else { String::new() },
        ..CreateRepo::default()
    };
    match repos::create(&state, owner, &me, &opts).await {
        Ok(repo) => Ok(Redirect::to(&format!("/{}/{}", owner.name, repo.name)).into_response()),
        Err(ServiceError::Invalid(msg) | ServiceError::BadRequest(msg) | ServiceError::Forbidden(msg)) => {
            let field = if msg.contains("gitignore") {
                "gitignores"
            } else if msg.contains("license") {
                "license"
            } else {
                "name"
            };
            form_page(
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                &owners,
                &form,
                Some((field, super::account::sentence(&msg))),
            )
        }
        Err(ServiceError::Field { message, .. }) => form_page(
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            &owners,
            &form,
            Some(("name", super::account::sentence(message))),
        ),
        Err(e) => Err(e.into()),
    }
}
