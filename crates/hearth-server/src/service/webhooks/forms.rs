//! What the web UI's hook forms need beyond the API's CRUD (webhooks.md §1.3, §7.1): the three
//! event selections as they are stored (the API only writes "choose events"), a secret that can be
//! changed on edit, the local-network guard applied when a hook is saved (the REST API applies it
//! only at delivery), a test delivery and a delivery's status line. The same forms edit a
//! repository's hooks and an organisation's ([`HookScope`]).

use std::net::IpAddr;
use std::path::Path;

use hearth_store::HookContentType;
use hearth_store::hooks::{self, HookFields, HookRow, TaskRow};
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::UserRow;
use hearth_store::{Conn, StoreResult, Window};

use super::{HookEvent, HookEvents, HookKind, enqueue_test, payload};
use crate::app::AppState;
use crate::service::net_guard::{Allowlist, Refusal};
use crate::service::{ServiceError, ServiceResult, git_blocking, now_unix};

/// Whose hooks a form edits: a repository's (`webhook.repo_id`) or an organisation's
/// (`webhook.org_id`, firing for all of its repositories).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookScope {
    Repo(i64),
    Org(i64),
}

impl HookScope {
    /// `(repo_id, org_id)` as the hook row and [`super::delete_hook`] take them.
    pub fn ids(self) -> (i64, i64) {
        match self {
            HookScope::Repo(id) => (id, 0),
            HookScope::Org(id) => (0, id),
        }
    }

    /// The scope's hooks, in table order.
    pub async fn list(self, c: Conn<'_>) -> StoreResult<Vec<HookRow>> {
        Ok(match self {
            HookScope::Repo(id) => hooks::list_for_repo(c, id, Window::ALL).await?.0,
            HookScope::Org(id) => hooks::list_for_org(c, id, Window::ALL).await?.0,
        })
    }

    /// One of the scope's hooks (another scope's id is not found).
    pub async fn find(self, c: Conn<'_>, id: i64) -> StoreResult<Option<HookRow>> {
        match self {
            HookScope::Repo(repo_id) => hooks::by_id_for_repo(c, repo_id, id).await,
            HookScope::Org(org_id) => hooks::by_id_for_org(c, org_id, id).await,
        }
    }
}

/// A hook as the web form edits it.
#[derive(Debug, Clone)]
pub struct HookForm {
    pub url: String,
    pub content_type: HookContentType,
    /// `None` keeps the stored secret (an edit form never shows it).
    pub secret: Option<String>,
    pub events: HookEvents,
    pub active: bool,
}

const BLOCKED: &str = "Payload URL resolved to a local network address that is implicitly blocked.";

/// The save-time check: an absolute http(s) URL whose host resolves only to addresses the
/// `[security] LOCAL_NETWORK_ALLOWLIST` permits (a host that does not resolve counts as blocked).
pub async fn check_url(state: &AppState, url: &str) -> ServiceResult<()> {
    check_url_with(&Allowlist::parse(&state.config.security.local_network_allowlist), url).await
}

async fn check_url_with(allow: &Allowlist, url: &str) -> ServiceResult<()> {
    let invalid = || ServiceError::Invalid("Payload URL must be an http or https URL.".into());
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| invalid())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid());
    }
    let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(invalid)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return if allow.permits(bare, ip) { Ok(()) } else { Err(ServiceError::Invalid(BLOCKED.into())) };
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    match allow.resolve(bare, port).await {
        Ok(_) => Ok(()),
        Err(Refusal::Blocked | Refusal::Unresolved) => Err(ServiceError::Invalid(BLOCKED.into())),
    }
}

fn fields(form: &HookForm, secret: String) -> HookFields {
    HookFields {
        url: form.url.trim().to_string(),
        content_type: form.content_type,
        secret,
        events: serde_json::to_string(&form.events).unwrap_or_default(),
        is_active: form.active,
        hook_task_type: HookKind::Gogs,
        meta: String::new(),
    }
}

/// Create a Gogs-type hook for a repository or an organisation.
pub async fn create(state: &AppState, scope: HookScope, form: &HookForm) -> ServiceResult<HookRow> {
    check_url(state, &form.url).await?;
    let f = fields(form, form.secret.clone().unwrap_or_default());
    let (repo_id, org_id) = scope.ids();
    let mut tx = state.db.begin().await?;
    let row = hooks::insert(tx.conn(), repo_id, org_id, &f, now_unix()).await?;
    tx.commit().await?;
    Ok(row)
}

/// Update one of the scope's hooks (its type and chat settings stay).
pub async fn update(state: &AppState, scope: HookScope, id: i64, form: &HookForm) -> ServiceResult<HookRow> {
    check_url(state, &form.url).await?;
    let mut tx = state.db.begin().await?;
    let hook = scope.find(tx.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    let mut f = fields(form, form.secret.clone().unwrap_or_else(|| hook.secret.clone()));
    f.hook_task_type = hook.hook_task_type;
    f.meta = hook.meta.clone();
    hooks::update(tx.conn(), hook.id, &f, now_unix()).await?;
    let row = scope.find(tx.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Delete one of the scope's hooks with its delivery history.
pub async fn delete(state: &AppState, scope: HookScope, id: i64) -> ServiceResult<()> {
    let (repo_id, org_id) = scope.ids();
    super::delete_hook(state, repo_id, org_id, id).await
}

/// Queue a test `push` of the default branch's latest commit; false when the hook does not take
/// pushes (nothing is sent then, as the API's test route).
pub async fn test_delivery(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    hook: &HookRow,
) -> ServiceResult<bool> {
    if !HookEvents::parse(&hook.events).selects(HookEvent::Push) {
        return Ok(false);
    }
    let dir = dir.to_path_buf();
    let branch = format!("refs/heads/{}", repo.default_branch);
    let latest = git_blocking(move || match hearth_git::read::resolve_commit(&dir, &branch)? {
        Some(id) => hearth_git::pushlog::commit_with_files(&dir, &id),
        None => Ok(None),
    })
    .await
    .unwrap_or(None);
    let p = {
        let mut h = state.db.acquire().await?;
        payload::test_push(state, h.conn(), owner, repo, doer, latest).await?
    };
    enqueue_test(state, repo.id, hook, &p).await?;
    Ok(true)
}

/// An organisation hook's test delivery: Gogs has none, so hearth sends the test `push` of the
/// organisation's most recently updated repository (as that repository's own test would be), with
/// the task filed under that repository. False when the hook does not take pushes; a refusal when
/// the organisation has no repository to take the commit from.
pub async fn test_delivery_for_org(
    state: &AppState,
    org: &UserRow,
    doer: &UserRow,
    hook: &HookRow,
) -> ServiceResult<bool> {
    if !HookEvents::parse(&hook.events).selects(HookEvent::Push) {
        return Ok(false);
    }
    let repo = {
        let mut h = state.db.acquire().await?;
        repo_store::list_by_owner(h.conn(), org.id, false).await?.into_iter().next()
    };
    let Some(repo) = repo else {
        return Err(ServiceError::Invalid("The organization has no repository to send a test push from.".into()));
    };
    let dir = crate::service::repos::repo_path(&state.config.repository.root, &org.name, &repo.name);
    test_delivery(state, org, &repo, &dir, doer, hook).await
}

/// A delivery's outcome in words, as the API's delivery list states it.
pub fn delivery_status(t: &TaskRow) -> String {
    let response: serde_json::Value = serde_json::from_str(&t.response_content).unwrap_or_default();
    let code = response["status"].as_i64().unwrap_or(0);
    if t.is_succeed {
        format!("OK ({code})")
    } else if code > 0 {
        format!("Invalid HTTP Response: {code}")
    } else if let Some(body) = response["body"].as_str() {
        body.to_string()
    } else {
        "Pending".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn refusal(allow: &str, url: &str) -> Option<String> {
        check_url_with(&Allowlist::parse(allow), url).await.err().map(|e| e.to_string())
    }

    #[tokio::test]
    async fn urls_are_checked_when_saved() {
        for bad in ["not a url", "ftp://example.com/x", "javascript:alert(1)", "http://", "/relative"] {
            assert_eq!(refusal("", bad).await.as_deref(), Some("Payload URL must be an http or https URL."), "{bad}");
        }
        for local in ["http://127.0.0.1:8080/h", "http://[::1]/h", "http://10.0.0.1/", "http://169.254.169.254/"] {
            assert_eq!(refusal("", local).await.as_deref(), Some(BLOCKED), "{local}");
        }
        assert_eq!(refusal("loopback", "http://127.0.0.1:8080/h").await, None);
        assert_eq!(refusal("loopback", "http://10.0.0.1/").await.as_deref(), Some(BLOCKED));
        assert_eq!(refusal("*", "http://169.254.169.254/").await.as_deref(), Some(BLOCKED), "metadata, always");
        assert_eq!(refusal("", "https://8.8.8.8/hook").await, None);
    }
}
