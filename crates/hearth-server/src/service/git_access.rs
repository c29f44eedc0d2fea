//! Who may fetch from or push to a repository over Git, for both transports (permissions.md §2,
//! §5, §8; git-transport.md §2.3, §2.4, §3.4). Authentication stays with each transport; this
//! decides for the caller it found. A refusal names every rule the request breaks, because the two
//! protocols report them in different orders: Smart HTTP names a refused account before a missing
//! repository and a read-only mirror last, SSH (Gogs' `serv`) names a missing repository and a
//! mirror before anything about the caller. Each transport picks the first in its own order.

use hearth_git::transport::Service;
use hearth_store::deploy_keys::DeployKeyRow;
use hearth_store::redirects;
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{Conn, StoreResult};

use super::access::{AccessMode, access_mode};
use super::names::is_alpha_dash_dot;
use crate::Config;

/// What a request asks for: fetching (and `git archive --remote`) reads, pushing writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Read,
    Write,
}

impl Verb {
    pub fn of(service: Service) -> Verb {
        match service {
            Service::UploadPack | Service::UploadArchive => Verb::Read,
            Service::ReceivePack => Verb::Write,
        }
    }
}

/// The caller, as its transport authenticated it.
#[derive(Debug, Clone, Copy)]
pub enum Principal<'a> {
    Anonymous,
    User(&'a UserRow),
    /// Deploy-key material: the rows of every repository the key was added to (maybe none left).
    DeployKey(&'a [DeployKeyRow]),
}

/// What an `owner/repo` path names, looked up once, so that a transport can decide more than once
/// on it (Smart HTTP asks as an anonymous caller first, then with the credentials it was sent).
#[derive(Debug, Clone)]
pub struct Target {
    owner: Option<UserRow>,
    /// Only ever found with its owner.
    repo: Option<RepoRow>,
}

impl Target {
    /// Names no account or repository can have (permissions.md §9) are not looked up. An old name
    /// of a renamed or transferred repository finds the repository (and owner) it now is.
    pub async fn find(mut c: Conn<'_>, owner: &str, repo: &str) -> StoreResult<Target> {
        let valid = |s: &str| !s.is_empty() && is_alpha_dash_dot(s);
        let owner = if valid(owner) { user_store::by_name(c.reborrow(), owner).await? } else { None };
        let found = match &owner {
            Some(o) if valid(repo) => repo_store::by_name(c.reborrow(), o.id, repo).await?,
            _ => None,
        };
        if let (Some(o), None) = (&owner, &found)
            && valid(repo)
            && let Some(id) = redirects::lookup(c.reborrow(), o.id, repo).await?
            && let Some(moved) = repo_store::by_id(c.reborrow(), id).await?
            && let Some(new_owner) = user_store::by_id(c, moved.owner_id).await?
        {
            return Ok(Target { owner: Some(new_owner), repo: Some(moved) });
        }
        Ok(Target { owner, repo: found })
    }

    /// `owner/name` of the repository found (empty when there is none).
    pub fn full_name(&self) -> String {
        match (&self.owner, &self.repo) {
            (Some(o), Some(r)) => format!("{}/{}", o.name, r.name),
            _ => String::new(),
        }
    }
}

/// A request that may go ahead.
#[derive(Debug, Clone)]
pub struct Grant {
    pub owner: UserRow,
    pub repo: RepoRow,
    /// Who acts (the pusher in post-push processing): the user; for a deploy key the repository's
    /// owner; nobody for an anonymous read.
    pub actor: Option<UserRow>,
    /// The deploy-key row of this repository that was used, to record its use.
    pub deploy_key: Option<i64>,
}

/// One rule a request breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoSuchOwner,
    NoSuchRepository,
    /// The user may not sign in: prohibited by an admin, or not activated while e-mail
    /// confirmation is required (a listed difference: Gogs checks neither on Git).
    LoginProhibited,
    /// An anonymous caller under `REQUIRE_SIGNIN_VIEW`.
    SignInRequired,
    /// The caller cannot see the repository.
    NotReadable,
    /// The caller can read the repository but not push to it.
    NotWritable,
    /// A push into a mirror, which only its sync updates.
    MirrorReadOnly,
    /// A push into an archived repository, which is read-only until un-archived.
    Archived,
    /// A deploy key not attached to this repository, where it needs to be: for private
    /// repositories, and for every repository under `REQUIRE_SIGNIN_VIEW`.
    KeyNotAttached,
    /// A push with a deploy key that is not a writable key of this repository.
    KeyReadOnly,
}

/// Every rule a refused request breaks (never empty), in the order they were checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refused(Vec<Refusal>);

impl Refused {
    pub fn has(&self, r: Refusal) -> bool {
        self.0.contains(&r)
    }

    /// The first rule of `order` that this request breaks.
    pub fn first_of(&self, order: &[Refusal]) -> Option<Refusal> {
        order.iter().copied().find(|r| self.has(*r))
    }

    pub fn all(&self) -> &[Refusal] {
        &self.0
    }
}

impl FromIterator<Refusal> for Refused {
    fn from_iter<I: IntoIterator<Item = Refusal>>(rules: I) -> Refused {
        Refused(rules.into_iter().collect())
    }
}

/// The decision. Site admins own every repository here too (see [`access_mode`]).
pub async fn decide(
    c: Conn<'_>,
    config: &Config,
    target: &Target,
    who: Principal<'_>,
    verb: Verb,
) -> StoreResult<Result<Grant, Refused>> {
    let mut broken = Vec::new();
    if let Principal::User(user) = who
        && (user.prohibit_login || (config.auth.require_email_confirmation && !user.is_active))
    {
        broken.push(Refusal::LoginProhibited);
    }
    let (owner, repo) = match (&target.owner, &target.repo) {
        (Some(owner), Some(repo)) => (owner, repo),
        (owner, _) => {
            broken.push(if owner.is_none() { Refusal::NoSuchOwner } else { Refusal::NoSuchRepository });
            return Ok(Err(Refused(broken)));
        }
    };
    if verb == Verb::Write && repo.is_mirror {
        broken.push(Refusal::MirrorReadOnly);
    }
    if verb == Verb::Write && repo.is_archived {
        broken.push(Refusal::Archived);
    }
    let (actor, deploy_key) = match who {
        Principal::Anonymous => {
            if config.auth.require_signin_view {
                broken.push(Refusal::SignInRequired);
            }
            broken.extend(lacking(access_mode(c, None, repo).await?, verb));
            (None, None)
        }
        Principal::User(user) => {
            // Public repositories are readable by every signed-in user: no need to ask.
            if verb == Verb::Write || repo.is_private {
                broken.extend(lacking(access_mode(c, Some(user), repo).await?, verb));
            }
            (Some(user.clone()), None)
        }
        Principal::DeployKey(rows) => {
            let attached = rows.iter().find(|k| k.repo_id == repo.id);
            let needs_attachment = verb == Verb::Write || repo.is_private || config.auth.require_signin_view;
            if needs_attachment && attached.is_none() {
                broken.push(Refusal::KeyNotAttached);
            }
            // Deploy keys are read-only unless created with `read_only: false`.
            if verb == Verb::Write && attached.is_none_or(|k| k.read_only) {
                broken.push(Refusal::KeyReadOnly);
            }
            // A deploy key acts for the repository's owner in post-push processing.
            (Some(owner.clone()), attached.map(|k| k.id))
        }
    };
    if !broken.is_empty() {
        return Ok(Err(Refused(broken)));
    }
    Ok(Ok(Grant { owner: owner.clone(), repo: repo.clone(), actor, deploy_key }))
}

/// What a caller with `mode` lacks for `verb`: nothing, or (one of) reading and writing.
fn lacking(mode: AccessMode, verb: Verb) -> Option<Refusal> {
    let needed = match verb {
        Verb::Read => AccessMode::Read,
        Verb::Write => AccessMode::Write,
    };
    match mode {
        m if m >= needed => None,
        AccessMode::None => Some(Refusal::NotReadable),
        _ => Some(Refusal::NotWritable),
    }
}

/// The first path segment that names gists, not an owner (a reserved user name): `gists/<id>.git`.
pub const GISTS: &str = "gists";

/// What a Git path names: a repository (`owner/repo`) or a gist (`gists/<id>`).
#[derive(Debug, Clone)]
pub enum Place {
    Repo(Box<Target>),
    /// The gist, when there is one by that id.
    Gist(Option<Box<super::gists::Gist>>),
}

impl Place {
    pub async fn find(mut c: Conn<'_>, owner: &str, repo: &str) -> StoreResult<Place> {
        if owner != GISTS {
            return Ok(Place::Repo(Box::new(Target::find(c, owner, repo).await?)));
        }
        if !super::gists::is_gist_id(repo) {
            return Ok(Place::Gist(None));
        }
        let Some(row) = hearth_store::gists::by_id(c.reborrow(), repo).await? else { return Ok(Place::Gist(None)) };
        let owner = user_store::by_id(c, row.owner_id).await?;
        Ok(Place::Gist(owner.map(|owner| Box::new(super::gists::Gist { row, owner }))))
    }

    /// `owner/name` of a repository, `gists/<id>` of a gist (empty when there is none).
    pub fn full_name(&self) -> String {
        match self {
            Place::Repo(target) => target.full_name(),
            Place::Gist(Some(g)) => format!("{GISTS}/{}", g.row.id),
            Place::Gist(None) => String::new(),
        }
    }
}

/// A request on a [`Place`] that may go ahead.
#[derive(Debug, Clone)]
pub enum Access {
    Repo(Box<Grant>),
    Gist { gist: Box<super::gists::Gist>, actor: Option<Box<UserRow>> },
}

impl Access {
    /// The repository directory to serve.
    pub fn path(&self, config: &Config) -> std::path::PathBuf {
        match self {
            Access::Repo(g) => super::repos::repo_path(&config.repository.root, &g.owner.name, &g.repo.name),
            Access::Gist { gist, .. } => super::gists::gist_path(config, &gist.row.id),
        }
    }

    /// Hidden from those who do not know it: a private repository or a secret gist.
    pub fn is_private(&self) -> bool {
        match self {
            Access::Repo(g) => g.repo.is_private,
            Access::Gist { gist, .. } => !gist.row.is_public,
        }
    }

    /// Who acts: see [`Grant::actor`].
    pub fn actor(&self) -> Option<&UserRow> {
        match self {
            Access::Repo(g) => g.actor.as_ref(),
            Access::Gist { actor, .. } => actor.as_deref(),
        }
    }

    /// A push's branch-protection policy written to a scratch file for the pre-receive hook (see
    /// `branch_protection::push_policy`); `None` when no rule applies. Fails closed: when the
    /// policy cannot be computed, every branch push is refused.
    pub async fn protection_policy(&self, state: &crate::app::AppState) -> Option<std::path::PathBuf> {
        let Access::Repo(g) = self else { return None };
        let deploy = g.deploy_key.is_some();
        let user = if deploy { None } else { g.actor.as_ref() };
        let text = match super::branch_protection::push_policy(state, &g.repo, user, deploy).await {
            Ok(None) => return None,
            Ok(Some(text)) => text,
            Err(e) => {
                tracing::error!(error = %e, repo = g.repo.id, "branch protection policy");
                "** deny deny\n".to_string()
            }
        };
        let mut name = [0u8; 12];
        rand::fill(&mut name);
        let path = state.config.tmp_dir().join(format!("protect-{}.txt", hex::encode(name)));
        match tokio::fs::write(&path, text).await {
            Ok(()) => Some(path),
            Err(e) => {
                tracing::error!(error = %e, "writing the branch protection policy");
                // A path that does not exist: the hook refuses the push.
                Some(state.config.tmp_dir().join("protect-unwritable"))
            }
        }
    }

    /// After receive-pack exited: a repository's post-push processing, a gist's update time.
    pub async fn after_push(&self, state: &crate::app::AppState, log: &std::path::Path) {
        match self {
            Access::Repo(g) => super::push::apply_ref_log(state, &g.owner, &g.repo, g.actor.as_ref(), log).await,
            Access::Gist { gist, .. } => {
                let text = tokio::fs::read_to_string(log).await.unwrap_or_default();
                let _ = tokio::fs::remove_file(log).await;
                if !hearth_git::transport::parse_ref_log(&text).is_empty() {
                    super::gists::pushed(&state.db, &gist.row.id).await;
                }
            }
        }
    }
}

/// The decision for a [`Place`]: repositories as [`decide`]; a gist is read by everyone who knows
/// its id (signed in under `REQUIRE_SIGNIN_VIEW`) and pushed to by its owner only. Deploy keys
/// belong to repositories and reach no gist.
pub async fn decide_place(
    c: Conn<'_>,
    config: &Config,
    place: &Place,
    who: Principal<'_>,
    verb: Verb,
) -> StoreResult<Result<Access, Refused>> {
    let gist = match place {
        Place::Repo(target) => {
            return Ok(decide(c, config, target, who, verb).await?.map(|g| Access::Repo(Box::new(g))));
        }
        Place::Gist(gist) => gist,
    };
    let mut broken = Vec::new();
    if let Principal::User(user) = who
        && (user.prohibit_login || (config.auth.require_email_confirmation && !user.is_active))
    {
        broken.push(Refusal::LoginProhibited);
    }
    let Some(gist) = gist else {
        broken.push(Refusal::NoSuchRepository);
        return Ok(Err(Refused(broken)));
    };
    let actor = match who {
        Principal::Anonymous => {
            if config.auth.require_signin_view {
                broken.push(Refusal::SignInRequired);
            }
            if verb == Verb::Write {
                broken.push(Refusal::NotWritable);
            }
            None
        }
        Principal::User(user) => {
            if verb == Verb::Write && user.id != gist.owner.id {
                broken.push(Refusal::NotWritable);
            }
            Some(Box::new(user.clone()))
        }
        Principal::DeployKey(_) => {
            broken.push(Refusal::KeyNotAttached);
            if verb == Verb::Write {
                broken.push(Refusal::KeyReadOnly);
            }
            None
        }
    };
    if !broken.is_empty() {
        return Ok(Err(Refused(broken)));
    }
    Ok(Ok(Access::Gist { gist: gist.clone(), actor }))
}
