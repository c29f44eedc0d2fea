//! `/OWNER/REPO/settings…` (web-ui.md §6): a repository's options and danger zone, collaborators,
//! branches, webhooks (`web::hooks`) and deploy keys, for its admins only, through the services the API uses.
//!
//! Everyone else who is signed in gets 404 on every page and POST here (readers and writers too),
//! so a settings URL tells nothing about a repository the viewer may not manage.

pub mod branches;
pub mod collaborators;
pub mod keys;
pub mod options;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use minijinja::{Value, context};

use super::RepoPage;
use crate::app::AppState;
use crate::service::ServiceError;
use crate::service::access::AccessMode;
use crate::web::account::sentence;
use crate::web::page::{WebError, render_status};
use crate::web::session::Viewer;

/// A repository page for its admins: anonymous visitors sign in first (whether or not the
/// repository exists), any other viewer gets 404.
pub struct AdminRepo(pub RepoPage);

impl FromRequestParts<AppState> for AdminRepo {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<AdminRepo, WebError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        viewer.signed_in()?;
        let page = RepoPage::from_request_parts(parts, state).await?;
        if page.ctx.mode < AccessMode::Admin {
            return Err(WebError::NotFound);
        }
        Ok(AdminRepo(page))
    }
}

impl AdminRepo {
    /// `/OWNER/REPO` followed by `rest`.
    pub fn path(&self, rest: &str) -> String {
        format!("/{}/{}{rest}", self.0.ctx.owner.name, self.0.ctx.repo.name)
    }

    pub fn me(&self) -> Result<&hearth_store::users::UserRow, WebError> {
        Ok(self.0.viewer.signed_in()?.as_ref())
    }

    /// Render a settings page: the repository header, the settings nav at `section`, `ctx`.
    pub async fn render(
        &self,
        state: &AppState,
        template: &str,
        section: &str,
        ctx: Value,
    ) -> Result<Response, WebError> {
        self.render_status(state, StatusCode::OK, template, section, ctx, None).await
    }

    /// The form again with 422: `field`'s control marked invalid, `message` in the alert.
    pub async fn invalid(
        &self,
        state: &AppState,
        template: &str,
        section: &str,
        ctx: Value,
        field: &str,
        message: String,
    ) -> Result<Response, WebError> {
        self.render_status(state, StatusCode::UNPROCESSABLE_ENTITY, template, section, ctx, Some((field, message)))
            .await
    }

    async fn render_status(
        &self,
        state: &AppState,
        status: StatusCode,
        template: &str,
        section: &str,
        ctx: Value,
        error: Option<(&str, String)>,
    ) -> Result<Response, WebError> {
        let (errors, error) = match error {
            Some((field, message)) => (Value::from_pairs([(field.to_string(), message.clone())]), Some(message)),
            None => (context! {}, None),
        };
        let page = &self.0;
        let chrome = context! { repo => page.header(state, "settings").await?, section, errors, error };
        render_status(&page.viewer, status, template, context! { ..ctx, ..chrome })
    }
}

/// The service's refusal as a sentence for the form's alert; anything else is the page's failure.
pub fn refused(e: ServiceError) -> Result<String, WebError> {
    match e {
        ServiceError::Invalid(m)
        | ServiceError::BadRequest(m)
        | ServiceError::Forbidden(m)
        | ServiceError::Conflict(m)
        | ServiceError::Locked(m)
        | ServiceError::NotFoundMessage(m) => Ok(sentence(&m)),
        ServiceError::Field { message, .. } => Ok(sentence(message)),
        other => Err(other.into()),
    }
}

/// A checkbox: present (any value) means ticked.
pub fn ticked(value: &Option<String>) -> bool {
    value.is_some()
}
