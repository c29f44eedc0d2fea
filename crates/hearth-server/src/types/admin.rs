//! Site administration: the dashboard's counts and the login sources.

use hearth_store::stats::Counts;
use serde::Serialize;
use utoipa::ToSchema;

use super::rfc3339;

/// The site's counts under the names of Gogs' admin dashboard (`Statistic.Counter`, in
/// snake_case), plus `public_repo`, `private_repo`, `pull`, `fork`, `deploy_key`, `collaboration`,
/// `access_token` and `email`. Gogs' `action`, `access`, `oauth`, `update_task` and `attachment`
/// are always 0: hearth keeps no such records (access is computed, not stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminStats {
    pub user: i64,
    pub org: i64,
    pub public_key: i64,
    pub repo: i64,
    pub watch: i64,
    pub star: i64,
    pub action: i64,
    pub access: i64,
    pub issue: i64,
    pub comment: i64,
    pub oauth: i64,
    pub follow: i64,
    pub mirror: i64,
    pub release: i64,
    pub login_source: i64,
    pub webhook: i64,
    pub milestone: i64,
    pub label: i64,
    pub hook_task: i64,
    pub team: i64,
    pub update_task: i64,
    pub attachment: i64,
    pub public_repo: i64,
    pub private_repo: i64,
    pub pull: i64,
    pub fork: i64,
    pub deploy_key: i64,
    pub collaboration: i64,
    pub access_token: i64,
    pub email: i64,
}

impl AdminStats {
    pub fn new(c: &Counts, login_sources: i64) -> AdminStats {
        AdminStats {
            user: c.users,
            org: c.orgs,
            public_key: c.public_keys,
            repo: c.repos,
            watch: c.watches,
            star: c.stars,
            action: 0,
            access: 0,
            issue: c.issues,
            comment: c.comments,
            oauth: 0,
            follow: c.follows,
            mirror: c.mirrors,
            release: c.releases,
            login_source: login_sources,
            webhook: c.webhooks,
            milestone: c.milestones,
            label: c.labels,
            hook_task: c.hook_tasks,
            team: c.teams,
            update_task: 0,
            attachment: 0,
            public_repo: c.repos - c.private_repos,
            private_repo: c.private_repos,
            pull: c.pulls,
            fork: c.forks,
            deploy_key: c.deploy_keys,
            collaboration: c.collaborations,
            access_token: c.access_tokens,
            email: c.emails,
        }
    }
}

/// A login source in Gogs' `LoginSource` shape (`type` is Gogs' number; 0, no external source,
/// is the built-in local password check, the only source hearth has).
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginSource {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: i64,
    pub name: String,
    pub is_actived: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl LoginSource {
    /// The local source, as old as the site's first account.
    pub fn local(since_unix: i64) -> LoginSource {
        LoginSource {
            id: 0,
            kind: 0,
            name: "Local".into(),
            is_actived: true,
            created_at: rfc3339(since_unix),
            updated_at: rfc3339(since_unix),
        }
    }
}

/// A notice as Gogs' admin page shows it (`type`: 1 repository, 2 background task).
#[derive(Debug, Serialize, ToSchema)]
pub struct Notice {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: i64,
    pub description: String,
    pub created_at: String,
}

impl Notice {
    pub fn new(n: &hearth_store::notices::NoticeRow) -> Notice {
        Notice { id: n.id, kind: n.kind, description: n.description.clone(), created_at: rfc3339(n.created_unix) }
    }
}
