//! `/repo/migrate`: the "New migration" form, through the same service (and the same address
//! rules: no local network unless allowed, no option injection) as `POST /repos/migrate`.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hearth_store::users::UserRow;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::account::sentence;
use super::page::{WebError, render_status, ser};
use super::repo_create::owners;
use super::session::Viewer;
use crate::app::AppState;
use crate::service::ServiceError;
use crate::service::migrate::{self, Migrate};

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct MigrateForm {
    clone_addr: String,
    auth_username: String,
    /// Never shown again.
    #[serde(skip_serializing)]
    auth_password: String,
    owner: String,
    repo_name: String,
    description: String,
    private: Option<String>,
    mirror: Option<String>,
}

fn form_page(
    viewer: &Viewer,
    status: StatusCode,
    owners: &[UserRow],
    form: &MigrateForm,
    error: Option<(&str, String)>,
) -> Result<Response, WebError> {
    let names: Vec<&str> = owners.iter().map(|o| o.name.as_str()).collect();
    let (field, message) = super::page::field_error(error);
    render_status(
        viewer,
        status,
        "repo/migrate.html",
        context! { owners => ser(&names), form => ser(form), error_field => field, error => message },
    )
}

pub async fn migrate_form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let owners = owners(&state, &me).await?;
    let form = MigrateForm { owner: me.name.clone(), ..MigrateForm::default() };
    form_page(&viewer, StatusCode::OK, &owners, &form, None)
}

/// Which field a refusal of the migrate service is about.
fn field_of(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("name") || m.contains("already exists") || m.contains("reserved") {
        "repo_name"
    } else if m.contains("authentication") || m.contains("credential") || m.contains("password") {
        "auth_password"
    } else if m.contains("description") {
        "description"
    } else {
        "clone_addr"
    }
}

pub async fn migrate(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<MigrateForm>,
) -> Result<Response, WebError> {
    let me = viewer.signed_in()?.clone();
    let owners = owners(&state, &me).await?;
    let again = |field: &str, message: String| {
        form_page(&viewer, StatusCode::UNPROCESSABLE_ENTITY, &owners, &form, Some((field, message)))
    };
    let Some(owner) = owners.iter().find(|o| o.name.eq_ignore_ascii_case(&form.owner)) else {
        return again("owner", "You may not create repositories there.".into());
    };
    if form.clone_addr.trim().is_empty() {
        return again("clone_addr", "Clone address is required.".into());
    }
    if form.repo_name.trim().is_empty() {
        return again("repo_name", "Repository name is required.".into());
    }
    if form.description.chars().count() > 512 {
        return again("description", "Description must be at most 512 characters.".into());
    }
    let m = Migrate {
        clone_addr: form.clone_addr.trim().to_string(),
        auth_username: form.auth_username.clone(),
        auth_password: form.auth_password.clone(),
        uid: owner.id,
        repo_name: form.repo_name.trim().to_string(),
        mirror: form.mirror.is_some(),
        private: form.private.is_some(),
        description: form.description.clone(),
    };
    match migrate::migrate(&state, &me, &m).await {
        Ok(row) => Ok(Redirect::to(&format!("/{}/{}", owner.name, row.name)).into_response()),
        Err(ServiceError::Invalid(msg) | ServiceError::BadRequest(msg) | ServiceError::Forbidden(msg)) => {
            again(field_of(&msg), sentence(&msg))
        }
        Err(ServiceError::Field { message, .. }) => again("repo_name", sentence(message)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn refusals_name_their_field() {
        assert_eq!(super::field_of("repository already exists [uname: a, name: b]"), "repo_name");
        assert_eq!(super::field_of("Authentication failed: wrong credentials"), "auth_password");
        assert_eq!(super::field_of("Clone address resolved to a local network address"), "clone_addr");
    }
}
