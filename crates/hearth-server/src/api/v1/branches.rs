//! Branches: `GET /repos/:o/:r/branches` and `GET /repos/:o/:r/branches/*`, read in-process.

use crate::json::Json;
use axum::extract::{Path, State};
use hearth_git::{BranchInfo, CommitInfo};
use hearth_store::users::{self as user_store, UserRow};

use super::{RepoCtx, git_blocking, git_find};
use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::{ListParams, Paged, RepoPath, TokenUser};
use crate::types::{Branch, BranchProtectionInfo, PayloadCommit, PayloadUser, rfc3339_with_offset};

/// Turn git's view of branches into API objects, resolving author e-mails to logins once each.
async fn to_api(state: &AppState, html_url: &str, branches: Vec<BranchInfo>) -> ApiResult<Vec<Branch>> {
    let mut logins: Vec<(String, String)> = Vec::new();
    let mut h = state.db.acquire().await?;
    for b in &branches {
        for email in [&b.commit.author_email, &b.commit.committer_email] {
            if !logins.iter().any(|(e, _)| e == email) {
                let login = user_store::by_activated_email(h.conn(), email).await?.map(|u| u.name).unwrap_or_default();
                logins.push((email.clone(), login));
            }
        }
    }
    let login = |email: &str| logins.iter().find(|(e, _)| e == email).map(|(_, l)| l.clone()).unwrap_or_default();
    Ok(branches
        .into_iter()
        .map(|b| Branch { name: b.name, commit: payload_commit(html_url, &b.commit, &login), protection: None })
        .collect())
}

fn payload_commit(html_url: &str, c: &CommitInfo, login: &dyn Fn(&str) -> String) -> PayloadCommit {
    PayloadCommit {
        id: c.id.clone(),
        message: c.message.clone(),
        url: format!("{html_url}/commit/{}", c.id),
        author: PayloadUser {
            name: c.author_name.clone(),
            email: c.author_email.clone(),
            username: login(&c.author_email),
        },
        committer: PayloadUser {
            name: c.committer_name.clone(),
            email: c.committer_email.clone(),
            username: login(&c.committer_email),
        },
        added: None,
        removed: None,
        modified: None,
        timestamp: rfc3339_with_offset(c.author_time, c.author_offset),
    }
}

/// Read branch-shaped refs (branches, tags) of a repository the caller can read, in-process, and
/// render them.
pub(super) async fn read_refs(
    state: &AppState,
    ctx: &RepoCtx,
    read: impl FnOnce(&std::path::Path) -> hearth_git::GitResult<Option<Vec<BranchInfo>>> + Send + 'static,
) -> ApiResult<Vec<Branch>> {
    let path = ctx.dir().to_path_buf();
    let refs = git_find(move || read(&path)).await?;
    let html = state.links.repo_urls(&ctx.owner.name, &ctx.repo.name).html;
    to_api(state, &html, refs).await
}

/// All branches in name order.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/branches", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path)),
    responses((status = 200, body = [Branch]), (status = 401), (status = 404)))]
pub async fn list_branches(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Vec<Branch>>> {
    let mut branches = read_refs(&state, &ctx, |p| hearth_git::list_branches(p).map(Some)).await?;
    annotate(&state, &ctx, &me, &mut branches).await?;
    Ok(Json(branches))
}

/// Fill in each branch's protection and what the caller may do with it.
pub(super) async fn annotate(state: &AppState, ctx: &RepoCtx, me: &UserRow, branches: &mut [Branch]) -> ApiResult<()> {
    use crate::service::access::AccessMode;
    use crate::service::branch_protection as protection;
    let rules = protection::rules(state, ctx.repo.id).await?;
    let writer = ctx.mode >= AccessMode::Write;
    let mut h = state.db.acquire().await?;
    for b in branches.iter_mut() {
        let info = match protection::rule_for(&rules, &b.name) {
            None => BranchProtectionInfo {
                protected: false,
                required_approvals: 0,
                enable_status_check: false,
                status_check_contexts: Vec::new(),
                user_can_push: writer,
                user_can_merge: writer,
                effective_branch_protection_name: String::new(),
            },
            Some(rule) => {
                let s = &rule.settings;
                let can_merge = if s.enable_merge_whitelist {
                    s.merge_whitelist_users.contains(&me.id)
                        || protection::in_teams(h.conn(), me, &s.merge_whitelist_teams).await?
                } else {
                    writer
                };
                BranchProtectionInfo {
                    protected: true,
                    required_approvals: s.required_approvals,
                    enable_status_check: s.enable_status_check,
                    status_check_contexts: s.status_check_contexts.clone(),
                    user_can_push: writer && protection::may_push(h.conn(), rule, Some(me), false).await?,
                    user_can_merge: can_merge,
                    effective_branch_protection_name: if ctx.mode >= AccessMode::Admin {
                        rule.row.rule_name.clone()
                    } else {
                        String::new()
                    },
                }
            }
        };
        b.protection = Some(info);
    }
    Ok(())
}

/// One branch (the name may contain `/`).
#[utoipa::path(get, path = "/repos/{owner}/{repo}/branches/{branch}", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path), ("branch" = String, Path)),
    responses((status = 200, body = Branch), (status = 401), (status = 404)))]
pub async fn get_branch(
    State(state): State<AppState>,
    TokenUser(me): TokenUser,
    Path((_owner, _repo, branch)): Path<(String, String, String)>,
    RepoPath(ctx): RepoPath,
) -> ApiResult<Json<Branch>> {
    let mut found = read_refs(&state, &ctx, move |p| Ok(hearth_git::branch(p, &branch)?.map(|b| vec![b]))).await?;
    annotate(&state, &ctx, &me, &mut found).await?;
    Ok(Json(found.remove(0)))
}

/// All tags, newest first, each with the commit it points at; with `page` or `limit` (Gitea
/// extensions) one page of them (30 by default). `X-Total-Count` counts every tag.
#[utoipa::path(get, path = "/repos/{owner}/{repo}/tags", tag = "branches",
    params(("owner" = String, Path), ("repo" = String, Path), ("page" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = [Branch]), (status = 401), (status = 404)))]
pub async fn list_tags(
    State(state): State<AppState>,
    TokenUser(_me): TokenUser,
    RepoPath(ctx): RepoPath,
    params: ListParams,
) -> ApiResult<Paged<Branch>> {
    let page = (params.page.is_some() || params.limit.is_some()).then(|| params.fixed(30));
    let window = page.map(|p| (p.offset().max(0) as usize, p.limit as usize));
    let (tags, total) = {
        let path = ctx.dir().to_path_buf();
        git_blocking(move || {
            let tags = hearth_git::read::list_tags(&path)?;
            let total = tags.len() as i64;
            let (skip, take) = window.unwrap_or((0, tags.len()));
            Ok((tags.into_iter().skip(skip).take(take).collect::<Vec<_>>(), total))
        })
        .await?
    };
    let html = state.links.repo_urls(&ctx.owner.name, &ctx.repo.name).html;
    let items =
        to_api(&state, &html, tags.into_iter().map(|t| BranchInfo { name: t.name, commit: t.commit }).collect())
            .await?;
    Ok(match page {
        Some(p) => Paged::page(items, total, &params, p),
        None => Paged::page(items, total, &params, crate::extract::Page { page: 1, limit: total.max(1) }),
    })
}
