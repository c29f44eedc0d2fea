//! Webhooks (webhooks.md): the stored hook settings, the event selection, and the outbox — every
//! event becomes `hook_task` rows inside the transaction of the change that caused it ([`enqueue`]);
//! the worker in [`deliver`] sends them after commit.

pub mod chat;
pub mod deliver;
pub mod forms;
pub mod payload;

use std::collections::{BTreeMap, HashMap};

use hearth_store::Conn;
use hearth_store::HookContentType;
pub use hearth_store::HookKind;
use hearth_store::hooks::{self, HookFields, HookRow, NewTask};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

/// Gogs' eight events, in the order the API lists them, then Gitea's `status` (commit statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    Create,
    Delete,
    Fork,
    Push,
    Issues,
    PullRequest,
    IssueComment,
    Release,
    Status,
}

impl HookEvent {
    pub const ALL: [HookEvent; 9] = [
        HookEvent::Create,
        HookEvent::Delete,
        HookEvent::Fork,
        HookEvent::Push,
        HookEvent::Issues,
        HookEvent::PullRequest,
        HookEvent::IssueComment,
        HookEvent::Release,
        HookEvent::Status,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HookEvent::Create => "create",
            HookEvent::Delete => "delete",
            HookEvent::Fork => "fork",
            HookEvent::Push => "push",
            HookEvent::Issues => "issues",
            HookEvent::PullRequest => "pull_request",
            HookEvent::IssueComment => "issue_comment",
            HookEvent::Release => "release",
            HookEvent::Status => "status",
        }
    }
}

/// The per-event flags of the `events` column, in the stored key order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EventFlags {
    pub create: bool,
    pub delete: bool,
    pub fork: bool,
    pub push: bool,
    pub issues: bool,
    pub pull_request: bool,
    pub issue_comment: bool,
    pub release: bool,
    /// Gitea's; left out of the stored JSON unless chosen, so Gogs' column format is unchanged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub status: bool,
}

impl EventFlags {
    fn get(&self, e: HookEvent) -> bool {
        match e {
            HookEvent::Create => self.create,
            HookEvent::Delete => self.delete,
            HookEvent::Fork => self.fork,
            HookEvent::Push => self.push,
            HookEvent::Issues => self.issues,
            HookEvent::PullRequest => self.pull_request,
            HookEvent::IssueComment => self.issue_comment,
            HookEvent::Release => self.release,
            HookEvent::Status => self.status,
        }
    }
}

/// The event selection (webhooks.md §1.3), stored as JSON in `webhook.events`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct HookEvents {
    pub push_only: bool,
    pub send_everything: bool,
    pub choose_events: bool,
    pub events: EventFlags,
}

impl HookEvents {
    /// The API's rewrite of an `events` array: `choose_events` with the named flags; unknown
    /// names are dropped and an empty list means `["push"]`.
    pub fn from_names(names: &[String]) -> HookEvents {
        let names: Vec<&str> = if names.is_empty() { vec!["push"] } else { names.iter().map(String::as_str).collect() };
        let has = |e: HookEvent| names.contains(&e.name());
        HookEvents {
            push_only: false,
            send_everything: false,
            choose_events: true,
            events: EventFlags {
                create: has(HookEvent::Create),
                delete: has(HookEvent::Delete),
                fork: has(HookEvent::Fork),
                push: has(HookEvent::Push),
                issues: has(HookEvent::Issues),
                pull_request: has(HookEvent::PullRequest),
                issue_comment: has(HookEvent::IssueComment),
                release: has(HookEvent::Release),
                status: has(HookEvent::Status),
            },
        }
    }

    pub fn parse(text: &str) -> HookEvents {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn selects(&self, e: HookEvent) -> bool {
        self.send_everything || (self.choose_events && self.events.get(e)) || (e == HookEvent::Push && self.push_only)
    }

    /// The API's `events`: every selected event in canonical order. A send-everything hook lists
    /// Gogs' eight (as Gogs does) though it receives `status` too; `status` is listed when chosen.
    pub fn names(&self) -> Vec<String> {
        HookEvent::ALL
            .iter()
            .filter(|e| self.selects(**e) && !(**e == HookEvent::Status && !(self.choose_events && self.events.status)))
            .map(|e| e.name().to_string())
            .collect()
    }
}

/// Slack-style settings kept in `meta` (discord too: webhooks.md §10).
fn has_meta(kind: HookKind) -> bool {
    matches!(kind, HookKind::Slack | HookKind::Discord)
}

/// Slack/Discord settings (`meta`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatMeta {
    pub channel: String,
    pub username: String,
    pub icon_url: String,
    pub color: String,
}

impl ChatMeta {
    fn from_config(config: &HashMap<String, String>) -> ChatMeta {
        let get = |k: &str| config.get(k).cloned().unwrap_or_default();
        ChatMeta { channel: get("channel"), username: get("username"), icon_url: get("icon_url"), color: get("color") }
    }

    pub fn parse(text: &str) -> ChatMeta {
        serde_json::from_str(text).unwrap_or_default()
    }
}

/// The API's `config` object: sorted keys (Go marshals maps sorted), never the secret.
pub fn api_config(h: &HookRow) -> BTreeMap<String, String> {
    let mut config = BTreeMap::new();
    config.insert("url".to_string(), h.url.clone());
    config.insert("content_type".to_string(), h.content_type.name().to_string());
    if h.hook_task_type == HookKind::Slack {
        let meta = ChatMeta::parse(&h.meta);
        config.insert("channel".into(), meta.channel);
        config.insert("username".into(), meta.username);
        config.insert("icon_url".into(), meta.icon_url);
        config.insert("color".into(), meta.color);
    }
    config
}

/// `POST …/hooks` after binding (schemas.md B6).
pub struct CreateHook {
    pub kind: String,
    pub config: HashMap<String, String>,
    pub events: Vec<String>,
    pub active: bool,
}

/// `PATCH …/hooks/:id` after binding (schemas.md B7).
pub struct EditHook {
    pub config: Option<HashMap<String, String>>,
    pub events: Vec<String>,
    pub active: Option<bool>,
}

fn invalid(msg: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(msg.into())
}

fn events_json(names: &[String]) -> String {
    serde_json::to_string(&HookEvents::from_names(names)).unwrap_or_default()
}

/// Create a repository hook (`org_id` 0) or an organisation hook (`repo_id` 0).
pub async fn create_hook(state: &AppState, repo_id: i64, org_id: i64, opt: &CreateHook) -> ServiceResult<HookRow> {
    let kind = HookKind::from_name(&opt.kind).ok_or_else(|| invalid("Invalid hook type."))?;
    for key in ["url", "content_type"] {
        if !opt.config.contains_key(key) {
            return Err(invalid(format!("Missing config option: {key}")));
        }
    }
    let content_type =
        HookContentType::from_name(&opt.config["content_type"]).ok_or_else(|| invalid("Invalid content type."))?;
    if kind == HookKind::Slack && !opt.config.contains_key("channel") {
        return Err(invalid("Missing config option: channel"));
    }
    let meta = if has_meta(kind) {
        serde_json::to_string(&ChatMeta::from_config(&opt.config)).unwrap_or_default()
    } else {
        String::new()
    };
    let fields = HookFields {
        url: opt.config["url"].clone(),
        content_type,
        secret: opt.config.get("secret").cloned().unwrap_or_default(),
        events: events_json(&opt.events),
        is_active: opt.active,
        hook_task_type: kind,
        meta,
    };
    let mut tx = state.db.begin().await?;
    let row = hooks::insert(tx.conn(), repo_id, org_id, &fields, now_unix()).await?;
    tx.commit().await?;
    Ok(row)
}

/// A repository's hook (`repo_id` > 0) or an organisation's (`repo_id` = 0, `org_id`).
async fn scoped_hook(c: hearth_store::Conn<'_>, repo_id: i64, org_id: i64, id: i64) -> ServiceResult<HookRow> {
    let found = if repo_id > 0 {
        hooks::by_id_for_repo(c, repo_id, id).await?
    } else {
        hooks::by_id_for_org(c, org_id, id).await?
    };
    found.ok_or(ServiceError::NotFound)
}

/// Edit a repository hook (`repo_id` > 0) or an organisation hook (`repo_id` = 0): the secret stays
/// (API edits cannot change it), omitted events reset to `["push"]`.
pub async fn edit_hook(state: &AppState, repo_id: i64, org_id: i64, id: i64, opt: &EditHook) -> ServiceResult<HookRow> {
    let mut tx = state.db.begin().await?;
    let hook = scoped_hook(tx.conn(), repo_id, org_id, id).await?;
    let kind = hook.hook_task_type;
    let mut fields = HookFields {
        url: hook.url.clone(),
        content_type: hook.content_type,
        secret: hook.secret.clone(),
        events: events_json(&opt.events),
        is_active: opt.active.unwrap_or(hook.is_active),
        hook_task_type: hook.hook_task_type,
        meta: hook.meta.clone(),
    };
    if let Some(config) = &opt.config {
        if let Some(url) = config.get("url") {
            fields.url = url.clone();
        }
        if let Some(ct) = config.get("content_type") {
            fields.content_type = HookContentType::from_name(ct).ok_or_else(|| invalid("Invalid content type."))?;
        }
        if has_meta(kind) && config.contains_key("channel") {
            fields.meta = serde_json::to_string(&ChatMeta::from_config(config)).unwrap_or_default();
        }
    }
    hooks::update(tx.conn(), hook.id, &fields, now_unix()).await?;
    let row = scoped_hook(tx.conn(), repo_id, org_id, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Hex HMAC-SHA256 of the payload with the hook secret; empty without a secret (webhooks.md §6).
pub fn sign(secret: &str, payload: &str) -> String {
    if secret.is_empty() {
        return String::new();
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Hex HMAC-SHA1 of the payload (GitHub's `X-Hub-Signature`, as Gitea sends it); empty without a
/// secret.
pub fn sign_sha1(secret: &str, payload: &str) -> String {
    if secret.is_empty() {
        return String::new();
    }
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Gitea's finer event type (`X-Gitea-Event-Type`): assignee, label and milestone changes of issues
/// and pull requests, pull request synchronisation and comments on pull requests have their own;
/// every other event is its own type. The event itself (`X-Gitea-Event`) stays Gogs' name.
pub fn gitea_event_type(event: HookEvent, payload: &serde_json::Value) -> &'static str {
    let action = payload["action"].as_str().unwrap_or_default();
    match (event, action) {
        (HookEvent::Issues, "assigned" | "unassigned") => "issue_assign",
        (HookEvent::Issues, "label_updated" | "label_cleared") => "issue_label",
        (HookEvent::Issues, "milestoned" | "demilestoned") => "issue_milestone",
        (HookEvent::PullRequest, "assigned" | "unassigned") => "pull_request_assign",
        (HookEvent::PullRequest, "label_updated" | "label_cleared") => "pull_request_label",
        (HookEvent::PullRequest, "milestoned" | "demilestoned") => "pull_request_milestone",
        (HookEvent::PullRequest, "synchronized") => "pull_request_sync",
        (HookEvent::PullRequest, "review_requested" | "review_request_removed") => "pull_request_review_request",
        (HookEvent::PullRequest, "reviewed") => match payload["review"]["type"].as_str() {
            Some("pull_request_review_approved") => "pull_request_review_approved",
            Some("pull_request_review_rejected") => "pull_request_review_rejected",
            _ => "pull_request_review_comment",
        },
        (HookEvent::IssueComment, _) if !payload["issue"]["pull_request"].is_null() => "pull_request_comment",
        (other, _) => other.name(),
    }
}

/// The event a delivery names (`X-Gitea-Event`, `X-Gogs-Event`): Gogs' name, except Gitea's three
/// review events.
pub fn gitea_event_name(event: HookEvent, payload: &serde_json::Value) -> &'static str {
    match (event, gitea_event_type(event, payload)) {
        (HookEvent::PullRequest, "pull_request_review_approved") => "pull_request_approved",
        (HookEvent::PullRequest, "pull_request_review_rejected") => "pull_request_rejected",
        (HookEvent::PullRequest, "pull_request_review_comment") => "pull_request_comment",
        _ => event.name(),
    }
}

/// A random UUID v4 string (the delivery id).
fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Delete a repository's (`repo_id`) or an organisation's (`org_id`) hook with its delivery
/// history; an unknown id changes nothing.
pub async fn delete_hook(state: &AppState, repo_id: i64, org_id: i64, id: i64) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    if org_id > 0 {
        hooks::delete_for_org(tx.conn(), org_id, id).await?;
    } else {
        hooks::delete_for_repo(tx.conn(), repo_id, id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Queue `event` for every active hook of the repository (and of its owning organisation) that
/// selects it, inside the caller's transaction. Returns how many tasks were created; call
/// [`wake`] after the commit. One hook's conversion failure never stops the others.
pub async fn enqueue(
    mut c: Conn<'_>,
    repo_id: i64,
    owner_id: i64,
    event: HookEvent,
    payload: &impl Serialize,
) -> ServiceResult<usize> {
    let candidates = hooks::active_for_event(c.reborrow(), repo_id, owner_id).await?;
    let candidates: Vec<HookRow> =
        candidates.into_iter().filter(|h| HookEvents::parse(&h.events).selects(event)).collect();
    if candidates.is_empty() {
        return Ok(0);
    }
    let native = serde_json::to_string_pretty(payload).map_err(anyhow::Error::from)?;
    let value = serde_json::to_value(payload).map_err(anyhow::Error::from)?;
    let mut created = 0;
    for hook in &candidates {
        created += enqueue_for_hook(c.reborrow(), repo_id, hook, event, &native, &value).await? as usize;
    }
    Ok(created)
}

/// One task for one hook; false when the payload could not be converted for its type.
async fn enqueue_for_hook(
    c: Conn<'_>,
    repo_id: i64,
    hook: &HookRow,
    event: HookEvent,
    native: &str,
    value: &serde_json::Value,
) -> ServiceResult<bool> {
    let kind = hook.hook_task_type;
    let body = match kind {
        HookKind::Gogs | HookKind::Gitea => native.to_string(),
        _ => match chat::convert(kind, event, value, &ChatMeta::parse(&hook.meta)) {
            Some(v) => serde_json::to_string_pretty(&v).map_err(anyhow::Error::from)?,
            None => {
                tracing::warn!(hook = hook.id, event = event.name(), "no chat message for this event");
                return Ok(false);
            }
        },
    };
    let uuid = uuid_v4();
    let signature = sign(&hook.secret, &body);
    let signature_sha1 = sign_sha1(&hook.secret, &body);
    let task = NewTask {
        repo_id,
        hook_id: hook.id,
        uuid: &uuid,
        kind: hook.hook_task_type,
        url: &hook.url,
        signature: &signature,
        signature_sha1: &signature_sha1,
        payload_content: &body,
        content_type: hook.content_type,
        event_type: gitea_event_name(event, value),
        event_type_detail: gitea_event_type(event, value),
        now: now_unix(),
    };
    hooks::insert_task(c, &task).await?;
    Ok(true)
}

/// Queue a test `push` for one hook only, if it selects `push` (webhooks.md §8.4).
pub async fn enqueue_test(
    state: &AppState,
    repo_id: i64,
    hook: &HookRow,
    payload: &impl Serialize,
) -> ServiceResult<()> {
    if !HookEvents::parse(&hook.events).selects(HookEvent::Push) {
        return Ok(());
    }
    let native = serde_json::to_string_pretty(payload).map_err(anyhow::Error::from)?;
    let value = serde_json::to_value(payload).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    enqueue_for_hook(tx.conn(), repo_id, hook, HookEvent::Push, &native, &value).await?;
    tx.commit().await?;
    wake(state);
    Ok(())
}

/// Redeliver a task: the same row (uuid, URL, payload, signature) is queued again.
pub async fn redeliver(state: &AppState, task_id: i64) -> ServiceResult<()> {
    let mut h = state.db.acquire().await?;
    hooks::requeue(h.conn(), task_id).await?;
    wake(state);
    Ok(())
}

/// Tell the delivery worker that tasks were committed.
pub fn wake(state: &AppState) {
    use crate::service::signals::Job;
    state.wake(Job::Hooks);
    // Changes that queue events queue notifications in the same places.
    state.wake(Job::Notifications);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_rewrites() {
        let e = HookEvents::from_names(&[]);
        assert_eq!(e.names(), vec!["push"]);
        let e = HookEvents::from_names(&["release".into(), "bogus".into(), "create".into()]);
        assert_eq!(e.names(), vec!["create", "release"]);
        assert!(!e.selects(HookEvent::Push));
        let stored = serde_json::to_string(&e).unwrap();
        assert!(stored.starts_with(
            r#"{"push_only":false,"send_everything":false,"choose_events":true,"events":{"create":true,"delete":false"#
        ));
        let all = HookEvents { send_everything: true, ..HookEvents::default() };
        assert_eq!(all.names().len(), 8);
        assert!(all.selects(HookEvent::Status), "send everything includes statuses");
        let push_only = HookEvents { push_only: true, ..HookEvents::default() };
        assert_eq!(push_only.names(), vec!["push"]);
        let status = HookEvents::from_names(&["status".into()]);
        assert_eq!(status.names(), vec!["status"]);
        assert!(serde_json::to_string(&status).unwrap().ends_with(r#""release":false,"status":true}}"#));
    }

    #[test]
    fn signature_is_hex_hmac() {
        assert_eq!(sign("", "x"), "");
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sha1_signature_is_hex_hmac() {
        assert_eq!(sign_sha1("", "x"), "");
        // RFC 2202 test case 2.
        assert_eq!(sign_sha1("Jefe", "what do ya want for nothing?"), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    #[test]
    fn gitea_event_types() {
        let p = |action: &str| serde_json::json!({ "action": action, "issue": { "pull_request": null } });
        assert_eq!(gitea_event_type(HookEvent::Issues, &p("label_updated")), "issue_label");
        assert_eq!(gitea_event_type(HookEvent::Issues, &p("assigned")), "issue_assign");
        assert_eq!(gitea_event_type(HookEvent::Issues, &p("demilestoned")), "issue_milestone");
        assert_eq!(gitea_event_type(HookEvent::Issues, &p("opened")), "issues");
        assert_eq!(gitea_event_type(HookEvent::PullRequest, &p("synchronized")), "pull_request_sync");
        assert_eq!(gitea_event_type(HookEvent::IssueComment, &p("created")), "issue_comment");
        let on_pull = serde_json::json!({ "action": "created", "issue": { "pull_request": { "merged": false } } });
        assert_eq!(gitea_event_type(HookEvent::IssueComment, &on_pull), "pull_request_comment");
        assert_eq!(gitea_event_type(HookEvent::Push, &serde_json::json!({})), "push");
    }

    #[test]
    fn uuids() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
