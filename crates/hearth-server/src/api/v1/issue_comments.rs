//! Issue comments: `/repos/:o/:r/issues/:index/comments[/:id]` and `/repos/:o/:r/issues/comments[/:id]`.
//! Every route answers 404 while the repository's built-in tracker is off.

use std::collections::HashMap;

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::issues::{self as issue_store};
use hearth_store::users::UserRow;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::RepoCtx;
use super::issues::{tracker, tracker_on};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Page, Paged, RepoPath, TokenUser, Validator};
use crate::service::issue_view;
use crate::service::issues::{self};
use crate::types::Comment;

/// B12. CreateIssueCommentOption / EditIssueCommentOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct IssueCommentOption {
    pub body: String,
}

/// `?since=` (RFC 3339): entries updated at or after it; unparsable → 422.
fn since(params: &ListParams) -> ApiResult<i64> {
    match params.get("since").filter(|s| !s.is_empty()) {
        None => Ok(0),
        Some(s) => OffsetDateTime::parse(s, &Rfc3339)
            .map(|t| t.unix_timestamp())
            .map_err(|e| ApiError::unprocessable(format!("parsing time \"{s}\": {e}"))),
    }
}

async fn comments_json(
    state: &AppState,
    ctx: &RepoCtx,
    rows: &[issue_store::CommentRow],
    index: &HashMap<i64, i64>,
) -> ApiResult<Vec<Comment>> {
    let mut h = state.db.acquire().await?;
    Ok(issue_view::comments_json(state, h.conn(), &ctx.owner.name, &ctx.repo.name, rows, index).await?)
}

/// Plain comments of every issue of the repository, oldest first.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues/comments", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("since" = Option<String>, Query)),
    responses((status = 200, body = [Comment]), (status = 401), (status = 404), (status = 422)))]
pub async fn list_repo_comments(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Comment>> {
    let ctx = tracker_on(ctx)?;
    let since = since(&params)?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = issue_store::comments_of_repo(h.conn(), ctx.repo.id, since, Page::window_of(page)).await?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.issue_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let index: HashMap<i64, i64> = issue_store::indexes(h.conn(), &ids).await?.into_iter().collect();
    drop(h);
    Ok(Paged::list(comments_json(&state, &ctx, &rows, &index).await?, total, &params, page))
}

/// Plain comments of one issue, oldest first (the close/reopen entries are left out).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues/{index}/comments", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("since" = Option<String>, Query)),
    responses((status = 200, body = [Comment]), (status = 401), (status = 404), (status = 422)))]
pub async fn list_issue_comments(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Comment>> {
    let ctx = tracker_on(ctx)?;
    let since = since(&params)?;
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let issue = issue_store::by_index(h.conn(), ctx.repo.id, index).await?.ok_or_else(ApiError::not_found)?;
    let (rows, total) = issue_store::comments_of_issue(h.conn(), issue.id, since, Page::window_of(page)).await?;
    drop(h);
    let index = HashMap::from([(issue.id, issue.idx)]);
    Ok(Paged::list(comments_json(&state, &ctx, &rows, &index).await?, total, &params, page))
}

fn comment_body(body: &LateBody) -> ApiResult<String> {
    let opt: IssueCommentOption = body.parse()?;
    Validator::new().required("Body", &opt.body).finish()?;
    Ok(opt.body)
}

/// Comment on an issue (any reader).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/issues/{index}/comments", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = IssueCommentOption,
    responses((status = 201, body = Comment), (status = 401), (status = 404), (status = 422)))]
pub async fn create_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let ctx = tracker_on(ctx)?;
    let text = comment_body(&body)?;
    let row = issues::create_comment(&state, &tracker(&ctx, &me), index, &text).await?;
    let json = comments_json(&state, &ctx, std::slice::from_ref(&row), &HashMap::from([(row.issue_id, index)])).await?;
    Ok((StatusCode::CREATED, Json(json.into_iter().next().ok_or_else(ApiError::not_found)?)))
}

async fn edit_comment_by_id(
    state: &AppState,
    me: &UserRow,
    ctx: RepoCtx,
    id: i64,
    body: LateBody,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let ctx = tracker_on(ctx)?;
    let text = comment_body(&body)?;
    let Some(row) = issues::edit_comment(state, &tracker(&ctx, me), id, &text).await? else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    let idx = {
        let mut h = state.db.acquire().await?;
        issue_store::by_id(h.conn(), row.issue_id).await?.map(|i| i.idx).unwrap_or(0)
    };
    let json = comments_json(state, &ctx, std::slice::from_ref(&row), &HashMap::from([(row.issue_id, idx)])).await?;
    Ok(Json(json.into_iter().next().ok_or_else(ApiError::not_found)?).into_response())
}

/// Edit a comment (its poster or a repository admin); the `:index` is not checked, as Gogs.
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/issues/{index}/comments/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    request_body = IssueCommentOption,
    responses((status = 200, body = Comment), (status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, _index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<axum::response::Response> {
    edit_comment_by_id(&state, &me, ctx, id, body).await
}

/// The same edit without the issue number (Gogs routes both).
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/issues/comments/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    request_body = IssueCommentOption,
    responses((status = 200, body = Comment), (status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_repo_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<axum::response::Response> {
    edit_comment_by_id(&state, &me, ctx, id, body).await
}

#[utoipa::path(delete, path = "/repos/{owner}/{repo}/issues/{index}/comments/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_comment(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, _index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let ctx = tracker_on(ctx)?;
    issues::delete_comment(&state, &tracker(&ctx, &me), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
