//! Connections.

use serde_json::json;

use super::{T, ids};

#[tokio::test]
async fn create_list_update_delete() {
    let t = T::new().await;
    let (root, _) = t.project("P").await;
    let sub = t.folder("sub", root).await;
    let c = t
        .created(
            "/api/connections",
            json!({"name": "Jira", "provider": "jira", "folder_id": root,
                   "input": {"host_name": "acme.atlassian.net", "apitoken": "secret"}}),
        )
        .await;
    assert_eq!(c["provider"], "jira");
    assert_eq!(c["application"], "jira");
    assert_eq!(c["authorization_status"], "success");
    assert!(c["authorized_at"].is_string());
    assert!(c.get("input").is_none());
    assert!(!c.to_string().contains("secret"));
    let id = c["id"].as_u64().unwrap();

    let shell = t
        .created(
            "/api/connections",
            json!({"name": "SF", "provider": "salesforce", "folder_id": sub.to_string(), "shell_connection": true,
                   "input": {"x": "y"}}),
        )
        .await;
    assert_eq!(shell["authorization_status"], json!(null));
    let bare = t
        .created(
            "/api/connections",
            json!({"name": "Bare", "provider": "jira"}),
        )
        .await;
    assert_eq!(bare["authorization_status"], json!(null));
    assert_eq!(
        bare["folder_id"],
        t.ok("/api/users/me").await["root_folder_id"]
    );

    let (status, body) = t
        .post("/api/connections", json!({"provider": "jira"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["name"][0], "can't be blank");
    let (status, body) = t.post("/api/connections", json!({"name": "x"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["provider"][0], "can't be blank");
    let (status, _) = t
        .post(
            "/api/connections",
            json!({"name": "x", "provider": "jira", "folder_id": 1}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = t
        .post(
            "/api/connections",
            json!({"name": "x", "provider": "salesforce", "parent_id": id}),
        )
        .await;
    assert_eq!(status, 400, "parent must have the same provider");
    let child = t
        .created(
            "/api/connections",
            json!({"name": "child", "provider": "jira", "parent_id": id}),
        )
        .await;
    assert_eq!(child["parent_id"], id);

    assert_eq!(
        ids(&t.ok(&format!("/api/connections?folder_id={sub}")).await),
        vec![shell["id"].as_u64().unwrap()]
    );
    assert_eq!(
        ids(&t.ok("/api/connections?provider=salesforce").await).len(),
        1
    );
    assert_eq!(ids(&t.ok("/api/connections").await).len(), 4);
    let listed = t.ok("/api/connections").await;
    assert!(listed[0].get("tags").is_none());

    // Update: name, folder, input; provider is ignored.
    let (status, u) = t
        .put(
            &format!("/api/connections/{}", bare["id"]),
            json!({"name": "Renamed", "folder_id": sub, "input": {"apitoken": "t"}, "provider": "slack", "external_id": "ext-1"}),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["name"], "Renamed");
    assert_eq!(u["folder_id"], sub);
    assert_eq!(u["provider"], "jira");
    assert_eq!(u["external_id"], "ext-1");
    assert_eq!(u["authorization_status"], "success");
    assert_eq!(
        ids(&t.ok("/api/connections?external_id=ext-1").await),
        vec![bare["id"].as_u64().unwrap()]
    );
    let (status, _) = t.put("/api/connections/1", json!({"name": "x"})).await;
    assert_eq!(status, 404);
    let (status, _) = t
        .put(&format!("/api/connections/{id}"), json!({"name": ""}))
        .await;
    assert_eq!(status, 400);

    let (status, body) = t
        .send("POST", &format!("/api/connections/{id}/disconnect"), None)
        .await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let after = t.ok("/api/connections?provider=jira").await;
    let c = after
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap();
    assert_eq!(c["authorization_status"], json!(null));

    let (status, body) = t.delete(&format!("/api/connections/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], true);
    assert!(body["status"].is_string());
    let (status, _) = t.delete(&format!("/api/connections/{id}")).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn tags_are_reflected() {
    let t = T::new().await;
    let c = t
        .created("/api/connections", json!({"name": "c", "provider": "jira"}))
        .await;
    let tag = t
        .created("/api/tags", json!({"title": "HR", "color": "green"}))
        .await;
    let handle = tag["handle"].as_str().unwrap().to_string();
    let (status, body) = t
        .post(
            "/api/tags_assignments",
            json!({"add_tags": [handle], "connection_ids": [c["id"]]}),
        )
        .await;
    assert_eq!((status, body), (200, json!(null)));
    let listed = t.ok("/api/connections?includes[]=tags").await;
    assert_eq!(listed[0]["tags"], json!([handle]));
    let listed = t.ok("/api/connections?includes%5B%5D=tags").await;
    assert_eq!(listed[0]["tags"], json!([handle]));
    t.post(
        "/api/tags_assignments",
        json!({"remove_tags": [handle], "connection_ids": [c["id"]]}),
    )
    .await;
    assert_eq!(
        t.ok("/api/connections?includes[]=tags").await[0]["tags"],
        json!([])
    );
    t.emu.shutdown().await;
}
