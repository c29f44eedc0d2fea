//! Releases (Gogs lists them; create/edit/delete are the Gitea extensions the seeds ask for).
//! A release is a row bound to a tag; publishing one creates the tag when it does not exist.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_store::releases::{self, ReleaseFields, ReleaseRow};
use hearth_store::users as user_store;
use serde::Deserialize;
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, LateBody, ListParams, Page, Paged, RepoPath, TokenUser, Validator};
use crate::service::access::AccessMode;
use crate::service::releases as release_service;
use crate::types::{Release, User, rfc3339};

/// Gitea's CreateReleaseOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateReleaseOption {
    pub tag_name: String,
    pub target_commitish: String,
    pub name: String,
    pub body: String,
    pub draft: bool,
    pub prerelease: bool,
}

/// Gitea's EditReleaseOption: present fields change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EditReleaseOption {
    pub tag_name: Option<String>,
    pub target_commitish: Option<String>,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: Option<bool>,
    pub prerelease: Option<bool>,
}

async fn to_api(state: &AppState, rows: Vec<ReleaseRow>) -> ApiResult<Vec<Release>> {
    let mut h = state.db.acquire().await?;
    let mut authors: Vec<(i64, User)> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        if !authors.iter().any(|(id, _)| *id == r.publisher_id) {
            let Some(u) = user_store::by_id(h.conn(), r.publisher_id).await? else { continue };
            authors.push((u.id, User::new(&state.links, &u, true)));
        }
        let author = authors.iter().find(|(id, _)| *id == r.publisher_id).map(|(_, u)| u.clone()).expect("loaded");
        out.push(Release {
            id: r.id,
            tag_name: r.tag_name,
            target_commitish: r.target,
            name: r.title,
            body: r.note,
            draft: r.is_draft,
            prerelease: r.is_prerelease,
            author,
            created_at: rfc3339(r.created_unix),
        });
    }
    Ok(out)
}

fn parse_id(id: &str) -> ApiResult<i64> {
    id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(ApiError::not_found)
}

/// Every release in creation order (drafts only for those who may write).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/releases", tag = "releases",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [Release]), (status = 404)))]
pub async fn list_releases(
    State(state): State<AppState>,
    Auth(_id): Auth,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Release>> {
    let page = params.optional();
    let (rows, total) = {
        let mut h = state.db.acquire().await?;
        releases::list(h.conn(), ctx.repo.id, ctx.mode >= AccessMode::Write, Page::window_of(page)).await?
    };
    Ok(Paged::list(to_api(&state, rows).await?, total, &params, page))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/releases/{id}", tag = "releases",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Release), (status = 404)))]
pub async fn get_release(
    State(state): State<AppState>,
    Auth(_who): Auth,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Release>> {
    let id = parse_id(&id)?;
    let row = {
        let mut h = state.db.acquire().await?;
        releases::by_id(h.conn(), ctx.repo.id, id).await?
    };
    let row = row.filter(|r| !r.is_draft || ctx.mode >= AccessMode::Write).ok_or_else(ApiError::not_found)?;
    Ok(Json(to_api(&state, vec![row]).await?.remove(0)))
}

/// Publish a release: the tag is created at `target_commitish` (default branch by default) unless
/// it exists; drafts create no tag.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/releases", tag = "releases",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateReleaseOption,
    responses((status = 201, body = Release), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_release(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Release>)> {
    ctx.require(AccessMode::Write)?;
    let opt: CreateReleaseOption = body.parse()?;
    Validator::new().required("TagName", &opt.tag_name).max_size("TagName", &opt.tag_name, 255).finish()?;
    let fields = ReleaseFields {
        target: if opt.target_commitish.is_empty() { ctx.repo.default_branch.clone() } else { opt.target_commitish },
        tag_name: opt.tag_name,
        title: opt.name,
        sha1: String::new(),
        note: opt.body,
        is_draft: opt.draft,
        is_prerelease: opt.prerelease,
    };
    let row = release_service::create(&state, &ctx.owner, &ctx.repo, ctx.dir(), &me, fields).await?;
    Ok((StatusCode::CREATED, Json(to_api(&state, vec![row]).await?.remove(0))))
}

async fn load_release(state: &AppState, ctx: &RepoCtx, id: &str) -> ApiResult<ReleaseRow> {
    let id = parse_id(id)?;
    let mut h = state.db.acquire().await?;
    releases::by_id(h.conn(), ctx.repo.id, id).await?.ok_or_else(ApiError::not_found)
}

#[utoipa::path(patch, path = "/repos/{owner}/{repo}/releases/{id}", tag = "releases",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    request_body = EditReleaseOption,
    responses((status = 200, body = Release), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn edit_release(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<Release>> {
    ctx.require(AccessMode::Write)?;
    let row = load_release(&state, &ctx, &id).await?;
    let opt: EditReleaseOption = body.parse()?;
    let f = ReleaseFields {
        tag_name: opt.tag_name.filter(|t| !t.is_empty()).unwrap_or(row.tag_name.clone()),
        target: opt.target_commitish.filter(|t| !t.is_empty()).unwrap_or(row.target.clone()),
        title: opt.name.unwrap_or(row.title.clone()),
        sha1: row.sha1.clone(),
        note: opt.body.unwrap_or(row.note.clone()),
        is_draft: opt.draft.unwrap_or(row.is_draft),
        is_prerelease: opt.prerelease.unwrap_or(row.is_prerelease),
    };
    let updated = release_service::edit(&state, &ctx.owner, &ctx.repo, ctx.dir(), &me, &row, f).await?;
    Ok(Json(to_api(&state, vec![updated]).await?.remove(0)))
}

/// Delete a release (its tag stays).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/releases/{id}", tag = "releases",
    params(("owner" = String, Path), ("repo" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_release(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, id)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Write)?;
    let row = load_release(&state, &ctx, &id).await?;
    release_service::delete(&state, &row).await?;
    Ok(StatusCode::NO_CONTENT)
}
