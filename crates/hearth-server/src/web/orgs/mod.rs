//! `/org/…`: creating an organisation, its settings, people and teams (web-ui.md §6), through the
//! same services as the organisation and team API. Pages that need an account send anonymous
//! visitors to sign in; a signed-in viewer who may not use a page gets 404, for GETs and POSTs.

mod create;
mod members;
mod settings;
mod teams;

use axum::Router;
use axum::routing::{get, post};
use hearth_store::orgs as org_store;
use hearth_store::users::UserRow;

use super::page::WebError;
use super::session::Viewer;
use crate::app::AppState;
use crate::service::orgs;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/create", get(create::form).post(create::create))
        .route("/org/{org}/settings", get(settings::form).post(settings::update))
        .route("/org/{org}/settings/delete", get(settings::delete_form).post(settings::delete))
        .route("/org/{org}/members", get(members::list))
        .route("/org/{org}/members/remove", post(members::remove))
        .route("/org/{org}/teams", get(teams::list))
        .route("/org/{org}/teams/new", get(teams::new_form).post(teams::create))
        .route("/org/{org}/teams/{team}", get(teams::show))
        .route("/org/{org}/teams/{team}/edit", get(teams::edit_form).post(teams::update))
        .route("/org/{org}/teams/{team}/delete", post(teams::delete))
        .route("/org/{org}/teams/{team}/members/add", post(teams::add_member))
        .route("/org/{org}/teams/{team}/members/remove", post(teams::remove_member))
        .route("/org/{org}/teams/{team}/repositories", get(teams::repos))
        .route("/org/{org}/teams/{team}/repositories/add", post(teams::add_repo))
        .route("/org/{org}/teams/{team}/repositories/remove", post(teams::remove_repo))
}

/// An organisation and what the viewer is to it.
pub(super) struct OrgView {
    pub org: UserRow,
    /// Sees private memberships and the teams (members and site admins, as the API decides).
    pub insider: bool,
    /// Manages it: its owners and site administrators.
    pub owner: bool,
}

/// The organisation by name, as seen by `viewer` (anonymous viewers are outsiders).
async fn org_view(state: &AppState, viewer: &Viewer, name: &str) -> Result<OrgView, WebError> {
    let org = orgs::require_org(&state.db, name).await?;
    let (insider, owner) = match viewer.user.as_deref() {
        Some(me) => {
            let mut h = state.db.acquire().await?;
            let member = org_store::is_member(h.conn(), org.id, me.id).await?;
            let owner = org_store::is_owner(h.conn(), org.id, me.id).await?;
            // Site administrators manage every organisation from the pages (permissions.md §8).
            (member || me.is_admin, owner || me.is_admin)
        }
        None => (false, false),
    };
    Ok(OrgView { org, insider, owner })
}

/// The organisation for a signed-in member (404 for anyone else signed in).
async fn member_view(state: &AppState, viewer: &Viewer, name: &str) -> Result<OrgView, WebError> {
    viewer.signed_in()?;
    let v = org_view(state, viewer, name).await?;
    if v.insider { Ok(v) } else { Err(WebError::NotFound) }
}

/// The organisation for one of its owners (404 for anyone else signed in).
pub(super) async fn owner_view(state: &AppState, viewer: &Viewer, name: &str) -> Result<OrgView, WebError> {
    viewer.signed_in()?;
    let v = org_view(state, viewer, name).await?;
    if v.owner { Ok(v) } else { Err(WebError::NotFound) }
}
