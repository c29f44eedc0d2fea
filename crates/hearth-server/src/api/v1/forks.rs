//! Forks: `GET /repos/:o/:r/forks` (readable forks only) and `POST /repos/:o/:r/forks` (into the
//! caller; organisations when they exist).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hearth_store::repos as repo_store;
use hearth_store::users as user_store;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{LateBody, ListParams, Paged, RepoPath, TokenUser};
use crate::service::access::{AccessMode, access_modes};
use crate::service::{migrate, orgs};
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
    let mut h = state.db.acquire().await?;
    let mut out = Vec::new();
    // Owners are looked up once each, not once per fork.
    let mut owners: Vec<hearth_store::users::UserRow> = Vec::new();
    let forks = repo_store::forks_of(h.conn(), ctx.repo.id).await?;
    let modes = access_modes(h.conn(), &me, &forks).await?;
    for (fork, mode) in forks.into_iter().zip(modes) {
        if mode == AccessMode::None {
            continue;
        }
        if !owners.iter().any(|o| o.id == fork.owner_id) {
            let Some(o) = user_store::by_id(h.conn(), fork.owner_id).await? else { continue };
            owners.push(o);
        }
        let fork_owner = owners.iter().find(|o| o.id == fork.owner_id).expect("loaded above");
        let mut json = Repository::new(&state.links, &fork, fork_owner, Some(Permission::from_mode(mode)));
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
    let row = migrate::fork(&state, &ctx.owner, &ctx.repo, &target, &me).await?;
    let target_now = super::load_user(&state, &target.name).await?;
    let mut json = Repository::new(&state.links, &row, &target_now, Some(Permission::from_mode(AccessMode::Owner)));
    json.parent = Some(Box::new(parent_json(&state, &ctx.repo, &ctx.owner)));
    Ok((StatusCode::ACCEPTED, Json(json)))
}
