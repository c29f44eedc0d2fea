//! Commit comments (GitHub's "commit comments", planned in Gogs' list):
//! `/repos/:o/:r/comments[/:id]` and `/repos/:o/:r/commits/:sha/comments`.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hearth_store::commit_comments::{self as store, CommitCommentRow};
use hearth_store::users::UserRow;
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, LateBody, ListParams, Page, Paged, RepoPath, TokenUser, Validator};
use crate::service::commit_comments::{self as service, Commenter, NewComment};
use crate::service::issue_view::{ghost, users_by_id};
use crate::types::{CommitComment, User, rfc3339};

/// GitHub's body for a new commit comment (`position` is kept as given; hearth has no diff view).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateCommitCommentOption {
    pub body: String,
    pub path: Option<String>,
    pub line: Option<i64>,
    pub position: Option<i64>,
}

/// GitHub's body for an edit: the new text.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditCommitCommentOption {
    pub body: String,
}

fn commenter<'a>(ctx: &'a RepoCtx, me: &'a UserRow) -> Commenter<'a> {
    Commenter { repo: &ctx.repo, dir: ctx.dir().to_path_buf(), mode: ctx.mode, doer: me }
}

async fn to_json(state: &AppState, ctx: &RepoCtx, rows: &[CommitCommentRow]) -> ApiResult<Vec<CommitComment>> {
    let people = {
        let mut h = state.db.acquire().await?;
        users_by_id(h.conn(), rows.iter().map(|r| r.poster_id)).await?
    };
    let (owner, repo) = (&ctx.owner.name, &ctx.repo.name);
    let html = state.links.repo_urls(owner, repo).html;
    Ok(rows
        .iter()
        .map(|r| CommitComment {
            html_url: format!("{html}/commit/{}#commitcomment-{}", r.commit_sha, r.id),
            url: format!("{}/repos/{owner}/{repo}/comments/{}", state.links.api_url, r.id),
            id: r.id,
            body: r.body.clone(),
            path: r.path.clone(),
            position: r.position,
            line: r.line,
            commit_id: r.commit_sha.clone(),
            user: people.get(&r.poster_id).map(|u| User::new(&state.links, u, true)).unwrap_or_else(|| ghost(state)),
            created_at: rfc3339(r.created_unix),
            updated_at: rfc3339(r.updated_unix),
        })
        .collect())
}

async fn one_json(state: &AppState, ctx: &RepoCtx, row: CommitCommentRow) -> ApiResult<CommitComment> {
    to_json(state, ctx, std::slice::from_ref(&row)).await?.pop().ok_or_else(ApiError::not_found)
}

/// Every commit comment of the repository, oldest first (anonymous for public repositories, as
/// routes.tsv has it).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/comments", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [CommitComment]), (status = 401), (status = 404)))]
pub async fn list_repo_commit_comments(
    State(state): State<AppState>,
    Auth(_who): Auth,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<CommitComment>> {
    let page = params.optional();
    let (rows, total) = {
        let mut h = state.db.acquire().await?;
        store::of_repo(h.conn(), ctx.repo.id, Page::window_of(page)).await?
    };
    Ok(Paged::list(to_json(&state, &ctx, &rows).await?, total, &params, page))
}

/// `GET …/commits/{*sha}` (a wildcard: Gogs' commit lookup takes reference names with slashes):
/// `<id>/comments`, where `<id>` is a (possibly abbreviated) commit id and the caller does not ask
/// for `application/vnd.gogs.sha`, lists that commit's comments; everything else — including a
/// reference whose name ends in `/comments` — is the commit lookup.
pub async fn get_commit_or_comments(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((owner, repo, rest)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    headers: HeaderMap,
    params: ListParams,
) -> ApiResult<Response> {
    let wants_sha = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/vnd.gogs.sha"));
    // Gitea's `…/commits/:ref/statuses` and `…/commits/:ref/status` (the ref may hold slashes).
    if !wants_sha && let Some(r) = rest.strip_suffix("/statuses").filter(|r| !r.is_empty()) {
        return Ok(super::statuses::list_of_ref(&state, &ctx, r, &params).await?.into_response());
    }
    if !wants_sha && let Some(r) = rest.strip_suffix("/status").filter(|r| !r.is_empty()) {
        return Ok(super::statuses::combined_of_ref(&state, &ctx, r).await?.into_response());
    }
    if let Some(sha) = comments_of(&rest)
        && !wants_sha
        && service::resolve_commit(ctx.dir().to_path_buf(), sha).await.is_ok()
    {
        let sha = sha.to_string();
        let list = list_commit_comments(State(state), TokenUser(me), Path((owner, repo, sha)), RepoPath(ctx), params);
        return Ok(list.await?.into_response());
    }
    super::commits::get_commit(State(state), TokenUser(me), Path((owner, repo, rest)), RepoPath(ctx), headers).await
}

/// The `<sha>` of a wildcard `<sha>/comments` (one segment before `/comments`).
fn comments_of(rest: &str) -> Option<&str> {
    rest.strip_suffix("/comments").filter(|sha| !sha.is_empty() && !sha.contains('/'))
}

/// The comments of one commit (`:sha` full or abbreviated), oldest first; served through
/// [`get_commit_or_comments`] on the commit lookup's wildcard route.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/commits/{sha}/comments", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path),
        ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [CommitComment]), (status = 401), (status = 404)))]
pub async fn list_commit_comments(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, sha)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<CommitComment>> {
    let full = service::resolve_commit(ctx.dir().to_path_buf(), &sha).await?;
    let page = params.optional();
    let (rows, total) = {
        let mut h = state.db.acquire().await?;
        store::of_commit(h.conn(), ctx.repo.id, &full, Page::window_of(page)).await?
    };
    Ok(Paged::list(to_json(&state, &ctx, &rows).await?, total, &params, page))
}

/// Comment on a commit (any signed-in reader). The commit must exist (404); `path`, when given, must
/// exist in its tree, and `line`/`position` need a path and must be at least 1 (422).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/commits/{sha}/comments", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("sha" = String, Path)),
    request_body = CreateCommitCommentOption,
    responses((status = 201, body = CommitComment), (status = 401), (status = 404), (status = 422), (status = 423)))]
pub async fn create_commit_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, rest)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<CommitComment>)> {
    // Mounted on the `…/commits/{*sha}` wildcard: only `<sha>/comments` is a route.
    let sha = comments_of(&rest).ok_or_else(ApiError::not_found)?;
    let opt: CreateCommitCommentOption = body.parse()?;
    Validator::new().required("Body", &opt.body).finish()?;
    let new = NewComment { body: opt.body, path: opt.path, line: opt.line, position: opt.position };
    let row = service::create(&state, &commenter(&ctx, &me), sha, &new).await?;
    Ok((StatusCode::CREATED, Json(one_json(&state, &ctx, row).await?)))
}

/// One commit comment of the repository.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/comments/{id}", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = CommitComment), (status = 401), (status = 404)))]
pub async fn get_commit_comment(
    State(state): State<AppState>,
    Auth(_who): Auth,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<CommitComment>> {
    let row = {
        let mut h = state.db.acquire().await?;
        store::by_id(h.conn(), ctx.repo.id, id).await?.ok_or_else(ApiError::not_found)?
    };
    Ok(Json(one_json(&state, &ctx, row).await?))
}

/// Change a commit comment's text (its poster or a repository admin).
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/comments/{id}", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    request_body = EditCommitCommentOption,
    responses((status = 200, body = CommitComment), (status = 401), (status = 403), (status = 404), (status = 422),
        (status = 423)))]
pub async fn edit_commit_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<CommitComment>> {
    let opt: EditCommitCommentOption = body.parse()?;
    Validator::new().required("Body", &opt.body).finish()?;
    let row = service::edit(&state, &commenter(&ctx, &me), id, &opt.body).await?;
    Ok(Json(one_json(&state, &ctx, row).await?))
}

/// Delete a commit comment (its poster or a repository admin).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/comments/{id}", tag = "commits",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 423)))]
pub async fn delete_commit_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    service::delete(&state, &commenter(&ctx, &me), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
