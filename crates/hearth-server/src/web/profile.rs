//! `/USER` and `/ORG`: a profile and the repositories the viewer may read.

use axum::extract::{Path, State};
use axum::response::Response;
use hearth_store::UserKind;
use hearth_store::users as user_store;
use minijinja::context;

use super::home::{RepoItem, UserItem};
use super::page::{WebError, render, ser};
use super::session::Viewer;
use crate::app::AppState;
use crate::service::repo_lists;

pub async fn profile(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    // `OWNER.git`-style and dotted names are never accounts; `api` is the API's.
    let owner = {
        let mut h = state.db.acquire().await?;
        user_store::by_name(h.conn(), &name).await?.ok_or(WebError::NotFound)?
    };
    let repos: Vec<RepoItem> = repo_lists::of_owner(&state.db, &owner, viewer.user.as_deref())
        .await?
        .iter()
        .map(|l| RepoItem::new(&l.repo, &l.owner.name))
        .collect();
    let is_org = owner.kind == UserKind::Organization;
    let following = match &viewer.user {
        Some(me) if me.id != owner.id && !is_org => Some(super::people::is_following(&state, me, &owner).await?),
        _ => None,
    };
    // What the viewer is to an organisation: its links depend on it (web-ui.md §5 `/ORG`).
    let (org_member, org_owner) = match (&viewer.user, is_org) {
        (Some(me), true) => {
            let mut h = state.db.acquire().await?;
            let is_owner = hearth_store::orgs::is_owner(h.conn(), owner.id, me.id).await?;
            let member = is_owner || me.is_admin || hearth_store::orgs::is_member(h.conn(), owner.id, me.id).await?;
            (member, is_owner)
        }
        _ => (false, false),
    };
    render(
        &viewer,
        "profile.html",
        context! {
            account => ser(&UserItem::new(&state, &owner)),
            is_org,
            org_member,
            org_owner,
            org_id => owner.id,
            description => owner.description.clone(),
            website => owner.website.clone(),
            // Linked only when it is a web address: a `javascript:` website is shown as text.
            website_link => web_link(&owner.website),
            location => owner.location.clone(),
            followers => owner.num_followers,
            following => owner.num_following,
            viewer_follows => following,
            joined => owner.created_unix,
            repos => ser(&repos),
        },
    )
}

/// `url` when it is an http(s) address (safe as an `href`), else nothing.
pub fn web_link(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| url.trim().to_string())
}
