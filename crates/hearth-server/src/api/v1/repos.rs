//! Repositories: create (`POST /user/repos`, `POST /admin/users/:u/repos`), get, delete, lists,
//! search, and the issue-tracker and wiki settings.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::repos::{self as repo_store, Settings};
use hearth_store::users::UserRow;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RepoCtx, load_user};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, LateBody, ListParams, Paged, RepoPath, SiteAdmin, TokenUser, Validator};
use crate::service::access::AccessMode;
use crate::service::repos::{self, CreateRepo};
use crate::service::row_cache::Answer;
use crate::service::{migrate, orgs, repo_lists};
use crate::types::{Permission, RepoSearchResults, Repository};

/// B4. CreateRepoOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateRepoOption {
    pub name: String,
    pub description: String,
    pub private: bool,
    pub unlisted: bool,
    pub auto_init: bool,
    pub gitignores: String,
    pub license: String,
    pub readme: String,
    /// Gitea's: the name of a label set (`GET /label/templates`) to create in the new repository.
    pub issue_labels: String,
}

impl CreateRepoOption {
    fn validate(&self) -> ApiResult<()> {
        Validator::new()
            .required("Name", &self.name)
            .alpha_dash_dot("Name", &self.name)
            .max_size("Name", &self.name, 100)
            .max_size("Description", &self.description, 255)
            .finish()
    }

    fn into_service(self) -> CreateRepo {
        CreateRepo {
            name: self.name,
            description: self.description,
            private: self.private,
            unlisted: self.unlisted,
            auto_init: self.auto_init,
            gitignores: self.gitignores,
            license: self.license,
            readme: self.readme,
            issue_labels: self.issue_labels,
        }
    }
}

async fn create(
    state: &AppState,
    owner: &UserRow,
    doer: &UserRow,
    opt: CreateRepoOption,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    opt.validate()?;
    let row = repos::create(state, owner, doer, &opt.into_service()).await?;
    let owner = load_user(state, &owner.name).await?;
    let perms = Permission::from_mode(AccessMode::Owner);
    Ok((StatusCode::CREATED, Json(Repository::new(&state.links, &row, &owner, Some(perms)))))
}

/// Create a repository owned by the caller.
#[utoipa::path(post, path = "/user/repos", tag = "repos",
    request_body = CreateRepoOption,
    responses((status = 201, body = Repository), (status = 401), (status = 422)))]
pub async fn create_my_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<CreateRepoOption>,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    create(&state, &me, &me, opt).await
}

/// Create a repository owned by any user (site admins).
#[utoipa::path(post, path = "/admin/users/{username}/repos", tag = "admin",
    params(("username" = String, Path)),
    request_body = CreateRepoOption,
    responses((status = 201, body = Repository), (status = 403), (status = 404), (status = 422)))]
pub async fn create_user_repo(
    State(state): State<AppState>,
    SiteAdmin(admin): SiteAdmin,
    Path(username): Path<String>,
    Body(opt): Body<CreateRepoOption>,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    let owner = load_user(&state, &username).await?;
    create(&state, &owner, &admin, opt).await
}

/// `me`'s own repositories (owner permissions), then those it has a grant on through
/// collaborations and teams (real permissions).
async fn my_repos(state: &AppState, me: &UserRow) -> ApiResult<Vec<Repository>> {
    Ok(repo_lists::mine(&state.db, me)
        .await?
        .iter()
        .map(|l| {
            let mut perms = Permission::from_mode(l.mode);
            perms.pull = true;
            Repository::new(&state.links, &l.repo, &l.owner, Some(perms))
        })
        .collect())
}

/// Repositories of `owner` as `viewer` may list them, with `viewer`'s real permissions.
async fn repos_of(state: &AppState, owner: &UserRow, viewer: &UserRow) -> ApiResult<Vec<Repository>> {
    if owner.id == viewer.id {
        return my_repos(state, viewer).await;
    }
    Ok(repo_lists::of_owner(&state.db, owner, Some(viewer))
        .await?
        .iter()
        .map(|l| Repository::new(&state.links, &l.repo, &l.owner, Some(Permission::from_mode(l.mode))))
        .collect())
}

/// The caller's repositories, then the ones it collaborates on or reaches through its teams.
#[utoipa::path(get, path = "/user/repos", tag = "repos",
    responses((status = 200, body = [Repository]), (status = 401)))]
pub async fn list_my_repos(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    // Pages are cut after the access rules (own, collaborations, teams) have been applied.
    Ok(Paged::slice(my_repos(&state, &me).await?, &params, params.optional()))
}

/// A user's repositories: all of them for the user (and site admins), public listed ones for others.
#[utoipa::path(get, path = "/users/{username}/repos", tag = "repos",
    params(("username" = String, Path)),
    responses((status = 200, body = [Repository]), (status = 401), (status = 404)))]
pub async fn list_user_repos(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    let owner = load_user(&state, &username).await?;
    Ok(Paged::slice(repos_of(&state, &owner, &me).await?, &params, params.optional()))
}

/// An organisation's repositories: public listed ones plus those of the caller's teams (works for
/// user names too, as in Gogs).
#[utoipa::path(get, path = "/orgs/{org}/repos", tag = "organizations",
    params(("org" = String, Path)),
    responses((status = 200, body = [Repository]), (status = 401), (status = 404)))]
pub async fn list_org_repos(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(org): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    let owner = load_user(&state, &org).await?;
    Ok(Paged::slice(repos_of(&state, &owner, &me).await?, &params, params.optional()))
}

/// Create a repository in an organisation (its owners only). `/org/:org/repos` is Gogs' path.
#[utoipa::path(post, path = "/org/{org}/repos", tag = "organizations",
    params(("org" = String, Path)),
    request_body = CreateRepoOption,
    responses((status = 201, body = Repository), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_org_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(org): Path<String>,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    let org = orgs::require_org(&state.db, &org).await?;
    orgs::require_owner(&state.db, &org, &me).await?;
    create(&state, &org, &me, body.parse()?).await
}

/// The GitHub/Gitea spelling of [`create_org_repo`].
#[utoipa::path(post, path = "/orgs/{org}/repos", tag = "organizations",
    params(("org" = String, Path)),
    request_body = CreateRepoOption,
    responses((status = 201, body = Repository), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_org_repo_alias(
    state: State<AppState>,
    me: TokenUser,
    org: Path<String>,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    create_org_repo(state, me, org, body).await
}

/// Search by name or description (`q`; its last path component; empty matches everything),
/// optionally within one owner (`uid`); private repositories only for their owner (or, for an
/// organisation, its owners).
#[utoipa::path(get, path = "/repos/search", tag = "repos",
    params(("q" = Option<String>, Query), ("uid" = Option<i64>, Query), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = RepoSearchResults)))]
pub async fn search_repos(
    State(state): State<AppState>,
    Auth(id): Auth,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    let q = params.get("q").unwrap_or("").trim();
    let keyword = q.rsplit('/').next().unwrap_or("");
    let uid = params.get("uid").and_then(|v| v.trim().parse::<i64>().ok()).filter(|u| *u > 0).unwrap_or(0);
    let me = id.user.as_deref();
    // Private repositories of `uid` appear for `uid` itself and for owners of organisation `uid`.
    let include_private_of = match me {
        Some(u) if uid == u.id => u.id,
        Some(u) if uid > 0 && orgs::is_owner(&state.db, uid, u.id).await? => uid,
        _ => -1,
    };
    let page = params.fixed(10);
    let mut h = state.db.acquire().await?;
    let search =
        repo_store::Search { keyword, owner_id: uid, include_private_of, limit: page.limit, offset: page.offset() };
    let (rows, total) = repo_store::search(h.conn(), &search).await?;
    let mut owners: Vec<UserRow> = Vec::new();
    let mut data = Vec::with_capacity(rows.len());
    for r in &rows {
        if !owners.iter().any(|o| o.id == r.owner_id) {
            let owner = hearth_store::users::by_id(h.conn(), r.owner_id).await?.ok_or_else(ApiError::not_found)?;
            owners.push(owner);
        }
        let owner = owners.iter().find(|o| o.id == r.owner_id).expect("just loaded");
        data.push(Repository::new(&state.links, r, owner, None));
    }
    Ok(Paged::page_wrapped(data, total, &params, page))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = Repository), (status = 404)))]
pub async fn get_repo(
    State(state): State<AppState>,
    Auth(_id): Auth,
    RepoPath(ctx): RepoPath,
) -> ApiResult<crate::json::Raw> {
    // The answer depends on the rows and on the caller's permission alone: kept until a write.
    let perms = ctx.permission();
    let bits = u8::from(perms.admin) | u8::from(perms.push) << 1 | u8::from(perms.pull) << 2;
    if let Some(body) = state.rows.answer(&state.db, Answer::Repo, ctx.repo.id, bits) {
        return Ok(crate::json::Raw(body));
    }
    let mut json = super::repo_manage::with_transfer(&state, &ctx.repo, &ctx.owner, perms).await?;
    if ctx.repo.is_fork {
        let mut h = state.db.acquire().await?;
        if let Some(parent) = repo_store::by_id(h.conn(), ctx.repo.fork_id).await?
            && let Some(parent_owner) = hearth_store::users::by_id(h.conn(), parent.owner_id).await?
        {
            json.parent = Some(Box::new(super::forks::parent_json(&state, &parent, &parent_owner)));
        }
    }
    let body = crate::json::to_bytes(&json).map_err(|e| ApiError::Internal(e.into()))?;
    state.rows.keep_answer(Answer::Repo, ctx.repo.id, bits, ctx.epoch, body.clone());
    Ok(crate::json::Raw(body))
}

/// Delete a repository and its directory (owners and site admins).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Owner)?;
    if ctx.owner.kind == hearth_store::UserKind::Organization {
        // Gogs asks for Owners-team membership on organisation repositories, site admins included.
        orgs::require_owner(&state.db, &ctx.owner, &me).await?;
    }
    repos::delete(&state, &ctx.owner, &ctx.repo).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// B18. EditIssueTrackerOption: present fields overwrite, absent ones stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditIssueTrackerOption {
    pub enable_issues: Option<bool>,
    pub enable_external_tracker: Option<bool>,
    pub external_tracker_url: Option<String>,
    pub tracker_url_format: Option<String>,
    pub tracker_issue_style: Option<String>,
}

/// B19. EditWikiOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditWikiOption {
    pub enable_wiki: Option<bool>,
    pub allow_public_wiki: Option<bool>,
    pub enable_external_wiki: Option<bool>,
    pub external_wiki_url: Option<String>,
}

/// The shared shape of the two settings routes: repository admins only, then the body, whose
/// present fields overwrite the stored ones.
async fn edit_settings<T: serde::de::DeserializeOwned>(
    state: &AppState,
    ctx: RepoCtx,
    body: LateBody,
    apply: impl FnOnce(T, &mut Settings),
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Admin)?;
    let mut settings = Settings::of(&ctx.repo);
    apply(body.parse()?, &mut settings);
    repos::update_settings(state, &ctx.repo, &settings).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn set<V>(field: &mut V, value: Option<V>) {
    if let Some(v) = value {
        *field = v;
    }
}

#[utoipa::path(patch, path = "/repos/{owner}/{repo}/issue-tracker", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = EditIssueTrackerOption,
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn edit_issue_tracker(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<StatusCode> {
    edit_settings(&state, ctx, body, |opt: EditIssueTrackerOption, s| {
        set(&mut s.enable_issues, opt.enable_issues);
        set(&mut s.enable_external_tracker, opt.enable_external_tracker);
        set(&mut s.external_tracker_url, opt.external_tracker_url);
        set(&mut s.external_tracker_format, opt.tracker_url_format);
        set(&mut s.external_tracker_style, opt.tracker_issue_style);
    })
    .await
}

#[utoipa::path(patch, path = "/repos/{owner}/{repo}/wiki", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = EditWikiOption,
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn edit_wiki(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<StatusCode> {
    edit_settings(&state, ctx, body, |opt: EditWikiOption, s| {
        set(&mut s.enable_wiki, opt.enable_wiki);
        set(&mut s.allow_public_wiki, opt.allow_public_wiki);
        set(&mut s.enable_external_wiki, opt.enable_external_wiki);
        set(&mut s.external_wiki_url, opt.external_wiki_url);
    })
    .await
}

/// B5. MigrateRepoOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MigrateRepoOption {
    pub clone_addr: String,
    pub auth_username: String,
    pub auth_password: String,
    pub uid: i64,
    pub repo_name: String,
    pub mirror: bool,
    pub private: bool,
    pub unlisted: bool,
    pub description: String,
}

/// Clone a repository from an http(s) URL (or, when allowed, a directory on this host),
/// optionally as a pull mirror.
#[utoipa::path(post, path = "/repos/migrate", tag = "repos",
    request_body = MigrateRepoOption,
    responses((status = 201, body = Repository), (status = 401), (status = 403), (status = 422)))]
pub async fn migrate_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<MigrateRepoOption>,
) -> ApiResult<(StatusCode, Json<Repository>)> {
    let mut v = Validator::new();
    v.required("CloneAddr", &opt.clone_addr);
    if opt.uid == 0 {
        v.required("UID", "");
    }
    v.required("RepoName", &opt.repo_name)
        .alpha_dash_dot("RepoName", &opt.repo_name)
        .max_size("RepoName", &opt.repo_name, 100)
        .max_size("Description", &opt.description, 512)
        .finish()?;
    let m = migrate::Migrate {
        clone_addr: opt.clone_addr,
        auth_username: opt.auth_username,
        auth_password: opt.auth_password,
        uid: opt.uid,
        repo_name: opt.repo_name,
        mirror: opt.mirror,
        private: opt.private,
        description: opt.description,
    };
    let row = migrate::migrate(&state, &me, &m).await?;
    let owner = {
        let mut h = state.db.acquire().await?;
        hearth_store::users::by_id(h.conn(), row.owner_id).await?.ok_or_else(ApiError::not_found)?
    };
    let perms = Permission::from_mode(AccessMode::Owner);
    Ok((StatusCode::CREATED, Json(Repository::new(&state.links, &row, &owner, Some(perms)))))
}

/// Queue an update of a pull mirror (repository admins); 404 for other repositories.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/mirror-sync", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 202), (status = 401), (status = 403), (status = 404)))]
pub async fn sync_mirror(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo)): Path<(String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Admin)?;
    if !ctx.repo.is_mirror {
        return Err(ApiError::not_found());
    }
    let id = ctx.repo.id;
    tokio::spawn(async move {
        if let Err(e) = migrate::sync_mirror(&state, id).await {
            tracing::warn!(error = %e, repo = id, "mirror sync");
        }
    });
    Ok(StatusCode::ACCEPTED)
}
