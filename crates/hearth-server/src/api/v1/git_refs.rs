//! Git data, refs (Gitea's routes): `GET /repos/:o/:r/git/refs` and `…/git/refs/*`, read
//! in-process. A prefix names every ref under it, and the answer is always a list (as Gitea
//! 1.22–1.23), 404 when nothing matches.

use axum::extract::{Path, State};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::git_blocking;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, ListParams, Paged, RepoCtx, RepoPath};
use crate::types::{GitObject, Reference};

/// Path segments keep `/` between them and escape the rest.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.');

async fn list(
    state: &AppState,
    ctx: &RepoCtx,
    (owner, repo): (&str, &str),
    prefix: String,
    params: &ListParams,
) -> ApiResult<Paged<Reference>> {
    if prefix.split('/').any(|s| s == "..") || prefix.contains(['\\', '\0']) {
        return Err(ApiError::not_found());
    }
    let dir = ctx.dir().to_path_buf();
    // The page is cut from the sorted names before any object is read.
    let page = params.optional();
    let (skip, take) = page.map_or((0, usize::MAX), |p| (p.offset() as usize, p.limit as usize));
    let (refs, total) = git_blocking(move || hearth_git::refs_with_prefix(&dir, &prefix, skip, take)).await?;
    if total == 0 {
        return Err(ApiError::not_found());
    }
    let api_repo = format!("{}/repos/{owner}/{repo}", state.links.api_url);
    let items = refs
        .into_iter()
        .map(|r| Reference {
            url: format!("{api_repo}/git/{}", utf8_percent_encode(&r.name, SEGMENT)),
            object: GitObject {
                url: format!("{api_repo}/git/{}s/{}", r.kind, r.target),
                kind: r.kind.into(),
                sha: r.target,
            },
            name: r.name,
        })
        .collect();
    Ok(Paged::list(items, total as i64, params, page))
}

/// Every ref of the repository.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/git/refs", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [Reference]), (status = 404)))]
pub async fn list_git_refs(
    State(state): State<AppState>,
    Auth(_who): Auth,
    Path((owner, repo)): Path<(String, String)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Reference>> {
    list(&state, &ctx, (&owner, &repo), String::new(), &params).await
}

/// The refs under a prefix (`heads`, `tags/v1`, `heads/main`…).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/git/refs/{ref}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("ref" = String, Path)),
    responses((status = 200, body = [Reference]), (status = 404)))]
pub async fn get_git_refs(
    State(state): State<AppState>,
    Auth(_who): Auth,
    Path((owner, repo, prefix)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Reference>> {
    list(&state, &ctx, (&owner, &repo), prefix, &params).await
}
