//! `PATCH /repos/:owner/:repo` (Gitea's EditRepoOption): settings, rename with redirects from the
//! old name (API 307, Git over HTTP and SSH), and archiving (423 for API writes, pushes refused).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json as j};

use crate::support::*;

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn new_repositories_show_gitea_fields() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let repo = s.create_repo(&token, j!({"name": "demo"})).await;
    for (field, want) in [
        ("archived", j!(false)),
        ("archived_at", j!("1970-01-01T00:00:00Z")),
        ("has_issues", j!(true)),
        ("has_wiki", j!(true)),
        ("has_pull_requests", j!(true)),
        ("allow_merge_commits", j!(true)),
        ("allow_rebase", j!(true)),
        ("allow_rebase_explicit", j!(true)),
        ("allow_squash_merge", j!(true)),
        ("allow_fast_forward_only_merge", j!(true)),
        ("default_merge_style", j!("merge")),
        ("open_pr_counter", j!(0)),
        ("repo_transfer", Value::Null),
    ] {
        assert_eq!(repo[field], want, "{field}: {repo}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_changes_what_it_is_given() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "demo", "auto_init": true})).await;
    // A second branch, pushed with git.
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "demo"), "demo"]);
    let wt = git.path("demo");
    git.ok(Some(&wt), &["checkout", "-q", "-b", "dev"]);
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "demo"), "dev"]);

    let body = j!({
        "description": "Demo", "website": "https://example.com", "private": true,
        "has_issues": false, "has_wiki": false, "allow_rebase": false, "allow_squash_merge": false,
        "default_merge_style": "squash", "default_branch": "dev",
    });
    let (status, repo) = s.patch_json("/repos/alice/demo", &token, &body).await;
    assert_eq!(status, 200, "{repo}");
    assert_eq!(repo["description"], "Demo");
    assert_eq!(repo["website"], "https://example.com");
    assert_eq!(repo["private"], true);
    assert_eq!(repo["has_issues"], false);
    assert_eq!(repo["has_wiki"], false);
    assert_eq!(repo["has_pull_requests"], true);
    assert_eq!((repo["allow_rebase"].clone(), repo["allow_squash_merge"].clone()), (j!(false), j!(false)));
    assert_eq!(repo["allow_merge_commits"], true);
    assert_eq!(repo["default_merge_style"], "squash");
    assert_eq!(repo["default_branch"], "dev");
    assert_eq!(repo["permissions"], j!({"admin": true, "push": true, "pull": true}));
    // HEAD follows: a fresh clone checks dev out.
    git.ok(None, &["clone", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "demo"), "again"]);
    let head = git.ok(Some(&git.path("again")), &["rev-parse", "--abbrev-ref", "HEAD"]);
    assert_eq!(head.trim(), "dev");

    // Absent fields stay; a branch that does not exist is ignored (200, old default kept).
    let (status, repo) = s.patch_json("/repos/alice/demo", &token, j!({"default_branch": "nope"})).await;
    assert_eq!(status, 200);
    assert_eq!(repo["default_branch"], "dev");
    assert_eq!(repo["description"], "Demo");
    assert_eq!(repo["private"], true);

    // Pull requests off: the merge switches read false, and come back with them.
    let (_, repo) = s.patch_json("/repos/alice/demo", &token, j!({"has_pull_requests": false})).await;
    assert_eq!(repo["has_pull_requests"], false);
    assert_eq!(repo["allow_merge_commits"], false);
    assert_eq!(repo["default_merge_style"], "merge");
    let (_, repo) = s.patch_json("/repos/alice/demo", &token, j!({"has_pull_requests": true})).await;
    assert_eq!((repo["allow_merge_commits"].clone(), repo["allow_rebase"].clone()), (j!(true), j!(false)));

    // GET agrees.
    let (_, got) = s.get_json("/repos/alice/demo", &token).await;
    assert_eq!(got["default_merge_style"], "squash");
    assert_eq!(got["has_issues"], false);

    // An empty repository takes any default branch name.
    s.create_repo(&token, j!({"name": "empty"})).await;
    let (status, repo) = s.patch_json("/repos/alice/empty", &token, j!({"default_branch": "trunk"})).await;
    assert_eq!((status, repo["default_branch"].clone()), (200, j!("trunk")));
}

#[tokio::test]
async fn edit_refusals() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    s.create_repo(&token, j!({"name": "demo"})).await;
    s.create_repo(&token, j!({"name": "taken"})).await;
    s.create_repo(&token, j!({"name": "secret", "private": true})).await;
    assert_eq!(s.put_json("/repos/alice/demo/collaborators/bob", &token, j!({"permission": "write"})).await.0, 204);

    let (status, body) = s.patch_json("/repos/alice/demo", Anon, j!({"description": "x"})).await;
    assert_eq!((status, body["message"].clone()), (401, j!("Unauthorized")));
    // A writer is not an admin; a stranger cannot see a private repository.
    let (status, body) = s.patch_json("/repos/alice/demo", &bob, j!({"description": "x"})).await;
    assert_eq!((status, body["message"].clone()), (403, j!("Forbidden")));
    let (status, body) = s.patch_json("/repos/alice/secret", &carol, j!({"description": "x"})).await;
    assert_eq!((status, body["message"].clone()), (404, j!("Not Found")));
    let (status, _) = s.patch_json("/repos/alice/nothing", &token, j!({"description": "x"})).await;
    assert_eq!(status, 404);

    // Invalid names: binding errors, reserved patterns, a name already taken.
    let (status, body) = s.patch_json("/repos/alice/demo", &token, j!({"name": "a b"})).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["fieldNames"], j!(["Name"]));
    assert_eq!(body[0]["classification"], "AlphaDashDotError");
    let (status, body) = s.patch_json("/repos/alice/demo", &token, j!({"name": "x.git"})).await;
    assert_eq!((status, body["message"].clone()), (422, j!("name is not allowed [name: x.git]")));
    let (status, body) = s.patch_json("/repos/alice/demo", &token, j!({"name": "Taken"})).await;
    assert_eq!((status, body["message"].clone()), (422, j!("repository already exists [uname: alice, name: Taken]")));
    let (status, body) = s.patch_json("/repos/alice/demo", &token, j!({"default_merge_style": "octopus"})).await;
    assert_eq!((status, body["message"].clone()), (422, j!("invalid default merge style [style: octopus]")));
    // Nothing changed.
    let (_, repo) = s.get_json("/repos/alice/demo", &token).await;
    assert_eq!((repo["name"].clone(), repo["default_merge_style"].clone()), (j!("demo"), j!("merge")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_moves_the_repository_and_the_old_name_redirects() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&token, j!({"name": "old", "auto_init": true})).await;
    s.create_repo(&token, j!({"name": "hidden", "private": true, "auto_init": true})).await;

    let (status, repo) = s.patch_json("/repos/alice/old", &token, j!({"name": "New"})).await;
    assert_eq!(status, 200, "{repo}");
    assert_eq!(repo["name"], "New");
    assert_eq!(repo["full_name"], "alice/New");
    assert!(repo["clone_url"].as_str().unwrap().ends_with("/alice/New.git"), "{repo}");
    let root = &s.config.repository.root;
    assert!(root.join("alice/new.git/HEAD").exists());
    assert!(!root.join("alice/old.git").exists());
    assert!(!root.join("alice/new.git/hearth-moved-from").exists());

    // The API answers the old name with 307 to the same path under the new one, every method.
    let client = no_redirects();
    let resp = client
        .get(s.url("/repos/alice/old/contents/README.md?ref=master"))
        .header("Authorization", token_header(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 307);
    assert_eq!(resp.headers()["location"], "/api/v1/repos/alice/New/contents/README.md?ref=master");
    let resp =
        client.delete(s.url("/repos/alice/OLD")).header("Authorization", token_header(&token)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 307);
    assert_eq!(resp.headers()["location"], "/api/v1/repos/alice/New");
    let (_, body) = json(resp).await;
    assert_eq!(body["message"], "Temporary Redirect");
    // A client that follows it gets the repository.
    let (status, got) = s.get_json("/repos/alice/old", &token).await;
    assert_eq!((status, got["name"].clone()), (200, j!("New")));

    // Git keeps working through the old name over HTTP: clone, then push.
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "old"), "wt"]);
    let wt = git.path("wt");
    assert!(wt.join("README.md").exists());
    std::fs::write(wt.join("b.txt"), "b\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "b"]);
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "old"), "master"]);
    let (status, _) = s.get_json("/repos/alice/New/contents/b.txt", &token).await;
    assert_eq!(status, 200);

    // A private repository's old name redirects only those who can read it.
    let (status, _) = s.patch_json("/repos/alice/hidden", &token, j!({"name": "hidden2"})).await;
    assert_eq!(status, 200);
    let resp =
        client.get(s.url("/repos/alice/hidden")).header("Authorization", token_header(&bob)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let resp =
        client.get(s.url("/repos/alice/hidden")).header("Authorization", token_header(&token)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 307);

    // A change of case only renames; nothing moves and no redirect is left.
    let (status, repo) = s.patch_json("/repos/alice/New", &token, j!({"name": "new"})).await;
    assert_eq!((status, repo["name"].clone()), (200, j!("new")));
    assert!(root.join("alice/new.git/HEAD").exists());

    // A new repository under the old name takes it over; renaming back into a name does too;
    // deleting the repository drops its redirects.
    s.create_repo(&token, j!({"name": "old"})).await;
    let (status, got) = s.get_json("/repos/alice/old", &token).await;
    assert_eq!((status, got["empty"].clone()), (200, j!(true)));
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repo_redirect WHERE lower_name = 'old'").await, 0);
    let (status, _) = s.patch_json("/repos/alice/hidden2", &token, j!({"name": "hidden"})).await;
    assert_eq!(status, 200);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repo_redirect WHERE lower_name = 'hidden'").await, 0);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repo_redirect WHERE lower_name = 'hidden2'").await, 1);
    assert_eq!(s.delete_status("/repos/alice/hidden", &token).await, 204);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repo_redirect WHERE lower_name = 'hidden2'").await, 0);
    assert_eq!(s.get_status("/repos/alice/hidden2", &token).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_rename_is_undone_at_start_up() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "kept", "auto_init": true})).await;
    // As if the server died after moving the directory but before committing the new name.
    let root = s.config.repository.root.clone();
    std::fs::rename(root.join("alice/kept.git"), root.join("alice/moved.git")).unwrap();
    std::fs::write(root.join("alice/moved.git/hearth-moved-from"), "alice/kept\n").unwrap();
    let s = s.restart(|_| {}).await;
    assert!(root.join("alice/kept.git/HEAD").exists());
    assert!(!root.join("alice/moved.git").exists());
    assert!(!root.join("alice/kept.git/hearth-moved-from").exists());
    let (status, _) = s.get_json("/repos/alice/kept/contents/README.md", &token).await;
    assert_eq!(status, 200);
}

fn ssh_keypair(dir: &Path) -> (std::path::PathBuf, String) {
    let path = dir.join("id");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "t", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    (path.clone(), std::fs::read_to_string(path.with_extension("pub")).unwrap().trim().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archived_repository_is_read_only() {
    let s = TestServer::start_with(|raw| raw.set("server", "START_SSH_SERVER", "true")).await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "demo", "auto_init": true})).await;
    let keys = tempfile::tempdir().unwrap();
    let (key, public) = ssh_keypair(keys.path());
    assert_eq!(s.post_json("/user/keys", &token, j!({"title": "k", "key": public})).await.0, 201);

    let (status, repo) = s.patch_json("/repos/alice/demo", &token, j!({"archived": true})).await;
    assert_eq!((status, repo["archived"].clone()), (200, j!(true)), "{repo}");
    assert_ne!(repo["archived_at"], "1970-01-01T00:00:00Z");

    // API writes under the repository answer 423; reads still work.
    let locked = j!({"message": "repo is archived", "url": "https://github.com/gogs/docs-api"});
    assert_eq!(s.post_json("/repos/alice/demo/issues", &token, j!({"title": "t"})).await, (423, locked.clone()));
    assert_eq!(
        s.post_json("/repos/alice/demo/labels", &token, j!({"name": "l", "color": "#ffffff"})).await,
        (423, locked.clone())
    );
    let put = j!({"content": "eA==", "message": "m"});
    assert_eq!(s.put_json("/repos/alice/demo/contents/x.txt", &token, put).await, (423, locked.clone()));
    assert_eq!(s.patch_json("/repos/alice/demo", &token, j!({"description": "x"})).await, (423, locked.clone()));
    assert_eq!(
        s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "alice"})).await,
        (423, locked.clone())
    );
    assert_eq!(s.get_status("/repos/alice/demo/contents/README.md", &token).await, 200);
    assert_eq!(s.get_status("/repos/alice/demo/issues", &token).await, 200);

    // Pushes are refused over HTTP (403 with the reason) and SSH; clones work.
    let git = Git::with_ssh(&key);
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "demo"), "wt"]);
    let wt = git.path("wt");
    std::fs::write(wt.join("b.txt"), "b\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "b"]);
    let out = git
        .run(Some(&wt), &["push", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "demo"), "master"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("Repo: alice/demo is archived."), "{}", out.stderr);
    assert!(out.stderr.contains("403"), "{}", out.stderr);
    let ssh_url = format!("ssh://git@127.0.0.1:{}/alice/demo.git", s.ssh_port.unwrap());
    let out = git.run(Some(&wt), &["push", "-q", &ssh_url, "master"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("Gogs: Repo: alice/demo is archived."), "{}", out.stderr);
    git.ok(None, &["clone", "-q", &ssh_url, "over-ssh"]);

    // Un-archiving is the one edit it takes; then everything works again.
    let (status, repo) = s.patch_json("/repos/alice/demo", &token, j!({"archived": false})).await;
    assert_eq!(
        (status, repo["archived"].clone(), repo["archived_at"].clone()),
        (200, j!(false), j!("1970-01-01T00:00:00Z"))
    );
    git.ok(Some(&wt), &["push", "-q", &ssh_url, "master"]);
    assert_eq!(s.post_json("/repos/alice/demo/issues", &token, j!({"title": "t"})).await.0, 201);

    // Archived repositories can still be deleted.
    assert_eq!(s.patch_json("/repos/alice/demo", &token, j!({"archived": true})).await.0, 200);
    assert_eq!(s.delete_status("/repos/alice/demo", &token).await, 204);
}

/// Two renames of one repository at the same moment (two replicas would race the same way): the
/// directory moves once, to where the row says; the loser is refused (409) or, coming after,
/// renames the already renamed repository; nothing answers 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_renames_move_the_directory_once() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("alice", false).await;
    for round in 0..6 {
        let name = format!("r{round}");
        s.create_repo(&token, j!({"name": name, "auto_init": true})).await;
        let (left, right) = (format!("{name}-left"), format!("{name}-right"));
        let path = format!("/repos/alice/{name}");
        let (a, b) = tokio::join!(
            s.patch_json(&path, &token, j!({"name": left})),
            s.patch_json(&path, &token, j!({"name": right}))
        );
        for (status, body) in [&a, &b] {
            assert!([200, 404, 409].contains(status), "{status} {body}");
        }
        assert!(a.0 == 200 || b.0 == 200, "{a:?} {b:?}");
        let root = s.config.repository.root.join("alice");
        let present: Vec<&String> =
            [&name, &left, &right].into_iter().filter(|n| root.join(format!("{n}.git")).exists()).collect();
        assert_eq!(present.len(), 1, "{present:?}");
        let now = present[0];
        let rows = s.sql_i64(&format!("SELECT COUNT(*) FROM repository WHERE lower_name = '{now}'")).await;
        assert_eq!(rows, 1, "the directory {now} has its row");
        let fsck = Command::new("git").arg("-C").arg(root.join(format!("{now}.git"))).args(["fsck"]).output().unwrap();
        assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stderr));
    }
}
