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
    fn invalid_paths() {
        assert!(parse("git-upload-pack 'demo.git'").is_none());
        assert!(parse("ls").is_none());
        // Unquoted leading slash: empty owner (rejected later as an unknown owner, as Gogs).
        assert_eq!(parse("git-upload-pack /a/b.git").unwrap().owner, "");
    }
}
