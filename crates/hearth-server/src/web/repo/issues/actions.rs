//! The issue page's forms: comment (and close or reopen with it), labels, milestone, assignee,
//! title, and a comment's edit and delete. Each runs the service function the API's route runs;
//! a refusal renders the issue page again with the alert and the submitted text.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hearth_store::issues::IssueRow;

use super::super::RepoPage;
use super::Num;
use super::view::{Extras, load, render};
use super::{form_ids, form_pairs, form_value, markdown};
use crate::app::AppState;
use crate::service::ServiceError;
use crate::service::issues::{self, EditIssue, LabelChange};
use crate::web::account::sentence;
use crate::web::page::WebError;
use crate::web::session::redirect_with_flash;

/// The issue a form names, under the route it was posted to (`/issues/N/…` or `/pulls/N/…`).
async fn target(state: &AppState, page: &RepoPage, index: i64) -> Result<IssueRow, WebError> {
    let issue = load(state, page, index).await?;
    if issue.is_pull {
        page.pulls_on()?
    } else {
        page.tracker_on()?
    }
    Ok(issue)
}

fn issue_path(page: &RepoPage, issue: &IssueRow) -> String {
    format!("{}/{}/{}", page.path(), if issue.is_pull { "pulls" } else { "issues" }, issue.idx)
}

/// The page again with an alert (422), or the error page for anything but a refusal.
async fn refused(
    state: &AppState,
    page: &RepoPage,
    issue: IssueRow,
    e: ServiceError,
    extras: Extras,
) -> Result<Response, WebError> {
    match e {
        ServiceError::Invalid(msg) => {
            let extras = Extras { error: Some(sentence(&msg)), ..extras };
            render(state, page, issue, StatusCode::UNPROCESSABLE_ENTITY, extras).await
        }
        other => Err(other.into()),
    }
}

/// `POST …/issues/N/comments`: `action` is `comment`, `preview`, `close` or `reopen` (a non-empty
/// comment is posted before the state changes, as Gogs does).
pub async fn comment(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    let me = page.viewer.signed_in()?.clone();
    let issue = target(&state, &page, index).await?;
    let pairs = form_pairs(&body);
    let content = form_value(&pairs, "content").to_string();
    let action = form_value(&pairs, "action");
    if action == "preview" {
        let preview = markdown(&state, &page, &[&content]).await?.pop();
        return render(&state, &page, issue, StatusCode::OK, Extras { draft: content, preview, ..Extras::default() })
            .await;
    }
    let status = match action {
        "close" => Some("closed"),
        "reopen" => Some("open"),
        _ => None,
    };
    // Only the poster and writers may close or reopen: refused before the comment is posted.
    if status.is_some() && issue.poster_id != me.id && !page.writer() {
        return Err(WebError::NotFound);
    }
    if content.trim().is_empty() && status.is_none() {
        let extras =
            Extras { error: Some("The comment is empty.".into()), field: Some("content"), ..Extras::default() };
        return render(&state, &page, issue, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
    }
    let t = page.tracker(&me);
    let mut anchor = String::new();
    if !content.trim().is_empty() {
        match issues::create_comment(&state, &t, index, &content).await {
            Ok(c) => anchor = format!("#issuecomment-{}", c.id),
            Err(e) => return refused(&state, &page, issue, e, Extras { draft: content, ..Extras::default() }).await,
        }
    }
    let mut message = if anchor.is_empty() { "" } else { "Your comment has been posted." };
    if let Some(s) = status {
        let edit = EditIssue { state: Some(s.into()), ..EditIssue::default() };
        if let Err(e) = issues::edit(&state, &t, index, &edit).await {
            return refused(&state, &page, issue, e, Extras::default()).await;
        }
        message = if s == "closed" { "Closed." } else { "Reopened." };
    }
    Ok(redirect_with_flash(&state, &format!("{}{anchor}", issue_path(&page, &issue)), message))
}

/// `POST …/N/labels`: the checked labels become the issue's labels.
pub async fn set_labels(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    writer_only(&page)?;
    let me = page.viewer.signed_in()?.clone();
    let issue = target(&state, &page, index).await?;
    let ids = form_ids(&form_pairs(&body), "label");
    match issues::change_labels(&state, &page.tracker(&me), index, LabelChange::Set(&ids)).await {
        Ok(_) => Ok(redirect_with_flash(&state, &issue_path(&page, &issue), "The labels have been updated.")),
        Err(e) => refused(&state, &page, issue, e, Extras::default()).await,
    }
}

/// One field of the issue through the service's edit: milestone, assignee or title.
async fn edit_one(
    state: &AppState,
    page: &RepoPage,
    index: i64,
    edit: EditIssue,
    done: &str,
    field: &'static str,
) -> Result<Response, WebError> {
    let me = page.viewer.signed_in()?.clone();
    let issue = target(state, page, index).await?;
    match issues::edit(state, &page.tracker(&me), index, &edit).await {
        Ok(_) => Ok(redirect_with_flash(state, &issue_path(page, &issue), done)),
        Err(e) => refused(state, page, issue, e, Extras { field: Some(field), ..Extras::default() }).await,
    }
}

pub async fn set_milestone(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    let pairs = form_pairs(&body);
    let id = form_value(&pairs, "milestone").trim().parse::<i64>().unwrap_or(0);
    let edit = EditIssue { milestone: Some(id), ..EditIssue::default() };
    writer_only(&page)?;
    edit_one(&state, &page, index, edit, "The milestone has been set.", "milestone").await
}

pub async fn set_assignee(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    let pairs = form_pairs(&body);
    let edit = EditIssue { assignee: Some(form_value(&pairs, "assignee").trim().to_string()), ..EditIssue::default() };
    writer_only(&page)?;
    edit_one(&state, &page, index, edit, "The assignee has been set.", "assignee").await
}

pub async fn set_title(
    State(state): State<AppState>,
    page: RepoPage,
    Num(index): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    let pairs = form_pairs(&body);
    let title = form_value(&pairs, "title").trim().to_string();
    if title.is_empty() || title.chars().count() > 255 {
        page.viewer.signed_in()?;
        let issue = target(&state, &page, index).await?;
        let extras = Extras {
            error: Some("The title must be 1 to 255 characters.".into()),
            field: Some("title"),
            ..Extras::default()
        };
        return render(&state, &page, issue, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
    }
    let edit = EditIssue { title: Some(title), ..EditIssue::default() };
    edit_one(&state, &page, index, edit, "The title has been changed.", "title").await
}

/// The service ignores milestone and assignee changes from non-writers; the page says so with a
/// 404, as it offers them no such control.
fn writer_only(page: &RepoPage) -> Result<(), WebError> {
    page.viewer.signed_in()?;
    if page.writer() { Ok(()) } else { Err(WebError::NotFound) }
}

/// The issue page a comment belongs to.
async fn comment_issue(state: &AppState, page: &RepoPage, id: i64) -> Result<IssueRow, WebError> {
    let mut h = state.db.acquire().await?;
    let c = hearth_store::issues::comment(h.conn(), page.ctx.repo.id, id).await?.ok_or(WebError::NotFound)?;
    let issue = hearth_store::issues::by_id(h.conn(), c.issue_id).await?.ok_or(WebError::NotFound)?;
    drop(h);
    if issue.is_pull {
        page.pulls_on()?
    } else {
        page.tracker_on()?
    }
    Ok(issue)
}

pub async fn edit_comment(
    State(state): State<AppState>,
    page: RepoPage,
    Num(id): Num,
    body: Bytes,
) -> Result<Response, WebError> {
    let me = page.viewer.signed_in()?.clone();
    let issue = comment_issue(&state, &page, id).await?;
    let content = form_value(&form_pairs(&body), "content").to_string();
    if content.trim().is_empty() {
        let extras = Extras { error: Some("The comment is empty.".into()), ..Extras::default() };
        return render(&state, &page, issue, StatusCode::UNPROCESSABLE_ENTITY, extras).await;
    }
    match issues::edit_comment(&state, &page.tracker(&me), id, &content).await {
        Ok(_) => Ok(redirect_with_flash(
            &state,
            &format!("{}#issuecomment-{id}", issue_path(&page, &issue)),
            "The comment has been updated.",
        )),
        Err(ServiceError::Forbidden(_)) => Err(WebError::NotFound),
        Err(e) => refused(&state, &page, issue, e, Extras::default()).await,
    }
}

pub async fn delete_comment(State(state): State<AppState>, page: RepoPage, Num(id): Num) -> Result<Response, WebError> {
    let me = page.viewer.signed_in()?.clone();
    let issue = comment_issue(&state, &page, id).await?;
    match issues::delete_comment(&state, &page.tracker(&me), id).await {
        Ok(()) => Ok(redirect_with_flash(&state, &issue_path(&page, &issue), "The comment has been deleted.")),
        Err(ServiceError::Forbidden(_)) => Err(WebError::NotFound),
        Err(e) => refused(&state, &page, issue, e, Extras::default()).await,
    }
}
