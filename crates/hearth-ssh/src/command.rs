//! Parsing an SSH `exec` payload the way Gogs' `serv` does (git-transport.md §3.2, §3.4 steps 3–4).

/// The git services reachable over SSH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    UploadPack,
    UploadArchive,
    ReceivePack,
}

impl Verb {
    fn from_name(s: &str) -> Option<Verb> {
        match s {
            "git-upload-pack" => Some(Verb::UploadPack),
            "git-upload-archive" => Some(Verb::UploadArchive),
            "git-receive-pack" => Some(Verb::ReceivePack),
            _ => None,
        }
    }

    pub fn is_write(self) -> bool {
        self == Verb::ReceivePack
    }
}

/// A parsed command. `verb` is `None` for a command Gogs does not know: that is reported only after
/// the repository was found (step 7), so the caller decides when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCommand {
    pub verb: Option<Verb>,
    /// Lower-cased, as Gogs does; look-ups are case-insensitive.
    pub owner: String,
    pub repo: String,
    pub wiki: bool,
}

/// `None` means `Invalid repository path`.
pub fn parse(payload: &str) -> Option<GitCommand> {
    // Gogs cuts everything before the first `git` and trims `'()` from the front.
    let payload = match payload.find("git") {
        Some(i) => &payload[i..],
        None => payload,
    };
    let payload = payload.trim_start_matches(['\'', '(', ')']);
    let (verb, arg) = payload.split_once(' ').unwrap_or((payload, ""));
    let arg = arg.replacen("'/", "'", 1);
    let arg = arg.trim_matches('\'').to_lowercase();
    let (owner, rest) = arg.split_once('/')?;
    let repo = rest.strip_suffix(".git").unwrap_or(rest);
    let (repo, wiki) = match repo.strip_suffix(".wiki") {
        Some(r) => (r, true),
        None => (repo, false),
    };
    Some(GitCommand { verb: Verb::from_name(verb), owner: owner.to_string(), repo: repo.to_string(), wiki })
}

/// `git-lfs-authenticate <path> <operation>`: which repository, and whether for an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LfsAuthenticate {
    /// Lower-cased, as for git commands.
    pub owner: String,
    pub repo: String,
    pub upload: bool,
}

/// `None` when the payload is not `git-lfs-authenticate`; `Some(None)` when it is but its path or
/// operation is not one (`Invalid repository path` / an unknown operation).
pub fn parse_lfs_authenticate(payload: &str) -> Option<Option<LfsAuthenticate>> {
    let rest = payload.trim_start().strip_prefix("git-lfs-authenticate ")?;
    let mut words = rest.split_whitespace();
    let (Some(path), Some(operation), None) = (words.next(), words.next(), words.next()) else {
        return Some(None);
    };
    let upload = match operation {
        "upload" => true,
        "download" => false,
        _ => return Some(None),
    };
    let path = path.trim_matches('\'').trim_start_matches('/').to_lowercase();
    let Some((owner, repo)) = path.split_once('/') else { return Some(None) };
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    if owner.is_empty() || repo.is_empty() || repo.contains('/') {
        return Some(None);
    }
    Some(Some(LfsAuthenticate { owner: owner.to_string(), repo: repo.to_string(), upload }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_git_clients_send() {
        let c = parse("git-upload-pack 'alice/demo.git'").unwrap();
        assert_eq!(
            (c.verb, c.owner.as_str(), c.repo.as_str(), c.wiki),
            (Some(Verb::UploadPack), "alice", "demo", false)
        );
        let c = parse("git-receive-pack '/Alice/Demo'").unwrap();
        assert_eq!((c.verb, c.owner.as_str(), c.repo.as_str()), (Some(Verb::ReceivePack), "alice", "demo"));
        let c = parse("git-upload-archive 'a/b.wiki.git'").unwrap();
        assert_eq!((c.verb, c.wiki), (Some(Verb::UploadArchive), true));
        assert_eq!(parse("git-frobnicate 'a/b.git'").unwrap().verb, None);
    }

    #[test]
    fn lfs_authenticate_as_git_lfs_sends_it() {
        let lfs = |p| parse_lfs_authenticate(p);
        assert_eq!(
            lfs("git-lfs-authenticate 'Alice/Demo.git' upload"),
            Some(Some(LfsAuthenticate { owner: "alice".into(), repo: "demo".into(), upload: true }))
        );
        assert!(!lfs("git-lfs-authenticate alice/demo download").unwrap().unwrap().upload);
        assert_eq!(lfs("git-lfs-authenticate /alice/demo.git download").unwrap().unwrap().owner, "alice");
        assert_eq!(lfs("git-lfs-authenticate alice/demo.git delete"), Some(None));
        assert_eq!(lfs("git-lfs-authenticate demo.git download"), Some(None));
        assert_eq!(lfs("git-lfs-authenticate a/b/c download"), Some(None));
        assert_eq!(lfs("git-upload-pack 'alice/demo.git'"), None);
    }

    #[test]
    fn invalid_paths() {
        assert!(parse("git-upload-pack 'demo.git'").is_none());
        assert!(parse("ls").is_none());
        // Unquoted leading slash: empty owner (rejected later as an unknown owner, as Gogs).
        assert_eq!(parse("git-upload-pack /a/b.git").unwrap().owner, "");
    }
}
