//! Pull-request merges without a work tree: `git merge-tree --write-tree` computes the merged tree
//! inside the repository's object store, `git commit-tree` writes the commit, and the base branch
//! moves by compare-and-swap on its old tip, so a concurrent push or merge is never lost. Used by
//! the background mergeability check and by a merge request (writes, never page views).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::names::is_valid_ref_name;
use crate::{GitError, GitResult, Person};

/// What merging a head into a base would give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Merges cleanly.
    Clean,
    /// These paths conflict.
    Conflict(Vec<String>),
    /// The head is already part of the base: nothing to merge.
    AlreadyMerged,
    /// No common history.
    Unrelated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The best common ancestor ("" when there is none).
    pub merge_base: String,
    pub outcome: Outcome,
}

/// The merge styles Gitea offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A merge commit with two parents.
    Merge,
    /// The head's commits replayed onto the base, which then fast-forwards.
    Rebase,
    /// The head's commits replayed onto the base, then a merge commit.
    RebaseMerge,
    /// One commit with the base as its only parent.
    Squash,
    /// The base moves to the head; refused unless the base is an ancestor of the head.
    FastForwardOnly,
}

/// Why a merge did not happen (each maps to a clear 4xx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The base branch does not exist.
    NoBase,
    Conflict(Vec<String>),
    /// Fast-forward only, and the branches have diverged.
    NotFastForward,
    /// The head is already in the base.
    NothingToMerge,
    Unrelated,
    /// The base moved while the merge was made; nothing was changed.
    BaseMoved,
}

pub struct MergeRequest<'a> {
    pub base_branch: &'a str,
    pub head: &'a str,
    pub style: Style,
    /// The message of the commit the style makes (unused by fast-forward and plain rebase).
    pub message: &'a str,
    /// The author of the merge or squash commit; replayed commits keep their own authors.
    pub author: &'a Person,
    pub committer: &'a Person,
}

fn is_object_id(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn git(path: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .arg("--git-dir")
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn run(mut cmd: Command) -> GitResult<(i32, Vec<u8>)> {
    let out = cmd.output()?;
    let code = out.status.code().unwrap_or(-1);
    if code != 0 && code != 1 {
        return Err(GitError::Git(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    Ok((code, out.stdout))
}

fn stdout_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

/// The best common ancestor of two commits, if they share history.
pub fn merge_base(path: &Path, a: &str, b: &str) -> GitResult<Option<String>> {
    if !is_object_id(a) || !is_object_id(b) {
        return Err(GitError::Git("not an object id".into()));
    }
    let mut cmd = git(path);
    cmd.args(["merge-base", a, b]);
    let (code, out) = run(cmd)?;
    Ok((code == 0).then(|| stdout_line(&out)))
}

/// The tree of merging `theirs` into `ours` (with `base` as the merge base when given), or the
/// conflicting paths.
fn merge_tree(path: &Path, base: Option<&str>, ours: &str, theirs: &str) -> GitResult<Result<String, Vec<String>>> {
    let mut cmd = git(path);
    cmd.args(["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z"]);
    if let Some(b) = base {
        cmd.arg(format!("--merge-base={b}"));
    }
    cmd.args([ours, theirs]);
    let (code, out) = run(cmd)?;
    let mut parts = out.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).to_string());
    let tree = parts.next().unwrap_or_default();
    if code == 0 {
        return Ok(Ok(tree.trim().to_string()));
    }
    let mut files: Vec<String> = parts.take_while(|p| !p.is_empty()).collect();
    files.dedup();
    Ok(Err(files))
}

/// Whether `head` merges cleanly into `base` (both commit ids).
pub fn check(path: &Path, base: &str, head: &str) -> GitResult<Check> {
    let Some(mb) = merge_base(path, base, head)? else {
        return Ok(Check { merge_base: String::new(), outcome: Outcome::Unrelated });
    };
    if mb == head {
        return Ok(Check { merge_base: mb, outcome: Outcome::AlreadyMerged });
    }
    let outcome = match merge_tree(path, None, base, head)? {
        Ok(_) => Outcome::Clean,
        Err(files) => Outcome::Conflict(files),
    };
    Ok(Check { merge_base: mb, outcome })
}

/// Point `refs/pull/<n>/head` of the base repository at the head commit. For a pull from a fork
/// the branch is fetched from the fork's directory first (a local copy of the objects, no network).
pub fn set_pull_ref(base_path: &Path, n: i64, head_path: &Path, head_branch: &str, head: &str) -> GitResult<()> {
    if !is_object_id(head) || !is_valid_ref_name(head_branch) {
        return Err(GitError::Git("invalid pull head".into()));
    }
    let name = format!("refs/pull/{n}/head");
    if base_path != head_path {
        let mut cmd = git(base_path);
        cmd.args(["-c", "protocol.file.allow=always", "fetch", "--quiet", "--no-tags", "--no-write-fetch-head"])
            .arg(head_path)
            .arg(format!("+refs/heads/{head_branch}:{name}"));
        let (code, _) = run(cmd)?;
        if code != 0 {
            return Err(GitError::Git(format!("fetching the pull head from {}", head_path.display())));
        }
    }
    // The fetched tip may have moved past `head` meanwhile; the ref says what was checked.
    let mut cmd = git(base_path);
    cmd.args(["update-ref", &name, head]);
    let (code, _) = run(cmd)?;
    if code != 0 {
        return Err(GitError::Git("update-ref refs/pull".into()));
    }
    Ok(())
}

fn commit_tree(
    path: &Path,
    tree: &str,
    parents: &[&str],
    message: &str,
    author: &Person,
    committer: &Person,
) -> GitResult<String> {
    let mut cmd = git(path);
    cmd.arg("commit-tree").arg(tree);
    for p in parents {
        cmd.args(["-p", p]);
    }
    cmd.arg("-F").arg("-").stdin(Stdio::piped());
    cmd.env("GIT_AUTHOR_NAME", &author.name)
        .env("GIT_AUTHOR_EMAIL", &author.email)
        .env("GIT_AUTHOR_DATE", format!("@{} +0000", author.time))
        .env("GIT_COMMITTER_NAME", &committer.name)
        .env("GIT_COMMITTER_EMAIL", &committer.email)
        .env("GIT_COMMITTER_DATE", format!("@{} +0000", committer.time));
    let mut child = cmd.spawn()?;
    child.stdin.take().ok_or_else(|| GitError::Git("commit-tree stdin".into()))?.write_all(message.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(GitError::Git(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    Ok(stdout_line(&out.stdout))
}

/// Move `refs/heads/<branch>` from `old` to `new`, only if it still points at `old`. `false` when
/// it has moved; a lock held by a concurrent writer is waited out (briefly) and tried again.
fn swap_branch(path: &Path, branch: &str, new: &str, old: &str) -> GitResult<bool> {
    let full = format!("refs/heads/{branch}");
    for _ in 0..50 {
        let mut cmd = git(path);
        cmd.args(["update-ref", "-m", "merge pull request", &full, new, old]);
        let out = cmd.output()?;
        if out.status.success() {
            return Ok(true);
        }
        if crate::read::ref_commit(path, &full)?.as_deref() != Some(old) {
            return Ok(false);
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Err(GitError::Git(format!("{full} stayed locked")))
}

/// One commit's author and message, for replaying it.
fn author_and_message(path: &Path, id: &str) -> GitResult<(Person, String)> {
    let mut cmd = git(path);
    cmd.args(["show", "-s", "--format=%an%x00%ae%x00%at%x00%B", id]);
    let (_, out) = run(cmd)?;
    let text = String::from_utf8_lossy(&out).to_string();
    let mut parts = text.splitn(4, '\0');
    let (name, email, time, message) = (parts.next(), parts.next(), parts.next(), parts.next());
    let person = Person {
        name: name.unwrap_or_default().to_string(),
        email: email.unwrap_or_default().to_string(),
        time: time.and_then(|t| t.trim().parse().ok()).unwrap_or_default(),
    };
    Ok((person, message.unwrap_or_default().trim_end().to_string() + "\n"))
}

/// Replay the commits of `base..head` (merges left out) onto `base`, newest last.
fn replay(path: &Path, base: &str, head: &str, committer: &Person) -> GitResult<Result<String, Refusal>> {
    let mut cmd = git(path);
    cmd.args(["rev-list", "--reverse", "--no-merges", &format!("{base}..{head}")]);
    let (_, out) = run(cmd)?;
    let mut tip = base.to_string();
    for id in String::from_utf8_lossy(&out).lines() {
        let parent = format!("{id}^");
        let tree = match merge_tree(path, Some(&parent), &tip, id)? {
            Ok(tree) => tree,
            Err(files) => return Ok(Err(Refusal::Conflict(files))),
        };
        let (author, message) = author_and_message(path, id)?;
        tip = commit_tree(path, &tree, &[&tip], &message, &author, committer)?;
    }
    Ok(Ok(tip))
}

/// Merge `req.head` into `req.base_branch` in the style asked; returns the base's new tip.
pub fn merge(path: &Path, req: &MergeRequest<'_>) -> GitResult<Result<String, Refusal>> {
    if !is_valid_ref_name(req.base_branch) || !is_object_id(req.head) {
        return Ok(Err(Refusal::NoBase));
    }
    let Some(base) = crate::read::ref_commit(path, &format!("refs/heads/{}", req.base_branch))? else {
        return Ok(Err(Refusal::NoBase));
    };
    let Some(mb) = merge_base(path, &base, req.head)? else { return Ok(Err(Refusal::Unrelated)) };
    if mb == req.head {
        return Ok(Err(Refusal::NothingToMerge));
    }
    let new = match req.style {
        Style::FastForwardOnly => {
            if mb != base {
                return Ok(Err(Refusal::NotFastForward));
            }
            req.head.to_string()
        }
        Style::Merge | Style::Squash => {
            let tree = match merge_tree(path, None, &base, req.head)? {
                Ok(tree) => tree,
                Err(files) => return Ok(Err(Refusal::Conflict(files))),
            };
            let parents: Vec<&str> = if req.style == Style::Merge { vec![&base, req.head] } else { vec![&base] };
            commit_tree(path, &tree, &parents, req.message, req.author, req.committer)?
        }
        Style::Rebase | Style::RebaseMerge => {
            let rebased = match replay(path, &base, req.head, req.committer)? {
                Ok(tip) => tip,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if req.style == Style::Rebase {
                rebased
            } else {
                let tree = stdout_line(
                    &run({
                        let mut c = git(path);
                        c.args(["rev-parse", &format!("{rebased}^{{tree}}")]);
                        c
                    })?
                    .1,
                );
                commit_tree(path, &tree, &[&base, &rebased], req.message, req.author, req.committer)?
            }
        }
    };
    if !swap_branch(path, req.base_branch, &new, &base)? {
        return Ok(Err(Refusal::BaseMoved));
    }
    Ok(Ok(new))
}

/// The commit on `base`'s first-parent line that brought `head` in (`head` itself when the base
/// fast-forwarded to it); `None` when `head` is not in `base`.
pub fn merged_in(path: &Path, base: &str, head: &str) -> GitResult<Option<String>> {
    if !is_object_id(base) || !is_object_id(head) {
        return Ok(None);
    }
    if merge_base(path, base, head)?.as_deref() != Some(head) {
        return Ok(None);
    }
    let mut cmd = git(path);
    cmd.args(["rev-list", "--first-parent", "--ancestry-path", &format!("{head}..{base}")]);
    let (_, out) = run(cmd)?;
    let oldest = String::from_utf8_lossy(&out).lines().last().map(str::to_string);
    Ok(Some(oldest.unwrap_or_else(|| head.to_string())))
}

/// Bring `head_branch` of the repository at `path` up to date with commit `base` (already in
/// its object store): a merge commit of the base into the head (`rebase` false), or the head's
/// commits replayed onto the base (`rebase`); compare-and-swap on the head branch from `head`.
/// Returns the head branch's new tip.
pub fn update_head(
    path: &Path,
    head_branch: &str,
    head: &str,
    base: &str,
    rebase: bool,
    message: &str,
    committer: &Person,
) -> GitResult<Result<String, Refusal>> {
    if !is_valid_ref_name(head_branch) || !is_object_id(head) || !is_object_id(base) {
        return Ok(Err(Refusal::NoBase));
    }
    let Some(mb) = merge_base(path, base, head)? else { return Ok(Err(Refusal::Unrelated)) };
    if mb == base {
        return Ok(Err(Refusal::NothingToMerge));
    }
    let new = if rebase {
        match replay(path, base, head, committer)? {
            Ok(tip) => tip,
            Err(refusal) => return Ok(Err(refusal)),
        }
    } else {
        let tree = match merge_tree(path, None, head, base)? {
            Ok(tree) => tree,
            Err(files) => return Ok(Err(Refusal::Conflict(files))),
        };
        commit_tree(path, &tree, &[head, base], message, committer, committer)?
    };
    if !swap_branch(path, head_branch, &new, head)? {
        return Ok(Err(Refusal::BaseMoved));
    }
    Ok(Ok(new))
}

/// Copy commit `id` and its history from the repository at `from` into the one at `to` (both on
/// this disk), so that `to` can build on it.
pub fn copy_commit(to: &Path, from: &Path, id: &str, via_ref: &str) -> GitResult<()> {
    if !is_object_id(id) {
        return Err(GitError::Git("not an object id".into()));
    }
    let mut cmd = git(to);
    cmd.args(["-c", "protocol.file.allow=always", "fetch", "--quiet", "--no-tags", "--no-write-fetch-head"])
        .arg(from)
        .arg(format!("+{via_ref}:refs/hearth/incoming"));
    let (code, _) = run(cmd)?;
    if code != 0 {
        return Err(GitError::Git(format!("fetching {via_ref} from {}", from.display())));
    }
    let mut cmd = git(to);
    cmd.args(["update-ref", "-d", "refs/hearth/incoming"]);
    run(cmd)?;
    Ok(())
}
