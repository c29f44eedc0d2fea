//! The `follow` table and the follower counters it drives.

use crate::users::UserRow;
use crate::{Conn, StoreResult, user_columns, with_conn};

pub async fn is_following(c: Conn<'_>, user_id: i64, follow_id: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM follow WHERE user_id = $1 AND follow_id = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(user_id).bind(follow_id).fetch_one(&mut *x).await)?)
}

/// Follow; returns whether a new row was written (following twice is a no-op).
pub async fn follow(mut c: Conn<'_>, user_id: i64, follow_id: i64, now: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "INSERT INTO follow (user_id, follow_id, created_unix) VALUES ($1, $2, $3) \
        ON CONFLICT (user_id, follow_id) DO NOTHING";
    let n = with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(user_id).bind(follow_id).bind(now)
        .execute(&mut *x).await.map(|r| r.rows_affected()))?;
    if n > 0 {
        recount(c, user_id, follow_id).await?;
    }
    Ok(n > 0)
}

pub async fn unfollow(mut c: Conn<'_>, user_id: i64, follow_id: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM follow WHERE user_id = $1 AND follow_id = $2";
    let n = with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(user_id).bind(follow_id)
        .execute(&mut *x).await.map(|r| r.rows_affected()))?;
    if n > 0 {
        recount(c, user_id, follow_id).await?;
    }
    Ok(n > 0)
}

/// Recompute both counters from the table, so they can never drift.
async fn recount(mut c: Conn<'_>, user_id: i64, follow_id: i64) -> StoreResult<()> {
    c.rows_changed();
    const FOLLOWING: &str =
        "UPDATE \"user\" SET num_following = (SELECT COUNT(*) FROM follow WHERE user_id = $1) WHERE id = $1";
    const FOLLOWERS: &str =
        "UPDATE \"user\" SET num_followers = (SELECT COUNT(*) FROM follow WHERE follow_id = $1) WHERE id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(FOLLOWING).bind(user_id).execute(&mut *x).await.map(|_| ()))?;
    with_conn!(c, x => sqlx::query(FOLLOWERS).bind(follow_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Who follows `user_id`, newest follow first.
pub async fn followers(c: Conn<'_>, user_id: i64, limit: i64, offset: i64) -> StoreResult<Vec<UserRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM follow f JOIN \"user\" u ON u.id = f.user_id WHERE f.follow_id = $1 ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL).bind(user_id).bind(limit).bind(offset)
        .fetch_all(&mut *x).await)?)
}

/// Whom `user_id` follows, newest follow first.
pub async fn following(c: Conn<'_>, user_id: i64, limit: i64, offset: i64) -> StoreResult<Vec<UserRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM follow f JOIN \"user\" u ON u.id = f.follow_id WHERE f.user_id = $1 ORDER BY f.id DESC LIMIT $2 OFFSET $3"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL).bind(user_id).bind(limit).bind(offset)
        .fetch_all(&mut *x).await)?)
}
