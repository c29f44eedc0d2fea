//! The application's side of the built-in SSH server (git-transport.md §3.4, permissions.md §5):
//! which key is whose, and Gogs' `serv` answers to the shared Git access decision
//! ([`git_access`]) before a git service runs, then the shared post-push processing.

use hearth_git::transport::{self, Invocation, Service};
use hearth_ssh::{Job, Refusal, Verb};
use hearth_store::deploy_keys::{self, DeployKeyRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{Conn, StoreError, keys};

use crate::app::AppState;
use crate::service::git_access::{self, Access, Place, Principal, Refused};
use crate::service::{lfs_token, now_unix, push};

const NO_ACCESS: &str = "Repository does not exist or you do not have access";

/// Who authenticated: a user key (by id, re-read per command so a deleted key stops working) or
/// deploy-key material (attached to one or more repositories).
#[derive(Debug, Clone)]
pub enum Identity {
    User { key_id: i64 },
    Deploy { fingerprint: String },
}

pub struct Backend {
    state: AppState,
}

impl Backend {
    pub fn new(state: AppState) -> Backend {
        Backend { state }
    }

    async fn lookup(&self, fingerprint: &str) -> Result<Option<Identity>, StoreError> {
        let mut h = self.state.db.acquire().await?;
        if let Some(key) = keys::user_key_by_fingerprint(h.conn(), fingerprint).await? {
            return Ok(Some(Identity::User { key_id: key.id }));
        }
        let attached = deploy_keys::by_fingerprint(h.conn(), fingerprint).await?;
        Ok((!attached.is_empty()).then(|| Identity::Deploy { fingerprint: fingerprint.to_string() }))
    }

    pub(crate) async fn decide(
        &self,
        who: Identity,
        payload: &str,
        git_protocol: Option<String>,
    ) -> Result<Result<Job, Refusal>, StoreError> {
        let state = &self.state;
        if let Some(lfs) = hearth_ssh::command::parse_lfs_authenticate(payload) {
            return self.lfs_authenticate(who, lfs).await;
        }
        let Some(cmd) = hearth_ssh::command::parse(payload) else {
            return Ok(Err(Refusal::new("Invalid repository path")));
        };
        let mut h = state.db.acquire().await?;
        // A user key deleted since sign-in is reported (`Invalid key ID`) only after the
        // repository checks, so until then it is decided on as nobody.
        let caller = Caller::load(h.conn(), &who).await?;
        let principal = caller.as_ref().map_or(Principal::Anonymous, Caller::principal);
        let service = cmd.verb.map(service_of);
        let target = Place::find(h.conn(), &cmd.owner, &cmd.repo).await?;
        // An unknown command is reported after the repository checks, which do not depend on it.
        let verb = service.map(git_access::Verb::of).unwrap_or(git_access::Verb::Read);
        let decided = git_access::decide_place(h.conn(), &state.config, &target, principal, verb).await?;
        // A key always names who acts: its user, or a deploy key's repository owner.
        let (access, service) = match (decided, service) {
            (Ok(access), Some(service)) if access.actor().is_some() && !cmd.wiki && caller.is_some() => {
                (access, service)
            }
            (decided, service) => {
                let refused = decided.err().unwrap_or_default();
                let message =
                    serv_refusal(&refused, cmd.wiki, service.is_some(), caller.is_some(), &target.full_name());
                return Ok(Err(Refusal::new(message)));
            }
        };
        let now = now_unix();
        if let Some(Caller::User { key_id, .. }) = &caller {
            keys::touch(h.conn(), *key_id, now).await?;
        }
        if let Access::Repo(grant) = &access
            && let Some(id) = grant.deploy_key
        {
            deploy_keys::touch(h.conn(), id, now).await?;
        }
        drop(h);
        let protection =
            if service == Service::ReceivePack { access.protection_policy(&self.state).await } else { None };
        Ok(Ok(self.job(service, access, git_protocol, protection)))
    }

    /// `git-lfs-authenticate`: the same access decision as a fetch (download) or a push (upload),
    /// then the LFS endpoint with a short-lived token for it (git-lfs then speaks HTTP).
    async fn lfs_authenticate(
        &self,
        who: Identity,
        lfs: Option<hearth_ssh::command::LfsAuthenticate>,
    ) -> Result<Result<Job, Refusal>, StoreError> {
        let Some(lfs) = lfs else { return Ok(Err(Refusal::new("Invalid repository path"))) };
        let state = &self.state;
        let mut h = state.db.acquire().await?;
        let caller = Caller::load(h.conn(), &who).await?;
        let principal = caller.as_ref().map_or(Principal::Anonymous, Caller::principal);
        let target = Place::find(h.conn(), &lfs.owner, &lfs.repo).await?;
        let verb = if lfs.upload { git_access::Verb::Write } else { git_access::Verb::Read };
        let decided = git_access::decide_place(h.conn(), &state.config, &target, principal, verb).await?;
        drop(h);
        let grant = match (decided, caller.is_some()) {
            (Ok(Access::Repo(grant)), true) if grant.actor.is_some() => grant,
            (decided, known_key) => {
                let refused = decided.err().unwrap_or_default();
                return Ok(Err(Refusal::new(serv_refusal(&refused, false, true, known_key, &target.full_name()))));
            }
        };
        let actor = grant.actor.as_ref().map_or(0, |u| u.id);
        let now = now_unix();
        let token =
            lfs_token::mint(state, lfs_token::Grant { user_id: actor, repo_id: grant.repo.id, write: lfs.upload }, now);
        let href = format!("{}{}/{}.git/info/lfs", state.links.external_url, grant.owner.name, grant.repo.name);
        let reply = serde_json::json!({
            "href": href,
            "header": { "Authorization": format!("Bearer {token}") },
            "expires_in": lfs_token::LIFETIME_SECS,
        });
        let mut bytes = serde_json::to_vec(&reply).unwrap_or_default();
        bytes.push(b'\n');
        Ok(Ok(Job::Reply(bytes)))
    }

    fn job(
        &self,
        service: Service,
        access: Access,
        git_protocol: Option<String>,
        protection: Option<std::path::PathBuf>,
    ) -> Job {
        let state = self.state.clone();
        let path = access.path(&state.config);
        let hooks = state.config.hooks_dir();
        let ref_log = (service == Service::ReceivePack).then(|| push::new_ref_log(&state.config));
        let git_protocol = git_protocol.filter(|p| transport::is_valid_git_protocol(p));
        let inv = Invocation {
            service,
            repo: &path,
            advertise_refs: false,
            git_protocol: git_protocol.as_deref(),
            hooks_dir: &hooks,
            ref_log: ref_log.clone(),
            protection: protection.clone(),
        };
        let command = transport::session_command(&inv);
        // Always a finish step: it counts the operation, and after a push records what changed.
        let finish: hearth_ssh::Finish = Box::new(move |success| {
            Box::pin(async move {
                if let Some(policy) = protection {
                    let _ = tokio::fs::remove_file(policy).await;
                }
                if let Some(log) = ref_log {
                    access.after_push(&state, &log).await;
                }
                if let Some(m) = &state.metrics {
                    m.git_operation("ssh", service.name(), if success { "success" } else { "failure" });
                }
            })
        });
        Job::Git { command, finish: Some(finish) }
    }
}

/// The authenticated key as it is now, re-read for each command.
enum Caller {
    User { key_id: i64, user: Box<UserRow> },
    Deploy(Vec<DeployKeyRow>),
}

impl Caller {
    /// `None` when the user key or its user no longer exists.
    async fn load(mut c: Conn<'_>, who: &Identity) -> Result<Option<Caller>, StoreError> {
        Ok(match who {
            Identity::User { key_id } => match keys::by_id(c.reborrow(), *key_id).await? {
                Some(key) => user_store::by_id(c, key.owner_id)
                    .await?
                    .map(|user| Caller::User { key_id: key.id, user: Box::new(user) }),
                None => None,
            },
            Identity::Deploy { fingerprint } => {
                Some(Caller::Deploy(deploy_keys::by_fingerprint(c, fingerprint).await?))
            }
        })
    }

    fn principal(&self) -> Principal<'_> {
        match self {
            Caller::User { user, .. } => Principal::User(user),
            Caller::Deploy(rows) => Principal::DeployKey(rows),
        }
    }
}

fn service_of(verb: Verb) -> Service {
    match verb {
        Verb::UploadPack => Service::UploadPack,
        Verb::UploadArchive => Service::UploadArchive,
        Verb::ReceivePack => Service::ReceivePack,
    }
}

/// Gogs' `serv` answer to a refused command (git-transport.md §3.4 steps 5–10): the owner, the
/// repository (hearth keeps no wiki repositories), the command, a mirror, the key, then the
/// caller's rights; an account that may not sign in is told the repository is not there. A push
/// into an archived repository is told so (Gitea's words) once the caller is known to see it.
fn serv_refusal(refused: &Refused, wiki: bool, known_command: bool, known_key: bool, full_name: &str) -> String {
    use git_access::Refusal::*;
    if refused.has(NoSuchOwner) {
        return "Repository owner does not exist".into();
    }
    if refused.has(NoSuchRepository) || wiki {
        return NO_ACCESS.into();
    }
    if !known_command {
        return "Unknown git command".into();
    }
    if refused.has(MirrorReadOnly) {
        return "Mirror repository is read-only".into();
    }
    if !known_key {
        return "Invalid key ID".into();
    }
    if refused.has(Archived) && ![LoginProhibited, KeyNotAttached, NotReadable].iter().any(|r| refused.has(*r)) {
        return crate::git_http::archived_message(full_name);
    }
    match refused.first_of(&[LoginProhibited, KeyReadOnly, KeyNotAttached, NotReadable, NotWritable]) {
        Some(KeyReadOnly) => "Key permission denied".into(),
        Some(KeyNotAttached) => "Key access denied".into(),
        Some(NotWritable) => "You do not have sufficient authorization for this action".into(),
        _ => NO_ACCESS.into(),
    }
}

impl hearth_ssh::Backend for Backend {
    type Identity = Identity;

    async fn authenticate(&self, fingerprint: String) -> Option<Identity> {
        match self.lookup(&fingerprint).await {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %e, "ssh key look-up");
                None
            }
        }
    }

    async fn exec(&self, who: Identity, payload: String, git_protocol: Option<String>) -> Result<Job, Refusal> {
        match self.decide(who, &payload, git_protocol).await {
            Ok(decided) => {
                if decided.is_err()
                    && let Some(m) = &self.state.metrics
                {
                    let verb = hearth_ssh::command::parse(&payload).and_then(|c| c.verb).map(service_of);
                    m.git_operation("ssh", verb.map_or("unknown", Service::name), "refused");
                }
                decided
            }
            Err(e) => {
                tracing::error!(error = %e, "ssh command");
                Err(Refusal::new("Internal error"))
            }
        }
    }
}

/// The SSH server's settings from the configuration.
pub fn settings(config: &crate::Config) -> hearth_ssh::Settings {
    hearth_ssh::Settings {
        host_key: config.server.data_dir.join("ssh").join("hearth.ed25519"),
        handshake_timeout: config.ssh.handshake_timeout,
        idle_timeout: config.ssh.idle_timeout,
        max_sessions: config.ssh.max_sessions,
        ciphers: config.ssh.ciphers.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::git_access::Refusal::*;

    /// Gogs' `serv` order: the path, the command, a mirror, the key, then the caller's rights.
    #[test]
    fn serv_reports_the_first_problem_in_gogs_order() {
        let owner = "Repository owner does not exist";
        let mirror = "Mirror repository is read-only";
        let cases: &[(&[git_access::Refusal], bool, bool, bool, &str)] = &[
            // (rules broken, wiki, known command, known key, answer)
            (&[LoginProhibited, NoSuchOwner], false, true, true, owner),
            (&[NoSuchOwner], true, false, false, owner),
            (&[LoginProhibited, NoSuchRepository], false, true, true, NO_ACCESS),
            (&[NoSuchRepository], false, false, true, NO_ACCESS),
            (&[], true, true, true, NO_ACCESS),
            (&[], true, false, true, NO_ACCESS),
            (&[NotReadable], false, false, true, "Unknown git command"),
            (&[MirrorReadOnly, LoginProhibited, NotWritable], false, true, true, mirror),
            (&[MirrorReadOnly, KeyNotAttached, KeyReadOnly], false, true, true, mirror),
            (&[MirrorReadOnly], false, true, false, mirror),
            (&[], false, true, false, "Invalid key ID"),
            (&[SignInRequired, NotReadable], false, true, false, "Invalid key ID"),
            (&[LoginProhibited, NotWritable], false, true, true, NO_ACCESS),
            (&[KeyNotAttached, KeyReadOnly], false, true, true, "Key permission denied"),
            (&[KeyReadOnly], false, true, true, "Key permission denied"),
            (&[KeyNotAttached], false, true, true, "Key access denied"),
            (&[NotReadable], false, true, true, NO_ACCESS),
            (&[NotWritable], false, true, true, "You do not have sufficient authorization for this action"),
            (&[Archived, NotWritable], false, true, true, "Repo: alice/proj is archived."),
            (&[Archived, KeyReadOnly], false, true, true, "Repo: alice/proj is archived."),
            (&[Archived, NotReadable], false, true, true, NO_ACCESS),
            (&[Archived, MirrorReadOnly], false, true, true, mirror),
        ];
        for (rules, wiki, command, key, want) in cases {
            assert_eq!(
                serv_refusal(&rules.iter().copied().collect(), *wiki, *command, *key, "alice/proj"),
                *want,
                "{rules:?} {wiki} {command} {key}"
            );
        }
    }
}
