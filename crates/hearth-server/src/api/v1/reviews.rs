//! Pull request reviews and review requests, Gitea's routes (issue #18):
//! `/repos/:o/:r/pulls/:index/reviews[/:id[/comments|/dismissals|/undismissals]]` and
//! `/repos/:o/:r/pulls/:index/requested_reviewers`.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RepoCtx;
use super::issues::tracker;
use super::pulls::pulls_on;
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, LateBody, RepoPath, TokenUser};
use crate::service::reviews::{self, CreateReview, NewComment};
use crate::types::{PullReview, PullReviewComment};

/// Gitea's CreatePullReviewComment.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(default)]
pub struct CreatePullReviewComment {
    pub path: String,
    pub body: String,
    pub old_position: i64,
    pub new_position: i64,
}

/// Gitea's CreatePullReviewOptions.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreatePullReviewOptions {
    pub event: String,
    pub body: String,
    pub commit_id: String,
    pub comments: Vec<CreatePullReviewComment>,
}

/// Gitea's SubmitPullReviewOptions.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SubmitPullReviewOptions {
    pub event: String,
    pub body: String,
}

/// Gitea's DismissPullReviewOptions.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DismissPullReviewOptions {
    pub message: String,
    pub priors: bool,
}

/// Gitea's PullReviewRequestOptions.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PullReviewRequestOptions {
    pub reviewers: Vec<String>,
    pub team_reviewers: Vec<String>,
}

async fn one(
    state: &AppState,
    ctx: &RepoCtx,
    index: i64,
    row: hearth_store::reviews::ReviewRow,
) -> ApiResult<PullReview> {
    Ok(reviews::to_json(state, &ctx.owner.name, &ctx.repo.name, index, &[row]).await?.remove(0))
}

/// A pull's reviews (review requests included), oldest first.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}/reviews", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    responses((status = 200, body = [PullReview]), (status = 404)))]
pub async fn list_reviews(
    State(state): State<AppState>,
    Auth(who): Auth,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Vec<PullReview>>> {
    let ctx = pulls_on(ctx)?;
    let rows = reviews::list(&state, ctx.repo.id, index, who.user.as_deref()).await?;
    Ok(Json(reviews::to_json(&state, &ctx.owner.name, &ctx.repo.name, index, &rows).await?))
}

/// Review a pull (any reader): `event` APPROVED, REQUEST_CHANGES or COMMENT submits it, anything
/// else keeps it pending. Answers 200, as Gitea does.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls/{index}/reviews", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = CreatePullReviewOptions,
    responses((status = 200, body = PullReview), (status = 401), (status = 404), (status = 422)))]
pub async fn create_review(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<PullReview>> {
    let ctx = pulls_on(ctx)?;
    let opt: CreatePullReviewOptions = body.parse()?;
    let create = CreateReview {
        event: opt.event,
        body: opt.body,
        commit_id: opt.commit_id.trim().to_string(),
        comments: opt
            .comments
            .into_iter()
            .map(|c| NewComment {
                path: c.path,
                body: c.body,
                new_position: c.new_position,
                old_position: c.old_position,
            })
            .collect(),
    };
    let row = reviews::create(&state, &tracker(&ctx, &me), index, &create).await?;
    Ok(Json(one(&state, &ctx, index, row).await?))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = PullReview), (status = 401), (status = 404)))]
pub async fn get_review(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<PullReview>> {
    let ctx = pulls_on(ctx)?;
    let (_, _, row) = reviews::get(&state, &tracker(&ctx, &me), index, id).await?;
    Ok(Json(one(&state, &ctx, index, row).await?))
}

/// Submit the caller's pending review.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    request_body = SubmitPullReviewOptions,
    responses((status = 200, body = PullReview), (status = 401), (status = 404), (status = 422)))]
pub async fn submit_review(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<PullReview>> {
    let ctx = pulls_on(ctx)?;
    let opt: SubmitPullReviewOptions = body.parse()?;
    let row = reviews::submit(&state, &tracker(&ctx, &me), index, id, &opt.event, &opt.body).await?;
    Ok(Json(one(&state, &ctx, index, row).await?))
}

/// Delete a review (its reviewer or a site admin).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_review(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    let ctx = pulls_on(ctx)?;
    reviews::delete(&state, &tracker(&ctx, &me), index, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A review's line comments.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = [PullReviewComment]), (status = 401), (status = 404)))]
pub async fn list_review_comments(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Vec<PullReviewComment>>> {
    let ctx = pulls_on(ctx)?;
    reviews::get(&state, &tracker(&ctx, &me), index, id).await?;
    Ok(Json(reviews::comments_json(&state, &ctx.owner.name, &ctx.repo.name, index, id).await?))
}

/// Dismiss an approval or a request for changes (repository admins).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/dismissals", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    request_body = DismissPullReviewOptions,
    responses((status = 200, body = PullReview), (status = 401), (status = 403), (status = 404)))]
pub async fn dismiss_review(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<PullReview>> {
    let ctx = pulls_on(ctx)?;
    let opt: DismissPullReviewOptions = body.parse()?;
    let _ = opt.message;
    let row = reviews::set_dismissed(&state, &tracker(&ctx, &me), index, id, true, opt.priors).await?;
    Ok(Json(one(&state, &ctx, index, row).await?))
}

/// Restore a dismissed review (repository admins).
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls/{index}/reviews/{id}/undismissals", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = PullReview), (status = 401), (status = 403), (status = 404)))]
pub async fn undismiss_review(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index, id)): Path<(String, String, i64, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<PullReview>> {
    let ctx = pulls_on(ctx)?;
    let row = reviews::set_dismissed(&state, &tracker(&ctx, &me), index, id, false, false).await?;
    Ok(Json(one(&state, &ctx, index, row).await?))
}

/// Ask users and teams for a review: 201 with the new requests.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/pulls/{index}/requested_reviewers", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = PullReviewRequestOptions,
    responses((status = 201, body = [PullReview]), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn request_reviews(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Vec<PullReview>>)> {
    let ctx = pulls_on(ctx)?;
    let opt: PullReviewRequestOptions = body.parse()?;
    let rows = reviews::request(&state, &tracker(&ctx, &me), index, &opt.reviewers, &opt.team_reviewers, true).await?;
    Ok((StatusCode::CREATED, Json(reviews::to_json(&state, &ctx.owner.name, &ctx.repo.name, index, &rows).await?)))
}

/// Withdraw review requests: 204.
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/pulls/{index}/requested_reviewers", tag = "pulls",
    params(("owner" = String, Path), ("repo" = String, Path), ("index" = i64, Path)),
    request_body = PullReviewRequestOptions,
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn withdraw_review_requests(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, index)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<StatusCode> {
    let ctx = pulls_on(ctx)?;
    let opt: PullReviewRequestOptions = body.parse()?;
    reviews::request(&state, &tracker(&ctx, &me), index, &opt.reviewers, &opt.team_reviewers, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
