//! Notifications (Gitea's API): a change to an issue or a pull queues a task in its own
//! transaction ([`enqueue`]); the fan-out job ([`fan_out`]) turns it into one thread per recipient:
//! the repository's watchers, the thread's participants (poster, assignee, commenters, reviewers)
//! and the users it mentions, never the actor, only users who can read the repository.

use std::collections::{BTreeSet, HashSet};

use hearth_store::Conn;
use hearth_store::issues::{self as issue_store, IssueRow};
use hearth_store::notifications::{self as store, Activity, Filter, NewTask, NotificationRow, TaskRow};
use hearth_store::repos::{self, RepoRow};
use hearth_store::users::{self, UserRow};

use super::access::{AccessMode, ReadableRepos, access_mode};
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;
use crate::types::{NotificationSubject, NotificationThread, Repository, rfc3339};

/// Mentions looked up per change at most (a body naming hundreds of people notifies the first).
const MAX_MENTIONS: usize = 50;

/// Queue the fan-out of activity on `issue` by `actor_id`: `event` says what happened (`opened`,
/// `commented`, `closed`, …), `comment_id` is 0 for the issue itself, `text` (searched for
/// @mentions) is what e-mail quotes. Call inside the change's transaction; the job is woken with
/// the webhook worker after the commit.
pub async fn enqueue(
    c: Conn<'_>,
    issue: &IssueRow,
    comment_id: i64,
    actor_id: i64,
    event: &str,
    text: &str,
) -> ServiceResult<()> {
    let mentions = mentioned_names(text).join(" ");
    let task = NewTask {
        repo_id: issue.repo_id,
        issue_id: issue.id,
        comment_id,
        actor_id,
        event,
        mentions: &mentions,
        body: text,
        now: now_unix(),
    };
    store::insert_task(c, &task).await?;
    Ok(())
}

/// The distinct `@name`s of a text (a name is letters, digits, `-`, `_` and `.`, not ending in
/// `.`; an `@` inside a word, as in an e-mail address, is no mention).
pub fn mentioned_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('@') {
        if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'_' | b'-' | b'.' | b'`')) {
            continue;
        }
        let name: String =
            text[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
        let name = name.trim_end_matches('.').to_lowercase();
        if !name.is_empty() && !out.contains(&name) && out.len() < MAX_MENTIONS {
            out.push(name);
        }
    }
    out
}

/// Turn one queued task into threads. A task whose issue or repository is gone is dropped.
pub async fn fan_out(state: &AppState, task: &TaskRow) -> ServiceResult<usize> {
    let mut tx = state.db.begin().await?;
    let (Some(issue), Some(repo)) =
        (issue_store::by_id(tx.conn(), task.issue_id).await?, repos::by_id(tx.conn(), task.repo_id).await?)
    else {
        store::delete_task(tx.conn(), task.id).await?;
        tx.commit().await?;
        return Ok(0);
    };
    let mut candidates: BTreeSet<i64> = store::watcher_ids(tx.conn(), repo.id).await?.into_iter().collect();
    candidates.insert(issue.poster_id);
    candidates.insert(issue.assignee_id);
    candidates.extend(store::participant_ids(tx.conn(), issue.id).await?);
    for name in task.mentions.split_whitespace() {
        if let Some(u) = users::by_name(tx.conn(), name).await? {
            candidates.insert(u.id);
        }
    }
    candidates.remove(&0);
    candidates.remove(&task.actor_id);
    let people = readers(tx.conn(), &repo, candidates.into_iter().collect()).await?;
    let recipients: Vec<i64> = people.iter().map(|u| u.id).collect();
    let activity = Activity {
        repo_id: repo.id,
        issue_id: issue.id,
        source: if issue.is_pull { store::SOURCE_PULL } else { store::SOURCE_ISSUE },
        comment_id: task.comment_id,
        updated_by: task.actor_id,
        now: task.created_unix,
    };
    store::upsert(tx.conn(), &recipients, &activity).await?;
    let mailed = state.config.email.enabled && mail_to(state, tx.conn(), &repo, &issue, task, &people).await?;
    store::delete_task(tx.conn(), task.id).await?;
    tx.commit().await?;
    if mailed {
        state.wake(crate::service::signals::Job::Mail);
    }
    Ok(recipients.len())
}

/// Queue the change's e-mail to the recipients who want it (all notifications, or those that
/// mention them) and have an address; whether any was queued.
async fn mail_to(
    state: &AppState,
    mut c: Conn<'_>,
    repo: &RepoRow,
    issue: &IssueRow,
    task: &TaskRow,
    people: &[UserRow],
) -> ServiceResult<bool> {
    let ids: Vec<i64> = people.iter().map(|u| u.id).collect();
    let prefs: std::collections::HashMap<i64, i16> =
        hearth_store::mail::preferences(c.reborrow(), &ids).await?.into_iter().collect();
    let mentioned: Vec<&str> = task.mentions.split_whitespace().collect();
    let to: Vec<String> = people
        .iter()
        .filter(|u| !u.email.is_empty())
        .filter(|u| match prefs.get(&u.id).copied().unwrap_or(hearth_store::mail::ALL) {
            hearth_store::mail::ALL => true,
            hearth_store::mail::MENTIONS => mentioned.contains(&u.lower_name.as_str()),
            _ => false,
        })
        .map(|u| u.email.clone())
        .collect();
    if to.is_empty() {
        return Ok(false);
    }
    let (Some(owner), Some(actor)) =
        (users::by_id(c.reborrow(), repo.owner_id).await?, users::by_id(c.reborrow(), task.actor_id).await?)
    else {
        return Ok(false);
    };
    let mail = super::mail::compose(state, &owner, repo, issue, &actor, task);
    super::mail::queue(c, &to, &mail, now_unix()).await?;
    Ok(true)
}

/// The users among `ids` who can read `repo` (and are active individuals). Anyone signed in reads
/// a public repository, so only a private one is checked user by user.
async fn readers(mut c: Conn<'_>, repo: &RepoRow, ids: Vec<i64>) -> ServiceResult<Vec<UserRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        for u in users::by_ids(c.reborrow(), chunk).await? {
            if u.kind != hearth_store::UserKind::Individual || !u.is_active || u.prohibit_login {
                continue;
            }
            if repo.is_private && access_mode(c.reborrow(), Some(&u), repo).await? < AccessMode::Read {
                continue;
            }
            out.push(u);
        }
    }
    Ok(out)
}

/// Opening an issue's page reads its thread: marked read when it was unread (looked up first, so
/// a page view with nothing unread writes nothing).
pub async fn read_issue(state: &AppState, user: &UserRow, issue_id: i64) -> ServiceResult<()> {
    let id = {
        let mut h = state.db.acquire().await?;
        store::unread_of_issue(h.conn(), user.id, issue_id).await?
    };
    if let Some(id) = id {
        let mut h = state.db.acquire().await?;
        store::set_status(h.conn(), &[id], store::READ).await?;
    }
    Ok(())
}

/// The lower-cased names `@mentioned` in `texts` that belong to users who can read `repo`: the
/// only mentions a page links (and the only ones notified).
pub async fn mentionable(state: &AppState, repo: &RepoRow, texts: &[&str]) -> ServiceResult<HashSet<String>> {
    let mut names: Vec<String> = Vec::new();
    for t in texts {
        for n in mentioned_names(t) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    if names.is_empty() {
        return Ok(HashSet::new());
    }
    let mut h = state.db.acquire().await?;
    let mut ids = Vec::new();
    for n in names.iter().take(MAX_MENTIONS * 4) {
        if let Some(u) = users::by_name(h.conn(), n).await? {
            ids.push(u.id);
        }
    }
    Ok(readers(h.conn(), repo, ids).await?.into_iter().map(|u| u.lower_name).collect())
}

/// The statuses Gitea's `status-types` names (`unread`, `read`, `pinned`); unknown names are
/// dropped.
pub fn status_of(name: &str) -> Option<i16> {
    match name.trim().to_ascii_lowercase().as_str() {
        "unread" => Some(store::UNREAD),
        "read" => Some(store::READ),
        "pinned" => Some(store::PINNED),
        _ => None,
    }
}

/// The sources Gitea's `subject-type` names (`issue`, `pull`; commits and repositories have no
/// threads here, so they match nothing).
pub fn source_of(name: &str) -> Option<i16> {
    match name.trim().to_ascii_lowercase().as_str() {
        "issue" => Some(store::SOURCE_ISSUE),
        "pull" => Some(store::SOURCE_PULL),
        "commit" | "repository" => Some(0),
        _ => None,
    }
}

/// One page of `user`'s threads and how many match; threads of repositories the user can no
/// longer read are left out.
pub async fn list(
    state: &AppState,
    user: &UserRow,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<NotificationThread>, i64)> {
    let mut h = state.db.acquire().await?;
    let (rows, total) = store::list(h.conn(), f, limit, offset).await?;
    let before = rows.len() as i64;
    let threads = to_json(state, h.conn(), user, &rows).await?;
    let hidden = before - threads.len() as i64;
    Ok((threads, total - hidden))
}

pub async fn count_unread(state: &AppState, user: &UserRow) -> ServiceResult<i64> {
    let mut h = state.db.acquire().await?;
    Ok(store::count_unread(h.conn(), user.id).await?)
}

/// A thread of `user` (403 for another's, as Gitea answers).
pub async fn thread(state: &AppState, user: &UserRow, id: i64) -> ServiceResult<NotificationThread> {
    let mut h = state.db.acquire().await?;
    let row = own(h.conn(), user, id).await?;
    to_json(state, h.conn(), user, std::slice::from_ref(&row)).await?.pop().ok_or(ServiceError::NotFound)
}

async fn own(c: Conn<'_>, user: &UserRow, id: i64) -> ServiceResult<NotificationRow> {
    let row = store::by_id(c, id).await?.ok_or(ServiceError::NotFound)?;
    if row.user_id != user.id {
        return Err(ServiceError::Forbidden("not your notification".into()));
    }
    Ok(row)
}

/// Set one thread's status.
pub async fn set_thread(state: &AppState, user: &UserRow, id: i64, to: i16) -> ServiceResult<NotificationThread> {
    let mut h = state.db.acquire().await?;
    let row = own(h.conn(), user, id).await?;
    store::set_status(h.conn(), &[row.id], to).await?;
    let row = store::by_id(h.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    to_json(state, h.conn(), user, std::slice::from_ref(&row)).await?.pop().ok_or(ServiceError::NotFound)
}

/// Set the status of every thread `f` takes (Gitea's mark-as-read); answers the threads changed.
pub async fn mark(state: &AppState, user: &UserRow, f: &Filter, to: i16) -> ServiceResult<Vec<NotificationThread>> {
    let mut tx = state.db.begin().await?;
    let rows = store::all(tx.conn(), f).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    store::set_status(tx.conn(), &ids, to).await?;
    tx.commit().await?;
    let changed: Vec<NotificationRow> = rows.into_iter().map(|r| NotificationRow { status: to, ..r }).collect();
    let mut h = state.db.acquire().await?;
    to_json(state, h.conn(), user, &changed).await
}

/// Gitea's NotificationThread objects of `rows` (all `user`'s), leaving out repositories the user
/// can no longer read.
async fn to_json(
    state: &AppState,
    mut c: Conn<'_>,
    user: &UserRow,
    rows: &[NotificationRow],
) -> ServiceResult<Vec<NotificationThread>> {
    let mut readable = ReadableRepos::default();
    // The page's issues and their pull records in two queries, not two per thread.
    let ids: Vec<i64> = rows.iter().map(|r| r.issue_id).collect();
    let issues: std::collections::HashMap<i64, IssueRow> =
        issue_store::by_ids(c.reborrow(), &ids).await?.into_iter().map(|i| (i.id, i)).collect();
    let merged_ids: BTreeSet<i64> = hearth_store::pulls::of_issues(c.reborrow(), &ids)
        .await?
        .into_iter()
        .filter(|p| p.has_merged)
        .map(|p| p.issue_id)
        .collect();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((repo, owner)) = readable.get(c.reborrow(), Some(user), row.repo_id).await?.cloned() else { continue };
        let Some(issue) = issues.get(&row.issue_id) else { continue };
        let merged = merged_ids.contains(&issue.id);
        let kind = if issue.is_pull { "pulls" } else { "issues" };
        let api = format!("{}/repos/{}/{}", state.links.api_url, owner.name, repo.name);
        let html = format!("{}{}/{}/{kind}/{}", state.links.external_url, owner.name, repo.name, issue.idx);
        let (comment_url, comment_html) = if row.comment_id > 0 {
            (format!("{api}/issues/comments/{}", row.comment_id), format!("{html}#issuecomment-{}", row.comment_id))
        } else {
            (String::new(), String::new())
        };
        out.push(NotificationThread {
            id: row.id,
            repository: Repository::new(&state.links, &repo, &owner, None),
            subject: NotificationSubject {
                title: issue.title.clone(),
                url: format!("{api}/{kind}/{}", issue.idx),
                latest_comment_url: comment_url,
                html_url: html,
                latest_comment_html_url: comment_html,
                kind: if issue.is_pull { "Pull" } else { "Issue" }.into(),
                state: if merged {
                    "merged"
                } else if issue.is_closed {
                    "closed"
                } else {
                    "open"
                }
                .into(),
            },
            unread: row.status == store::UNREAD,
            pinned: row.status == store::PINNED,
            updated_at: rfc3339(row.updated_unix),
            url: format!("{}/notifications/threads/{}", state.links.api_url, row.id),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_names_after_an_at_sign_that_starts_a_word() {
        assert_eq!(mentioned_names("cc @Carol, @bob. and @bob"), ["carol", "bob"]);
        assert_eq!(mentioned_names("mail dave@example.com or `@code`"), Vec::<String>::new());
        assert_eq!(mentioned_names("(@a-b_c.d) @ alone @"), ["a-b_c.d"]);
        let many: String = (0..80).map(|i| format!("@u{i} ")).collect();
        assert_eq!(mentioned_names(&many).len(), MAX_MENTIONS);
    }
}
