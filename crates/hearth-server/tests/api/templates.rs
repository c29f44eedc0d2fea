//! Repository templates (Gitea's routes): the same lists repository creation accepts.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gitignore_templates_are_the_ones_creation_accepts() {
    let s = TestServer::start().await;
    let (status, list) = s.get_json("/gitignore/templates", Anon).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(names.contains(&"Rust") && names.contains(&"Go"), "{names:?}");
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted and unique");

    let (status, rust) = s.get_json("/gitignore/templates/Rust", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(rust["name"], "Rust");
    assert!(rust["source"].as_str().unwrap().contains("target"), "{rust}");
    let (status, body) = s.get_json("/gitignore/templates/NoSuchThing", Anon).await;
    assert_eq!((status, body["message"].as_str()), (404, Some("Not Found")));

    // Every listed name is accepted by repository creation (one source of truth).
    let (_alice, token) = s.user_with_token("alice", false).await;
    let last = *names.last().unwrap();
    let body = j!({"name": "ignored", "auto_init": true, "gitignores": format!("Rust,{last}")});
    let (status, repo) = s.post_json("/user/repos", &token, &body).await;
    assert_eq!(status, 201, "{repo}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn license_templates_are_the_ones_creation_accepts() {
    let s = TestServer::start().await;
    let (status, list) = s.get_json("/licenses", Anon).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    let mit = list.iter().find(|l| l["key"] == "MIT License").expect("MIT is listed");
    assert_eq!(mit["name"], "MIT License");
    let url = mit["url"].as_str().unwrap();
    assert_eq!(url, format!("{}api/v1/licenses/MIT%20License", s.base));

    // The listed URL answers the licence.
    let (status, info) = json(s.client.get(url).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!((info["key"].as_str(), info["name"].as_str()), (Some("MIT License"), Some("MIT License")));
    assert!(info["body"].as_str().unwrap().contains("Permission is hereby granted"));
    assert_eq!(info["implementation"], "");
    let (status, _) = s.get_json("/licenses/Nope%20License", Anon).await;
    assert_eq!(status, 404);

    let (_alice, token) = s.user_with_token("alice", false).await;
    for (i, entry) in list.iter().take(3).enumerate() {
        let name = entry["name"].as_str().unwrap();
        let body = j!({"name": format!("licensed{i}"), "auto_init": true, "license": name});
        let (status, repo) = s.post_json("/user/repos", &token, &body).await;
        assert_eq!(status, 201, "{name}: {repo}");
    }
}
