//! The last commit that changed each entry of a directory (the "Files" table's commit column),
//! found in one history walk for the whole directory rather than one walk per entry.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use gix::ObjectId;

use crate::repo::{commit_info, open};
use crate::{CommitInfo, GitError, GitResult};

/// Name → object id of one tree's entries.
type Entries = HashMap<Vec<u8>, ObjectId>;

/// The last commit to change each entry of directory `dir` ("" for the root) at commit `commit`,
/// comparing each commit with its first parent, newest first by commit time. The walk stops once
/// every entry has its commit, after `max_commits`, or at `deadline`: entries it did not reach are
/// missing from the answer. `None` when `commit` or `dir` does not exist.
pub fn last_commits(
    path: &Path,
    commit: &str,
    dir: &str,
    max_commits: usize,
    deadline: Instant,
) -> GitResult<Option<HashMap<String, CommitInfo>>> {
    let repo = open(path)?;
    let Ok(tip) = ObjectId::from_hex(commit.as_bytes()) else { return Ok(None) };
    let Ok(tip) = repo.find_commit(tip) else { return Ok(None) };
    let dir = dir.trim_matches('/');
    let Some(tip_tree) = dir_tree(&tip, dir)? else { return Ok(None) };
    let mut trees: HashMap<ObjectId, Entries> = HashMap::new();
    let mut pending: Vec<Vec<u8>> = entries(&repo, tip_tree, &mut trees)?.into_keys().collect();
    let mut found = HashMap::new();
    let walk = repo
        .rev_walk([tip.id])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(Default::default()))
        .all()
        .map_err(GitError::git)?;
    for info in walk.take(max_commits) {
        if pending.is_empty() || Instant::now() > deadline {
            break;
        }
        let c = repo.find_commit(info.map_err(GitError::git)?.id).map_err(GitError::git)?;
        let here = dir_tree(&c, dir)?;
        let before = match c.parent_ids().next() {
            Some(p) => dir_tree(&repo.find_commit(p.detach()).map_err(GitError::git)?, dir)?,
            None => None,
        };
        if here == before {
            continue;
        }
        let here = match here {
            Some(id) => entries(&repo, id, &mut trees)?,
            None => Entries::new(),
        };
        let before = match before {
            Some(id) => entries(&repo, id, &mut trees)?,
            None => Entries::new(),
        };
        let mut info = None;
        pending.retain(|name| {
            if here.get(name) == before.get(name) {
                return true;
            }
            if info.is_none() {
                info = commit_info(&c).ok();
            }
            if let Some(i) = &info {
                found.insert(String::from_utf8_lossy(name).into_owned(), i.clone());
            }
            false
        });
    }
    Ok(Some(found))
}

/// The id of directory `dir`'s tree in `commit`, if it has that directory.
fn dir_tree(commit: &gix::Commit<'_>, dir: &str) -> GitResult<Option<ObjectId>> {
    let tree = commit.tree().map_err(GitError::git)?;
    if dir.is_empty() {
        return Ok(Some(tree.id));
    }
    Ok(tree.lookup_entry_by_path(dir).map_err(GitError::git)?.filter(|e| e.mode().is_tree()).map(|e| e.object_id()))
}

/// A tree's entries, decoded once per walk (a commit's parent is usually the next one walked).
fn entries(repo: &gix::Repository, id: ObjectId, cache: &mut HashMap<ObjectId, Entries>) -> GitResult<Entries> {
    if let Some(hit) = cache.get(&id) {
        return Ok(hit.clone());
    }
    let tree = repo.find_tree(id).map_err(GitError::git)?;
    let decoded = tree.decode().map_err(GitError::git)?;
    let map: Entries = decoded.entries.iter().map(|e| (e.filename.to_vec(), e.oid.to_owned())).collect();
    if cache.len() > 64 {
        cache.clear();
    }
    cache.insert(id, map.clone());
    Ok(map)
}

#[cfg(test)]
mod tests {
    use std::process::Command;
    use std::time::Duration;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "user.name=T", "-c", "user.email=t@x", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn commit(dir: &Path, file: &str, body: &str, when: i64, msg: &str) -> String {
        let p = dir.join(file);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, body).unwrap();
        git(dir, &["add", "-A"]);
        let date = format!("{} +0000", 1_700_000_000 + when);
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@x",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-q",
                "-m",
                msg,
            ])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success());
        git(dir, &["rev-parse", "HEAD"])
    }

    #[test]
    fn each_entry_gets_the_newest_commit_that_changed_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"]);
        let first = commit(dir, "a.txt", "1", 1_000, "add a");
        let second = commit(dir, "src/x.rs", "x", 2_000, "add src");
        let third = commit(dir, "b.txt", "b", 3_000, "add b");
        let fourth = commit(dir, "src/y.rs", "y", 4_000, "touch src");
        let far = Instant::now() + Duration::from_secs(10);

        let root = last_commits(dir, &fourth, "", 1000, far).unwrap().unwrap();
        assert_eq!(root["a.txt"].id, first);
        assert_eq!(root["b.txt"].id, third);
        assert_eq!(root["src"].id, fourth);
        assert_eq!(root["src"].message, "touch src\n");

        let src = last_commits(dir, &fourth, "src/", 1000, far).unwrap().unwrap();
        assert_eq!((src["x.rs"].id.as_str(), src["y.rs"].id.as_str()), (second.as_str(), fourth.as_str()));
        // At an older commit, later history does not count.
        let old = last_commits(dir, &third, "", 1000, far).unwrap().unwrap();
        assert_eq!(old["src"].id, second);

        // A budget of one commit finds only what the tip changed.
        let capped = last_commits(dir, &fourth, "", 1, far).unwrap().unwrap();
        assert_eq!(capped.keys().collect::<Vec<_>>(), vec!["src"]);

        assert!(last_commits(dir, &fourth, "nope", 1000, far).unwrap().is_none());
        assert!(last_commits(dir, &fourth, "a.txt", 1000, far).unwrap().is_none(), "a file is no directory");
        assert!(last_commits(dir, "not-hex", "", 1000, far).unwrap().is_none());
    }
}
