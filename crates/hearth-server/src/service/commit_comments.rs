//! Commit comments (GitHub's shape; planned in Gogs' list): any reader of a repository may comment
//! on one of its commits, optionally on a file and line of it; the poster or a repository admin may
//! edit or delete a comment. Archived repositories refuse every change (423).

use std::path::PathBuf;

use hearth_git::read;
use hearth_store::commit_comments::{self as store, CommitCommentRow, NewCommitComment};
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;

use super::access::AccessMode;
use super::{ServiceError, ServiceResult, git_blocking, now_unix};
use crate::app::AppState;

/// A repository, its directory, and what the acting user may do with it.
pub struct Commenter<'a> {
    pub repo: &'a RepoRow,
    pub dir: PathBuf,
    pub mode: AccessMode,
    pub doer: &'a UserRow,
}

/// What a new comment says and where (GitHub's body for `POST …/commits/:sha/comments`).
#[derive(Debug, Default, Clone)]
pub struct NewComment {
    pub body: String,
    pub path: Option<String>,
    pub line: Option<i64>,
    pub position: Option<i64>,
}

/// Whether `sha` looks like a (possibly abbreviated) commit id: 4 to 64 hex digits.
fn is_hex_id(sha: &str) -> bool {
    (4..=64).contains(&sha.len()) && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The full id of the commit `sha` (full or abbreviated) names in the repository at `dir`;
/// `NotFound` when it names none (branch and tag names are not commit ids here).
pub async fn resolve_commit(dir: PathBuf, sha: &str) -> ServiceResult<String> {
    if !is_hex_id(sha) {
        return Err(ServiceError::NotFound);
    }
    let sha = sha.to_ascii_lowercase();
    git_blocking(move || read::resolve_commit(&dir, &sha)).await?.ok_or(ServiceError::NotFound)
}

/// Comment on commit `sha`: it must exist (404); `path`, when given, must name an entry of its tree
/// and `line`/`position` need a path and must be at least 1 (422).
pub async fn create(
    state: &AppState,
    c: &Commenter<'_>,
    sha: &str,
    new: &NewComment,
) -> ServiceResult<CommitCommentRow> {
    super::repo_manage::ensure_writable(c.repo)?;
    let full = resolve_commit(c.dir.clone(), sha).await?;
    let path = new.path.as_deref().map(|p| p.trim_matches('/')).filter(|p| !p.is_empty());
    if path.is_none() && (new.line.is_some() || new.position.is_some()) {
        return Err(ServiceError::Invalid("line and position need a path".into()));
    }
    for (name, value) in [("line", new.line), ("position", new.position)] {
        if value.is_some_and(|v| v < 1) {
            return Err(ServiceError::Invalid(format!("{name} must be at least 1")));
        }
    }
    if let Some(p) = path {
        let (dir, id, p2) = (c.dir.clone(), full.clone(), p.to_string());
        if git_blocking(move || read::path_exists(&dir, &id, &p2)).await? != Some(true) {
            return Err(ServiceError::Invalid(format!("path does not exist in commit {full} [path: {p}]")));
        }
    }
    let row = NewCommitComment {
        repo_id: c.repo.id,
        commit_sha: &full,
        poster_id: c.doer.id,
        body: &new.body,
        path,
        line: new.line,
        position: new.position,
    };
    let mut h = state.db.acquire().await?;
    Ok(store::insert(h.conn(), &row, now_unix()).await?)
}

/// A comment of this repository the caller may change: its poster or a repository admin.
fn changeable(c: &Commenter<'_>, row: Option<CommitCommentRow>) -> ServiceResult<CommitCommentRow> {
    let row = row.ok_or(ServiceError::NotFound)?;
    if row.poster_id != c.doer.id && c.mode < AccessMode::Admin {
        return Err(ServiceError::Forbidden("only the poster or a repository admin may change a comment".into()));
    }
    Ok(row)
}

pub async fn edit(state: &AppState, c: &Commenter<'_>, id: i64, body: &str) -> ServiceResult<CommitCommentRow> {
    super::repo_manage::ensure_writable(c.repo)?;
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    let mut row = changeable(c, store::by_id(tx.conn(), c.repo.id, id).await?)?;
    store::update_body(tx.conn(), row.id, body, now).await?;
    tx.commit().await?;
    row.body = body.to_string();
    row.updated_unix = now;
    Ok(row)
}

pub async fn delete(state: &AppState, c: &Commenter<'_>, id: i64) -> ServiceResult<()> {
    super::repo_manage::ensure_writable(c.repo)?;
    let mut tx = state.db.begin().await?;
    let row = changeable(c, store::by_id(tx.conn(), c.repo.id, id).await?)?;
    store::delete(tx.conn(), row.id).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_hex_id;

    #[test]
    fn commit_ids_are_hex() {
        assert!(is_hex_id("abcd"));
        assert!(is_hex_id("0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_hex_id("abc"));
        assert!(!is_hex_id("master"));
        assert!(!is_hex_id("abcd/x"));
    }
}
