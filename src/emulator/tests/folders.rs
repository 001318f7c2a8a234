//! Folders and projects.

use serde_json::json;

use super::{T, ids};

#[tokio::test]
async fn project_create_via_post_folders() {
    let t = T::new().await;
    let home = t.ok("/api/users/me").await["root_folder_id"]
        .as_u64()
        .unwrap();
    let f = t.created("/api/folders", json!({"name": "Proj"})).await;
    assert_eq!(f["is_project"], true);
    assert_eq!(f["parent_id"], home);
    let pid = f["project_id"].as_u64().unwrap();
    assert_ne!(pid, f["id"].as_u64().unwrap());
    let projects = t.ok("/api/projects?page=1&per_page=100").await;
    assert_eq!(
        projects,
        json!([{"id": pid, "name": "Proj", "description": null, "folder_id": f["id"]}])
    );
    // parent = Home (as a string) also makes a project.
    let g = t
        .created(
            "/api/folders",
            json!({"name": "P2", "parent_id": home.to_string()}),
        )
        .await;
    assert_eq!(g["is_project"], true);
    // A folder inside a project is not a project but knows its project.
    let sub = t
        .created(
            "/api/folders",
            json!({"name": "Sub", "parent_id": f["id"].to_string()}),
        )
        .await;
    assert_eq!(sub["is_project"], false);
    assert_eq!(sub["project_id"], pid);
    assert_eq!(sub["parent_id"], f["id"]);
    let (status, body) = t.post("/api/folders", json!({"name": "  "})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"message": "Validation failed", "errors": {"name": ["can't be blank"]}})
    );
    let (status, _) = t
        .post("/api/folders", json!({"name": "x", "parent_id": "999999"}))
        .await;
    assert_eq!(status, 404);

    // Project update renames the folder too.
    let (status, p) = t
        .put(
            &format!("/api/projects/{pid}"),
            json!({"name": "Renamed", "description": "d"}),
        )
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["description"], "d");
    let folder = t.ok(&format!("/api/folders/{}", f["id"])).await;
    assert_eq!(folder["name"], "Renamed");
    let (status, _) = t.put("/api/projects/1", json!({"name": "x"})).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn nested_listing_and_string_parent_ids() {
    let t = T::new().await;
    let (a, pa) = t.project("A").await;
    let (b, _) = t.project("B").await;
    let a1 = t.folder("a1", a).await;
    let a11 = t.folder("a11", a1).await;
    let b1 = t.folder("b1", b).await;
    // Numbers work as well as strings.
    let a2 = t
        .created("/api/folders", json!({"name": "a2", "parent_id": a}))
        .await["id"]
        .as_u64()
        .unwrap();

    assert_eq!(ids(&t.ok("/api/folders").await), vec![a, b]);
    assert_eq!(
        ids(&t
            .ok("/api/folders?page=1&per_page=100&with_nested_folders=true")
            .await),
        vec![a, b, a1, a11, b1, a2]
    );
    assert_eq!(
        ids(&t
            .ok(&format!(
                "/api/folders?page=1&per_page=100&parent_id={a}&with_nested_folders=false"
            ))
            .await),
        vec![a1, a2]
    );
    let nested = t
        .ok(&format!(
            "/api/folders?parent_id={a}&with_nested_folders=true"
        ))
        .await;
    assert_eq!(ids(&nested), vec![a1, a11, a2]);
    assert!(
        nested
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["project_id"] == pa)
    );
    let (status, _) = t.get("/api/folders?parent_id=42").await;
    assert_eq!(status, 404);

    // Move a11 under a2, then try to move a1 under its own descendant.
    let (status, moved) = t
        .put(
            &format!("/api/folders/{a11}"),
            json!({"parent_id": a2.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["parent_id"], a2);
    let (status, _) = t
        .put(&format!("/api/folders/{a2}"), json!({"parent_id": a11}))
        .await;
    assert_eq!(status, 400);
    let (status, _) = t
        .put(&format!("/api/folders/{a2}"), json!({"parent_id": a2}))
        .await;
    assert_eq!(status, 400);
    // Moving across projects changes project_id.
    let (_, moved) = t
        .put(
            &format!("/api/folders/{a2}"),
            json!({"parent_id": b1, "name": "a2b"}),
        )
        .await;
    assert_eq!(moved["name"], "a2b");
    assert_eq!(moved["project_id"], t.ok("/api/projects").await[1]["id"]);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn pagination_is_clamped() {
    let t = T::new().await;
    let (root, _) = t.project("Big").await;
    for i in 0..105 {
        t.folder(&format!("f{i}"), root).await;
    }
    let q = |page: usize, per: usize| {
        format!("/api/folders?parent_id={root}&page={page}&per_page={per}")
    };
    assert_eq!(t.ok(&q(1, 500)).await.as_array().unwrap().len(), 100);
    assert_eq!(t.ok(&q(2, 500)).await.as_array().unwrap().len(), 5);
    assert_eq!(t.ok(&q(3, 100)).await, json!([]));
    assert_eq!(t.ok(&q(2, 50)).await.as_array().unwrap().len(), 50);
    assert_eq!(
        t.ok(&format!("/api/folders?parent_id={root}"))
            .await
            .as_array()
            .unwrap()
            .len(),
        100
    );
    t.emu.shutdown().await;
}

#[tokio::test]
async fn delete_non_empty_refused_then_forced() {
    let t = T::new().await;
    let (root, _) = t.project("P").await;
    let parent = t.folder("parent", root).await;
    let child = t.folder("child", parent).await;
    let conn = t
        .created(
            "/api/connections",
            json!({"name": "c", "provider": "jira", "folder_id": child}),
        )
        .await["id"]
        .as_u64()
        .unwrap();

    let (status, body) = t.delete(&format!("/api/folders/{parent}")).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["message"].as_str().unwrap().contains("not empty"));
    let (status, body) = t.delete(&format!("/api/folders/{root}")).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("/api/projects"));

    let (status, body) = t.delete(&format!("/api/folders/{parent}?force=true")).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    assert_eq!(
        t.ok("/api/folders?with_nested_folders=true")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        ids(&t.ok("/api/connections").await).is_empty(),
        "connection {conn} survived"
    );
    let empty = t.folder("empty", root).await;
    let (status, _) = t.delete(&format!("/api/folders/{empty}")).await;
    assert_eq!(status, 200);
    let (status, _) = t.delete(&format!("/api/folders/{empty}")).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn project_delete_cascades() {
    let t = T::new().await;
    let (keep_root, keep) = t.project("Keep").await;
    let (root, pid) = t.project("Doomed").await;
    let sub = t.folder("sub", root).await;
    t.folder("kept", keep_root).await;
    t.created(
        "/api/connections",
        json!({"name": "c", "provider": "jira", "folder_id": sub}),
    )
    .await;
    t.created(
        "/api/data_tables",
        json!({"name": "t", "folder_id": sub, "schema": [{"name": "a", "type": "string", "optional": true}]}),
    )
    .await;
    t.created(
        &format!("/api/properties?project_id={pid}"),
        json!({"properties": {"x": "1"}}),
    )
    .await;
    let col = t
        .created(
            "/api/api_collections",
            json!({"name": "API", "project_id": pid.to_string()}),
        )
        .await;
    t.created(
        "/api/v2/api_clients",
        json!({"name": "cl", "project_id": pid, "api_collection_ids": [col["id"]], "auth_type": "token"}),
    )
    .await;

    let (status, body) = t.delete(&format!("/api/projects/{pid}")).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    assert_eq!(ids(&t.ok("/api/projects").await), vec![keep]);
    assert_eq!(
        t.ok("/api/folders?with_nested_folders=true")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(t.ok("/api/connections").await, json!([]));
    assert_eq!(t.ok("/api/data_tables").await, json!({"data": []}));
    assert_eq!(t.ok("/api/api_collections").await, json!([]));
    assert_eq!(t.ok("/api/v2/api_clients").await["count"], 0);
    let (status, _) = t
        .get(&format!("/api/properties?prefix=&project_id={pid}"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = t.delete(&format!("/api/projects/{pid}")).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}
