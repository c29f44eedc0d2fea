//! `/org/ORG/settings`: the organisation's profile (owners).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hearth_store::users::UserRow;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::owner_view;
use crate::app::AppState;
use crate::service::ServiceError;
use crate::service::orgs::{self, OrgProfile};
use crate::web::page::invalid_form;
use crate::web::page::{WebError, render, ser};
use crate::web::session::{Viewer, redirect_with_flash};

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    full_name: String,
    description: String,
    website: String,
    location: String,
}

const TEMPLATE: &str = "org/settings.html";

fn ctx(org: &UserRow, form: &SettingsForm) -> minijinja::Value {
    context! { org_name => org.name.clone(), form => ser(form) }
}

pub async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &name).await?;
    let o = &v.org;
    let form = SettingsForm {
        full_name: o.full_name.clone(),
        description: o.description.clone(),
        website: o.website.clone(),
        location: o.location.clone(),
    };
    render(&viewer, TEMPLATE, context! { ..ctx(o, &form), ..context! { errors => context! {} } })
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &name).await?;
    // The service cuts each field to 255 characters; the form says so instead of cutting.
    for (field, label, value) in [
        ("full_name", "Full name", &form.full_name),
        ("description", "Description", &form.description),
        ("website", "Website", &form.website),
        ("location", "Location", &form.location),
    ] {
        if value.chars().count() > 255 {
            return invalid_form(&viewer, TEMPLATE, ctx(&v.org, &form), field, format!("{label} is too long."));
        }
    }
    let profile = OrgProfile {
        full_name: form.full_name.trim().to_string(),
        description: form.description.trim().to_string(),
        website: form.website.trim().to_string(),
        location: form.location.trim().to_string(),
    };
    let org = orgs::edit(&state.db, &v.org, &profile).await?;
    Ok(redirect_with_flash(
        &state,
        &format!("/org/{}/settings", org.name),
        "The organization's settings have been updated.",
    ))
}

// ---- deletion ----

const DELETE: &str = "org/delete.html";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeleteForm {
    password: String,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &name).await?;
    render(&viewer, DELETE, context! { org_name => v.org.name.clone(), errors => context! {} })
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &name).await?;
    let me = viewer.signed_in()?;
    let ctx = context! { org_name => v.org.name.clone() };
    match orgs::delete(&state.db, &state.passwords, me, &v.org, &form.password).await {
        Ok(()) => Ok(redirect_with_flash(&state, "/", &format!("The organization {} has been deleted.", v.org.name))),
        // The owner was checked above: a refusal here is the password.
        Err(ServiceError::Forbidden(_)) => {
            invalid_form(&viewer, DELETE, ctx, "password", "The password is not correct.".into())
        }
        Err(ServiceError::Invalid(_)) => invalid_form(
            &viewer,
            DELETE,
            ctx,
            "password",
            "This organization still owns repositories: delete or transfer them first.".into(),
        ),
        Err(e) => Err(e.into()),
    }
}
