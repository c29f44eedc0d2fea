//! The permission matrix (permissions.md §2, §7): every role against every route family (read,
//! write contents, write issue labels, admin collaborators, admin hooks, delete, clone, push), on a
//! private user repository and a private organisation repository, generated from one table.

use base64::Engine;
use serde_json::json as j;

use crate::support::*;

/// What a role gets from each route family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expect {
    /// `GET /repos/:o/:r`
    read: u16,
    /// `PUT /repos/:o/:r/contents/:path` (write)
    write: u16,
    /// `GET /repos/:o/:r/collaborators` (admin)
    admin: u16,
    /// `POST /repos/:o/:r/labels` (write: the issue tracker)
    label: u16,
    /// `GET /repos/:o/:r/hooks` (admin)
    hooks: u16,
    /// `DELETE /repos/:o/:r` (owner), checked without deleting except where it succeeds
    delete: u16,
    /// `git ls-remote` over Smart HTTP
    clone: bool,
    /// `git push` of a new branch over Smart HTTP
    push: bool,
}

const NONE_ANON: Expect =
    Expect { read: 404, write: 401, admin: 401, label: 401, hooks: 401, delete: 401, clone: false, push: false };
const NONE: Expect =
    Expect { read: 404, write: 404, admin: 404, label: 404, hooks: 404, delete: 404, clone: false, push: false };
const READ: Expect =
    Expect { read: 200, write: 403, admin: 403, label: 403, hooks: 403, delete: 403, clone: true, push: false };
const WRITE: Expect =
    Expect { read: 200, write: 201, admin: 403, label: 201, hooks: 403, delete: 403, clone: true, push: true };
const ADMIN: Expect =
    Expect { read: 200, write: 201, admin: 200, label: 201, hooks: 200, delete: 403, clone: true, push: true };
const OWNER: Expect =
    Expect { read: 200, write: 201, admin: 200, label: 201, hooks: 200, delete: 204, clone: true, push: true };

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permission_matrix() {
    let s = TestServer::start().await;
    let mut creds: Vec<(&str, Option<(TestUser, String)>)> = vec![("anonymous", None)];
    for name in ["stranger", "c-read", "c-write", "c-admin", "t-read", "t-write", "t-admin", "orgowner", "owner"] {
        creds.push((name, Some(s.user_with_token(name, false).await)));
    }
    creds.push(("siteadmin", Some(s.user_with_token("siteadmin", true).await)));
    let token = |role: &str| creds.iter().find(|(r, _)| *r == role).unwrap().1.as_ref().unwrap().1.clone();
    let owner = token("owner");
    let orgowner = token("orgowner");
    let admin = token("siteadmin");

    // A private repository of a user, and one of an organisation, both with a commit.
    s.create_repo(&owner, j!({"name": "solo", "private": true, "auto_init": true})).await;
    s.post("/user/orgs").token(&orgowner).json(&j!({"username": "acme"})).send().await.unwrap();
    let resp =
        s.post("/org/acme/repos").token(&orgowner).json(&j!({"name": "app", "private": true, "auto_init": true}));
    assert_eq!(resp.send().await.unwrap().status(), 201);
    for (repo_owner, owner_token) in [("owner", &owner), ("acme", &orgowner)] {
        let repo = if repo_owner == "acme" { "app" } else { "solo" };
        for (user, perm) in [("c-read", "read"), ("c-write", "write"), ("c-admin", "admin")] {
            let url = format!("/repos/{repo_owner}/{repo}/collaborators/{user}");
            assert_eq!(s.put_json(&url, owner_token, j!({"permission": perm})).await.0, 204);
        }
    }
    for (team, perm) in [("t-read", "read"), ("t-write", "write"), ("t-admin", "admin")] {
        let (_, t) = s.post_json("/admin/orgs/acme/teams", &admin, j!({"name": team, "permission": perm})).await;
        let id = t["id"].as_i64().unwrap();
        assert_eq!(s.put_status(&format!("/admin/teams/{id}/members/{team}"), &admin).await, 204);
        assert_eq!(s.put_status(&format!("/admin/teams/{id}/repos/app"), &admin).await, 204);
    }

    let solo: Vec<(&str, Expect)> = vec![
        ("anonymous", NONE_ANON),
        ("stranger", NONE),
        ("t-write", NONE),
        ("orgowner", NONE),
        ("c-read", READ),
        ("c-write", WRITE),
        ("c-admin", ADMIN),
        // Site admins are owners on every channel (a listed difference from Gogs).
        ("siteadmin", Expect { delete: 0, ..OWNER }),
        ("owner", OWNER),
    ];
    let app: Vec<(&str, Expect)> = vec![
        ("anonymous", NONE_ANON),
        ("stranger", NONE),
        ("owner", NONE),
        ("c-read", READ),
        ("c-write", WRITE),
        ("c-admin", ADMIN),
        ("t-read", READ),
        ("t-write", WRITE),
        ("t-admin", ADMIN),
        // Gogs: deleting an organisation repository needs Owners-team membership, even for admins.
        ("siteadmin", Expect { delete: 403, ..OWNER }),
        ("orgowner", OWNER),
    ];

    let git = Git::new();
    let seed = git.path("seed");
    git.ok(None, &["clone", "-q", &s.git_url(Some(("siteadmin", &admin)), "owner", "solo"), seed.to_str().unwrap()]);
    let mut failures = Vec::new();
    for (owner_name, repo, table) in [("owner", "solo", &solo), ("acme", "app", &app)] {
        for (role, want) in table.iter() {
            let auth = creds.iter().find(|(r, _)| r == role).unwrap().1.as_ref();
            let with = |b: reqwest::RequestBuilder| match auth {
                Some((_, t)) => b.token(t),
                None => b,
            };
            let base = format!("/repos/{owner_name}/{repo}");
            let read = with(s.get(&base)).send().await.unwrap().status().as_u16();
            let content = base64::engine::general_purpose::STANDARD.encode(role);
            let write = with(s.put(&format!("{base}/contents/by-{role}.txt")))
                .json(&j!({"message": "m", "content": content}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            let admin_status = with(s.get(&format!("{base}/collaborators"))).send().await.unwrap().status().as_u16();
            let label = with(s.post(&format!("{base}/labels")))
                .json(&j!({"name": role, "color": "#00aa00"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            let hooks = with(s.get(&format!("{base}/hooks"))).send().await.unwrap().status().as_u16();
            let delete = if want.delete == 204 || want.delete == 0 {
                want.delete
            } else {
                with(s.delete(&base)).send().await.unwrap().status().as_u16()
            };
            let url = s.git_url(auth.map(|(u, t)| (u.name.as_str(), t.as_str())), owner_name, repo);
            let clone = git.run(None, &["ls-remote", &url]).ok;
            let push = git.run(Some(&seed), &["push", "-q", &url, &format!("HEAD:refs/heads/push-{role}")]).ok;
            let got = Expect { read, write, admin: admin_status, label, hooks, delete, clone, push };
            if got != *want {
                failures.push(format!("{owner_name}/{repo} as {role}: got {got:?}, want {want:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "permission matrix mismatches:\n{}", failures.join("\n"));

    // The successful deletions, last.
    assert_eq!(s.delete_status("/repos/acme/app", &orgowner).await, 204);
    assert_eq!(s.delete_status("/repos/owner/solo", &owner).await, 204);
}

/// A private repository is indistinguishable from a missing one to anyone without read access:
/// same status, same body, on every route family and on Git HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_and_missing_look_the_same() {
    let s = TestServer::start().await;
    let (_o, owner) = s.user_with_token("owner", false).await;
    let (stranger, stranger_token) = s.user_with_token("stranger", false).await;
    s.create_repo(&owner, j!({"name": "secret", "private": true, "auto_init": true})).await;
    let paths = [
        "",
        "/branches",
        "/branches/master",
        "/contents",
        "/contents/README.md",
        "/raw/master/README.md",
        "/commits",
        "/tags",
        "/releases",
        "/forks",
        "/collaborators",
        "/collaborators/owner",
        "/keys",
        "/archive/master.zip",
        "/git/trees/master",
    ];
    for path in paths {
        for token in [Some(stranger_token.as_str()), None] {
            let fetch = |name: &'static str| {
                let b = s.get(&format!("/repos/owner/{name}{path}"));
                let b = match token {
                    Some(t) => b.token(t),
                    None => b,
                };
                async move {
                    let r = b.send().await.unwrap();
                    (r.status().as_u16(), r.text().await.unwrap())
                }
            };
            let hidden = fetch("secret").await;
            let missing = fetch("missing").await;
            assert_eq!(hidden, missing, "{path} (token: {})", token.is_some());
            assert!(hidden.0 == 404 || hidden.0 == 401, "{path}: {hidden:?}");
        }
    }
    let git = Git::new();
    let url = |repo: &str| s.git_url(Some((&stranger.name, &stranger.password)), "owner", repo);
    let hidden = git.run(None, &["ls-remote", &url("secret")]);
    let missing = git.run(None, &["ls-remote", &url("missing")]);
    assert!(!hidden.ok && !missing.ok);
    assert_eq!(hidden.stderr.replace("secret", "X"), missing.stderr.replace("missing", "X"));
}

/// The Git access decision both transports share (`service::git_access`), against the server's
/// database: anonymous callers, users in every standing, and deploy keys, on a public, a private and
/// a mirror repository (and missing ones), to read and to write; then under `REQUIRE_SIGNIN_VIEW`
/// and `REQUIRE_EMAIL_CONFIRMATION`. A refusal lists every rule broken (each transport reports the
/// first in its own order; see the unit tests in `git_http.rs` and `ssh.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_access_decisions() {
    use hearth_server::service::git_access::{self, Principal, Refusal::*, Target, Verb};
    use hearth_store::{deploy_keys, repos, users};

    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    for name in ["reader", "writer", "stranger", "banned", "sleepy"] {
        s.create_user(name, false).await;
    }
    s.create_user("root", true).await;
    for (repo, private) in [("pub", false), ("priv", true), ("mirror", false)] {
        s.create_repo(&alice, j!({"name": repo, "private": private, "auto_init": true})).await;
    }
    for (user, repo, perm) in [
        ("reader", "priv", "read"),
        ("writer", "priv", "write"),
        ("writer", "mirror", "write"),
        ("banned", "priv", "write"),
        ("sleepy", "priv", "write"),
    ] {
        let url = format!("/repos/alice/{repo}/collaborators/{user}");
        assert_eq!(s.put(&url).token(&alice).json(&j!({"permission": perm})).send().await.unwrap().status(), 204);
    }
    // Deploy keys: read-only on priv; writable on priv and mirror; read-only on pub only.
    for (title, seed, repo, read_only) in [
        ("dk-ro", 1, "priv", true),
        ("dk-rw", 2, "priv", false),
        ("dk-rw", 2, "mirror", false),
        ("dk-other", 3, "pub", true),
    ] {
        let body = j!({"title": title, "key": ed25519_key(seed, title), "read_only": read_only});
        let resp = s.post(&format!("/repos/alice/{repo}/keys")).token(&alice).json(&body).send().await.unwrap();
        assert_eq!(resp.status(), 201, "{title} on {repo}");
    }
    // No API makes these states; an administrator's tool or a mirror migration would.
    s.sql("UPDATE repository SET is_mirror = TRUE WHERE lower_name = 'mirror'").await;
    s.sql("UPDATE \"user\" SET prohibit_login = TRUE WHERE lower_name = 'banned'").await;
    s.sql("UPDATE \"user\" SET is_active = FALSE WHERE lower_name = 'sleepy'").await;

    let db = hearth_server::open_db(&s.config).await.unwrap();
    let mut h = db.acquire().await.unwrap();
    let mut people = std::collections::HashMap::new();
    for name in ["alice", "reader", "writer", "stranger", "banned", "sleepy", "root"] {
        people.insert(name, users::by_name(h.conn(), name).await.unwrap().unwrap());
    }
    let mut keys = std::collections::HashMap::new();
    for (title, repo) in [("dk-ro", "priv"), ("dk-rw", "priv"), ("dk-other", "pub")] {
        let repo = repos::by_name(h.conn(), people["alice"].id, repo).await.unwrap().unwrap();
        let listed = deploy_keys::list(h.conn(), repo.id, hearth_store::Window::ALL).await.unwrap();
        let fingerprint = listed.0.into_iter().find(|k| k.name == title).unwrap().fingerprint;
        keys.insert(title, deploy_keys::by_fingerprint(h.conn(), &fingerprint).await.unwrap());
    }
    assert_eq!(keys["dk-rw"].len(), 2, "one row per repository the key was added to");

    let (r, w) = (Verb::Read, Verb::Write);
    type Case = (&'static str, &'static str, Verb, Result<&'static str, &'static [git_access::Refusal]>);
    // (who, owner/repo, verb, Ok(who acts; "" for nobody) or Err(every rule broken))
    let default_config: &[Case] = &[
        ("anonymous", "alice/pub", r, Ok("")),
        ("anonymous", "alice/pub", w, Err(&[NotWritable])),
        ("anonymous", "alice/priv", r, Err(&[NotReadable])),
        ("anonymous", "alice/priv", w, Err(&[NotReadable])),
        ("anonymous", "alice/mirror", r, Ok("")),
        ("anonymous", "alice/mirror", w, Err(&[MirrorReadOnly, NotWritable])),
        ("anonymous", "alice/missing", r, Err(&[NoSuchRepository])),
        ("anonymous", "nobody/pub", r, Err(&[NoSuchOwner])),
        ("anonymous", "alice/-x", r, Err(&[NoSuchRepository])),
        ("alice", "alice/pub", w, Ok("alice")),
        ("alice", "ALICE/Priv", w, Ok("alice")),
        ("alice", "alice/mirror", r, Ok("alice")),
        ("alice", "alice/mirror", w, Err(&[MirrorReadOnly])),
        ("alice", "alice/missing", w, Err(&[NoSuchRepository])),
        ("reader", "alice/priv", r, Ok("reader")),
        ("reader", "alice/priv", w, Err(&[NotWritable])),
        ("reader", "alice/pub", w, Err(&[NotWritable])),
        ("writer", "alice/priv", w, Ok("writer")),
        ("writer", "alice/mirror", w, Err(&[MirrorReadOnly])),
        ("stranger", "alice/pub", r, Ok("stranger")),
        ("stranger", "alice/pub", w, Err(&[NotWritable])),
        ("stranger", "alice/priv", r, Err(&[NotReadable])),
        ("stranger", "alice/priv", w, Err(&[NotReadable])),
        ("stranger", "alice/mirror", w, Err(&[MirrorReadOnly, NotWritable])),
        ("banned", "alice/priv", r, Err(&[LoginProhibited])),
        ("banned", "alice/pub", r, Err(&[LoginProhibited])),
        ("banned", "alice/missing", r, Err(&[LoginProhibited, NoSuchRepository])),
        ("banned", "nobody/x", w, Err(&[LoginProhibited, NoSuchOwner])),
        // Inactive accounts are refused only while e-mail confirmation is required.
        ("sleepy", "alice/priv", w, Ok("sleepy")),
        // Site admins own every repository (a listed difference from Gogs), mirrors stay read-only.
        ("root", "alice/priv", w, Ok("root")),
        ("root", "alice/mirror", w, Err(&[MirrorReadOnly])),
        // Deploy keys act for the repository's owner.
        ("dk-ro", "alice/priv", r, Ok("alice")),
        ("dk-ro", "alice/priv", w, Err(&[KeyReadOnly])),
        ("dk-ro", "alice/pub", r, Ok("alice")),
        ("dk-ro", "alice/pub", w, Err(&[KeyNotAttached, KeyReadOnly])),
        ("dk-ro", "alice/mirror", w, Err(&[MirrorReadOnly, KeyNotAttached, KeyReadOnly])),
        ("dk-rw", "alice/priv", w, Ok("alice")),
        ("dk-rw", "alice/mirror", r, Ok("alice")),
        ("dk-rw", "alice/mirror", w, Err(&[MirrorReadOnly])),
        ("dk-rw", "alice/pub", w, Err(&[KeyNotAttached, KeyReadOnly])),
        ("dk-other", "alice/priv", r, Err(&[KeyNotAttached])),
        ("dk-other", "alice/pub", r, Ok("alice")),
        ("dk-other", "alice/missing", r, Err(&[NoSuchRepository])),
    ];
    let signin_view: &[Case] = &[
        ("anonymous", "alice/pub", r, Err(&[SignInRequired])),
        ("anonymous", "alice/priv", r, Err(&[SignInRequired, NotReadable])),
        ("stranger", "alice/pub", r, Ok("stranger")),
        ("dk-ro", "alice/pub", r, Err(&[KeyNotAttached])),
        ("dk-ro", "alice/priv", r, Ok("alice")),
        ("dk-other", "alice/pub", r, Ok("alice")),
    ];
    let email_confirmation: &[Case] = &[
        ("sleepy", "alice/priv", r, Err(&[LoginProhibited])),
        ("sleepy", "alice/missing", r, Err(&[LoginProhibited, NoSuchRepository])),
        ("writer", "alice/priv", w, Ok("writer")),
    ];
    let mut config_signin_view = s.config.clone();
    config_signin_view.auth.require_signin_view = true;
    let mut config_email = s.config.clone();
    config_email.auth.require_email_confirmation = true;

    let mut failures = Vec::new();
    for (config, cases) in
        [(&s.config, default_config), (&config_signin_view, signin_view), (&config_email, email_confirmation)]
    {
        for (who, path, verb, want) in cases {
            let principal = match *who {
                "anonymous" => Principal::Anonymous,
                key if key.starts_with("dk-") => Principal::DeployKey(&keys[key]),
                user => Principal::User(&people[user]),
            };
            let (owner, repo) = path.split_once('/').unwrap();
            let target = Target::find(h.conn(), owner, repo).await.unwrap();
            let got = git_access::decide(h.conn(), config, &target, principal, *verb).await.unwrap();
            let matches = match (&got, want) {
                (Ok(grant), Ok(actor)) => {
                    // A deploy key's use is recorded on its row for this repository.
                    let key_row = match principal {
                        Principal::DeployKey(rows) => rows.iter().find(|k| k.repo_id == grant.repo.id).map(|k| k.id),
                        _ => None,
                    };
                    grant.actor.as_ref().map_or("", |u| u.name.as_str()) == *actor
                        && grant.deploy_key == key_row
                        && grant.owner.id == grant.repo.owner_id
                }
                (Err(refused), Err(rules)) => {
                    refused.all().len() == rules.len() && rules.iter().all(|rule| refused.has(*rule))
                }
                _ => false,
            };
            if !matches {
                let got = got.map(|g| g.actor.map(|u| u.name)).map_err(|r| r.all().to_vec());
                failures.push(format!("{who} {path} {verb:?}: got {got:?}, want {want:?}"));
            }
        }
    }
    drop(h);
    db.close().await;
    assert!(failures.is_empty(), "git access mismatches:\n{}", failures.join("\n"));
}
