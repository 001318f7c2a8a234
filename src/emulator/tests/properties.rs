//! Environment and project properties.

use serde_json::{Map, Value, json};

use super::T;

#[tokio::test]
async fn prefix_and_scopes() {
    let t = T::new().await;
    let (status, body) = t.get("/api/properties").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(t.ok("/api/properties?prefix=").await, json!({}));
    let ok = t
        .created(
            "/api/properties",
            json!({"properties": {"sf.object": "Account", "sf.field": "Id", "other": "x"}}),
        )
        .await;
    assert_eq!(ok, json!({"success": true}));
    assert_eq!(
        t.ok("/api/properties?prefix=sf.").await,
        json!({"sf.field": "Id", "sf.object": "Account"})
    );
    // Upsert merges.
    t.created(
        "/api/properties",
        json!({"properties": {"sf.object": "Lead"}}),
    )
    .await;
    assert_eq!(
        t.ok("/api/properties?prefix=sf.object").await,
        json!({"sf.object": "Lead"})
    );

    let (_, pid) = t.project("P").await;
    t.created(
        &format!("/api/properties?project_id={pid}"),
        json!({"properties": {"api_host": "https://x"}}),
    )
    .await;
    assert_eq!(
        t.ok(&format!("/api/properties?prefix=api_host&project_id={pid}"))
            .await,
        json!({"api_host": "https://x"})
    );
    assert_eq!(t.ok("/api/properties?prefix=api_host").await, json!({}));
    let (status, _) = t.get("/api/properties?prefix=&project_id=12345").await;
    assert_eq!(status, 404);
    let (status, _) = t
        .post(
            "/api/properties?project_id=12345",
            json!({"properties": {"a": "b"}}),
        )
        .await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn limits() {
    let t = T::new().await;
    let long_name = "n".repeat(101);
    let (status, body) = t
        .post(
            "/api/properties",
            json!({"properties": {long_name.clone(): "v"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Validation failed");
    assert!(body["errors"][&long_name].is_array(), "{body}");
    let (status, _) = t
        .post(
            "/api/properties",
            json!({"properties": {"v": "x".repeat(1025)}}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = t
        .post("/api/properties", json!({"properties": {"n": 5}}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["n"][0], "value must be a string");
    let (status, _) = t.post("/api/properties", json!({})).await;
    assert_eq!(status, 400);
    // Exact limits pass.
    t.created(
        "/api/properties",
        json!({"properties": {"n".repeat(100): "x".repeat(1024)}}),
    )
    .await;
    // At most 1000 per scope (one already exists).
    let many: Map<String, Value> = (0..999)
        .map(|i| (format!("p{i:04}"), Value::String(i.to_string())))
        .collect();
    t.created("/api/properties", json!({"properties": many}))
        .await;
    let (status, body) = t
        .post("/api/properties", json!({"properties": {"one_more": "x"}}))
        .await;
    assert_eq!(status, 400, "{body}");
    // Updating an existing name is still allowed at the limit.
    t.created("/api/properties", json!({"properties": {"p0001": "y"}}))
        .await;
    // A failed upsert applies nothing.
    let (status, _) = t
        .post(
            "/api/properties",
            json!({"properties": {"p0002": "z", "bad": 1}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        t.ok("/api/properties?prefix=p0002").await,
        json!({"p0002": "2"})
    );
    t.emu.shutdown().await;
}
