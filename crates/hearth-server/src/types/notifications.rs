//! Gitea's notification shapes.

use serde::Serialize;
use utoipa::ToSchema;

use super::Repository;

/// What a thread is about: an issue or a pull request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationSubject {
    pub title: String,
    /// The API URL of the issue or pull.
    pub url: String,
    pub latest_comment_url: String,
    pub html_url: String,
    pub latest_comment_html_url: String,
    /// `Issue` or `Pull`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `open`, `closed` or `merged`.
    pub state: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationThread {
    pub id: i64,
    pub repository: Repository,
    pub subject: NotificationSubject,
    pub unread: bool,
    pub pinned: bool,
    pub updated_at: String,
    pub url: String,
}

/// `GET /notifications/new`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationCount {
    pub new: i64,
}
