//! The application's side of the built-in SSH server (git-transport.md §3.4, permissions.md §5):
//! which key is whose, and the `serv` checks before a git service runs. The same permission
//! function and the same post-push processing as Smart HTTP.

use hearth_git::transport::{self, Invocation, Service};
use hearth_ssh::{Job, Refusal, Verb};
use hearth_store::deploy_keys::{self, DeployKeyRow};
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{StoreError, keys};

use crate::app::AppState;
use crate::service::access::{AccessMode, access_mode};
use crate::service::repos::repo_path;
use crate::service::{now_unix, push};

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
        if let Some(key) = keys::user_key_by_fingerprint(h.c(), fingerprint).await? {
            return Ok(Some(Identity::User { key_id: key.id }));
        }
        let attached = deploy_keys::by_fingerprint(h.c(), fingerprint).await?;
        Ok((!attached.is_empty()).then(|| Identity::Deploy { fingerprint: fingerprint.to_string() }))
    }

    async fn decide(
        &self,
        who: Identity,
        payload: &str,
        git_protocol: Option<String>,
    ) -> Result<Result<Job, Refusal>, StoreError> {
        let state = &self.state;
        let Some(cmd) = hearth_ssh::command::parse(payload) else {
            return Ok(Err(Refusal::new("Invalid repository path")));
        };
        let mut h = state.db.acquire().await?;
        let owner = match user_store::by_name(h.c(), &cmd.owner).await? {
            Some(o) if !cmd.owner.is_empty() => o,
            _ => return Ok(Err(Refusal::new("Repository owner does not exist"))),
        };
        // hearth keeps no wiki repositories.
        let repo = match repo_store::by_name(h.c(), owner.id, &cmd.repo).await? {
            Some(r) if !cmd.wiki => r,
            _ => return Ok(Err(Refusal::new(NO_ACCESS))),
        };
        let Some(verb) = cmd.verb else { return Ok(Err(Refusal::new("Unknown git command"))) };
        let write = verb.is_write();
        if write && repo.is_mirror {
            return Ok(Err(Refusal::new("Mirror repository is read-only")));
        }
        let now = now_unix();
        let pusher = match who {
            Identity::User { key_id } => {
                let Some(key) = keys::by_id(h.c(), key_id).await? else {
                    return Ok(Err(Refusal::new("Invalid key ID")));
                };
                let Some(user) = user_store::by_id(h.c(), key.owner_id).await? else {
                    return Ok(Err(Refusal::new("Invalid key ID")));
                };
                if user.prohibit_login || (state.config.require_email_confirmation && !user.is_active) {
                    return Ok(Err(Refusal::new(NO_ACCESS)));
                }
                if write || repo.is_private {
                    let mode = access_mode(h.c(), Some(&user), &repo).await?;
                    let needed = if write { AccessMode::Write } else { AccessMode::Read };
                    if mode < needed {
                        let message = if mode >= AccessMode::Read {
                            "You do not have sufficient authorization for this action"
                        } else {
                            NO_ACCESS
                        };
                        return Ok(Err(Refusal::new(message)));
                    }
                }
                keys::touch(h.c(), key.id, now).await?;
                user
            }
            Identity::Deploy { fingerprint } => {
                let attached: Option<DeployKeyRow> =
                    deploy_keys::by_fingerprint(h.c(), &fingerprint).await?.into_iter().find(|k| k.repo_id == repo.id);
                if write {
                    // Deploy keys are read-only unless created with `read_only: false`.
                    if attached.as_ref().is_none_or(|k| k.read_only) {
                        return Ok(Err(Refusal::new("Key permission denied")));
                    }
                } else if (repo.is_private || state.config.require_signin_view) && attached.is_none() {
                    return Ok(Err(Refusal::new("Key access denied")));
                }
                if let Some(k) = &attached {
                    deploy_keys::touch(h.c(), k.id, now).await?;
                }
                // A deploy key acts for the repository's owner in post-push processing.
                owner.clone()
            }
        };
        drop(h);
        Ok(Ok(self.job(verb, owner, repo, pusher, git_protocol)))
    }

    fn job(&self, verb: Verb, owner: UserRow, repo: RepoRow, pusher: UserRow, git_protocol: Option<String>) -> Job {
        let state = self.state.clone();
        let service = match verb {
            Verb::UploadPack => Service::UploadPack,
            Verb::UploadArchive => Service::UploadArchive,
            Verb::ReceivePack => Service::ReceivePack,
        };
        let path = repo_path(&state.config.repository_root, &owner.name, &repo.name);
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
        };
        let command = transport::session_command(&inv);
        let finish = ref_log.map(|log| -> hearth_ssh::Finish {
            Box::new(move |_success| {
                Box::pin(async move { push::apply_ref_log(&state, &owner, &repo, Some(&pusher), &log).await })
            })
        });
        Job { command, finish }
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
            Ok(decided) => decided,
            Err(e) => {
                tracing::error!(error = %e, "ssh command");
                Err(Refusal::new("Internal error"))
            }
        }
    }
}

/// The SSH server's settings from the configuration.
pub fn settings(config: &crate::Config) -> hearth_ssh::Settings {
    use std::time::Duration;
    hearth_ssh::Settings {
        host_key: config.data_dir.join("ssh").join("hearth.ed25519"),
        handshake_timeout: Duration::from_secs(config.ssh_handshake_timeout_secs),
        idle_timeout: Duration::from_secs(config.ssh_idle_timeout_secs),
        max_sessions: config.ssh_max_sessions,
        ciphers: config.ssh_server_ciphers.clone(),
    }
}
