//! `/OWNER/REPO/commits/REF[/PATH]` (history) and `/OWNER/REPO/commit/SHA` (one commit and its
//! diff; `.diff` and `.patch` as text).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use hearth_git::diff::{self, CommitDiff};
use hearth_git::read::{self, CommitDetail};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::RepoPage;
use super::tree::resolve;
use crate::app::AppState;
use crate::service::git_blocking;
use crate::web::home::Pager;
use crate::web::page::{WebError, render, ser};

const PER_PAGE: usize = 30;
/// Diff lines shown on a commit page before the rest is cut (with a link to the raw diff).
pub const MAX_DIFF_LINES: usize = 5_000;

#[derive(Serialize)]
struct CommitItem {
    sha: String,
    subject: String,
    author: String,
    time: i64,
}

impl CommitItem {
    fn new(c: &CommitDetail) -> CommitItem {
        CommitItem {
            sha: c.info.id.clone(),
            subject: c.info.message.lines().next().unwrap_or("").to_string(),
            author: c.info.author_name.clone(),
            time: c.info.author_time,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: i64,
}

pub async fn list(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, rest)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let at = resolve(page.ctx.dir().to_path_buf(), rest).await?;
    let n = q.page.max(1);
    let skip = (n as usize - 1) * PER_PAGE;
    let (dir, commit, path) = (page.ctx.dir().to_path_buf(), at.commit.clone(), at.path.clone());
    // One more than a page tells whether there is a next one.
    let commits = git_blocking(move || {
        if path.is_empty() {
            read::log(&dir, &commit, skip, PER_PAGE + 1)
        } else {
            read::log_path(&dir, &commit, &path, skip, PER_PAGE + 1)
        }
    })
    .await?
    .ok_or(WebError::NotFound)?;
    let has_next = commits.len() > PER_PAGE;
    let items: Vec<CommitItem> = commits.iter().take(PER_PAGE).map(CommitItem::new).collect();
    let pager = Pager { page: n, prev: (n > 1).then_some(n - 1), next: has_next.then_some(n + 1) };
    render(
        &page.viewer,
        "repo/commits.html",
        context! {
            repo => page.header(&state, "code").await?,
            ref_name => at.ref_name.clone(),
            path => at.path.clone(),
            commits => ser(&items),
            pager => ser(&pager),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, sha)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (sha, format) = match sha.rsplit_once('.') {
        Some((s, f @ ("diff" | "patch"))) => (s.to_string(), Some(f)),
        _ => (sha, None),
    };
    if !(4..=40).contains(&sha.len()) || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(WebError::NotFound);
    }
    let dir = page.ctx.dir().to_path_buf();
    let budget = if format.is_some() { usize::MAX } else { MAX_DIFF_LINES };
    let d = git_blocking(move || diff::commit_diff(&dir, &sha, budget)).await?.ok_or(WebError::NotFound)?;
    match format {
        Some("diff") => Ok(text(diff::unified_text(&d))),
        Some(_) => Ok(text(diff::format_patch(&d))),
        None => commit_page(&state, &page, &d).await,
    }
}

fn text(body: String) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    resp
}

/// Changed files as the diff partial (`repo/diff.html`) shows them.
pub fn diff_files(files: &[diff::FileDiff]) -> Vec<minijinja::Value> {
    files
        .iter()
        .map(|f| {
            context! {
                path => f.path.clone(),
                status => f.status,
                binary => f.binary,
                cut => f.cut,
                additions => f.additions,
                deletions => f.deletions,
                hunks => f.hunks.iter().map(|h| context! {
                    header => h.header.clone(),
                    lines => h.lines.iter().map(|l| context! {
                        kind => match l.kind { '+' => "add", '-' => "del", _ => "ctx" },
                        sign => l.kind.to_string(),
                        old => l.old, new => l.new, text => l.text.clone(),
                    }).collect::<Vec<_>>(),
                }).collect::<Vec<_>>(),
            }
        })
        .collect()
}

async fn commit_page(state: &AppState, page: &RepoPage, d: &CommitDiff) -> Result<Response, WebError> {
    let c = &d.detail.info;
    let mut lines = c.message.lines();
    let subject = lines.next().unwrap_or("").to_string();
    let body = lines.collect::<Vec<_>>().join("\n").trim().to_string();
    let files = diff_files(&d.files);
    render(
        &page.viewer,
        "repo/commit.html",
        context! {
            repo => page.header(state, "code").await?,
            sha => c.id.clone(),
            subject,
            body,
            author => c.author_name.clone(),
            author_time => c.author_time,
            committer => c.committer_name.clone(),
            committer_time => c.committer_time,
            parents => ser(&d.detail.parents),
            files,
            additions => d.additions,
            deletions => d.deletions,
            cut => d.cut,
        },
    )
}
