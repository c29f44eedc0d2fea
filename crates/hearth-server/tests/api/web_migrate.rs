//! The "New migration" page (web-ui.md §5: `/repo/migrate`), through the migrate API's service and
//! its address rules.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_migration_form() {
    let s = TestServer::start_with(|raw| raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback")).await;
    let (alice, alice_token) = s.user_with_token("alice", false).await;
    let (bob, bob_token) = s.user_with_token("bob", false).await;
    s.create_repo(&alice_token, j!({"name": "upstream", "auto_init": true, "private": true})).await;
    let addr = s.git_url(None, "alice", "upstream");

    assert_eq!(Browser::new(&s).get("/repo/migrate").await.status, 303, "needs an account");
    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    let form = b.get("/repo/migrate").await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains("<h1>New migration</h1>"));
    for label in [
        "Clone address",
        "Username (of the source, optional)",
        "Password (of the source, optional)",
        "Owner",
        "Repository name",
        "Private",
        "Mirror",
    ] {
        assert!(form.body.contains(label), "{label}");
    }

    // Wrong credentials: refused, the form kept, the password never sent back.
    let refused = b
        .submit(
            "/repo/migrate",
            "/repo/migrate",
            &[
                ("clone_addr", &addr),
                ("auth_username", "alice"),
                ("auth_password", "wrong-secret"),
                ("owner", "bob"),
                ("repo_name", "copy"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("role=\"alert\""));
    assert!(refused.body.contains("value=\"copy\"") && !refused.body.contains("wrong-secret"));
    assert_eq!(s.get_status("/repos/bob/copy", &bob_token).await, 404, "nothing created");

    let empty =
        b.submit("/repo/migrate", "/repo/migrate", &[("clone_addr", ""), ("owner", "bob"), ("repo_name", "x")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Clone address is required."));
    let foreign = b
        .submit("/repo/migrate", "/repo/migrate", &[("clone_addr", &addr), ("owner", "alice"), ("repo_name", "x")])
        .await;
    assert_eq!(foreign.status, 422, "not into someone else's account");
    let option = b
        .submit(
            "/repo/migrate",
            "/repo/migrate",
            &[("clone_addr", "--upload-pack=touch /tmp/pwned"), ("owner", "bob"), ("repo_name", "x")],
        )
        .await;
    assert_eq!(option.status, 422, "an option is not an address");

    let done = b
        .submit(
            "/repo/migrate",
            "/repo/migrate",
            &[
                ("clone_addr", &addr),
                ("auth_username", &alice.name),
                ("auth_password", &alice.password),
                ("owner", "bob"),
                ("repo_name", "copy"),
                ("description", "Imported <b>here</b>"),
                ("private", "on"),
                ("mirror", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/bob/copy");
    let (_, repo) = s.get_json("/repos/bob/copy", &bob_token).await;
    assert_eq!((repo["private"].as_bool(), repo["mirror"].as_bool()), (Some(true), Some(true)));
    assert_eq!(repo["description"], "Imported <b>here</b>");
    let home = b.get("/bob/copy").await;
    assert!(home.body.contains("README.md") && home.body.contains(">Mirror<"));
    assert!(!home.body.contains(&alice.password), "the source's password is not shown");
}
