//! `/org/create`: a new organisation owned by the viewer.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::service::orgs::OrgProfile;
use crate::service::{ServiceError, orgs};
use crate::web::account::sentence;
use crate::web::page::invalid_form;
use crate::web::page::{WebError, render, ser};
use crate::web::session::{Viewer, redirect_with_flash};

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct CreateForm {
    org_name: String,
    description: String,
}

const TEMPLATE: &str = "org/create.html";

/// Who may not create organisations (`DISABLE_REGULAR_ORG_CREATION`) gets 404: the page does not
/// admit it exists, as every other page a viewer may not use.
fn may_create(state: &AppState, viewer: &Viewer) -> Result<(), WebError> {
    let me = viewer.signed_in()?;
    orgs::check_may_create(&state.config, me).map_err(|_| WebError::NotFound)
}

pub async fn form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    may_create(&state, &viewer)?;
    render(&viewer, TEMPLATE, context! { form => ser(&CreateForm::default()), errors => context! {} })
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    may_create(&state, &viewer)?;
    let me = viewer.signed_in()?;
    let ctx = context! { form => ser(&form) };
    let name = form.org_name.trim();
    // The API's binding rules for the name (B20), worded for the form.
    let problem = if name.is_empty() {
        Some("Organization name is required.".to_string())
    } else if name.chars().count() > 35 {
        Some("Organization name is too long.".to_string())
    } else if !crate::service::names::is_alpha_dash_dot(name) {
        Some("Organization name may only contain letters, digits, '-', '_' and '.'.".to_string())
    } else if form.description.chars().count() > 255 {
        return invalid_form(&viewer, TEMPLATE, ctx, "description", "Description is too long.".into());
    } else {
        None
    };
    if let Some(message) = problem {
        return invalid_form(&viewer, TEMPLATE, ctx, "org_name", message);
    }
    let profile = OrgProfile { description: form.description.clone(), ..Default::default() };
    match orgs::create_as(&state.db, &state.config, me, me, name, &profile).await {
        Ok(org) => Ok(redirect_with_flash(
            &state,
            &format!("/{}", org.name),
            &format!("The organization {} has been created.", org.name),
        )),
        Err(ServiceError::Invalid(m)) => invalid_form(&viewer, TEMPLATE, ctx, "org_name", sentence(&m)),
        Err(e) => Err(e.into()),
    }
}
