//! Forking in the browser (web-ui.md §5: `/repo/fork/ID`, `/OWNER/REPO/forks`), through the
//! service `POST /repos/:o/:r/forks` uses.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_fork_form_and_forks_list() {
    let s = TestServer::start().await;
    let (alice, alice_token) = s.user_with_token("alice", false).await;
    let (bob, bob_token) = s.user_with_token("bob", false).await;
    let repo = s
        .create_repo(
            &alice_token,
            j!({"name": "tool", "description": "A <b>tool</b>", "auto_init": true, "readme": "Default"}),
        )
        .await;
    let id = repo["id"].as_i64().unwrap();
    s.create_repo(&alice_token, j!({"name": "hidden", "private": true})).await;
    let (_, hidden) = s.get_json("/repos/alice/hidden", &alice_token).await;
    let hidden_id = hidden["id"].as_i64().unwrap();

    let mut anon = Browser::new(&s);
    let p = anon.get(&format!("/repo/fork/{id}")).await;
    assert_eq!(p.status, 303, "forking needs an account");

    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    assert_eq!(b.get(&format!("/repo/fork/{hidden_id}")).await.status, 404, "a private repository bob cannot read");
    assert_eq!(b.get("/repo/fork/999999").await.status, 404);
    let garbled = b.get("/repo/fork/1%27%20OR%201=1").await;
    assert_eq!(garbled.status, 404, "a non-numeric id is not found");
    assert!(garbled.body.contains("<h1>Page not found</h1>"), "as an HTML page");
    let form = b.get(&format!("/repo/fork/{id}")).await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains("<h1>New fork of <a href=\"/alice/tool\">alice/tool</a></h1>"), "{}", form.body);
    assert!(form.body.contains("id=\"name\" name=\"name\" value=\"tool\""), "prefilled");
    assert!(form.body.contains("value=\"A &lt;b&gt;tool&lt;/b&gt;\""));
    assert!(form.body.contains("<option selected>bob</option>"));
    assert!(!form.body.contains("<option>alice</option>"), "not into the source's owner");

    let bad = b
        .submit(
            &format!("/repo/fork/{id}"),
            &format!("/repo/fork/{id}"),
            &[("owner", "bob"), ("name", "bad name!"), ("description", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("value=\"bad name!\""));
    let foreign = b
        .submit(
            &format!("/repo/fork/{id}"),
            &format!("/repo/fork/{id}"),
            &[("owner", "alice"), ("name", "x"), ("description", "")],
        )
        .await;
    assert_eq!(foreign.status, 422);
    assert_eq!(s.get_status("/repos/bob/x", &bob_token).await, 404, "nothing created");

    let done = b
        .submit(
            &format!("/repo/fork/{id}"),
            &format!("/repo/fork/{id}"),
            &[("owner", "bob"), ("name", "my-tool"), ("description", "Bob's copy")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/bob/my-tool");
    let home = b.get("/bob/my-tool").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("forked from <a href=\"/alice/tool\">alice/tool</a>"));
    let (_, fork) = s.get_json("/repos/bob/my-tool", &bob_token).await;
    assert_eq!(fork["fork"], true);
    assert_eq!(fork["description"], "Bob's copy");
    assert_eq!(fork["parent"]["full_name"], "alice/tool");

    let again = b
        .submit(
            &format!("/repo/fork/{id}"),
            &format!("/repo/fork/{id}"),
            &[("owner", "bob"), ("name", "my-tool"), ("description", "")],
        )
        .await;
    assert_eq!(again.status, 422, "the name is taken");

    let forks = anon.get("/alice/tool/forks").await;
    assert_eq!(forks.status, 200);
    assert_html(&forks);
    assert!(forks.body.contains("<h1>Forks</h1>"));
    assert!(forks.body.contains("href=\"/bob/my-tool\""));
    let _ = alice;
}
