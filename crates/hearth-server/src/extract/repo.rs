//! The repository a route names: `{owner}/{repo}` of the path, the repository and its owner loaded
//! and the caller's access mode computed once, before the handler runs. API handlers and (later)
//! web pages take [`RepoPath`] instead of opening each repository by hand.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, OriginalUri, RawPathParams};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use hearth_store::redirects;
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self as user_store, UserRow};

use super::auth::identity_of;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::service::access::{AccessMode, access_mode};
use crate::service::repo_manage::ensure_writable;
use crate::service::repos::repo_path;
use crate::types::Permission;

/// A repository as the caller sees it.
pub struct RepoCtx {
    /// Shared with the row cache: a request copies no row.
    pub owner: Arc<UserRow>,
    pub repo: Arc<RepoRow>,
    pub mode: AccessMode,
    pub(crate) dir: PathBuf,
    /// The rows epoch before the rows were read: an answer built from them may be cached under
    /// it (see `RowCache::answer`).
    pub(crate) epoch: u64,
}

impl RepoCtx {
    /// The role guard: 403 when the caller's mode is below `needed`.
    pub fn require(&self, needed: AccessMode) -> ApiResult<()> {
        if self.mode >= needed { Ok(()) } else { Err(ApiError::forbidden()) }
    }

    pub fn permission(&self) -> Permission {
        Permission::from_mode(self.mode)
    }

    /// The bare repository on disk.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// What `owner/name` names for `user`: the repository, or the place a renamed or transferred
/// repository now is (an old name the caller can read through). A missing owner, a missing
/// repository and no read access are the same 404.
pub(crate) enum Found {
    Repo(Box<RepoCtx>),
    MovedTo { owner: String, name: String },
}

pub(crate) async fn load_repo(state: &AppState, user: Option<&UserRow>, owner: &str, name: &str) -> ApiResult<Found> {
    let rows = &state.rows;
    let epoch = state.db.rows_epoch();
    let owner = rows.user_by_name(&state.db, owner).await?.ok_or_else(ApiError::not_found)?;
    let Some(repo) = rows.repo_by_name(&state.db, owner.id, name).await? else {
        let mut h = state.db.acquire().await?;
        let id = redirects::lookup(h.conn(), owner.id, name).await?.ok_or_else(ApiError::not_found)?;
        let repo = repo_store::by_id(h.conn(), id).await?.ok_or_else(ApiError::not_found)?;
        let owner = user_store::by_id(h.conn(), repo.owner_id).await?.ok_or_else(ApiError::not_found)?;
        if access_mode(h.conn(), user, &repo).await? == AccessMode::None {
            return Err(ApiError::not_found());
        }
        return Ok(Found::MovedTo { owner: owner.name, name: repo.name });
    };
    let mode = rows.access_mode(&state.db, user, &repo).await?;
    if mode == AccessMode::None {
        return Err(ApiError::not_found());
    }
    let dir = repo_path(&state.config.repository.root, &owner.name, &repo.name);
    Ok(Found::Repo(Box::new(RepoCtx { owner, repo, mode, dir, epoch })))
}

/// The request's own path with `/{owner}/{repo}` (its first occurrence) replaced by the new
/// place, and its query kept: where Gitea's `307` for an old repository name points.
fn moved_location(parts: &Parts, owner: &str, repo: &str, new_owner: &str, new_name: &str) -> String {
    let uri = parts.extensions.get::<OriginalUri>().map(|o| &o.0).unwrap_or(&parts.uri);
    let path = uri.path().replacen(&format!("/{owner}/{repo}"), &format!("/{new_owner}/{new_name}"), 1);
    match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    }
}

/// Whether a request with `method` to the route `matched` changes the repository, so that an
/// archived one answers 423. Reads never do; neither do the repository's own PATCH (whose
/// service lets an un-archiving edit through) and DELETE, nor a fork (which writes the new
/// repository, not this one).
fn is_repo_write(method: &Method, matched: Option<&str>) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let route = matched.unwrap_or("");
    let is_repo_itself = route.ends_with("/repos/{owner}/{repo}");
    let exempt = (is_repo_itself && matches!(*method, Method::PATCH | Method::DELETE))
        || (route.ends_with("/repos/{owner}/{repo}/forks") && *method == Method::POST);
    !exempt
}

/// The `{owner}/{repo}` route's repository, readable by the caller (else 404). Put it after the
/// authentication guard in a handler's arguments, so that a missing credential is still a 401.
pub struct RepoPath(pub RepoCtx);

impl FromRequestParts<AppState> for RepoPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| ApiError::not_found())?;
        let param = |name: &str| params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        let (Some(owner), Some(repo)) = (param("owner"), param("repo")) else {
            return Err(ApiError::not_found());
        };
        let identity = identity_of(parts);
        match load_repo(state, identity.user.as_deref(), &owner, &repo).await? {
            Found::Repo(ctx) => {
                // Gitea's `public-only` token scope.
                if identity.scopes.public_only() && ctx.repo.is_private {
                    return Err(ApiError::Message(
                        StatusCode::FORBIDDEN,
                        "token scope is limited to public repos".into(),
                    ));
                }
                if is_repo_write(&parts.method, parts.extensions.get::<MatchedPath>().map(MatchedPath::as_str)) {
                    ensure_writable(&ctx.repo)?;
                }
                Ok(RepoPath(*ctx))
            }
            Found::MovedTo { owner: new_owner, name } => {
                Err(ApiError::Redirect(moved_location(parts, &owner, &repo, &new_owner, &name)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_everything_but_reads_and_the_exempt_routes() {
        let repo = Some("/api/v1/repos/{owner}/{repo}");
        assert!(!is_repo_write(&Method::GET, Some("/api/v1/repos/{owner}/{repo}/issues")));
        assert!(!is_repo_write(&Method::HEAD, repo));
        assert!(!is_repo_write(&Method::PATCH, repo));
        assert!(!is_repo_write(&Method::DELETE, repo));
        assert!(!is_repo_write(&Method::POST, Some("/api/v1/repos/{owner}/{repo}/forks")));
        assert!(is_repo_write(&Method::POST, Some("/api/v1/repos/{owner}/{repo}/issues")));
        assert!(is_repo_write(&Method::PATCH, Some("/api/v1/repos/{owner}/{repo}/issue-tracker")));
        assert!(is_repo_write(&Method::POST, Some("/api/v1/repos/{owner}/{repo}/transfer")));
        assert!(is_repo_write(&Method::PUT, Some("/api/v1/repos/{owner}/{repo}/contents/{*path}")));
        assert!(is_repo_write(&Method::DELETE, Some("/api/v1/repos/{owner}/{repo}/hooks/{id}")));
    }
}
