//! The issue tracker's pages: the list, a new issue, an issue (or pull request conversation) with
//! its timeline and the writers' controls, labels and milestones. Every change goes through
//! `service::issues`, `service::labels` and `service::milestones`, as the API's do.

pub mod actions;
pub mod labels;
pub mod list;
pub mod milestones;
pub mod new;
pub mod view;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use hearth_store::users::UserRow;
use minijinja::Value;

use super::RepoPage;
use crate::app::AppState;
use crate::service::access::AccessMode;
use crate::service::issues::Tracker;
use crate::service::notifications::mentionable;
use crate::web::page::WebError;
use crate::web::session::site_path;

impl RepoPage {
    /// 404 while the repository's built-in tracker is off, as the API answers.
    pub fn tracker_on(&self) -> Result<(), WebError> {
        let repo = &self.ctx.repo;
        if !repo.enable_issues || repo.enable_external_tracker { Err(WebError::NotFound) } else { Ok(()) }
    }

    pub fn pulls_on(&self) -> Result<(), WebError> {
        if self.ctx.repo.enable_pulls { Ok(()) } else { Err(WebError::NotFound) }
    }

    pub fn tracker<'a>(&'a self, me: &'a UserRow) -> Tracker<'a> {
        Tracker { owner: &self.ctx.owner, repo: &self.ctx.repo, mode: self.ctx.mode, doer: me }
    }

    pub fn writer(&self) -> bool {
        self.ctx.mode >= AccessMode::Write
    }

    /// `/OWNER/REPO`, for links and redirects.
    pub fn path(&self) -> String {
        format!("/{}/{}", self.ctx.owner.name, self.ctx.repo.name)
    }
}

/// Markdown as these pages show it: `#N` linked to the repository's issues, `@name` linked only
/// for users who can read the repository. One rendered value per text, in order.
pub async fn markdown(state: &AppState, page: &RepoPage, texts: &[&str]) -> Result<Vec<Value>, WebError> {
    let names = mentionable(state, &page.ctx.repo, texts).await?;
    let base = format!("{}{}/{}", state.links.external_url, page.ctx.owner.name, page.ctx.repo.name);
    let root = site_path(state, "/");
    let mentions = hearth_markup::Mentions { root: &root, names: &names };
    Ok(texts
        .iter()
        .map(|t| Value::from_safe_string(hearth_markup::render_linked(t, Some(&base), Some(&mentions))))
        .collect())
}

/// A form body as name/value pairs, repeated names kept (checkbox groups).
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The first value of `name` in a form body, or "".
pub fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Every value of `name` that is a number (ids of checked boxes).
pub fn form_ids(pairs: &[(String, String)], name: &str) -> Vec<i64> {
    pairs.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| v.trim().parse().ok()).collect()
}

/// The number a route names as `{index}` or `{id}`; anything but a positive number is a 404 page
/// (not axum's plain-text 400).
pub struct Num(pub i64);

impl FromRequestParts<AppState> for Num {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Num, WebError> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| WebError::NotFound)?;
        params
            .iter()
            .find(|(k, _)| matches!(*k, "index" | "id"))
            .and_then(|(_, v)| v.parse::<i64>().ok())
            .filter(|n| *n > 0)
            .map(Num)
            .ok_or(WebError::NotFound)
    }
}
