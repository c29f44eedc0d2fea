//! Organisations and their members: `/user/orgs`, `/users/:u/orgs`, `/orgs/:org`, members and
//! memberships, and the admin route that creates an organisation for a user.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::orgs as org_store;
use hearth_store::users::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::load_user;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, LateBody, ListParams, Page, Paged, SignedInAdmin, SiteAdmin, TokenUser, Validator};
use crate::service::orgs::{self, OrgProfile};
use crate::types::{GiteaOrganization, Organization, User};

/// B20. CreateOrgOption (`user_name` is the form key).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateOrgOption {
    #[serde(alias = "user_name")]
    pub username: String,
    pub full_name: String,
    pub description: String,
    pub website: String,
    pub location: String,
}

impl CreateOrgOption {
    fn validate(&self) -> ApiResult<()> {
        Validator::new()
            .required("UserName", &self.username)
            .alpha_dash_dot("UserName", &self.username)
            .max_size("UserName", &self.username, 35)
            .finish()
    }

    fn profile(&self) -> OrgProfile {
        OrgProfile {
            full_name: self.full_name.clone(),
            description: self.description.clone(),
            website: self.website.clone(),
            location: self.location.clone(),
        }
    }
}

/// B21. EditOrgOption: every absent field is written as empty, as Gogs does.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditOrgOption {
    pub full_name: String,
    pub description: String,
    pub website: String,
    pub location: String,
}

async fn create(
    state: &AppState,
    doer: &UserRow,
    owner: &UserRow,
    opt: CreateOrgOption,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    opt.validate()?;
    let org = orgs::create_as(&state.db, &state.config, doer, owner, &opt.username, &opt.profile()).await?;
    Ok((StatusCode::CREATED, Json(Organization::new(&state.links, &org))))
}

/// The organisations `uid` belongs to (only public memberships when `public_only`), paged on request.
async fn org_list(
    state: &AppState,
    uid: i64,
    public_only: bool,
    params: &ListParams,
) -> ApiResult<Paged<Organization>> {
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = org_store::orgs_of(h.conn(), uid, public_only, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(|o| Organization::new(&state.links, o)).collect(), total, params, page))
}

/// The caller's organisations (public and private memberships), by id.
#[utoipa::path(get, path = "/user/orgs", tag = "organizations",
    responses((status = 200, body = [Organization]), (status = 401)))]
pub async fn list_my_orgs(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    params: ListParams,
) -> ApiResult<Paged<Organization>> {
    org_list(&state, me.id, false, &params).await
}

/// Create an organisation owned by the caller (site admins only under
/// `[admin] DISABLE_REGULAR_ORG_CREATION`).
#[utoipa::path(post, path = "/user/orgs", tag = "organizations",
    request_body = CreateOrgOption,
    responses((status = 201, body = Organization), (status = 401), (status = 403), (status = 422)))]
pub async fn create_my_org(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<CreateOrgOption>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    create(&state, &me, &me, opt).await
}

/// Gitea's CreateOrgOption: Gogs' fields plus `visibility` and `repo_admin_change_team_access`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct GiteaCreateOrgOption {
    pub username: String,
    pub full_name: String,
    pub description: String,
    pub website: String,
    pub location: String,
    /// `public` (or empty); hearth has no limited or private organisations (422).
    pub visibility: String,
    /// Must be false: hearth's repository administrators never change team access (422 if true).
    pub repo_admin_change_team_access: bool,
}

/// Create an organisation owned by the caller (Gitea's route; the same rules as `POST /user/orgs`).
#[utoipa::path(post, path = "/orgs", tag = "organizations",
    request_body = GiteaCreateOrgOption,
    responses((status = 201, body = GiteaOrganization), (status = 401), (status = 403), (status = 422)))]
pub async fn create_org(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Body(opt): Body<GiteaCreateOrgOption>,
) -> ApiResult<(StatusCode, Json<GiteaOrganization>)> {
    let base = CreateOrgOption {
        username: opt.username,
        full_name: opt.full_name,
        description: opt.description,
        website: opt.website,
        location: opt.location,
    };
    base.validate()?;
    orgs::check_may_create(&state.config, &me)?;
    orgs::check_visibility(&opt.visibility)?;
    if opt.repo_admin_change_team_access {
        return Err(ApiError::unprocessable(
            "repo_admin_change_team_access is not supported: only organization owners change team access",
        ));
    }
    let org = orgs::create_as(&state.db, &state.config, &me, &me, &base.username, &base.profile()).await?;
    Ok((StatusCode::CREATED, Json(GiteaOrganization::new(&state.links, &org))))
}

/// A user's public organisation memberships.
#[utoipa::path(get, path = "/users/{username}/orgs", tag = "organizations",
    params(("username" = String, Path)),
    responses((status = 200, body = [Organization]), (status = 404)))]
pub async fn list_user_orgs(
    State(state): State<AppState>,
    Auth(_id): Auth,
    Path(username): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<Organization>> {
    let user = load_user(&state, &username).await?;
    org_list(&state, user.id, true, &params).await
}

/// Create an organisation owned by `username` (site admins).
#[utoipa::path(post, path = "/admin/users/{username}/orgs", tag = "admin",
    params(("username" = String, Path)),
    request_body = CreateOrgOption,
    responses((status = 201, body = Organization), (status = 403), (status = 404), (status = 422)))]
pub async fn admin_create_org(
    State(state): State<AppState>,
    SiteAdmin(admin): SiteAdmin,
    Path(username): Path<String>,
    Body(opt): Body<CreateOrgOption>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let owner = load_user(&state, &username).await?;
    create(&state, &admin, &owner, opt).await
}

/// Every organisation, by id (site admins; a Gitea extension: 401 without credentials).
#[utoipa::path(get, path = "/admin/orgs", tag = "admin",
    params(("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Organization]), (status = 401), (status = 403)))]
pub async fn admin_list_orgs(
    State(state): State<AppState>,
    SignedInAdmin(_admin): SignedInAdmin,
    params: ListParams,
) -> ApiResult<Paged<Organization>> {
    let page = params.fixed(10);
    let mut h = state.db.acquire().await?;
    let (rows, total) = hearth_store::users::list_orgs(h.conn(), page.limit, page.offset()).await?;
    let data = rows.iter().map(|o| Organization::new(&state.links, o)).collect();
    Ok(Paged::page(data, total, &params, page))
}

#[utoipa::path(get, path = "/orgs/{org}", tag = "organizations",
    params(("org" = String, Path)),
    responses((status = 200, body = Organization), (status = 401), (status = 404)))]
pub async fn get_org(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path(org): Path<String>,
) -> ApiResult<Json<Organization>> {
    let org = orgs::require_org(&state.db, &org).await?;
    Ok(Json(Organization::new(&state.links, &org)))
}

/// Overwrite an organisation's profile (its owners only; 403 for everyone else).
#[utoipa::path(patch, path = "/orgs/{org}", tag = "organizations",
    params(("org" = String, Path)),
    request_body = EditOrgOption,
    responses((status = 200, body = Organization), (status = 401), (status = 403), (status = 404)))]
pub async fn edit_org(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(org): Path<String>,
    body: LateBody,
) -> ApiResult<Json<Organization>> {
    let org = orgs::require_org(&state.db, &org).await?;
    if !orgs::is_owner(&state.db, org.id, me.id).await? {
        return Err(ApiError::forbidden());
    }
    let opt: EditOrgOption = body.parse()?;
    let profile = OrgProfile {
        full_name: opt.full_name,
        description: opt.description,
        website: opt.website,
        location: opt.location,
    };
    Ok(Json(Organization::new(&state.links, &orgs::edit(&state.db, &org, &profile).await?)))
}

/// An organisation and whether the caller may see its private parts (members, site admins).
async fn org_for_member(state: &AppState, name: &str, me: &UserRow) -> ApiResult<(UserRow, bool)> {
    let org = orgs::require_org(&state.db, name).await?;
    let mut h = state.db.acquire().await?;
    let insider = me.is_admin || org_store::is_member(h.conn(), org.id, me.id).await?;
    Ok((org, insider))
}

/// Members: all of them for members of the organisation, the public ones for everyone else.
#[utoipa::path(get, path = "/orgs/{org}/members", tag = "organizations",
    params(("org" = String, Path)),
    responses((status = 200, body = [User]), (status = 401), (status = 404)))]
pub async fn list_members(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(org): Path<String>,
    params: ListParams,
) -> ApiResult<Paged<User>> {
    let (org, insider) = org_for_member(&state, &org, &me).await?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = org_store::members(h.conn(), org.id, !insider, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(|u| User::new(&state.links, u, true)).collect(), total, &params, page))
}

/// 204 when `username` is a member the caller may know about, 404 otherwise.
#[utoipa::path(get, path = "/orgs/{org}/members/{username}", tag = "organizations",
    params(("org" = String, Path), ("username" = String, Path)),
    responses((status = 204), (status = 401), (status = 404)))]
pub async fn check_member(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((org, username)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (org, insider) = org_for_member(&state, &org, &me).await?;
    let user = load_user(&state, &username).await?;
    let mut h = state.db.acquire().await?;
    let visible = org_store::members(h.conn(), org.id, !insider, hearth_store::Window::ALL)
        .await?
        .0
        .iter()
        .any(|u| u.id == user.id);
    if visible { Ok(StatusCode::NO_CONTENT) } else { Err(ApiError::not_found()) }
}

/// Remove a member from the organisation and its teams (owners, or the member itself leaving);
/// the last owner cannot go.
#[utoipa::path(delete, path = "/orgs/{org}/members/{username}", tag = "organizations",
    params(("org" = String, Path), ("username" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn remove_member(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((org, username)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let org = orgs::require_org(&state.db, &org).await?;
    let user = load_user(&state, &username).await?;
    if user.id != me.id {
        orgs::require_owner(&state.db, &org, &me).await?;
    }
    orgs::remove_member(&state.db, &org, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{"role": "admin" | "member"}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AddOrgMembershipOption {
    pub role: String,
}

/// A membership as GitHub shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgMembership {
    pub state: String,
    pub role: String,
    pub organization: Organization,
    pub user: User,
}

async fn put_membership(
    state: &AppState,
    me: &UserRow,
    (org, username): (String, String),
    body: LateBody,
) -> ApiResult<Json<OrgMembership>> {
    let org = orgs::require_org(&state.db, &org).await?;
    orgs::require_owner(&state.db, &org, me).await?;
    let user = load_user(state, &username).await?;
    let opt: AddOrgMembershipOption = body.parse()?;
    let role = match opt.role.as_str() {
        "admin" => "admin",
        "member" => "member",
        _ => return Err(ApiError::field("Role", "InvalidRole", "role must be admin or member")),
    };
    orgs::set_membership(&state.db, &org, &user, role == "admin").await?;
    Ok(Json(OrgMembership {
        state: "active".into(),
        role: role.into(),
        organization: Organization::new(&state.links, &org),
        user: User::new(&state.links, &user, true),
    }))
}

/// Add a member (`role: member`) or an owner (`role: admin`) to the organisation (owners only).
#[utoipa::path(put, path = "/orgs/{org}/memberships/{username}", tag = "organizations",
    params(("org" = String, Path), ("username" = String, Path)),
    request_body = AddOrgMembershipOption,
    responses((status = 200, body = OrgMembership), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn put_memberships(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(names): Path<(String, String)>,
    body: LateBody,
) -> ApiResult<Json<OrgMembership>> {
    put_membership(&state, &me, names, body).await
}

/// The go-client spelling (`membership`) of [`put_memberships`].
#[utoipa::path(put, path = "/orgs/{org}/membership/{username}", tag = "organizations",
    params(("org" = String, Path), ("username" = String, Path)),
    request_body = AddOrgMembershipOption,
    responses((status = 200, body = OrgMembership), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn put_membership_singular(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path(names): Path<(String, String)>,
    body: LateBody,
) -> ApiResult<Json<OrgMembership>> {
    put_membership(&state, &me, names, body).await
}
