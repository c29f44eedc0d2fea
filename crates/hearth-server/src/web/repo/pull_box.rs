//! The merge box of a pull request's conversation: its check's outcome, the styles the repository
//! allows, the reason protection blocks a merge, the reviews so far and, after the merge, the
//! head branch's deletion.

use hearth_store::issues::IssueRow;
use hearth_store::pulls::{PullRow, PullStatus};
use hearth_store::reviews::{self as review_store, ReviewState};
use minijinja::{Value, context};

use super::RepoPage;
use crate::app::AppState;
use crate::service::issue_view::users_by_id;
use crate::service::{pulls, reviews};
use crate::web::page::WebError;

/// The styles in Gitea's order, with the labels the page gives their radios.
const STYLES: [(&str, &str); 5] = [
    ("merge", "Create a merge commit"),
    ("rebase", "Rebase and merge"),
    ("rebase-merge", "Rebase and create a merge commit"),
    ("squash", "Squash and merge"),
    ("fast-forward-only", "Fast-forward only"),
];

/// The API's `not allowed to merge [reason: X]` as a sentence for the page: `X.`
fn readable_reason(r: &str) -> String {
    let core = r.strip_prefix("not allowed to merge [reason: ").and_then(|x| x.strip_suffix(']')).unwrap_or(r);
    format!("{}.", core.trim_end_matches('.'))
}

pub async fn merge_box(state: &AppState, page: &RepoPage, issue: &IssueRow, pull: &PullRow) -> Result<Value, WebError> {
    let repo = &page.ctx.repo;
    let allowed = [
        repo.allow_merge_commits,
        repo.allow_rebase,
        repo.allow_rebase_explicit,
        repo.allow_squash_merge,
        repo.allow_fast_forward_only_merge,
    ];
    let default = if repo.default_merge_style.is_empty() { "merge" } else { repo.default_merge_style.as_str() };
    let mut styles: Vec<Value> = Vec::new();
    let mut any_checked = false;
    for (&(value, label), on) in STYLES.iter().zip(allowed) {
        if on {
            let checked = value == default;
            any_checked |= checked;
            styles.push(context! { value, label, checked });
        }
    }
    if !any_checked && let Some(first) = styles.first_mut() {
        let (value, label) = (first.get_attr("value").unwrap_or_default(), first.get_attr("label").unwrap_or_default());
        *first = context! { value, label, checked => true };
    }
    let status = match pull.status() {
        PullStatus::Checking => "checking",
        PullStatus::Mergeable => "mergeable",
        PullStatus::Conflict => "conflict",
        PullStatus::Empty => "empty",
        PullStatus::Error => "error",
    };
    let open = !issue.is_closed && !pull.has_merged;
    let blocked = match &page.viewer.user {
        Some(me) if open && page.writer() => pulls::merge_blocker(state, &page.tracker(me), issue, pull).await?,
        _ => None,
    }
    .map(|r| readable_reason(&r));
    let branch_left = pull.has_merged
        && pull.head_repo_id == repo.id
        && pull.head_branch != repo.default_branch
        && pulls::branch_tip(page.ctx.dir().to_path_buf(), &pull.head_branch).await?.is_some();

    let mut h = state.db.acquire().await?;
    let rows: Vec<_> = review_store::of_issue(h.conn(), issue.id)
        .await?
        .into_iter()
        .filter(|r| !matches!(r.state(), ReviewState::Pending | ReviewState::RequestReview))
        .collect();
    let people = users_by_id(h.conn(), rows.iter().map(|r| r.reviewer_id)).await?;
    drop(h);
    let texts: Vec<&str> = rows.iter().map(|r| r.body.as_str()).collect();
    let bodies = super::issues::markdown(state, page, &texts).await?;
    let review_list: Vec<Value> = rows
        .iter()
        .zip(bodies)
        .map(|(r, body)| {
            let verb = match r.state() {
                ReviewState::Approved => "approved these changes",
                ReviewState::RequestChanges => "requested changes",
                _ => "reviewed",
            };
            context! {
                reviewer => people.get(&r.reviewer_id).map(|u| u.name.clone()).unwrap_or_default(),
                state => reviews::state_name(r.state()), verb, body, dismissed => r.dismissed,
                created_unix => r.created_unix, review => true, id => r.id,
            }
        })
        .collect();
    let message = format!("Merge pull request #{} from {}\n\n{}", issue.idx, pull.head_branch, issue.title);
    Ok(context! {
        status, open, merged => pull.has_merged,
        can_merge => open && page.writer() && status == "mergeable" && blocked.is_none() && !styles.is_empty(),
        blocked,
        conflicts => pull.conflicted_files.split('\n').filter(|f| !f.is_empty()).map(String::from).collect::<Vec<_>>(),
        styles, message, head => pull.head_sha.clone(),
        can_delete_branch => branch_left && page.writer(),
        head_branch => pull.head_branch.clone(),
        reviews => review_list,
        can_review => page.viewer.user.is_some() && open,
        own => page.viewer.user.as_ref().is_some_and(|u| u.id == issue.poster_id),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reasons_read_as_sentences() {
        let r = super::readable_reason("not allowed to merge [reason: Not all required status checks successful]");
        assert_eq!(r, "Not all required status checks successful.");
        assert_eq!(super::readable_reason("User not allowed to merge PR"), "User not allowed to merge PR.");
    }
}
