//! The `repository` table and `watch` (an owner watches each new repository). A repository's
//! mirror settings are in [`crate::mirrors`], its queued push events in [`crate::push_events`], and
//! what a grant lets someone reach in [`crate::access`].

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct RepoRow {
    pub id: i64,
    pub owner_id: i64,
    pub lower_name: String,
    pub name: String,
    pub description: String,
    pub website: String,
    pub default_branch: String,
    pub size: i64,
    pub is_private: bool,
    pub is_unlisted: bool,
    pub is_bare: bool,
    pub is_mirror: bool,
    pub is_fork: bool,
    pub fork_id: i64,
    pub num_watches: i64,
    pub num_stars: i64,
    pub num_forks: i64,
    pub num_issues: i64,
    pub num_closed_issues: i64,
    pub num_pulls: i64,
    pub num_closed_pulls: i64,
    pub enable_issues: bool,
    pub allow_public_issues: bool,
    pub enable_external_tracker: bool,
    pub external_tracker_url: String,
    pub external_tracker_format: String,
    pub external_tracker_style: String,
    pub enable_wiki: bool,
    pub allow_public_wiki: bool,
    pub enable_external_wiki: bool,
    pub external_wiki_url: String,
    pub enable_pulls: bool,
    pub created_unix: i64,
    pub updated_unix: i64,
    pub is_archived: bool,
    pub archived_unix: i64,
    pub allow_merge_commits: bool,
    pub allow_rebase: bool,
    pub allow_rebase_explicit: bool,
    pub allow_squash_merge: bool,
    pub allow_fast_forward_only_merge: bool,
    pub default_merge_style: String,
}

/// The columns of [`RepoRow`], optionally prefixed with a table alias (`repo_columns!("r.")`).
#[macro_export]
#[doc(hidden)]
macro_rules! repo_columns {
    () => {
        $crate::repo_columns!("")
    };
    ($p:literal) => {
        concat!(
            $p,
            "id, ",
            $p,
            "owner_id, ",
            $p,
            "lower_name, ",
            $p,
            "name, ",
            $p,
            "description, ",
            $p,
            "website, ",
            $p,
            "default_branch, ",
            $p,
            "size, ",
            $p,
            "is_private, ",
            $p,
            "is_unlisted, ",
            $p,
            "is_bare, ",
            $p,
            "is_mirror, ",
            $p,
            "is_fork, ",
            $p,
            "fork_id, ",
            $p,
            "num_watches, ",
            $p,
            "num_stars, ",
            $p,
            "num_forks, ",
            $p,
            "num_issues, ",
            $p,
            "num_closed_issues, ",
            $p,
            "num_pulls, ",
            $p,
            "num_closed_pulls, ",
            $p,
            "enable_issues, ",
            $p,
            "allow_public_issues, ",
            $p,
            "enable_external_tracker, ",
            $p,
            "external_tracker_url, ",
            $p,
            "external_tracker_format, ",
            $p,
            "external_tracker_style, ",
            $p,
            "enable_wiki, ",
            $p,
            "allow_public_wiki, ",
            $p,
            "enable_external_wiki, ",
            $p,
            "external_wiki_url, ",
            $p,
            "enable_pulls, ",
            $p,
            "created_unix, ",
            $p,
            "updated_unix, ",
            $p,
            "is_archived, ",
            $p,
            "archived_unix, ",
            $p,
            "allow_merge_commits, ",
            $p,
            "allow_rebase, ",
            $p,
            "allow_rebase_explicit, ",
            $p,
            "allow_squash_merge, ",
            $p,
            "allow_fast_forward_only_merge, ",
            $p,
            "default_merge_style"
        )
    };
}

pub struct NewRepo<'a> {
    pub owner_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub default_branch: &'a str,
    pub is_private: bool,
    pub is_unlisted: bool,
    pub is_bare: bool,
    pub is_mirror: bool,
    pub now: i64,
}

/// Insert the row, bump the owner's repository count and make the owner watch it.
pub async fn insert(mut c: Conn<'_>, r: &NewRepo<'_>) -> StoreResult<RepoRow> {
    c.rows_changed();
    const SQL: &str = concat!(
        "INSERT INTO repository (owner_id, lower_name, name, description, default_branch, is_private, is_unlisted, \
         is_bare, is_mirror, num_watches, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, 1, $9, $9) RETURNING ",
        repo_columns!()
    );
    let row = with_conn!(c.reborrow(), x => sqlx::query_as::<_, RepoRow>(SQL)
        .bind(r.owner_id)
        .bind(r.name.to_lowercase())
        .bind(r.name)
        .bind(r.description)
        .bind(r.default_branch)
        .bind(r.is_private)
        .bind(r.is_unlisted)
        .bind(r.is_bare)
        .bind(r.now)
        .bind(r.is_mirror)
        .fetch_one(&mut *x)
        .await)?;
    const COUNT: &str = "UPDATE \"user\" SET num_repos = num_repos + 1 WHERE id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(COUNT).bind(r.owner_id).execute(&mut *x).await.map(|_| ()))?;
    // A repository created under a name an old one redirects from takes the name over.
    crate::redirects::delete(c.reborrow(), r.owner_id, r.name).await?;
    const WATCH: &str = "INSERT INTO watch (user_id, repo_id, created_unix) VALUES ($1, $2, $3)";
    with_conn!(c, x => sqlx::query(WATCH).bind(r.owner_id).bind(row.id).bind(r.now).execute(&mut *x).await.map(|_| ()))?;
    Ok(row)
}

pub async fn by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<RepoRow>> {
    const SQL: &str = concat!("SELECT ", repo_columns!(), " FROM repository WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, RepoRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// A repository by owner id and name (case-insensitive).
pub async fn by_name(c: Conn<'_>, owner_id: i64, name: &str) -> StoreResult<Option<RepoRow>> {
    const SQL: &str = concat!("SELECT ", repo_columns!(), " FROM repository WHERE owner_id = $1 AND lower_name = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, RepoRow>(SQL)
        .bind(owner_id)
        .bind(name.to_lowercase())
        .fetch_optional(&mut *x)
        .await)?)
}

/// Every repository's directory name pair (owner's and repository's lower-case names), for the
/// start-up check that each directory under the repository root has a row.
pub async fn all_lower_names(c: Conn<'_>) -> StoreResult<Vec<(String, String)>> {
    const SQL: &str = "SELECT u.lower_name, r.lower_name FROM repository r JOIN \"user\" u ON u.id = r.owner_id";
    Ok(with_conn!(c, x => sqlx::query_as::<_, (String, String)>(SQL).fetch_all(&mut *x).await)?)
}

/// An owner's repositories, most recently updated first; `public_only` leaves out private and
/// unlisted ones.
pub async fn list_by_owner(c: Conn<'_>, owner_id: i64, public_only: bool) -> StoreResult<Vec<RepoRow>> {
    const ALL: &str =
        concat!("SELECT ", repo_columns!(), " FROM repository WHERE owner_id = $1 ORDER BY updated_unix DESC, id DESC");
    const PUBLIC: &str = concat!(
        "SELECT ",
        repo_columns!(),
        " FROM repository WHERE owner_id = $1 AND NOT is_private AND NOT is_unlisted ORDER BY updated_unix DESC, id DESC"
    );
    let sql = if public_only { PUBLIC } else { ALL };
    Ok(with_conn!(c, x => sqlx::query_as::<_, RepoRow>(sql).bind(owner_id).fetch_all(&mut *x).await)?)
}

/// Search filter: `keyword` in the lower-case name or the description; `owner_id` > 0 restricts
/// to one owner; `include_private_of` > 0 also shows that owner's private and unlisted repositories.
pub struct Search<'a> {
    pub keyword: &'a str,
    pub owner_id: i64,
    pub include_private_of: i64,
    pub limit: i64,
    pub offset: i64,
}

pub async fn search(mut c: Conn<'_>, s: &Search<'_>) -> StoreResult<(Vec<RepoRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        repo_columns!(),
        " FROM repository WHERE (lower_name LIKE $1 ESCAPE '\\' OR LOWER(description) LIKE $1 ESCAPE '\\') \
         AND ($2 = 0 OR owner_id = $2) AND ((NOT is_private AND NOT is_unlisted) OR owner_id = $3) \
         ORDER BY id LIMIT $4 OFFSET $5"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM repository WHERE (lower_name LIKE $1 ESCAPE '\\' OR LOWER(description) LIKE $1 ESCAPE '\\') \
         AND ($2 = 0 OR owner_id = $2) AND ((NOT is_private AND NOT is_unlisted) OR owner_id = $3)";
    let pattern = format!("%{}%", crate::users::escape_like(&s.keyword.to_lowercase()));
    let rows = with_conn!(c.reborrow(), x => sqlx::query_as::<_, RepoRow>(SQL)
        .bind(&pattern)
        .bind(s.owner_id)
        .bind(s.include_private_of)
        .bind(s.limit)
        .bind(s.offset)
        .fetch_all(&mut *x)
        .await)?;
    let total: i64 = with_conn!(c, x => sqlx::query_scalar(COUNT)
        .bind(&pattern)
        .bind(s.owner_id)
        .bind(s.include_private_of)
        .fetch_one(&mut *x)
        .await)?;
    Ok((rows, total))
}

/// Every repository, private and unlisted ones included (the site administrators' list), whose
/// lower-case name or description contains `keyword`, by id: a page and the total.
pub async fn search_all(c: Conn<'_>, keyword: &str, w: crate::Window) -> StoreResult<(Vec<RepoRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        repo_columns!(),
        " FROM repository WHERE (lower_name LIKE $1 ESCAPE '\\' OR LOWER(description) LIKE $1 ESCAPE '\\') \
         ORDER BY id LIMIT $2 OFFSET $3"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM repository \
         WHERE (lower_name LIKE $1 ESCAPE '\\' OR LOWER(description) LIKE $1 ESCAPE '\\')";
    let pattern = format!("%{}%", crate::users::escape_like(&keyword.to_lowercase()));
    Ok(crate::windowed!(c, RepoRow, SQL, COUNT, w, [&pattern]))
}

/// Delete the row (watches and push events go with it) and decrement the owner's count; its forks
/// stop being forks (their objects are their own) and a fork's parent loses one.
pub async fn delete(mut c: Conn<'_>, repo: &RepoRow) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM repository WHERE id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(repo.id).execute(&mut *x).await.map(|_| ()))?;
    const ORPHANS: &str = "UPDATE repository SET is_fork = FALSE, fork_id = 0 WHERE fork_id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(ORPHANS).bind(repo.id).execute(&mut *x).await.map(|_| ()))?;
    if repo.is_fork {
        const PARENT: &str = "UPDATE repository SET num_forks = num_forks - 1 WHERE id = $1 AND num_forks > 0";
        with_conn!(c.reborrow(), x => sqlx::query(PARENT).bind(repo.fork_id).execute(&mut *x).await.map(|_| ()))?;
    }
    const COUNT: &str = "UPDATE \"user\" SET num_repos = num_repos - 1 WHERE id = $1 AND num_repos > 0";
    with_conn!(c, x => sqlx::query(COUNT).bind(repo.owner_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Record that `id` is a fork of `parent_id` and count it on the parent.
pub async fn mark_fork(mut c: Conn<'_>, id: i64, parent_id: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET is_fork = TRUE, fork_id = $2 WHERE id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(id).bind(parent_id).execute(&mut *x).await.map(|_| ()))?;
    const COUNT: &str = "UPDATE repository SET num_forks = num_forks + 1 WHERE id = $1";
    with_conn!(c, x => sqlx::query(COUNT).bind(parent_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Direct forks of a repository, oldest first.
pub async fn forks_of(c: Conn<'_>, parent_id: i64) -> StoreResult<Vec<RepoRow>> {
    const SQL: &str =
        concat!("SELECT ", repo_columns!(), " FROM repository WHERE fork_id = $1 AND is_fork ORDER BY id");
    Ok(with_conn!(c, x => sqlx::query_as::<_, RepoRow>(SQL).bind(parent_id).fetch_all(&mut *x).await)?)
}

/// Record what the repository's Git data now is, after a push, a migration or a mirror sync:
/// whether it is empty (`is_bare`), its default branch and its size; bumps `updated_unix`. The
/// size recorded (and returned) is `git_size`, the bytes of the Git object database, plus the
/// sizes of the Git LFS objects linked to the repository (as Gitea counts them), in bytes.
pub async fn set_git_state(
    c: Conn<'_>,
    id: i64,
    is_bare: bool,
    default_branch: &str,
    git_size: i64,
    now: i64,
) -> StoreResult<i64> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET is_bare = $2, default_branch = $3, \
        size = $4 + CAST((SELECT COALESCE(SUM(size), 0) FROM lfs_object WHERE repo_id = $1) AS BIGINT), \
        updated_unix = $5 WHERE id = $1 RETURNING size";
    let size = with_conn!(c, x => sqlx::query_scalar::<_, i64>(SQL).bind(id).bind(is_bare).bind(default_branch)
        .bind(git_size).bind(now).fetch_optional(&mut *x).await)?;
    Ok(size.unwrap_or(git_size))
}

/// Add `bytes` to the repository's recorded size (a Git LFS object newly linked to it).
pub async fn grow_size(c: Conn<'_>, id: i64, bytes: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET size = size + $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(bytes).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Issue-tracker and wiki settings, written together.
#[derive(Debug, Clone)]
pub struct Settings {
    pub enable_issues: bool,
    pub enable_external_tracker: bool,
    pub external_tracker_url: String,
    pub external_tracker_format: String,
    pub external_tracker_style: String,
    pub enable_wiki: bool,
    pub allow_public_wiki: bool,
    pub enable_external_wiki: bool,
    pub external_wiki_url: String,
}

impl Settings {
    pub fn of(r: &RepoRow) -> Settings {
        Settings {
            enable_issues: r.enable_issues,
            enable_external_tracker: r.enable_external_tracker,
            external_tracker_url: r.external_tracker_url.clone(),
            external_tracker_format: r.external_tracker_format.clone(),
            external_tracker_style: r.external_tracker_style.clone(),
            enable_wiki: r.enable_wiki,
            allow_public_wiki: r.allow_public_wiki,
            enable_external_wiki: r.enable_external_wiki,
            external_wiki_url: r.external_wiki_url.clone(),
        }
    }
}

pub async fn update_settings(c: Conn<'_>, id: i64, s: &Settings, now: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET enable_issues = $2, enable_external_tracker = $3, external_tracker_url = $4, \
        external_tracker_format = $5, external_tracker_style = $6, enable_wiki = $7, allow_public_wiki = $8, \
        enable_external_wiki = $9, external_wiki_url = $10, updated_unix = $11 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL)
        .bind(id)
        .bind(s.enable_issues)
        .bind(s.enable_external_tracker)
        .bind(&s.external_tracker_url)
        .bind(&s.external_tracker_format)
        .bind(&s.external_tracker_style)
        .bind(s.enable_wiki)
        .bind(s.allow_public_wiki)
        .bind(s.enable_external_wiki)
        .bind(&s.external_wiki_url)
        .bind(now)
        .execute(&mut *x)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// What `PATCH /repos/:owner/:repo` may change besides the name, written together.
#[derive(Debug, Clone)]
pub struct Edit {
    pub description: String,
    pub website: String,
    pub is_private: bool,
    pub default_branch: String,
    pub enable_issues: bool,
    pub enable_wiki: bool,
    pub enable_pulls: bool,
    pub is_archived: bool,
    pub archived_unix: i64,
    pub allow_merge_commits: bool,
    pub allow_rebase: bool,
    pub allow_rebase_explicit: bool,
    pub allow_squash_merge: bool,
    pub allow_fast_forward_only_merge: bool,
    pub default_merge_style: String,
}

impl Edit {
    pub fn of(r: &RepoRow) -> Edit {
        Edit {
            description: r.description.clone(),
            website: r.website.clone(),
            is_private: r.is_private,
            default_branch: r.default_branch.clone(),
            enable_issues: r.enable_issues,
            enable_wiki: r.enable_wiki,
            enable_pulls: r.enable_pulls,
            is_archived: r.is_archived,
            archived_unix: r.archived_unix,
            allow_merge_commits: r.allow_merge_commits,
            allow_rebase: r.allow_rebase,
            allow_rebase_explicit: r.allow_rebase_explicit,
            allow_squash_merge: r.allow_squash_merge,
            allow_fast_forward_only_merge: r.allow_fast_forward_only_merge,
            default_merge_style: r.default_merge_style.clone(),
        }
    }
}

pub async fn update_edit(c: Conn<'_>, id: i64, e: &Edit, now: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET description = $2, website = $3, is_private = $4, default_branch = $5, \
        enable_issues = $6, enable_wiki = $7, enable_pulls = $8, is_archived = $9, archived_unix = $10, \
        allow_merge_commits = $11, allow_rebase = $12, allow_rebase_explicit = $13, allow_squash_merge = $14, \
        allow_fast_forward_only_merge = $15, default_merge_style = $16, updated_unix = $17 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL)
        .bind(id)
        .bind(&e.description)
        .bind(&e.website)
        .bind(e.is_private)
        .bind(&e.default_branch)
        .bind(e.enable_issues)
        .bind(e.enable_wiki)
        .bind(e.enable_pulls)
        .bind(e.is_archived)
        .bind(e.archived_unix)
        .bind(e.allow_merge_commits)
        .bind(e.allow_rebase)
        .bind(e.allow_rebase_explicit)
        .bind(e.allow_squash_merge)
        .bind(e.allow_fast_forward_only_merge)
        .bind(&e.default_merge_style)
        .bind(now)
        .execute(&mut *x)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Lock the repository's row until the transaction ends, if it still has this owner and name;
/// whether it does. A rename or transfer moves the directory inside its transaction, so a second
/// one (in any process) waits here for the first, then finds the row changed rather than
/// moving a directory that is no longer where it read it to be.
pub async fn lock_if_at(c: Conn<'_>, id: i64, owner_id: i64, lower_name: &str) -> StoreResult<bool> {
    const SQL: &str =
        "UPDATE repository SET updated_unix = updated_unix WHERE id = $1 AND owner_id = $2 AND lower_name = $3";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(id).bind(owner_id).bind(lower_name)
        .execute(&mut *x).await.map(|r| r.rows_affected() > 0))?)
}

/// Give the repository a new name (its owner unchanged). A name taken by another repository of
/// the owner is a [`crate::StoreError::Conflict`].
pub async fn rename(c: Conn<'_>, id: i64, name: &str, now: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET name = $2, lower_name = $3, updated_unix = $4 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(name).bind(name.to_lowercase()).bind(now)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Move the repository to another owner and move one repository from the old owner's count to
/// the new one's.
pub async fn set_owner(mut c: Conn<'_>, repo: &RepoRow, new_owner_id: i64, now: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET owner_id = $2, updated_unix = $3 WHERE id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(repo.id).bind(new_owner_id).bind(now)
        .execute(&mut *x).await.map(|_| ()))?;
    const DOWN: &str = "UPDATE \"user\" SET num_repos = num_repos - 1 WHERE id = $1 AND num_repos > 0";
    with_conn!(c.reborrow(), x => sqlx::query(DOWN).bind(repo.owner_id).execute(&mut *x).await.map(|_| ()))?;
    const UP: &str = "UPDATE \"user\" SET num_repos = num_repos + 1 WHERE id = $1";
    with_conn!(c, x => sqlx::query(UP).bind(new_owner_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
