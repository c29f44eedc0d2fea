//! The `star` and `watch` tables and the repository counters they drive (`num_stars`,
//! `num_watches`). A counter moves by one in the same statement sequence as the row it counts,
//! and only when a row was really written or removed: under concurrent toggles each transaction
//! changes the counter by what it did, so the count stays exact on both backends (a recount from
//! the table would read a snapshot that misses a concurrent commit on PostgreSQL).

use crate::repos::RepoRow;
use crate::users::UserRow;
use crate::{Conn, StoreResult, repo_columns, user_columns, with_conn};

/// Who is looking at a list of repositories: only those this caller may read are listed.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    /// 0 for an anonymous caller.
    pub id: i64,
    pub is_admin: bool,
}

/// `r` (a repository) is readable by the viewer bound as `$2` (id) and `$3` (site admin): public,
/// or the viewer's own, or granted through a collaboration or a team of its organisation (the
/// Owners team has every repository), as `service::access` decides for one repository.
macro_rules! readable_by_viewer {
    () => {
        "(NOT r.is_private OR $3 OR r.owner_id = $2 \
         OR EXISTS (SELECT 1 FROM collaboration c WHERE c.repo_id = r.id AND c.user_id = $2 AND c.mode >= 1) \
         OR EXISTS (SELECT 1 FROM team_user tu JOIN team t ON t.id = tu.team_id \
            WHERE tu.uid = $2 AND tu.org_id = r.owner_id AND t.authorize >= 1 \
            AND (t.authorize = 4 OR EXISTS (SELECT 1 FROM team_repo tr WHERE tr.team_id = t.id AND tr.repo_id = r.id))))"
    };
}

/// Which table: stars or watches (the same shape, the same rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Star,
    Watch,
}

struct Sql {
    insert: &'static str,
    bump: &'static str,
    delete: &'static str,
    drop: &'static str,
    exists: &'static str,
    users: &'static str,
    repos: &'static str,
    count_repos: &'static str,
    forget_user: &'static str,
}

const STAR: Sql = Sql {
    insert: "INSERT INTO star (user_id, repo_id, created_unix) VALUES ($1, $2, $3) \
        ON CONFLICT (user_id, repo_id) DO NOTHING",
    bump: "UPDATE repository SET num_stars = num_stars + 1 WHERE id = $1",
    delete: "DELETE FROM star WHERE user_id = $1 AND repo_id = $2",
    drop: "UPDATE repository SET num_stars = num_stars - 1 WHERE id = $1 AND num_stars > 0",
    exists: "SELECT EXISTS (SELECT 1 FROM star WHERE user_id = $1 AND repo_id = $2)",
    users: concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM star s JOIN \"user\" u ON u.id = s.user_id WHERE s.repo_id = $1 ORDER BY s.id LIMIT $2 OFFSET $3"
    ),
    repos: concat!(
        "SELECT ",
        repo_columns!("r."),
        " FROM star s JOIN repository r ON r.id = s.repo_id WHERE s.user_id = $1 AND ",
        readable_by_viewer!(),
        " ORDER BY s.id DESC LIMIT $4 OFFSET $5"
    ),
    count_repos: concat!(
        "SELECT COUNT(*) FROM star s JOIN repository r ON r.id = s.repo_id WHERE s.user_id = $1 AND ",
        readable_by_viewer!()
    ),
    forget_user: "UPDATE repository SET num_stars = num_stars - 1 \
        WHERE id IN (SELECT repo_id FROM star WHERE user_id = $1) AND num_stars > 0",
};

const WATCH: Sql = Sql {
    insert: "INSERT INTO watch (user_id, repo_id, created_unix) VALUES ($1, $2, $3) \
        ON CONFLICT (user_id, repo_id) DO NOTHING",
    bump: "UPDATE repository SET num_watches = num_watches + 1 WHERE id = $1",
    delete: "DELETE FROM watch WHERE user_id = $1 AND repo_id = $2",
    drop: "UPDATE repository SET num_watches = num_watches - 1 WHERE id = $1 AND num_watches > 0",
    exists: "SELECT EXISTS (SELECT 1 FROM watch WHERE user_id = $1 AND repo_id = $2)",
    users: concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM watch w JOIN \"user\" u ON u.id = w.user_id WHERE w.repo_id = $1 ORDER BY w.id LIMIT $2 OFFSET $3"
    ),
    repos: concat!(
        "SELECT ",
        repo_columns!("r."),
        " FROM watch w JOIN repository r ON r.id = w.repo_id WHERE w.user_id = $1 AND ",
        readable_by_viewer!(),
        " ORDER BY w.id DESC LIMIT $4 OFFSET $5"
    ),
    count_repos: concat!(
        "SELECT COUNT(*) FROM watch w JOIN repository r ON r.id = w.repo_id WHERE w.user_id = $1 AND ",
        readable_by_viewer!()
    ),
    forget_user: "UPDATE repository SET num_watches = num_watches - 1 \
        WHERE id IN (SELECT repo_id FROM watch WHERE user_id = $1) AND num_watches > 0",
};

fn sql(kind: Kind) -> &'static Sql {
    match kind {
        Kind::Star => &STAR,
        Kind::Watch => &WATCH,
    }
}

/// Add the row (a no-op when it exists) and count it; returns whether a row was written. Run it in
/// a transaction, so that the row and the counter commit together.
pub async fn add(mut c: Conn<'_>, kind: Kind, user_id: i64, repo_id: i64, now: i64) -> StoreResult<bool> {
    c.rows_changed();
    let q = sql(kind);
    let n = with_conn!(c.reborrow(), x => sqlx::query(q.insert).bind(user_id).bind(repo_id).bind(now)
        .execute(&mut *x).await.map(|r| r.rows_affected()))?;
    if n > 0 {
        with_conn!(c, x => sqlx::query(q.bump).bind(repo_id).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(n > 0)
}

/// Remove the row (a no-op when there is none) and uncount it; returns whether a row went.
pub async fn remove(mut c: Conn<'_>, kind: Kind, user_id: i64, repo_id: i64) -> StoreResult<bool> {
    c.rows_changed();
    let q = sql(kind);
    let n = with_conn!(c.reborrow(), x => sqlx::query(q.delete).bind(user_id).bind(repo_id)
        .execute(&mut *x).await.map(|r| r.rows_affected()))?;
    if n > 0 {
        with_conn!(c, x => sqlx::query(q.drop).bind(repo_id).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(n > 0)
}

pub async fn exists(c: Conn<'_>, kind: Kind, user_id: i64, repo_id: i64) -> StoreResult<bool> {
    Ok(with_conn!(c, x => sqlx::query_scalar(sql(kind).exists).bind(user_id).bind(repo_id).fetch_one(&mut *x).await)?)
}

/// The users who starred (watch) a repository, oldest first.
pub async fn users_of(c: Conn<'_>, kind: Kind, repo_id: i64, limit: i64, offset: i64) -> StoreResult<Vec<UserRow>> {
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(sql(kind).users).bind(repo_id).bind(limit).bind(offset)
        .fetch_all(&mut *x).await)?)
}

/// The repositories `user_id` starred (watches) that `viewer` may read, newest first, and how many
/// there are.
pub async fn repos_of(
    mut c: Conn<'_>,
    kind: Kind,
    user_id: i64,
    viewer: Viewer,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<RepoRow>, i64)> {
    let q = sql(kind);
    let rows = with_conn!(c.reborrow(), x => sqlx::query_as::<_, RepoRow>(q.repos)
        .bind(user_id)
        .bind(viewer.id)
        .bind(viewer.is_admin)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *x)
        .await)?;
    let total: i64 = with_conn!(c, x => sqlx::query_scalar(q.count_repos)
        .bind(user_id)
        .bind(viewer.id)
        .bind(viewer.is_admin)
        .fetch_one(&mut *x)
        .await)?;
    Ok((rows, total))
}

/// Before a user is deleted (their rows go with them by cascade): uncount their stars and watches.
pub async fn forget_user(mut c: Conn<'_>, user_id: i64) -> StoreResult<()> {
    c.rows_changed();
    for kind in [Kind::Star, Kind::Watch] {
        with_conn!(c.reborrow(), x => sqlx::query(sql(kind).forget_user).bind(user_id).execute(&mut *x).await
            .map(|_| ()))?;
    }
    Ok(())
}
