//! Teams: Gogs' `GET /orgs/:org/teams` and admin routes, plus Gitea's non-admin team routes
//! (`POST /orgs/:org/teams`, `/teams/:id…`) for organisation owners.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::orgs::{self as org_store, TeamRow};
use hearth_store::users::UserRow;
use serde::Deserialize;
use utoipa::ToSchema;

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Body, LateBody, ListParams, Page, Paged, SiteAdmin, TokenUser, Validator};
use crate::service::access::AccessMode;
use crate::service::orgs;
use crate::types::{Permission, Repository, Team, User};

/// B22. CreateTeamOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateTeamOption {
    pub name: String,
    pub description: String,
    /// `read` (default), `write` or `admin`; anything else is read.
    pub permission: String,
}

impl CreateTeamOption {
    fn validate(&self) -> ApiResult<()> {
        Validator::new()
            .required("Name", &self.name)
            .alpha_dash_dot("Name", &self.name)
            .max_size("Name", &self.name, 30)
            .max_size("Description", &self.description, 255)
            .finish()
    }
}

/// Gitea's EditTeamOption: present fields change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditTeamOption {
    pub name: Option<String>,
    pub description: Option<String>,
    pub permission: Option<String>,
}

async fn create(state: &AppState, org: &UserRow, opt: CreateTeamOption) -> ApiResult<(StatusCode, Json<Team>)> {
    opt.validate()?;
    let mode = AccessMode::parse_grant(&opt.permission);
    let team = orgs::create_team(&state.db, org, &opt.name, &opt.description, mode).await?;
    Ok((StatusCode::CREATED, Json(Team::new(&team))))
}

/// Any token holder may list any organisation's teams (as Gogs).
#[utoipa::path(get, path = "/orgs/{org}/teams", tag = "organizations",
    params(("org" = String, Path)),
    responses((status = 200, body = [Team]), (status = 401), (status = 404)))]
pub async fn list_teams(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path(org): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Team>> {
    let org = orgs::require_org(&state.db, &org).await?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = org_store::teams_of_org(h.conn(), org.id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(Team::new).collect(), total, &params, page))
}

/// Create a team (organisation owners; Gitea's route).
#[utoipa::path(post, path = "/orgs/{org}/teams", tag = "organizations",
    params(("org" = String, Path)),
    request_body = CreateTeamOption,
    responses((status = 201, body = Team), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_team(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(org): Path<String>,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Team>)> {
    let org = orgs::require_org(&state.db, &org).await?;
    orgs::require_owner(&state.db, &org, &me).await?;
    create(&state, &org, body.parse()?).await
}

/// Create a team in any organisation (site admins).
#[utoipa::path(post, path = "/admin/orgs/{org}/teams", tag = "admin",
    params(("org" = String, Path)),
    request_body = CreateTeamOption,
    responses((status = 201, body = Team), (status = 403), (status = 404), (status = 422)))]
pub async fn admin_create_team(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path(org): Path<String>,
    Body(opt): Body<CreateTeamOption>,
) -> ApiResult<(StatusCode, Json<Team>)> {
    let org = orgs::require_org(&state.db, &org).await?;
    create(&state, &org, opt).await
}

/// A team the caller may see: members of its organisation and site admins (404 for others).
async fn visible_team(state: &AppState, id: i64, me: &UserRow) -> ApiResult<(TeamRow, UserRow)> {
    let (team, org) = orgs::require_team(&state.db, id).await?;
    let mut h = state.db.acquire().await?;
    if me.is_admin || org_store::is_member(h.conn(), org.id, me.id).await? {
        Ok((team, org))
    } else {
        Err(ApiError::not_found())
    }
}

/// A team its organisation's owners (and site admins) manage; 403 for other members.
async fn managed_team(state: &AppState, id: i64, me: &UserRow) -> ApiResult<TeamRow> {
    let (team, org) = visible_team(state, id, me).await?;
    if !me.is_admin {
        orgs::require_owner(&state.db, &org, me).await?;
    }
    Ok(team)
}

#[utoipa::path(get, path = "/teams/{id}", tag = "organizations",
    params(("id" = i64, Path)),
    responses((status = 200, body = Team), (status = 401), (status = 404)))]
pub async fn get_team(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<i64>,
) -> ApiResult<Json<Team>> {
    let (team, _) = visible_team(&state, id, &me).await?;
    Ok(Json(Team::new(&team)))
}

/// Rename a team or change its description or permission (the Owners team keeps its name and
/// mode).
#[utoipa::path(patch, path = "/teams/{id}", tag = "organizations",
    params(("id" = i64, Path)),
    request_body = EditTeamOption,
    responses((status = 200, body = Team), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_team(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<i64>,
    body: LateBody,
) -> ApiResult<Json<Team>> {
    let team = managed_team(&state, id, &me).await?;
    let opt: EditTeamOption = body.parse()?;
    let mut v = Validator::new();
    if let Some(name) = &opt.name {
        v.required("Name", name).alpha_dash_dot("Name", name).max_size("Name", name, 30);
    }
    if let Some(d) = &opt.description {
        v.max_size("Description", d, 255);
    }
    v.finish()?;
    let mode = opt.permission.as_deref().map(AccessMode::parse_grant);
    let team = orgs::edit_team(&state.db, &team, opt.name.as_deref(), opt.description.as_deref(), mode).await?;
    Ok(Json(Team::new(&team)))
}

#[utoipa::path(delete, path = "/teams/{id}", tag = "organizations",
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn delete_team(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let team = managed_team(&state, id, &me).await?;
    orgs::delete_team(&state.db, &team).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn members_json(state: &AppState, team: &TeamRow, params: &ListParams) -> ApiResult<Paged<User>> {
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = org_store::team_members(h.conn(), team.id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(|u| User::new(&state.links, u, true)).collect(), total, params, page))
}

#[utoipa::path(get, path = "/teams/{id}/members", tag = "organizations",
    params(("id" = i64, Path)),
    responses((status = 200, body = [User]), (status = 401), (status = 404)))]
pub async fn list_team_members(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<i64>,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    let (team, _) = visible_team(&state, id, &me).await?;
    members_json(&state, &team, &params).await
}

#[utoipa::path(get, path = "/admin/teams/{id}/members", tag = "admin",
    params(("id" = i64, Path)),
    responses((status = 200, body = [User]), (status = 403), (status = 404)))]
pub async fn admin_list_team_members(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path(id): Path<i64>,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    let (team, _) = orgs::require_team(&state.db, id).await?;
    members_json(&state, &team, &params).await
}

async fn add_member(state: &AppState, team: &TeamRow, username: &str) -> ApiResult<StatusCode> {
    let user = load_user(state, username).await?;
    orgs::add_team_member(&state.db, team, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_member(state: &AppState, team: &TeamRow, username: &str) -> ApiResult<StatusCode> {
    let user = load_user(state, username).await?;
    orgs::remove_team_member(&state.db, team, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a user to a team and to its organisation (idempotent).
#[utoipa::path(put, path = "/admin/teams/{id}/members/{username}", tag = "admin",
    params(("id" = i64, Path), ("username" = String, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn admin_add_team_member(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path((id, username)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let (team, _) = orgs::require_team(&state.db, id).await?;
    add_member(&state, &team, &username).await
}

/// Remove a user from a team (the last owner stays: 422).
#[utoipa::path(delete, path = "/admin/teams/{id}/members/{username}", tag = "admin",
    params(("id" = i64, Path), ("username" = String, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn admin_remove_team_member(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path((id, username)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let (team, _) = orgs::require_team(&state.db, id).await?;
    remove_member(&state, &team, &username).await
}

#[utoipa::path(put, path = "/teams/{id}/members/{username}", tag = "organizations",
    params(("id" = i64, Path), ("username" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn add_team_member(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((id, username)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let team = managed_team(&state, id, &me).await?;
    add_member(&state, &team, &username).await
}

#[utoipa::path(delete, path = "/teams/{id}/members/{username}", tag = "organizations",
    params(("id" = i64, Path), ("username" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn remove_team_member(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((id, username)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let team = managed_team(&state, id, &me).await?;
    remove_member(&state, &team, &username).await
}

/// A team's repositories (all of the organisation's for Owners), with the team's permissions.
#[utoipa::path(get, path = "/teams/{id}/repos", tag = "organizations",
    params(("id" = i64, Path)),
    responses((status = 200, body = [Repository]), (status = 401), (status = 404)))]
pub async fn list_team_repos(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(id): Path<i64>,
    params: ListParams,
) -> ApiResult<Paged<Repository>> {
    let (team, org) = visible_team(&state, id, &me).await?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) =
        org_store::team_repos(h.conn(), team.id, org.id, team.is_owners(), Page::window_of(page)).await?;
    let perms = Permission::from_mode(team.authorize);
    Ok(Paged::list(
        rows.iter().map(|r| Repository::new(&state.links, r, &org, Some(perms))).collect(),
        total,
        &params,
        page,
    ))
}

/// Give a team one of its organisation's repositories (idempotent; 404 for a name the
/// organisation does not have).
#[utoipa::path(put, path = "/admin/teams/{id}/repos/{reponame}", tag = "admin",
    params(("id" = i64, Path), ("reponame" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn admin_add_team_repo(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path((id, repo)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let (team, _) = orgs::require_team(&state.db, id).await?;
    orgs::add_team_repo(&state.db, &team, &repo).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/admin/teams/{id}/repos/{reponame}", tag = "admin",
    params(("id" = i64, Path), ("reponame" = String, Path)),
    responses((status = 204), (status = 403), (status = 404)))]
pub async fn admin_remove_team_repo(
    State(state): State<AppState>,
    SiteAdmin(_admin): SiteAdmin,
    Path((id, repo)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let (team, _) = orgs::require_team(&state.db, id).await?;
    orgs::remove_team_repo(&state.db, &team, &repo).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gitea's spelling: `/teams/:id/repos/:org/:repo` (organisation owners).
#[utoipa::path(put, path = "/teams/{id}/repos/{org}/{reponame}", tag = "organizations",
    params(("id" = i64, Path), ("org" = String, Path), ("reponame" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn add_team_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((id, org, repo)): Path<(i64, String, String)>,
) -> ApiResult<StatusCode> {
    let team = team_in_org(&state, id, &org, &me).await?;
    orgs::add_team_repo(&state.db, &team, &repo).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/teams/{id}/repos/{org}/{reponame}", tag = "organizations",
    params(("id" = i64, Path), ("org" = String, Path), ("reponame" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn remove_team_repo(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((id, org, repo)): Path<(i64, String, String)>,
) -> ApiResult<StatusCode> {
    let team = team_in_org(&state, id, &org, &me).await?;
    orgs::remove_team_repo(&state.db, &team, &repo).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn team_in_org(state: &AppState, id: i64, org: &str, me: &UserRow) -> ApiResult<TeamRow> {
    let team = managed_team(state, id, me).await?;
    let org = orgs::require_org(&state.db, org).await?;
    if org.id != team.org_id {
        return Err(ApiError::not_found());
    }
    Ok(team)
}
