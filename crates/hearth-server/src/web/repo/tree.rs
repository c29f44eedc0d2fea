//! `/OWNER/REPO/src/REF/PATH` (a directory or a file) and `/OWNER/REPO/raw/REF/PATH`.

use std::path::PathBuf;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use hearth_git::read::{self, EntryType, PathContent, TreeEntry};
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::RepoPage;
use crate::api::v1::contents::{image_type, is_text, raw_file_response};
use crate::app::AppState;
use crate::service::git_blocking;
use crate::web::page::{WebError, render, ser};

/// Files larger than this are not shown inline ("File too large to display").
const MAX_SHOWN_BYTES: u64 = 1 << 20;
/// History beyond this is shown as "N+ commits".
const COMMIT_COUNT_CAP: usize = 10_000;
/// The branch switcher lists at most this many branches.
const SWITCHER_BRANCHES: usize = 100;

/// A revision the page resolved: the name shown and linked (branch, tag or SHA) and its commit.
pub struct Resolved {
    pub ref_name: String,
    pub commit: String,
    pub path: String,
}

/// `REF/PATH`: the longest branch or tag that prefixes it (read::split_ref_and_path), else a
/// commit id (7 to 40 hex) as the first segment.
pub async fn resolve(dir: PathBuf, rest: String) -> Result<Resolved, WebError> {
    git_blocking(move || {
        if let Some((commit, path)) = read::split_ref_and_path(&dir, &rest)? {
            let ref_len = rest.len() - path.len();
            let ref_name = rest[..ref_len].trim_end_matches('/').to_string();
            return Ok(Some(Resolved { ref_name, commit, path }));
        }
        let (first, path) = rest.split_once('/').unwrap_or((&rest, ""));
        if (7..=40).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_hexdigit())
            && let Some(commit) = read::resolve_commit(&dir, first)?
        {
            return Ok(Some(Resolved { ref_name: first.to_string(), commit, path: path.to_string() }));
        }
        Ok(None)
    })
    .await?
    .ok_or(WebError::NotFound)
}

#[derive(Serialize)]
struct Entry {
    name: String,
    path: String,
    kind: &'static str,
    size: u64,
    /// The last commit that changed the entry, when the walk reached it.
    commit: Option<EntryCommit>,
}

#[derive(Serialize)]
struct EntryCommit {
    sha: String,
    subject: String,
    time: i64,
}

fn entries(dir_path: &str, children: &[TreeEntry], last: &super::last_commit::ByName) -> Vec<Entry> {
    let mut out: Vec<Entry> = children
        .iter()
        .map(|c| Entry {
            name: c.name.clone(),
            path: if dir_path.is_empty() { c.name.clone() } else { format!("{dir_path}/{}", c.name) },
            kind: match c.kind {
                EntryType::Dir => "dir",
                EntryType::Submodule => "submodule",
                EntryType::Symlink => "symlink",
                _ => "file",
            },
            size: c.size,
            commit: last.get(&c.name).map(|i| EntryCommit {
                sha: i.id.clone(),
                subject: i.message.lines().next().unwrap_or("").to_string(),
                time: i.committer_time,
            }),
        })
        .collect();
    out.sort_by(|a, b| (a.kind != "dir").cmp(&(b.kind != "dir")).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The README of a directory, by GitHub's and Gogs' preference: `README.md`, then any
/// `readme.*`, then `README`.
fn readme_of(children: &[TreeEntry]) -> Option<&TreeEntry> {
    let files = || children.iter().filter(|c| matches!(c.kind, EntryType::File | EntryType::Executable));
    files()
        .find(|c| c.name.eq_ignore_ascii_case("readme.md"))
        .or_else(|| files().find(|c| c.name.to_ascii_lowercase().starts_with("readme.")))
        .or_else(|| files().find(|c| c.name.eq_ignore_ascii_case("readme")))
}

fn is_markdown(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".md", ".markdown", ".mdown", ".mkd"].iter().any(|ext| lower.ends_with(ext))
}

/// A README (or any Markdown file) as HTML: Markdown rendered and sanitised like the API's
/// `/markdown`; other text shown as preformatted text by the template.
fn render_readme(state: &AppState, page: &RepoPage, name: &str, data: &[u8]) -> Value {
    let text = String::from_utf8_lossy(data);
    if is_markdown(name) {
        let base = format!("{}{}/{}", state.links.external_url, page.ctx.owner.name, page.ctx.repo.name);
        context! { name, html => Value::from_safe_string(hearth_markup::render(&text, Some(&base))) }
    } else {
        context! { name, text => text.into_owned() }
    }
}

/// The repository's refs for the header: branch names for the switcher, and counts.
#[derive(Serialize)]
pub struct RefSummary {
    pub branches: Vec<String>,
    pub branch_count: usize,
    pub tag_count: usize,
    pub commit_count: usize,
    pub commit_count_capped: bool,
}

pub async fn ref_summary(dir: PathBuf, commit: String) -> Result<RefSummary, WebError> {
    Ok(git_blocking(move || {
        let (branches, branch_count) = hearth_git::refs_with_prefix(&dir, "heads/", 0, SWITCHER_BRANCHES)?;
        let (_, tag_count) = hearth_git::refs_with_prefix(&dir, "tags/", 0, 0)?;
        let commit_count = read::count_commits(&dir, &commit, COMMIT_COUNT_CAP)?.unwrap_or(0);
        Ok(RefSummary {
            branches: branches.into_iter().map(|r| r.name.trim_start_matches("refs/heads/").to_string()).collect(),
            branch_count,
            tag_count,
            commit_count,
            commit_count_capped: commit_count >= COMMIT_COUNT_CAP,
        })
    })
    .await?)
}

/// Directories with more entries than this show no "last commit" column.
const MAX_LAST_COMMIT_ENTRIES: usize = 1_000;

/// A directory page: the home page's body for any directory of any revision.
pub async fn dir_page(
    state: &AppState,
    page: &RepoPage,
    at: &Resolved,
    children: &[TreeEntry],
    is_home: bool,
) -> Result<Response, WebError> {
    let readme = match readme_of(children) {
        Some(entry) if entry.size <= MAX_SHOWN_BYTES => {
            let (dir, id) = (page.ctx.dir().to_path_buf(), entry.id.clone());
            let data = git_blocking(move || read::blob(&dir, &id)).await?.unwrap_or_default();
            Some(render_readme(state, page, &entry.name, &data))
        }
        _ => None,
    };
    let refs = ref_summary(page.ctx.dir().to_path_buf(), at.commit.clone()).await?;
    // Huge directories show no last commits: the column would add megabytes to the page.
    let last = if children.len() > MAX_LAST_COMMIT_ENTRIES {
        Default::default()
    } else {
        super::last_commit::of_dir(page.ctx.dir().to_path_buf(), at.commit.clone(), at.path.clone()).await?
    };
    let urls = state.links.repo_urls(&page.ctx.owner.name, &page.ctx.repo.name);
    render(
        &page.viewer,
        "repo/home.html",
        context! {
            repo => page.header(state, "code").await?,
            is_home,
            ref_name => at.ref_name.clone(),
            path => at.path.clone(),
            crumbs => ser(&crumbs(&at.path)),
            files => ser(&entries(&at.path, children, &last)),
            readme,
            refs => ser(&refs),
            clone_url => urls.clone,
            ssh_url => state.config.ssh.start.then_some(urls.ssh),
        },
    )
}

/// The breadcrumb's parents: `(name, path)` for each directory above and including `path`.
fn crumbs(path: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut so_far = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if !so_far.is_empty() {
            so_far.push('/');
        }
        so_far.push_str(part);
        out.push((part.to_string(), so_far.clone()));
    }
    out
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SrcQuery {
    display: String,
}

pub async fn src(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, rest)): Path<(String, String, String)>,
    Query(q): Query<SrcQuery>,
) -> Result<Response, WebError> {
    let at = resolve(page.ctx.dir().to_path_buf(), rest).await?;
    let (dir, commit, path) = (page.ctx.dir().to_path_buf(), at.commit.clone(), at.path.clone());
    let content = git_blocking(move || read::lookup(&dir, &commit, &path)).await?.ok_or(WebError::NotFound)?;
    match content {
        PathContent::Dir { children, .. } => dir_page(&state, &page, &at, &children, false).await,
        PathContent::Submodule { .. } => Err(WebError::NotFound),
        PathContent::Blob { entry, data } => {
            // A file stored with Git LFS is shown as its object (when this repository has it).
            let file = match crate::lfs_content::resolve(&state, page.ctx.repo.id, &data).await {
                Some(object) => File {
                    data: crate::lfs_content::read_small(&object, MAX_SHOWN_BYTES).await.unwrap_or_default(),
                    size: object.size,
                    lfs: true,
                },
                None => File { size: data.len() as u64, data, lfs: false },
            };
            file_page(&state, &page, &at, &entry, &file, q.display == "source").await
        }
    }
}

/// A file's content as its page shows it: its bytes (an LFS object's, when it is one, unless too
/// large to show), its size, and whether it is stored with Git LFS.
struct File {
    data: Vec<u8>,
    size: u64,
    lfs: bool,
}

async fn file_page(
    state: &AppState,
    page: &RepoPage,
    at: &Resolved,
    entry: &TreeEntry,
    file: &File,
    source: bool,
) -> Result<Response, WebError> {
    let (data, size) = (&file.data[..], file.size);
    let kind = if size > MAX_SHOWN_BYTES {
        "too_large"
    } else if image_type(data).is_some() {
        "image"
    } else if !is_text(data) {
        "binary"
    } else if is_markdown(&entry.name) && !source {
        "markdown"
    } else {
        "text"
    };
    let text = (kind == "text" || kind == "markdown").then(|| String::from_utf8_lossy(data).into_owned());
    let line_count = text.as_deref().map_or(0, |t| t.lines().count());
    let markdown = (kind == "markdown").then(|| render_readme(state, page, &entry.name, data));
    let lines: Vec<&str> = if kind == "text" { text.as_deref().unwrap_or("").lines().collect() } else { Vec::new() };
    let highlighted = match (&text, kind) {
        (Some(t), "text") => {
            let (name, id, t) = (entry.name.clone(), entry.id.clone(), t.clone());
            tokio::task::spawn_blocking(move || crate::web::highlight::lines(&name, &id, &t))
                .await
                .map_err(anyhow::Error::from)?
        }
        _ => None,
    };
    render(
        &page.viewer,
        "repo/file.html",
        context! {
            repo => page.header(state, "code").await?,
            ref_name => at.ref_name.clone(),
            path => at.path.clone(),
            name => entry.name.clone(),
            crumbs => ser(&crumbs(&at.path)),
            kind,
            size,
            lfs => file.lfs,
            line_count,
            lines => ser(&lines),
            highlighted => highlighted.as_deref().map(ser),
            markdown,
            is_markdown => is_markdown(&entry.name),
        },
    )
}

pub async fn raw(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, rest)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let at = resolve(page.ctx.dir().to_path_buf(), rest).await?;
    let (dir, commit, path) = (page.ctx.dir().to_path_buf(), at.commit.clone(), at.path.clone());
    match git_blocking(move || read::lookup(&dir, &commit, &path)).await? {
        Some(PathContent::Blob { entry, data }) => {
            match crate::lfs_content::resolve(&state, page.ctx.repo.id, &data).await {
                Some(object) => Ok(crate::lfs_content::raw_response(&entry.name, &object).await),
                None => Ok(raw_file_response(&entry.name, data)),
            }
        }
        _ => Err(WebError::NotFound),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SwitchQuery {
    branch: String,
}

/// The branch switcher's GET form: `/src?branch=B` → `/src/B`.
pub async fn switch(page: RepoPage, Query(q): Query<SwitchQuery>) -> Result<Response, WebError> {
    let branch = if q.branch.is_empty() { page.ctx.repo.default_branch.clone() } else { q.branch };
    if !hearth_git::names::is_valid_ref_name(&branch) {
        return Err(WebError::NotFound);
    }
    Err(WebError::Redirect(format!("/{}/{}/src/{branch}", page.ctx.owner.name, page.ctx.repo.name)))
}

/// `/OWNER/REPO/archive/REF.zip` (or `.tar.gz`): the API's archive, for the page's links.
pub async fn archive(
    State(state): State<AppState>,
    page: RepoPage,
    Path((_, _, name)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    match crate::api::v1::archive::archive_response(&state, &page.ctx, &name).await {
        Ok(resp) => Ok(resp),
        Err(crate::error::ApiError::Internal(e)) => Err(WebError::Internal(e)),
        // A missing ref or an unknown format: the archive API's only other answer.
        Err(_) => Err(WebError::NotFound),
    }
}
