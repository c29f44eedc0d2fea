//! `/org/ORG/members`: the organisation's people; owners remove members.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_store::orgs as org_store;
use hearth_store::{Window, users as user_store};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{org_view, owner_view};
use crate::app::AppState;
use crate::service::{ServiceError, orgs};
use crate::web::account::sentence;
use crate::web::home::{Pager, page_number};
use crate::web::page::{WebError, render_status, ser};
use crate::web::session::{Viewer, redirect_with_flash};

#[derive(Serialize)]
struct Member {
    name: String,
    full_name: String,
    owner: bool,
}

/// Members a page.
const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    /// Kept as text: see [`page_number`].
    page: String,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let v = org_view(&state, &viewer, &name).await?;
    page(&state, &viewer, &v, page_number(&q.page), None).await
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    v: &super::OrgView,
    number: i64,
    error: Option<String>,
) -> Result<Response, WebError> {
    let mut h = state.db.acquire().await?;
    // Private memberships only for insiders, as the members API decides.
    let w = Window { limit: PER_PAGE, offset: (number - 1) * PER_PAGE };
    let (rows, total) = org_store::members(h.conn(), v.org.id, !v.insider, w).await?;
    let mut members = Vec::with_capacity(rows.len());
    for u in &rows {
        let owner = org_store::is_owner(h.conn(), v.org.id, u.id).await?;
        members.push(Member { name: u.name.clone(), full_name: u.full_name.clone(), owner });
    }
    let status =
        if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    render_status(
        viewer,
        status,
        "org/members.html",
        context! {
            org_name => v.org.name.clone(), members => ser(&members),
            insider => v.insider, is_owner => v.owner, error,
            pager => ser(&Pager::new(number, PER_PAGE, total)),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    user: String,
}

pub async fn remove(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, WebError> {
    let v = owner_view(&state, &viewer, &name).await?;
    let user = {
        let mut h = state.db.acquire().await?;
        user_store::by_name(h.conn(), form.user.trim()).await?.ok_or(WebError::NotFound)?
    };
    match orgs::remove_member(&state.db, &v.org, &user).await {
        Ok(()) => Ok(redirect_with_flash(
            &state,
            &format!("/org/{}/members", v.org.name),
            &format!("{} has been removed from the organization.", user.name),
        )),
        Err(ServiceError::Invalid(m)) => page(&state, &viewer, &v, 1, Some(sentence(&m))).await,
        Err(e) => Err(e.into()),
    }
}
