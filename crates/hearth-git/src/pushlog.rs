//! What a push brought, for webhook payloads (webhooks.md §4.1, §4.4): the pushed commits newest
//! first and, per commit, the paths added, removed and modified. Read with the git CLI (one
//! `rev-list` and one `diff-tree` per listed commit; pushes list at most a handful).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::repo::CommitInfo;
use crate::{GitError, GitResult};

/// A pushed commit with its name-status lists.
#[derive(Debug, Clone, PartialEq)]
pub struct PushedCommit {
    pub info: CommitInfo,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub modified: Vec<String>,
}

fn is_object_id(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn git(path: &Path, args: &[&str]) -> GitResult<Vec<u8>> {
    let out = Command::new("git")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .arg("--git-dir")
        .arg(path)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()?;
    if !out.status.success() {
        return Err(GitError::Git(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    Ok(out.stdout)
}

/// Commits of a branch update, newest first, at most `limit`: `rev-list before...after` for an
/// update, the tip and its ancestors for a new branch (`before` all zeros).
pub fn pushed_commits(path: &Path, before: &str, after: &str, limit: usize) -> GitResult<Vec<PushedCommit>> {
    if !is_object_id(after) || !is_object_id(before) || limit == 0 {
        return Ok(Vec::new());
    }
    let max = format!("--max-count={limit}");
    let range = format!("{before}...{after}");
    let new_branch = before.bytes().all(|b| b == b'0');
    let args: Vec<&str> = if new_branch { vec!["rev-list", &max, after] } else { vec!["rev-list", &max, &range] };
    let out = git(path, &args)?;
    let ids: Vec<String> = String::from_utf8_lossy(&out).lines().map(str::to_string).collect();
    ids.iter().filter_map(|id| commit_with_files(path, id).transpose()).collect()
}

/// One commit with its name-status lists (`None` when it does not exist).
pub fn commit_with_files(path: &Path, id: &str) -> GitResult<Option<PushedCommit>> {
    let Some(detail) = crate::read::commit(path, id)? else { return Ok(None) };
    // `-c` gives merges their combined diff (`MM` counts as modified, as Gogs' `git show`);
    // renames are split into a removal and an addition (webhooks.md §4.1 [hearth]).
    let out =
        git(path, &["diff-tree", "-r", "-c", "--root", "--no-commit-id", "--name-status", "--no-renames", "-z", id])?;
    let (mut added, mut removed, mut modified) = (Vec::new(), Vec::new(), Vec::new());
    let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
    while let (Some(status), Some(file)) = (fields.next(), fields.next()) {
        let file = String::from_utf8_lossy(file).into_owned();
        match status.first() {
            Some(b'A') => added.push(file),
            Some(b'D') => removed.push(file),
            Some(b'M') => modified.push(file),
            _ => {}
        }
    }
    Ok(Some(PushedCommit { info: detail.info, added, removed, modified }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids() {
        assert!(is_object_id(&"a".repeat(40)));
        assert!(!is_object_id("--all"));
        assert!(!is_object_id(&"g".repeat(40)));
    }
}
