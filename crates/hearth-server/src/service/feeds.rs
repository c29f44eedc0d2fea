//! Activity feeds (Gitea's `…/activities/feeds`): changes record an action row in their own
//! transaction ([`record`]); feeds are read by actor, repository, organisation or as a user's
//! dashboard, private repositories' activity only for readers of them.

use std::collections::HashMap;

use hearth_git::pushlog::PushedCommit;
use hearth_store::actions::{self, ActionRow, Feed, NewAction, Op};
use hearth_store::issues::{CommentRow, IssueRow};
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;
use hearth_store::{Conn, Window};
use serde::Serialize;

use super::access::ReadableRepos;
use super::webhooks::payload::PushedRef;
use super::{ServiceResult, now_unix};
use crate::app::AppState;
use crate::types::{Activity, Comment, Repository, User, rfc3339, rfc3339_with_offset};

/// Record one action (inside the change's transaction).
pub async fn record(
    c: Conn<'_>,
    op: Op,
    actor: &UserRow,
    repo_id: i64,
    ref_name: &str,
    comment_id: i64,
    content: &str,
) -> ServiceResult<()> {
    let a = NewAction { op, actor_id: actor.id, repo_id, ref_name, comment_id, content, now: now_unix() };
    actions::insert(c, &a).await?;
    Ok(())
}

/// Gitea's content of an issue or pull action: `index|title`.
pub fn issue_content(issue: &IssueRow) -> String {
    format!("{}|{}", issue.idx, issue.title)
}

/// An issue action for an issue or a pull (`pull_op` for pulls).
pub async fn record_issue(
    c: Conn<'_>,
    issue_op: Op,
    pull_op: Op,
    actor: &UserRow,
    issue: &IssueRow,
) -> ServiceResult<()> {
    let op = if issue.is_pull { pull_op } else { issue_op };
    record(c, op, actor, issue.repo_id, "", 0, &issue_content(issue)).await
}

/// A comment's action: `index|` and the comment's first 200 characters.
pub async fn record_comment(c: Conn<'_>, actor: &UserRow, issue: &IssueRow, comment: &CommentRow) -> ServiceResult<()> {
    let op = if issue.is_pull { Op::CommentPull } else { Op::CommentIssue };
    let excerpt: String = comment.content.chars().take(200).collect();
    record(c, op, actor, issue.repo_id, "", comment.id, &format!("{}|{excerpt}", issue.idx)).await
}

/// Gitea's PushCommit, as its `commit_repo` content carries it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PushCommit {
    sha1: String,
    message: String,
    author_email: String,
    author_name: String,
    committer_email: String,
    committer_name: String,
    timestamp: String,
}

/// Gitea's PushCommits: the newest commits of a push, its head, the compare path and how many.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PushCommits {
    commits: Vec<PushCommit>,
    head_commit: Option<PushCommit>,
    #[serde(rename = "CompareURL")]
    compare_url: String,
    len: usize,
}

fn push_commit(p: &PushedCommit) -> PushCommit {
    let i = &p.info;
    PushCommit {
        sha1: i.id.clone(),
        message: i.message.clone(),
        author_email: i.author_email.clone(),
        author_name: i.author_name.clone(),
        committer_email: i.committer_email.clone(),
        committer_name: i.committer_name.clone(),
        timestamp: rfc3339_with_offset(i.committer_time, i.committer_offset),
    }
}

/// The actions of one push: commits to a branch (`commit_repo`), a tag pushed or deleted, a branch
/// deleted. Ref names are full (`refs/heads/main`), as Gitea records them.
pub async fn record_push(
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    pusher: &UserRow,
    refs: &[PushedRef<'_>],
) -> ServiceResult<()> {
    for r in refs {
        let u = r.update;
        let (op, content) = if u.name.starts_with("refs/tags/") {
            (if u.is_delete() { Op::DeleteTag } else { Op::PushTag }, String::new())
        } else if !u.name.starts_with("refs/heads/") {
            continue;
        } else if u.is_delete() {
            (Op::DeleteBranch, String::new())
        } else {
            let compare_url = if u.is_create() {
                String::new()
            } else {
                format!("{}/{}/compare/{}...{}", owner.name, repo.name, u.old, u.new)
            };
            let commits = PushCommits {
                commits: r.commits.iter().map(push_commit).collect(),
                head_commit: r.commits.first().map(push_commit),
                compare_url,
                len: r.commits.len(),
            };
            (Op::CommitRepo, serde_json::to_string(&commits).map_err(anyhow::Error::from)?)
        };
        record(c.reborrow(), op, pusher, repo.id, &u.name, 0, &content).await?;
    }
    Ok(())
}

/// Which feed, seen by whom.
pub struct FeedQuery<'a> {
    pub feed: Feed,
    /// The user whose feed it is (`user_id` of the entries); the actor's id otherwise.
    pub owner_id: Option<i64>,
    pub viewer: Option<&'a UserRow>,
    /// Whether private repositories' activity may be shown (then row by row to readers only).
    pub private: bool,
    /// One UTC day (its first second), Gitea's `date`.
    pub day: Option<i64>,
}

/// One page of a feed, newest first, and how many entries it holds.
pub async fn list(state: &AppState, q: &FeedQuery<'_>, w: Window) -> ServiceResult<(Vec<Activity>, i64)> {
    let mut h = state.db.acquire().await?;
    let (rows, total) = actions::list(h.conn(), q.feed, q.private, q.day, w).await?;
    let before = rows.len() as i64;
    let out = to_json(state, h.conn(), q, &rows).await?;
    let hidden = before - out.len() as i64;
    Ok((out, total - hidden))
}

async fn to_json(
    state: &AppState,
    mut c: Conn<'_>,
    q: &FeedQuery<'_>,
    rows: &[ActionRow],
) -> ServiceResult<Vec<Activity>> {
    let mut readable = ReadableRepos::default();
    let people = super::issue_view::users_by_id(c.reborrow(), rows.iter().map(|r| r.act_user_id)).await?;
    let mut comments = comments_of(state, c.reborrow(), rows).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some((repo, owner)) = readable.get(c.reborrow(), q.viewer, row.repo_id).await?.cloned() else { continue };
        let comment = comments.remove(&(row.repo_id, row.comment_id)).map(|(mut cm, index)| {
            cm.html_url = super::issue_view::comment_url(state, &owner.name, &repo.name, index, cm.id);
            cm
        });
        out.push(Activity {
            id: row.id,
            user_id: q.owner_id.unwrap_or(row.act_user_id),
            op_type: actions::op_name(row.op_type).to_string(),
            act_user_id: row.act_user_id,
            act_user: people.get(&row.act_user_id).map(|u| User::new(&state.links, u, true)),
            repo_id: repo.id,
            repo: Some(Repository::new(&state.links, &repo, &owner, None)),
            comment_id: row.comment_id,
            comment,
            ref_name: row.ref_name.clone(),
            is_private: repo.is_private,
            content: row.content.clone(),
            created: rfc3339(row.created_unix),
        });
    }
    Ok(out)
}

/// The comments a page of actions names, loaded in three queries for the whole page, keyed by
/// `(repo_id, comment_id)` (a comment counts only in the repository its action names), each with
/// its issue's number; the caller sets `html_url`, as only it knows the repository's names.
async fn comments_of(
    state: &AppState,
    mut c: Conn<'_>,
    rows: &[ActionRow],
) -> ServiceResult<HashMap<(i64, i64), (Comment, i64)>> {
    let ids: Vec<i64> = rows.iter().filter(|r| r.comment_id > 0).map(|r| r.comment_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = hearth_store::issues::comments_by_ids(c.reborrow(), &ids).await?;
    let issue_ids: Vec<i64> = found.iter().map(|cm| cm.issue_id).collect();
    let index: HashMap<i64, i64> = hearth_store::issues::indexes(c.reborrow(), &issue_ids).await?.into_iter().collect();
    let json = super::issue_view::comments_json(state, c, "", "", &found, &index).await?;
    Ok(found
        .iter()
        .zip(json)
        .map(|(cm, j)| ((cm.repo_id, cm.id), (j, index.get(&cm.issue_id).copied().unwrap_or(0))))
        .collect())
}
