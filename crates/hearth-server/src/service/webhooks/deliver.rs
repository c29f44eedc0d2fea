//! The delivery worker (webhooks.md §7–8): pending `hook_task` rows are sent with Gogs', Gitea's
//! and GitHub's headers, one repository at a time in creation order (FIFO) while different
//! repositories deliver concurrently. Every attempt is recorded in its row. Retries (a hearth improvement, bounded,
//! with exponential back-off) happen only where the receiver cannot have acted on the request:
//! the connection failed (refused, DNS, TLS) or it answered 429/502/503/504.

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hearth_store::hooks::{self, Attempt, TaskRow};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::app::AppState;
use crate::jobs::quiet::Quiet;
use crate::service::lease;
use crate::service::net_guard::Allowlist;
use hearth_store::HookContentType;

const BLOCKED: &str = "Payload URL resolved to a local network address that is implicitly blocked.";
/// Response bodies kept in the history are cut here (Gogs keeps them whole).
const MAX_RECORDED_BODY: usize = 64 * 1024;
/// The worker looks at the table at least this often, even without a wake-up.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// At shutdown, attempts in flight get this long (at most the delivery timeout) to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Half a repository's delivery lease outlives the longest attempt (twice the timeout) by this much.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// `[webhook]` delivery settings.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    pub timeout: Duration,
    pub skip_tls_verify: bool,
    /// Attempts per delivery, the first included (1 = Gogs' single attempt).
    pub max_attempts: i64,
    /// Delay before the first retry; doubled for each further one.
    pub retry_backoff: Duration,
    /// Repositories delivering at the same time.
    pub concurrency: usize,
}

impl DeliverySettings {
    pub fn from_config(c: &crate::config::Config) -> DeliverySettings {
        DeliverySettings {
            timeout: c.webhook.deliver_timeout,
            skip_tls_verify: c.webhook.skip_tls_verify,
            max_attempts: c.webhook.max_attempts,
            retry_backoff: c.webhook.retry_backoff,
            concurrency: c.webhook.concurrency,
        }
    }
}

/// The resolver: every address a host name resolves to must pass the allowlist, so the check
/// applies to the addresses actually connected to (no second lookup to race against).
struct GuardedResolver {
    allowlist: Allowlist,
}

#[derive(Debug, thiserror::Error)]
#[error("{BLOCKED}")]
struct Blocked;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowlist = self.allowlist.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.iter().any(|a| !allowlist.permits(&host, a.ip())) {
                return Err(Box::new(Blocked) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client and the rules of delivery.
pub struct Deliverer {
    client: reqwest::Client,
    settings: DeliverySettings,
    allowlist: Allowlist,
}

/// What one attempt came to.
enum Outcome {
    /// Not sent: unparsable or blocked URL. The task stays pending, parked.
    Refused(String),
    Response {
        status: u16,
        headers: BTreeMap<String, String>,
        body: String,
    },
    Failed {
        error: String,
        retryable: bool,
    },
}

impl Deliverer {
    pub fn new(settings: DeliverySettings, allowlist_text: &str) -> anyhow::Result<Deliverer> {
        crate::install_crypto_provider();
        let allowlist = Allowlist::parse(allowlist_text);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .no_proxy()
            .tls_danger_accept_invalid_certs(settings.skip_tls_verify)
            .user_agent("GogsServer")
            .dns_resolver(Arc::new(GuardedResolver { allowlist: allowlist.clone() }))
            .build()?;
        Ok(Deliverer { client, settings, allowlist })
    }

    async fn send(&self, task: &TaskRow, headers: &[(&'static str, String)]) -> Outcome {
        let url = match reqwest::Url::parse(&task.url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            Ok(u) => return Outcome::Refused(format!("Cannot parse payload URL: unsupported scheme {}", u.scheme())),
            Err(e) => return Outcome::Refused(format!("Cannot parse payload URL: {e}")),
        };
        // Literal addresses never reach the resolver.
        if let Some(host) = url.host_str() {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(ip) = bare.parse::<IpAddr>()
                && !self.allowlist.permits(bare, ip)
            {
                return Outcome::Refused(BLOCKED.to_string());
            }
        }
        let body = if task.content_type == HookContentType::Form {
            serde_urlencoded::to_string([("payload", task.payload_content.as_str())]).unwrap_or_default()
        } else {
            task.payload_content.clone()
        };
        let mut req = self.client.post(url).body(body);
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return classify(&e),
        };
        let status = resp.status().as_u16();
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in resp.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers
                .entry(canonical(name.as_str()))
                .and_modify(|v| {
                    v.push(',');
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        // Read no more than is kept: a receiver cannot make the server buffer a huge body.
        let mut resp = resp;
        let mut body = Vec::new();
        while body.len() < MAX_RECORDED_BODY {
            match resp.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk[..chunk.len().min(MAX_RECORDED_BODY - body.len())]),
                Ok(None) => break,
                Err(e) => {
                    body = format!("Delivery: reading response: {e}").into_bytes();
                    break;
                }
            }
        }
        Outcome::Response { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
    }

    /// Attempt one task and record the outcome in its row (and the hook's `last_status`).
    async fn attempt(&self, state: &AppState, task: &TaskRow) -> anyhow::Result<()> {
        let headers = request_headers(task);
        let started = Instant::now();
        let outcome = self.send(task, &headers).await;
        let duration_ms = started.elapsed().as_millis() as i64;
        let request: BTreeMap<&str, &str> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let request_content = json!({ "headers": request }).to_string();
        let attempts = task.attempts + 1;
        let may_retry = attempts < self.settings.max_attempts;
        let retry_at = now_ms() + backoff_ms(self.settings.retry_backoff, attempts);
        // (is_delivered, is_succeed, attempts, next_attempt_ms, response, hook last_status)
        let (delivered, succeeded, attempts, next_attempt_ms, response, last_status) = match &outcome {
            // Not sent: the row stays pending and parked, its previous history kept.
            Outcome::Refused(message) => (false, false, task.attempts, -1, json!({ "body": message }), None),
            Outcome::Response { status, headers, body } => {
                let ok = (200..300).contains(status);
                let retry = !ok && matches!(status, 429 | 502 | 503 | 504) && may_retry;
                let response = json!({ "status": status, "headers": headers, "body": body });
                (!retry, ok, attempts, if retry { retry_at } else { 0 }, response, Some(if ok { 1 } else { 2 }))
            }
            Outcome::Failed { error, retryable } => {
                let retry = *retryable && may_retry;
                let response = json!({ "status": 0, "headers": {}, "body": format!("Delivery: {error}") });
                (!retry, false, attempts, if retry { retry_at } else { 0 }, response, Some(2))
            }
        };
        // A delivery given up: its failure was one worth retrying, and no attempt is left.
        let gave_up = match &outcome {
            Outcome::Response { status, .. } if matches!(status, 429 | 502 | 503 | 504) && !may_retry => {
                Some(format!("the receiver answered {status}"))
            }
            Outcome::Failed { error, retryable: true } if !may_retry => {
                Some(crate::service::migrate::redact_userinfo(error))
            }
            _ => None,
        };
        let refused = last_status.is_none();
        if let Some(m) = &state.metrics {
            m.webhook_delivery(match (&outcome, succeeded, delivered) {
                (Outcome::Refused(_), _, _) => "refused",
                (_, true, _) => "success",
                (_, false, false) => "retry",
                (_, false, true) => "failure",
            });
        }
        let response = response.to_string();
        let a = Attempt {
            is_delivered: delivered,
            is_succeed: succeeded,
            delivered_ns: if refused { task.delivered } else { now_ns() },
            request_content: if refused { &task.request_content } else { &request_content },
            response_content: &response,
            attempts,
            next_attempt_ms,
            duration_ms: if refused { 0 } else { duration_ms },
        };
        let mut tx = state.db.begin().await?;
        hooks::record_attempt(tx.conn(), task.id, &a).await?;
        if let Some(s) = last_status {
            hooks::set_last_status(tx.conn(), task.hook_id, s).await?;
        }
        if let Some(reason) = gave_up {
            let text = format!(
                "Webhook {} of repository {} gave up delivering {} {} after {attempts} attempts: {reason}",
                task.hook_id, task.repo_id, task.event_type, task.uuid
            );
            crate::service::notices::record_on(tx.conn(), crate::service::notices::NoticeKind::Task, &text).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The headers of a delivery, as Gitea sends them (services/webhook/deliver.go): Gogs' `X-Gogs-*`
/// and Gitea's `X-Gitea-*` (the event, Gitea's finer event type, the delivery id and the hex
/// HMAC-SHA256 signature), GitHub's `X-GitHub-*` and `X-Hub-Signature` (`sha1=<hex>`) and
/// `X-Hub-Signature-256` (`sha256=<hex>`); the signatures are empty (`sha1=`, `sha256=`) without a
/// secret. The same set for every hook type; recorded in the delivery history as sent.
fn request_headers(task: &TaskRow) -> Vec<(&'static str, String)> {
    let event = task.event_type.clone();
    let event_type = if task.event_type_detail.is_empty() { event.clone() } else { task.event_type_detail.clone() };
    let content_type = if task.content_type == HookContentType::Form {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    };
    vec![
        ("X-Gogs-Delivery", task.uuid.clone()),
        ("X-Gogs-Event", event.clone()),
        ("X-Gogs-Event-Type", event_type.clone()),
        ("X-Gogs-Signature", task.signature.clone()),
        ("X-Gitea-Delivery", task.uuid.clone()),
        ("X-Gitea-Event", event.clone()),
        ("X-Gitea-Event-Type", event_type.clone()),
        ("X-Gitea-Signature", task.signature.clone()),
        ("X-GitHub-Delivery", task.uuid.clone()),
        ("X-GitHub-Event", event),
        ("X-GitHub-Event-Type", event_type),
        ("X-Hub-Signature", format!("sha1={}", task.signature_sha1)),
        ("X-Hub-Signature-256", format!("sha256={}", task.signature)),
        ("Content-Type", content_type.to_string()),
    ]
}

/// Connection failures (refused, DNS, TLS handshake) never reached the receiver: retry. A timeout
/// or a failure after sending may have been acted on: never.
fn classify(e: &reqwest::Error) -> Outcome {
    let mut chain = String::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<Blocked>().is_some() {
            return Outcome::Refused(BLOCKED.to_string());
        }
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&s.to_string());
        source = s.source();
    }
    if chain.contains(BLOCKED) {
        return Outcome::Refused(BLOCKED.to_string());
    }
    Outcome::Failed { error: chain, retryable: e.is_connect() }
}

/// `content-type` → `Content-Type`, as Go prints header names.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn backoff_ms(base: Duration, attempts_made: i64) -> i64 {
    let factor = 1i64 << (attempts_made - 1).clamp(0, 16);
    (base.as_millis() as i64).saturating_mul(factor)
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn now_ns() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

/// Run until shutdown is asked for (a job, see `crate::jobs`). At start every pending task is due again (and parked ones get
/// another chance); then each wake-up, due time or idle poll starts a drain for every repository
/// with a due task that is not already draining.
pub async fn run(state: AppState, deliverer: Arc<Deliverer>, mut stop: crate::jobs::Stop) {
    if let Err(e) = reset_pending(&state).await {
        tracing::warn!(error = %e, "webhook queue: resetting pending tasks");
    }
    let busy: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let stopping = Arc::new(AtomicBool::new(false));
    let slots = Arc::new(Semaphore::new(deliverer.settings.concurrency.max(1)));
    let mut drains = JoinSet::new();
    let mut quiet = Quiet::default();
    let mut woken = true;
    // When the earliest retry falls due, as the last look saw it.
    let mut next_due: Option<i64> = None;
    loop {
        let mut wait = IDLE_POLL;
        let mark = Quiet::mark(&state);
        let retry_due = next_due.is_some_and(|at| at <= now_ms());
        let looked = if woken || retry_due || quiet.worth_looking(&state) {
            quiet.found_work();
            Some(due(&state).await)
        } else {
            None
        };
        match looked {
            None => {}
            Some(Ok((repos, next))) => {
                next_due = next;
                if repos.is_empty() && next.is_none() {
                    quiet.found_nothing(&state, mark);
                }
                for repo_id in repos {
                    if busy.lock().expect("busy set").insert(repo_id) {
                        let (state, deliverer, busy, slots, stopping) =
                            (state.clone(), deliverer.clone(), busy.clone(), slots.clone(), stopping.clone());
                        drains.spawn(async move {
                            let drained = drain(&state, &deliverer, repo_id, &slots, &stopping).await;
                            busy.lock().expect("busy set").remove(&repo_id);
                            // The table may have gained tasks for this repository meanwhile. When
                            // another replica holds its lease, that replica drains it: look again
                            // at the next poll, not at once (no loop of lease attempts).
                            if drained {
                                state.hook_queue.notify_one();
                            }
                        });
                    }
                }
            }
            Some(Err(e)) => tracing::warn!(error = %e, "webhook queue"),
        }
        // A retry falling due before the next poll is looked for then (one already due waits
        // for the poll: its repository is being drained, here or by another process).
        let until_due = next_due.map_or(0, |at| at - now_ms());
        if until_due > 0 {
            wait = wait.min(Duration::from_millis(until_due as u64));
        }
        while drains.try_join_next().is_some() {}
        woken = tokio::select! {
            _ = state.hook_queue.notified() => true,
            _ = tokio::time::sleep(wait) => false,
            _ = stop.requested() => break,
        };
    }
    // No new attempts; those in flight may finish and be recorded. Any cut short after the grace
    // period stay pending and are made again after the next start (at-least-once).
    stopping.store(true, Ordering::SeqCst);
    let grace = SHUTDOWN_GRACE.min(deliverer.settings.timeout);
    let _ = tokio::time::timeout(grace, async { while drains.join_next().await.is_some() {} }).await;
    drains.shutdown().await;
}

async fn reset_pending(state: &AppState) -> anyhow::Result<()> {
    let mut h = state.db.acquire().await?;
    hooks::unpark_all(h.conn()).await?;
    Ok(())
}

async fn due(state: &AppState) -> anyhow::Result<(Vec<i64>, Option<i64>)> {
    let mut h = state.db.acquire().await?;
    let repos = hooks::repos_with_due_tasks(h.conn(), now_ms()).await?;
    let next = hooks::next_due_ms(h.conn()).await?;
    Ok((repos, next))
}

/// Deliver one repository's due tasks in order; stop at the first one not yet due. Replicas
/// sharing the database drain a repository only while holding its lease (renewed before each
/// attempt, for as long as an attempt may take), so that no task is sent twice at once. Whether
/// this process held the lease.
async fn drain(
    state: &AppState,
    deliverer: &Deliverer,
    repo_id: i64,
    slots: &Semaphore,
    stopping: &AtomicBool,
) -> bool {
    let Ok(_slot) = slots.acquire().await else { return false };
    let lease = format!("hook:{repo_id}");
    // Renewed only once less than half is left (`lease::hold`): that half outlasts an attempt.
    let ttl = (deliverer.settings.timeout * 2 + LEASE_MARGIN) * 2;
    if stopping.load(Ordering::SeqCst) || !lease::hold(state, &lease, ttl).await {
        return false;
    }
    drain_leased(state, deliverer, repo_id, stopping, &lease, ttl).await;
    lease::release(state, &lease).await;
    true
}

async fn drain_leased(
    state: &AppState,
    deliverer: &Deliverer,
    repo_id: i64,
    stopping: &AtomicBool,
    lease: &str,
    ttl: Duration,
) {
    loop {
        if stopping.load(Ordering::SeqCst) || !lease::hold(state, lease, ttl).await {
            return;
        }
        let head = match state.db.acquire().await {
            Ok(mut h) => hooks::head_task(h.conn(), repo_id).await,
            Err(e) => Err(e),
        };
        let task = match head {
            Ok(Some(t)) if t.next_attempt_ms <= now_ms() => t,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, repo_id, "webhook queue");
                return;
            }
        };
        if let Err(e) = deliverer.attempt(state, &task).await {
            tracing::warn!(error = %e, task = task.id, "recording a webhook delivery");
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_canonical() {
        assert_eq!(canonical("content-type"), "Content-Type");
        assert_eq!(canonical("x-request-id"), "X-Request-Id");
    }

    #[test]
    fn backoff_doubles() {
        let base = Duration::from_millis(100);
        assert_eq!(backoff_ms(base, 1), 100);
        assert_eq!(backoff_ms(base, 2), 200);
        assert_eq!(backoff_ms(base, 3), 400);
    }
}
