//! Repository management, as Gitea 1.22 does it: editing a repository (`PATCH /repos/:o/:r`:
//! settings, rename, archive), and transferring it to another owner, at once or pending the
//! recipient's acceptance. A rename or transfer moves the directory inside the transaction that
//! changes the row (see [`disk::move_repository`]) and leaves a redirect from the old name.

use hearth_store::orgs::{self as org_store, TeamRow};
use hearth_store::repos::{self as repo_store, Edit, RepoRow};
use hearth_store::transfers::{self, TransferRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{Conn, StoreError, UserKind, collaborations, redirects};

use super::access::{AccessMode, access_mode};
use super::disk::{self, MoveError};
use super::repos::{check_repo_name, repo_exists, repo_path};
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

/// The 423 message for a write to an archived repository (Gitea's).
pub const ARCHIVED: &str = "repo is archived";

/// The merge styles `default_merge_style` accepts (Gitea's names).
pub const MERGE_STYLES: &[&str] = &["merge", "rebase", "rebase-merge", "squash", "fast-forward-only"];

/// The one check every write to a repository passes: an archived repository is read-only (423).
pub fn ensure_writable(repo: &RepoRow) -> ServiceResult<()> {
    if repo.is_archived { Err(ServiceError::Locked(ARCHIVED.into())) } else { Ok(()) }
}

/// Gitea's EditRepoOption: present fields change, absent ones stay.
#[derive(Debug, Clone, Default)]
pub struct EditRepo {
    pub name: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub private: Option<bool>,
    pub default_branch: Option<String>,
    pub has_issues: Option<bool>,
    pub has_wiki: Option<bool>,
    pub has_pull_requests: Option<bool>,
    pub archived: Option<bool>,
    pub allow_merge_commits: Option<bool>,
    pub allow_rebase: Option<bool>,
    pub allow_rebase_explicit: Option<bool>,
    pub allow_squash_merge: Option<bool>,
    pub allow_fast_forward_only_merge: Option<bool>,
    pub default_merge_style: Option<String>,
}

fn set<V>(field: &mut V, value: Option<V>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// Edit `owner`'s `repo` on behalf of `doer` (a repository admin). An archived repository only
/// takes an edit that un-archives it (423 otherwise); a name that is not a change of case moves
/// the directory and leaves a redirect; a default branch that does not exist is ignored (an empty
/// repository takes any). Answers the repository as it now is.
pub async fn edit(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    doer: &UserRow,
    e: &EditRepo,
) -> ServiceResult<RepoRow> {
    if repo.is_archived && e.archived != Some(false) {
        ensure_writable(repo)?;
    }
    if e.archived.is_some() && repo.is_mirror {
        return Err(ServiceError::Invalid("repo is a mirror, cannot archive/un-archive".into()));
    }
    if let Some(style) = &e.default_merge_style
        && !MERGE_STYLES.contains(&style.as_str())
    {
        return Err(ServiceError::Invalid(format!("invalid default merge style [style: {style}]")));
    }
    let new_name = match &e.name {
        Some(name) if *name != repo.name => {
            check_repo_name(name)?;
            Some(name.as_str())
        }
        _ => None,
    };
    let mut edit = Edit::of(repo);
    set(&mut edit.description, e.description.clone());
    set(&mut edit.website, e.website.clone());
    if let Some(private) = e.private {
        // A fork's visibility follows its base repository's (Gitea).
        let private = match repo.is_fork {
            true => {
                let mut h = state.db.acquire().await?;
                repo_store::by_id(h.conn(), repo.fork_id).await?.map_or(private, |base| base.is_private)
            }
            false => private,
        };
        if repo.is_private && !private && state.config.repository.force_private && !doer.is_admin {
            return Err(ServiceError::Invalid("cannot change private repository to public".into()));
        }
        edit.is_private = private;
    }
    let dir = repo_path(&state.config.repository.root, &owner.name, &repo.name);
    let mut new_head = None;
    if let Some(branch) = e.default_branch.as_deref().filter(|b| *b != repo.default_branch) {
        let exists = repo.is_bare || {
            let (dir, branch) = (dir.clone(), branch.to_string());
            super::git_blocking(move || hearth_git::branch(&dir, &branch)).await?.is_some()
        };
        if exists && hearth_git::names::is_valid_ref_name(&format!("refs/heads/{branch}")) {
            edit.default_branch = branch.to_string();
            new_head = Some(branch.to_string());
        }
    }
    set(&mut edit.enable_issues, e.has_issues);
    set(&mut edit.enable_wiki, e.has_wiki);
    set(&mut edit.enable_pulls, e.has_pull_requests);
    if let Some(archived) = e.archived
        && archived != repo.is_archived
    {
        edit.is_archived = archived;
        edit.archived_unix = if archived { now_unix() } else { 0 };
    }
    set(&mut edit.allow_merge_commits, e.allow_merge_commits);
    set(&mut edit.allow_rebase, e.allow_rebase);
    set(&mut edit.allow_rebase_explicit, e.allow_rebase_explicit);
    set(&mut edit.allow_squash_merge, e.allow_squash_merge);
    set(&mut edit.allow_fast_forward_only_merge, e.allow_fast_forward_only_merge);
    set(&mut edit.default_merge_style, e.default_merge_style.clone());

    let now = now_unix();
    let mut tx = state.db.begin().await?;
    if new_name.is_some() && !repo_store::lock_if_at(tx.conn(), repo.id, owner.id, &repo.lower_name).await? {
        return Err(moved_meanwhile());
    }
    repo_store::update_edit(tx.conn(), repo.id, &edit, now).await?;
    let mut moved = None;
    if let Some(name) = new_name {
        if repo_store::by_name(tx.conn(), owner.id, name).await?.is_some_and(|r| r.id != repo.id) {
            return Err(repo_exists(owner, name));
        }
        repo_store::rename(tx.conn(), repo.id, name, now).await.map_err(|e| conflict_as_exists(e, owner, name))?;
        if name != repo.name {
            super::feeds::record(tx.conn(), hearth_store::actions::Op::RenameRepo, doer, repo.id, "", 0, &repo.name)
                .await?;
        }
        if name.to_lowercase() != repo.lower_name {
            redirects::delete(tx.conn(), owner.id, name).await?;
            redirects::set(tx.conn(), owner.id, &repo.name, repo.id).await?;
            let to = repo_path(&state.config.repository.root, &owner.name, name);
            move_repo(&dir, &to, owner, repo, name).await?;
            moved = Some(to);
        }
    }
    if let Err(e) = tx.commit().await {
        if let Some(to) = &moved {
            disk::undo_move(&dir, to).await;
        }
        return Err(e.into());
    }
    let dir = match moved {
        Some(to) => {
            disk::finish_move(&to).await;
            to
        }
        None => dir,
    };
    if let Some(branch) = new_head {
        let set = super::git_blocking(move || hearth_git::set_head(&dir, &branch)).await;
        if let Err(e) = set {
            tracing::error!(error = %e, repo = repo.id, "pointing HEAD at the new default branch");
        }
    }
    reload(state, repo.id).await
}

/// Another request (in this process or another) renamed or transferred the repository between
/// this one's reading it and its transaction.
fn moved_meanwhile() -> ServiceError {
    ServiceError::Conflict("the repository was renamed or transferred meanwhile".into())
}

fn conflict_as_exists(e: StoreError, owner: &UserRow, name: &str) -> ServiceError {
    match e {
        StoreError::Conflict(_) => repo_exists(owner, name),
        other => other.into(),
    }
}

/// Move the directory of `owner`'s `repo` to `to` (its new name `name` there).
async fn move_repo(
    from: &std::path::Path,
    to: &std::path::Path,
    owner: &UserRow,
    repo: &RepoRow,
    name: &str,
) -> ServiceResult<()> {
    let origin = format!("{}/{}", owner.lower_name, repo.lower_name);
    disk::move_repository(from, to, &origin).await.map_err(|e| match e {
        MoveError::Occupied => ServiceError::Invalid(format!("repository directory already exists [name: {name}]")),
        MoveError::Io(e) => {
            ServiceError::Internal(anyhow::anyhow!("moving {} to {}: {e}", from.display(), to.display()))
        }
    })
}

async fn reload(state: &AppState, id: i64) -> ServiceResult<RepoRow> {
    let mut h = state.db.acquire().await?;
    repo_store::by_id(h.conn(), id).await?.ok_or(ServiceError::NotFound)
}

/// How a transfer went: done at once (202), or waiting for the recipient (201).
#[derive(Debug)]
pub enum Transferred {
    Done(RepoRow),
    Pending(RepoRow),
}

/// The teams a transfer names: every id must be a team of `new_owner`, an organisation (Gitea's
/// checks and answers).
pub async fn transfer_teams(state: &AppState, new_owner: &UserRow, ids: Option<&[i64]>) -> ServiceResult<Vec<TeamRow>> {
    let Some(ids) = ids else { return Ok(Vec::new()) };
    if new_owner.kind != UserKind::Organization {
        return Err(ServiceError::Invalid("Teams can only be added to organization-owned repositories".into()));
    }
    let mut h = state.db.acquire().await?;
    let mut teams: Vec<TeamRow> = Vec::new();
    for id in ids {
        let team = org_store::team_by_id(h.conn(), *id)
            .await?
            .ok_or_else(|| ServiceError::Invalid(format!("team {id} not found")))?;
        if team.org_id != new_owner.id {
            return Err(ServiceError::Forbidden(format!("team {id} belongs not to org {}", new_owner.id)));
        }
        if !teams.iter().any(|t| t.id == team.id) {
            teams.push(team);
        }
    }
    Ok(teams)
}

/// Whether `user` may complete a transfer into `recipient`: the recipient itself, or for an
/// organisation a member of its Owners team.
async fn may_receive(c: Conn<'_>, recipient: &UserRow, user: &UserRow) -> ServiceResult<bool> {
    Ok(match recipient.kind {
        UserKind::Organization => org_store::is_owner(c, recipient.id, user.id).await?,
        _ => recipient.id == user.id,
    })
}

/// Start a transfer of `owner`'s `repo` to `new_owner` on behalf of `doer` (a repository owner).
/// It happens at once when `doer` is a site admin, is `new_owner`, or owns the organisation
/// `new_owner`; otherwise it waits for the recipient, who is given read access meanwhile if it
/// had none. A repository by that name at the recipient is a 422; a second pending transfer a 409.
pub async fn start_transfer(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    doer: &UserRow,
    new_owner: &UserRow,
    teams: &[TeamRow],
) -> ServiceResult<Transferred> {
    ensure_writable(repo)?;
    let mut h = state.db.acquire().await?;
    if transfers::pending(h.conn(), repo.id).await?.is_some() {
        return Err(in_progress(owner, repo));
    }
    check_room(state, new_owner)?;
    if doer.is_admin || doer.id == new_owner.id || may_receive(h.conn(), new_owner, doer).await? {
        drop(h);
        let row = transfer_now(state, owner, repo, new_owner, teams).await?;
        return Ok(Transferred::Done(row));
    }
    drop(h);
    let mut tx = state.db.begin().await?;
    if !repo_store::lock_if_at(tx.conn(), repo.id, owner.id, &repo.lower_name).await? {
        return Err(moved_meanwhile());
    }
    if repo_store::by_name(tx.conn(), new_owner.id, &repo.name).await?.is_some() {
        return Err(repo_exists(new_owner, &repo.name));
    }
    if new_owner.kind != UserKind::Organization
        && access_mode(tx.conn(), Some(new_owner), repo).await? == AccessMode::None
    {
        collaborations::upsert(tx.conn(), repo.id, new_owner.id, AccessMode::Read, now_unix()).await?;
    }
    let team_ids: Vec<i64> = teams.iter().map(|t| t.id).collect();
    transfers::create(tx.conn(), repo.id, doer.id, new_owner.id, &team_ids, now_unix()).await.map_err(|e| match e {
        StoreError::Conflict(_) => in_progress(owner, repo),
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok(Transferred::Pending(repo.clone()))
}

fn in_progress(owner: &UserRow, repo: &RepoRow) -> ServiceError {
    ServiceError::Conflict(format!(
        "repository is already being transferred [uname: {}, name: {}]",
        owner.lower_name, repo.name
    ))
}

/// The recipient's repository limit, as creation applies it.
fn check_room(state: &AppState, new_owner: &UserRow) -> ServiceResult<()> {
    let limit = if new_owner.max_repo_creation >= 0 {
        new_owner.max_repo_creation
    } else {
        state.config.repository.max_creation_limit
    };
    if limit >= 0 && new_owner.num_repos >= limit {
        return Err(ServiceError::Invalid(format!("user has reached maximum limit of repositories [limit: {limit}]")));
    }
    Ok(())
}

/// A pending transfer and the user it is for.
pub struct Pending {
    pub transfer: TransferRow,
    pub doer: UserRow,
    pub recipient: UserRow,
    pub teams: Vec<TeamRow>,
}

/// The repository's pending transfer, if any, with its users and (still existing) teams.
pub async fn pending(c: &mut hearth_store::Handle, repo: &RepoRow) -> ServiceResult<Option<Pending>> {
    let Some(transfer) = transfers::pending(c.conn(), repo.id).await? else { return Ok(None) };
    let doer = user_store::by_id(c.conn(), transfer.doer_id).await?.ok_or(ServiceError::NotFound)?;
    let recipient = user_store::by_id(c.conn(), transfer.recipient_id).await?.ok_or(ServiceError::NotFound)?;
    let mut teams = Vec::new();
    for id in transfers::team_ids(c.conn(), transfer.id).await? {
        if let Some(team) = org_store::team_by_id(c.conn(), id).await?
            && team.org_id == recipient.id
        {
            teams.push(team);
        }
    }
    Ok(Some(Pending { transfer, doer, recipient, teams }))
}

/// The pending transfer `user` may accept or reject: none is a 404, one for someone else a 403.
async fn pending_for(state: &AppState, repo: &RepoRow, user: &UserRow) -> ServiceResult<Pending> {
    let mut h = state.db.acquire().await?;
    let p = pending(&mut h, repo).await?.ok_or(ServiceError::NotFound)?;
    if !may_receive(h.conn(), &p.recipient, user).await? {
        return Err(ServiceError::Forbidden("permission denied".into()));
    }
    Ok(p)
}

/// Accept the pending transfer of `owner`'s `repo` (the recipient, or an owner of the recipient
/// organisation): the repository moves now.
pub async fn accept_transfer(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    user: &UserRow,
) -> ServiceResult<RepoRow> {
    ensure_writable(repo)?;
    let p = pending_for(state, repo, user).await?;
    check_room(state, &p.recipient)?;
    transfer_now(state, owner, repo, &p.recipient, &p.teams).await
}

/// Reject the pending transfer of `repo` (the recipient, or an owner of the recipient
/// organisation): it is forgotten and the repository stays.
pub async fn reject_transfer(state: &AppState, repo: &RepoRow, user: &UserRow) -> ServiceResult<RepoRow> {
    ensure_writable(repo)?;
    pending_for(state, repo, user).await?;
    let mut tx = state.db.begin().await?;
    transfers::delete(tx.conn(), repo.id).await?;
    tx.commit().await?;
    reload(state, repo.id).await
}

/// Move `owner`'s `repo` to `new_owner` in one transaction: the row, the grants that no longer
/// make sense, a redirect from the old place, the given teams' access, and the directory.
async fn transfer_now(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    new_owner: &UserRow,
    teams: &[TeamRow],
) -> ServiceResult<RepoRow> {
    let root = &state.config.repository.root;
    let (from, to) = (repo_path(root, &owner.name, &repo.name), repo_path(root, &new_owner.name, &repo.name));
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    if !repo_store::lock_if_at(tx.conn(), repo.id, owner.id, &repo.lower_name).await? {
        return Err(moved_meanwhile());
    }
    if repo_store::by_name(tx.conn(), new_owner.id, &repo.name).await?.is_some() {
        return Err(repo_exists(new_owner, &repo.name));
    }
    repo_store::set_owner(tx.conn(), repo, new_owner.id, now)
        .await
        .map_err(|e| conflict_as_exists(e, new_owner, &repo.name))?;
    transfers::drop_stale_grants(tx.conn(), repo.id, new_owner.id).await?;
    transfers::delete(tx.conn(), repo.id).await?;
    redirects::delete(tx.conn(), new_owner.id, &repo.name).await?;
    redirects::set(tx.conn(), owner.id, &repo.name, repo.id).await?;
    for team in teams.iter().filter(|t| t.org_id == new_owner.id) {
        org_store::add_team_repo(tx.conn(), team, repo.id).await?;
    }
    // Gitea's content: the old full name. The actor is the previous owner (the one who gave it).
    let old_name = format!("{}/{}", owner.name, repo.name);
    super::feeds::record(tx.conn(), hearth_store::actions::Op::TransferRepo, owner, repo.id, "", 0, &old_name).await?;
    move_repo(&from, &to, owner, repo, &repo.name).await?;
    if let Err(e) = tx.commit().await {
        disk::undo_move(&from, &to).await;
        return Err(e.into());
    }
    disk::finish_move(&to).await;
    reload(state, repo.id).await
}
