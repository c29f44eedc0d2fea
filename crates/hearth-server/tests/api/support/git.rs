//! The `git` command-line client, run against the test server.

use tempfile::TempDir;

use super::server::TestServer;

/// The `git` CLI, isolated from the machine's configuration. It blocks: tests that use it run on
/// a multi-threaded runtime (`#[tokio::test(flavor = "multi_thread")]`) so the server keeps serving.
pub struct Git {
    pub home: TempDir,
    /// `GIT_SSH_COMMAND` for SSH remotes (see [`Git::with_ssh`]).
    ssh_command: Option<String>,
}

pub struct GitOutput {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Git {
    pub fn new() -> Git {
        Git { home: tempfile::tempdir().unwrap(), ssh_command: None }
    }

    /// A git that reaches SSH remotes with this private key, trusting any host key.
    pub fn with_ssh(key: &std::path::Path) -> Git {
        let mut git = Git::new();
        git.ssh_command = Some(format!(
            "ssh -i {} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
             -o BatchMode=yes -o LogLevel=ERROR -F /dev/null",
            key.display()
        ));
        git
    }

    /// Run git in `dir` (or the home directory).
    pub fn run(&self, dir: Option<&std::path::Path>, args: &[&str]) -> GitOutput {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=Tester", "-c", "user.email=tester@example.com", "-c", "init.defaultBranch=master"])
            .args(args)
            .current_dir(dir.unwrap_or(self.home.path()))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "/bin/false")
            .envs(self.ssh_command.iter().map(|c| ("GIT_SSH_COMMAND", c)))
            .output()
            .expect("run git");
        GitOutput {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Like `run`, but the command must succeed.
    pub fn ok(&self, dir: Option<&std::path::Path>, args: &[&str]) -> String {
        let out = self.run(dir, args);
        assert!(out.ok, "git {args:?} failed: {}", out.stderr);
        out.stdout
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.home.path().join(name)
    }

    /// A work tree with one commit (file `name` holding `content`).
    pub fn work_tree(&self, dir: &str, name: &str, content: &str) -> std::path::PathBuf {
        let path = self.path(dir);
        std::fs::create_dir_all(&path).unwrap();
        self.ok(Some(&path), &["init", "-q"]);
        std::fs::write(path.join(name), content).unwrap();
        self.ok(Some(&path), &["add", "."]);
        self.ok(Some(&path), &["commit", "-q", "-m", &format!("add {name}")]);
        path
    }
}

impl TestServer {
    /// `http://[user:secret@]127.0.0.1:PORT/owner/repo.git`
    pub fn git_url(&self, creds: Option<(&str, &str)>, owner: &str, repo: &str) -> String {
        let base = self.base.trim_start_matches("http://");
        match creds {
            Some((u, p)) => format!("http://{u}:{p}@{base}{owner}/{repo}.git"),
            None => format!("http://{base}{owner}/{repo}.git"),
        }
    }
}
