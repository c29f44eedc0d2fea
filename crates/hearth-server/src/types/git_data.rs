//! Gitea's shapes for tags and Git data objects: `Tag` (`/tags/:tag`, tag creation),
//! `AnnotatedTag` (`/git/tags/:sha`) and the `Commit` of `/git/commits/:sha`.

use serde::Serialize;
use utoipa::ToSchema;

use super::{CommitUser, User};

/// Gitea's CommitMeta: a commit's API URL, id and time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitCommitMeta {
    pub url: String,
    pub sha: String,
    /// Zero time (`0001-01-01T00:00:00Z`) where Gitea leaves it unset (parents).
    pub created: String,
}

/// Gitea's Tag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tag {
    pub name: String,
    pub message: String,
    /// The tag object (annotated tags) or the commit (lightweight tags).
    pub id: String,
    pub commit: GitCommitMeta,
    pub zipball_url: String,
    pub tarball_url: String,
}

/// Gitea's PayloadCommitVerification. hearth does not verify signatures: `verified` is false.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    pub verified: bool,
    pub reason: String,
    pub signature: String,
    #[schema(value_type = Option<Object>)]
    pub signer: Option<serde_json::Value>,
    pub payload: String,
}

impl Verification {
    /// What Gitea answers for an unsigned commit.
    pub fn not_signed() -> Verification {
        Verification {
            verified: false,
            reason: "gpg.error.not_signed_commit".into(),
            signature: String::new(),
            signer: None,
            payload: String::new(),
        }
    }
}

/// Gitea's AnnotatedTagObject: what an annotated tag leads to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnotatedTagObject {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub sha: String,
}

/// Gitea's AnnotatedTag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnotatedTag {
    pub tag: String,
    pub sha: String,
    pub url: String,
    pub message: String,
    pub tagger: Option<CommitUser>,
    pub object: AnnotatedTagObject,
    pub verification: Verification,
}

/// Gitea's RepoCommit (full message, with verification).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitRepoCommit {
    pub url: String,
    pub author: CommitUser,
    pub committer: CommitUser,
    pub message: String,
    pub tree: GitCommitMeta,
    pub verification: Verification,
}

/// Gitea's CommitAffectedFiles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitAffectedFile {
    pub filename: String,
    pub status: String,
}

/// Gitea's CommitStats.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitStats {
    pub total: u64,
    pub additions: u64,
    pub deletions: u64,
}

/// Gitea's Commit, as `GET /repos/:o/:r/git/commits/:sha` serves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitCommit {
    pub url: String,
    pub sha: String,
    pub created: String,
    pub html_url: String,
    pub commit: GitRepoCommit,
    pub author: Option<User>,
    pub committer: Option<User>,
    pub parents: Vec<GitCommitMeta>,
    pub files: Vec<CommitAffectedFile>,
    pub stats: CommitStats,
}
