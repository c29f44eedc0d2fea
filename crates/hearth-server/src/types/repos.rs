//! Repositories, their permissions, branches and deploy keys.

use hearth_store::AccessMode;
use hearth_store::deploy_keys::DeployKeyRow;
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Links, PayloadCommit, User, rfc3339};

/// A8. DeployKey.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeployKey {
    pub id: i64,
    pub key: String,
    pub url: String,
    pub title: String,
    pub created_at: String,
    pub read_only: bool,
}

impl DeployKey {
    pub fn new(links: &Links, owner: &str, repo: &str, k: &DeployKeyRow) -> DeployKey {
        DeployKey {
            id: k.id,
            key: k.content.clone(),
            url: format!("{}/repos/{owner}/{repo}/keys/{}", links.api_url, k.id),
            title: k.name.clone(),
            created_at: rfc3339(k.created_unix),
            read_only: k.read_only,
        }
    }
}

/// A4. Permission.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Permission {
    pub admin: bool,
    pub push: bool,
    pub pull: bool,
}

impl Permission {
    pub fn from_mode(mode: AccessMode) -> Permission {
        Permission { admin: mode >= AccessMode::Admin, push: mode >= AccessMode::Write, pull: mode >= AccessMode::Read }
    }
}

/// A5. Repository.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Repository {
    pub id: i64,
    pub owner: User,
    pub name: String,
    pub full_name: String,
    pub description: String,
    pub private: bool,
    // Always present in API answers; webhook payloads leave it out, as Gogs' do.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = bool, required = true)]
    pub unlisted: Option<bool>,
    pub fork: bool,
    #[schema(value_type = Option<Object>)]
    pub parent: Option<Box<Repository>>,
    pub empty: bool,
    pub mirror: bool,
    pub size: i64,
    pub html_url: String,
    pub ssh_url: String,
    pub clone_url: String,
    pub website: String,
    pub stars_count: i64,
    pub forks_count: i64,
    pub watchers_count: i64,
    pub open_issues_count: i64,
    pub default_branch: String,
    pub created_at: String,
    pub updated_at: String,
    /// Omitted in search results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permission>,
    // Gitea's fields (after all of Gogs', whose names and types stay as they are).
    pub archived: bool,
    /// When the repository was archived; the Unix epoch when it is not.
    pub archived_at: String,
    pub has_issues: bool,
    pub has_wiki: bool,
    pub has_pull_requests: bool,
    /// The merge-style switches; all false while pull requests are disabled (as Gitea shows them).
    pub allow_merge_commits: bool,
    pub allow_rebase: bool,
    pub allow_rebase_explicit: bool,
    pub allow_squash_merge: bool,
    pub allow_fast_forward_only_merge: bool,
    pub default_merge_style: String,
    /// Open pull requests.
    pub open_pr_counter: i64,
    /// The pending transfer, on a single repository's answers (null otherwise, and in lists).
    pub repo_transfer: Option<RepoTransfer>,
}

/// Gitea's RepoTransfer: a transfer waiting for its recipient.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepoTransfer {
    pub doer: User,
    pub recipient: User,
    pub teams: Vec<super::Team>,
}

impl Repository {
    pub fn new(links: &Links, r: &RepoRow, owner: &UserRow, permissions: Option<Permission>) -> Repository {
        let urls = links.repo_urls(&owner.name, &r.name);
        Repository {
            id: r.id,
            owner: User::new(links, owner, true),
            name: r.name.clone(),
            full_name: format!("{}/{}", owner.name, r.name),
            description: r.description.clone(),
            private: r.is_private,
            unlisted: Some(r.is_unlisted),
            fork: r.is_fork,
            parent: None,
            empty: r.is_bare,
            mirror: r.is_mirror,
            size: r.size,
            html_url: urls.html,
            ssh_url: urls.ssh,
            clone_url: urls.clone,
            website: r.website.clone(),
            stars_count: r.num_stars,
            forks_count: r.num_forks,
            watchers_count: r.num_watches,
            open_issues_count: (r.num_issues - r.num_closed_issues).max(0),
            default_branch: r.default_branch.clone(),
            created_at: rfc3339(r.created_unix),
            updated_at: rfc3339(r.updated_unix),
            permissions,
            archived: r.is_archived,
            archived_at: rfc3339(r.archived_unix),
            has_issues: r.enable_issues,
            has_wiki: r.enable_wiki,
            has_pull_requests: r.enable_pulls,
            allow_merge_commits: r.enable_pulls && r.allow_merge_commits,
            allow_rebase: r.enable_pulls && r.allow_rebase,
            allow_rebase_explicit: r.enable_pulls && r.allow_rebase_explicit,
            allow_squash_merge: r.enable_pulls && r.allow_squash_merge,
            allow_fast_forward_only_merge: r.enable_pulls && r.allow_fast_forward_only_merge,
            default_merge_style: if r.enable_pulls { r.default_merge_style.clone() } else { "merge".into() },
            open_pr_counter: (r.num_pulls - r.num_closed_pulls).max(0),
            repo_transfer: None,
        }
    }
}

/// `{"data": [...], "ok": true}` of `GET /repos/search`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepoSearchResults {
    pub data: Vec<Repository>,
    pub ok: bool,
}

/// A17. Branch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Branch {
    pub name: String,
    pub commit: PayloadCommit,
    /// Gitea's protection fields, on branches (not on tags).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub protection: Option<BranchProtectionInfo>,
}

/// What a branch object says of its protection and of the caller's rights (Gitea).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BranchProtectionInfo {
    pub protected: bool,
    pub required_approvals: i64,
    pub enable_status_check: bool,
    pub status_check_contexts: Vec<String>,
    pub user_can_push: bool,
    pub user_can_merge: bool,
    /// The rule that applies; filled for repository admins only.
    pub effective_branch_protection_name: String,
}

/// Gitea's WatchInfo: the caller's subscription to a repository.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WatchInfo {
    pub subscribed: bool,
    pub ignored: bool,
    /// Always null (Gitea's `reason` is never set).
    #[schema(value_type = Option<Object>)]
    pub reason: Option<serde_json::Value>,
    /// The repository's creation time, as Gitea reports it.
    pub created_at: String,
    pub url: String,
    pub repository_url: String,
}

impl WatchInfo {
    pub fn new(links: &Links, owner: &str, r: &RepoRow) -> WatchInfo {
        let repository_url = format!("{}/repos/{owner}/{}", links.api_url, r.name);
        WatchInfo {
            subscribed: true,
            ignored: false,
            reason: None,
            created_at: rfc3339(r.created_unix),
            url: format!("{repository_url}/subscription"),
            repository_url,
        }
    }
}
