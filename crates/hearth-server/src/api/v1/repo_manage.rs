//! Repository management (Gitea's API): `PATCH /repos/:o/:r` (settings, rename, archive) and the
//! transfer routes `POST /repos/:o/:r/transfer`, `…/transfer/accept`, `…/transfer/reject`.

use crate::json::Json;
use axum::extract::State;
use axum::http::StatusCode;
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;
use serde::Deserialize;
use utoipa::ToSchema;

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, RepoPath, TokenUser, Validator};
use crate::service::ServiceError;
use crate::service::access::AccessMode;
use crate::service::repo_manage::{self, EditRepo, Transferred};
use crate::types::{Permission, RepoTransfer, Repository, Team, User};

/// Gitea's EditRepoOption: present fields change, absent ones stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditRepoOption {
    pub name: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub private: Option<bool>,
    /// A branch that does not exist is ignored (an empty repository takes any name).
    pub default_branch: Option<String>,
    pub has_issues: Option<bool>,
    pub has_wiki: Option<bool>,
    pub has_pull_requests: Option<bool>,
    /// `false` un-archives: the only edit an archived repository takes.
    pub archived: Option<bool>,
    pub allow_merge_commits: Option<bool>,
    pub allow_rebase: Option<bool>,
    pub allow_rebase_explicit: Option<bool>,
    pub allow_squash_merge: Option<bool>,
    pub allow_fast_forward_only_merge: Option<bool>,
    /// `merge`, `rebase`, `rebase-merge`, `squash` or `fast-forward-only`.
    pub default_merge_style: Option<String>,
}

impl EditRepoOption {
    fn validate(&self) -> ApiResult<()> {
        let mut v = Validator::new();
        if let Some(name) = &self.name {
            v.alpha_dash_dot("Name", name).max_size("Name", name, 100);
        }
        if let Some(d) = &self.description {
            v.max_size("Description", d, 2048);
        }
        if let Some(w) = &self.website {
            v.max_size("Website", w, 1024);
        }
        v.finish()
    }

    fn into_service(self) -> EditRepo {
        EditRepo {
            name: self.name,
            description: self.description,
            website: self.website,
            private: self.private,
            default_branch: self.default_branch,
            has_issues: self.has_issues,
            has_wiki: self.has_wiki,
            has_pull_requests: self.has_pull_requests,
            archived: self.archived,
            allow_merge_commits: self.allow_merge_commits,
            allow_rebase: self.allow_rebase,
            allow_rebase_explicit: self.allow_rebase_explicit,
            allow_squash_merge: self.allow_squash_merge,
            allow_fast_forward_only_merge: self.allow_fast_forward_only_merge,
            default_merge_style: self.default_merge_style,
        }
    }
}

/// Edit a repository (its admins): settings, a new name (the old one then redirects), archiving.
#[utoipa::path(patch, path = "/repos/{owner}/{repo}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = EditRepoOption,
    responses((status = 200, body = Repository), (status = 401), (status = 403), (status = 404), (status = 422),
        (status = 423, description = "archived (only un-archiving is taken)")))]
pub async fn edit_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<Repository>> {
    ctx.require(AccessMode::Admin)?;
    let opt: EditRepoOption = body.parse()?;
    opt.validate()?;
    let row = repo_manage::edit(&state, &ctx.owner, &ctx.repo, &me, &opt.into_service()).await?;
    Ok(Json(Repository::new(&state.links, &row, &ctx.owner, Some(ctx.permission()))))
}

/// Gitea's TransferRepoOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct TransferRepoOption {
    pub new_owner: String,
    /// Teams of the new owner (an organisation) that get the repository.
    pub team_ids: Option<Vec<i64>>,
}

/// A repository with its pending transfer, as the single-repository answers show it.
pub(crate) async fn with_transfer(
    state: &AppState,
    row: &RepoRow,
    owner: &UserRow,
    perms: Permission,
) -> ApiResult<Repository> {
    let mut json = Repository::new(&state.links, row, owner, Some(perms));
    if let Some(p) = state.rows.pending_transfer(&state.db, row).await? {
        json.repo_transfer = Some(RepoTransfer {
            doer: User::new(&state.links, &p.doer, true),
            recipient: User::new(&state.links, &p.recipient, true),
            teams: p.teams.iter().map(Team::new).collect(),
        });
    }
    Ok(json)
}

/// Transfer a repository (its owners): at once into the caller's own account or an organisation
/// it owns (202), otherwise pending until the recipient accepts (201).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/transfer", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = TransferRepoOption,
    responses((status = 201, body = Repository, description = "pending"), (status = 202, body = Repository),
        (status = 401), (status = 403), (status = 404), (status = 409), (status = 422), (status = 423)))]
pub async fn transfer_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    ctx.require(AccessMode::Owner)?;
    let opt: TransferRepoOption = body.parse()?;
    Validator::new().required("NewOwner", &opt.new_owner).finish()?;
    let new_owner = load_user(&state, &opt.new_owner).await.map_err(|_| {
        ApiError::Message(StatusCode::NOT_FOUND, "The new owner does not exist or cannot be found".into())
    })?;
    let teams = repo_manage::transfer_teams(&state, &new_owner, opt.team_ids.as_deref()).await?;
    // Gitea answers a transfer's caller with admin permissions.
    let perms = Permission::from_mode(AccessMode::Admin);
    match repo_manage::start_transfer(&state, &ctx.owner, &ctx.repo, &me, &new_owner, &teams).await? {
        Transferred::Done(row) => {
            Ok((StatusCode::ACCEPTED, Json(Repository::new(&state.links, &row, &new_owner, Some(perms)))))
        }
        Transferred::Pending(row) => {
            Ok((StatusCode::CREATED, Json(with_transfer(&state, &row, &ctx.owner, perms).await?)))
        }
    }
}

/// Accept the repository's pending transfer (its recipient, or an owner of the recipient
/// organisation): the repository moves now.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/transfer/accept", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 202, body = Repository), (status = 401), (status = 403), (status = 404), (status = 423)))]
pub async fn accept_transfer(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    let row = repo_manage::accept_transfer(&state, &ctx.owner, &ctx.repo, &me).await.map_err(no_transfer)?;
    let owner = {
        let mut h = state.db.acquire().await?;
        hearth_store::users::by_id(h.conn(), row.owner_id).await?.ok_or_else(ApiError::not_found)?
    };
    Ok((StatusCode::ACCEPTED, Json(Repository::new(&state.links, &row, &owner, Some(ctx.permission())))))
}

/// Reject the repository's pending transfer (its recipient, or an owner of the recipient
/// organisation): the repository stays where it is.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/transfer/reject", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = Repository), (status = 401), (status = 403), (status = 404), (status = 423)))]
pub async fn reject_transfer(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Repository>> {
    let row = repo_manage::reject_transfer(&state, &ctx.repo, &me).await.map_err(no_transfer)?;
    Ok(Json(Repository::new(&state.links, &row, &ctx.owner, Some(ctx.permission()))))
}

/// No pending transfer: Gitea's 404 message.
fn no_transfer(e: ServiceError) -> ApiError {
    match e {
        ServiceError::NotFound => {
            ApiError::Message(StatusCode::NOT_FOUND, "repository doesn't have a pending transfer".into())
        }
        other => other.into(),
    }
}
