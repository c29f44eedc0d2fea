//! What server processes sharing one PostgreSQL database (replicas) tell each other, over
//! `LISTEN/NOTIFY` on one channel: "I committed writes" (rows you cached may be stale), "I queued
//! work for a job" (wake yours: the one holding the job's lease does it at once, not at its next
//! poll), and "a password login failed here" (count it too). Each message is `<replica id> <bits>`
//! or `<replica id> login-failed <address or -> <name>`; a process ignores its own.
//!
//! Nothing depends on a message arriving: cached rows still expire after 10 s and jobs still poll.
//! The messages only shorten those bounds to the time a notification takes. On SQLite (one
//! machine) nothing is sent, and the bounds stay.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use crate::app::AppState;
use crate::jobs::Stop;

const CHANNEL: &str = "hearth_signals";
/// After a message is sent, the next waits this long, so that a burst of commits costs a few
/// notifications, not one each.
const COALESCE: Duration = Duration::from_millis(5);
/// A failed connection to listen on is tried again after this long.
const RETRY: Duration = Duration::from_secs(2);

const ROWS: u8 = 1;
const ALL: u8 = ROWS | Job::Hooks as u8 | Job::PullChecks as u8 | Job::Notifications as u8 | Job::Mail as u8;

/// Background jobs a commit can give work to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Job {
    /// Webhook deliveries.
    Hooks = 2,
    /// Pull-request mergeability checks.
    PullChecks = 4,
    /// The notification fan-out.
    Notifications = 8,
    /// The mailer.
    Mail = 16,
}

/// Messages waiting to be sent (a set of bits, so that repeats merge).
#[derive(Debug, Default)]
pub struct Outbox {
    pending: AtomicU8,
    ready: tokio::sync::Notify,
}

impl Outbox {
    fn queue(&self, bits: u8) {
        self.pending.fetch_or(bits, Ordering::AcqRel);
        self.ready.notify_one();
    }

    async fn next(&self) -> u8 {
        loop {
            let bits = self.pending.swap(0, Ordering::AcqRel);
            if bits != 0 {
                return bits;
            }
            self.ready.notified().await;
        }
    }
}

impl AppState {
    /// Work for `job` is committed: wake it here and, through the other replicas, wherever its
    /// lease is held.
    pub fn wake(&self, job: Job) {
        self.local(job).notify_one();
        self.outbox.queue(job as u8);
    }

    fn local(&self, job: Job) -> &tokio::sync::Notify {
        match job {
            Job::Hooks => &self.hook_queue,
            Job::PullChecks => &self.pull_checks,
            Job::Notifications => &self.notifications,
            Job::Mail => &self.mail_queue,
        }
    }

    /// What another replica said: stale rows, or work for jobs.
    fn heard(&self, bits: u8) {
        if bits & ROWS != 0 {
            self.db.rows_changed_elsewhere();
        }
        for job in [Job::Hooks, Job::PullChecks, Job::Notifications, Job::Mail] {
            if bits & job as u8 != 0 {
                self.local(job).notify_one();
            }
        }
    }
}

/// Send and receive signals until shutdown (a job, see `crate::jobs`); on PostgreSQL only.
pub async fn run(state: AppState, mut stop: Stop) {
    if state.db.engine() != hearth_store::Engine::Postgres {
        return;
    }
    state.login_throttle.share();
    tokio::select! {
        _ = forward_commits(&state) => {}
        _ = tell_login_failures(&state) => {}
        _ = send(&state) => {}
        _ = listen(&state) => {}
        _ = stop.requested() => {}
    }
}

async fn forward_commits(state: &AppState) {
    loop {
        state.db.rows_committed().await;
        state.outbox.queue(ROWS);
    }
}

async fn tell_login_failures(state: &AppState) {
    loop {
        for (login, ip) in state.login_throttle.next_failures().await {
            let ip = ip.map_or_else(|| "-".to_string(), |ip| ip.to_string());
            let payload = format!("{} {LOGIN_FAILED} {ip} {login}", state.replica.id());
            if let Err(e) = state.db.notify(CHANNEL, &payload).await {
                tracing::warn!(error = %e, "telling other replicas of a failed login");
            }
        }
    }
}

async fn send(state: &AppState) {
    loop {
        let bits = state.outbox.next().await;
        let payload = format!("{} {bits}", state.replica.id());
        if let Err(e) = state.db.notify(CHANNEL, &payload).await {
            // Others fall back on their caches' expiry and their jobs' polls.
            tracing::warn!(error = %e, "telling other replicas of a change");
        }
        tokio::time::sleep(COALESCE).await;
    }
}

async fn listen(state: &AppState) {
    loop {
        let mut listener = match state.db.listen(CHANNEL).await {
            Some(Ok(l)) => l,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "listening to other replicas");
                tokio::time::sleep(RETRY).await;
                continue;
            }
            None => return,
        };
        // Whatever was said while not listening is lost: assume all of it.
        state.heard(ALL);
        loop {
            match listener.next().await {
                Ok(Some(payload)) => match parse(&payload, state.replica.id()) {
                    Some(Heard::Bits(bits)) => state.heard(bits),
                    Some(Heard::LoginFailed(ip, login)) => state.login_throttle.failed_elsewhere(login, ip),
                    None => {}
                },
                // The connection was lost (the next call reconnects): assume anything was said.
                Ok(None) => state.heard(ALL),
                Err(e) => {
                    tracing::warn!(error = %e, "listening to other replicas");
                    tokio::time::sleep(RETRY).await;
                    break;
                }
            }
        }
    }
}

const LOGIN_FAILED: &str = "login-failed";

/// Another process's message.
#[derive(Debug, PartialEq)]
enum Heard<'a> {
    Bits(u8),
    LoginFailed(Option<std::net::IpAddr>, &'a str),
}

/// What another replica said (nothing for this process's own message, or a malformed one).
fn parse<'a>(payload: &'a str, own_id: &str) -> Option<Heard<'a>> {
    let (from, said) = payload.split_once(' ')?;
    if from == own_id {
        return None;
    }
    if let Some(rest) = said.strip_prefix(LOGIN_FAILED).and_then(|r| r.strip_prefix(' ')) {
        let (ip, login) = rest.split_once(' ')?;
        let ip = if ip == "-" { None } else { Some(ip.parse().ok()?) };
        return Some(Heard::LoginFailed(ip, login));
    }
    said.parse().ok().map(Heard::Bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_messages_are_ignored() {
        assert_eq!(parse("r1-abc 3", "r1-abc"), None);
        assert_eq!(parse("r2-def 3", "r1-abc"), Some(Heard::Bits(3)));
        assert_eq!(parse("garbage", "r1-abc"), None);
        assert_eq!(parse("r2-def x", "r1-abc"), None);
        let ip = Some("10.0.0.1".parse().unwrap());
        assert_eq!(parse("r2-def login-failed 10.0.0.1 a b", "r1-abc"), Some(Heard::LoginFailed(ip, "a b")));
        assert_eq!(parse("r2-def login-failed - alice", "r1-abc"), Some(Heard::LoginFailed(None, "alice")));
        assert_eq!(parse("r2-def login-failed nonsense alice", "r1-abc"), None);
        assert_eq!(parse("r1-abc login-failed - alice", "r1-abc"), None);
    }

    #[tokio::test]
    async fn the_outbox_merges_what_is_queued() {
        let outbox = Outbox::default();
        outbox.queue(ROWS);
        outbox.queue(Job::Mail as u8);
        outbox.queue(ROWS);
        assert_eq!(outbox.next().await, ROWS | Job::Mail as u8);
        outbox.queue(Job::Hooks as u8);
        assert_eq!(outbox.next().await, Job::Hooks as u8);
    }
}
