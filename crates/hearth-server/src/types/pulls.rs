//! PullRequest (schemas.md A26, Gogs' webhook shape) with Gitea's additions (`head`/`base`
//! objects, `merge_base`, `diff_url`, `url`, ...), so a client of either finds its fields.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Label, Milestone, Repository, User};

/// Gitea's PRBranchInfo.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrBranchInfo {
    pub label: String,
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub sha: String,
    pub repo_id: i64,
    pub repo: Option<Repository>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PullRequest {
    pub id: i64,
    /// Gitea: the web URL, like `html_url`.
    pub url: String,
    pub number: i64,
    pub user: User,
    pub title: String,
    pub body: String,
    pub labels: Vec<Label>,
    pub milestone: Option<Milestone>,
    pub assignee: Option<User>,
    pub assignees: Option<Vec<User>>,
    /// Users asked for a review who have not given one yet.
    pub requested_reviewers: Vec<User>,
    /// Teams asked for a review.
    pub requested_reviewers_teams: Vec<crate::types::Team>,
    pub state: String,
    pub is_locked: bool,
    pub comments: i64,
    pub html_url: String,
    pub diff_url: String,
    pub patch_url: String,
    pub mergeable: bool,
    pub merged: bool,
    pub merged_at: Option<String>,
    pub merge_commit_sha: Option<String>,
    pub merged_by: Option<User>,
    pub allow_maintainer_edit: bool,
    pub head_branch: String,
    pub head_repo: Option<Repository>,
    pub base_branch: String,
    pub base_repo: Repository,
    pub head: PrBranchInfo,
    pub base: PrBranchInfo,
    pub merge_base: String,
    pub due_date: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
}

/// Gitea's CommitStatus: the state is under `status`; `id` numbers the commit's statuses.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitStatus {
    pub id: i64,
    pub status: String,
    pub target_url: String,
    pub description: String,
    pub url: String,
    pub context: String,
    pub creator: Option<User>,
    pub created_at: String,
    pub updated_at: String,
}

/// Gitea's CombinedStatus: the newest status of each context and the worst of their states.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CombinedStatus {
    pub state: String,
    pub sha: String,
    pub total_count: i64,
    pub statuses: Option<Vec<CommitStatus>>,
    pub repository: Option<Repository>,
    pub commit_url: String,
    pub url: String,
}

/// Gitea's PullReview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PullReview {
    pub id: i64,
    pub user: Option<User>,
    pub team: Option<crate::types::Team>,
    /// APPROVED, PENDING, COMMENT, REQUEST_CHANGES or REQUEST_REVIEW.
    pub state: String,
    pub body: String,
    pub commit_id: String,
    pub stale: bool,
    pub official: bool,
    pub dismissed: bool,
    pub comments_count: i64,
    pub submitted_at: String,
    pub updated_at: String,
    pub html_url: String,
    pub pull_request_url: String,
}

/// Gitea's PullReviewComment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PullReviewComment {
    pub id: i64,
    pub body: String,
    pub user: Option<User>,
    pub resolver: Option<User>,
    pub pull_request_review_id: i64,
    pub created_at: String,
    pub updated_at: String,
    pub path: String,
    pub commit_id: String,
    pub original_commit_id: String,
    pub diff_hunk: String,
    pub position: i64,
    pub original_position: i64,
    pub html_url: String,
    pub pull_request_url: String,
}
