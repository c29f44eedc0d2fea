//! Repository labels: `/repos/:o/:r/labels[/:id]`. Readers list and read; writers change. They
//! stay available with the issue tracker off.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::labels as label_store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{LateBody, ListParams, Page, Paged, RepoPath, TokenUser, Validator};
use crate::service::access::AccessMode;
use crate::service::labels as service;
use crate::types::Label;

/// B14. CreateLabelOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateLabelOption {
    pub name: String,
    pub color: String,
}

/// B15. EditLabelOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditLabelOption {
    pub name: Option<String>,
    pub color: Option<String>,
}

fn label_json(state: &AppState, ctx: &RepoCtx, l: &label_store::LabelRow) -> Label {
    Label::new(&state.links, &ctx.owner.name, &ctx.repo.name, l)
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Label]), (status = 401), (status = 404)))]
pub async fn list_labels(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Label>> {
    let page = params.optional();
    let mut h = state.db.acquire().await?;
    let (rows, total) = label_store::list(h.conn(), ctx.repo.id, Page::window_of(page)).await?;
    Ok(Paged::list(rows.iter().map(|l| label_json(&state, &ctx, l)).collect(), total, &params, page))
}

#[utoipa::path(post, path = "/repos/{owner}/{repo}/labels", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateLabelOption,
    responses((status = 201, body = Label), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn create_label(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Label>)> {
    ctx.require(AccessMode::Write)?;
    let opt: CreateLabelOption = body.parse()?;
    Validator::new().required("Name", &opt.name).required("Color", &opt.color).size("Color", &opt.color, 7).finish()?;
    let row = service::create_label(&state, ctx.repo.id, &opt.name, &opt.color).await?;
    Ok((StatusCode::CREATED, Json(label_json(&state, &ctx, &row))))
}

/// `:id` is a label id, or, when it is not a positive integer, a label name (as Gogs).
async fn find_label(state: &AppState, ctx: &RepoCtx, key: &str) -> ApiResult<label_store::LabelRow> {
    let mut h = state.db.acquire().await?;
    let found = match key.parse::<i64>() {
        Ok(id) if id > 0 => label_store::get(h.conn(), ctx.repo.id, id).await?,
        _ => label_store::by_name(h.conn(), ctx.repo.id, key).await?,
    };
    found.ok_or_else(ApiError::not_found)
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/labels/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Label), (status = 401), (status = 404)))]
pub async fn get_label(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Label>> {
    let row = find_label(&state, &ctx, &id).await?;
    Ok(Json(label_json(&state, &ctx, &row)))
}

#[utoipa::path(patch, path = "/repos/{owner}/{repo}/labels/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = String, Path)),
    request_body = EditLabelOption,
    responses((status = 200, body = Label), (status = 401), (status = 403), (status = 404)))]
pub async fn edit_label(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<Label>> {
    ctx.require(AccessMode::Write)?;
    let label = find_label(&state, &ctx, &id).await?;
    let opt: EditLabelOption = body.parse()?;
    let row = service::edit_label(&state, &label, opt.name.as_deref(), opt.color.as_deref()).await?;
    Ok(Json(label_json(&state, &ctx, &row)))
}

/// Delete a label and detach it everywhere (204 also for an unknown id).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/labels/{id}", tag = "issues",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_label(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, i64)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Write)?;
    service::delete_label(&state, ctx.repo.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
