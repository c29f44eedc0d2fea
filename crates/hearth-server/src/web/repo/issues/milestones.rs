//! `/OWNER/REPO/milestones` (open or closed), `/milestones/new` and `/milestones/ID/edit`, and the
//! close, reopen and delete buttons: writers change milestones through `service::milestones`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_store::Window;
use hearth_store::milestones::{self as ms_store, MilestoneRow};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::super::RepoPage;
use super::Num;
use crate::app::AppState;
use crate::service::milestones::{self, EditMilestone};
use crate::web::page::{WebError, render, render_status, ser};
use crate::web::session::redirect_with_flash;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StateQuery {
    state: String,
}

#[derive(Serialize)]
struct Item {
    id: i64,
    title: String,
    description: String,
    deadline_unix: i64,
    due: String,
    percent: i64,
    open: i64,
    closed: i64,
    is_closed: bool,
}

pub async fn list(
    State(state): State<AppState>,
    page: RepoPage,
    Query(q): Query<StateQuery>,
) -> Result<Response, WebError> {
    page.tracker_on()?;
    let closed = q.state == "closed";
    let (rows, open_total, closed_total) = {
        let mut h = state.db.acquire().await?;
        let (rows, _) = ms_store::list(h.conn(), page.ctx.repo.id, !closed, closed, Window::ALL).await?;
        let (_, open_total) =
            ms_store::list(h.conn(), page.ctx.repo.id, true, false, Window { limit: 0, offset: 0 }).await?;
        let (_, closed_total) =
            ms_store::list(h.conn(), page.ctx.repo.id, false, true, Window { limit: 0, offset: 0 }).await?;
        (rows, open_total, closed_total)
    };
    let items: Vec<Item> = rows
        .into_iter()
        .map(|m| Item {
            percent: if m.num_issues > 0 { m.num_closed_issues * 100 / m.num_issues } else { 0 },
            open: m.num_issues - m.num_closed_issues,
            closed: m.num_closed_issues,
            id: m.id,
            title: m.name,
            description: m.content,
            deadline_unix: m.deadline_unix,
            due: date_of(m.deadline_unix),
            is_closed: m.is_closed,
        })
        .collect();
    render(
        &page.viewer,
        "repo/issues/milestones.html",
        context! {
            repo => page.header(&state, "issues").await?,
            milestones => ser(&items),
            closed, open_total, closed_total,
            writer => page.writer(),
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MilestoneForm {
    title: String,
    content: String,
    deadline: String,
}

/// `YYYY-MM-DD` (an `<input type="date">`) as the end of that day, UTC; empty is no date.
fn parse_deadline(s: &str) -> Result<i64, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(0);
    }
    let mut parts = s.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else { return Err(()) };
    let (y, m, d): (i32, u8, u8) = (y.parse().map_err(|_| ())?, m.parse().map_err(|_| ())?, d.parse().map_err(|_| ())?);
    let month = time::Month::try_from(m).map_err(|_| ())?;
    let date = time::Date::from_calendar_date(y, month, d).map_err(|_| ())?;
    let at = date.with_hms(23, 59, 59).map_err(|_| ())?.assume_utc();
    Ok(at.unix_timestamp())
}

fn date_of(unix: i64) -> String {
    if unix <= 0 {
        return String::new();
    }
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

fn writer(page: &RepoPage) -> Result<(), WebError> {
    page.tracker_on()?;
    page.viewer.signed_in()?;
    if page.writer() { Ok(()) } else { Err(WebError::NotFound) }
}

async fn form_page(
    state: &AppState,
    page: &RepoPage,
    status: StatusCode,
    editing: Option<i64>,
    form: &MilestoneForm,
    error: Option<(&str, &str)>,
) -> Result<Response, WebError> {
    render_status(
        &page.viewer,
        status,
        "repo/issues/milestone_form.html",
        context! {
            repo => page.header(state, "issues").await?,
            editing,
            form => context! { title => form.title.clone(), content => form.content.clone(), deadline => form.deadline.clone() },
            errors => error.map(|(f, e)| minijinja::Value::from_pairs([(f.to_string(), e.to_string())])),
            error => error.map(|(_, e)| e.to_string()),
        },
    )
}

async fn find(state: &AppState, page: &RepoPage, id: i64) -> Result<MilestoneRow, WebError> {
    let mut h = state.db.acquire().await?;
    ms_store::get(h.conn(), page.ctx.repo.id, id).await?.ok_or(WebError::NotFound)
}

pub async fn new_form(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    writer(&page)?;
    form_page(&state, &page, StatusCode::OK, None, &MilestoneForm::default(), None).await
}

pub async fn edit_form(State(state): State<AppState>, page: RepoPage, Num(id): Num) -> Result<Response, WebError> {
    writer(&page)?;
    let m = find(&state, &page, id).await?;
    let form = MilestoneForm { title: m.name, content: m.content, deadline: date_of(m.deadline_unix) };
    form_page(&state, &page, StatusCode::OK, Some(id), &form, None).await
}

/// The form's refusal, if any: a title and a date that parses.
fn check(form: &MilestoneForm) -> Result<i64, (&'static str, &'static str)> {
    if form.title.trim().is_empty() {
        return Err(("title", "Title is required."));
    }
    parse_deadline(&form.deadline).map_err(|_| ("deadline", "Due date must be a date like 2027-01-31."))
}

pub async fn create(
    State(state): State<AppState>,
    page: RepoPage,
    Form(form): Form<MilestoneForm>,
) -> Result<Response, WebError> {
    writer(&page)?;
    let deadline = match check(&form) {
        Ok(d) => d,
        Err(e) => return form_page(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, None, &form, Some(e)).await,
    };
    milestones::create_milestone(&state, page.ctx.repo.id, form.title.trim(), &form.content, deadline).await?;
    Ok(redirect_with_flash(&state, &format!("{}/milestones", page.path()), "The milestone has been created."))
}

pub async fn edit(
    State(state): State<AppState>,
    page: RepoPage,
    Num(id): Num,
    Form(form): Form<MilestoneForm>,
) -> Result<Response, WebError> {
    writer(&page)?;
    find(&state, &page, id).await?;
    let deadline = match check(&form) {
        Ok(d) => d,
        Err(e) => return form_page(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, Some(id), &form, Some(e)).await,
    };
    let e = EditMilestone {
        title: Some(form.title.trim().to_string()),
        description: Some(form.content.clone()),
        deadline_unix: Some(deadline),
        state: None,
    };
    milestones::edit_milestone(&state, page.ctx.repo.id, id, &e).await?;
    Ok(redirect_with_flash(&state, &format!("{}/milestones", page.path()), "The milestone has been saved."))
}

/// `POST …/milestones/ID/{close,open,delete}`.
pub async fn act(
    State(state): State<AppState>,
    page: RepoPage,
    Num(id): Num,
    Path((_, _, _, action)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    writer(&page)?;
    find(&state, &page, id).await?;
    let message = match action.as_str() {
        "close" | "open" => {
            let to = if action == "close" { "closed" } else { "open" };
            let e = EditMilestone { state: Some(to.into()), ..EditMilestone::default() };
            milestones::edit_milestone(&state, page.ctx.repo.id, id, &e).await?;
            if to == "closed" { "The milestone has been closed." } else { "The milestone has been reopened." }
        }
        "delete" => {
            milestones::delete_milestone(&state, page.ctx.repo.id, id).await?;
            "The milestone has been deleted."
        }
        _ => return Err(WebError::NotFound),
    };
    Ok(redirect_with_flash(&state, &format!("{}/milestones", page.path()), message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_are_the_end_of_the_day() {
        assert_eq!(parse_deadline(""), Ok(0));
        assert_eq!(parse_deadline("2027-01-31"), Ok(1_801_439_999));
        assert_eq!(date_of(1_801_439_999), "2027-01-31");
        assert!(parse_deadline("2027-02-30").is_err());
        assert!(parse_deadline("tomorrow").is_err());
    }
}
