//! Data tables.

use serde_json::{Value, json};

use super::T;

fn field_ids(table: &Value) -> Vec<(String, String)> {
    table["schema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["field_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn create_update_relations() {
    let t = T::new().await;
    let (root, _) = t.project("P").await;
    let a = t
        .created(
            "/api/data_tables",
            json!({"name": "Candidates", "folder_id": root, "schema": [
                {"type": "string", "name": "email", "optional": false, "multivalue": false},
                {"type": "integer", "name": "count", "optional": true, "hint": "n", "default_value": 0}
            ]}),
        )
        .await["data"]
        .clone();
    let uuid = a["id"].as_str().unwrap().to_string();
    assert_eq!(uuid.len(), 36);
    assert!(a["numeric_id"].as_u64().is_some());
    assert_eq!(a["folder_id"], root);
    let col = &a["schema"][1];
    assert_eq!(col["hint"], "n");
    assert_eq!(col["default_value"], 0);
    assert_eq!(col["relation"], json!(null));
    assert_eq!(col["metadata"], json!({}));
    let fields = field_ids(&a);

    // Relation to an existing table + field.
    let email_field = fields[0].1.clone();
    let b = t
        .created(
            "/api/data_tables",
            json!({"name": "Apps", "folder_id": root.to_string(), "schema": [
                {"type": "relation", "name": "cand", "optional": true, "multivalue": true,
                 "relation": {"table_id": uuid, "field_id": email_field}}
            ]}),
        )
        .await["data"]
        .clone();
    assert_eq!(b["schema"][0]["relation"]["table_id"], uuid.as_str());
    let (status, body) = t
        .post(
            "/api/data_tables",
            json!({"name": "Bad", "folder_id": root, "schema": [
                {"type": "relation", "name": "r", "optional": true,
                 "relation": {"table_id": uuid, "field_id": "00000000-0000-4000-8000-000000000000"}}]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = t
        .post(
            "/api/data_tables",
            json!({"name": "Bad", "folder_id": root, "schema": [{"type": "relation", "name": "r", "optional": true}]}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = t
        .post(
            "/api/data_tables",
            json!({"name": "Bad", "folder_id": root, "schema": [{"type": "text", "name": "r", "optional": true}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "Validation failed");
    let (status, _) = t
        .post(
            "/api/data_tables",
            json!({"name": "Bad", "folder_id": root, "schema": [{"type": "integer", "name": "r", "default_value": "x"}]}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = t
        .post(
            "/api/data_tables",
            json!({"name": "Bad", "folder_id": 7, "schema": []}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = t.post("/api/data_tables", json!({"schema": []})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["name"].is_array() && body["errors"]["folder_id"].is_array());

    // Full replace: rename via field_id, keep by name, drop the rest, add a new column.
    let (status, u) = t
        .put(
            &format!("/api/data_tables/{uuid}"),
            json!({"name": "Cands", "schema": [
                {"type": "string", "name": "mail", "optional": false, "field_id": fields[0].1},
                {"type": "boolean", "name": "flag", "optional": true},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    let u = &u["data"];
    assert_eq!(u["name"], "Cands");
    let new_fields = field_ids(u);
    assert_eq!(new_fields[0], ("mail".to_string(), fields[0].1.clone()));
    assert_eq!(new_fields.len(), 2);
    assert_ne!(new_fields[1].1, fields[1].1);
    // Matching by name keeps the field id.
    let (_, again) = t
        .put(
            &format!("/api/data_tables/{uuid}"),
            json!({"schema": [{"type": "string", "name": "mail", "optional": true}, {"type": "boolean", "name": "flag", "optional": true}]}),
        )
        .await;
    assert_eq!(field_ids(&again["data"]), new_fields);
    assert_eq!(again["data"]["name"], "Cands");

    let got = t.ok(&format!("/api/data_tables/{uuid}")).await;
    assert_eq!(got["data"]["schema"][0]["optional"], true);
    let numeric = got["data"]["numeric_id"].as_u64().unwrap();
    let (status, _) = t.get(&format!("/api/data_tables/{numeric}")).await;
    assert_eq!(status, 404, "numeric ids are rejected");
    let list = t.ok("/api/data_tables?page=1&per_page=100").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        t.ok("/api/data_tables?page=2&per_page=1").await["data"][0]["id"],
        b["id"]
    );

    let (status, body) = t
        .send("POST", &format!("/api/data_tables/{uuid}/truncate"), None)
        .await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let (status, body) = t.delete(&format!("/api/data_tables/{uuid}")).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let (status, _) = t.get(&format!("/api/data_tables/{uuid}")).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}
