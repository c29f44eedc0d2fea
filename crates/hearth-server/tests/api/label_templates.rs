//! Issue label sets (Gitea's `/label/templates` routes) and `issue_labels` on repository creation:
//! one list serves both.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_templates_list_and_show() {
    let s = TestServer::start().await;
    let (status, list) = s.get_json("/label/templates", Anon).await;
    assert_eq!((status, &list), (200, &j!(["Advanced", "Default"])));

    let (status, default) = s.get_json("/label/templates/Default", Anon).await;
    assert_eq!(status, 200, "{default}");
    let default = default.as_array().unwrap();
    assert_eq!(default.len(), 7);
    assert_eq!(default[0]["name"], "bug");
    assert_eq!(default[0]["color"], "ee0701", "Gitea shows colours without #");
    assert_eq!(default[0]["exclusive"], false);
    assert!(default[0]["description"].as_str().is_some_and(|d| !d.is_empty()), "{:?}", default[0]);
    let names: Vec<&str> = default.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["bug", "duplicate", "enhancement", "help wanted", "invalid", "question", "wontfix"]);

    let (status, advanced) = s.get_json("/label/templates/Advanced", Anon).await;
    assert_eq!(status, 200);
    let critical = advanced.as_array().unwrap().iter().find(|l| l["name"] == "Priority/Critical").unwrap();
    assert_eq!(
        critical,
        &j!({"name": "Priority/Critical", "exclusive": true, "color": "b71c1c", "description": critical["description"]})
    );

    // Unknown (and differently spelt) names are 404 with the JSON error body.
    for name in ["Nope", "default", "..%2FDefault"] {
        let (status, body) = s.get_json(&format!("/label/templates/{name}"), Anon).await;
        assert_eq!((status, &body), (404, &j!({"message": "Not Found"})), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repository_creation_applies_a_label_set() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_root, root) = s.user_with_token("root", true).await;

    // The labels of the set, as the set lists them, in the new repository.
    s.create_repo(&alice, j!({"name": "tracked", "issue_labels": "Default"})).await;
    let (status, labels) = s.get_json("/repos/alice/tracked/labels", &alice).await;
    assert_eq!(status, 200);
    let (_, set) = s.get_json("/label/templates/Default", Anon).await;
    let mut got: Vec<(String, String)> = labels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap().to_string(), l["color"].as_str().unwrap().to_string()))
        .collect();
    let mut want: Vec<(String, String)> = set
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap().to_string(), l["color"].as_str().unwrap().to_string()))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);

    // With auto_init too, and through the organisation and admin routes.
    s.create_repo(&alice, j!({"name": "both", "auto_init": true, "issue_labels": "Advanced"})).await;
    let (_, labels) = s.get_json("/repos/alice/both/labels", &alice).await;
    assert_eq!(labels.as_array().unwrap().len(), 18);
    let (status, _) = s.post_json("/user/orgs", &alice, j!({"username": "acme"})).await;
    assert_eq!(status, 201);
    let (status, body) = s.post_json("/orgs/acme/repos", &alice, j!({"name": "o", "issue_labels": "Default"})).await;
    assert_eq!(status, 201, "{body}");
    let (_, labels) = s.get_json("/repos/acme/o/labels", &alice).await;
    assert_eq!(labels.as_array().unwrap().len(), 7);
    let (status, body) =
        s.post_json("/admin/users/alice/repos", &root, j!({"name": "adm", "issue_labels": "Default"})).await;
    assert_eq!(status, 201, "{body}");
    let (_, labels) = s.get_json("/repos/alice/adm/labels", &alice).await;
    assert_eq!(labels.as_array().unwrap().len(), 7);

    // No set: no labels.
    s.create_repo(&alice, j!({"name": "plain"})).await;
    let (_, labels) = s.get_json("/repos/alice/plain/labels", &alice).await;
    assert_eq!(labels, j!([]));

    // An unknown set is 422 before anything is created.
    let (status, body) = s.post_json("/user/repos", &alice, j!({"name": "bad", "issue_labels": "Fancy"})).await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "label template does not exist: Fancy");
    assert_eq!(s.get_status("/repos/alice/bad", &alice).await, 404);
    assert!(!s.data_dir().join("repositories/alice/bad.git").exists());
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repository WHERE lower_name = 'bad'").await, 0);
    let (status, _) = s.post_json("/orgs/acme/repos", &alice, j!({"name": "bad", "issue_labels": "nope"})).await;
    assert_eq!(status, 422);
    assert_eq!(s.post_status("/user/repos", Anon, j!({"name": "x", "issue_labels": "Default"})).await, 401);
}
