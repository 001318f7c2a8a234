//! On-prem groups (`/api/on_prem_groups`) and agents (`/api/on_prem_agents`).
//!
//! Bare objects and bare arrays. Groups take `settings_attributes.whitelisted_ips` and read
//! back `whitelisted_ips`; a group with agents cannot be deleted. Agents get a computed `cn`
//! and `state`; the activation code is only served by its own endpoint. The status
//! endpoints' shapes are not documented; the emulator answers a small object.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::App;
use super::http::{
    ApiError, ApiResult, Errors, Query, body_object, invalid, message, not_found, ok,
    opt_bool_field, opt_id_field, opt_string_list, optional_name, path_id, ref_not_found,
    required_string, success,
};
use super::ids::now;
use super::store::{OnPremAgent, OnPremGroup, Store, base};

const OS: &[&str] = &["mac", "windows", "linux"];

fn agents_of(s: &Store, group: u64) -> Vec<&OnPremAgent> {
    s.on_prem_agents
        .values()
        .filter(|a| a.on_prem_group_id == group)
        .collect()
}

fn group_json(s: &Store, g: &OnPremGroup) -> Value {
    json!({
        "id": g.id,
        "name": g.name,
        "created_at": g.created_at,
        "updated_at": g.updated_at,
        "in_use": !agents_of(s, g.id).is_empty(),
        "use_managed_connection": g.use_managed_connection,
        "config_version": g.config_version,
        "logs_enabled": false,
        "whitelisted_ips": g.whitelisted_ips,
    })
}

fn agent_state(a: &OnPremAgent) -> &'static str {
    if !a.enabled {
        "disabled"
    } else if a.awaiting_setup {
        "awaiting_setup"
    } else {
        "offline"
    }
}

fn agent_json(a: &OnPremAgent) -> Value {
    json!({
        "id": a.id,
        "name": a.name,
        "os": a.os,
        "installation_method": null,
        "awaiting_setup": a.awaiting_setup,
        "enabled": a.enabled,
        "last_seen_version": null,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "state": agent_state(a),
        "activated": !a.awaiting_setup,
        "cn": a.cn,
        "on_prem_group_id": a.on_prem_group_id,
    })
}

/// `settings_attributes.whitelisted_ips` (also accepted at the top level).
fn whitelisted_ips(body: &Map<String, Value>) -> Result<Option<Vec<String>>, ApiError> {
    match body.get("settings_attributes") {
        Some(Value::Object(settings)) => {
            opt_string_list(settings, "whitelisted_ips").map_err(|_| {
                invalid(
                    "settings_attributes.whitelisted_ips",
                    "must be a list of strings",
                )
            })
        }
        Some(Value::Null) | None => opt_string_list(body, "whitelisted_ips"),
        Some(_) => Err(invalid("settings_attributes", "must be an object")),
    }
}

fn group_id(s: &Store, id: &str) -> Result<u64, ApiError> {
    let id = path_id(id)?;
    if s.on_prem_groups.contains_key(&id) {
        Ok(id)
    } else {
        Err(not_found())
    }
}

fn agent_id(s: &Store, id: &str) -> Result<u64, ApiError> {
    let id = path_id(id)?;
    if s.on_prem_agents.contains_key(&id) {
        Ok(id)
    } else {
        Err(not_found())
    }
}

/// `GET /api/on_prem_groups`.
pub(crate) async fn list_groups(State(app): State<Arc<App>>) -> ApiResult {
    let s = app.store();
    ok(Value::Array(
        s.on_prem_groups
            .values()
            .map(|g| group_json(&s, g))
            .collect(),
    ))
}

/// `POST /api/on_prem_groups {"name","use_managed_connection"?,"settings_attributes"?}`.
pub(crate) async fn create_group(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let managed = opt_bool_field(&body, "use_managed_connection")?;
    let ips = whitelisted_ips(&body)?;
    errors.check()?;
    let mut s = app.store();
    let id = s.alloc("on_prem_group", base::ON_PREM_GROUP);
    let ts = now();
    let group = OnPremGroup {
        id,
        name: name.unwrap_or_default(),
        use_managed_connection: managed.unwrap_or(false),
        whitelisted_ips: ips.unwrap_or_default(),
        config_version: 1,
        created_at: ts.clone(),
        updated_at: ts,
    };
    let out = group_json(&s, &group);
    s.on_prem_groups.insert(id, group);
    ok(out)
}

/// `GET /api/on_prem_groups/:id`.
pub(crate) async fn show_group(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let s = app.store();
    let id = group_id(&s, &id)?;
    ok(group_json(&s, &s.on_prem_groups[&id]))
}

/// `PUT /api/on_prem_groups/:id` with the create fields; bumps `config_version`.
pub(crate) async fn update_group(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let managed = opt_bool_field(&body, "use_managed_connection")?;
    let ips = whitelisted_ips(&body)?;
    let mut s = app.store();
    let id = group_id(&s, &id)?;
    errors.check()?;
    let g = s.on_prem_groups.get_mut(&id).ok_or_else(not_found)?;
    if let Some(name) = name {
        g.name = name;
    }
    if let Some(managed) = managed {
        g.use_managed_connection = managed;
    }
    if let Some(ips) = ips {
        g.whitelisted_ips = ips;
    }
    g.config_version += 1;
    g.updated_at = now();
    ok(group_json(&s, &s.on_prem_groups[&id]))
}

/// `DELETE /api/on_prem_groups/:id`: refused while the group has agents.
pub(crate) async fn destroy_group(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult {
    let mut s = app.store();
    let id = group_id(&s, &id)?;
    let agents = agents_of(&s, id).len();
    if agents > 0 {
        return Err(message(
            StatusCode::BAD_REQUEST,
            format!("On-prem group {id} has {agents} agents; delete them first"),
        ));
    }
    s.on_prem_groups.remove(&id);
    success()
}

/// `GET /api/on_prem_groups/:id/status` (shape not documented).
pub(crate) async fn group_status(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let s = app.store();
    let id = group_id(&s, &id)?;
    let agents = agents_of(&s, id);
    ok(json!({
        "id": id,
        "status": if agents.is_empty() { "no_agents" } else { "offline" },
        "agents": agents.iter().map(|a| json!({"id": a.id, "name": a.name, "state": agent_state(a)})).collect::<Vec<_>>(),
    }))
}

/// `GET /api/on_prem_groups/:id/agents` → bare array of agents.
pub(crate) async fn group_agents(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let s = app.store();
    let id = group_id(&s, &id)?;
    ok(Value::Array(
        agents_of(&s, id).into_iter().map(agent_json).collect(),
    ))
}

/// `GET /api/on_prem_agents`.
pub(crate) async fn list_agents(State(app): State<Arc<App>>) -> ApiResult {
    let s = app.store();
    ok(Value::Array(
        s.on_prem_agents.values().map(agent_json).collect(),
    ))
}

/// `GET /api/on_prem_agents/search?cn=` (also `name=`) → bare array.
pub(crate) async fn search_agents(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let cn = q.get("cn").filter(|v| !v.is_empty());
    let name = q.get("name").filter(|v| !v.is_empty());
    let s = app.store();
    let items: Vec<Value> = s
        .on_prem_agents
        .values()
        .filter(|a| cn.is_none_or(|cn| a.cn == cn))
        .filter(|a| name.is_none_or(|n| a.name == n))
        .map(agent_json)
        .collect();
    ok(Value::Array(items))
}

fn os_field(body: &Map<String, Value>, errors: &mut Errors) -> Option<String> {
    let os = required_string(body, "os", errors)?;
    if OS.contains(&os.as_str()) {
        Some(os)
    } else {
        errors.add(
            "os",
            format!("is not included in the list ({})", OS.join(", ")),
        );
        None
    }
}

/// `POST /api/on_prem_agents {"name","os","on_prem_group_id","awaiting_setup"?}`.
pub(crate) async fn create_agent(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let os = os_field(&body, &mut errors);
    let group = opt_id_field(&body, "on_prem_group_id")?;
    if group.is_none() {
        errors.add("on_prem_group_id", "can't be blank");
    }
    let awaiting = opt_bool_field(&body, "awaiting_setup")?.unwrap_or(true);
    errors.check()?;
    let group = group.unwrap_or_default();
    let mut s = app.store();
    if !s.on_prem_groups.contains_key(&group) {
        return Err(ref_not_found("on_prem_group_id", "On-prem group", group));
    }
    let id = s.alloc("on_prem_agent", base::ON_PREM_AGENT);
    let (cn, code) = s.rng(|r| (r.hex(40), r.hex(24)));
    let ts = now();
    let agent = OnPremAgent {
        id,
        name: name.unwrap_or_default(),
        os: os.unwrap_or_default(),
        on_prem_group_id: group,
        awaiting_setup: awaiting,
        enabled: true,
        cn,
        activation_code: code,
        created_at: ts.clone(),
        updated_at: ts,
    };
    let out = agent_json(&agent);
    s.on_prem_agents.insert(id, agent);
    ok(out)
}

/// `GET /api/on_prem_agents/:id`.
pub(crate) async fn show_agent(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let s = app.store();
    let id = agent_id(&s, &id)?;
    ok(agent_json(&s.on_prem_agents[&id]))
}

/// `PUT /api/on_prem_agents/:id` with any of name, enabled, on_prem_group_id, awaiting_setup
/// (`os` cannot change and is ignored).
pub(crate) async fn update_agent(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let enabled = opt_bool_field(&body, "enabled")?;
    let awaiting = opt_bool_field(&body, "awaiting_setup")?;
    let group = opt_id_field(&body, "on_prem_group_id")?;
    let mut s = app.store();
    let id = agent_id(&s, &id)?;
    errors.check()?;
    if let Some(group) = group.filter(|g| !s.on_prem_groups.contains_key(g)) {
        return Err(ref_not_found("on_prem_group_id", "On-prem group", group));
    }
    let a = s.on_prem_agents.get_mut(&id).ok_or_else(not_found)?;
    if let Some(name) = name {
        a.name = name;
    }
    if let Some(enabled) = enabled {
        a.enabled = enabled;
    }
    if let Some(awaiting) = awaiting {
        a.awaiting_setup = awaiting;
    }
    if let Some(group) = group {
        a.on_prem_group_id = group;
    }
    a.updated_at = now();
    ok(agent_json(a))
}

/// `DELETE /api/on_prem_agents/:id`.
pub(crate) async fn destroy_agent(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult {
    let mut s = app.store();
    let id = agent_id(&s, &id)?;
    s.on_prem_agents.remove(&id);
    success()
}

/// `GET /api/on_prem_agents/:id/status` (shape not documented).
pub(crate) async fn agent_status(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let s = app.store();
    let id = agent_id(&s, &id)?;
    let a = &s.on_prem_agents[&id];
    ok(json!({"id": a.id, "state": agent_state(a), "connected": false, "last_seen_version": null}))
}

/// `GET /api/on_prem_agents/:id/activation_code` → `{"activation_code": "..."}`.
pub(crate) async fn activation_code(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult {
    let s = app.store();
    let id = agent_id(&s, &id)?;
    ok(json!({"activation_code": s.on_prem_agents[&id].activation_code}))
}
