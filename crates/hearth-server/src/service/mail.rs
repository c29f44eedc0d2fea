//! Notification e-mail: what a thread's change says to each recipient who wants it, threaded
//! for mail clients (`Message-ID` per change, `In-Reply-To`/`References` to the issue's first
//! message), queued in `mail_task` with the fan-out and sent by the mailer job.

use hearth_store::Conn;
use hearth_store::issues::IssueRow;
use hearth_store::mail::{self as store, NewMail};
use hearth_store::notifications::TaskRow;
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;

use super::ServiceResult;
use crate::app::AppState;

/// The host name message ids end in: the external URL's.
pub fn id_domain(state: &AppState) -> String {
    let url = state.links.external_url.as_str();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    if host.is_empty() { "hearth".to_string() } else { host.to_string() }
}

/// One message: a change to a thread, or an account's welcome.
#[derive(Debug, Clone)]
pub struct ThreadMail {
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub in_reply_to: String,
}

/// The mail for `task` on `issue` of `owner/repo` by `actor`.
pub fn compose(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    issue: &IssueRow,
    actor: &UserRow,
    task: &TaskRow,
) -> ThreadMail {
    let full = format!("{}/{}", owner.name, repo.name);
    let kind = if issue.is_pull { "pulls" } else { "issues" };
    let root = format!("<{full}/{kind}/{}@{}>", issue.idx, id_domain(state));
    let opening = task.event == "opened";
    let message_id = if opening {
        root.clone()
    } else {
        format!("<{full}/{kind}/{}/{}-{}@{}>", issue.idx, task.event.replace(' ', "-"), task.id, id_domain(state))
    };
    let subject = format!(
        "{}{}[{full}] {} (#{})",
        state.config.email.subject_prefix,
        if opening { "" } else { "Re: " },
        issue.title,
        issue.idx
    );
    let mut link = format!("{}{full}/{kind}/{}", state.links.external_url, issue.idx);
    if task.comment_id > 0 {
        link.push_str(&format!("#issuecomment-{}", task.comment_id));
    }
    let who =
        if actor.full_name.is_empty() { actor.name.clone() } else { format!("{} ({})", actor.full_name, actor.name) };
    let mut body = format!("{who} {} {full}#{}.\n", task.event, issue.idx);
    if !task.body.trim().is_empty() {
        body.push('\n');
        body.push_str(task.body.trim_end());
        body.push('\n');
    }
    body.push_str(&format!("\n-- \nView it on hearth: {link}\n"));
    ThreadMail { subject, body, message_id, in_reply_to: if opening { String::new() } else { root } }
}

/// The "account created" message (the admin API's `send_notify`): the name to sign in with and
/// where.
pub fn welcome(state: &AppState, name: &str) -> ThreadMail {
    let login = format!("{}user/login", state.links.external_url);
    ThreadMail {
        subject: format!("{}Your account on hearth", state.config.email.subject_prefix),
        body: format!(
            "Hello {name},\n\nan administrator created an account for you on hearth.\n\
             Sign in as \"{name}\" at {login}\n"
        ),
        message_id: format!("<account/{name}/{}@{}>", super::now_unix(), id_domain(state)),
        in_reply_to: String::new(),
    }
}

/// The names of the notification e-mail preferences, as forms send them.
pub const PREFERENCES: [(&str, i16); 3] =
    [("enabled", store::ALL), ("onmention", store::MENTIONS), ("disabled", store::NONE)];

/// `user`'s notification e-mail preference, by name (`enabled`, `onmention`, `disabled`: Gitea's).
pub async fn preference(state: &AppState, user: &UserRow) -> ServiceResult<&'static str> {
    let mut h = state.db.acquire().await?;
    let mode = store::preference(h.conn(), user.id).await?;
    Ok(PREFERENCES.iter().find(|(_, m)| *m == mode).map_or("enabled", |(n, _)| n))
}

/// Set `user`'s notification e-mail preference by name; 422 for an unknown one.
pub async fn set_preference(state: &AppState, user: &UserRow, name: &str) -> ServiceResult<()> {
    let mode = PREFERENCES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, m)| *m)
        .ok_or_else(|| super::ServiceError::Invalid(format!("unknown e-mail preference {name:?}")))?;
    let mut h = state.db.acquire().await?;
    store::set_preference(h.conn(), user.id, mode).await?;
    Ok(())
}

/// Queue `mail` to each address (inside the fan-out's transaction).
pub async fn queue(mut c: Conn<'_>, to: &[String], mail: &ThreadMail, now: i64) -> ServiceResult<()> {
    for addr in to {
        let m = NewMail {
            to: addr,
            subject: &mail.subject,
            body: &mail.body,
            message_id: &mail.message_id,
            in_reply_to: &mail.in_reply_to,
            now,
        };
        store::insert(c.reborrow(), &m).await?;
    }
    Ok(())
}
