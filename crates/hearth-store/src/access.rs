//! What grants let someone reach, computed from the `collaboration`, `team`, `team_user` and
//! `team_repo` tables together (permissions.md §2.2: Gogs materialises this in an `access` table;
//! here it is computed on every check). The server's `service::access` adds ownership and site
//! administration on top. The rows of each table are managed in [`crate::collaborations`] and
//! [`crate::orgs`].

use sqlx::FromRow;

use crate::repos::RepoRow;
use crate::{AccessMode, Conn, StoreResult, repo_columns, with_conn};

/// The mode an `access`-style grant gives `uid` on a repository owned by `owner_id`: the highest of
/// its collaboration and, for organisation repositories, the modes of the caller's teams that have
/// the repository (the Owners team has them all). [`AccessMode::None`] when nothing grants access
/// (permissions.md §2.2, computed instead of materialised).
pub async fn granted_mode(c: Conn<'_>, uid: i64, repo_id: i64, owner_id: i64) -> StoreResult<AccessMode> {
    const SQL: &str = "SELECT MAX(m) FROM ( \
        SELECT mode AS m FROM collaboration WHERE repo_id = $1 AND user_id = $2 \
        UNION ALL \
        SELECT t.authorize AS m FROM team_user tu JOIN team t ON t.id = tu.team_id \
        WHERE tu.uid = $2 AND tu.org_id = $3 \
        AND (t.authorize = 4 OR EXISTS (SELECT 1 FROM team_repo tr WHERE tr.team_id = t.id AND tr.repo_id = $1)) \
        ) g";
    let max = with_conn!(c, x => sqlx::query_scalar::<_, Option<AccessMode>>(SQL).bind(repo_id).bind(uid)
        .bind(owner_id).fetch_one(&mut *x).await)?;
    Ok(max.unwrap_or(AccessMode::None))
}

/// A repository with the mode a grant gives the caller on it.
#[derive(Debug, Clone, FromRow)]
pub struct GrantedRepo {
    #[sqlx(flatten)]
    pub repo: RepoRow,
    pub mode: AccessMode,
}

/// Every repository `uid` does not own but has a grant on (collaborations, team repositories, all
/// repositories of organisations whose Owners team it is in), by owner name then repository name.
pub async fn granted_repos(c: Conn<'_>, uid: i64) -> StoreResult<Vec<GrantedRepo>> {
    const SQL: &str = concat!(
        "SELECT ",
        repo_columns!("r."),
        ", g.mode FROM repository r JOIN ( \
            SELECT repo_id, MAX(m) AS mode FROM ( \
                SELECT repo_id, mode AS m FROM collaboration WHERE user_id = $1 \
                UNION ALL \
                SELECT tr.repo_id, t.authorize AS m FROM team_user tu JOIN team t ON t.id = tu.team_id \
                    JOIN team_repo tr ON tr.team_id = t.id WHERE tu.uid = $1 \
                UNION ALL \
                SELECT o.id AS repo_id, 4 AS m FROM team_user tu JOIN team t ON t.id = tu.team_id \
                    JOIN repository o ON o.owner_id = t.org_id WHERE tu.uid = $1 AND t.authorize = 4 \
            ) u GROUP BY repo_id \
        ) g ON g.repo_id = r.id JOIN \"user\" w ON w.id = r.owner_id \
        WHERE r.owner_id <> $1 ORDER BY w.lower_name, r.lower_name"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, GrantedRepo>(SQL).bind(uid).fetch_all(&mut *x).await)?)
}

/// An organisation's repositories as `/orgs/:org/repos` lists them for `uid`: public listed ones
/// plus those of the caller's teams (all of them for Owners), most recently updated first.
pub async fn list_org_visible(c: Conn<'_>, org_id: i64, uid: i64) -> StoreResult<Vec<RepoRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        repo_columns!("r."),
        " FROM repository r WHERE r.owner_id = $1 AND ((NOT r.is_private AND NOT r.is_unlisted) \
         OR EXISTS (SELECT 1 FROM team_user tu JOIN team t ON t.id = tu.team_id WHERE tu.uid = $2 AND t.org_id = $1 \
         AND (t.authorize = 4 OR EXISTS (SELECT 1 FROM team_repo tr WHERE tr.team_id = t.id AND tr.repo_id = r.id)))) \
         ORDER BY r.updated_unix DESC, r.id DESC"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, RepoRow>(SQL).bind(org_id).bind(uid).fetch_all(&mut *x).await)?)
}
