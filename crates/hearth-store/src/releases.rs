//! The `release` table.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct ReleaseRow {
    pub id: i64,
    pub repo_id: i64,
    pub publisher_id: i64,
    pub tag_name: String,
    pub lower_tag_name: String,
    pub target: String,
    pub title: String,
    pub sha1: String,
    pub note: String,
    pub is_draft: bool,
    pub is_prerelease: bool,
    pub created_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, publisher_id, tag_name, lower_tag_name, target, title, sha1, note, is_draft, is_prerelease, created_unix"
    };
}

/// The editable part of a release.
#[derive(Debug, Clone)]
pub struct ReleaseFields {
    pub tag_name: String,
    pub target: String,
    pub title: String,
    pub sha1: String,
    pub note: String,
    pub is_draft: bool,
    pub is_prerelease: bool,
}

pub async fn insert(
    c: Conn<'_>,
    repo_id: i64,
    publisher_id: i64,
    f: &ReleaseFields,
    now: i64,
) -> StoreResult<ReleaseRow> {
    const SQL: &str = concat!(
        "INSERT INTO release (repo_id, publisher_id, tag_name, lower_tag_name, target, title, sha1, note, is_draft, \
         is_prerelease, created_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ",
        columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReleaseRow>(SQL)
        .bind(repo_id)
        .bind(publisher_id)
        .bind(&f.tag_name)
        .bind(f.tag_name.to_lowercase())
        .bind(&f.target)
        .bind(&f.title)
        .bind(&f.sha1)
        .bind(&f.note)
        .bind(f.is_draft)
        .bind(f.is_prerelease)
        .bind(now)
        .fetch_one(&mut *x)
        .await)?)
}

pub async fn update(c: Conn<'_>, id: i64, f: &ReleaseFields) -> StoreResult<()> {
    const SQL: &str = "UPDATE release SET tag_name = $2, lower_tag_name = $3, target = $4, title = $5, sha1 = $6, \
        note = $7, is_draft = $8, is_prerelease = $9 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL)
        .bind(id)
        .bind(&f.tag_name)
        .bind(f.tag_name.to_lowercase())
        .bind(&f.target)
        .bind(&f.title)
        .bind(&f.sha1)
        .bind(&f.note)
        .bind(f.is_draft)
        .bind(f.is_prerelease)
        .execute(&mut *x)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A repository's releases in creation order; drafts only when `with_drafts`.
pub async fn list(c: Conn<'_>, repo_id: i64, with_drafts: bool, w: Window) -> StoreResult<(Vec<ReleaseRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM release WHERE repo_id = $1 AND (NOT is_draft OR $2) ORDER BY id LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM release WHERE repo_id = $1 AND (NOT is_draft OR $2)";
    Ok(crate::windowed!(c, ReleaseRow, SQL, COUNT, w, [repo_id, with_drafts]))
}

/// A repository's releases newest first (the web page's order); drafts only when `with_drafts`.
pub async fn list_newest(
    c: Conn<'_>,
    repo_id: i64,
    with_drafts: bool,
    w: Window,
) -> StoreResult<(Vec<ReleaseRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM release WHERE repo_id = $1 AND (NOT is_draft OR $2) ORDER BY created_unix DESC, id DESC LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM release WHERE repo_id = $1 AND (NOT is_draft OR $2)";
    Ok(crate::windowed!(c, ReleaseRow, SQL, COUNT, w, [repo_id, with_drafts]))
}

/// The newest published release that is not a pre-release (GitHub's and Gitea's "Latest").
pub async fn latest_id(c: Conn<'_>, repo_id: i64) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT id FROM release WHERE repo_id = $1 AND NOT is_draft AND NOT is_prerelease \
        ORDER BY created_unix DESC, id DESC LIMIT 1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).fetch_optional(&mut *x).await)?)
}

/// A release by its tag name (case-insensitive, as tags are unique per repository).
pub async fn by_tag(c: Conn<'_>, repo_id: i64, tag: &str) -> StoreResult<Option<ReleaseRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM release WHERE repo_id = $1 AND lower_tag_name = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReleaseRow>(SQL).bind(repo_id).bind(tag.to_lowercase())
        .fetch_optional(&mut *x).await)?)
}

/// A release by id, only if it belongs to `repo_id`.
pub async fn by_id(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<ReleaseRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM release WHERE id = $1 AND repo_id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReleaseRow>(SQL).bind(id).bind(repo_id).fetch_optional(&mut *x).await)?)
}

pub async fn tag_taken(c: Conn<'_>, repo_id: i64, tag: &str, except_id: i64) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM release WHERE repo_id = $1 AND lower_tag_name = $2 AND id <> $3)";
    Ok(
        with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).bind(tag.to_lowercase()).bind(except_id).fetch_one(&mut *x).await)?,
    )
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM release WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
