//! Issues and comments as JSON (schemas.md A12, A15): rows plus their posters, assignees, labels
//! and milestones, loaded for a whole page at once (one query per kind, not per issue).

use std::collections::HashMap;

use hearth_store::issues::{CommentRow, IssueRow};
use hearth_store::users::UserRow;
use hearth_store::{Conn, StoreResult, labels, milestones, users};

use crate::app::AppState;
use crate::types::rfc3339;
use crate::types::{Comment, Issue, Label, Milestone, PullRequestMeta, User};

/// Gogs' placeholder for a deleted account.
pub(crate) fn ghost(state: &AppState) -> User {
    User {
        id: -1,
        username: "Ghost".into(),
        login: "Ghost".into(),
        full_name: String::new(),
        email: String::new(),
        avatar_url: format!("{}img/avatar_default.png", state.links.external_url),
    }
}

/// The accounts with these ids, by id.
pub async fn users_by_id(c: Conn<'_>, ids: impl IntoIterator<Item = i64>) -> StoreResult<HashMap<i64, UserRow>> {
    let mut ids: Vec<i64> = ids.into_iter().filter(|id| *id > 0).collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(users::by_ids(c, &ids).await?.into_iter().map(|u| (u.id, u)).collect())
}

/// The Issue objects of `rows` (all of one repository `owner/repo`), in the same order.
pub async fn issues_json(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &str,
    repo: &str,
    rows: &[IssueRow],
) -> StoreResult<Vec<Issue>> {
    let ids: Vec<i64> = rows.iter().map(|i| i.id).collect();
    let people = users_by_id(c.reborrow(), rows.iter().flat_map(|i| [i.poster_id, i.assignee_id])).await?;
    let mut milestone_ids: Vec<i64> = rows.iter().map(|i| i.milestone_id).filter(|id| *id > 0).collect();
    milestone_ids.sort_unstable();
    milestone_ids.dedup();
    let milestones: HashMap<i64, Milestone> =
        milestones::by_ids(c.reborrow(), &milestone_ids).await?.iter().map(|m| (m.id, Milestone::new(m))).collect();
    let mut labels_of: HashMap<i64, Vec<Label>> = HashMap::new();
    for il in labels::of_issues(c.reborrow(), &ids).await? {
        labels_of.entry(il.issue_id).or_default().push(Label::new(&state.links, owner, repo, &il.label));
    }
    let pull_ids: Vec<i64> = rows.iter().filter(|i| i.is_pull).map(|i| i.id).collect();
    let merged: HashMap<i64, Option<i64>> = hearth_store::pulls::of_issues(c.reborrow(), &pull_ids)
        .await?
        .into_iter()
        .map(|p| (p.issue_id, p.has_merged.then_some(p.merged_unix)))
        .collect();
    let user = |id: i64| people.get(&id).map(|u| User::new(&state.links, u, true));
    Ok(rows
        .iter()
        .map(|i| Issue {
            id: i.id,
            number: i.idx,
            user: user(i.poster_id).unwrap_or_else(|| ghost(state)),
            title: i.title.clone(),
            body: i.body.clone(),
            labels: labels_of.remove(&i.id).unwrap_or_default(),
            milestone: milestones.get(&i.milestone_id).cloned(),
            assignee: if i.assignee_id > 0 { user(i.assignee_id) } else { None },
            state: if i.is_closed { "closed" } else { "open" }.to_string(),
            comments: i.num_comments,
            created_at: rfc3339(i.created_unix),
            updated_at: rfc3339(i.updated_unix),
            pull_request: i.is_pull.then(|| {
                let at = merged.get(&i.id).copied().flatten();
                PullRequestMeta { merged: at.is_some(), merged_at: at.map(rfc3339) }
            }),
        })
        .collect())
}

pub async fn issue_json(state: &AppState, c: Conn<'_>, owner: &str, repo: &str, row: &IssueRow) -> StoreResult<Issue> {
    Ok(issues_json(state, c, owner, repo, std::slice::from_ref(row)).await?.remove(0))
}

/// The Comment objects of `rows`; `issue_index` maps an issue id to its number (for `html_url`).
/// A comment's page address: its issue's page with the comment's anchor.
pub fn comment_url(state: &AppState, owner: &str, repo: &str, index: i64, id: i64) -> String {
    format!("{}{owner}/{repo}/issues/{index}#issuecomment-{id}", state.links.external_url)
}

pub async fn comments_json(
    state: &AppState,
    c: Conn<'_>,
    owner: &str,
    repo: &str,
    rows: &[CommentRow],
    issue_index: &HashMap<i64, i64>,
) -> StoreResult<Vec<Comment>> {
    let people = users_by_id(c, rows.iter().map(|r| r.poster_id)).await?;
    Ok(rows
        .iter()
        .map(|cm| Comment {
            id: cm.id,
            html_url: comment_url(state, owner, repo, issue_index.get(&cm.issue_id).copied().unwrap_or(0), cm.id),
            user: people.get(&cm.poster_id).map(|u| User::new(&state.links, u, true)).unwrap_or_else(|| ghost(state)),
            body: cm.content.clone(),
            created_at: rfc3339(cm.created_unix),
            updated_at: rfc3339(cm.updated_unix),
        })
        .collect())
}
