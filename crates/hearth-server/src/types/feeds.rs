//! Gitea's Activity (a feed entry).

use serde::Serialize;
use utoipa::ToSchema;

use super::{Comment, Repository, User};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Activity {
    pub id: i64,
    /// The feed's user (the actor in repository and organisation feeds).
    pub user_id: i64,
    /// Gitea's action name: `create_repo`, `commit_repo`, `create_issue`, `comment_issue`, ….
    pub op_type: String,
    pub act_user_id: i64,
    pub act_user: Option<User>,
    pub repo_id: i64,
    pub repo: Option<Repository>,
    pub comment_id: i64,
    pub comment: Option<Comment>,
    pub ref_name: String,
    pub is_private: bool,
    pub content: String,
    pub created: String,
}
