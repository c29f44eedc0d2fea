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
