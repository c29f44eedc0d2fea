//! The Git transport: `git upload-pack` / `git receive-pack` in stateless-RPC mode, spawned with a
//! fixed argument list and a clean environment. No user string is ever an argument: the repository
//! path is built by the caller from validated names, and the only other input, the client's
//! `Git-Protocol` header, is checked against a strict pattern before it reaches the environment.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

/// The name of the environment variable hearth's post-receive hook appends ref updates to.
pub const REF_LOG_ENV: &str = "HEARTH_REF_LOG";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    UploadPack,
    ReceivePack,
    /// `git archive --remote` (SSH only, as Gogs).
    UploadArchive,
}

impl Service {
    /// From `git-upload-pack` / `git-receive-pack` (the `service` parameter and the RPC path).
    pub fn from_git_name(s: &str) -> Option<Service> {
        match s {
            "git-upload-pack" => Some(Service::UploadPack),
            "git-receive-pack" => Some(Service::ReceivePack),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Service::UploadPack => "upload-pack",
            Service::ReceivePack => "receive-pack",
            Service::UploadArchive => "upload-archive",
        }
    }
}

/// `Git-Protocol` values as git clients send them (`version=2`, `version=2:object-format=sha1`).
pub fn is_valid_git_protocol(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 256
        && value.split(':').all(|pair| {
            pair.split_once('=').is_some_and(|(k, v)| {
                !k.is_empty()
                    && !v.is_empty()
                    && k.chars().chain(v.chars()).all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            })
        })
}

/// Whether the client asked for protocol v2 (whose advertisement has no `# service=` preamble).
pub fn is_protocol_v2(git_protocol: Option<&str>) -> bool {
    git_protocol.is_some_and(|p| p.split(':').any(|pair| pair == "version=2"))
}

/// The environment variable naming a push's branch-protection policy for the pre-receive hook.
pub const PROTECTION_ENV: &str = "HEARTH_PROTECTION";

/// hearth's pre-receive hook: for each branch update, the first policy line whose rule matches the
/// branch (`<rule> <push> <force> <protected> <unprotected>`, globs with `*` kept within a path
/// segment as the server's matcher keeps them; the last two are `;`-separated lower-case file
/// globs or `-`) decides. Refused, with git's "pre-receive hook declined": deleting a protected
/// branch; an update that changes a protected file; a push without the right (unless every file
/// it changes is unprotected); a non-fast-forward without the force right.
const PRE_RECEIVE: &str = r#"#!/bin/sh
[ -n "$HEARTH_PROTECTION" ] || exit 0
[ -f "$HEARTH_PROTECTION" ] || { echo "hearth: branch protection is unavailable, push refused" >&2; exit 1; }
zero=0000000000000000000000000000000000000000
only() { printf '%s' "$2" | tr -cd "$1"; }
matches() {
  case "$2" in $1) ;; *) return 1 ;; esac
  case "$1" in *'**'*) return 0 ;; esac
  [ "$(only / "$1")" = "$(only / "$2")" ]
}
# One of the ;-separated globs matches the lower-cased path; without ** a glob's * and ? stay
# between the path's / and . separators.
file_matches() {
  fm_path=$(printf '%s' "$2" | tr '[:upper:]' '[:lower:]'); fm_found=1; fm_ifs=$IFS; IFS=';'; set -f
  for fm_glob in $1; do
    case "$fm_path" in $fm_glob) ;; *) continue ;; esac
    case "$fm_glob" in *'**'*) fm_found=0; break ;; esac
    [ "$(only /. "$fm_glob")" = "$(only /. "$fm_path")" ] && { fm_found=0; break; }
  done
  IFS=$fm_ifs; set +f; return $fm_found
}
status=0
while read -r old new ref; do
  case "$ref" in refs/heads/*) ;; *) continue ;; esac
  branch=${ref#refs/heads/}
  while read -r rule push force protect unprotect; do
    matches "$rule" "$branch" || continue
    if [ "$new" = "$zero" ]; then
      echo "hearth: branch $branch is protected and can not be deleted" >&2; status=1; break
    fi
    files=
    if [ "$old" != "$zero" ] && { [ "${protect:--}" != - ] || [ "${unprotect:--}" != - ]; }; then
      files=$(git -c core.quotepath=false diff --name-only "$old" "$new" 2>/dev/null)
    fi
    blocked=
    unprotected_only=no
    if [ -n "$files" ]; then
      [ "${unprotect:--}" != - ] && unprotected_only=yes
      while IFS= read -r f; do
        [ "${protect:--}" != - ] && file_matches "$protect" "$f" && { blocked=$f; break; }
        [ "$unprotected_only" = yes ] && ! file_matches "$unprotect" "$f" && unprotected_only=no
      done <<EOF
$files
EOF
    fi
    if [ -n "$blocked" ]; then
      echo "hearth: branch $branch is protected from changing file $blocked" >&2; status=1
    elif [ "$push" != allow ] && [ "$unprotected_only" != yes ]; then
      echo "hearth: not allowed to push to protected branch $branch" >&2; status=1
    elif [ "$old" != "$zero" ] && [ "$force" != allow ] && ! git merge-base --is-ancestor "$old" "$new" 2>/dev/null; then
      echo "hearth: force push to protected branch $branch is not allowed" >&2; status=1
    fi
    break
  done < "$HEARTH_PROTECTION"
done
exit $status
"#;

/// Write hearth's own hook directory: a `post-receive` that appends git's ref-update lines to the
/// file named by [`REF_LOG_ENV`], and the branch-protection `pre-receive`. Served repositories run
/// these hooks, never their own.
pub fn install_hooks(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let post = format!("#!/bin/sh\n[ -n \"${REF_LOG_ENV}\" ] && exec cat >> \"${REF_LOG_ENV}\"\nexit 0\n");
    write_hook(dir, "post-receive", &post)?;
    write_hook(dir, "pre-receive", PRE_RECEIVE)
}

fn write_hook(dir: &Path, name: &str, script: &str) -> std::io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755))?;
    }
    std::fs::rename(tmp, dir.join(name))
}

/// How to run one service invocation.
pub struct Invocation<'a> {
    pub service: Service,
    /// Absolute path of the bare repository.
    pub repo: &'a Path,
    /// Only the ref advertisement (`GET info/refs`).
    pub advertise_refs: bool,
    /// A validated `Git-Protocol` value.
    pub git_protocol: Option<&'a str>,
    /// hearth's hook directory (see [`install_hooks`]).
    pub hooks_dir: &'a Path,
    /// Where the post-receive hook writes the accepted ref updates (receive-pack only).
    pub ref_log: Option<PathBuf>,
    /// The push's branch-protection policy for the pre-receive hook (receive-pack only).
    pub protection: Option<PathBuf>,
}

/// The `git` command for an invocation, with piped stdin/stdout/stderr.
pub fn command(inv: &Invocation<'_>) -> Command {
    let mut cmd = base_command(inv);
    cmd.arg(inv.service.name()).arg("--stateless-rpc");
    if inv.advertise_refs {
        cmd.arg("--advertise-refs");
    }
    cmd.arg(inv.repo).current_dir(inv.repo);
    cmd
}

/// The `git` command for a full-duplex session (SSH): the same environment as [`command`], without
/// `--stateless-rpc`.
pub fn session_command(inv: &Invocation<'_>) -> Command {
    let mut cmd = base_command(inv);
    cmd.arg(inv.service.name()).arg(inv.repo).current_dir(inv.repo);
    cmd
}

fn base_command(inv: &Invocation<'_>) -> Command {
    let (hooks_dir, git_protocol, ref_log) = (inv.hooks_dir, inv.git_protocol, inv.ref_log.as_deref());
    let mut cmd = Command::new("git");
    cmd.env_clear();
    for var in ["PATH", "LANG", "LC_ALL", "TMPDIR"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("HOME", hooks_dir);
    if let Some(p) = git_protocol.filter(|p| is_valid_git_protocol(p)) {
        cmd.env("GIT_PROTOCOL", p);
    }
    if let Some(log) = ref_log {
        cmd.env(REF_LOG_ENV, log);
    }
    if let Some(policy) = &inv.protection {
        cmd.env(PROTECTION_ENV, policy);
    }
    let mut hooks = std::ffi::OsString::from("core.hooksPath=");
    hooks.push(hooks_dir);
    cmd.arg("-c").arg(hooks).args(["-c", "uploadpack.allowFilter=true", "-c", "receive.advertisePushOptions=false"]);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

/// A ref update reported by the post-receive hook: `<old> <new> <ref>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub old: String,
    pub new: String,
    pub name: String,
}

pub const ZERO_ID: &str = "0000000000000000000000000000000000000000";

impl RefUpdate {
    pub fn is_create(&self) -> bool {
        self.old == ZERO_ID
    }
    pub fn is_delete(&self) -> bool {
        self.new == ZERO_ID
    }
}

/// Parse the hook's log (lines that do not have three fields are skipped).
pub fn parse_ref_log(text: &str) -> Vec<RefUpdate> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (old, new, name) = (parts.next()?, parts.next()?, parts.next()?);
            Some(RefUpdate { old: old.into(), new: new.into(), name: name.into() })
        })
        .collect()
}

/// The pkt-line preamble of a smart ref advertisement: `# service=git-<name>\n` then a flush.
pub fn advertisement_preamble(service: Service) -> Vec<u8> {
    let line = format!("# service=git-{}\n", service.name());
    format!("{:04x}{line}0000", line.len() + 4).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_protocol_values() {
        assert!(is_valid_git_protocol("version=2"));
        assert!(is_valid_git_protocol("version=2:object-format=sha1"));
        for bad in ["", "version", "version=2 --upload-pack=x", "a=b;rm", "=2", "version=", "v=2\n"] {
            assert!(!is_valid_git_protocol(bad), "{bad:?}");
        }
        assert!(is_protocol_v2(Some("version=2")));
        assert!(!is_protocol_v2(Some("version=1")));
    }

    #[test]
    fn preamble_and_ref_log() {
        assert_eq!(advertisement_preamble(Service::UploadPack), b"001e# service=git-upload-pack\n0000");
        assert_eq!(advertisement_preamble(Service::ReceivePack), b"001f# service=git-receive-pack\n0000");
        let updates = parse_ref_log(&format!("{ZERO_ID} abc refs/heads/main\nbad line\nabc {ZERO_ID} refs/tags/v1\n"));
        assert_eq!(updates.len(), 2);
        assert!(updates[0].is_create());
        assert!(updates[1].is_delete());
    }
}
