//! Auth, workspace, stats, reset, persistence and the route table.

use serde_json::json;

use super::T;
use crate::emulator::{API_ROUTES, EmulatorOptions, TokenGrant};

#[tokio::test]
async fn auth_401_403_404() {
    let t = T::with_tokens(&["ro=read-only", "rw=all", "one=Connections: Create"]).await;
    let (status, body) = t.send_as(None, "GET", "/api/users/me", None).await;
    assert_eq!(
        (status, body),
        (401, json!({"message": "Authentication failed"}))
    );
    let (status, _) = t.send_as(Some("nope"), "GET", "/api/users/me", None).await;
    assert_eq!(status, 401);
    let (status, me) = t.send_as(Some("ro"), "GET", "/api/users/me", None).await;
    assert_eq!(status, 200);
    assert!(me["root_folder_id"].as_u64().is_some());

    let (status, body) = t
        .send_as(
            Some("ro"),
            "POST",
            "/api/folders",
            Some(json!({"name": "P"})),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["message"],
        "Access forbidden: this API client lacks \"Projects & Folders → Create project or folder\" (POST /api/folders)"
    );
    // The alias row: GET /api/folders/:id is covered by "List folders".
    let (status, _) = t.send_as(Some("ro"), "GET", "/api/folders/999", None).await;
    assert_eq!(status, 404);
    let (status, body) = t
        .send_as(Some("one"), "GET", "/api/connections", None)
        .await;
    assert_eq!(status, 403);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Connections → List")
    );
    let (status, _) = t
        .send_as(
            Some("one"),
            "POST",
            "/api/connections",
            Some(json!({"name": "c", "provider": "jira"})),
        )
        .await;
    assert_eq!(status, 200);

    let (status, body) = t
        .send_as(Some("rw"), "GET", "/api/nothing/here", None)
        .await;
    assert_eq!((status, body), (404, json!({"message": "Not found"})));
    // A served path with an unserved method is 404 too.
    let (status, _) = t.send_as(Some("rw"), "PATCH", "/api/folders", None).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}

#[test]
fn token_grant_parse() {
    let g = TokenGrant::parse("s3cret=standard").unwrap();
    assert_eq!(g.secret, "s3cret");
    assert!(!g.permissions.is_empty());
    assert!(TokenGrant::parse("novalue").is_err());
    assert!(TokenGrant::parse("=all").is_err());
    let err = TokenGrant::parse("x=Create").unwrap_err();
    assert!(err.contains("ambiguous"), "{err}");
    assert!(!format!("{g:?}").contains("s3cret"));
}

#[tokio::test]
async fn workspace_shape() {
    let t = T::new().await;
    let me = t.ok("/api/users/me").await;
    for key in [
        "id",
        "name",
        "email",
        "root_folder_id",
        "plan_id",
        "created_at",
    ] {
        assert!(!me[key].is_null(), "missing {key}: {me}");
    }
    let created = me["created_at"].as_str().unwrap();
    assert_eq!(created.len(), "2020-07-31T03:08:29.486+00:00".len());
    assert!(created.ends_with("+00:00"));
    // Home is not listed as a child.
    assert_eq!(t.ok("/api/folders").await, json!([]));
    t.emu.shutdown().await;
}

#[tokio::test]
async fn stats_and_reset() {
    let t = T::new().await;
    t.ok("/api/folders").await;
    t.ok("/api/folders").await;
    let (fid, _) = t.project("P").await;
    t.put(&format!("/api/folders/{fid}"), json!({"name": "Q"}))
        .await;
    t.send_as(None, "GET", "/api/folders", None).await; // 401 still counted
    let stats = t.stats().await;
    assert_eq!(stats["total"], 5, "{stats}");
    assert_eq!(stats["by_route"]["GET /api/folders"], 3);
    assert_eq!(stats["by_route"]["POST /api/folders"], 1);
    assert_eq!(stats["by_route"]["PUT /api/folders/{id}"], 1);
    assert!(stats["by_route"].get("GET /__emulator/stats").is_none());

    let ws = t.ok("/api/users/me").await;
    let (status, _) = t.send_as(None, "POST", "/__emulator/reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(t.stats().await, json!({"total": 0, "by_route": {}}));
    assert_eq!(t.ok("/api/projects").await.as_array().unwrap().len(), 1);

    let (status, _) = t
        .send_as(None, "POST", "/__emulator/reset?data=true", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(t.ok("/api/projects").await, json!([]));
    let ws2 = t.ok("/api/users/me").await;
    assert_eq!(ws["id"], ws2["id"]);
    assert_eq!(ws["root_folder_id"], ws2["root_folder_id"]);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn every_route_is_served_under_its_template() {
    let t = T::new().await;
    for (method, template) in API_ROUTES {
        let path = template
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        t.send(method, &path, Some(json!({}))).await;
    }
    let stats = t.stats().await;
    for (method, template) in API_ROUTES {
        let key = format!("{method} {template}");
        assert_eq!(stats["by_route"][&key], 1, "{key} not served: {stats}");
    }
    assert_eq!(stats["total"], API_ROUTES.len());
    t.emu.shutdown().await;
}

#[tokio::test]
async fn persistence_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("ws.json");
    let opts = EmulatorOptions {
        data_file: Some(path.clone()),
        ..EmulatorOptions::default()
    };
    let t = T::with(opts.clone()).await;
    let (fid, pid) = t.project("Persisted").await;
    let sub = t.folder("Sub", fid).await;
    t.created(
        &format!("/api/properties?project_id={pid}"),
        json!({"properties": {"a.b": "c"}}),
    )
    .await;
    let ws = t.ok("/api/users/me").await;
    t.emu.shutdown().await;

    assert!(path.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");

    let t = T::with(opts).await;
    assert_eq!(t.ok("/api/users/me").await["id"], ws["id"]);
    let tree = t.ok("/api/folders?with_nested_folders=true").await;
    assert_eq!(super::ids(&tree), vec![fid, sub]);
    assert_eq!(
        t.ok(&format!("/api/properties?prefix=&project_id={pid}"))
            .await,
        json!({"a.b": "c"})
    );
    // New ids continue after the loaded ones.
    let next = t.folder("Next", fid).await;
    assert!(next > sub);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn corrupt_data_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{not json").unwrap();
    let err = crate::emulator::start(EmulatorOptions {
        data_file: Some(path.clone()),
        ..EmulatorOptions::default()
    })
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains("bad.json"), "{err}");
}

#[tokio::test]
async fn bind_failure_names_the_address() {
    let t = T::new().await;
    let err = crate::emulator::start(EmulatorOptions {
        listen: t.emu.addr(),
        ..EmulatorOptions::default()
    })
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains(&t.emu.addr().to_string()), "{err}");
    assert!(t.emu.base_url().starts_with("http://127.0.0.1:"));
    t.emu.shutdown().await;
}
