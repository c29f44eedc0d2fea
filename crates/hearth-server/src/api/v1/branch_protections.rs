//! Branch protection rules, Gitea's routes (issue #18): `/repos/:o/:r/branch_protections[/:name]`,
//! for repository admins.

use crate::json::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::RepoCtx;
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{LateBody, RepoPath, TokenUser};
use crate::service::access::AccessMode;
use crate::service::branch_protection::{self as protection, Named, Rule, Settings};
use crate::types::rfc3339;

/// Gitea's BranchProtection (and, without the timestamps, its create and edit options: on edit an
/// absent field keeps its value).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct BranchProtection {
    pub branch_name: String,
    pub rule_name: String,
    pub priority: i64,
    pub enable_push: bool,
    pub enable_push_whitelist: bool,
    pub push_whitelist_usernames: Vec<String>,
    pub push_whitelist_teams: Vec<String>,
    pub push_whitelist_deploy_keys: bool,
    pub enable_force_push: bool,
    pub enable_force_push_allowlist: bool,
    pub force_push_allowlist_usernames: Vec<String>,
    pub force_push_allowlist_teams: Vec<String>,
    pub force_push_allowlist_deploy_keys: bool,
    pub enable_merge_whitelist: bool,
    pub merge_whitelist_usernames: Vec<String>,
    pub merge_whitelist_teams: Vec<String>,
    pub enable_status_check: bool,
    pub status_check_contexts: Vec<String>,
    pub required_approvals: i64,
    pub enable_approvals_whitelist: bool,
    pub approvals_whitelist_username: Vec<String>,
    pub approvals_whitelist_teams: Vec<String>,
    pub block_on_rejected_reviews: bool,
    pub block_on_official_review_requests: bool,
    pub block_on_outdated_branch: bool,
    pub dismiss_stale_approvals: bool,
    pub ignore_stale_approvals: bool,
    pub require_signed_commits: bool,
    pub protected_file_patterns: String,
    pub unprotected_file_patterns: String,
    pub created_at: String,
    pub updated_at: String,
}

async fn to_json(state: &AppState, rule: &Rule) -> ApiResult<BranchProtection> {
    let s = &rule.settings;
    let [pu, mu, au, fu, pt, mt, at, ft] = protection::names_of(state, s).await?;
    Ok(BranchProtection {
        branch_name: if rule.is_glob() { String::new() } else { rule.row.rule_name.clone() },
        rule_name: rule.row.rule_name.clone(),
        priority: rule.row.priority,
        enable_push: s.enable_push,
        enable_push_whitelist: s.enable_push_whitelist,
        push_whitelist_usernames: pu,
        push_whitelist_teams: pt,
        push_whitelist_deploy_keys: s.push_whitelist_deploy_keys,
        enable_force_push: s.enable_force_push,
        enable_force_push_allowlist: s.enable_force_push_allowlist,
        force_push_allowlist_usernames: fu,
        force_push_allowlist_teams: ft,
        force_push_allowlist_deploy_keys: s.force_push_allowlist_deploy_keys,
        enable_merge_whitelist: s.enable_merge_whitelist,
        merge_whitelist_usernames: mu,
        merge_whitelist_teams: mt,
        enable_status_check: s.enable_status_check,
        status_check_contexts: s.status_check_contexts.clone(),
        required_approvals: s.required_approvals,
        enable_approvals_whitelist: s.enable_approvals_whitelist,
        approvals_whitelist_username: au,
        approvals_whitelist_teams: at,
        block_on_rejected_reviews: s.block_on_rejected_reviews,
        block_on_official_review_requests: s.block_on_official_review_requests,
        block_on_outdated_branch: s.block_on_outdated_branch,
        dismiss_stale_approvals: s.dismiss_stale_approvals,
        ignore_stale_approvals: s.ignore_stale_approvals,
        require_signed_commits: s.require_signed_commits,
        protected_file_patterns: s.protected_file_patterns.clone(),
        unprotected_file_patterns: s.unprotected_file_patterns.clone(),
        created_at: rfc3339(rule.row.created_unix),
        updated_at: rfc3339(rule.row.updated_unix),
    })
}

fn named(p: BranchProtection) -> Named {
    Named {
        rule_name: if p.rule_name.is_empty() { p.branch_name } else { p.rule_name },
        settings: Settings {
            enable_push: p.enable_push,
            enable_push_whitelist: p.enable_push_whitelist,
            push_whitelist_deploy_keys: p.push_whitelist_deploy_keys,
            enable_force_push: p.enable_force_push,
            enable_force_push_allowlist: p.enable_force_push_allowlist,
            force_push_allowlist_deploy_keys: p.force_push_allowlist_deploy_keys,
            enable_merge_whitelist: p.enable_merge_whitelist,
            enable_status_check: p.enable_status_check,
            status_check_contexts: p.status_check_contexts,
            required_approvals: p.required_approvals,
            enable_approvals_whitelist: p.enable_approvals_whitelist,
            block_on_rejected_reviews: p.block_on_rejected_reviews,
            block_on_official_review_requests: p.block_on_official_review_requests,
            block_on_outdated_branch: p.block_on_outdated_branch,
            dismiss_stale_approvals: p.dismiss_stale_approvals,
            ignore_stale_approvals: p.ignore_stale_approvals,
            require_signed_commits: p.require_signed_commits,
            protected_file_patterns: p.protected_file_patterns,
            unprotected_file_patterns: p.unprotected_file_patterns,
            ..Default::default()
        },
        push_users: p.push_whitelist_usernames,
        push_teams: p.push_whitelist_teams,
        merge_users: p.merge_whitelist_usernames,
        merge_teams: p.merge_whitelist_teams,
        approvals_users: p.approvals_whitelist_username,
        approvals_teams: p.approvals_whitelist_teams,
        force_users: p.force_push_allowlist_usernames,
        force_teams: p.force_push_allowlist_teams,
    }
}

fn admin(ctx: &RepoCtx) -> ApiResult<()> {
    ctx.require(AccessMode::Admin)
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/branch_protections", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [BranchProtection]), (status = 401), (status = 403), (status = 404)))]
pub async fn list_branch_protections(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Vec<BranchProtection>>> {
    admin(&ctx)?;
    let mut out = Vec::new();
    for rule in protection::rules(&state, ctx.repo.id).await? {
        out.push(to_json(&state, &rule).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/repos/{owner}/{repo}/branch_protections", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path)),
    request_body = BranchProtection,
    responses((status = 201, body = BranchProtection), (status = 400), (status = 401), (status = 403), (status = 422)))]
pub async fn create_branch_protection(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<(StatusCode, Json<BranchProtection>)> {
    admin(&ctx)?;
    let opt: BranchProtection = body.parse()?;
    let rule = protection::create(&state, &ctx.owner, &ctx.repo, &named(opt)).await?;
    Ok((StatusCode::CREATED, Json(to_json(&state, &rule).await?)))
}

#[utoipa::path(get, path = "/repos/{owner}/{repo}/branch_protections/{name}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = BranchProtection), (status = 401), (status = 403), (status = 404)))]
pub async fn get_branch_protection(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, name)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<BranchProtection>> {
    admin(&ctx)?;
    let rule = protection::get(&state, &ctx.repo, &name).await?;
    Ok(Json(to_json(&state, &rule).await?))
}

/// Edit a rule: fields left out keep their values.
#[utoipa::path(patch, path = "/repos/{owner}/{repo}/branch_protections/{name}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("name" = String, Path)),
    request_body = BranchProtection,
    responses((status = 200, body = BranchProtection), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn edit_branch_protection(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, name)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
    body: LateBody,
) -> ApiResult<Json<BranchProtection>> {
    admin(&ctx)?;
    let current = to_json(&state, &protection::get(&state, &ctx.repo, &name).await?).await?;
    // Overlay the sent fields on the current ones.
    let patch: serde_json::Value = body.parse()?;
    let mut merged = serde_json::to_value(&current).map_err(anyhow::Error::from)?;
    if let (Some(m), Some(p)) = (merged.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            if !v.is_null() && k != "rule_name" && k != "branch_name" {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    let mut opt: BranchProtection = serde_json::from_value(merged)
        .map_err(|e| crate::error::ApiError::unprocessable(format!("invalid branch protection: {e}")))?;
    opt.rule_name = name;
    let rule = protection::edit(&state, &ctx.owner, &ctx.repo, &named(opt)).await?;
    Ok(Json(to_json(&state, &rule).await?))
}

#[utoipa::path(delete, path = "/repos/{owner}/{repo}/branch_protections/{name}", tag = "repos",
    params(("owner" = String, Path), ("repo" = String, Path), ("name" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_branch_protection(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    Path((_owner, _repo, name)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<StatusCode> {
    admin(&ctx)?;
    protection::delete(&state, &ctx.repo, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
