//! `/OWNER/REPO/issues` and `/OWNER/REPO/pulls`: one page of issues (or pull requests) with the
//! list's filters as query parameters (web-ui.md §6), 20 a page, filtered and paged in SQL.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use hearth_store::issues::IssueSort;
use hearth_store::{Window, collaborations, labels, milestones, pulls};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::super::RepoPage;
use crate::app::AppState;
use crate::service::issue_lists::{self, IssueQuery};
use crate::service::issue_view::users_by_id;
use crate::web::home::Pager;
use crate::web::page::{WebError, render, ser};
use crate::web::session::urlencode;

const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    state: String,
    labels: String,
    milestone: i64,
    assignee: i64,
    poster: i64,
    q: String,
    sort: String,
    /// Kept as text: see [`page_number`](crate::web::home::page_number).
    page: String,
}

impl ListQuery {
    fn label_ids(&self) -> Vec<i64> {
        self.labels.split(',').filter_map(|s| s.trim().parse().ok()).collect()
    }

    /// The filters as a query string (without state and page), for links that keep them.
    fn filters(&self) -> String {
        let mut parts = Vec::new();
        if !self.labels.is_empty() {
            parts.push(format!("labels={}", urlencode(&self.labels)));
        }
        for (k, v) in [("milestone", self.milestone), ("assignee", self.assignee), ("poster", self.poster)] {
            if v > 0 {
                parts.push(format!("{k}={v}"));
            }
        }
        if !self.q.trim().is_empty() {
            parts.push(format!("q={}", urlencode(self.q.trim())));
        }
        if !self.sort.is_empty() {
            parts.push(format!("sort={}", urlencode(&self.sort)));
        }
        parts.join("&")
    }
}

#[derive(Serialize)]
struct Row {
    index: i64,
    title: String,
    poster: String,
    poster_id: i64,
    labels: Vec<(String, String)>,
    milestone: String,
    assignee: String,
    comments: i64,
    created_unix: i64,
    updated_unix: i64,
    is_closed: bool,
    base: String,
    head: String,
    merged: bool,
}

pub async fn issues(state: State<AppState>, page: RepoPage, q: Query<ListQuery>) -> Result<Response, WebError> {
    page.tracker_on()?;
    list(state, page, q, false).await
}

pub async fn pulls(state: State<AppState>, page: RepoPage, q: Query<ListQuery>) -> Result<Response, WebError> {
    page.pulls_on()?;
    list(state, page, q, true).await
}

async fn list(
    State(state): State<AppState>,
    page: RepoPage,
    Query(q): Query<ListQuery>,
    pulls_only: bool,
) -> Result<Response, WebError> {
    let closed = q.state == "closed";
    let number = crate::web::home::page_number(&q.page);
    let mut query = IssueQuery {
        closed: Some(closed),
        pulls: pulls_only,
        milestones: if q.milestone > 0 { vec![q.milestone.to_string()] } else { Vec::new() },
        keyword: Some(q.q.trim().to_string()).filter(|k| !k.is_empty()),
        sort: IssueSort::from_name(&q.sort),
        label_ids: q.label_ids(),
        assignee_id: (q.assignee > 0).then_some(q.assignee),
        poster_id: (q.poster > 0).then_some(q.poster),
        ..IssueQuery::default()
    };
    let found = issue_lists::list(&state, &page.ctx.repo, &query, PER_PAGE, (number - 1) * PER_PAGE).await?;
    query.closed = Some(!closed);
    let other = issue_lists::list(&state, &page.ctx.repo, &query, 0, 0).await?.total;
    let (open_total, closed_total) = if closed { (other, found.total) } else { (found.total, other) };

    let mut h = state.db.acquire().await?;
    let ids: Vec<i64> = found.rows.iter().map(|i| i.id).collect();
    let mut row_labels: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for il in labels::of_issues(h.conn(), &ids).await? {
        row_labels.entry(il.issue_id).or_default().push((il.label.name, il.label.color));
    }
    let mut ms_ids: Vec<i64> = found.rows.iter().map(|i| i.milestone_id).filter(|id| *id > 0).collect();
    ms_ids.sort_unstable();
    ms_ids.dedup();
    let ms: HashMap<i64, String> =
        milestones::by_ids(h.conn(), &ms_ids).await?.into_iter().map(|m| (m.id, m.name)).collect();
    let people =
        users_by_id(h.conn(), found.rows.iter().flat_map(|i| [i.poster_id, i.assignee_id]).filter(|id| *id > 0))
            .await?;
    let prs: HashMap<i64, pulls::PullRow> = if pulls_only {
        pulls::of_issues(h.conn(), &ids).await?.into_iter().map(|p| (p.issue_id, p)).collect()
    } else {
        HashMap::new()
    };
    let name = |id: i64| people.get(&id).map(|u| u.name.clone()).unwrap_or_default();
    let rows: Vec<Row> = found
        .rows
        .iter()
        .map(|i| {
            let pr = prs.get(&i.id);
            Row {
                index: i.idx,
                title: i.title.clone(),
                poster: name(i.poster_id),
                poster_id: i.poster_id,
                labels: row_labels.remove(&i.id).unwrap_or_default(),
                milestone: ms.get(&i.milestone_id).cloned().unwrap_or_default(),
                assignee: if i.assignee_id > 0 { name(i.assignee_id) } else { String::new() },
                comments: i.num_comments,
                created_unix: i.created_unix,
                updated_unix: i.updated_unix,
                is_closed: i.is_closed,
                base: pr.map(|p| p.base_branch.clone()).unwrap_or_default(),
                head: pr.map(|p| p.head_branch.clone()).unwrap_or_default(),
                merged: pr.is_some_and(|p| p.has_merged),
            }
        })
        .collect();
    // The filter form's choices.
    let (all_labels, _) = labels::list(h.conn(), page.ctx.repo.id, Window::ALL).await?;
    let (all_ms, _) = milestones::list(h.conn(), page.ctx.repo.id, true, true, Window::ALL).await?;
    let assignable = collaborations::assignable(h.conn(), page.ctx.repo.id, page.ctx.repo.owner_id).await?;
    drop(h);
    let filters = q.filters();
    render(
        &page.viewer,
        "repo/issues/list.html",
        context! {
            repo => page.header(&state, if pulls_only { "pulls" } else { "issues" }).await?,
            pulls => pulls_only,
            rows => ser(&rows),
            closed,
            open_total,
            closed_total,
            filters => if filters.is_empty() { String::new() } else { format!("&{filters}") },
            q => context! {
                labels => q.label_ids().first().copied().unwrap_or(0),
                milestone => q.milestone, assignee => q.assignee, poster => q.poster,
                text => q.q.trim(), sort => q.sort.clone(), state => if closed { "closed" } else { "open" },
            },
            all_labels => ser(&all_labels.iter().map(|l| (l.id, l.name.clone())).collect::<Vec<_>>()),
            all_milestones => ser(&all_ms.iter().map(|m| (m.id, m.name.clone())).collect::<Vec<_>>()),
            assignable => ser(&assignable.iter().map(|u| (u.id, u.name.clone())).collect::<Vec<_>>()),
            pager => ser(&Pager::new(number, PER_PAGE, found.total)),
        },
    )
}
