//! A repository's issue list with Gitea's filters: names (labels, milestones, users) resolved to
//! ids, and the total for paging taken from the repository's counters when nothing narrows it.

use hearth_store::issues::{self, IssueFilter, IssueRow};
use hearth_store::repos::RepoRow;
use hearth_store::{Window, labels, milestones, users};

use super::ServiceResult;
use crate::app::AppState;

/// What a caller asks for, by name as the query string gives it.
#[derive(Debug, Default)]
pub struct IssueQuery {
    /// `Some(true)` closed, `Some(false)` open, `None` both.
    pub closed: Option<bool>,
    pub pulls: bool,
    pub labels: Vec<String>,
    /// Milestone names or ids.
    pub milestones: Vec<String>,
    pub assignee: Option<String>,
    pub created_by: Option<String>,
    pub keyword: Option<String>,
    pub sort: hearth_store::issues::IssueSort,
    /// The web pages filter by ids: labels (all of the repository's among them), milestone,
    /// assignee and poster.
    pub label_ids: Vec<i64>,
    pub assignee_id: Option<i64>,
    pub poster_id: Option<i64>,
}

/// One page of matching issues and how many match in all.
pub struct IssuePage {
    pub rows: Vec<IssueRow>,
    pub total: i64,
}

pub async fn list(
    state: &AppState,
    repo: &RepoRow,
    q: &IssueQuery,
    limit: i64,
    offset: i64,
) -> ServiceResult<IssuePage> {
    let mut h = state.db.acquire().await?;
    let mut f = IssueFilter {
        repo_id: Some(repo.id),
        closed: q.closed,
        is_pull: Some(q.pulls),
        keyword: q.keyword.clone(),
        sort: q.sort,
        ..IssueFilter::default()
    };
    let mut narrowed = q.pulls || q.keyword.is_some();
    // A filter naming nothing that exists matches nothing (Gitea discards unknown names).
    let mut impossible = false;
    if !q.labels.is_empty() {
        narrowed = true;
        let (all, _) = labels::list(h.conn(), repo.id, Window::ALL).await?;
        f.label_ids = all.iter().filter(|l| q.labels.contains(&l.name)).map(|l| l.id).collect();
        impossible |= f.label_ids.is_empty();
    }
    if !q.label_ids.is_empty() {
        narrowed = true;
        let (all, _) = labels::list(h.conn(), repo.id, Window::ALL).await?;
        f.label_ids.extend(all.iter().filter(|l| q.label_ids.contains(&l.id)).map(|l| l.id));
        impossible |= f.label_ids.is_empty();
    }
    if q.assignee_id.is_some() || q.poster_id.is_some() {
        narrowed = true;
        f.assignee_id = q.assignee_id;
        f.poster_id = q.poster_id;
    }
    if !q.milestones.is_empty() {
        narrowed = true;
        let (all, _) = milestones::list(h.conn(), repo.id, true, true, Window::ALL).await?;
        f.milestone_ids = all
            .iter()
            .filter(|m| q.milestones.iter().any(|n| *n == m.name || n.parse::<i64>().ok() == Some(m.id)))
            .map(|m| m.id)
            .collect();
        impossible |= f.milestone_ids.is_empty();
    }
    for (name, slot) in [(&q.assignee, &mut f.assignee_id), (&q.created_by, &mut f.poster_id)] {
        if let Some(name) = name {
            narrowed = true;
            match users::by_name(h.conn(), name).await? {
                Some(u) => *slot = Some(u.id),
                None => impossible = true,
            }
        }
    }
    if impossible {
        return Ok(IssuePage { rows: Vec::new(), total: 0 });
    }
    // The repository's counters give the unfiltered totals without a COUNT over every issue.
    let total = if narrowed {
        issues::count(h.conn(), &f).await?
    } else {
        match f.closed {
            Some(true) => repo.num_closed_issues,
            Some(false) => repo.num_issues - repo.num_closed_issues,
            None => repo.num_issues,
        }
    };
    let rows = issues::list(h.conn(), &f, limit, offset).await?;
    Ok(IssuePage { rows, total })
}

/// Which of the signed-in user's issues a dashboard lists (web-ui.md `/issues`, `/pulls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Involvement {
    CreatedBy,
    Assigned,
    Mentioned,
}

/// One row of a dashboard: the issue and the repository it belongs to.
pub struct DashboardRow {
    pub issue: IssueRow,
    pub owner: String,
    pub repo: String,
}

/// A page of the user's issues (or pulls) across repositories, newest first, with how many match
/// in all; issues of repositories the user can no longer read are left out of the page (the total
/// may still count them).
pub async fn dashboard(
    state: &AppState,
    user: &hearth_store::users::UserRow,
    involvement: Involvement,
    pulls: bool,
    closed: bool,
    w: Window,
) -> ServiceResult<(Vec<DashboardRow>, i64)> {
    let mut f = IssueFilter { is_pull: Some(pulls), closed: Some(closed), ..IssueFilter::default() };
    match involvement {
        Involvement::CreatedBy => f.poster_id = Some(user.id),
        Involvement::Assigned => f.assignee_id = Some(user.id),
        Involvement::Mentioned => f.mention = Some(user.lower_name.clone()),
    }
    let mut h = state.db.acquire().await?;
    let total = issues::count(h.conn(), &f).await?;
    let rows = issues::list(h.conn(), &f, w.limit, w.offset).await?;
    let mut readable = super::access::ReadableRepos::default();
    let mut out = Vec::with_capacity(rows.len());
    for issue in rows {
        if let Some((repo, owner)) = readable.get(h.conn(), Some(user), issue.repo_id).await? {
            out.push(DashboardRow { owner: owner.name.clone(), repo: repo.name.clone(), issue });
        }
    }
    Ok((out, total))
}

/// How many open and closed issues (or pulls) a dashboard has.
pub async fn dashboard_counts(
    state: &AppState,
    user: &hearth_store::users::UserRow,
    involvement: Involvement,
    pulls: bool,
) -> ServiceResult<(i64, i64)> {
    let mut counts = [0; 2];
    for (i, closed) in [false, true].into_iter().enumerate() {
        counts[i] = dashboard(state, user, involvement, pulls, closed, Window { limit: 0, offset: 0 }).await?.1;
    }
    Ok((counts[0], counts[1]))
}
