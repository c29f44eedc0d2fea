//! `/OWNER/REPO/branches` and `/OWNER/REPO/tags`.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

use super::RepoPage;
use crate::app::AppState;
use crate::service::git_blocking;
use crate::web::page::{WebError, render, ser};

#[derive(Serialize)]
struct RefItem {
    name: String,
    sha: String,
    time: i64,
    is_default: bool,
}

pub async fn branches(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    let dir = page.ctx.dir().to_path_buf();
    let default = page.ctx.repo.default_branch.clone();
    let mut items: Vec<RefItem> = git_blocking(move || hearth_git::list_branches(&dir))
        .await?
        .into_iter()
        .map(|b| RefItem {
            is_default: b.name == default,
            name: b.name,
            sha: b.commit.id,
            time: b.commit.committer_time,
        })
        .collect();
    // The default branch first, then by name.
    items.sort_by(|a, b| b.is_default.cmp(&a.is_default).then_with(|| a.name.cmp(&b.name)));
    render(
        &page.viewer,
        "repo/refs.html",
        context! { repo => page.header(&state, "code").await?, kind => "branches", refs => ser(&items), default_branch => page.ctx.repo.default_branch.clone() },
    )
}

pub async fn tags(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    let dir = page.ctx.dir().to_path_buf();
    let items: Vec<RefItem> = git_blocking(move || hearth_git::read::list_tags(&dir))
        .await?
        .into_iter()
        .map(|t| RefItem { name: t.name, sha: t.commit.id, time: t.created, is_default: false })
        .collect();
    render(
        &page.viewer,
        "repo/refs.html",
        context! { repo => page.header(&state, "code").await?, kind => "tags", refs => ser(&items), default_branch => page.ctx.repo.default_branch.clone() },
    )
}
