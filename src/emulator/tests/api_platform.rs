//! API collections, endpoints, clients and keys.

use serde_json::{Value, json};

use super::{T, ids};

const SPEC: &str = r#"{"openapi":"3.0.0","info":{"title":"t","version":"1"},
  "paths":{"/users/{id}":{"get":{"operationId":"getUser"},"delete":{}},"/users":{"post":{"summary":"Create"}}}}"#;

#[tokio::test]
async fn collections_and_endpoints() {
    let t = T::new().await;
    let (_, pid) = t.project("P").await;
    let (status, body) = t
        .post(
            "/api/api_collections",
            json!({"name": "Quote to cash", "project_id": pid}),
        )
        .await;
    assert_eq!(status, 400);
    let msg = body["message"].as_str().unwrap();
    assert!(
        msg.contains("Invalid parameter 'project_id'") && msg.contains("Must be a String"),
        "{msg}"
    );
    let (status, _) = t
        .post(
            "/api/api_collections",
            json!({"name": "x", "project_id": "424242"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = t.post("/api/api_collections", json!({"name": ""})).await;
    assert_eq!(status, 400);
    let (status, _) = t
        .post(
            "/api/api_collections",
            json!({"name": "bad", "openapi_spec": {"content": "{nope", "format": "json"}}),
        )
        .await;
    assert_eq!(status, 400);

    let c = t
        .created(
            "/api/api_collections",
            json!({"name": "Quote to cash", "project_id": pid.to_string(),
                   "openapi_spec": {"content": SPEC, "format": "json"}}),
        )
        .await;
    assert_eq!(c["project_id"], pid.to_string());
    assert_eq!(c["version"], "1.0");
    assert!(
        c["url"].as_str().unwrap().ends_with("/quote-to-cash-v1"),
        "{c}"
    );
    assert!(c["api_spec_url"].as_str().unwrap().contains("?token="));
    assert_eq!(c["import_results"]["total_endpoints"], 3);
    let cid = c["id"].as_u64().unwrap();
    let (status, _) = t
        .post("/api/api_collections", json!({"name": "quote to cash"}))
        .await;
    assert_eq!(status, 400, "same name and version");

    let listed = t.ok("/api/api_collections").await;
    assert_eq!(ids(&listed), vec![cid]);
    assert!(listed[0].get("import_results").is_none());

    let eps = t
        .ok(&format!("/api/api_endpoints?api_collection_id={cid}"))
        .await;
    let eps = eps.as_array().unwrap();
    assert_eq!(eps.len(), 3);
    assert_eq!(eps[0]["name"], "getUser");
    assert_eq!(eps[0]["method"], "GET");
    assert_eq!(eps[0]["path"], "users/{id}");
    assert_eq!(eps[0]["active"], false);
    assert!(
        eps[0]["base_path"]
            .as_str()
            .unwrap()
            .ends_with("/quote-to-cash-v1/users/{id}")
    );
    let ep = eps[0]["id"].as_u64().unwrap();
    let flow = eps[0]["flow_id"].as_u64().unwrap();
    let recipe = t.ok(&format!("/api/recipes/{flow}")).await;
    assert_eq!(recipe["running"], true);

    let (status, body) = t
        .send("PUT", &format!("/api/api_endpoints/{ep}/enable"), None)
        .await;
    assert_eq!((status, body), (200, json!({"success": true})));
    assert_eq!(
        t.ok(&format!("/api/api_endpoints?api_collection_id={cid}"))
            .await[0]["active"],
        true
    );
    t.send("PUT", &format!("/api/api_endpoints/{ep}/disable"), None)
        .await;
    assert_eq!(t.ok("/api/api_endpoints").await[0]["active"], false);
    // A stopped recipe blocks enable.
    t.send("PUT", &format!("/api/recipes/{flow}/stop"), None)
        .await;
    let (status, body) = t
        .send("PUT", &format!("/api/api_endpoints/{ep}/enable"), None)
        .await;
    assert_eq!(status, 400, "{body}");

    // Endpoint created through the undocumented route, linked to a hook recipe.
    let (_, hook) = t
        .send_as(
            None,
            "POST",
            "/__emulator/recipes",
            Some(json!({"name": "r", "running": false})),
        )
        .await;
    let rid = hook["id"].as_u64().unwrap();
    let e = t
        .created(
            &format!("/api/api_collections/{cid}/api_endpoints"),
            json!({"name": "ping", "method": "get", "path": "/ping", "flow_id": rid}),
        )
        .await;
    let eid = e["id"].as_u64().unwrap();
    let (status, _) = t
        .send("PUT", &format!("/api/api_endpoints/{eid}/enable"), None)
        .await;
    assert_eq!(status, 400);
    t.send("PUT", &format!("/api/recipes/{rid}/start"), None)
        .await;
    let (status, _) = t
        .send("PUT", &format!("/api/api_endpoints/{eid}/enable"), None)
        .await;
    assert_eq!(status, 200);

    let (status, u) = t
        .put(
            &format!("/api/api_collections/{cid}"),
            json!({"name": "Q2C", "proxy_connection_id": 5}),
        )
        .await;
    assert_eq!(status, 404, "{u}");
    let (status, u) = t
        .put(
            &format!("/api/api_collections/{cid}"),
            json!({"name": "Q2C"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(u["name"], "Q2C");
    assert_eq!(u["url"], c["url"]);

    let (status, _) = t.delete(&format!("/api/api_collections/{cid}")).await;
    assert_eq!(status, 200);
    assert_eq!(t.ok("/api/api_endpoints").await, json!([]));
    let (status, _) = t
        .get(&format!("/api/api_endpoints?api_collection_id={cid}"))
        .await;
    assert_eq!(status, 404);

    // YAML specs are read with a simple scan.
    let yaml = "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      operationId: getA\n    post: {}\n";
    let y = t
        .created(
            "/api/api_collections",
            json!({"name": "Y", "openapi_spec": {"content": yaml, "format": "yaml"}}),
        )
        .await;
    assert_eq!(y["import_results"]["total_endpoints"], 2);
    assert!(y.get("project_id").is_none());
    t.emu.shutdown().await;
}

async fn collection(t: &T, name: &str) -> u64 {
    t.created("/api/api_collections", json!({"name": name}))
        .await["id"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn api_clients_v2() {
    let t = T::new().await;
    let (_, pid) = t.project("P").await;
    let c1 = collection(&t, "One").await;
    let c2 = collection(&t, "Two").await;

    let bad = |body: Value| async { t.post("/api/v2/api_clients", body).await };
    let (status, body) =
        bad(json!({"name": "x", "api_collection_ids": [c1], "auth_type": "basic"})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["auth_type"].is_array());
    let (status, body) =
        bad(json!({"name": "x", "api_collection_ids": [c1], "auth_type": "jwt"})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["jwt_method"].is_array() && body["errors"]["jwt_secret"].is_array());
    let (status, body) =
        bad(json!({"name": "x", "api_collection_ids": [c1], "auth_type": "oidc"})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = bad(
        json!({"name": "x", "api_collection_ids": [c1], "auth_type": "token", "api_portal_id": 3}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["email"].is_array());
    let (status, body) = bad(
        json!({"name": "x", "api_collection_ids": [c1], "auth_type": "token", "email": "a@b.c"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["api_portal_id"].is_array());
    let (status, _) =
        bad(json!({"name": "x", "api_collection_ids": [999], "auth_type": "token"})).await;
    assert_eq!(status, 400);
    let (status, body) = bad(json!({"auth_type": "token"})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["name"].is_array() && body["errors"]["api_collection_ids"].is_array());

    let created = t
        .created(
            "/api/v2/api_clients",
            json!({"name": "Automation", "project_id": pid, "api_collection_ids": [c1], "auth_type": "jwt",
                   "jwt_method": "hmac", "jwt_secret": "s3cr3t", "api_policy_id": 2,
                   "api_portal_id": 12, "email": "alex@example.com"}),
        )
        .await;
    let client = &created["data"];
    assert_eq!(
        client["api_collections"],
        json!([{"id": c1, "name": "One"}])
    );
    assert_eq!(client["api_policies"][0]["id"], 2);
    assert_eq!(client["project_id"], pid);
    assert!(!created.to_string().contains("s3cr3t"));
    let id = client["id"].as_u64().unwrap();
    t.created(
        "/api/v2/api_clients",
        json!({"name": "Other", "api_collection_ids": [c2], "auth_type": "oauth2"}),
    )
    .await;

    let list = t.ok("/api/v2/api_clients").await;
    assert_eq!(list["count"], 2);
    assert_eq!(list["page"], 1);
    assert_eq!(list["per_page"], 100);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let scoped = t.ok(&format!("/api/v2/api_clients?project_id={pid}")).await;
    assert_eq!(scoped["count"], 1);
    assert_eq!(
        t.ok(&format!("/api/v2/api_clients/{id}")).await["data"]["name"],
        "Automation"
    );

    let (status, _) = t
        .put(&format!("/api/v2/api_clients/{id}"), json!({"name": "N"}))
        .await;
    assert_eq!(status, 400, "api_collection_ids is required on update");
    let (status, u) = t
        .put(
            &format!("/api/v2/api_clients/{id}"),
            json!({"name": "N", "api_collection_ids": [c1, c2], "auth_type": "token"}),
        )
        .await;
    assert_eq!(status, 200, "{u}");
    assert_eq!(u["data"]["name"], "N");
    assert_eq!(u["data"]["auth_type"], "jwt");
    assert_eq!(u["data"]["api_collections"].as_array().unwrap().len(), 2);

    // Deleting a collection detaches it.
    t.delete(&format!("/api/api_collections/{c2}")).await;
    assert_eq!(
        t.ok(&format!("/api/v2/api_clients/{id}")).await["data"]["api_collections"],
        json!([{"id": c1, "name": "One"}])
    );
    let (status, body) = t.delete(&format!("/api/v2/api_clients/{id}")).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let (status, _) = t.get(&format!("/api/v2/api_clients/{id}")).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn api_keys() {
    let t = T::new().await;
    let c1 = collection(&t, "One").await;
    let client = t
        .created(
            "/api/v2/api_clients",
            json!({"name": "c", "api_collection_ids": [c1], "auth_type": "token"}),
        )
        .await["data"]["id"]
        .as_u64()
        .unwrap();
    let keys = format!("/api/v2/api_clients/{client}/api_keys");
    let (status, body) = t.post(&keys, json!({"name": "k"})).await;
    assert_eq!(status, 400, "active is required: {body}");
    let (status, _) = t
        .post(
            &keys,
            json!({"name": "k", "active": true, "ip_allow_list": ["not-an-ip"]}),
        )
        .await;
    assert_eq!(status, 400);
    let k = t
        .created(&keys, json!({"name": "k", "active": true, "ip_allow_list": ["8.8.8.8/24"], "ip_deny_list": ["::1"]}))
        .await["data"]
        .clone();
    let token = k["auth_token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    assert_eq!(k["auth_type"], "token");
    assert!(k["active_since"].is_string());
    let kid = k["id"].as_u64().unwrap();

    let list = t.ok(&keys).await;
    assert_eq!(list["count"], 1);
    assert!(list["data"][0].get("auth_token").is_none());
    assert!(!list.to_string().contains(&token));

    let (status, u) = t
        .put(
            &format!("{keys}/{kid}"),
            json!({"name": "k2", "active": false}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(u["data"]["name"], "k2");
    assert_eq!(
        u["data"]["active"], true,
        "active only changes through enable/disable"
    );
    assert!(u["data"].get("auth_token").is_none());

    let (status, body) = t.send("PUT", &format!("{keys}/{kid}/disable"), None).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let listed = t.ok(&keys).await;
    assert_eq!(listed["data"][0]["active"], false);
    assert_eq!(listed["data"][0]["active_since"], json!(null));
    let client_view = t.ok(&format!("/api/v2/api_clients/{client}")).await;
    assert_eq!(client_view["data"]["active_api_keys_count"], 0);
    assert_eq!(client_view["data"]["total_api_keys_count"], 1);
    t.send("PUT", &format!("{keys}/{kid}/enable"), None).await;
    assert_eq!(t.ok(&keys).await["data"][0]["active"], true);

    let (status, r) = t
        .send("PUT", &format!("{keys}/{kid}/refresh_secret"), None)
        .await;
    assert_eq!(status, 200);
    let new_token = r["data"]["auth_token"].as_str().unwrap();
    assert_ne!(new_token, token);

    for i in 1..20 {
        t.created(&keys, json!({"name": format!("k{i}"), "active": false}))
            .await;
    }
    let (status, body) = t.post(&keys, json!({"name": "k21", "active": true})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        t.ok(&format!("{keys}?per_page=5&page=4")).await["data"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let (status, _) = t
        .delete(&format!("/api/v2/api_clients/999/api_keys/{kid}"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = t.delete(&format!("{keys}/{kid}")).await;
    assert_eq!(status, 200);
    assert_eq!(t.ok(&keys).await["count"], 19);
    t.delete(&format!("/api/v2/api_clients/{client}")).await;
    let (status, _) = t.get(&keys).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}
