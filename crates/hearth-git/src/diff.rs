//! A commit's diff against its first parent (or the diff between two commits), in-process, as unified hunks with line numbers (the
//! web UI's commit page and its `.diff`/`.patch` downloads). Large diffs are cut: after a budget
//! of lines, the remaining files are listed without their hunks.

use std::fmt::Write;
use std::path::Path;

use gix::diff::blob::{Algorithm, Diff, InternedInput};

use crate::GitResult;
use crate::changes::{against_first_parent, text_of};
use crate::read::CommitDetail;
use crate::repo::open;

/// Lines of context around each change, as `git diff`.
const CONTEXT: u32 = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct DiffLine {
    /// `' '` context, `'+'` added, `'-'` removed.
    pub kind: char,
    pub old: Option<u32>,
    pub new: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiffHunk {
    /// `@@ -a,b +c,d @@`
    pub header: String,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileDiff {
    pub path: String,
    /// `added`, `deleted` or `modified`.
    pub status: &'static str,
    /// Not text (or too large to diff): "Binary file changed".
    pub binary: bool,
    pub additions: u32,
    pub deletions: u32,
    pub hunks: Vec<DiffHunk>,
    /// Left out because the diff's line budget was spent.
    pub cut: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommitDiff {
    pub detail: CommitDetail,
    pub files: Vec<FileDiff>,
    pub additions: u64,
    pub deletions: u64,
    /// Some files' hunks were left out (`max_lines` reached).
    pub cut: bool,
}

/// The diff of commit `rev` against its first parent; hunks for at most `max_lines` lines in all.
pub fn commit_diff(path: &Path, rev: &str, max_lines: usize) -> GitResult<Option<CommitDiff>> {
    let Some(detail) = crate::read::commit(path, rev)? else { return Ok(None) };
    let repo = open(path)?;
    let changed = against_first_parent(&repo, &detail)?;
    let files = files_diff(&repo, changed, max_lines)?;
    Ok(Some(CommitDiff {
        detail,
        additions: files.additions,
        deletions: files.deletions,
        cut: files.cut,
        files: files.files,
    }))
}

/// The changes between two trees: the files with their hunks and the totals.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilesDiff {
    pub files: Vec<FileDiff>,
    pub additions: u64,
    pub deletions: u64,
    /// Some files' hunks were left out (`max_lines` reached).
    pub cut: bool,
}

/// The diff from commit `from` to commit `to` (full ids; a pull request's merge base and head):
/// hunks for at most `max_lines` lines. `None` when either is not a commit.
pub fn between(path: &Path, from: &str, to: &str, max_lines: usize) -> GitResult<Option<FilesDiff>> {
    let repo = open(path)?;
    let Some(changed) = changed_between(&repo, from, to)? else { return Ok(None) };
    files_diff(&repo, changed, max_lines).map(Some)
}

/// What differs between the trees of commits `from` and `to` (full ids); `None` when either is
/// not a commit.
fn changed_between(repo: &gix::Repository, from: &str, to: &str) -> GitResult<Option<Vec<crate::changes::Changed>>> {
    let tree_of = |id: &str| -> Option<gix::ObjectId> {
        let id = gix::ObjectId::from_hex(id.as_bytes()).ok()?;
        repo.find_commit(id).ok()?.tree_id().ok().map(|t| t.detach())
    };
    let (Some(old), Some(new)) = (tree_of(from), tree_of(to)) else { return Ok(None) };
    let mut changed = Vec::new();
    crate::changes::diff_trees(repo, Some(old), Some(new), "", &mut changed)?;
    Ok(Some(changed))
}

/// Write the diff from commit `from` to commit `to` as `git diff` text, one file at a time (a big
/// diff is never held whole). False, with nothing written, when either is not a commit.
pub fn write_between(path: &Path, from: &str, to: &str, out: &mut impl std::io::Write) -> GitResult<bool> {
    let repo = open(path)?;
    let Some(changed) = changed_between(&repo, from, to)? else { return Ok(false) };
    for one in changed {
        let d = files_diff(&repo, vec![one], usize::MAX)?;
        out.write_all(unified_files(&d.files).as_bytes())?;
    }
    Ok(true)
}

/// The paths that differ between commits `from` and `to` (no blob is read); `None` when either
/// is not a commit.
pub fn changed_paths(path: &Path, from: &str, to: &str) -> GitResult<Option<Vec<String>>> {
    let repo = open(path)?;
    Ok(changed_between(&repo, from, to)?.map(|changed| changed.into_iter().map(|(p, _, _)| p).collect()))
}

fn files_diff(repo: &gix::Repository, changed: Vec<crate::changes::Changed>, max_lines: usize) -> GitResult<FilesDiff> {
    let mut out = FilesDiff::default();
    let mut budget = max_lines;
    for (path, before, after) in changed {
        let status = match (before, after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "deleted",
            _ => "modified",
        };
        let mut file =
            FileDiff { path, status, binary: false, additions: 0, deletions: 0, hunks: Vec::new(), cut: false };
        match (text_of(repo, before)?, text_of(repo, after)?) {
            (Some(old), Some(new)) if !old.contains(&0) && !new.contains(&0) => {
                let old = String::from_utf8_lossy(&old).into_owned();
                let new = String::from_utf8_lossy(&new).into_owned();
                let input = InternedInput::new(old.as_str(), new.as_str());
                let mut diff = Diff::compute(Algorithm::Histogram, &input);
                diff.postprocess_lines(&input);
                file.additions = diff.count_additions();
                file.deletions = diff.count_removals();
                if budget == 0 {
                    file.cut = true;
                    out.cut = true;
                } else {
                    file.hunks = hunks(&diff, &input);
                    let n: usize = file.hunks.iter().map(|h| h.lines.len()).sum();
                    budget = budget.saturating_sub(n);
                }
            }
            _ => file.binary = true,
        }
        out.additions += u64::from(file.additions);
        out.deletions += u64::from(file.deletions);
        out.files.push(file);
    }
    Ok(out)
}

/// Unified hunks with [`CONTEXT`] lines around each change; nearby changes share a hunk.
fn hunks(diff: &Diff, input: &InternedInput<&str>) -> Vec<DiffHunk> {
    let line = |t: gix::diff::blob::Token| input.interner[t].trim_end_matches(['\n', '\r']).to_string();
    let (before, after) = (&input.before, &input.after);
    // Group changes whose context would touch.
    let mut groups: Vec<Vec<gix::diff::blob::Hunk>> = Vec::new();
    for h in diff.hunks() {
        match groups.last_mut() {
            Some(g) if h.before.start <= g.last().map_or(0, |l| l.before.end) + 2 * CONTEXT => g.push(h),
            _ => groups.push(vec![h]),
        }
    }
    let mut out = Vec::new();
    for g in groups {
        let (first, last) = (&g[0], &g[g.len() - 1]);
        let old_start = first.before.start.saturating_sub(CONTEXT);
        let new_start = first.after.start - (first.before.start - old_start);
        let old_end = (last.before.end + CONTEXT).min(before.len() as u32);
        let mut lines = Vec::new();
        let (mut o, mut n) = (old_start, new_start);
        for h in &g {
            while o < h.before.start {
                lines.push(DiffLine { kind: ' ', old: Some(o + 1), new: Some(n + 1), text: line(before[o as usize]) });
                o += 1;
                n += 1;
            }
            for i in h.before.clone() {
                lines.push(DiffLine { kind: '-', old: Some(i + 1), new: None, text: line(before[i as usize]) });
            }
            for i in h.after.clone() {
                lines.push(DiffLine { kind: '+', old: None, new: Some(i + 1), text: line(after[i as usize]) });
            }
            o = h.before.end;
            n = h.after.end;
        }
        while o < old_end && (n as usize) < after.len() {
            lines.push(DiffLine { kind: ' ', old: Some(o + 1), new: Some(n + 1), text: line(before[o as usize]) });
            o += 1;
            n += 1;
        }
        let old_len = o - old_start;
        let new_len = n - new_start;
        let header = format!(
            "@@ -{},{old_len} +{},{new_len} @@",
            if old_len == 0 { old_start } else { old_start + 1 },
            if new_len == 0 { new_start } else { new_start + 1 }
        );
        out.push(DiffHunk { header, lines });
    }
    out
}

/// The diff as `git diff` text (no index lines, no rename detection).
pub fn unified_text(d: &CommitDiff) -> String {
    unified_files(&d.files)
}

/// Files' diffs as `git diff` text.
pub fn unified_files(files: &[FileDiff]) -> String {
    let mut s = String::new();
    for f in files {
        let _ = writeln!(s, "diff --git a/{0} b/{0}", f.path);
        match f.status {
            "added" => s.push_str("new file mode 100644\n"),
            "deleted" => s.push_str("deleted file mode 100644\n"),
            _ => {}
        }
        if f.binary {
            let _ = writeln!(s, "Binary files a/{0} and b/{0} differ", f.path);
            continue;
        }
        let old = if f.status == "added" { "/dev/null".to_string() } else { format!("a/{}", f.path) };
        let new = if f.status == "deleted" { "/dev/null".to_string() } else { format!("b/{}", f.path) };
        if !f.hunks.is_empty() {
            let _ = writeln!(s, "--- {old}\n+++ {new}");
        }
        for h in &f.hunks {
            s.push_str(&h.header);
            s.push('\n');
            for l in &h.lines {
                s.push(l.kind);
                s.push_str(&l.text);
                s.push('\n');
            }
        }
    }
    s
}

/// `git format-patch` style: a mail header, the message, then the diff.
pub fn format_patch(d: &CommitDiff) -> String {
    let c = &d.detail.info;
    let date = time::OffsetDateTime::from_unix_timestamp(c.author_time)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc2822).ok())
        .unwrap_or_default();
    let mut lines = c.message.lines();
    let subject = lines.next().unwrap_or("");
    let body: Vec<&str> = lines.collect();
    format!(
        "From {} Mon Sep 17 00:00:00 2001\nFrom: {} <{}>\nDate: {date}\nSubject: [PATCH] {subject}\n\n{}\n---\n\n{}",
        c.id,
        c.author_name,
        c.author_email,
        body.join("\n").trim(),
        unified_text(d)
    )
}
