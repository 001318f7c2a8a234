//! Tags and tag assignments.

use serde_json::json;

use super::T;

#[tokio::test]
async fn tag_crud_and_validation() {
    let t = T::new().await;
    let tag = t
        .created(
            "/api/tags",
            json!({"title": "Accounting", "description": "d", "color": "blue"}),
        )
        .await;
    let handle = tag["handle"].as_str().unwrap().to_string();
    let parts: Vec<&str> = handle.split('-').collect();
    assert_eq!(parts.len(), 3, "{handle}");
    assert_eq!((parts[0], parts[1].len(), parts[2].len()), ("tag", 8, 6));
    assert_eq!(tag["title"], "Accounting");

    let (status, body) = t.post("/api/tags", json!({"title": "x".repeat(31)})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["title"].is_array());
    let (status, _) = t
        .post(
            "/api/tags",
            json!({"title": "ok", "description": "d".repeat(151)}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = t
        .post("/api/tags", json!({"title": "ok", "color": "pink"}))
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["color"].is_array());
    let (status, _) = t.post("/api/tags", json!({})).await;
    assert_eq!(status, 400);
    let (status, _) = t.post("/api/tags", json!({"title": "accounting"})).await;
    assert_eq!(status, 400, "titles are unique");

    let other = t.created("/api/tags", json!({"title": "HR"})).await;
    assert_eq!(other["color"], "neutral");
    let list = t.ok("/api/tags").await;
    assert_eq!(list["data"]["tags"].as_array().unwrap().len(), 2);
    let filtered = t
        .ok(&format!("/api/tags?q%5Bhandle_in%5D%5B%5D={handle}"))
        .await;
    assert_eq!(filtered["data"]["tags"][0]["handle"], handle.as_str());
    assert_eq!(filtered["data"]["tags"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.ok("/api/tags?q[title_or_description_cont]=hr").await["data"]["tags"][0]["title"],
        "HR"
    );
    assert_eq!(
        t.ok("/api/tags?per_page=1&page=2").await["data"]["tags"][0]["title"],
        "HR"
    );

    let (status, u) = t
        .put(
            &format!("/api/tags/{handle}"),
            json!({"title": "Acct", "color": "red"}),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(
        (
            u["title"].as_str(),
            u["color"].as_str(),
            u["description"].as_str()
        ),
        (Some("Acct"), Some("red"), Some("d"))
    );
    let (status, _) = t
        .put(&format!("/api/tags/{handle}"), json!({"title": "HR"}))
        .await;
    assert_eq!(status, 400);
    let (status, _) = t
        .put("/api/tags/tag-nothing-here", json!({"title": "x"}))
        .await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn assignments() {
    let t = T::new().await;
    let tag = t.created("/api/tags", json!({"title": "T"})).await;
    let handle = tag["handle"].as_str().unwrap().to_string();
    let conn = t
        .created("/api/connections", json!({"name": "c", "provider": "jira"}))
        .await["id"]
        .clone();
    let (_, recipe) = t
        .send_as(
            None,
            "POST",
            "/__emulator/recipes",
            Some(json!({"name": "r", "running": true})),
        )
        .await;
    let rid = recipe["id"].clone();

    let (status, _) = t
        .post("/api/tags_assignments", json!({"add_tags": [handle]}))
        .await;
    assert_eq!(status, 400, "needs recipe_ids or connection_ids");
    let (status, _) = t
        .post(
            "/api/tags_assignments",
            json!({"add_tags": ["tag-missing-xx"], "connection_ids": [conn]}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = t
        .post(
            "/api/tags_assignments",
            json!({"add_tags": [handle], "connection_ids": [conn, 1]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        t.ok("/api/connections?includes[]=tags").await[0]["tags"],
        json!([]),
        "all or nothing"
    );

    let (status, body) = t
        .post(
            "/api/tags_assignments",
            json!({"add_tags": [handle], "recipe_ids": [rid], "connection_ids": [conn]}),
        )
        .await;
    assert_eq!((status, body), (200, json!(null)));
    // Idempotent.
    t.post(
        "/api/tags_assignments",
        json!({"add_tags": [handle], "connection_ids": [conn]}),
    )
    .await;
    assert_eq!(
        t.ok("/api/connections?includes[]=tags").await[0]["tags"],
        json!([handle])
    );
    assert_eq!(
        t.ok("/api/recipes?includes[]=tags").await["items"][0]["tags"],
        json!([handle])
    );
    let counted = t.ok("/api/tags?includes[]=assignment_count").await;
    assert_eq!(counted["data"]["tags"][0]["assignment_count"], 2);
    assert_eq!(
        t.ok(&format!("/api/tags?q[connection_id_eq]={conn}")).await["data"]["tags"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Deleting the tag removes its assignments.
    let (status, _) = t.delete(&format!("/api/tags/{handle}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        t.ok("/api/connections?includes[]=tags").await[0]["tags"],
        json!([])
    );
    let (status, _) = t.delete(&format!("/api/tags/{handle}")).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}
