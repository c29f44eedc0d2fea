//! Organisation membership and teams: the `org_user`, `team`, `team_user` and `team_repo` tables.
//! An organisation itself is a `user` row of kind [`crate::UserKind::Organization`] (see [`crate::users`]).

use sqlx::FromRow;

use crate::repos::RepoRow;
use crate::users::UserRow;
use crate::{AccessMode, Conn, StoreResult, Window, repo_columns, user_columns, with_conn};

/// The built-in team whose members own the organisation.
pub const OWNERS_TEAM: &str = "Owners";

#[derive(Debug, Clone, FromRow)]
pub struct TeamRow {
    pub id: i64,
    pub org_id: i64,
    pub lower_name: String,
    pub name: String,
    pub description: String,
    /// The team's mode on its repositories (permissions.md §1); only Owners has owner.
    pub authorize: AccessMode,
    pub created_unix: i64,
}

impl TeamRow {
    pub fn is_owners(&self) -> bool {
        self.authorize == AccessMode::Owner
    }
}

macro_rules! team_columns {
    () => {
        "id, org_id, lower_name, name, description, authorize, created_unix"
    };
}

/// Add `uid` to the organisation (no-op when already a member).
pub async fn add_member(c: Conn<'_>, org_id: i64, uid: i64, is_public: bool) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str =
        "INSERT INTO org_user (uid, org_id, is_public) VALUES ($1, $2, $3) ON CONFLICT (uid, org_id) DO NOTHING";
    with_conn!(c, x => sqlx::query(SQL).bind(uid).bind(org_id).bind(is_public).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Remove `uid` from the organisation and from all of its teams.
pub async fn remove_member(mut c: Conn<'_>, org_id: i64, uid: i64) -> StoreResult<bool> {
    c.rows_changed();
    const TEAMS: &str = "DELETE FROM team_user WHERE org_id = $1 AND uid = $2";
    with_conn!(c.reborrow(), x => sqlx::query(TEAMS).bind(org_id).bind(uid).execute(&mut *x).await.map(|_| ()))?;
    const SQL: &str = "DELETE FROM org_user WHERE org_id = $1 AND uid = $2";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(org_id).bind(uid).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn is_member(c: Conn<'_>, org_id: i64, uid: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM org_user WHERE org_id = $1 AND uid = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(org_id).bind(uid).fetch_one(&mut *x).await)?)
}

/// Is `uid` a member of the organisation's Owners team?
pub async fn is_owner(c: Conn<'_>, org_id: i64, uid: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM team_user tu JOIN team t ON t.id = tu.team_id \
        WHERE t.org_id = $1 AND t.authorize = 4 AND tu.uid = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(org_id).bind(uid).fetch_one(&mut *x).await)?)
}

/// Make a membership public or private.
pub async fn set_public(c: Conn<'_>, org_id: i64, uid: i64, is_public: bool) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE org_user SET is_public = $3 WHERE org_id = $1 AND uid = $2";
    with_conn!(c, x => sqlx::query(SQL).bind(org_id).bind(uid).bind(is_public).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The organisations `uid` belongs to (only public memberships when `public_only`), by org id.
pub async fn orgs_of(c: Conn<'_>, uid: i64, public_only: bool, w: Window) -> StoreResult<(Vec<UserRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM org_user m JOIN \"user\" u ON u.id = m.org_id WHERE m.uid = $1 AND (m.is_public OR NOT $2) \
         ORDER BY u.id LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM org_user m WHERE m.uid = $1 AND (m.is_public OR NOT $2)";
    Ok(crate::windowed!(c, UserRow, SQL, COUNT, w, [uid, public_only]))
}

/// Members of an organisation (all, or only the public ones), by user id.
pub async fn members(c: Conn<'_>, org_id: i64, public_only: bool, w: Window) -> StoreResult<(Vec<UserRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM org_user m JOIN \"user\" u ON u.id = m.uid WHERE m.org_id = $1 AND (m.is_public OR NOT $2) \
         ORDER BY u.id LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM org_user m WHERE m.org_id = $1 AND (m.is_public OR NOT $2)";
    Ok(crate::windowed!(c, UserRow, SQL, COUNT, w, [org_id, public_only]))
}

/// How many members each of these organisations has, as `(org_id, count)` (orgs without members
/// are left out): one query for a whole list page.
pub async fn member_counts(c: Conn<'_>, org_ids: &[i64]) -> StoreResult<Vec<(i64, i64)>> {
    if org_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT org_id, CAST(COUNT(*) AS BIGINT) FROM org_user WHERE org_id IN ({}) GROUP BY org_id",
        crate::placeholders(1, org_ids.len())
    );
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for id in org_ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// How many organisations `uid` belongs to.
pub async fn count_orgs_of(c: Conn<'_>, uid: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM org_user WHERE uid = $1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(uid).fetch_one(&mut *x).await)?)
}

pub struct NewTeam<'a> {
    pub org_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub authorize: AccessMode,
    pub now: i64,
}

pub async fn insert_team(c: Conn<'_>, t: &NewTeam<'_>) -> StoreResult<TeamRow> {
    c.rows_changed();
    const SQL: &str = concat!(
        "INSERT INTO team (org_id, lower_name, name, description, authorize, created_unix) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        team_columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, TeamRow>(SQL)
        .bind(t.org_id)
        .bind(t.name.to_lowercase())
        .bind(t.name)
        .bind(t.description)
        .bind(t.authorize)
        .bind(t.now)
        .fetch_one(&mut *x)
        .await)?)
}

pub async fn team_by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<TeamRow>> {
    const SQL: &str = concat!("SELECT ", team_columns!(), " FROM team WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, TeamRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

pub async fn team_by_name(c: Conn<'_>, org_id: i64, name: &str) -> StoreResult<Option<TeamRow>> {
    const SQL: &str = concat!("SELECT ", team_columns!(), " FROM team WHERE org_id = $1 AND lower_name = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, TeamRow>(SQL).bind(org_id).bind(name.to_lowercase())
        .fetch_optional(&mut *x).await)?)
}

/// An organisation's teams, oldest first (Owners comes first).
pub async fn teams_of_org(c: Conn<'_>, org_id: i64, w: Window) -> StoreResult<(Vec<TeamRow>, i64)> {
    const SQL: &str =
        concat!("SELECT ", team_columns!(), " FROM team WHERE org_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
    const COUNT: &str = "SELECT COUNT(*) FROM team WHERE org_id = $1";
    Ok(crate::windowed!(c, TeamRow, SQL, COUNT, w, [org_id]))
}

pub async fn update_team(
    c: Conn<'_>,
    id: i64,
    name: &str,
    description: &str,
    authorize: AccessMode,
) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE team SET lower_name = $2, name = $3, description = $4, authorize = $5 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(name.to_lowercase()).bind(name).bind(description)
        .bind(authorize).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn delete_team(c: Conn<'_>, id: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM team WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Add `uid` to the team (no-op when already there); returns whether a row was written.
pub async fn add_team_member(c: Conn<'_>, team: &TeamRow, uid: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str =
        "INSERT INTO team_user (org_id, team_id, uid) VALUES ($1, $2, $3) ON CONFLICT (team_id, uid) DO NOTHING";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(team.org_id).bind(team.id).bind(uid).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn remove_team_member(c: Conn<'_>, team_id: i64, uid: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM team_user WHERE team_id = $1 AND uid = $2";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(team_id).bind(uid).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn is_team_member(c: Conn<'_>, team_id: i64, uid: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM team_user WHERE team_id = $1 AND uid = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(team_id).bind(uid).fetch_one(&mut *x).await)?)
}

/// Is `uid` in any team of the organisation?
pub async fn in_any_team(c: Conn<'_>, org_id: i64, uid: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM team_user WHERE org_id = $1 AND uid = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(org_id).bind(uid).fetch_one(&mut *x).await)?)
}

pub async fn team_members(c: Conn<'_>, team_id: i64, w: Window) -> StoreResult<(Vec<UserRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM team_user tu JOIN \"user\" u ON u.id = tu.uid WHERE tu.team_id = $1 ORDER BY u.id LIMIT $2 OFFSET $3"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM team_user WHERE team_id = $1";
    Ok(crate::windowed!(c, UserRow, SQL, COUNT, w, [team_id]))
}

pub async fn count_team_members(c: Conn<'_>, team_id: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM team_user WHERE team_id = $1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(team_id).fetch_one(&mut *x).await)?)
}

/// The teams of one organisation `uid` is in.
pub async fn teams_of_member(c: Conn<'_>, org_id: i64, uid: i64) -> StoreResult<Vec<TeamRow>> {
    const SQL: &str = "SELECT t.id, t.org_id, t.lower_name, t.name, t.description, t.authorize, t.created_unix \
        FROM team_user tu JOIN team t ON t.id = tu.team_id WHERE tu.org_id = $1 AND tu.uid = $2 ORDER BY t.id";
    Ok(with_conn!(c, x => sqlx::query_as::<_, TeamRow>(SQL).bind(org_id).bind(uid).fetch_all(&mut *x).await)?)
}

pub async fn add_team_repo(c: Conn<'_>, team: &TeamRow, repo_id: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "INSERT INTO team_repo (org_id, team_id, repo_id) VALUES ($1, $2, $3) \
        ON CONFLICT (team_id, repo_id) DO NOTHING";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(team.org_id).bind(team.id).bind(repo_id).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn remove_team_repo(c: Conn<'_>, team_id: i64, repo_id: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM team_repo WHERE team_id = $1 AND repo_id = $2";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(team_id).bind(repo_id).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Whether a team was given this repository (the Owners team has every one without rows).
pub async fn team_has_repo(c: Conn<'_>, team_id: i64, repo_id: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT COUNT(*) FROM team_repo WHERE team_id = $1 AND repo_id = $2";
    let n: i64 = with_conn!(c, x => sqlx::query_scalar(SQL).bind(team_id).bind(repo_id).fetch_one(&mut *x).await)?;
    Ok(n > 0)
}

/// The repositories of a team (every repository of the organisation for the Owners team), by name.
pub async fn team_repos(
    c: Conn<'_>,
    team_id: i64,
    org_id: i64,
    owners: bool,
    w: Window,
) -> StoreResult<(Vec<RepoRow>, i64)> {
    const TEAM: &str = concat!(
        "SELECT ",
        repo_columns!("r."),
        " FROM team_repo tr JOIN repository r ON r.id = tr.repo_id WHERE tr.team_id = $1 ORDER BY r.lower_name \
         LIMIT $2 OFFSET $3"
    );
    const TEAM_COUNT: &str = "SELECT COUNT(*) FROM team_repo WHERE team_id = $1";
    const ALL: &str = concat!(
        "SELECT ",
        repo_columns!(),
        " FROM repository WHERE owner_id = $1 ORDER BY lower_name LIMIT $2 OFFSET $3"
    );
    const ALL_COUNT: &str = "SELECT COUNT(*) FROM repository WHERE owner_id = $1";
    Ok(if owners {
        crate::windowed!(c, RepoRow, ALL, ALL_COUNT, w, [org_id])
    } else {
        crate::windowed!(c, RepoRow, TEAM, TEAM_COUNT, w, [team_id])
    })
}

/// How many repositories a team has.
pub async fn count_team_repos(c: Conn<'_>, team_id: i64, org_id: i64, owners: bool) -> StoreResult<i64> {
    const TEAM: &str = "SELECT COUNT(*) FROM team_repo WHERE team_id = $1";
    const ALL: &str = "SELECT COUNT(*) FROM repository WHERE owner_id = $1";
    Ok(if owners {
        with_conn!(c, x => sqlx::query_scalar(ALL).bind(org_id).fetch_one(&mut *x).await)?
    } else {
        with_conn!(c, x => sqlx::query_scalar(TEAM).bind(team_id).fetch_one(&mut *x).await)?
    })
}
