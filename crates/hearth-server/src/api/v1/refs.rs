//! Branch and tag management (Gitea's routes): `POST /repos/:o/:r/branches`,
//! `DELETE /repos/:o/:r/branches/*`, `POST /repos/:o/:r/tags`, `GET|DELETE /repos/:o/:r/tags/*`.
//! Writes need write access and fire the webhook events a `git push` of the same ref fires.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use hearth_git::refs::TagDetail;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{RepoCtx, git_find};
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{Auth, LateBody, RepoPath, TokenUser, Validator};
use crate::service::access::AccessMode;
use crate::service::refs::{self as ref_service, BranchSource};
use crate::types::{Branch, GitCommitMeta, Tag, rfc3339_with_offset};

/// Gitea's CreateBranchRepoOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateBranchRepoOption {
    /// The new branch.
    pub new_branch_name: String,
    /// Deprecated by Gitea for `old_ref_name`: an existing branch to start from.
    pub old_branch_name: String,
    /// A branch, tag or commit id to start from (wins over `old_branch_name`).
    pub old_ref_name: String,
}

/// Gitea's CreateTagOption.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreateTagOption {
    pub tag_name: String,
    /// Non-empty: an annotated tag with this message and the caller as tagger.
    pub message: String,
    /// A branch, tag or commit id; empty means the default branch.
    pub target: String,
}

/// Create a branch from a ref, a branch or the default branch.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/branches", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateBranchRepoOption,
    responses((status = 201, body = Branch), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_branch(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Branch>)> {
    ctx.require(AccessMode::Write)?;
    let opt: CreateBranchRepoOption = body.parse()?;
    Validator::new()
        .required("BranchName", &opt.new_branch_name)
        .git_ref_name("BranchName", &opt.new_branch_name)
        .max_size("BranchName", &opt.new_branch_name, 100)
        .git_ref_name("OldBranchName", &opt.old_branch_name)
        .max_size("OldBranchName", &opt.old_branch_name, 100)
        .git_ref_name("OldRefName", &opt.old_ref_name)
        .max_size("OldRefName", &opt.old_ref_name, 100)
        .finish()?;
    let source = if !opt.old_ref_name.is_empty() {
        BranchSource::Ref(opt.old_ref_name)
    } else if !opt.old_branch_name.is_empty() {
        BranchSource::Branch(opt.old_branch_name)
    } else {
        BranchSource::Default
    };
    let name = opt.new_branch_name;
    ref_service::create_branch(&state, &ctx.owner, &ctx.repo, ctx.dir(), &me, &name, source).await?;
    let mut found =
        super::branches::read_refs(&state, &ctx, move |p| Ok(hearth_git::branch(p, &name)?.map(|b| vec![b]))).await?;
    super::branches::annotate(&state, &ctx, &me, &mut found).await?;
    Ok((StatusCode::CREATED, Json(found.remove(0))))
}

/// Delete a branch (the name may contain `/`); never the default branch.
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/branches/{branch}", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path), ("branch" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_branch(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, branch)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Write)?;
    ref_service::delete_branch(&state, &ctx.owner, &ctx.repo, ctx.dir(), &me, &branch).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn to_api(state: &AppState, ctx: &RepoCtx, t: TagDetail) -> Tag {
    let urls = state.links.repo_urls(&ctx.owner.name, &ctx.repo.name);
    let api = format!("{}/repos/{}/{}", state.links.api_url, ctx.owner.name, ctx.repo.name);
    Tag {
        commit: GitCommitMeta {
            url: format!("{api}/git/commits/{}", t.commit.id),
            sha: t.commit.id.clone(),
            created: rfc3339_with_offset(t.tagger.time, t.tagger.offset),
        },
        zipball_url: format!("{}/archive/{}.zip", urls.html, t.name),
        tarball_url: format!("{}/archive/{}.tar.gz", urls.html, t.name),
        name: t.name,
        message: t.message,
        id: t.id,
    }
}

async fn read_tag(state: &AppState, ctx: &RepoCtx, name: String) -> ApiResult<Tag> {
    let dir = ctx.dir().to_path_buf();
    let found = git_find(move || hearth_git::refs::tag(&dir, &name)).await?;
    Ok(to_api(state, ctx, found))
}

/// Create a tag: lightweight without a message, annotated (the caller as tagger) with one.
#[utoipa::path(post, path = "/repos/{owner}/{repo}/tags", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = CreateTagOption,
    responses((status = 201, body = Tag), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create_tag(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<Tag>)> {
    ctx.require(AccessMode::Write)?;
    let opt: CreateTagOption = body.parse()?;
    Validator::new()
        .required("TagName", &opt.tag_name)
        .git_ref_name("TagName", &opt.tag_name)
        .max_size("TagName", &opt.tag_name, 255)
        .finish()?;
    ref_service::create_tag(&state, &ctx.owner, &ctx.repo, ctx.dir(), &me, &opt.tag_name, &opt.message, &opt.target)
        .await?;
    Ok((StatusCode::CREATED, Json(read_tag(&state, &ctx, opt.tag_name).await?)))
}

/// One tag (the name may contain `/`), in Gitea's Tag shape.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/tags/{tag}", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path), ("tag" = String, Path)),
    responses((status = 200, body = Tag), (status = 404)))]
pub async fn get_tag(
    State(state): State<AppState>,
    Auth(_who): Auth,
    Path((_owner, _repo, tag)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Tag>> {
    Ok(Json(read_tag(&state, &ctx, tag).await?))
}

/// Delete a tag; a tag with a release stays (409).
#[utoipa::path(delete, path = "/repos/{owner}/{repo}/tags/{tag}", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path), ("tag" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 409)))]
pub async fn delete_tag(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, tag)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    ctx.require(AccessMode::Write)?;
    ref_service::delete_tag(&state, &ctx.owner, &ctx.repo, ctx.dir(), &me, &tag).await?;
    Ok(StatusCode::NO_CONTENT)
}
