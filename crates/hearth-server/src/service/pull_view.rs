//! Pull requests as JSON: the issue half from [`issue_view`](super::issue_view), the head and base
//! from the pull rows, the repositories and people loaded once per page, branch tips read from Git.

use std::collections::HashMap;

use hearth_store::issues::IssueRow;
use hearth_store::pulls::{PullRow, PullStatus};
use hearth_store::repos::{self, RepoRow};
use hearth_store::users::UserRow;
use hearth_store::{Conn, StoreResult};

use super::issue_view::{issues_json, users_by_id};
use super::repos::repo_path;
use crate::app::AppState;
use crate::types::{PrBranchInfo, PullRequest, Repository, User, rfc3339};

/// The PullRequest objects of `rows`, all pulls into `base_repo` (owned by `base_owner`).
pub async fn pulls_json(
    state: &AppState,
    mut c: Conn<'_>,
    base_owner: &UserRow,
    base_repo: &RepoRow,
    rows: &[(IssueRow, PullRow)],
) -> StoreResult<Vec<PullRequest>> {
    let issue_rows: Vec<IssueRow> = rows.iter().map(|(i, _)| i.clone()).collect();
    let issues = issues_json(state, c.reborrow(), &base_owner.name, &base_repo.name, &issue_rows).await?;
    let mut head_repos: HashMap<i64, RepoRow> = HashMap::new();
    for (_, p) in rows {
        if p.head_repo_id != base_repo.id
            && !head_repos.contains_key(&p.head_repo_id)
            && let Some(r) = repos::by_id(c.reborrow(), p.head_repo_id).await?
        {
            head_repos.insert(r.id, r);
        }
    }
    let issue_ids: Vec<i64> = rows.iter().map(|(i, _)| i.id).collect();
    let requested = hearth_store::reviews::requested_of_issues(c.reborrow(), &issue_ids).await?;
    let people = users_by_id(
        c.reborrow(),
        head_repos
            .values()
            .map(|r| r.owner_id)
            .chain(rows.iter().map(|(_, p)| p.merger_id))
            .chain(requested.iter().map(|(_, u, _)| *u).filter(|u| *u > 0)),
    )
    .await?;
    let mut teams: HashMap<i64, crate::types::Team> = HashMap::new();
    for (_, _, t) in requested.iter().filter(|r| r.2 > 0) {
        if !teams.contains_key(t)
            && let Some(row) = hearth_store::orgs::team_by_id(c.reborrow(), *t).await?
        {
            teams.insert(*t, crate::types::Team::new(&row));
        }
    }
    let base_json = Repository::new(&state.links, base_repo, base_owner, None);
    let base_dir = repo_path(&state.config.repository.root, &base_owner.name, &base_repo.name);
    let mut base_tips: HashMap<String, String> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for ((issue, pull), json) in rows.iter().zip(issues) {
        let head = if pull.head_repo_id == base_repo.id {
            Some((base_owner, base_repo))
        } else {
            head_repos.get(&pull.head_repo_id).and_then(|r| people.get(&r.owner_id).map(|o| (o, r)))
        };
        let head_json = head.map(|(o, r)| Repository::new(&state.links, r, o, None));
        // Pulls of one page mostly share a base branch: read each tip once.
        let base_sha = match base_tips.get(&pull.base_branch) {
            Some(sha) => sha.clone(),
            None => {
                let full = format!("refs/heads/{}", pull.base_branch);
                let sha = hearth_git::read::ref_commit(&base_dir, &full).ok().flatten().unwrap_or_default();
                base_tips.insert(pull.base_branch.clone(), sha.clone());
                sha
            }
        };
        let html_url =
            format!("{}{}/{}/pulls/{}", state.links.external_url, base_owner.name, base_repo.name, issue.idx);
        let merged_by = people.get(&pull.merger_id).map(|u| User::new(&state.links, u, true));
        out.push(PullRequest {
            id: pull.id,
            url: html_url.clone(),
            number: issue.idx,
            user: json.user,
            title: json.title,
            body: json.body,
            labels: json.labels,
            milestone: json.milestone,
            assignees: json.assignee.clone().map(|a| vec![a]),
            assignee: json.assignee,
            requested_reviewers: requested
                .iter()
                .filter(|(i, _, _)| *i == issue.id)
                .filter_map(|(_, u, _)| people.get(u).map(|u| User::new(&state.links, u, true)))
                .collect(),
            requested_reviewers_teams: requested
                .iter()
                .filter(|(i, _, _)| *i == issue.id)
                .filter_map(|(_, _, t)| teams.get(t).cloned())
                .collect(),
            state: json.state,
            is_locked: false,
            comments: json.comments,
            diff_url: format!("{html_url}.diff"),
            patch_url: format!("{html_url}.patch"),
            html_url,
            mergeable: matches!(pull.status(), PullStatus::Mergeable | PullStatus::Empty) && !pull.has_merged,
            merged: pull.has_merged,
            merged_at: pull.has_merged.then(|| rfc3339(pull.merged_unix)),
            merge_commit_sha: pull.has_merged.then(|| pull.merged_commit.clone()),
            merged_by: if pull.has_merged { merged_by } else { None },
            allow_maintainer_edit: pull.allow_maintainer_edit,
            head_branch: pull.head_branch.clone(),
            head_repo: head_json.clone(),
            base_branch: pull.base_branch.clone(),
            base_repo: base_json.clone(),
            head: PrBranchInfo {
                label: pull.head_branch.clone(),
                ref_name: pull.head_branch.clone(),
                sha: pull.head_sha.clone(),
                repo_id: if head_json.is_some() { pull.head_repo_id } else { -1 },
                repo: head_json,
            },
            base: PrBranchInfo {
                label: pull.base_branch.clone(),
                ref_name: pull.base_branch.clone(),
                sha: base_sha,
                repo_id: base_repo.id,
                repo: Some(base_json.clone()),
            },
            merge_base: pull.merge_base.clone(),
            due_date: None,
            created_at: json.created_at,
            updated_at: json.updated_at,
            closed_at: issue.is_closed.then(|| rfc3339(issue.updated_unix)),
        });
    }
    Ok(out)
}
