//! `/OWNER/REPO`: the repository home (its default branch's root), or how to push to an empty one.

use axum::extract::State;
use axum::response::Response;
use hearth_git::read::{self, PathContent};
use minijinja::context;

use super::RepoPage;
use super::tree::{Resolved, dir_page};
use crate::app::AppState;
use crate::service::git_blocking;
use crate::web::page::{WebError, render};

pub async fn home(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    let branch = page.ctx.repo.default_branch.clone();
    let dir = page.ctx.dir().to_path_buf();
    let b = branch.clone();
    let found = git_blocking(move || {
        let Some(commit) = read::resolve_commit(&dir, &format!("refs/heads/{b}"))? else { return Ok(None) };
        Ok(read::lookup(&dir, &commit, "")?.map(|c| (commit, c)))
    })
    .await?;
    match found {
        Some((commit, PathContent::Dir { children, .. })) => {
            let at = Resolved { ref_name: branch, commit, path: String::new() };
            dir_page(&state, &page, &at, &children, true).await
        }
        _ => {
            let urls = state.links.repo_urls(&page.ctx.owner.name, &page.ctx.repo.name);
            render(
                &page.viewer,
                "repo/empty.html",
                context! {
                    repo => page.header(&state, "code").await?,
                    clone_url => urls.clone,
                    ssh_url => state.config.ssh.start.then_some(urls.ssh),
                    branch,
                },
            )
        }
    }
}
