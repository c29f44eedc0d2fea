//! Organisations, their members and teams (permissions.md §4, behaviours.md §17–§18).

use hearth_store::orgs::{self, NewTeam, OWNERS_TEAM, TeamRow};
use hearth_store::repos as repo_store;
use hearth_store::users::{self, NewUser, UserRow};
use hearth_store::{Db, StoreError, UserKind};

use super::access::AccessMode;
use super::names::{check_user_name_allowed, is_alpha_dash_dot};
use super::{ServiceError, ServiceResult, now_unix};
use crate::config::Config;

/// The profile fields of an organisation (schemas.md B20/B21).
#[derive(Debug, Clone, Default)]
pub struct OrgProfile {
    pub full_name: String,
    pub description: String,
    pub website: String,
    pub location: String,
}

/// An organisation by name: 404 for a missing name and for an individual's.
pub async fn require_org(db: &Db, name: &str) -> ServiceResult<UserRow> {
    let mut h = db.acquire().await?;
    match users::by_name(h.conn(), name).await? {
        Some(u) if u.kind == UserKind::Organization => Ok(u),
        _ => Err(ServiceError::NotFound),
    }
}

pub async fn is_owner(db: &Db, org_id: i64, uid: i64) -> ServiceResult<bool> {
    let mut h = db.acquire().await?;
    Ok(orgs::is_owner(h.conn(), org_id, uid).await?)
}

/// 403 with Gogs' message unless `user` is in the organisation's Owners team.
pub async fn require_owner(db: &Db, org: &UserRow, user: &UserRow) -> ServiceResult<()> {
    if is_owner(db, org.id, user.id).await? {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Given user is not owner of organization.".into()))
    }
}

/// Whether `doer` may create organisations: site admins always, everyone else unless
/// `[admin] DISABLE_REGULAR_ORG_CREATION` (403).
pub fn check_may_create(config: &Config, doer: &UserRow) -> ServiceResult<()> {
    if config.admin.disable_regular_org_creation && !doer.is_admin {
        return Err(ServiceError::Forbidden("Organization creation is disabled.".into()));
    }
    Ok(())
}

/// Gitea's organisation visibility: hearth's organisations are all public, so only `public` (or
/// nothing) is accepted; `limited` and `private` are refused rather than ignored (422).
pub fn check_visibility(visibility: &str) -> ServiceResult<()> {
    match visibility {
        "" | "public" => Ok(()),
        "limited" | "private" => Err(ServiceError::Invalid(format!(
            "visibility {visibility} is not supported: every organization is public [visibility: {visibility}]"
        ))),
        other => Err(ServiceError::Invalid(format!("visibility is not valid [visibility: {other}]"))),
    }
}

/// `doer` creates an organisation owned by `owner` (itself, or anyone when a site admin acts for
/// a user): the permission check, then [`create`].
pub async fn create_as(
    db: &Db,
    config: &Config,
    doer: &UserRow,
    owner: &UserRow,
    name: &str,
    profile: &OrgProfile,
) -> ServiceResult<UserRow> {
    check_may_create(config, doer)?;
    create(db, owner, name, profile).await
}

/// Create an organisation owned by `owner`: the account row, the owner's (private) membership,
/// and the Owners team with the owner in it, all or nothing.
pub async fn create(db: &Db, owner: &UserRow, name: &str, profile: &OrgProfile) -> ServiceResult<UserRow> {
    if name.is_empty() || name.chars().count() > 35 || !is_alpha_dash_dot(name) {
        return Err(ServiceError::Invalid(format!("name is not valid [name: {name}]")));
    }
    check_user_name_allowed(name)?;
    if owner.kind == UserKind::Organization {
        return Err(ServiceError::Invalid("an organization cannot own an organization".into()));
    }
    let exists = || ServiceError::Invalid(format!("user already exists [name: {name}]"));
    let now = now_unix();
    let mut tx = db.begin().await?;
    if users::by_name(tx.conn(), name).await?.is_some() {
        return Err(exists());
    }
    let new = NewUser {
        name,
        full_name: &profile.full_name,
        email: "",
        passwd: "",
        salt: "",
        login_source: 0,
        login_name: "",
        kind: UserKind::Organization,
        is_active: true,
        is_admin: false,
        now,
    };
    let org = users::insert(tx.conn(), &new).await.map_err(|e| match e {
        StoreError::Conflict(_) => exists(),
        other => other.into(),
    })?;
    users::update_profile(
        tx.conn(),
        org.id,
        &profile.full_name,
        &profile.description,
        &profile.website,
        &profile.location,
    )
    .await?;
    orgs::add_member(tx.conn(), org.id, owner.id, false).await?;
    let team = NewTeam { org_id: org.id, name: OWNERS_TEAM, description: "", authorize: AccessMode::Owner, now };
    let owners = orgs::insert_team(tx.conn(), &team).await?;
    orgs::add_team_member(tx.conn(), &owners, owner.id).await?;
    let org = users::by_id(tx.conn(), org.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(org)
}

/// Overwrite the four profile fields (absent ones arrive empty), each cut to 255 characters.
pub async fn edit(db: &Db, org: &UserRow, p: &OrgProfile) -> ServiceResult<UserRow> {
    let cut = |s: &str| s.chars().take(255).collect::<String>();
    let mut tx = db.begin().await?;
    users::update_profile(
        tx.conn(),
        org.id,
        &cut(&p.full_name),
        &cut(&p.description),
        &cut(&p.website),
        &cut(&p.location),
    )
    .await?;
    let org = users::by_id(tx.conn(), org.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(org)
}

/// A team by id, with the organisation it belongs to.
pub async fn require_team(db: &Db, id: i64) -> ServiceResult<(TeamRow, UserRow)> {
    let mut h = db.acquire().await?;
    let team = orgs::team_by_id(h.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    let org = users::by_id(h.conn(), team.org_id).await?.ok_or(ServiceError::NotFound)?;
    Ok((team, org))
}

/// Validate a team name as Gogs' binding does (schemas.md B22), with `new` refused as 422.
pub fn check_team_name(name: &str) -> ServiceResult<()> {
    if name.trim().eq_ignore_ascii_case("new") {
        return Err(ServiceError::Invalid(format!("name is not allowed [name: {name}]")));
    }
    Ok(())
}

pub async fn create_team(
    db: &Db,
    org: &UserRow,
    name: &str,
    description: &str,
    mode: AccessMode,
) -> ServiceResult<TeamRow> {
    check_team_name(name)?;
    let exists = || ServiceError::Invalid(format!("team already exists [name: {name}]"));
    let mut tx = db.begin().await?;
    if orgs::team_by_name(tx.conn(), org.id, name).await?.is_some() {
        return Err(exists());
    }
    let new = NewTeam { org_id: org.id, name, description, authorize: mode, now: now_unix() };
    let team = orgs::insert_team(tx.conn(), &new).await.map_err(|e| match e {
        StoreError::Conflict(_) => exists(),
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok(team)
}

/// Rename a team and change its description and mode; the Owners team keeps its name and mode.
pub async fn edit_team(
    db: &Db,
    team: &TeamRow,
    name: Option<&str>,
    description: Option<&str>,
    mode: Option<AccessMode>,
) -> ServiceResult<TeamRow> {
    let mut tx = db.begin().await?;
    let mut new_name = team.name.clone();
    let mut authorize = team.authorize;
    if !team.is_owners() {
        if let Some(n) = name.filter(|n| *n != team.name) {
            check_team_name(n)?;
            if let Some(other) = orgs::team_by_name(tx.conn(), team.org_id, n).await?
                && other.id != team.id
            {
                return Err(ServiceError::Invalid(format!("team already exists [name: {n}]")));
            }
            new_name = n.to_string();
        }
        if let Some(m) = mode {
            authorize = m;
        }
    }
    let description = description.unwrap_or(&team.description);
    orgs::update_team(tx.conn(), team.id, &new_name, description, authorize).await.map_err(|e| match e {
        StoreError::Conflict(_) => ServiceError::Invalid(format!("team already exists [name: {new_name}]")),
        other => other.into(),
    })?;
    let row = orgs::team_by_id(tx.conn(), team.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Delete a team (never the Owners team).
pub async fn delete_team(db: &Db, team: &TeamRow) -> ServiceResult<()> {
    if team.is_owners() {
        return Err(ServiceError::Invalid("the Owners team cannot be deleted".into()));
    }
    let mut tx = db.begin().await?;
    orgs::delete_team(tx.conn(), team.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Add `user` to the team and, if needed, to the organisation (idempotent).
pub async fn add_team_member(db: &Db, team: &TeamRow, user: &UserRow) -> ServiceResult<()> {
    if user.kind == UserKind::Organization {
        return Err(ServiceError::Invalid(format!("an organization cannot be a team member [name: {}]", user.name)));
    }
    let mut tx = db.begin().await?;
    orgs::add_member(tx.conn(), team.org_id, user.id, false).await?;
    orgs::add_team_member(tx.conn(), team, user.id).await?;
    tx.commit().await?;
    Ok(())
}

fn last_owner() -> ServiceError {
    ServiceError::Invalid("user is the last member of owner team".into())
}

/// Remove `user` from the team (no-op when not a member); the last member of Owners stays.
pub async fn remove_team_member(db: &Db, team: &TeamRow, user: &UserRow) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    if !orgs::is_team_member(tx.conn(), team.id, user.id).await? {
        return Ok(());
    }
    if team.is_owners() && orgs::count_team_members(tx.conn(), team.id).await? <= 1 {
        return Err(last_owner());
    }
    orgs::remove_team_member(tx.conn(), team.id, user.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Remove `user` from the organisation and all its teams; refused for the last owner.
pub async fn remove_member(db: &Db, org: &UserRow, user: &UserRow) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    if orgs::is_owner(tx.conn(), org.id, user.id).await? {
        let owners = orgs::team_by_name(tx.conn(), org.id, OWNERS_TEAM).await?.ok_or(ServiceError::NotFound)?;
        if orgs::count_team_members(tx.conn(), owners.id).await? <= 1 {
            return Err(last_owner());
        }
    }
    orgs::remove_member(tx.conn(), org.id, user.id).await?;
    tx.commit().await?;
    Ok(())
}

/// `PUT /orgs/:org/memberships/:user` (`role`: `admin` = an owner, anything else = a member):
/// adds the membership; `admin` joins the Owners team, `member` leaves it (never its last member).
pub async fn set_membership(db: &Db, org: &UserRow, user: &UserRow, admin: bool) -> ServiceResult<()> {
    if user.kind == UserKind::Organization {
        return Err(ServiceError::Invalid(format!("an organization cannot be a member [name: {}]", user.name)));
    }
    let mut tx = db.begin().await?;
    let owners = orgs::team_by_name(tx.conn(), org.id, OWNERS_TEAM).await?.ok_or(ServiceError::NotFound)?;
    orgs::add_member(tx.conn(), org.id, user.id, false).await?;
    if admin {
        orgs::add_team_member(tx.conn(), &owners, user.id).await?;
    } else if orgs::is_team_member(tx.conn(), owners.id, user.id).await? {
        if orgs::count_team_members(tx.conn(), owners.id).await? <= 1 {
            return Err(last_owner());
        }
        orgs::remove_team_member(tx.conn(), owners.id, user.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Give the team a repository of its organisation (idempotent); 404 when the organisation has no
/// repository of that name.
pub async fn add_team_repo(db: &Db, team: &TeamRow, repo_name: &str) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    let repo = repo_store::by_name(tx.conn(), team.org_id, repo_name).await?.ok_or(ServiceError::NotFound)?;
    orgs::add_team_repo(tx.conn(), team, repo.id).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_team_repo(db: &Db, team: &TeamRow, repo_name: &str) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    let repo = repo_store::by_name(tx.conn(), team.org_id, repo_name).await?.ok_or(ServiceError::NotFound)?;
    orgs::remove_team_repo(tx.conn(), team.id, repo.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Delete an organisation for one of its owners, who confirms with their password (403 when it
/// is wrong); refused while the organisation owns repositories (422). Memberships and teams go
/// with the account row (foreign keys); its webhooks are removed here, having none.
pub async fn delete(
    db: &Db,
    passwords: &super::passwords::Passwords,
    doer: &UserRow,
    org: &UserRow,
    password: &str,
) -> ServiceResult<()> {
    require_owner(db, org, doer).await?;
    if !passwords.verify(doer.id, password, &doer.passwd, &doer.salt).await? {
        return Err(ServiceError::Forbidden("password is not correct".into()));
    }
    let mut tx = db.begin().await?;
    let fresh = users::by_id(tx.conn(), org.id).await?.ok_or(ServiceError::NotFound)?;
    if fresh.num_repos > 0 {
        return Err(ServiceError::Invalid(format!(
            "organization still has ownership of repositories [org: {}]",
            org.name
        )));
    }
    hearth_store::hooks::delete_all_for_org(tx.conn(), org.id).await?;
    users::delete(tx.conn(), org.id).await?;
    tx.commit().await?;
    Ok(())
}
