//! Native (`gogs`) payloads (webhooks.md §4), field for field, and the builders that queue them.

use hearth_git::pushlog::PushedCommit;
use hearth_git::transport::{RefUpdate, ZERO_ID};
use hearth_store::Conn;
use hearth_store::releases::ReleaseRow;
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self as user_store, UserRow};
use serde::Serialize;

use super::{HookEvent, enqueue};
use crate::app::AppState;
use crate::service::ServiceResult;
use crate::types::{PayloadCommit, PayloadUser, Permission, Release, Repository, User, rfc3339, rfc3339_with_offset};

/// Commits listed in a push payload (`[ui] FEED_MAX_COMMIT_NUM`).
pub const FEED_MAX_COMMIT_NUM: usize = 5;

/// The repository object of payloads: the API's, without `unlisted`; `permissions` only on a
/// fork's `parent`. Variant A (git pushes): `parent` always null.
pub fn hook_repo(state: &AppState, repo: &RepoRow, owner: &UserRow) -> Repository {
    let mut r = Repository::new(&state.links, repo, owner, None);
    r.unlisted = None;
    r
}

/// Variant B: a fork carries its base repository as `parent` (read-only permissions).
pub async fn hook_repo_with_parent(
    state: &AppState,
    mut c: Conn<'_>,
    repo: &RepoRow,
    owner: &UserRow,
) -> ServiceResult<Repository> {
    let mut out = hook_repo(state, repo, owner);
    if repo.is_fork
        && let Some(parent) = repo_store::by_id(c.reborrow(), repo.fork_id).await?
        && let Some(parent_owner) = user_store::by_id(c.reborrow(), parent.owner_id).await?
    {
        let mut p = hook_repo(state, &parent, &parent_owner);
        p.permissions = Some(Permission { admin: false, push: false, pull: true });
        out.parent = Some(Box::new(p));
    }
    Ok(out)
}

#[derive(Debug, Serialize)]
pub struct PushPayload {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub before: String,
    pub after: String,
    pub compare_url: String,
    pub commits: Vec<PayloadCommit>,
    pub repository: Repository,
    pub pusher: User,
    pub sender: User,
}

#[derive(Debug, Serialize)]
pub struct CreatePayload {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub ref_type: String,
    pub sha: String,
    pub default_branch: String,
    pub repository: Repository,
    pub sender: User,
}

#[derive(Debug, Serialize)]
pub struct DeletePayload {
    #[serde(rename = "ref")]
    pub ref_name: String,
    pub ref_type: String,
    pub pusher_type: String,
    pub repository: Repository,
    pub sender: User,
}

#[derive(Debug, Serialize)]
pub struct ForkPayload {
    pub forkee: Repository,
    pub repository: Repository,
    pub sender: User,
}

#[derive(Debug, Serialize)]
pub struct ReleasePayload {
    pub action: String,
    pub release: Release,
    pub repository: Repository,
    pub sender: User,
}

/// Resolves commit e-mails to logins, each once.
struct Logins(Vec<(String, String)>);

impl Logins {
    async fn get(&mut self, c: Conn<'_>, email: &str) -> ServiceResult<String> {
        if let Some((_, login)) = self.0.iter().find(|(e, _)| e.eq_ignore_ascii_case(email)) {
            return Ok(login.clone());
        }
        let login = if email.is_empty() {
            String::new()
        } else {
            user_store::by_activated_email(c, email).await?.map(|u| u.name).unwrap_or_default()
        };
        self.0.push((email.to_string(), login.clone()));
        Ok(login)
    }
}

fn non_empty(v: &[String]) -> Option<Vec<String>> {
    if v.is_empty() { None } else { Some(v.to_vec()) }
}

async fn payload_commit(
    mut c: Conn<'_>,
    logins: &mut Logins,
    html_url: &str,
    p: &PushedCommit,
) -> ServiceResult<PayloadCommit> {
    let i = &p.info;
    Ok(PayloadCommit {
        id: i.id.clone(),
        message: i.message.clone(),
        url: format!("{html_url}/commit/{}", i.id),
        author: PayloadUser {
            name: i.author_name.clone(),
            email: i.author_email.clone(),
            username: logins.get(c.reborrow(), &i.author_email).await?,
        },
        committer: PayloadUser {
            name: i.committer_name.clone(),
            email: i.committer_email.clone(),
            username: logins.get(c.reborrow(), &i.committer_email).await?,
        },
        added: non_empty(&p.added),
        removed: non_empty(&p.removed),
        modified: non_empty(&p.modified),
        timestamp: rfc3339_with_offset(i.committer_time, i.committer_offset),
    })
}

/// What one pushed ref update needs from git: its commits (branch creates and updates only).
pub struct PushedRef<'a> {
    pub update: &'a RefUpdate,
    pub commits: Vec<PushedCommit>,
}

/// Queue `create`, `delete` and `push` events for the ref updates of one push (webhooks.md §2,
/// §4.2–4.4). `repo` is the row as loaded before the push was recorded; `size` the new size.
/// Returns the number of tasks created.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_push(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    size: i64,
    pusher: &UserRow,
    refs: &[PushedRef<'_>],
) -> ServiceResult<usize> {
    let mut repository = hook_repo(state, repo, owner);
    repository.size = size;
    let sender = User::new(&state.links, pusher, true);
    let mut logins = Logins(Vec::new());
    let mut created = 0;
    for r in refs {
        let u = r.update;
        let (short, ref_type) = if let Some(b) = u.name.strip_prefix("refs/heads/") {
            (b, "branch")
        } else if let Some(t) = u.name.strip_prefix("refs/tags/") {
            (t, "tag")
        } else {
            continue;
        };
        if u.is_delete() {
            let p = DeletePayload {
                ref_name: short.to_string(),
                ref_type: ref_type.to_string(),
                pusher_type: "user".to_string(),
                repository: repository.clone(),
                sender: sender.clone(),
            };
            created += enqueue(c.reborrow(), repo.id, repo.owner_id, HookEvent::Delete, &p).await?;
            continue;
        }
        // A new branch or tag, and a tag moved by force, announce themselves (§2).
        if u.is_create() || ref_type == "tag" {
            let p = CreatePayload {
                ref_name: short.to_string(),
                ref_type: ref_type.to_string(),
                sha: if ref_type == "tag" { u.new.clone() } else { String::new() },
                default_branch: repo.default_branch.clone(),
                repository: repository.clone(),
                sender: sender.clone(),
            };
            created += enqueue(c.reborrow(), repo.id, repo.owner_id, HookEvent::Create, &p).await?;
        }
        if ref_type == "branch" {
            let mut commits = Vec::with_capacity(r.commits.len());
            for pc in &r.commits {
                commits.push(payload_commit(c.reborrow(), &mut logins, &repository.html_url, pc).await?);
            }
            let compare_url = if u.is_create() {
                String::new()
            } else {
                format!("{}/compare/{}...{}", repository.html_url, u.old, u.new)
            };
            let p = PushPayload {
                ref_name: u.name.clone(),
                before: if u.is_create() { ZERO_ID.to_string() } else { u.old.clone() },
                after: u.new.clone(),
                compare_url,
                commits,
                repository: repository.clone(),
                pusher: sender.clone(),
                sender: sender.clone(),
            };
            created += enqueue(c.reborrow(), repo.id, repo.owner_id, HookEvent::Push, &p).await?;
        }
    }
    Ok(created)
}

/// Queue the `fork` event on the base repository's hooks (webhooks.md §4.5).
pub async fn enqueue_fork(
    state: &AppState,
    mut c: Conn<'_>,
    base_id: i64,
    fork: &RepoRow,
    fork_owner: &UserRow,
    sender: &UserRow,
) -> ServiceResult<usize> {
    let Some(base) = repo_store::by_id(c.reborrow(), base_id).await? else { return Ok(0) };
    let Some(base_owner) = user_store::by_id(c.reborrow(), base.owner_id).await? else { return Ok(0) };
    let repository = hook_repo_with_parent(state, c.reborrow(), &base, &base_owner).await?;
    let mut forkee = hook_repo(state, fork, fork_owner);
    forkee.fork = true;
    let mut parent = hook_repo(state, &base, &base_owner);
    parent.permissions = Some(Permission { admin: false, push: false, pull: true });
    forkee.parent = Some(Box::new(parent));
    let p = ForkPayload { forkee, repository, sender: User::new(&state.links, sender, true) };
    enqueue(c, base.id, base.owner_id, HookEvent::Fork, &p).await
}

/// Queue `release` (`published`) for a release that was just published (webhooks.md §4.9).
pub async fn enqueue_release(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    release: &ReleaseRow,
    publisher: &UserRow,
) -> ServiceResult<usize> {
    let author = User::new(&state.links, publisher, true);
    let p = ReleasePayload {
        action: "published".to_string(),
        release: Release {
            id: release.id,
            tag_name: release.tag_name.clone(),
            target_commitish: release.target.clone(),
            name: release.title.clone(),
            body: release.note.clone(),
            draft: release.is_draft,
            prerelease: release.is_prerelease,
            author: author.clone(),
            created_at: rfc3339(release.created_unix),
        },
        repository: hook_repo_with_parent(state, c.reborrow(), repo, owner).await?,
        sender: author,
    };
    enqueue(c, repo.id, repo.owner_id, HookEvent::Release, &p).await
}

/// The test delivery's `push` (webhooks.md §8.4): the default branch's latest commit, or a fake
/// one for an empty repository.
pub async fn test_push(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    doer: &UserRow,
    latest: Option<PushedCommit>,
) -> ServiceResult<PushPayload> {
    let repository = hook_repo_with_parent(state, c.reborrow(), repo, owner).await?;
    let commit = match &latest {
        Some(pc) => {
            let mut pc = payload_commit(c.reborrow(), &mut Logins(Vec::new()), &repository.html_url, pc).await?;
            pc.timestamp = "0001-01-01T00:00:00Z".to_string();
            pc
        }
        None => {
            let ghost = PayloadUser { name: "Ghost".into(), email: String::new(), username: "Ghost".into() };
            PayloadCommit {
                id: ZERO_ID.to_string(),
                message: "This is a fake commit".to_string(),
                url: format!("{}/commit/{ZERO_ID}", repository.html_url),
                author: ghost.clone(),
                committer: ghost,
                added: None,
                removed: None,
                modified: None,
                timestamp: "0001-01-01T00:00:00Z".to_string(),
            }
        }
    };
    let sender = User::new(&state.links, doer, true);
    Ok(PushPayload {
        ref_name: format!("refs/heads/{}", repo.default_branch),
        before: commit.id.clone(),
        after: commit.id.clone(),
        compare_url: String::new(),
        commits: vec![commit],
        repository,
        pusher: sender.clone(),
        sender,
    })
}

/// `changes` of an `edited` event: `{"title":{"from":…}}` or `{"body":{"from":…}}`.
#[derive(Debug, Clone, Serialize)]
pub struct Changes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<ChangeFrom>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<ChangeFrom>,
    /// A pull request's new base (Gitea): the old base branch.
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub base: Option<ChangeFrom>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeFrom {
    pub from: String,
}

#[derive(Debug, Serialize)]
struct IssuesPayload {
    action: &'static str,
    number: i64,
    issue: crate::types::Issue,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Changes>,
    repository: Repository,
    sender: User,
}

#[derive(Debug, Serialize)]
struct IssueCommentPayload {
    action: &'static str,
    issue: crate::types::Issue,
    comment: crate::types::Comment,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Changes>,
    repository: Repository,
    sender: User,
}

/// Queue an `issues` event (webhooks.md §4.6) for the issue as it is now in the transaction.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_issue(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    issue: &hearth_store::issues::IssueRow,
    action: &'static str,
    changes: Option<Changes>,
    sender: &UserRow,
) -> ServiceResult<usize> {
    let json = crate::service::issue_view::issue_json(state, c.reborrow(), &owner.name, &repo.name, issue).await?;
    let p = IssuesPayload {
        action,
        number: issue.idx,
        issue: json,
        changes,
        repository: hook_repo_with_parent(state, c.reborrow(), repo, owner).await?,
        sender: User::new(&state.links, sender, true),
    };
    enqueue(c, repo.id, repo.owner_id, HookEvent::Issues, &p).await
}

/// Queue an `issue_comment` event (webhooks.md §4.7).
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_issue_comment(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    issue: &hearth_store::issues::IssueRow,
    comment: &hearth_store::issues::CommentRow,
    action: &'static str,
    changes: Option<Changes>,
    sender: &UserRow,
) -> ServiceResult<usize> {
    let issue_json =
        crate::service::issue_view::issue_json(state, c.reborrow(), &owner.name, &repo.name, issue).await?;
    let index = std::collections::HashMap::from([(issue.id, issue.idx)]);
    let comment_json = crate::service::issue_view::comments_json(
        state,
        c.reborrow(),
        &owner.name,
        &repo.name,
        std::slice::from_ref(comment),
        &index,
    )
    .await?
    .remove(0);
    let p = IssueCommentPayload {
        action,
        issue: issue_json,
        comment: comment_json,
        changes,
        repository: hook_repo_with_parent(state, c.reborrow(), repo, owner).await?,
        sender: User::new(&state.links, sender, true),
    };
    enqueue(c, repo.id, repo.owner_id, HookEvent::IssueComment, &p).await
}

/// Gitea's CommitStatusPayload (`status` event).
#[derive(Debug, Serialize)]
struct StatusPayload {
    commit: PayloadCommit,
    context: String,
    created_at: String,
    description: String,
    id: i64,
    repository: Repository,
    sender: User,
    sha: String,
    state: String,
    target_url: String,
    updated_at: String,
}

/// Queue a `status` event for a commit status just recorded (`commit`: the commit it is for).
pub async fn enqueue_status(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    status: &hearth_store::statuses::StatusRow,
    commit: &hearth_git::read::CommitDetail,
    sender: &UserRow,
) -> ServiceResult<usize> {
    let repository = hook_repo_with_parent(state, c.reborrow(), repo, owner).await?;
    let pushed = PushedCommit { info: commit.info.clone(), added: vec![], removed: vec![], modified: vec![] };
    let p = StatusPayload {
        commit: payload_commit(c.reborrow(), &mut Logins(Vec::new()), &repository.html_url, &pushed).await?,
        context: status.context.clone(),
        created_at: rfc3339(status.created_unix),
        description: status.description.clone(),
        id: status.id,
        repository,
        sender: User::new(&state.links, sender, true),
        sha: status.sha.clone(),
        state: status.state.clone(),
        target_url: status.target_url.clone(),
        updated_at: rfc3339(status.created_unix),
    };
    enqueue(c, repo.id, repo.owner_id, HookEvent::Status, &p).await
}

/// go-gogs-client's PullRequestPayload with Gitea's additions (`requested_reviewer`, `review`,
/// `commit_id`: null or empty outside review events).
#[derive(Debug, Serialize)]
struct PullRequestPayload {
    action: &'static str,
    number: i64,
    pull_request: crate::types::PullRequest,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Changes>,
    repository: Repository,
    sender: User,
    requested_reviewer: Option<User>,
    commit_id: String,
    review: Option<serde_json::Value>,
}

/// What review events add to a pull request's payload.
#[derive(Debug, Default)]
pub struct PullExtra {
    pub requested_reviewer: Option<User>,
    /// Gitea's `review`: `{"type": "pull_request_review_approved", "content": body}`.
    pub review: Option<(&'static str, String)>,
}

/// Queue a `pull_request` event (opened, edited, closed — `merged` says whether by a merge —,
/// reopened, synchronized) for the pull's base repository.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_pull(
    state: &AppState,
    c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    issue: &hearth_store::issues::IssueRow,
    pull: &hearth_store::pulls::PullRow,
    action: &'static str,
    changes: Option<Changes>,
    sender: &UserRow,
) -> ServiceResult<usize> {
    enqueue_pull_with(state, c, owner, repo, issue, pull, action, changes, sender, PullExtra::default()).await
}

/// [`enqueue_pull`] with a review or a requested reviewer (`reviewed`, `review_requested`,
/// `review_request_removed`).
#[allow(clippy::too_many_arguments)]
pub async fn enqueue_pull_with(
    state: &AppState,
    mut c: Conn<'_>,
    owner: &UserRow,
    repo: &RepoRow,
    issue: &hearth_store::issues::IssueRow,
    pull: &hearth_store::pulls::PullRow,
    action: &'static str,
    changes: Option<Changes>,
    sender: &UserRow,
    extra: PullExtra,
) -> ServiceResult<usize> {
    let rows = [(issue.clone(), pull.clone())];
    let json = crate::service::pull_view::pulls_json(state, c.reborrow(), owner, repo, &rows).await?.remove(0);
    let p = PullRequestPayload {
        action,
        number: issue.idx,
        pull_request: json,
        changes,
        repository: hook_repo_with_parent(state, c.reborrow(), repo, owner).await?,
        sender: User::new(&state.links, sender, true),
        requested_reviewer: extra.requested_reviewer,
        commit_id: String::new(),
        review: extra.review.map(|(kind, content)| serde_json::json!({ "type": kind, "content": content })),
    };
    enqueue(c, repo.id, repo.owner_id, HookEvent::PullRequest, &p).await
}
