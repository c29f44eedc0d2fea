//! The mailer: sends queued e-mail over SMTP (lettre, rustls) when `[email] ENABLED`, oldest
//! first; a failed send is tried again later (1, 2, 4, … minutes, 8 attempts), then dropped with
//! an admin notice. Woken when mail is queued, and every few seconds for retries and for mail
//! another process queued (see `super::quiet`).

use std::time::Duration;

use hearth_store::mail::{self as store, MailRow};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncTransport, Tokio1Executor};

use super::Stop;
use super::quiet::Quiet;
use crate::app::AppState;
use crate::config::EmailConfig;
use crate::service::now_unix;

const POLL: Duration = Duration::from_secs(5);
const BATCH: i64 = 32;
const MAX_ATTEMPTS: i64 = 8;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

fn transport(cfg: &EmailConfig) -> anyhow::Result<Transport> {
    let tls =
        TlsParameters::builder(cfg.host.clone()).dangerous_accept_invalid_certs(cfg.skip_verify).build_rustls()?;
    let mut builder = Transport::builder_dangerous(&cfg.host)
        .port(cfg.port)
        .tls(if cfg.port == 465 { Tls::Wrapper(tls) } else { Tls::Opportunistic(tls) })
        .timeout(Some(Duration::from_secs(30)));
    if !cfg.user.is_empty() {
        builder = builder.credentials(Credentials::new(cfg.user.clone(), cfg.password.clone()));
    }
    Ok(builder.build())
}

fn message(cfg: &EmailConfig, m: &MailRow) -> anyhow::Result<Message> {
    let mut b = Message::builder()
        .from(cfg.from.parse::<Mailbox>()?)
        .to(m.to_addr.parse::<Mailbox>()?)
        .subject(m.subject.clone())
        .message_id(Some(m.message_id.clone()))
        .header(ContentType::TEXT_PLAIN);
    if !m.in_reply_to.is_empty() {
        b = b.in_reply_to(m.in_reply_to.clone()).references(m.in_reply_to.clone());
    }
    Ok(b.body(m.body.clone())?)
}

pub async fn run(state: AppState, mut stop: Stop) {
    let cfg = state.config.email.clone();
    let mailer = match transport(&cfg) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "e-mail is enabled but its transport could not be set up");
            return;
        }
    };
    let mut quiet = Quiet::default();
    let mut woken = true;
    // When the earliest queued mail falls due, as the last look saw it.
    let mut next_try: Option<i64> = None;
    loop {
        let mark = Quiet::mark(&state);
        let retry_due = next_try.is_some_and(|at| at <= now_unix());
        // Another replica may be the one sending (see `service::lease`).
        if (woken || retry_due || quiet.worth_looking(&state)) && super::leading(&state, "job:mailer").await {
            quiet.found_work();
            let due = match state.db.acquire().await {
                Ok(mut h) => store::due(h.conn(), now_unix(), BATCH).await,
                Err(e) => Err(e),
            };
            match due {
                Ok(rows) => {
                    for m in &rows {
                        send_one(&state, &cfg, &mailer, m).await;
                    }
                    let next = match state.db.acquire().await {
                        Ok(mut h) => store::next_try(h.conn()).await,
                        Err(e) => Err(e),
                    };
                    match next {
                        Ok(next) => {
                            next_try = next;
                            if rows.is_empty() && next.is_none() {
                                quiet.found_nothing(&state, mark);
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "reading the mail queue"),
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading the mail queue"),
            }
        }
        woken = tokio::select! {
            _ = state.mail_queue.notified() => true,
            _ = tokio::time::sleep(POLL) => false,
            _ = stop.requested() => break,
        };
    }
}

async fn send_one(state: &AppState, cfg: &EmailConfig, mailer: &Transport, m: &MailRow) {
    let sent = match message(cfg, m) {
        Ok(msg) => mailer.send(msg).await.map(|_| ()).map_err(|e| e.to_string()),
        Err(e) => Err(format!("unusable message: {e}")),
    };
    let Ok(mut h) = state.db.acquire().await else { return };
    let done = match sent {
        Ok(()) => store::delete(h.conn(), m.id).await,
        Err(e) if m.attempts + 1 >= MAX_ATTEMPTS => {
            tracing::warn!(error = %e, to = %m.to_addr, "e-mail given up");
            let text = format!("E-mail to {} given up after {} attempts: {e}", m.to_addr, m.attempts + 1);
            let _ = hearth_store::notices::insert(h.conn(), 2, &text, now_unix()).await;
            store::delete(h.conn(), m.id).await
        }
        Err(e) => {
            tracing::info!(error = %e, to = %m.to_addr, "e-mail will be tried again");
            store::retry_at(h.conn(), m.id, now_unix() + 60 * (1 << m.attempts.min(10))).await
        }
    };
    if let Err(e) = done {
        tracing::warn!(error = %e, "updating the mail queue");
    }
}
