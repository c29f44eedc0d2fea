//! `/OWNER/REPO/releases` and `/OWNER/REPO/releases/tag/TAG`: published releases newest first
//! (drafts only for writers), notes rendered like the API's `/markdown`.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_store::releases::{self as release_store, ReleaseRow};
use hearth_store::{Window, users as user_store};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::RepoPage;
use crate::app::AppState;
use crate::service::access::AccessMode;
use crate::web::home::Pager;
use crate::web::page::{WebError, render, ser};

const PER_PAGE: i64 = 10;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

#[derive(Serialize)]
struct ReleaseItem {
    tag: String,
    title: String,
    sha: String,
    publisher: String,
    created_unix: i64,
    is_draft: bool,
    is_prerelease: bool,
    is_latest: bool,
    notes: Value,
}

/// The releases as the template shows them: publishers looked up once, notes rendered.
async fn items(state: &AppState, page: &RepoPage, rows: Vec<ReleaseRow>) -> Result<Vec<ReleaseItem>, WebError> {
    let mut h = state.db.acquire().await?;
    let latest = release_store::latest_id(h.conn(), page.ctx.repo.id).await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.publisher_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let publishers = user_store::by_ids(h.conn(), &ids).await?;
    let base = format!("{}{}/{}", state.links.external_url, page.ctx.owner.name, page.ctx.repo.name);
    Ok(rows
        .into_iter()
        .map(|r| ReleaseItem {
            publisher: publishers.iter().find(|u| u.id == r.publisher_id).map(|u| u.name.clone()).unwrap_or_default(),
            is_latest: latest == Some(r.id),
            notes: Value::from_safe_string(hearth_markup::render(&r.note, Some(&base))),
            title: if r.title.is_empty() { r.tag_name.clone() } else { r.title },
            tag: r.tag_name,
            sha: r.sha1,
            created_unix: r.created_unix,
            is_draft: r.is_draft,
            is_prerelease: r.is_prerelease,
        })
        .collect())
}

pub async fn list(
    State(state): State<AppState>,
    page: RepoPage,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let writer = page.ctx.mode >= AccessMode::Write;
    let number = q.page.max(1);
    let w = Window { limit: PER_PAGE, offset: (number - 1) * PER_PAGE };
    let (rows, total) = {
        let mut h = state.db.acquire().await?;
        release_store::list_newest(h.conn(), page.ctx.repo.id, writer, w).await?
    };
    let releases = items(&state, &page, rows).await?;
    render(
        &page.viewer,
        "repo/releases.html",
        context! {
            repo => page.header(&state, "releases").await?,
            releases => ser(&releases),
            single => false,
            pager => ser(&Pager::new(number, PER_PAGE, total)),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, tag)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let writer = page.ctx.mode >= AccessMode::Write;
    let row = {
        let mut h = state.db.acquire().await?;
        release_store::by_tag(h.conn(), page.ctx.repo.id, &tag).await?
    };
    let row = row.filter(|r| writer || !r.is_draft).ok_or(WebError::NotFound)?;
    let releases = items(&state, &page, vec![row]).await?;
    render(
        &page.viewer,
        "repo/releases.html",
        context! {
            repo => page.header(&state, "releases").await?,
            releases => ser(&releases),
            single => true,
            pager => context! {},
        },
    )
}
