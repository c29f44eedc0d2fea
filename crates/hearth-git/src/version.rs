//! The installed `git`: the transport and migrations run it, so the server checks it once at start
//! rather than answering the first clone with a 500.

use std::path::Path;
use std::process::Command;

/// The oldest git hearth runs: `http.curloptResolve` (pinning a migration or mirror fetch to the
/// address that was checked) arrived in 2.37; protocol v2 and `--stateless-rpc` are older.
pub const MINIMUM: (u32, u32, u32) = (2, 37, 0);

/// Run `git --version` (from `PATH`, or from `path_env` when given) and check it against
/// [`MINIMUM`]. The error is one line naming git and what was found.
pub fn check(path_env: Option<&std::ffi::OsStr>) -> Result<(u32, u32, u32), String> {
    let need = format!("hearth needs git {}.{} or newer", MINIMUM.0, MINIMUM.1);
    let mut cmd = Command::new("git");
    cmd.arg("--version").env_clear().env("GIT_CONFIG_NOSYSTEM", "1").current_dir(Path::new("/"));
    if let Some(path) = path_env.map(ToOwned::to_owned).or_else(|| std::env::var_os("PATH")) {
        cmd.env("PATH", path);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => return Err(format!("git was not found on PATH ({e}): {need}")),
    };
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let Some(found) = parse(&text).filter(|_| out.status.success()) else {
        return Err(format!("git --version answered `{text}`, not a version: {need}"));
    };
    if found < MINIMUM {
        return Err(format!("git {}.{}.{} is too old: {need}", found.0, found.1, found.2));
    }
    Ok(found)
}

/// `git version 2.47.3` (also `2.39.5 (Apple Git-154)`, `2.45.0.windows.1`) → (2, 47, 3).
fn parse(text: &str) -> Option<(u32, u32, u32)> {
    let version = text.strip_prefix("git version ")?.split_whitespace().next()?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next()??;
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse("git version 2.47.3"), Some((2, 47, 3)));
        assert_eq!(parse("git version 2.39.5 (Apple Git-154)"), Some((2, 39, 5)));
        assert_eq!(parse("git version 2.45.0.windows.1"), Some((2, 45, 0)));
        assert_eq!(parse("git version 3.0"), Some((3, 0, 0)));
        assert_eq!(parse("hello"), None);
        assert!((2, 36, 9) < MINIMUM && (2, 37, 0) >= MINIMUM);
    }

    #[test]
    fn the_installed_git_passes() {
        check(None).unwrap();
    }
}
