//! The repository a route names: `{owner}/{repo}` of the path, the repository and its owner loaded
//! and the caller's access mode computed once, before the handler runs. API handlers and (later)
//! web pages take [`RepoPath`] instead of opening each repository by hand.

use std::path::{Path, PathBuf};

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self as user_store, UserRow};

use super::auth::identity_of;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::service::access::{AccessMode, access_mode};
use crate::service::repos::repo_path;
use crate::types::Permission;

/// A repository as the caller sees it.
pub struct RepoCtx {
    pub owner: UserRow,
    pub repo: RepoRow,
    pub mode: AccessMode,
    dir: PathBuf,
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

/// Find `owner/name` for `user`: missing owner, missing repository and no read access are the
/// same 404.
async fn load_repo(state: &AppState, user: Option<&UserRow>, owner: &str, name: &str) -> ApiResult<RepoCtx> {
    let mut h = state.db.acquire().await?;
    let owner = user_store::by_name(h.conn(), owner).await?.ok_or_else(ApiError::not_found)?;
    let repo = repo_store::by_name(h.conn(), owner.id, name).await?.ok_or_else(ApiError::not_found)?;
    let mode = access_mode(h.conn(), user, &repo).await?;
    if mode == AccessMode::None {
        return Err(ApiError::not_found());
    }
    let dir = repo_path(&state.config.repository.root, &owner.name, &repo.name);
    Ok(RepoCtx { owner, repo, mode, dir })
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
        let ctx = load_repo(state, identity.user.as_deref(), &owner, &repo).await?;
        // Gitea's `public-only` token scope.
        if identity.scopes.public_only() && ctx.repo.is_private {
            return Err(ApiError::Message(StatusCode::FORBIDDEN, "token scope is limited to public repos".into()));
        }
        Ok(RepoPath(ctx))
    }
}
