//! Forks: `GET /repos/:o/:r/forks` (readable forks only) and `POST /repos/:o/:r/forks` (into the
//! caller; organisations when they exist).

use crate::json::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{LateBody, ListParams, Paged, RepoPath, TokenUser};
use crate::service::access::AccessMode;
use crate::service::{migrate, orgs, repo_lists};
use crate::types::{Permission, Repository};

/// Direct forks the caller can read, with the caller's permissions (hearth hides private forks
/// from those who may not see them, unlike Gogs).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/forks", tag = "forks",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [Repository]), (status = 401), (status = 404)))]
pub async fn list_forks(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    let mut out = Vec::new();
    for f in repo_lists::forks(&state.db, Some(&me), ctx.repo.id).await? {
        let mut json = Repository::new(&state.links, &f.repo, &f.owner, Some(Permission::from_mode(f.mode)));
        json.parent = Some(Box::new(parent_json(&state, &ctx.repo, &ctx.owner)));
        out.push(json);
    }
    // Forks the caller cannot see are left out first, then the page is cut.
    Ok(Paged::slice(out, &params, params.optional()))
}

/// The `parent` of a fork: one level deep, read-only permissions (as Gogs shows it).
pub(crate) fn parent_json(
    state: &AppState,
    parent: &hearth_store::repos::RepoRow,
    owner: &hearth_store::users::UserRow,
) -> Repository {
    Repository::new(&state.links, parent, owner, Some(Permission { admin: false, push: false, pull: true }))
}

/// Gitea's CreateForkOption: fork into an organisation the caller owns instead of its own account.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CreateForkOption {
    pub organization: Option<String>,
}

/// Fork a readable repository into the caller's account (or, with `organization`, into an
/// organisation the caller owns).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/forks", tag = "forks",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateForkOption,
    responses((status = 202, body = Repository), (status = 401), (status = 404), (status = 422)))]
pub async fn create_fork(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    let opt: CreateForkOption = if body.is_empty() { CreateForkOption::default() } else { body.parse()? };
    let target = match opt.organization.as_deref().filter(|o| !o.is_empty()) {
        Some(org) => {
            let org = orgs::require_org(&state.db, org).await?;
            orgs::require_owner(&state.db, &org, &me).await?;
            org
        }
        None => (*me).clone(),
    };
    let row = migrate::fork(&state, &ctx.owner, &ctx.repo, &target, &me, &migrate::ForkAs::default()).await?;
    let target_now = super::load_user(&state, &target.name).await?;
    let mut json = Repository::new(&state.links, &row, &target_now, Some(Permission::from_mode(AccessMode::Owner)));
    json.parent = Some(Box::new(parent_json(&state, &ctx.repo, &ctx.owner)));
    Ok((StatusCode::ACCEPTED, Json(json)))
}
