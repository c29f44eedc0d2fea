//! `/OWNER/REPO/releases/new` and `/OWNER/REPO/releases/edit/TAG`: writers publish, draft, edit and
//! delete releases through `service::releases`, as the API's release routes do.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hearth_store::releases::{self as release_store, ReleaseFields, ReleaseRow};
use minijinja::context;
use serde::Deserialize;

use super::RepoPage;
use crate::app::AppState;
use crate::service::{ServiceError, git_blocking, releases};
use crate::web::account::sentence;
use crate::web::page::{WebError, render_status};
use crate::web::session::{redirect_with_flash, urlencode};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReleaseForm {
    tag_name: String,
    target: String,
    title: String,
    content: String,
    prerelease: Option<String>,
    /// The button pressed: `publish` or `draft`.
    action: String,
}

fn writer(page: &RepoPage) -> Result<(), WebError> {
    page.viewer.signed_in()?;
    if page.writer() { Ok(()) } else { Err(WebError::NotFound) }
}

async fn show(
    state: &AppState,
    page: &RepoPage,
    status: StatusCode,
    editing: Option<&ReleaseRow>,
    form: &ReleaseForm,
    error: Option<(&str, String)>,
) -> Result<Response, WebError> {
    // "Preview" renders the notes as the release page will (no JavaScript needed).
    let preview = if form.action == "preview" {
        super::issues::markdown(state, page, &[&form.content]).await?.pop()
    } else {
        None
    };
    let dir = page.ctx.dir().to_path_buf();
    let mut branches: Vec<String> =
        git_blocking(move || hearth_git::list_branches(&dir)).await?.into_iter().map(|b| b.name).collect();
    branches.sort();
    let target = if form.target.is_empty() { page.ctx.repo.default_branch.clone() } else { form.target.clone() };
    render_status(
        &page.viewer,
        status,
        "repo/release_form.html",
        context! {
            repo => page.header(state, "releases").await?,
            editing => editing.map(|r| r.tag_name.clone()),
            is_draft => editing.is_some_and(|r| r.is_draft),
            branches, target,
            form => context! {
                tag_name => form.tag_name.clone(), title => form.title.clone(), content => form.content.clone(),
                prerelease => form.prerelease.is_some(),
            },
            errors => error.as_ref().map(|(f, e)| minijinja::Value::from_pairs([(f.to_string(), e.clone())])),
            error => error.map(|(_, e)| e),
            preview,
        },
    )
}

fn fields(form: &ReleaseForm, default_branch: &str) -> ReleaseFields {
    ReleaseFields {
        tag_name: form.tag_name.trim().to_string(),
        target: if form.target.trim().is_empty() { default_branch.to_string() } else { form.target.trim().to_string() },
        title: form.title.trim().to_string(),
        sha1: String::new(),
        note: form.content.clone(),
        is_draft: form.action == "draft",
        is_prerelease: form.prerelease.is_some(),
    }
}

/// Where a saved release is shown: its page once published, the list while a draft.
fn shown_at(page: &RepoPage, row: &ReleaseRow) -> String {
    if row.is_draft {
        format!("{}/releases", page.path())
    } else {
        format!("{}/releases/tag/{}", page.path(), urlencode(&row.tag_name))
    }
}

fn refusal(e: ServiceError) -> Result<(&'static str, String), WebError> {
    match e {
        ServiceError::Invalid(m) if m.contains("target") => Ok(("target", sentence(&m))),
        ServiceError::Invalid(m) | ServiceError::Conflict(m) => Ok(("tag_name", sentence(&m))),
        other => Err(other.into()),
    }
}

pub async fn new_form(State(state): State<AppState>, page: RepoPage) -> Result<Response, WebError> {
    writer(&page)?;
    show(&state, &page, StatusCode::OK, None, &ReleaseForm::default(), None).await
}

pub async fn create(
    State(state): State<AppState>,
    page: RepoPage,
    Form(form): Form<ReleaseForm>,
) -> Result<Response, WebError> {
    writer(&page)?;
    let me = page.viewer.signed_in()?.clone();
    if form.action == "preview" {
        return show(&state, &page, StatusCode::OK, None, &form, None).await;
    }
    if form.tag_name.trim().is_empty() {
        let e = ("tag_name", "Tag name is required.".to_string());
        return show(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, None, &form, Some(e)).await;
    }
    let f = fields(&form, &page.ctx.repo.default_branch);
    match releases::create(&state, &page.ctx.owner, &page.ctx.repo, page.ctx.dir(), &me, f).await {
        Ok(row) => Ok(redirect_with_flash(&state, &shown_at(&page, &row), "The release has been saved.")),
        Err(e) => {
            let e = refusal(e)?;
            show(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, None, &form, Some(e)).await
        }
    }
}

async fn find(state: &AppState, page: &RepoPage, tag: &str) -> Result<ReleaseRow, WebError> {
    let mut h = state.db.acquire().await?;
    release_store::by_tag(h.conn(), page.ctx.repo.id, tag).await?.ok_or(WebError::NotFound)
}

pub async fn edit_form(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, tag)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    writer(&page)?;
    let row = find(&state, &page, &tag).await?;
    let form = ReleaseForm {
        tag_name: row.tag_name.clone(),
        target: row.target.clone(),
        title: row.title.clone(),
        content: row.note.clone(),
        prerelease: row.is_prerelease.then(String::new),
        action: String::new(),
    };
    show(&state, &page, StatusCode::OK, Some(&row), &form, None).await
}

pub async fn edit(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, tag)): Path<(String, String, String)>,
    Form(form): Form<ReleaseForm>,
) -> Result<Response, WebError> {
    writer(&page)?;
    let me = page.viewer.signed_in()?.clone();
    let row = find(&state, &page, &tag).await?;
    if form.action == "preview" {
        return show(&state, &page, StatusCode::OK, Some(&row), &form, None).await;
    }
    if form.action == "delete" {
        releases::delete(&state, &row).await?;
        return Ok(redirect_with_flash(&state, &format!("{}/releases", page.path()), "The release has been deleted."));
    }
    if form.tag_name.trim().is_empty() {
        let e = ("tag_name", "Tag name is required.".to_string());
        return show(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, Some(&row), &form, Some(e)).await;
    }
    let mut f = fields(&form, &page.ctx.repo.default_branch);
    // Publishing is one way: "Save draft" on a published release keeps it published.
    f.is_draft = row.is_draft && form.action == "draft";
    match releases::edit(&state, &page.ctx.owner, &page.ctx.repo, page.ctx.dir(), &me, &row, f).await {
        Ok(updated) => Ok(redirect_with_flash(&state, &shown_at(&page, &updated), "The release has been saved.")),
        Err(e) => {
            let e = refusal(e)?;
            show(&state, &page, StatusCode::UNPROCESSABLE_ENTITY, Some(&row), &form, Some(e)).await
        }
    }
}
