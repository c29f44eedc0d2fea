//! Repository pages: everything under `/OWNER/REPO`.

pub mod actions;
pub mod commits;
pub mod forks;
pub mod home;
pub mod issues;
pub mod last_commit;
pub mod pull_box;
pub mod pulls;
pub mod refs;
pub mod release_form;
pub mod releases;
pub mod settings;
pub mod tree;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use hearth_store::repos as repo_store;
use hearth_store::stars::{self, Kind};
use minijinja::{Value, context};

use super::page::WebError;
use super::session::Viewer;
use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::RepoCtx;
use crate::extract::repo::{Found, load_repo};
use crate::service::access::AccessMode;

/// The repository a page route names, readable by the viewer (else 404, the same for a private
/// repository as for a missing one). `OWNER/REPO.git` and old names redirect.
pub struct RepoPage {
    pub ctx: RepoCtx,
    pub viewer: Viewer,
}

impl FromRequestParts<AppState> for RepoPage {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<RepoPage, WebError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| WebError::NotFound)?;
        let param = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        let (Some(owner), Some(name)) = (param("owner"), param("repo")) else { return Err(WebError::NotFound) };
        if let Some(bare) = name.strip_suffix(".git")
            && parts.uri.path() == format!("/{owner}/{name}")
        {
            return Err(WebError::Redirect(format!("/{owner}/{bare}")));
        }
        match load_repo(state, viewer.user.as_deref(), &owner, &name).await {
            Ok(Found::Repo(ctx)) => Ok(RepoPage { ctx: *ctx, viewer }),
            Ok(Found::MovedTo { owner: new_owner, name: new_name }) => {
                let path =
                    parts.uri.path().replacen(&format!("/{owner}/{name}"), &format!("/{new_owner}/{new_name}"), 1);
                Err(WebError::Redirect(path))
            }
            Err(ApiError::Internal(e)) => Err(WebError::Internal(e)),
            Err(_) => Err(WebError::NotFound),
        }
    }
}

impl RepoPage {
    /// What every repository page's header shows (web-ui.md §3).
    pub async fn header(&self, state: &AppState, tab: &str) -> Result<Value, WebError> {
        let repo = &self.ctx.repo;
        let fork_of = if repo.is_fork {
            let mut h = state.db.acquire().await?;
            match repo_store::by_id(h.conn(), repo.fork_id).await? {
                Some(parent) => hearth_store::users::by_id(h.conn(), parent.owner_id)
                    .await?
                    .map(|o| format!("{}/{}", o.name, parent.name)),
                None => None,
            }
        } else {
            None
        };
        let mut starred = false;
        let mut watching = false;
        if let Some(me) = &self.viewer.user {
            let mut h = state.db.acquire().await?;
            starred = stars::exists(h.conn(), Kind::Star, me.id, repo.id).await?;
            watching = stars::exists(h.conn(), Kind::Watch, me.id, repo.id).await?;
        }
        Ok(context! {
            owner => self.ctx.owner.name.clone(),
            name => repo.name.clone(),
            id => repo.id,
            description => repo.description.clone(),
            website => repo.website.clone(),
            is_private => repo.is_private,
            is_mirror => repo.is_mirror,
            is_archived => repo.is_archived,
            fork_of,
            tab,
            open_issues => repo.num_issues - repo.num_closed_issues,
            has_issues => repo.enable_issues && !repo.enable_external_tracker,
            has_pulls => repo.enable_pulls,
            open_pulls => repo.num_pulls - repo.num_closed_pulls,
            stars => repo.num_stars,
            watchers => repo.num_watches,
            forks => repo.num_forks,
            starred,
            watching,
            is_admin => self.ctx.mode >= AccessMode::Admin,
            can_write => self.ctx.mode >= AccessMode::Write,
        })
    }
}
