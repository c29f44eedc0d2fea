//! Gogs' JSON shapes (spec schemas.md), field for field and in Gogs' order. Store rows are never
//! serialized directly.

use hearth_store::deploy_keys::DeployKeyRow;
use hearth_store::keys::KeyRow;
use hearth_store::orgs::TeamRow;
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;
use md5::{Digest, Md5};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::service::access::AccessMode;
use crate::service::emails::EmailEntry;

/// RFC 3339 with second precision, in UTC.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH).format(&Rfc3339).unwrap_or_default()
}

/// A. User (schemas.md A1).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub login: String,
    pub full_name: String,
    /// Empty for anonymous callers of the user and search routes.
    pub email: String,
    pub avatar_url: String,
}

impl User {
    pub fn new(state: &AppState, u: &UserRow, show_email: bool) -> User {
        User {
            id: u.id,
            username: u.name.clone(),
            login: u.name.clone(),
            full_name: u.full_name.clone(),
            email: if show_email { u.email.clone() } else { String::new() },
            avatar_url: avatar_url(state, u),
        }
    }
}

/// Gravatar by default (as Gogs), or the server's own avatar path when Gravatar is disabled.
pub fn avatar_url(state: &AppState, u: &UserRow) -> String {
    if state.config.disable_gravatar || u.email.is_empty() {
        return format!("{}avatars/{}", state.external_url, u.id);
    }
    let hash = hex::encode(Md5::digest(u.email.trim().to_lowercase().as_bytes()));
    format!("{}{hash}?d=identicon", state.config.gravatar_source)
}

/// A7. PublicKey.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKey {
    pub id: i64,
    pub key: String,
    pub url: String,
    pub title: String,
    pub created_at: String,
}

impl PublicKey {
    pub fn new(state: &AppState, k: &KeyRow) -> PublicKey {
        PublicKey {
            id: k.id,
            key: k.content.clone(),
            url: format!("{}/user/keys/{}", state.api_url, k.id),
            title: k.name.clone(),
            created_at: rfc3339(k.created_unix),
        }
    }
}

/// A2. Organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub avatar_url: String,
    pub description: String,
    pub website: String,
    pub location: String,
}

impl Organization {
    pub fn new(state: &AppState, o: &UserRow) -> Organization {
        Organization {
            id: o.id,
            username: o.name.clone(),
            full_name: o.full_name.clone(),
            avatar_url: avatar_url(state, o),
            description: o.description.clone(),
            website: o.website.clone(),
            location: o.location.clone(),
        }
    }
}

/// A3. Team.
#[derive(Debug, Serialize, ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `read`, `write`, `admin`, or `owner` (the Owners team).
    pub permission: String,
}

impl Team {
    pub fn new(t: &TeamRow) -> Team {
        Team {
            id: t.id,
            name: t.name.clone(),
            description: t.description.clone(),
            permission: AccessMode::from_i64(t.authorize).name().to_string(),
        }
    }
}

/// A6. Collaborator: a User plus the permissions its collaboration gives.
#[derive(Debug, Serialize, ToSchema)]
pub struct Collaborator {
    #[serde(flatten)]
    pub user: User,
    pub permissions: Permission,
}

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
    pub fn new(state: &AppState, owner: &str, repo: &str, k: &DeployKeyRow) -> DeployKey {
        DeployKey {
            id: k.id,
            key: k.content.clone(),
            url: format!("{}/repos/{owner}/{repo}/keys/{}", state.api_url, k.id),
            title: k.name.clone(),
            created_at: rfc3339(k.created_unix),
            read_only: k.read_only,
        }
    }
}

/// A9. Email.
#[derive(Debug, Serialize, ToSchema)]
pub struct Email {
    pub email: String,
    pub verified: bool,
    pub primary: bool,
}

impl From<EmailEntry> for Email {
    fn from(e: EmailEntry) -> Email {
        Email { email: e.email, verified: e.verified, primary: e.primary }
    }
}

/// A10. AccessToken: `sha1` is the raw token only in the create response.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    pub name: String,
    pub sha1: String,
}

/// A24. `{"data": [...], "ok": true}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserSearchResults {
    pub data: Vec<User>,
    pub ok: bool,
}

/// `GET /version` (a Gitea extension).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerVersion {
    pub version: String,
}

/// RFC 3339 in a given offset (seconds east of UTC), for git times.
pub fn rfc3339_with_offset(unix: i64, offset_seconds: i32) -> String {
    let offset = time::UtcOffset::from_whole_seconds(offset_seconds).unwrap_or(time::UtcOffset::UTC);
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
        .format(&Rfc3339)
        .unwrap_or_default()
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
#[derive(Debug, Serialize, ToSchema)]
pub struct Repository {
    pub id: i64,
    pub owner: User,
    pub name: String,
    pub full_name: String,
    pub description: String,
    pub private: bool,
    pub unlisted: bool,
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
}

impl Repository {
    pub fn new(state: &AppState, r: &RepoRow, owner: &UserRow, permissions: Option<Permission>) -> Repository {
        let urls = crate::service::repos::urls(state, &owner.name, &r.name);
        Repository {
            id: r.id,
            owner: User::new(state, owner, true),
            name: r.name.clone(),
            full_name: format!("{}/{}", owner.name, r.name),
            description: r.description.clone(),
            private: r.is_private,
            unlisted: r.is_unlisted,
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
        }
    }
}

/// `{"data": [...], "ok": true}` of `GET /repos/search`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepoSearchResults {
    pub data: Vec<Repository>,
    pub ok: bool,
}

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

/// A17. Branch.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Branch {
    pub name: String,
    pub commit: PayloadCommit,
}

/// A20. RepoContent's `_links`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContentLinks {
    pub git: String,
    #[serde(rename = "self")]
    pub self_: String,
    pub html: String,
}

/// A20. RepoContent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepoContent {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submodule_git_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    pub size: u64,
    pub name: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    pub sha: String,
    pub url: String,
    pub git_url: String,
    pub html_url: String,
    pub download_url: String,
    #[serde(rename = "_links")]
    pub links: ContentLinks,
}

/// A21. GitTree entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitTreeEntry {
    pub path: String,
    pub mode: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub size: u64,
    pub sha: String,
    pub url: String,
}

/// A21. GitTree (`tree` is null for an empty tree).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitTree {
    pub sha: String,
    pub url: String,
    pub tree: Option<Vec<GitTreeEntry>>,
    /// GitHub/Gitea extensions for `?recursive=1`: whether entries beyond this page exist, and
    /// which page this is.
    pub truncated: bool,
    pub page: i64,
}

/// A22. GitBlob.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GitBlob {
    pub content: String,
    pub encoding: String,
    pub url: String,
    pub sha: String,
    pub size: u64,
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

/// The answer to `PUT …/contents/*`: the commit made and the file written.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PutContentsResult {
    pub commit: Commit,
    pub content: RepoContent,
}

/// A16. Release.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Release {
    pub id: i64,
    pub tag_name: String,
    pub target_commitish: String,
    pub name: String,
    pub body: String,
    pub draft: bool,
    pub prerelease: bool,
    pub author: User,
    pub created_at: String,
}

/// A23. EditorconfigDefinition: only the properties that are set (hearth adds the three Gogs'
/// library hides).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct EditorconfigDefinition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indent_style: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indent_size: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_of_line: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tab_width: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trim_trailing_whitespace: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert_final_newline: Option<bool>,
}

/// A11. Hook (`config` never carries the secret; its keys sorted as Go prints a map).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hook {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub config: std::collections::BTreeMap<String, String>,
    pub events: Vec<String>,
    pub active: bool,
    pub updated_at: String,
    pub created_at: String,
}

/// One delivery of a hook (GitHub's hook-delivery shape, a hearth extension): `delivered_at` is
/// null and `pending` true until an attempt is final.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookDelivery {
    pub id: i64,
    pub guid: String,
    pub delivered_at: Option<String>,
    pub redelivery: bool,
    /// Seconds the last attempt took.
    pub duration: f64,
    pub status: String,
    pub status_code: i64,
    pub event: String,
    pub action: Option<String>,
    pub repository_id: i64,
    pub pending: bool,
    pub attempts: i64,
}

/// Request or response side of a delivery.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookExchange {
    pub headers: std::collections::BTreeMap<String, String>,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// A delivery with what was sent and received.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HookDeliveryDetail {
    #[serde(flatten)]
    pub delivery: HookDelivery,
    pub url: String,
    pub request: HookExchange,
    pub response: HookExchange,
}

/// A13. Label (`color` without the `#`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Label {
    pub id: i64,
    pub name: String,
    pub color: String,
    pub url: String,
}

impl Label {
    pub fn new(state: &AppState, owner: &str, repo: &str, l: &hearth_store::labels::LabelRow) -> Label {
        Label {
            id: l.id,
            name: l.name.clone(),
            color: l.color.trim_start_matches('#').to_string(),
            url: format!("{}/repos/{owner}/{repo}/labels/{}", state.api_url, l.id),
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
