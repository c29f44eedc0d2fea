//! Pull requests (Gitea's API, issue #18): opening one, the background mergeability check, and the
//! merge. A pull is an issue row plus a `pull_request` row, written in one transaction; the Git side
//! (`refs/pull/N/head`, merges) happens outside it and is compare-and-swap, so a failure leaves the
//! database and the repository consistent.

use std::path::PathBuf;

use hearth_git::Person;
use hearth_git::merge::{self, Outcome, Refusal, Style};
use hearth_store::actions::Op;
use hearth_store::issues::{IssueRow, NewIssue};
use hearth_store::pulls::{self, NewPull, PullRow, PullStatus};
use hearth_store::repos::{self, RepoRow};
use hearth_store::users::{self, UserRow};
use hearth_store::{CommentKind, issues, milestones};

use super::access::{AccessMode, access_mode};
use super::issues::Tracker;
use super::repos::repo_path;
use super::webhooks::payload::enqueue_pull;
use super::webhooks::wake;
use super::{ServiceError, ServiceResult, git_blocking, now_unix};
use crate::app::AppState;

#[derive(Debug, Default)]
pub struct CreatePull {
    pub title: String,
    pub body: String,
    /// `branch` (this repository) or `owner:branch` (that owner's fork, or this repository).
    pub head: String,
    pub base: String,
    pub assignee: String,
    pub milestone: i64,
    pub labels: Vec<i64>,
}

/// A pull's head: the repository (the base itself or a fork) and its branch.
pub(crate) struct Head {
    pub owner: UserRow,
    pub repo: RepoRow,
    pub branch: String,
}

pub(crate) fn dir(state: &AppState, owner: &UserRow, repo: &RepoRow) -> PathBuf {
    repo_path(&state.config.repository.root, &owner.name, &repo.name)
}

/// The head a spec names: `branch` of the base repository, or `owner:branch` of the owner's fork
/// of it (which `viewer` must be able to read).
pub(crate) async fn find_head(
    state: &AppState,
    base_owner: &UserRow,
    base: &RepoRow,
    viewer: Option<&UserRow>,
    spec: &str,
) -> ServiceResult<Head> {
    let (owner_name, branch) = match spec.split_once(':') {
        None => return Ok(Head { owner: base_owner.clone(), repo: base.clone(), branch: spec.to_string() }),
        Some((o, b)) if !b.contains(':') => (o, b),
        _ => return Err(ServiceError::NotFound),
    };
    let mut h = state.db.acquire().await?;
    let owner = users::by_name(h.conn(), owner_name).await?.ok_or(ServiceError::NotFound)?;
    if owner.id == base_owner.id {
        return Ok(Head { owner, repo: base.clone(), branch: branch.to_string() });
    }
    let fork = repos::forks_of(h.conn(), base.id)
        .await?
        .into_iter()
        .find(|r| r.owner_id == owner.id)
        .ok_or(ServiceError::NotFound)?;
    if access_mode(h.conn(), viewer, &fork).await? < AccessMode::Read {
        return Err(ServiceError::NotFound);
    }
    Ok(Head { owner, repo: fork, branch: branch.to_string() })
}

/// The open pull from `head` (`branch` or `owner:branch`) into `base` (Gitea's
/// `GET …/pulls/{base}/{head}`), settled like [`get_settled`].
pub async fn by_base_head(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    viewer: Option<&UserRow>,
    base: &str,
    head: &str,
) -> ServiceResult<(IssueRow, PullRow)> {
    let head = find_head(state, owner, repo, viewer, head).await?;
    let index = {
        let mut h = state.db.acquire().await?;
        pulls::open_between(h.conn(), head.repo.id, &head.branch, repo.id, base).await?.ok_or(ServiceError::NotFound)?.1
    };
    get_settled(state, repo.id, index).await
}

pub(crate) async fn branch_tip(path: PathBuf, branch: &str) -> ServiceResult<Option<String>> {
    if !hearth_git::names::is_valid_ref_name(branch) {
        return Ok(None);
    }
    let full = format!("refs/heads/{branch}");
    git_blocking(move || hearth_git::read::ref_commit(&path, &full)).await
}

/// Open a pull request from `opt.head` into `opt.base` (any reader of both; assignee, milestone
/// and labels only for writers of the base, as for issues).
pub async fn create(state: &AppState, t: &Tracker<'_>, opt: &CreatePull) -> ServiceResult<(IssueRow, PullRow)> {
    super::repo_manage::ensure_writable(t.repo)?;
    let head = find_head(state, t.owner, t.repo, Some(t.doer), &opt.head).await?;
    if head.repo.id == t.repo.id && head.branch == opt.base {
        return Err(ServiceError::Invalid(
            "Invalid PullRequest: There are no changes between the head and the base".into(),
        ));
    }
    if branch_tip(dir(state, t.owner, t.repo), &opt.base).await?.is_none() {
        return Err(ServiceError::NotFound);
    }
    let head_sha =
        branch_tip(dir(state, &head.owner, &head.repo), &head.branch).await?.ok_or(ServiceError::NotFound)?;
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    if let Some((p, idx)) = pulls::open_between(tx.conn(), head.repo.id, &head.branch, t.repo.id, &opt.base).await? {
        return Err(ServiceError::Conflict(format!(
            "pull request already exists for these targets [id: {}, issue_id: {idx}, head_repo_id: {}, base_repo_id: {}, \
             head_branch: {}, base_branch: {}]",
            p.id, head.repo.id, t.repo.id, head.branch, opt.base
        )));
    }
    let writer = t.mode >= AccessMode::Write;
    let (mut assignee, mut milestone) = (0, 0);
    if writer {
        if !opt.assignee.is_empty() {
            assignee = match users::by_name(tx.conn(), &opt.assignee).await? {
                Some(u) if u.kind == hearth_store::UserKind::Individual => u.id,
                _ => return Err(ServiceError::Invalid(format!("Assignee does not exist: [name: {}]", opt.assignee))),
            };
        }
        if opt.milestone > 0 {
            milestones::get(tx.conn(), t.repo.id, opt.milestone).await?.ok_or(ServiceError::NotFound)?;
            milestone = opt.milestone;
        }
    }
    let idx = issues::next_index(tx.conn(), t.repo.id).await?;
    let new = NewPull {
        issue: NewIssue {
            repo_id: t.repo.id,
            idx,
            poster_id: t.doer.id,
            title: opt.title.trim(),
            body: &opt.body,
            milestone_id: milestone,
            assignee_id: assignee,
            is_pull: true,
            now,
        },
        head_repo_id: head.repo.id,
        head_branch: &head.branch,
        base_branch: &opt.base,
        head_sha: &head_sha,
    };
    let (issue, pull) = pulls::insert(tx.conn(), &new).await?;
    milestones::count_issue(tx.conn(), milestone, false, 1).await?;
    if writer {
        super::issues::attach_labels(tx.conn(), t.repo.id, issue.id, &opt.labels).await?;
    }
    enqueue_pull(state, tx.conn(), t.owner, t.repo, &issue, &pull, "opened", None, t.doer).await?;
    super::notifications::enqueue(tx.conn(), &issue, 0, t.doer.id, "opened", &issue.body).await?;
    super::feeds::record_issue(tx.conn(), Op::CreateIssue, Op::CreatePullRequest, t.doer, &issue).await?;
    tx.commit().await?;
    wake(state);
    // `git fetch origin pull/N/head` works at once; the checker sets the ref again before it checks.
    let (base_dir, head_dir, branch, sha) =
        (dir(state, t.owner, t.repo), dir(state, &head.owner, &head.repo), head.branch, head_sha);
    if let Err(e) = git_blocking(move || merge::set_pull_ref(&base_dir, idx, &head_dir, &branch, &sha)).await {
        tracing::warn!(error = %e, "refs/pull/{idx}/head");
    }
    state.wake(crate::service::signals::Job::PullChecks);
    Ok((issue, pull))
}

/// Check one queued pull: copy its head into `refs/pull/N/head`, find the merge base and whether it
/// merges cleanly, and record that (unless the pull was queued again meanwhile).
pub async fn check(state: &AppState, pull: &PullRow) -> ServiceResult<()> {
    let (issue, base_owner, base_repo, head) = {
        let mut h = state.db.acquire().await?;
        let issue = issues::by_id(h.conn(), pull.issue_id).await?.ok_or(ServiceError::NotFound)?;
        let base_repo = repos::by_id(h.conn(), pull.base_repo_id).await?.ok_or(ServiceError::NotFound)?;
        let base_owner = users::by_id(h.conn(), base_repo.owner_id).await?.ok_or(ServiceError::NotFound)?;
        let head = match repos::by_id(h.conn(), pull.head_repo_id).await? {
            Some(r) => users::by_id(h.conn(), r.owner_id).await?.map(|o| (o, r)),
            None => None,
        };
        (issue, base_owner, base_repo, head)
    };
    let base_dir = dir(state, &base_owner, &base_repo);
    let head_dir = head.as_ref().map(|(o, r)| dir(state, o, r));
    let (pull_c, idx) = (pull.clone(), issue.idx);
    // A head that was not in the base at the last check and is now: merged by a push.
    let watch_manual = !pull.merge_base.is_empty() && pull.merge_base != pull.head_sha;
    let result = git_blocking(move || -> hearth_git::GitResult<(PullStatus, String, String, Option<String>)> {
        let base = hearth_git::read::ref_commit(&base_dir, &format!("refs/heads/{}", pull_c.base_branch))?;
        let Some(base) = base else { return Ok((PullStatus::Error, String::new(), String::new(), None)) };
        if let Some(head_dir) = &head_dir
            && !pull_c.head_sha.is_empty()
        {
            merge::set_pull_ref(&base_dir, idx, head_dir, &pull_c.head_branch, &pull_c.head_sha)?;
        }
        let c = merge::check(&base_dir, &base, &pull_c.head_sha)?;
        Ok(match c.outcome {
            Outcome::Clean => (PullStatus::Mergeable, c.merge_base, String::new(), None),
            Outcome::Conflict(files) => (PullStatus::Conflict, c.merge_base, files.join("\n"), None),
            Outcome::AlreadyMerged => {
                let by = if watch_manual { merge::merged_in(&base_dir, &base, &pull_c.head_sha)? } else { None };
                (PullStatus::Empty, c.merge_base, String::new(), by)
            }
            Outcome::Unrelated => (PullStatus::Error, String::new(), String::new(), None),
        })
    })
    .await;
    let (status, merge_base, files, manual) = result.unwrap_or_else(|e| {
        tracing::warn!(error = %e, pull = pull.id, "mergeability check");
        (PullStatus::Error, String::new(), String::new(), None)
    });
    let mut tx = state.db.begin().await?;
    let recorded = pulls::set_checked(tx.conn(), pull.id, &pull.head_sha, status, &merge_base, &files).await?;
    if let (true, Some(commit)) = (recorded, manual) {
        record_manual_merge(state, tx.conn(), &base_owner, &base_repo, &issue, pull, &commit).await?;
    }
    tx.commit().await?;
    if recorded {
        wake(state);
    }
    Ok(())
}

/// A pull whose head a push put into its base is merged ("manually merged", as Gitea's
/// autodetection): by the base repository's owner (nobody else is known), at the commit that
/// brought the head in.
async fn record_manual_merge(
    state: &AppState,
    mut c: hearth_store::Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    issue: &IssueRow,
    pull: &PullRow,
    commit: &str,
) -> ServiceResult<()> {
    let now = now_unix();
    if !pulls::set_merged(c.reborrow(), pull.id, owner.id, commit, now).await? {
        // The merge itself was recorded meanwhile (by the process that made it).
        return Ok(());
    }
    if !issue.is_closed {
        issues::set_closed(c.reborrow(), issue, true, now).await?;
        pulls::count_closed(c.reborrow(), repo.id, 1).await?;
        milestones::count_closed(c.reborrow(), issue.milestone_id, 1).await?;
        issues::insert_comment(c.reborrow(), issue, CommentKind::Close, owner.id, "", now).await?;
    }
    let mut closed = issue.clone();
    (closed.is_closed, closed.updated_unix) = (true, now);
    let merged = PullRow {
        has_merged: true,
        merger_id: owner.id,
        merged_commit: commit.to_string(),
        merged_unix: now,
        status: PullStatus::Empty as i16,
        ..pull.clone()
    };
    enqueue_pull(state, c, owner, repo, &closed, &merged, "closed", None, owner).await?;
    Ok(())
}

/// Record a check that could not run (its repositories are gone) as an error.
pub async fn mark_failed(state: &AppState, pull: &PullRow) -> ServiceResult<()> {
    let mut h = state.db.acquire().await?;
    pulls::set_checked(h.conn(), pull.id, &pull.head_sha, PullStatus::Error, "", "").await?;
    Ok(())
}

/// A pull by number, with its issue row; 404 for an issue that is not a pull.
pub async fn get(state: &AppState, repo_id: i64, index: i64) -> ServiceResult<(IssueRow, PullRow)> {
    // One snapshot for both rows: a merge commits `merged` and `closed` together, and two plain
    // reads could straddle it (merged, yet open).
    let mut h = state.db.begin_read().await?;
    let issue =
        issues::by_index(h.conn(), repo_id, index).await?.filter(|i| i.is_pull).ok_or(ServiceError::NotFound)?;
    let pull = pulls::by_issue(h.conn(), issue.id).await?.ok_or(ServiceError::NotFound)?;
    Ok((issue, pull))
}

/// Where a pull's changes start: its merge base, or the base branch's tip before the first check.
pub async fn range_start(state: &AppState, owner: &UserRow, repo: &RepoRow, pull: &PullRow) -> ServiceResult<String> {
    if !pull.merge_base.is_empty() {
        return Ok(pull.merge_base.clone());
    }
    branch_tip(dir(state, owner, repo), &pull.base_branch).await?.ok_or(ServiceError::NotFound)
}

/// Like [`get`], but a pull still being checked is waited for (a few seconds at most), so that
/// what the caller sees is settled; past that the checking state is reported.
pub async fn get_settled(state: &AppState, repo_id: i64, index: i64) -> ServiceResult<(IssueRow, PullRow)> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let got = get(state, repo_id, index).await?;
        if got.1.status() != PullStatus::Checking || got.1.has_merged || tokio::time::Instant::now() >= deadline {
            return Ok(got);
        }
        state.wake(crate::service::signals::Job::PullChecks);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[derive(Debug)]
pub struct MergePull {
    /// Gitea's `Do`: merge, rebase, rebase-merge, squash, fast-forward-only.
    pub style: String,
    pub title: String,
    pub message: String,
    pub head_commit_id: String,
    /// Delete the head branch after the merge (when the caller may, and no other open pull uses it).
    pub delete_branch: bool,
}

fn parse_style(s: &str) -> Option<Style> {
    Some(match s {
        "merge" => Style::Merge,
        "rebase" => Style::Rebase,
        "rebase-merge" => Style::RebaseMerge,
        "squash" => Style::Squash,
        "fast-forward-only" => Style::FastForwardOnly,
        _ => return None,
    })
}

/// Why the base branch's protection refuses `t.doer` this merge (Gitea's reason text), if it does.
pub async fn merge_blocker(
    state: &AppState,
    t: &Tracker<'_>,
    issue: &IssueRow,
    pull: &PullRow,
) -> ServiceResult<Option<String>> {
    let base_tip = branch_tip(dir(state, t.owner, t.repo), &pull.base_branch).await?.unwrap_or_default();
    let behind = !pull.merge_base.is_empty() && pull.merge_base != base_tip;
    let (base_dir, from, to) = (dir(state, t.owner, t.repo), pull.merge_base.clone(), pull.head_sha.clone());
    let changed = async move || -> ServiceResult<Vec<String>> {
        Ok(git_blocking(move || hearth_git::diff::changed_paths(&base_dir, &from, &to)).await?.unwrap_or_default())
    };
    super::branch_protection::merge_refusal(
        state,
        t.repo,
        t.doer,
        t.mode,
        &pull.base_branch,
        issue.id,
        &pull.head_sha,
        behind,
        changed,
    )
    .await
}

/// Merge a pull (writers of the base repository).
pub async fn merge(state: &AppState, t: &Tracker<'_>, index: i64, opt: &MergePull) -> ServiceResult<()> {
    super::repo_manage::ensure_writable(t.repo)?;
    let style = parse_style(&opt.style)
        .ok_or_else(|| ServiceError::Invalid(format!("[Do]: unknown merge style {:?}", opt.style)))?;
    let allowed = match style {
        Style::Merge => t.repo.allow_merge_commits,
        Style::Rebase => t.repo.allow_rebase,
        Style::RebaseMerge => t.repo.allow_rebase_explicit,
        Style::Squash => t.repo.allow_squash_merge,
        Style::FastForwardOnly => t.repo.allow_fast_forward_only_merge,
    };
    if !allowed {
        // Gitea's wording, kept for clients that match on it.
        return Err(ServiceError::NotAllowed(format!(
            "{} is not allowed an allowed merge style for this repository",
            opt.style
        )));
    }
    let (issue, pull) = get_settled(state, t.repo.id, index).await?;
    if pull.has_merged {
        return Err(ServiceError::NotAllowed(String::new()));
    }
    if issue.is_closed {
        return Err(ServiceError::NotFound);
    }
    if let Some(reason) = merge_blocker(state, t, &issue, &pull).await? {
        return Err(ServiceError::NotAllowed(reason));
    }
    if pull.status() != PullStatus::Mergeable {
        return Err(ServiceError::NotAllowed("Please try again later".into()));
    }
    if !opt.head_commit_id.is_empty() && opt.head_commit_id != pull.head_sha {
        return Err(ServiceError::Conflict("head out of date".into()));
    }
    let head = {
        let mut h = state.db.acquire().await?;
        match repos::by_id(h.conn(), pull.head_repo_id).await? {
            Some(r) => Some((users::by_id(h.conn(), r.owner_id).await?.ok_or(ServiceError::NotFound)?, r)),
            None => None,
        }
    };
    let from = match &head {
        Some((o, r)) if r.id != t.repo.id => format!("{}/{}:{}", o.name, r.name, pull.head_branch),
        Some(_) => pull.head_branch.clone(),
        None => format!("<deleted>:{}", pull.head_branch),
    };
    let default_title = match style {
        Style::Squash => format!("{} (#{})", issue.title, issue.idx),
        _ => format!("Merge pull request '{}' (#{}) from {from} into {}", issue.title, issue.idx, pull.base_branch),
    };
    let title = if opt.title.trim().is_empty() { default_title } else { opt.title.trim().to_string() };
    let message = if opt.message.trim().is_empty() {
        format!("{title}\n")
    } else {
        format!("{title}\n\n{}\n", opt.message.trim_end())
    };
    let now = now_unix();
    let merger = Person { name: t.doer.name.clone(), email: t.doer.email.clone(), time: now };
    let poster = {
        let mut h = state.db.acquire().await?;
        users::by_id(h.conn(), issue.poster_id).await?
    };
    // A squash commit is the pull's work: its author is the poster (Gitea's choice).
    let author = match (style, &poster) {
        (Style::Squash, Some(p)) => Person { name: p.name.clone(), email: p.email.clone(), time: now },
        _ => merger.clone(),
    };
    let base_dir = dir(state, t.owner, t.repo);
    let (base_branch, head_sha) = (pull.base_branch.clone(), pull.head_sha.clone());
    let outcome = git_blocking(move || {
        let req = merge::MergeRequest {
            base_branch: &base_branch,
            head: &head_sha,
            style,
            message: &message,
            author: &author,
            committer: &merger,
        };
        merge::merge(&base_dir, &req)
    })
    .await?;
    let commit = match outcome {
        Ok(commit) => commit,
        Err(Refusal::Conflict(files)) => {
            return Err(ServiceError::Conflict(format!("merge conflict in: {}", files.join(", "))));
        }
        Err(Refusal::NotFastForward) => {
            return Err(ServiceError::Conflict("the head branch is not a fast-forward of the base branch".into()));
        }
        Err(Refusal::BaseMoved) => return Err(ServiceError::Conflict("merge push out of date".into())),
        Err(Refusal::NothingToMerge | Refusal::Unrelated | Refusal::NoBase) => {
            return Err(ServiceError::NotAllowed("Please try again later".into()));
        }
    };
    // The branch has moved: record the merge and close the pull in one transaction. Should this
    // fail, the check after the push below finds the head in the base (recorded as merged then).
    let mut tx = state.db.begin().await?;
    let pull_branch = pull.head_branch.clone();
    if pulls::set_merged(tx.conn(), pull.id, t.doer.id, &commit, now).await? {
        issues::set_closed(tx.conn(), &issue, true, now).await?;
        pulls::count_closed(tx.conn(), t.repo.id, 1).await?;
        milestones::count_closed(tx.conn(), issue.milestone_id, 1).await?;
        issues::insert_comment(tx.conn(), &issue, CommentKind::Close, t.doer.id, "", now).await?;
        pulls::requeue_branch(tx.conn(), t.repo.id, &pull.base_branch, None).await?;
        let mut closed = issue.clone();
        (closed.is_closed, closed.updated_unix) = (true, now);
        let merged =
            PullRow { has_merged: true, merger_id: t.doer.id, merged_commit: commit, merged_unix: now, ..pull };
        enqueue_pull(state, tx.conn(), t.owner, t.repo, &closed, &merged, "closed", None, t.doer).await?;
        super::notifications::enqueue(tx.conn(), &closed, 0, t.doer.id, "merged", "").await?;
        super::feeds::record_issue(tx.conn(), Op::MergePullRequest, Op::MergePullRequest, t.doer, &closed).await?;
    } else {
        // A check (in another process) found the head in the base first and recorded the merge
        // as found in a push, closing and announcing it: it was this one.
        pulls::set_merger(tx.conn(), pull.id, t.doer.id, &commit).await?;
    }
    tx.commit().await?;
    wake(state);
    state.wake(crate::service::signals::Job::PullChecks);
    if opt.delete_branch
        && let Some((head_owner, head_repo)) = &head
        && let Err(e) = delete_head_branch(state, t.doer, head_owner, head_repo, &pull_branch).await
    {
        // The merge has happened; a branch that cannot go stays (Gitea 1.23 skips it too).
        tracing::info!(error = %e, "keeping the head branch after the merge");
    }
    Ok(())
}

async fn delete_head_branch(
    state: &AppState,
    doer: &UserRow,
    owner: &UserRow,
    repo: &RepoRow,
    branch: &str,
) -> ServiceResult<()> {
    let mut h = state.db.acquire().await?;
    if access_mode(h.conn(), Some(doer), repo).await? < AccessMode::Write {
        return Err(ServiceError::Forbidden("no write access to the head repository".into()));
    }
    if pulls::open_from(h.conn(), repo.id, branch).await? > 0 {
        return Err(ServiceError::Conflict("another open pull request uses the branch".into()));
    }
    drop(h);
    super::refs::delete_branch(state, owner, repo, &dir(state, owner, repo), doer, branch).await
}

/// Queue `synchronized` for pull `id` (its head just moved), in the caller's transaction.
pub async fn enqueue_synchronized(
    state: &AppState,
    mut c: hearth_store::Conn<'_>,
    id: i64,
    pusher: &UserRow,
) -> ServiceResult<usize> {
    let Some(pull) = pulls::by_id(c.reborrow(), id).await? else { return Ok(0) };
    let Some(issue) = issues::by_id(c.reborrow(), pull.issue_id).await? else { return Ok(0) };
    let Some(repo) = repos::by_id(c.reborrow(), pull.base_repo_id).await? else { return Ok(0) };
    let Some(owner) = users::by_id(c.reborrow(), repo.owner_id).await? else { return Ok(0) };
    let rules: Vec<super::branch_protection::Rule> = hearth_store::protected_branches::of_repo(c.reborrow(), repo.id)
        .await?
        .into_iter()
        .map(super::branch_protection::Rule::from_row)
        .collect();
    let dismiss = super::branch_protection::rule_for(&rules, &pull.base_branch)
        .is_some_and(|r| r.settings.dismiss_stale_approvals);
    hearth_store::reviews::after_head_moved(c.reborrow(), issue.id, dismiss, now_unix()).await?;
    enqueue_pull(state, c, &owner, &repo, &issue, &pull, "synchronized", None, pusher).await
}

/// Edit a pull: the issue's fields (through the issues' edit), plus Gitea's `base` (retarget).
pub async fn edit(state: &AppState, t: &Tracker<'_>, index: i64, opt: super::issues::EditIssue) -> ServiceResult<()> {
    let (issue, pull) = get(state, t.repo.id, index).await?;
    if pull.has_merged && opt.state.is_some() {
        return Err(ServiceError::Precondition(
            "cannot change state of this pull request, it was already merged".into(),
        ));
    }
    if let Some(base) = opt.base.as_deref().filter(|b| *b != pull.base_branch) {
        if issue.poster_id != t.doer.id && t.mode < AccessMode::Write {
            return Err(ServiceError::Forbidden(String::new()));
        }
        if pull.has_merged {
            return Err(ServiceError::Conflict("pull request is already merged".into()));
        }
        if branch_tip(dir(state, t.owner, t.repo), base).await?.is_none() {
            return Err(ServiceError::NotFound);
        }
        let mut h = state.db.acquire().await?;
        if pulls::open_between(h.conn(), pull.head_repo_id, &pull.head_branch, t.repo.id, base).await?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "pull request already exists for these targets [head_branch: {}, base_branch: {base}]",
                pull.head_branch
            )));
        }
    }
    super::issues::edit(state, t, index, &opt).await?;
    state.wake(crate::service::signals::Job::PullChecks);
    Ok(())
}

/// Bring a pull's head branch up to date with its base (Gitea's `POST /pulls/:n/update`): a merge
/// of the base into the head, or with `rebase` the head replayed onto the base. The caller must be
/// able to push to the head branch; the push is recorded as any other (events, re-checks).
pub async fn update_branch(state: &AppState, t: &Tracker<'_>, index: i64, rebase: bool) -> ServiceResult<()> {
    let (issue, pull) = get(state, t.repo.id, index).await?;
    if issue.is_closed || pull.has_merged {
        return Err(ServiceError::Invalid("the pull request is closed or merged".into()));
    }
    let (head_owner, head_repo) = {
        let mut h = state.db.acquire().await?;
        let repo = repos::by_id(h.conn(), pull.head_repo_id).await?.ok_or(ServiceError::NotFound)?;
        let owner = users::by_id(h.conn(), repo.owner_id).await?.ok_or(ServiceError::NotFound)?;
        if access_mode(h.conn(), Some(t.doer), &repo).await? < AccessMode::Write {
            return Err(ServiceError::Forbidden(String::new()));
        }
        (owner, repo)
    };
    super::repo_manage::ensure_writable(&head_repo)?;
    super::branch_protection::check_push(state, &head_repo, t.doer, &pull.head_branch, &[]).await?;
    let (base_dir, head_dir) = (dir(state, t.owner, t.repo), dir(state, &head_owner, &head_repo));
    let head_sha = branch_tip(head_dir.clone(), &pull.head_branch).await?.ok_or(ServiceError::NotFound)?;
    let base_sha = branch_tip(base_dir.clone(), &pull.base_branch).await?.ok_or(ServiceError::NotFound)?;
    let message = format!("Merge branch '{}' into {}\n", pull.base_branch, pull.head_branch);
    let committer = Person { name: t.doer.name.clone(), email: t.doer.email.clone(), time: now_unix() };
    let (branch, from) = (pull.head_branch.clone(), format!("refs/heads/{}", pull.base_branch));
    let (hd, hs) = (head_dir.clone(), head_sha.clone());
    let outcome = git_blocking(move || {
        if base_dir != hd {
            merge::copy_commit(&hd, &base_dir, &base_sha, &from)?;
        }
        merge::update_head(&hd, &branch, &hs, &base_sha, rebase, &message, &committer)
    })
    .await?;
    let new = match outcome {
        Ok(new) => new,
        Err(Refusal::NothingToMerge) => {
            return Err(ServiceError::Invalid(format!("HeadBranch of PR {index} is up to date")));
        }
        Err(Refusal::Conflict(_)) => {
            let how = if rebase { "rebase" } else { "merge" };
            return Err(ServiceError::Conflict(format!("{how} failed because of conflict")));
        }
        Err(Refusal::BaseMoved) => return Err(ServiceError::Conflict("the head branch moved, try again".into())),
        Err(Refusal::Unrelated | Refusal::NoBase | Refusal::NotFastForward) => {
            return Err(ServiceError::Invalid("the branches cannot be merged".into()));
        }
    };
    let update =
        hearth_git::transport::RefUpdate { old: head_sha, new, name: format!("refs/heads/{}", pull.head_branch) };
    super::push::after_push(state, &head_owner, &head_repo, t.doer, &[update]).await
}
