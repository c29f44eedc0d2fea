//! `/OWNER/REPO/issues/N` (and the conversation of `/OWNER/REPO/pulls/N`): the issue, its timeline
//! of comments and events, the comment form and, for writers, the labels, milestone and assignee
//! controls. Opening it reads the viewer's notification thread of the issue.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hearth_store::issues::{self as issue_store, IssueRow};
use hearth_store::{CommentKind, Window, collaborations, labels, milestones};
use minijinja::{Value, context};
use serde::Serialize;

use super::super::RepoPage;
use super::Num;
use super::markdown;
use crate::app::AppState;
use crate::service::access::AccessMode;
use crate::service::issue_view::users_by_id;
use crate::web::page::{WebError, render_status, ser};

/// Timeline entries shown at most (a page of 1,000 comments is already long).
const TIMELINE_LIMIT: i64 = 1000;

/// What a failed or previewed comment (or control) shows on the page rendered again.
#[derive(Default)]
pub struct Extras {
    pub draft: String,
    pub preview: Option<Value>,
    pub error: Option<String>,
    /// The control the error belongs to (`content`, `title`, …).
    pub field: Option<&'static str>,
}

#[derive(Serialize)]
struct Entry {
    id: i64,
    comment: bool,
    author: String,
    created_unix: i64,
    /// The event's sentence (after the author's name).
    text: String,
    content: String,
    can_change: bool,
}

pub async fn show_issue(State(state): State<AppState>, page: RepoPage, Num(index): Num) -> Result<Response, WebError> {
    page.tracker_on()?;
    let issue = load(&state, &page, index).await?;
    if issue.is_pull {
        return Err(WebError::Redirect(format!("{}/pulls/{index}", page.path())));
    }
    mark_read(&state, &page, &issue).await?;
    render(&state, &page, issue, StatusCode::OK, Extras::default()).await
}

/// `/OWNER/REPO/pulls/N`, and `N.diff`/`N.patch` as text (Gogs' web routes; streamed).
pub async fn show_pull(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, raw)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    page.pulls_on()?;
    if let Some((n, format @ ("diff" | "patch"))) = raw.rsplit_once('.') {
        let n: i64 = n.parse().map_err(|_| WebError::NotFound)?;
        let (_, pull) = crate::service::pulls::get_settled(&state, page.ctx.repo.id, n).await?;
        let from = crate::service::pulls::range_start(&state, &page.ctx.owner, &page.ctx.repo, &pull).await?;
        let (dir, max) = (page.ctx.dir().to_path_buf(), crate::api::v1::pulls::MAX_PATCH_COMMITS);
        let body = crate::api::v1::streamed::pull_text(dir, from, pull.head_sha, format == "patch", max);
        return Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response());
    }
    let index: i64 = raw.parse().ok().filter(|n| *n > 0).ok_or(WebError::NotFound)?;
    let issue = load(&state, &page, index).await?;
    if !issue.is_pull {
        return Err(WebError::Redirect(format!("{}/issues/{index}", page.path())));
    }
    mark_read(&state, &page, &issue).await?;
    render(&state, &page, issue, StatusCode::OK, Extras::default()).await
}

pub async fn load(state: &AppState, page: &RepoPage, index: i64) -> Result<IssueRow, WebError> {
    let mut h = state.db.acquire().await?;
    issue_store::by_index(h.conn(), page.ctx.repo.id, index).await?.ok_or(WebError::NotFound)
}

async fn mark_read(state: &AppState, page: &RepoPage, issue: &IssueRow) -> Result<(), WebError> {
    if let Some(me) = &page.viewer.user {
        crate::service::notifications::read_issue(state, me, issue.id).await?;
    }
    Ok(())
}

/// The sentence a timeline event shows after its author's name.
fn event_text(kind: CommentKind, content: &str) -> Option<String> {
    Some(match kind {
        CommentKind::Close => "closed this".into(),
        CommentKind::Reopen => "reopened this".into(),
        CommentKind::Label => match content.split_at_checked(1) {
            Some(("+", name)) => format!("added the label {name}"),
            Some((_, name)) => format!("removed the label {name}"),
            None => return None,
        },
        CommentKind::Milestone if content.is_empty() => "removed the milestone".into(),
        CommentKind::Milestone => format!("set the milestone to {content}"),
        CommentKind::Assignee if content.is_empty() => "removed the assignee".into(),
        CommentKind::Assignee => format!("assigned {content}"),
        CommentKind::Title => format!("changed the title from “{content}”"),
        CommentKind::Plain | CommentKind::Other(_) => return None,
    })
}

/// The timeline with a pull's reviews placed among its comments and events by time (a review
/// that is as old as a comment comes after it).
fn with_reviews(entries: Vec<Entry>, merge_box: Option<&Value>) -> Vec<Value> {
    let reviews: Vec<Value> = merge_box
        .and_then(|mb| mb.get_attr("reviews").ok())
        .and_then(|r| r.try_iter().ok().map(|it| it.collect()))
        .unwrap_or_default();
    let mut reviews = reviews.into_iter().peekable();
    let review_time = |r: &Value| r.get_attr("created_unix").ok().and_then(|t| i64::try_from(t).ok()).unwrap_or(0);
    let mut out = Vec::with_capacity(entries.len() + reviews.len());
    for e in entries {
        while let Some(r) = reviews.next_if(|r| review_time(r) < e.created_unix) {
            out.push(r);
        }
        out.push(ser(&e));
    }
    out.extend(reviews);
    out
}

/// The page of `issue` for this viewer, with `extras` from a form that is shown again.
pub async fn render(
    state: &AppState,
    page: &RepoPage,
    issue: IssueRow,
    status: StatusCode,
    extras: Extras,
) -> Result<Response, WebError> {
    let me = page.viewer.user.as_deref();
    let writer = page.writer();
    let admin = page.ctx.mode >= AccessMode::Admin;
    let mut h = state.db.acquire().await?;
    let timeline = issue_store::timeline(h.conn(), issue.id, TIMELINE_LIMIT).await?;
    let people = users_by_id(
        h.conn(),
        timeline.iter().map(|c| c.poster_id).chain([issue.poster_id, issue.assignee_id]).filter(|id| *id > 0),
    )
    .await?;
    let issue_labels = labels::of_issue(h.conn(), issue.id).await?;
    let milestone = if issue.milestone_id > 0 {
        milestones::get(h.conn(), page.ctx.repo.id, issue.milestone_id).await?
    } else {
        None
    };
    drop(h);
    // A pull's merge box needs its settled check (a few seconds at most, as the API waits).
    let pull = if issue.is_pull {
        Some(crate::service::pulls::get_settled(state, page.ctx.repo.id, issue.idx).await?.1)
    } else {
        None
    };
    let merge_box = match &pull {
        Some(p) => Some(super::super::pull_box::merge_box(state, page, &issue, p).await?),
        None => None,
    };
    let mut h = state.db.acquire().await?;
    let (all_labels, all_ms, assignable) = if writer {
        let (l, _) = labels::list(h.conn(), page.ctx.repo.id, Window::ALL).await?;
        let (m, _) = milestones::list(h.conn(), page.ctx.repo.id, true, false, Window::ALL).await?;
        let a = collaborations::assignable(h.conn(), page.ctx.repo.id, page.ctx.repo.owner_id).await?;
        (l, m, a)
    } else {
        Default::default()
    };
    drop(h);

    let name = |id: i64| people.get(&id).map(|u| u.name.clone()).unwrap_or_else(|| "Ghost".into());
    // One pass renders the body and every comment, so mentions are resolved once for the page.
    let mut texts: Vec<&str> = vec![issue.body.as_str()];
    texts.extend(timeline.iter().filter(|c| c.kind == CommentKind::Plain).map(|c| c.content.as_str()));
    let mut rendered = markdown(state, page, &texts).await?.into_iter();
    let body = rendered.next().unwrap_or_default();
    let mut html: HashMap<i64, Value> = HashMap::new();
    let mut entries = Vec::with_capacity(timeline.len());
    for c in &timeline {
        let is_comment = c.kind == CommentKind::Plain;
        let text = if is_comment {
            html.insert(c.id, rendered.next().unwrap_or_default());
            String::new()
        } else {
            match event_text(c.kind, &c.content) {
                Some(t) => t,
                None => continue,
            }
        };
        entries.push(Entry {
            id: c.id,
            comment: is_comment,
            author: name(c.poster_id),
            created_unix: c.created_unix,
            text,
            content: if is_comment { c.content.clone() } else { String::new() },
            can_change: is_comment && me.is_some_and(|u| u.id == c.poster_id || admin),
        });
    }
    let entries = with_reviews(entries, merge_box.as_ref());
    let is_poster = me.is_some_and(|u| u.id == issue.poster_id);
    let merged = pull.as_ref().is_some_and(|p| p.has_merged);
    let kind = if issue.is_pull { "pulls" } else { "issues" };
    let checked: Vec<i64> = issue_labels.iter().map(|l| l.id).collect();
    render_status(
        &page.viewer,
        status,
        "repo/issues/view.html",
        context! {
            repo => page.header(state, kind).await?,
            kind,
            issue => context! {
                index => issue.idx, title => issue.title.clone(), closed => issue.is_closed, merged,
                poster => name(issue.poster_id), created_unix => issue.created_unix, body,
                is_pull => issue.is_pull,
                labels => ser(&issue_labels.iter().map(|l| (l.name.clone(), l.color.clone())).collect::<Vec<_>>()),
                milestone => milestone.as_ref().map(|m| m.name.clone()),
                milestone_id => issue.milestone_id,
                assignee => (issue.assignee_id > 0).then(|| name(issue.assignee_id)),
            },
            pull => pull.as_ref().map(|p| context! { base => p.base_branch.clone(), head => p.head_branch.clone() }),
            merge_box,
            entries,
            // `from_pairs`: collecting into a Value makes a sequence, where no id would be found.
            comment_html => Value::from_pairs(html.into_iter().map(|(k, v)| (k.to_string(), v))),
            writer,
            can_close => is_poster || writer,
            can_edit_title => is_poster || writer,
            all_labels => ser(&all_labels.iter().map(|l| (l.id, l.name.clone(), checked.contains(&l.id))).collect::<Vec<_>>()),
            all_milestones => ser(&all_ms.iter().map(|m| (m.id, m.name.clone())).collect::<Vec<_>>()),
            assignable => ser(&assignable.iter().map(|u| u.name.clone()).collect::<Vec<_>>()),
            draft => extras.draft,
            preview => extras.preview,
            error => extras.error,
            field => extras.field,
        },
    )
}
