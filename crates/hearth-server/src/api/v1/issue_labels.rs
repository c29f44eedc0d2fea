//! The labels on an issue: `/repos/:o/:r/issues/:index/labels[/:id]`.
//! Every route answers 404 while the repository's built-in tracker is off.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::issues::{self as issue_store};
use hearth_store::labels as label_store;
use hearth_store::users::UserRow;
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use super::issues::{tracker, tracker_on};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, RepoPath, TokenUser};
use crate::service::issues::{self, LabelChange};
use crate::types::Label;

/// B13. IssueLabelsOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct IssueLabelsOption {
    pub labels: Vec<i64>,
}

async fn labels_json(state: &AppState, ctx: &RepoCtx, issue_id: i64) -> ApiResult<Json<Vec<Label>>> {
    let mut h = state.db.acquire().await?;
    let rows = label_store::of_issue(h.conn(), issue_id).await?;
    Ok(Json(rows.iter().map(|l| Label::new(&state.links, &ctx.owner.name, &ctx.repo.name, l)).collect()))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 200, body = [Label]), (status = 401), (status = 404)))]
pub async fn list_issue_labels(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Vec<Label>>> {
    let ctx = tracker_on(ctx)?;
    let issue = {
        let mut h = state.db.acquire().await?;
        issue_store::by_index(h.conn(), ctx.repo.id, index).await?.ok_or_else(ApiError::not_found)?
    };
    labels_json(&state, &ctx, issue.id).await
}

enum LabelKind {
    Add,
    Replace,
    Clear,
    Remove(i64),
}

async fn change_labels(
    state: &AppState,
    me: &UserRow,
    ctx: RepoCtx,
    index: i64,
    body: Option<LateBody>,
    kind: LabelKind,
) -> ApiResult<Json<Vec<Label>>> {
    let ctx = tracker_on(ctx)?;
    ctx.require(crate::service::access::AccessMode::Write)?;
    let opt: IssueLabelsOption = match &body {
        Some(b) => b.parse()?,
        None => IssueLabelsOption::default(),
    };
    let change = match kind {
        LabelKind::Add => LabelChange::Add(&opt.labels),
        LabelKind::Replace => LabelChange::Replace(&opt.labels),
        LabelKind::Clear => LabelChange::Clear,
        LabelKind::Remove(id) => LabelChange::Remove(id),
    };
    let issue = issues::change_labels(state, &tracker(&ctx, me), index, change).await?;
    labels_json(state, &ctx, issue.id).await
}

/// Attach labels of this repository (others are dropped); answers the issue's labels.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = IssueLabelsOption,
    responses((status = 200, body = [Label]), (status = 401), (status = 403), (status = 404)))]
pub async fn add_issue_labels(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<Vec<Label>>> {
    change_labels(&state, &me, ctx, index, Some(body), LabelKind::Add).await
}

/// Replace the issue's labels.
#[utoipa::path(put, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = IssueLabelsOption,
    responses((status = 200, body = [Label]), (status = 401), (status = 403), (status = 404)))]
pub async fn replace_issue_labels(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<Vec<Label>>> {
    change_labels(&state, &me, ctx, index, Some(body), LabelKind::Replace).await
}

#[utoipa::path(delete, path = "/repos/{owner}/{repo}/issues/{index}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn clear_issue_labels(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let _labels = change_labels(&state, &me, ctx, index, None, LabelKind::Clear).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Detach one label (422 for a label of another repository; 204 when it was not attached).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/issues/{index}/labels/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn remove_issue_label(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let _labels = change_labels(&state, &me, ctx, index, None, LabelKind::Remove(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
