//! Commits: the history list, one commit, and the reference-to-SHA lookup go-gogs-client's
//! `GetReferenceSHA` relies on.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use hearth_git::read::{self, CommitDetail};
use hearth_store::users::{self as user_store, UserRow};

use super::{RepoCtx, git_find};
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{ListParams, RepoPath, TokenUser};
use crate::types::{Commit, CommitMeta, CommitUser, RepoCommit, User, rfc3339_with_offset};

const DEFAULT_PAGE_SIZE: i64 = 30;
const MAX_PAGE_SIZE: i64 = 100;

/// Build API commits, resolving each distinct e-mail to an account once.
pub(super) async fn to_api(
    state: &AppState,
    ctx: &RepoCtx,
    req: (&str, &str),
    commits: Vec<CommitDetail>,
) -> ApiResult<Vec<Commit>> {
    let api_repo = format!("{}/repos/{}/{}", state.links.api_url, req.0, req.1);
    let html = state.links.repo_urls(&ctx.owner.name, &ctx.repo.name).html;
    let mut accounts: Vec<(String, Option<UserRow>)> = Vec::new();
    let mut h = state.db.acquire().await?;
    for c in &commits {
        for email in [&c.info.author_email, &c.info.committer_email] {
            if !accounts.iter().any(|(e, _)| e == email) {
                accounts.push((email.clone(), user_store::by_activated_email(h.conn(), email).await?));
            }
        }
    }
    let user = |email: &str| {
        accounts
            .iter()
            .find(|(e, _)| e == email)
            .and_then(|(_, u)| u.as_ref())
            .map(|u| User::new(&state.links, u, true))
    };
    Ok(commits
        .into_iter()
        .map(|c| {
            let url = format!("{api_repo}/commits/{}", c.info.id);
            let subject = c.info.message.lines().next().unwrap_or("").to_string();
            Commit {
                sha: c.info.id.clone(),
                html_url: format!("{html}/commits/{}", c.info.id),
                commit: RepoCommit {
                    url: url.clone(),
                    author: CommitUser {
                        name: c.info.author_name.clone(),
                        email: c.info.author_email.clone(),
                        date: rfc3339_with_offset(c.info.author_time, c.info.author_offset),
                    },
                    committer: CommitUser {
                        name: c.info.committer_name.clone(),
                        email: c.info.committer_email.clone(),
                        date: rfc3339_with_offset(c.info.committer_time, c.info.committer_offset),
                    },
                    message: subject,
                    tree: CommitMeta { url: format!("{api_repo}/git/trees/{}", c.tree), sha: c.tree.clone() },
                },
                author: user(&c.info.author_email),
                committer: user(&c.info.committer_email),
                parents: c
                    .parents
                    .iter()
                    .map(|p| CommitMeta { url: format!("{api_repo}/commits/{p}"), sha: p.clone() })
                    .collect(),
                url,
            }
        })
        .collect())
}

/// History from the default branch (or `?sha=`, only commits touching `?path=`), newest first: `pageSize` commits (Gogs; default
/// 30, at most 100 here), or `page`/`limit` as extensions. An empty repository has none.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/commits", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("pageSize" = Option<i64>, Query),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query), ("sha" = Option<String>, Query),
        ("path" = Option<String>, Query)),
    responses((status = 200, body = [Commit]), (status = 401), (status = 404)))]
pub async fn list_commits(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((owner, repo)): Path<(String, String)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Json<Vec<Commit>>> {
    if ctx.repo.is_bare {
        return Ok(Json(Vec::new()));
    }
    let size = params
        .get("pageSize")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(params.limit)
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let page = params.page.filter(|p| *p > 0).unwrap_or(1);
    let rev = params.get("sha").filter(|s| !s.is_empty()).unwrap_or(&ctx.repo.default_branch).to_string();
    let dir = ctx.dir().to_path_buf();
    let skip = ((page - 1) * size) as usize;
    let file_path = params.get("path").filter(|p| !p.is_empty()).map(str::to_string);
    let commits = match file_path {
        Some(fp) => git_find(move || read::log_path(&dir, &rev, &fp, skip, size as usize)).await?,
        None => git_find(move || read::log(&dir, &rev, skip, size as usize)).await?,
    };
    Ok(Json(to_api(&state, &ctx, (&owner, &repo), commits).await?))
}

/// One commit (`:sha` is any revision), or with `Accept: application/vnd.gogs.sha` — and always
/// for multi-segment names such as `refs/heads/x` — the commit id a branch or tag names, as text.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/commits/{sha}", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path)),
    responses((status = 200, body = Commit), (status = 401), (status = 404)))]
pub async fn get_commit(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let dir = ctx.dir().to_path_buf();
    let wants_sha = sha.contains('/')
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/vnd.gogs.sha"));
    if wants_sha {
        let id = git_find(move || read::ref_commit(&dir, &sha)).await?;
        return Ok(([(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], id).into_response());
    }
    let found = git_find(move || read::commit(&dir, &sha)).await?;
    let mut list = to_api(&state, &ctx, (&owner, &repo), vec![found]).await?;
    Ok(Json(list.remove(0)).into_response())
}
