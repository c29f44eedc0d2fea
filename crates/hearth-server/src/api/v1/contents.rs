//! Reading repository content in-process: `contents`, `raw`, `git/trees`, `git/blobs`.

use crate::json::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hearth_git::read::{self, EntryType, PathContent, TreeEntry};

use super::{RepoCtx, git_blocking, git_find};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, RepoPath, TokenUser, Validator};
use crate::lfs_content;
use crate::service::access::AccessMode;
use crate::service::contents::{self, FileChange};
use crate::types::{ContentLinks, GitBlob, GitTree, GitTreeEntry, PutContentsResult, RepoContent};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

struct ContentUrls<'a> {
    api_repo: String,
    html_repo: String,
    reference: &'a str,
}

impl ContentUrls<'_> {
    fn content(&self, entry: &TreeEntry, path: &str, body: Option<&[u8]>, extra: Extra) -> RepoContent {
        let url = format!("{}/contents/{path}", self.api_repo);
        let git_url = match entry.kind {
            EntryType::Dir => format!("{}/git/trees/{}", self.api_repo, entry.id),
            EntryType::File | EntryType::Executable => format!("{}/git/blobs/{}", self.api_repo, entry.id),
            EntryType::Symlink | EntryType::Submodule => String::new(),
        };
        let html_url = format!("{}/src/{}/{path}", self.html_repo, self.reference);
        let (kind, encoding, content, target, size) = match entry.kind {
            EntryType::File | EntryType::Executable => {
                ("file", Some("base64".to_string()), body.map(b64), None, entry.size)
            }
            EntryType::Dir => ("dir", None, None, None, 0),
            EntryType::Symlink => {
                let target = body.map(|b| String::from_utf8_lossy(b).into_owned());
                let size = target.as_ref().map(|t| t.len() as u64).unwrap_or(entry.size);
                ("symlink", None, None, target, size)
            }
            EntryType::Submodule => ("submodule", None, None, None, 0),
        };
        RepoContent {
            kind: kind.to_string(),
            target,
            submodule_git_url: match extra {
                Extra::SubmoduleUrl(u) => Some(u),
                Extra::None => None,
            },
            encoding,
            size,
            name: entry.name.clone(),
            path: path.to_string(),
            content,
            sha: entry.id.clone(),
            links: ContentLinks { git: git_url.clone(), self_: url.clone(), html: html_url.clone() },
            url,
            git_url,
            download_url: format!("{}/raw/{}/{path}", self.html_repo, self.reference),
            html_url,
        }
    }
}

/// What a contents request found, read in one blocking call: the object, a listing's entries with
/// their bytes, and a submodule's URL.
struct Found {
    content: PathContent,
    children: Vec<(TreeEntry, Option<Vec<u8>>)>,
    submodule_url: Option<String>,
}

enum Extra {
    None,
    SubmoduleUrl(String),
}

fn query_param(query: &Option<String>, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref()?).ok()?;
    pairs.into_iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v)
}

async fn contents(
    state: AppState,
    ctx: RepoCtx,
    req_owner: &str,
    req_repo: &str,
    file_path: String,
    query: Option<String>,
) -> ApiResult<Response> {
    if ctx.repo.is_bare {
        return Err(ApiError::not_found());
    }
    let reference = query_param(&query, "ref").unwrap_or_else(|| ctx.repo.default_branch.clone());
    let dir = ctx.dir().to_path_buf();
    let urls = ContentUrls {
        api_repo: format!("{}/repos/{req_owner}/{req_repo}", state.links.api_url),
        html_repo: format!("{}{}/{}", state.links.external_url, ctx.owner.name, ctx.repo.name),
        reference: &reference,
    };
    let (rev, path) = (reference.clone(), file_path.clone());
    let found = git_find(move || -> hearth_git::GitResult<Option<Found>> {
        let Some(found) = read::lookup(&dir, &rev, &path)? else { return Ok(None) };
        // A listing carries each file's content, as Gogs' does.
        let mut children = Vec::new();
        if let PathContent::Dir { children: entries, .. } = &found {
            let is_blob =
                |e: &TreeEntry| matches!(e.kind, EntryType::File | EntryType::Executable | EntryType::Symlink);
            let ids: Vec<&str> = entries.iter().filter(|e| is_blob(e)).map(|e| e.id.as_str()).collect();
            let mut bodies = read::blobs(&dir, &ids)?.into_iter();
            for e in entries {
                let body = if is_blob(e) { bodies.next().flatten() } else { None };
                children.push((e.clone(), body));
            }
        }
        let submodule = match &found {
            PathContent::Submodule { .. } => read::submodule_url(&dir, &rev, &path)?,
            _ => None,
        };
        Ok(Some(Found { content: found, children, submodule_url: submodule }))
    })
    .await?;
    let Found { content: found, children, submodule_url: submodule } = found;
    let prefix = if file_path.is_empty() { String::new() } else { format!("{}/", file_path.trim_matches('/')) };
    Ok(match found {
        PathContent::Dir { .. } => {
            let mut list = Vec::with_capacity(children.len());
            // One budget for the whole listing: a directory of large LFS files stays bounded.
            let mut budget = MAX_EMBEDDED_LFS;
            for (e, body) in &children {
                let mut content = urls.content(e, &format!("{prefix}{}", e.name), body.as_deref(), Extra::None);
                if let Some(body) = body.as_deref().filter(|_| e.kind != EntryType::Symlink) {
                    budget -= with_lfs_content(&state, ctx.repo.id, &mut content, body, budget).await;
                }
                list.push(content);
            }
            Json(list).into_response()
        }
        PathContent::Blob { entry, data } => {
            let mut content = urls.content(&entry, file_path.trim_matches('/'), Some(&data), Extra::None);
            with_lfs_content(&state, ctx.repo.id, &mut content, &data, MAX_EMBEDDED_LFS).await;
            Json(content).into_response()
        }
        PathContent::Submodule { entry } => {
            let extra = Extra::SubmoduleUrl(submodule.unwrap_or_default());
            Json(urls.content(&entry, file_path.trim_matches('/'), None, extra)).into_response()
        }
    })
}

/// Most LFS content a contents answer embeds (one file, or all of a listing's together); a file
/// beyond it is answered with its size and no `content` (its `download_url` serves it, streamed).
const MAX_EMBEDDED_LFS: u64 = 10 * 1024 * 1024;

/// A file stored with Git LFS is described by its object: the size the pointer gives and, when at
/// most `budget` bytes, the object's content instead of the pointer's. How many bytes it embedded.
async fn with_lfs_content(state: &AppState, repo_id: i64, content: &mut RepoContent, blob: &[u8], budget: u64) -> u64 {
    let Some(object) = lfs_content::resolve(state, repo_id, blob).await else { return 0 };
    content.size = object.size;
    match lfs_content::read_small(&object, budget).await {
        Some(data) => {
            content.content = Some(b64(&data));
            data.len() as u64
        }
        None => {
            content.content = None;
            content.encoding = None;
            0
        }
    }
}

/// The root directory of the default branch (or `?ref=`).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/contents", tag = "contents",
    params(("owner" = String, Path), ("repo" = String, Path), ("ref" = Option<String>, Query)),
    responses((status = 200, body = [RepoContent]), (status = 401), (status = 404)))]
pub async fn get_root_contents(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((owner, repo)): Path<(String, String)>,
    RepoPath(ctx): RepoPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    contents(state, ctx, &owner, &repo, String::new(), query).await
}

/// A file (base64 content), a directory (its entries), a symlink or a submodule.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/contents/{path}", tag = "contents",
    params(("owner" = String, Path), ("repo" = String, Path), ("path" = String, Path), ("ref" = Option<String>, Query)),
    responses((status = 200, body = RepoContent), (status = 401), (status = 404)))]
pub async fn get_contents(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((owner, repo, path)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    contents(state, ctx, &owner, &repo, path, query).await
}

/// Image types recognised by their first bytes (served inline); everything else that is not
/// text is an attachment.
pub(crate) fn image_type(data: &[u8]) -> Option<&'static str> {
    match data {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

pub(crate) fn is_text(data: &[u8]) -> bool {
    let head = &data[..data.len().min(8000)];
    !head.contains(&0)
        && (std::str::from_utf8(head).is_ok() || head.len() == 8000 && std::str::from_utf8(&head[..7996]).is_ok())
}

/// Raw bytes of `<ref>/<path>`: text as `text/plain` (HTML and SVG included, never rendered),
/// images inline, other files as attachments.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/raw/{refpath}", tag = "contents",
    params(("owner" = String, Path), ("repo" = String, Path), ("refpath" = String, Path, description = "<ref>/<path>")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 401), (status = 404)))]
pub async fn get_raw(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, refpath)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Response> {
    if ctx.repo.is_bare {
        return Err(ApiError::not_found());
    }
    let dir = ctx.dir().to_path_buf();
    let (entry, data) = git_find(move || {
        let Some((commit, path)) = read::split_ref_and_path(&dir, &refpath)? else { return Ok(None) };
        if path.is_empty() {
            return Ok(None);
        }
        Ok(match read::lookup(&dir, &commit, &path)? {
            Some(PathContent::Blob { entry, data }) => Some((entry, data)),
            _ => None,
        })
    })
    .await?;
    if let Some(object) = lfs_content::resolve(&state, ctx.repo.id, &data).await {
        return Ok(lfs_content::raw_response(&entry.name, &object).await);
    }
    Ok(raw_file_response(&entry.name, data))
}

/// A file's bytes as the raw endpoints answer them (API and web): text as `text/plain` (HTML and
/// SVG included, never rendered), images inline, other files as attachments.
pub(crate) fn raw_file_response(file_name: &str, data: Vec<u8>) -> Response {
    let headers = raw_headers(file_name, &data);
    let mut resp = (axum::http::StatusCode::OK, data).into_response();
    resp.headers_mut().extend(headers);
    resp
}

/// The raw endpoints' headers for a file that starts with `head` (its first 8,000 bytes suffice).
pub(crate) fn raw_headers(file_name: &str, head: &[u8]) -> axum::http::HeaderMap {
    let mut headers = axum::http::HeaderMap::new();
    if is_text(head) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    } else if let Some(image) = image_type(head) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(image));
    } else {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
        let name: String = file_name.chars().filter(|c| !c.is_control() && *c != '"' && *c != '\\').collect();
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        headers.insert("content-transfer-encoding", HeaderValue::from_static("binary"));
    }
    headers
}

/// One level of a tree-ish (tree or commit id, branch, tag); with `?recursive=1` every entry
/// below it, full paths, `per_page` (default and maximum 10,000) at a time (`page`, `truncated`).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/git/trees/{sha}", tag = "git",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path),
        ("recursive" = Option<bool>, Query), ("page" = Option<i64>, Query), ("per_page" = Option<i64>, Query)),
    responses((status = 200, body = GitTree), (status = 401), (status = 404)))]
pub async fn get_tree(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<GitTree>> {
    const MAX_PER_PAGE: i64 = 10_000;
    let dir = ctx.dir().to_path_buf();
    let rev = sha.clone();
    let recursive = query_param(&query, "recursive").is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let page = query_param(&query, "page").and_then(|v| v.parse::<i64>().ok()).filter(|p| *p > 0).unwrap_or(1);
    let per_page = query_param(&query, "per_page")
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(MAX_PER_PAGE)
        .min(MAX_PER_PAGE);
    let (entries, truncated) = if recursive {
        let upto = (page * per_page) as usize;
        let (all, more) = git_find(move || read::tree_recursive(&dir, &rev, upto)).await?;
        let start = ((page - 1) * per_page) as usize;
        let more = more || all.len() > upto;
        (all.into_iter().skip(start).collect::<Vec<_>>(), more)
    } else {
        (git_find(move || read::tree(&dir, &rev)).await?, false)
    };
    let api_repo = format!("{}/repos/{owner}/{repo}", state.links.api_url);
    let tree: Vec<GitTreeEntry> = entries
        .into_iter()
        .map(|e| GitTreeEntry {
            path: e.name,
            mode: e.kind.mode().to_string(),
            kind: match e.kind {
                EntryType::Dir => "tree",
                EntryType::Submodule => "commit",
                _ => "blob",
            }
            .to_string(),
            size: e.size,
            url: format!("{api_repo}/git/trees/{}", e.id),
            sha: e.id,
        })
        .collect();
    Ok(Json(GitTree {
        url: format!("{api_repo}/git/trees/{sha}"),
        sha,
        tree: if tree.is_empty() { None } else { Some(tree) },
        truncated,
        page,
    }))
}

/// A blob, base64-encoded.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/git/blobs/{sha}", tag = "git",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path)),
    responses((status = 200, body = GitBlob), (status = 401), (status = 404)))]
pub async fn get_blob(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<GitBlob>> {
    let dir = ctx.dir().to_path_buf();
    let id = sha.clone();
    let data = git_find(move || read::blob(&dir, &id)).await?;
    Ok(Json(GitBlob {
        content: b64(&data),
        encoding: "base64".into(),
        url: format!("{}/repos/{owner}/{repo}/git/blobs/{sha}", state.links.api_url),
        sha,
        size: data.len() as u64,
    }))
}

/// B9. PutContentsOption (`sha` is a GitHub-style extension: the blob the caller last saw).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PutContentsOption {
    pub message: String,
    pub content: String,
    pub branch: String,
    pub sha: Option<String>,
}

/// `DELETE …/contents/*` body (a Gitea/GitHub extension; `sha` optional here).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeleteContentsOption {
    pub message: String,
    pub branch: String,
    pub sha: Option<String>,
}

/// The answer to `DELETE …/contents/*`: the commit, and `content: null`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DeleteContentsResult {
    pub commit: crate::types::Commit,
    pub content: Option<RepoContent>,
}

/// What a committed change left behind, with its commit as the API shows it.
struct Changed {
    ctx: RepoCtx,
    target: String,
    blob: String,
    commit: crate::types::Commit,
}

/// The shared path of PUT and DELETE: the service's commit, rendered.
async fn commit_change(
    state: &AppState,
    me: &hearth_store::users::UserRow,
    ctx: RepoCtx,
    (owner, repo): (&str, &str),
    path: &str,
    change: FileChange,
) -> ApiResult<Changed> {
    let done = contents::commit_file(state, &ctx.owner, &ctx.repo, ctx.dir(), me, path, change).await?;
    let (dir, rev) = (ctx.dir().to_path_buf(), done.commit.clone());
    let detail = git_find(move || read::commit(&dir, &rev)).await?;
    let commit = super::commits::to_api(state, &ctx, (owner, repo), vec![detail]).await?.remove(0);
    Ok(Changed { ctx, target: done.branch, blob: done.blob, commit })
}

/// Create or update a file with a commit by the caller: onto the default branch, or onto a new
/// branch made from it (as Gogs). The commit emits the same push event a `git push` does.
#[utoipa::path(put, path = "/repos/{owner}/{repo}/contents/{path}", tag = "contents",
    params(("owner" = String, Path), ("repo" = String, Path), ("path" = String, Path)),
    request_body = PutContentsOption,
    responses((status = 201, body = PutContentsResult), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn put_contents(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, path)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(axum::http::StatusCode, Json<PutContentsResult>)> {
    // Guards before the body, as everywhere: a stranger learns nothing from validation errors.
    ctx.require(AccessMode::Write)?;
    let opt: PutContentsOption = body.parse()?;
    Validator::new().required("Message", &opt.message).required("Content", &opt.content).finish()?;
    let content = base64::engine::general_purpose::STANDARD
        .decode(opt.content.trim())
        .map_err(|_| ApiError::unprocessable("content is not valid base64"))?;
    let change = FileChange { message: opt.message, content: Some(content.clone()), branch: opt.branch, sha: opt.sha };
    let changed = commit_change(&state, &me, ctx, (&owner, &repo), &path, change).await?;
    let urls = ContentUrls {
        api_repo: format!("{}/repos/{owner}/{repo}", state.links.api_url),
        html_repo: format!("{}{}/{}", state.links.external_url, changed.ctx.owner.name, changed.ctx.repo.name),
        reference: &changed.target,
    };
    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
    let entry = TreeEntry { name, kind: EntryType::File, id: changed.blob.clone(), size: content.len() as u64 };
    let file = urls.content(&entry, &path, Some(&content), Extra::None);
    Ok((axum::http::StatusCode::CREATED, Json(PutContentsResult { commit: changed.commit, content: file })))
}

/// Delete a file with a commit by the caller (a Gitea/GitHub extension Gogs lacks), with the same
/// rules as PUT; a missing file is 404.
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/contents/{path}", tag = "contents",
    params(("owner" = String, Path), ("repo" = String, Path), ("path" = String, Path)),
    request_body = DeleteContentsOption,
    responses((status = 200, body = DeleteContentsResult), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn delete_contents(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, path)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<DeleteContentsResult>> {
    ctx.require(AccessMode::Write)?;
    let opt: DeleteContentsOption = body.parse()?;
    Validator::new().required("Message", &opt.message).finish()?;
    let change = FileChange { message: opt.message, content: None, branch: opt.branch, sha: opt.sha };
    let changed = commit_change(&state, &me, ctx, (&owner, &repo), &path, change).await?;
    Ok(Json(DeleteContentsResult { commit: changed.commit, content: None }))
}

/// The EditorConfig properties for a file name, from the `.editorconfig` at the tip of the
/// default branch (`{}` when no section matches; 404 without an `.editorconfig`).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/editorconfig/{filename}", tag = "contents",
    params(("owner" = String, Path), ("repo" = String, Path), ("filename" = String, Path)),
    responses((status = 200, body = crate::types::EditorconfigDefinition), (status = 401), (status = 404)))]
pub async fn get_editorconfig(
    State(_state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, filename)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<crate::types::EditorconfigDefinition>> {
    if ctx.repo.is_bare || filename.contains('/') || filename.is_empty() {
        return Err(ApiError::not_found());
    }
    let dir = ctx.dir().to_path_buf();
    let branch = ctx.repo.default_branch.clone();
    let limit = crate::service::editorconfig::MAX_BYTES as u64;
    let found = git_blocking(move || read::small_file(&dir, &branch, ".editorconfig", limit)).await?;
    // An oversized or unparsable file behaves like a missing one (Gogs answers 404 when it
    // cannot read the definition).
    let read::SmallFile::Data(data) = found else { return Err(ApiError::not_found()) };
    let props =
        crate::service::editorconfig::properties_blocking(data, filename).await.map_err(|_| ApiError::not_found())?;
    let flag = |k: &str| props.get(k).and_then(|v| v.parse::<bool>().ok());
    Ok(Json(crate::types::EditorconfigDefinition {
        charset: props.get("charset").cloned(),
        indent_style: props.get("indent_style").cloned(),
        indent_size: props.get("indent_size").cloned(),
        end_of_line: props.get("end_of_line").cloned(),
        tab_width: props.get("tab_width").and_then(|v| v.parse().ok()),
        trim_trailing_whitespace: flag("trim_trailing_whitespace"),
        insert_final_newline: flag("insert_final_newline"),
    }))
}
