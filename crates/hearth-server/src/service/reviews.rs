//! Pull request reviews (Gitea's API): pending reviews collecting line comments, submitted as
//! approved, comment or request-changes; review requests; dismissal. Each change and its
//! `pull_request` event (`reviewed`, `review_requested`, ...) are written in one transaction.

use std::collections::HashMap;

use hearth_store::issues::IssueRow;
use hearth_store::pulls::PullRow;
use hearth_store::reviews::{self, ReviewCommentRow, ReviewRow, ReviewState};
use hearth_store::users::{self, UserRow};
use hearth_store::{Conn, UserKind, orgs};

use super::access::{AccessMode, access_mode};
use super::issue_view::users_by_id;
use super::issues::Tracker;
use super::webhooks::payload::{PullExtra, enqueue_pull_with};
use super::webhooks::wake;
use super::{ServiceError, ServiceResult, now_unix, pulls};
use crate::app::AppState;
use crate::types::{PullReview, PullReviewComment, User, rfc3339};

/// One line comment of a new review.
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    pub path: String,
    pub body: String,
    pub new_position: i64,
    pub old_position: i64,
}

#[derive(Debug, Default)]
pub struct CreateReview {
    /// APPROVED, REQUEST_CHANGES, COMMENT; anything else leaves the review pending.
    pub event: String,
    pub body: String,
    pub commit_id: String,
    pub comments: Vec<NewComment>,
}

fn parse_event(e: &str) -> ReviewState {
    match e.trim().to_ascii_uppercase().as_str() {
        "APPROVED" | "APPROVE" => ReviewState::Approved,
        "REQUEST_CHANGES" => ReviewState::RequestChanges,
        "COMMENT" => ReviewState::Comment,
        _ => ReviewState::Pending,
    }
}

pub fn state_name(s: ReviewState) -> &'static str {
    match s {
        ReviewState::Pending => "PENDING",
        ReviewState::Approved => "APPROVED",
        ReviewState::Comment => "COMMENT",
        ReviewState::RequestChanges => "REQUEST_CHANGES",
        ReviewState::RequestReview => "REQUEST_REVIEW",
    }
}

/// Gitea's review checks for submitting `state` with `body` (and `comments` line comments).
fn check_submit(
    issue: &IssueRow,
    pull: &PullRow,
    doer: &UserRow,
    state: ReviewState,
    body: &str,
    comments: usize,
) -> ServiceResult<()> {
    let own = issue.poster_id == doer.id;
    let closed = issue.is_closed || pull.has_merged;
    match state {
        ReviewState::Approved if own => Err(ServiceError::Invalid("approve your own pull is not allowed".into())),
        ReviewState::RequestChanges if own => Err(ServiceError::Invalid("reject your own pull is not allowed".into())),
        ReviewState::Approved | ReviewState::RequestChanges if closed => {
            Err(ServiceError::Invalid("can't submit review for a closed or merged PR".into()))
        }
        ReviewState::RequestChanges if body.trim().is_empty() => {
            Err(ServiceError::Invalid("review event REQUEST_CHANGES requires a body".into()))
        }
        ReviewState::Comment if body.trim().is_empty() && comments == 0 => {
            Err(ServiceError::Invalid("review event COMMENT requires a body or a comment".into()))
        }
        _ => Ok(()),
    }
}

/// Send a submitted review's event.
#[allow(clippy::too_many_arguments)]
async fn enqueue_reviewed(
    state: &AppState,
    c: Conn<'_>,
    t: &Tracker<'_>,
    issue: &IssueRow,
    pull: &PullRow,
    review_state: ReviewState,
    body: &str,
) -> ServiceResult<()> {
    let kind = match review_state {
        ReviewState::Approved => "pull_request_review_approved",
        ReviewState::RequestChanges => "pull_request_review_rejected",
        _ => "pull_request_review_comment",
    };
    let extra = PullExtra { review: Some((kind, body.to_string())), ..Default::default() };
    let mut c = c;
    enqueue_pull_with(state, c.reborrow(), t.owner, t.repo, issue, pull, "reviewed", None, t.doer, extra).await?;
    let event = match review_state {
        ReviewState::Approved => "approved",
        ReviewState::RequestChanges => "requested changes",
        _ => "reviewed",
    };
    super::notifications::enqueue(c.reborrow(), issue, 0, t.doer.id, event, body).await?;
    let op = match review_state {
        ReviewState::Approved => Some(hearth_store::actions::Op::ApprovePullRequest),
        ReviewState::RequestChanges => Some(hearth_store::actions::Op::RejectPullRequest),
        _ => None,
    };
    if let Some(op) = op {
        let excerpt: String = body.chars().take(200).collect();
        super::feeds::record(c, op, t.doer, issue.repo_id, "", 0, &format!("{}|{excerpt}", issue.idx)).await?;
    }
    Ok(())
}

/// Submit `review` (pending) as `review_state` within the caller's transaction.
#[allow(clippy::too_many_arguments)]
async fn submit_in(
    state: &AppState,
    mut c: Conn<'_>,
    t: &Tracker<'_>,
    issue: &IssueRow,
    pull: &PullRow,
    review: &ReviewRow,
    review_state: ReviewState,
    body: &str,
    commit_id: &str,
) -> ServiceResult<()> {
    // Approvals and requests for changes by writers count (branch protection may narrow this).
    let official =
        matches!(review_state, ReviewState::Approved | ReviewState::RequestChanges) && t.mode >= AccessMode::Write;
    let commit = if commit_id.is_empty() { pull.head_sha.as_str() } else { commit_id };
    reviews::submit(c.reborrow(), review.id, review_state, body, commit, official, now_unix()).await?;
    if official {
        reviews::clear_official(c.reborrow(), issue.id, t.doer.id, review.id).await?;
    }
    reviews::delete_requests(c.reborrow(), issue.id, t.doer.id).await?;
    enqueue_reviewed(state, c, t, issue, pull, review_state, body).await
}

/// Review a pull in one call: line comments go into the caller's pending review, which is then
/// submitted (or left pending when the event says so).
pub async fn create(state: &AppState, t: &Tracker<'_>, index: i64, opt: &CreateReview) -> ServiceResult<ReviewRow> {
    super::repo_manage::ensure_writable(t.repo)?;
    let (issue, pull) = pulls::get(state, t.repo.id, index).await?;
    let review_state = parse_event(&opt.event);
    check_submit(&issue, &pull, t.doer, review_state, &opt.body, opt.comments.len())?;
    for cm in &opt.comments {
        let path_ok = hearth_git::names::is_valid_tree_path(cm.path.trim());
        if !path_ok || cm.body.trim().is_empty() || cm.new_position < 0 || cm.old_position < 0 {
            return Err(ServiceError::Invalid("a review comment needs a valid path, a body and a line".into()));
        }
    }
    let hex = |s: &str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !opt.commit_id.is_empty() && !hex(&opt.commit_id) {
        return Err(ServiceError::Invalid("commit_id must be a full commit id".into()));
    }
    let now = now_unix();
    let commit = if opt.commit_id.is_empty() { pull.head_sha.clone() } else { opt.commit_id.clone() };
    let mut tx = state.db.begin().await?;
    let pending = reviews::of_issue(tx.conn(), issue.id)
        .await?
        .into_iter()
        .find(|r| r.reviewer_id == t.doer.id && r.state() == ReviewState::Pending);
    let review = match pending {
        Some(r) => r,
        None => {
            reviews::insert(tx.conn(), issue.id, t.doer.id, 0, ReviewState::Pending, "", &commit, false, now).await?
        }
    };
    for cm in &opt.comments {
        // An old-side line wins, as in Gitea.
        let (new, old) = if cm.old_position > 0 { (0, cm.old_position) } else { (cm.new_position, 0) };
        reviews::insert_comment(tx.conn(), review.id, t.doer.id, cm.path.trim(), new, old, &commit, &cm.body, now)
            .await?;
    }
    if review_state != ReviewState::Pending {
        submit_in(state, tx.conn(), t, &issue, &pull, &review, review_state, &opt.body, &commit).await?;
    }
    let id = review.id;
    let review = reviews::by_id(tx.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    wake(state);
    Ok(review)
}

/// A review of pull `index`; others' pending reviews are not found (except by site admins).
pub async fn get(
    state: &AppState,
    t: &Tracker<'_>,
    index: i64,
    id: i64,
) -> ServiceResult<(IssueRow, PullRow, ReviewRow)> {
    let (issue, pull) = pulls::get(state, t.repo.id, index).await?;
    let mut h = state.db.acquire().await?;
    let review = reviews::by_id(h.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    let hidden = review.state() == ReviewState::Pending && review.reviewer_id != t.doer.id && !t.doer.is_admin;
    if review.issue_id != issue.id || hidden {
        return Err(ServiceError::NotFound);
    }
    Ok((issue, pull, review))
}

/// A pull's reviews, requests included; others' pending ones left out.
pub async fn list(
    state: &AppState,
    repo_id: i64,
    index: i64,
    viewer: Option<&UserRow>,
) -> ServiceResult<Vec<ReviewRow>> {
    let (issue, _) = pulls::get(state, repo_id, index).await?;
    let mut h = state.db.acquire().await?;
    let all = reviews::of_issue(h.conn(), issue.id).await?;
    let (me, admin) = viewer.map_or((0, false), |u| (u.id, u.is_admin));
    Ok(all.into_iter().filter(|r| r.state() != ReviewState::Pending || r.reviewer_id == me || admin).collect())
}

/// Submit the caller's pending review.
pub async fn submit(
    state: &AppState,
    t: &Tracker<'_>,
    index: i64,
    id: i64,
    event: &str,
    body: &str,
) -> ServiceResult<ReviewRow> {
    super::repo_manage::ensure_writable(t.repo)?;
    let (issue, pull, review) = get(state, t, index, id).await?;
    if review.state() != ReviewState::Pending || review.reviewer_id != t.doer.id {
        return Err(ServiceError::Invalid("only a pending review can be submitted".into()));
    }
    let review_state = parse_event(event);
    if review_state == ReviewState::Pending {
        return Err(ServiceError::Invalid("review stay pending".into()));
    }
    let mut h = state.db.acquire().await?;
    let comments = reviews::comments_of(h.conn(), review.id).await?.len();
    drop(h);
    check_submit(&issue, &pull, t.doer, review_state, body, comments)?;
    let mut tx = state.db.begin().await?;
    submit_in(state, tx.conn(), t, &issue, &pull, &review, review_state, body, "").await?;
    let review = reviews::by_id(tx.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    wake(state);
    Ok(review)
}

/// Delete a review (its reviewer or a site admin).
pub async fn delete(state: &AppState, t: &Tracker<'_>, index: i64, id: i64) -> ServiceResult<()> {
    let (_, _, review) = get(state, t, index, id).await?;
    if review.reviewer_id != t.doer.id && !t.doer.is_admin {
        return Err(ServiceError::Forbidden("only the reviewer or a site admin may delete a review".into()));
    }
    let mut h = state.db.acquire().await?;
    reviews::delete(h.conn(), id).await?;
    Ok(())
}

/// Dismiss (or restore) an approval or a request for changes (repository admins).
pub async fn set_dismissed(
    state: &AppState,
    t: &Tracker<'_>,
    index: i64,
    id: i64,
    dismissed: bool,
    priors: bool,
) -> ServiceResult<ReviewRow> {
    if t.mode < AccessMode::Admin {
        return Err(ServiceError::Forbidden("Must be repo admin".into()));
    }
    let (issue, pull, review) = get(state, t, index, id).await?;
    if !matches!(review.state(), ReviewState::Approved | ReviewState::RequestChanges) {
        return Err(ServiceError::Forbidden(
            "not need to dismiss this review because it's type is not Approve or change request".into(),
        ));
    }
    if issue.is_closed || pull.has_merged {
        return Err(ServiceError::Forbidden("can't dismiss a review associated to a closed or merged PR".into()));
    }
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    if dismissed && priors {
        reviews::dismiss_priors(tx.conn(), issue.id, review.reviewer_id, now).await?;
    }
    reviews::set_dismissed(tx.conn(), id, dismissed, now).await?;
    let review = reviews::by_id(tx.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(review)
}

/// Ask users and teams for a review (`add`) or withdraw the requests; answers the request rows
/// made. Teams are an organisation's (ignored elsewhere, as Gitea ignores them) and must have the
/// repository; a team request sends no event (Gitea's events name one reviewer).
pub async fn request(
    state: &AppState,
    t: &Tracker<'_>,
    index: i64,
    names: &[String],
    team_names: &[String],
    add: bool,
) -> ServiceResult<Vec<ReviewRow>> {
    super::repo_manage::ensure_writable(t.repo)?;
    let (issue, pull) = pulls::get(state, t.repo.id, index).await?;
    if issue.is_closed {
        return Err(ServiceError::Forbidden("the pull request is closed".into()));
    }
    if issue.poster_id != t.doer.id && t.mode < AccessMode::Write {
        return Err(ServiceError::Forbidden("only the poster or a writer may request reviews".into()));
    }
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    let mut made = Vec::new();
    for name in names {
        let user = users::by_name(tx.conn(), name.trim()).await?;
        let Some(user) = user.filter(|u| u.kind == UserKind::Individual) else {
            return Err(ServiceError::NotFoundMessage(format!("User '{name}' not exist")));
        };
        if user.id == issue.poster_id || access_mode(tx.conn(), Some(&user), t.repo).await? < AccessMode::Read {
            return Err(ServiceError::Invalid(format!("user {} cannot review this pull request", user.name)));
        }
        let requested = reviews::of_issue(tx.conn(), issue.id)
            .await?
            .into_iter()
            .any(|r| r.reviewer_id == user.id && r.state() == ReviewState::RequestReview);
        let action = if add && !requested {
            made.push(
                reviews::insert(tx.conn(), issue.id, user.id, 0, ReviewState::RequestReview, "", "", false, now)
                    .await?,
            );
            "review_requested"
        } else if !add && reviews::delete_requests(tx.conn(), issue.id, user.id).await? > 0 {
            "review_request_removed"
        } else {
            continue;
        };
        let extra = PullExtra { requested_reviewer: Some(User::new(&state.links, &user, true)), ..Default::default() };
        enqueue_pull_with(state, tx.conn(), t.owner, t.repo, &issue, &pull, action, None, t.doer, extra).await?;
        if add {
            super::notifications::enqueue(tx.conn(), &issue, 0, t.doer.id, "requested a review", "").await?;
        }
    }
    let team_names = if t.owner.kind == UserKind::Organization { team_names } else { &[] };
    for name in team_names {
        let Some(team) = orgs::team_by_name(tx.conn(), t.owner.id, name.trim()).await? else {
            return Err(ServiceError::NotFoundMessage(format!("Team '{name}' not exist")));
        };
        if !team.is_owners() && !orgs::team_has_repo(tx.conn(), team.id, t.repo.id).await? {
            return Err(ServiceError::Invalid(format!("team {} cannot review this pull request", team.name)));
        }
        let requested = reviews::of_issue(tx.conn(), issue.id)
            .await?
            .into_iter()
            .any(|r| r.team_id == team.id && r.state() == ReviewState::RequestReview);
        if add && !requested {
            made.push(
                reviews::insert(tx.conn(), issue.id, 0, team.id, ReviewState::RequestReview, "", "", false, now)
                    .await?,
            );
        } else if !add {
            reviews::delete_team_requests(tx.conn(), issue.id, team.id).await?;
        }
    }
    tx.commit().await?;
    wake(state);
    Ok(made)
}

/// The PullReview objects of `rows`, all of pull `index` of `owner/repo`.
pub async fn to_json(
    state: &AppState,
    owner: &str,
    repo: &str,
    index: i64,
    rows: &[ReviewRow],
) -> ServiceResult<Vec<PullReview>> {
    let mut h = state.db.acquire().await?;
    let people = users_by_id(h.conn(), rows.iter().map(|r| r.reviewer_id)).await?;
    let mut teams = HashMap::new();
    for r in rows.iter().filter(|r| r.team_id > 0) {
        if let Some(t) = orgs::team_by_id(h.conn(), r.team_id).await? {
            teams.insert(r.team_id, crate::types::Team::new(&t));
        }
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<i64, i64> = reviews::comment_counts(h.conn(), &ids).await?.into_iter().collect();
    let pull_url = format!("{}{owner}/{repo}/pulls/{index}", state.links.external_url);
    Ok(rows
        .iter()
        .map(|r| PullReview {
            id: r.id,
            user: people.get(&r.reviewer_id).map(|u| User::new(&state.links, u, true)),
            team: teams.get(&r.team_id).cloned(),
            state: state_name(r.state()).into(),
            body: r.body.clone(),
            commit_id: r.commit_id.clone(),
            stale: r.stale,
            official: r.official,
            dismissed: r.dismissed,
            comments_count: counts.get(&r.id).copied().unwrap_or(0),
            submitted_at: rfc3339(r.created_unix),
            updated_at: rfc3339(r.updated_unix),
            html_url: format!("{pull_url}#pullrequestreview-{}", r.id),
            pull_request_url: pull_url.clone(),
        })
        .collect())
}

/// A review's line comments as PullReviewComment objects.
pub async fn comments_json(
    state: &AppState,
    owner: &str,
    repo: &str,
    index: i64,
    review_id: i64,
) -> ServiceResult<Vec<PullReviewComment>> {
    let mut h = state.db.acquire().await?;
    let rows: Vec<ReviewCommentRow> = reviews::comments_of(h.conn(), review_id).await?;
    let people = users_by_id(h.conn(), rows.iter().map(|r| r.poster_id)).await?;
    let pull_url = format!("{}{owner}/{repo}/pulls/{index}", state.links.external_url);
    Ok(rows
        .iter()
        .map(|r| PullReviewComment {
            id: r.id,
            body: r.body.clone(),
            user: people.get(&r.poster_id).map(|u| User::new(&state.links, u, true)),
            resolver: None,
            pull_request_review_id: r.review_id,
            created_at: rfc3339(r.created_unix),
            updated_at: rfc3339(r.updated_unix),
            path: r.path.clone(),
            commit_id: r.commit_id.clone(),
            original_commit_id: r.commit_id.clone(),
            diff_hunk: String::new(),
            position: r.new_position,
            original_position: r.old_position,
            html_url: format!("{pull_url}/files#issuecomment-{}", r.id),
            pull_request_url: pull_url.clone(),
        })
        .collect())
}
