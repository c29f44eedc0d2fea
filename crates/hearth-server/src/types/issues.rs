//! The issue tracker: labels, milestones, issues and comments.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Links, User, rfc3339};

/// A13. Label (`color` without the `#`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Label {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub url: String,
}

impl Label {
    pub fn new(links: &Links, owner: &str, repo: &str, l: &hearth_store::labels::LabelRow) -> Label {
        Label {
            id: l.id,
            name: l.name.clone(),
            color: l.color.trim_start_matches('#').to_string(),
            url: format!("{}/repos/{owner}/{repo}/labels/{}", links.api_url, l.id),
        }
    }
}

/// A14. Milestone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Milestone {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub state: String,
    pub open_issues: i64,
    pub closed_issues: i64,
    pub closed_at: Option<String>,
    pub due_on: Option<String>,
}

impl Milestone {
    pub fn new(m: &hearth_store::milestones::MilestoneRow) -> Milestone {
        Milestone {
            id: m.id,
            title: m.name.clone(),
            description: m.content.clone(),
            state: if m.is_closed { "closed" } else { "open" }.to_string(),
            open_issues: (m.num_issues - m.num_closed_issues).max(0),
            closed_issues: m.num_closed_issues,
            closed_at: (m.is_closed && m.closed_unix > 0).then(|| rfc3339(m.closed_unix)),
            due_on: (m.deadline_unix > 0).then(|| rfc3339(m.deadline_unix)),
        }
    }
}

/// `pull_request` of an Issue that is a pull request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PullRequestMeta {
    pub merged: bool,
    pub merged_at: Option<String>,
}

/// A12. Issue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Issue {
    pub id: i64,
    pub number: i64,
    pub user: User,
    pub title: String,
    pub body: String,
    pub labels: Vec<Label>,
    pub milestone: Option<Milestone>,
    pub assignee: Option<User>,
    pub state: String,
    pub comments: i64,
    pub created_at: String,
    pub updated_at: String,
    pub pull_request: Option<PullRequestMeta>,
}

/// A15. Comment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comment {
    pub id: i64,
    pub html_url: String,
    pub user: User,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
}
