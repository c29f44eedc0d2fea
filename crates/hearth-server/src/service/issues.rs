//! The issue tracker's changes (behaviours.md §13–§16): every change runs in one transaction with
//! its counters and the webhook events it causes (webhooks.md §2).

use hearth_store::actions::Op;
use hearth_store::issues::{self, CommentRow, IssueRow, NewIssue};
use hearth_store::repos::RepoRow;
use hearth_store::users::{self, UserRow};
use hearth_store::{CommentKind, Conn, UserKind, labels, milestones, pulls};

use super::access::AccessMode;
use super::webhooks::payload::{ChangeFrom, Changes, enqueue_issue, enqueue_issue_comment, enqueue_pull};
use super::webhooks::wake;
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

/// A repository and what the acting user may do with it.
pub struct Tracker<'a> {
    pub owner: &'a UserRow,
    pub repo: &'a RepoRow,
    pub mode: AccessMode,
    pub doer: &'a UserRow,
}

impl Tracker<'_> {
    fn writer(&self) -> bool {
        self.mode >= AccessMode::Write
    }
}

/// schemas.md B10.
#[derive(Debug, Default)]
pub struct CreateIssue {
    pub title: String,
    pub body: String,
    pub assignee: String,
    pub milestone: i64,
    pub labels: Vec<i64>,
    pub closed: bool,
}

/// schemas.md B11: `None` leaves a field alone.
#[derive(Debug, Default)]
pub struct EditIssue {
    pub title: Option<String>,
    pub body: Option<String>,
    pub assignee: Option<String>,
    pub milestone: Option<i64>,
    pub state: Option<String>,
    /// A pull request's new base branch (checked by [`super::pulls::edit`]).
    pub base: Option<String>,
}

async fn assignee_id(c: Conn<'_>, name: &str) -> ServiceResult<i64> {
    match users::by_name(c, name).await? {
        Some(u) if u.kind == UserKind::Individual => Ok(u.id),
        _ => Err(ServiceError::Invalid(format!("assignee does not exist [name: {name}]"))),
    }
}

/// An issue's event, or a pull request's for a pull (Gitea sends `pull_request` events for them).
async fn enqueue_change(
    state: &AppState,
    mut c: Conn<'_>,
    t: &Tracker<'_>,
    issue: &IssueRow,
    action: &'static str,
    changes: Option<Changes>,
) -> ServiceResult<()> {
    // Closing, reopening and assigning reach the thread's people too (Gitea notifies them).
    if matches!(action, "closed" | "reopened" | "assigned") {
        super::notifications::enqueue(c.reborrow(), issue, 0, t.doer.id, action, "").await?;
    }
    if issue.is_pull
        && let Some(pull) = pulls::by_issue(c.reborrow(), issue.id).await?
    {
        enqueue_pull(state, c, t.owner, t.repo, issue, &pull, action, changes, t.doer).await?;
    } else {
        enqueue_issue(state, c, t.owner, t.repo, issue, action, changes, t.doer).await?;
    }
    Ok(())
}

async fn load(c: Conn<'_>, repo_id: i64, index: i64) -> ServiceResult<IssueRow> {
    issues::by_index(c, repo_id, index).await?.ok_or(ServiceError::NotFound)
}

pub async fn create(state: &AppState, t: &Tracker<'_>, opt: &CreateIssue) -> ServiceResult<IssueRow> {
    super::repo_manage::ensure_writable(t.repo)?;
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    let (mut assignee, mut milestone) = (0, 0);
    if t.writer() {
        if !opt.assignee.is_empty() {
            assignee = assignee_id(tx.conn(), &opt.assignee).await?;
        }
        if opt.milestone > 0 && milestones::get(tx.conn(), t.repo.id, opt.milestone).await?.is_some() {
            milestone = opt.milestone;
        }
    }
    let idx = issues::next_index(tx.conn(), t.repo.id).await?;
    let new = NewIssue {
        repo_id: t.repo.id,
        idx,
        poster_id: t.doer.id,
        title: opt.title.trim(),
        body: &opt.body,
        milestone_id: milestone,
        assignee_id: assignee,
        is_pull: false,
        now,
    };
    let mut issue = issues::insert(tx.conn(), &new).await?;
    milestones::count_issue(tx.conn(), milestone, false, 1).await?;
    if t.writer() {
        attach_labels(tx.conn(), t.repo.id, issue.id, &opt.labels).await?;
    }
    enqueue_issue(state, tx.conn(), t.owner, t.repo, &issue, "opened", None, t.doer).await?;
    super::notifications::enqueue(tx.conn(), &issue, 0, t.doer.id, "opened", &issue.body).await?;
    super::feeds::record_issue(tx.conn(), Op::CreateIssue, Op::CreatePullRequest, t.doer, &issue).await?;
    if opt.closed {
        change_status(state, tx.conn(), t, &mut issue, true, now).await?;
    }
    tx.commit().await?;
    wake(state);
    Ok(issue)
}

/// Attach the labels among `ids` that belong to the repository (others are dropped, as Gogs does).
pub(super) async fn attach_labels(mut c: Conn<'_>, repo_id: i64, issue_id: i64, ids: &[i64]) -> ServiceResult<()> {
    for id in ids {
        if labels::get(c.reborrow(), repo_id, *id).await?.is_some() {
            labels::attach(c.reborrow(), issue_id, *id).await?;
        }
    }
    Ok(())
}

/// Close or reopen: the row, the counters, a timeline entry and the event.
async fn change_status(
    state: &AppState,
    mut c: Conn<'_>,
    t: &Tracker<'_>,
    issue: &mut IssueRow,
    closed: bool,
    now: i64,
) -> ServiceResult<()> {
    if issue.is_closed == closed {
        return Ok(());
    }
    issues::set_closed(c.reborrow(), issue, closed, now).await?;
    if issue.is_pull {
        pulls::count_closed(c.reborrow(), issue.repo_id, if closed { 1 } else { -1 }).await?;
    }
    milestones::count_closed(c.reborrow(), issue.milestone_id, if closed { 1 } else { -1 }).await?;
    let kind = if closed { CommentKind::Close } else { CommentKind::Reopen };
    issues::insert_comment(c.reborrow(), issue, kind, t.doer.id, "", now).await?;
    issue.is_closed = closed;
    issue.updated_unix = now;
    let action = if closed { "closed" } else { "reopened" };
    let (issue_op, pull_op) =
        if closed { (Op::CloseIssue, Op::ClosePullRequest) } else { (Op::ReopenIssue, Op::ReopenPullRequest) };
    super::feeds::record_issue(c.reborrow(), issue_op, pull_op, t.doer, issue).await?;
    enqueue_change(state, c, t, issue, action, None).await
}

/// Edit an issue (its poster or a writer; assignee and milestone only for writers).
pub async fn edit(state: &AppState, t: &Tracker<'_>, index: i64, opt: &EditIssue) -> ServiceResult<IssueRow> {
    super::repo_manage::ensure_writable(t.repo)?;
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    let mut issue = load(tx.conn(), t.repo.id, index).await?;
    if issue.poster_id != t.doer.id && !t.writer() {
        return Err(ServiceError::Forbidden("only the poster or a writer may edit an issue".into()));
    }
    let mut events: Vec<(&'static str, Option<Changes>)> = Vec::new();
    if let Some(title) = opt.title.as_deref().map(str::trim).filter(|s| !s.is_empty())
        && title != issue.title
    {
        let from = std::mem::replace(&mut issue.title, title.to_string());
        issues::insert_comment(tx.conn(), &issue, CommentKind::Title, t.doer.id, &from, now).await?;
        events.push(("edited", Some(Changes { title: Some(ChangeFrom { from }), body: None, base: None })));
    }
    if let Some(body) = &opt.body
        && *body != issue.body
    {
        let from = std::mem::replace(&mut issue.body, body.clone());
        events.push(("edited", Some(Changes { title: None, body: Some(ChangeFrom { from }), base: None })));
    }
    if t.writer() {
        if let Some(name) = &opt.assignee {
            let id = if name.is_empty() { 0 } else { assignee_id(tx.conn(), name).await? };
            if id != issue.assignee_id {
                issue.assignee_id = id;
                issues::insert_comment(tx.conn(), &issue, CommentKind::Assignee, t.doer.id, name.trim(), now).await?;
                events.push((if id == 0 { "unassigned" } else { "assigned" }, None));
            }
        }
        if let Some(id) = opt.milestone {
            let id = id.max(0);
            let target = if id > 0 { milestones::get(tx.conn(), t.repo.id, id).await? } else { None };
            if id > 0 && target.is_none() {
                return Err(ServiceError::Invalid(format!("milestone does not exist [id: {id}]")));
            }
            if id != issue.milestone_id {
                let name = target.map(|m| m.name).unwrap_or_default();
                issues::insert_comment(tx.conn(), &issue, CommentKind::Milestone, t.doer.id, &name, now).await?;
                milestones::count_issue(tx.conn(), issue.milestone_id, issue.is_closed, -1).await?;
                milestones::count_issue(tx.conn(), id, issue.is_closed, 1).await?;
                issue.milestone_id = id;
                events.push((if id == 0 { "demilestoned" } else { "milestoned" }, None));
            }
        }
    }
    if issue.is_pull
        && let Some(base) = &opt.base
        && let Some(from) = pulls::set_base(tx.conn(), issue.id, base).await?
    {
        events.push(("edited", Some(Changes { title: None, body: None, base: Some(ChangeFrom { from }) })));
    }
    issue.updated_unix = now;
    issues::update(tx.conn(), &issue).await?;
    for (action, changes) in events {
        enqueue_change(state, tx.conn(), t, &issue, action, changes).await?;
    }
    if let Some(s) = &opt.state {
        change_status(state, tx.conn(), t, &mut issue, s == "closed", now).await?;
    }
    tx.commit().await?;
    wake(state);
    Ok(issue)
}

/// The issue's label ids that belong to this repository.
async fn repo_label_ids(mut c: Conn<'_>, repo_id: i64, ids: &[i64]) -> ServiceResult<Vec<i64>> {
    let mut out = Vec::new();
    for id in ids {
        if !out.contains(id) && labels::get(c.reborrow(), repo_id, *id).await?.is_some() {
            out.push(*id);
        }
    }
    Ok(out)
}

/// Writers change an issue's labels: `Add` attaches (foreign ids dropped), `Replace` sets the list,
/// `Clear` removes all, `Remove` one (422 for a label of another repository).
pub enum LabelChange<'a> {
    Add(&'a [i64]),
    Replace(&'a [i64]),
    /// The web page's checkboxes: set the list, with the event a change of it sends.
    Set(&'a [i64]),
    Clear,
    Remove(i64),
}

pub async fn change_labels(
    state: &AppState,
    t: &Tracker<'_>,
    index: i64,
    change: LabelChange<'_>,
) -> ServiceResult<IssueRow> {
    super::repo_manage::ensure_writable(t.repo)?;
    let mut tx = state.db.begin().await?;
    let issue = load(tx.conn(), t.repo.id, index).await?;
    if !t.writer() {
        return Err(ServiceError::Forbidden("write access is required".into()));
    }
    let before: Vec<i64> = labels::of_issue(tx.conn(), issue.id).await?.iter().map(|l| l.id).collect();
    let action = match change {
        LabelChange::Add(ids) => {
            let ids = repo_label_ids(tx.conn(), t.repo.id, ids).await?;
            let new: Vec<i64> = ids.into_iter().filter(|id| !before.contains(id)).collect();
            for id in &new {
                labels::attach(tx.conn(), issue.id, *id).await?;
            }
            (!new.is_empty()).then_some("label_updated")
        }
        LabelChange::Replace(ids) => {
            let ids = repo_label_ids(tx.conn(), t.repo.id, ids).await?;
            labels::detach_all(tx.conn(), issue.id).await?;
            for id in &ids {
                labels::attach(tx.conn(), issue.id, *id).await?;
            }
            // Gogs sends no event for a wholesale replacement (webhooks.md §2).
            None
        }
        LabelChange::Set(ids) => {
            let mut ids = repo_label_ids(tx.conn(), t.repo.id, ids).await?;
            ids.sort_unstable();
            let mut was = before.clone();
            was.sort_unstable();
            labels::detach_all(tx.conn(), issue.id).await?;
            for id in &ids {
                labels::attach(tx.conn(), issue.id, *id).await?;
            }
            match (ids == was, ids.is_empty()) {
                (true, _) => None,
                (false, true) => Some("label_cleared"),
                (false, false) => Some("label_updated"),
            }
        }
        LabelChange::Clear => {
            labels::detach_all(tx.conn(), issue.id).await?;
            (!before.is_empty()).then_some("label_cleared")
        }
        LabelChange::Remove(id) => {
            if labels::get(tx.conn(), t.repo.id, id).await?.is_none() {
                return Err(ServiceError::Invalid(format!("label does not exist [id: {id}]")));
            }
            labels::detach(tx.conn(), issue.id, id).await?;
            before.contains(&id).then_some("label_updated")
        }
    };
    record_label_changes(tx.conn(), t, &issue, &before).await?;
    if let Some(action) = action {
        enqueue_issue(state, tx.conn(), t.owner, t.repo, &issue, action, None, t.doer).await?;
    }
    tx.commit().await?;
    wake(state);
    Ok(issue)
}

/// Timeline entries for the labels added and removed since `before` (one per label).
async fn record_label_changes(mut c: Conn<'_>, t: &Tracker<'_>, issue: &IssueRow, before: &[i64]) -> ServiceResult<()> {
    let (all, _) = labels::list(c.reborrow(), t.repo.id, hearth_store::Window::ALL).await?;
    let after: Vec<i64> = labels::of_issue(c.reborrow(), issue.id).await?.iter().map(|l| l.id).collect();
    let now = now_unix();
    for l in &all {
        let sign = match (before.contains(&l.id), after.contains(&l.id)) {
            (false, true) => '+',
            (true, false) => '-',
            _ => continue,
        };
        issues::insert_comment(c.reborrow(), issue, CommentKind::Label, t.doer.id, &format!("{sign}{}", l.name), now)
            .await?;
    }
    Ok(())
}

/// Any reader may comment.
pub async fn create_comment(state: &AppState, t: &Tracker<'_>, index: i64, body: &str) -> ServiceResult<CommentRow> {
    super::repo_manage::ensure_writable(t.repo)?;
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    let issue = load(tx.conn(), t.repo.id, index).await?;
    let comment = issues::insert_comment(tx.conn(), &issue, CommentKind::Plain, t.doer.id, body, now).await?;
    let issue = issues::by_id(tx.conn(), issue.id).await?.ok_or(ServiceError::NotFound)?;
    enqueue_issue_comment(state, tx.conn(), t.owner, t.repo, &issue, &comment, "created", None, t.doer).await?;
    super::notifications::enqueue(tx.conn(), &issue, comment.id, t.doer.id, "commented", body).await?;
    super::feeds::record_comment(tx.conn(), t.doer, &issue, &comment).await?;
    tx.commit().await?;
    wake(state);
    Ok(comment)
}

/// A comment of this repository that the caller may change: its poster or a repository admin
/// (behaviours.md §14). `None` for a timeline entry that is not a plain comment (no-op, 204).
async fn changeable(c: Conn<'_>, t: &Tracker<'_>, id: i64) -> ServiceResult<Option<CommentRow>> {
    let comment = issues::comment(c, t.repo.id, id).await?.ok_or(ServiceError::NotFound)?;
    if comment.poster_id != t.doer.id && t.mode < AccessMode::Admin {
        return Err(ServiceError::Forbidden("only the poster or a repository admin may change a comment".into()));
    }
    Ok((comment.kind == CommentKind::Plain).then_some(comment))
}

pub async fn edit_comment(state: &AppState, t: &Tracker<'_>, id: i64, body: &str) -> ServiceResult<Option<CommentRow>> {
    super::repo_manage::ensure_writable(t.repo)?;
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    let Some(mut comment) = changeable(tx.conn(), t, id).await? else { return Ok(None) };
    let from = std::mem::replace(&mut comment.content, body.to_string());
    comment.updated_unix = now;
    issues::update_comment(tx.conn(), comment.id, body, now).await?;
    let issue = issues::by_id(tx.conn(), comment.issue_id).await?.ok_or(ServiceError::NotFound)?;
    let changes = Changes { title: None, body: Some(ChangeFrom { from }), base: None };
    enqueue_issue_comment(state, tx.conn(), t.owner, t.repo, &issue, &comment, "edited", Some(changes), t.doer).await?;
    tx.commit().await?;
    wake(state);
    Ok(Some(comment))
}

pub async fn delete_comment(state: &AppState, t: &Tracker<'_>, id: i64) -> ServiceResult<()> {
    super::repo_manage::ensure_writable(t.repo)?;
    let mut tx = state.db.begin().await?;
    let Some(comment) = changeable(tx.conn(), t, id).await? else { return Ok(()) };
    issues::delete_comment(tx.conn(), &comment).await?;
    let issue = issues::by_id(tx.conn(), comment.issue_id).await?.ok_or(ServiceError::NotFound)?;
    enqueue_issue_comment(state, tx.conn(), t.owner, t.repo, &issue, &comment, "deleted", None, t.doer).await?;
    tx.commit().await?;
    wake(state);
    Ok(())
}
