//! On-prem groups and agents.

use serde_json::json;

use super::{T, ids};

#[tokio::test]
async fn groups_and_agents() {
    let t = T::new().await;
    let g = t
        .created(
            "/api/on_prem_groups",
            json!({"name": "CRM server", "use_managed_connection": false,
                   "settings_attributes": {"whitelisted_ips": ["198.51.100.10", "192.0.2.0/24"]}}),
        )
        .await;
    assert_eq!(
        g["whitelisted_ips"],
        json!(["198.51.100.10", "192.0.2.0/24"])
    );
    assert!(g.get("settings_attributes").is_none());
    assert_eq!(g["in_use"], false);
    let gid = g["id"].as_u64().unwrap();
    let (status, _) = t.post("/api/on_prem_groups", json!({})).await;
    assert_eq!(status, 400);

    let (status, u) = t
        .put(
            &format!("/api/on_prem_groups/{gid}"),
            json!({"name": "CRM", "settings_attributes": {"whitelisted_ips": []}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(u["name"], "CRM");
    assert_eq!(u["whitelisted_ips"], json!([]));
    assert_eq!(u["config_version"], 2);
    assert_eq!(
        t.ok(&format!("/api/on_prem_groups/{gid}")).await["name"],
        "CRM"
    );
    assert_eq!(ids(&t.ok("/api/on_prem_groups").await), vec![gid]);

    let (status, body) = t
        .post(
            "/api/on_prem_agents",
            json!({"name": "a", "os": "beos", "on_prem_group_id": gid}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["os"].is_array());
    let (status, _) = t
        .post(
            "/api/on_prem_agents",
            json!({"name": "a", "os": "mac", "on_prem_group_id": 5}),
        )
        .await;
    assert_eq!(status, 404);
    let a = t
        .created(
            "/api/on_prem_agents",
            json!({"name": "Marketing", "os": "mac", "on_prem_group_id": gid, "awaiting_setup": true}),
        )
        .await;
    let aid = a["id"].as_u64().unwrap();
    assert_eq!(a["state"], "awaiting_setup");
    assert_eq!(a["cn"].as_str().unwrap().len(), 40);
    assert!(a.get("activation_code").is_none());
    let code = t
        .ok(&format!("/api/on_prem_agents/{aid}/activation_code"))
        .await;
    assert!(
        code["activation_code"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );
    assert_eq!(
        t.ok(&format!("/api/on_prem_groups/{gid}")).await["in_use"],
        true
    );
    assert_eq!(
        ids(&t.ok(&format!("/api/on_prem_groups/{gid}/agents")).await),
        vec![aid]
    );
    assert_eq!(
        ids(&t
            .ok(&format!(
                "/api/on_prem_agents/search?cn={}",
                a["cn"].as_str().unwrap()
            ))
            .await),
        vec![aid]
    );
    assert_eq!(
        t.ok(&format!("/api/on_prem_agents/{aid}/status")).await["state"],
        "awaiting_setup"
    );
    assert!(t.ok(&format!("/api/on_prem_groups/{gid}/status")).await["status"].is_string());

    let (status, u) = t
        .put(
            &format!("/api/on_prem_agents/{aid}"),
            json!({"name": "M2", "enabled": false}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (u["name"].as_str(), u["state"].as_str()),
        (Some("M2"), Some("disabled"))
    );

    let (status, body) = t.delete(&format!("/api/on_prem_groups/{gid}")).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = t.delete(&format!("/api/on_prem_agents/{aid}")).await;
    assert_eq!(status, 200);
    assert_eq!(t.ok("/api/on_prem_agents").await, json!([]));
    let (status, body) = t.delete(&format!("/api/on_prem_groups/{gid}")).await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let (status, _) = t.get(&format!("/api/on_prem_groups/{gid}")).await;
    assert_eq!(status, 404);
    t.emu.shutdown().await;
}
