//! Repository milestones: `/repos/:o/:r/milestones[/:id]`. Readers list and read; writers change.
//! They stay available with the issue tracker off.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::milestones as milestone_store;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Page, Paged, RepoPath, TokenUser};
use crate::service::access::AccessMode;
use crate::service::milestones::{self as service, EditMilestone};
use crate::types::Milestone;

/// B16. CreateMilestoneOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateMilestoneOption {
    pub title: String,
    pub description: String,
    pub due_on: Option<String>,
}

/// B17. EditMilestoneOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditMilestoneOption {
    pub title: Option<String>,
    pub description: Option<String>,
    pub state: Option<String>,
    pub due_on: Option<String>,
}

/// A deadline in RFC 3339 (422 for anything else).
fn deadline(due_on: Option<&str>) -> ApiResult<Option<i64>> {
    match due_on.filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => OffsetDateTime::parse(d, &Rfc3339)
            .map(|t| Some(t.unix_timestamp()))
            .map_err(|_| ApiError::field("Deadline", "DateError", "Date")),
    }
}

/// All milestones, open and closed, in creation order.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/milestones", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("state" = Option<String>, Query), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Milestone]), (status = 401), (status = 404)))]
pub async fn list_milestones(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Milestone>> {
    // `state` (open, closed; anything else: all) is a Gitea extension.
    let (open, closed) = match params.get("state") {
        Some("open") => (true, false),
        Some("closed") => (false, true),
        _ => (true, true),
    };
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = milestone_store::list(h.conn(), ctx.repo.id, open, closed, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(Milestone::new).collect(), total, &params, page))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/milestones/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Milestone), (status = 401), (status = 404)))]
pub async fn get_milestone(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Milestone>> {
    let mut h = state.db.acquire().await?;
    let row = milestone_store::get(h.conn(), ctx.repo.id, id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(Milestone::new(&row)))
}

#[utoipa::path(post, path = "/repos/{owner}/{repo}/milestones", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateMilestoneOption,
    responses((status = 201, body = Milestone), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_milestone(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Milestone>)> {
    ctx.require(AccessMode::Write)?;
    let opt: CreateMilestoneOption = body.parse()?;
    let due = deadline(opt.due_on.as_deref())?.unwrap_or(0);
    let row = service::create_milestone(&state, ctx.repo.id, &opt.title, &opt.description, due).await?;
    Ok((StatusCode::CREATED, Json(Milestone::new(&row))))
}

#[utoipa::path(patch, path = "/repos/{owner}/{repo}/milestones/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    request_body = EditMilestoneOption,
    responses((status = 200, body = Milestone), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_milestone(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<Milestone>> {
    ctx.require(AccessMode::Write)?;
    let opt: EditMilestoneOption = body.parse()?;
    let edit = EditMilestone {
        title: opt.title,
        description: opt.description,
        state: opt.state,
        deadline_unix: deadline(opt.due_on.as_deref())?,
    };
    let row = service::edit_milestone(&state, ctx.repo.id, id, &edit).await?;
    Ok(Json(Milestone::new(&row)))
}

/// Delete a milestone (its issues lose it; 204 also for an unknown id).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/milestones/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_milestone(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Write)?;
    service::delete_milestone(&state, ctx.repo.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
