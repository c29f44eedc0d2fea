//! Commits as the API and webhook payloads show them.

use serde::Serialize;
use utoipa::ToSchema;

use super::User;

/// A18. PayloadUser: git identity plus the login owning that e-mail (`""` if none).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayloadUser {
    pub name: String,
    pub email: String,
    pub username: String,
}

/// A18. PayloadCommit (as branch responses show it: `added`/`removed`/`modified` are null).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PayloadCommit {
    pub id: String,
    pub message: String,
    pub url: String,
    pub author: PayloadUser,
    pub committer: PayloadUser,
    pub added: Option<Vec<String>>,
    pub removed: Option<Vec<String>>,
    pub modified: Option<Vec<String>>,
    pub timestamp: String,
}

/// A19. CommitMeta.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitMeta {
    pub url: String,
    pub sha: String,
}

/// A19. CommitUser.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitUser {
    pub name: String,
    pub email: String,
    pub date: String,
}

/// A19. RepoCommit (`message` is the subject line only).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepoCommit {
    pub url: String,
    pub author: CommitUser,
    pub committer: CommitUser,
    pub message: String,
    pub tree: CommitMeta,
}

/// A19. Commit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Commit {
    pub url: String,
    pub sha: String,
    pub html_url: String,
    pub commit: RepoCommit,
    pub author: Option<User>,
    pub committer: Option<User>,
    pub parents: Vec<CommitMeta>,
}

/// Gitea's GitObject: what a ref points at.
#[derive(Debug, Serialize, ToSchema)]
pub struct GitObject {
    #[serde(rename = "type")]
    pub kind: String,
    pub sha: String,
    pub url: String,
}

/// Gitea's Reference (`GET …/git/refs`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Reference {
    #[serde(rename = "ref")]
    pub name: String,
    pub url: String,
    pub object: GitObject,
}

/// GitHub's CommitComment, with the fields hearth can fill (no `node_id`, `author_association` or
/// `reactions`). `path`, `line` and `position` are `null` when the comment has none.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitComment {
    pub html_url: String,
    pub url: String,
    pub id: i64,
    pub body: String,
    pub path: Option<String>,
    pub position: Option<i64>,
    pub line: Option<i64>,
    pub commit_id: String,
    pub user: User,
    pub created_at: String,
    pub updated_at: String,
}
