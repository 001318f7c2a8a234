//! API keys (v2): `/api/v2/api_clients/:id/api_keys[/:key_id[/enable|disable|refresh_secret]]`.
//!
//! At most 20 keys per client. `auth_token` appears only in the create and refresh_secret
//! responses; `active` changes only through enable/disable.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::App;
use super::http::{
    ApiError, ApiResult, Errors, Query, body_object, invalid, not_found, ok, opt_bool_field,
    opt_string_list, optional_name, paged, path_id, required_string, success,
};
use super::ids::now;
use super::store::{ApiKey, Store, base};

const MAX_KEYS: usize = 20;

fn key_json(s: &Store, k: &ApiKey, with_token: bool) -> Value {
    let auth_type = s
        .api_clients
        .get(&k.api_client_id)
        .map(|c| c.auth_type.clone())
        .unwrap_or_default();
    let mut v = json!({
        "id": k.id,
        "name": k.name,
        "auth_type": auth_type,
        "ip_allow_list": k.ip_allow_list,
        "ip_deny_list": k.ip_deny_list,
        "active": k.active,
        "active_since": k.active_since,
    });
    if with_token {
        v["auth_token"] = json!(k.auth_token);
    }
    v
}

fn client_id(s: &Store, id: &str) -> Result<u64, ApiError> {
    let id = path_id(id)?;
    if s.api_clients.contains_key(&id) {
        Ok(id)
    } else {
        Err(not_found())
    }
}

/// The key `key_id` of client `id` (404 when either is unknown or they do not match).
fn key_id(s: &Store, id: &str, key: &str) -> Result<u64, ApiError> {
    let cid = client_id(s, id)?;
    let kid = path_id(key)?;
    match s.api_keys.get(&kid) {
        Some(k) if k.api_client_id == cid => Ok(kid),
        _ => Err(not_found()),
    }
}

/// IP lists: strings that parse as an address or a CIDR block.
fn ip_list(body: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(list) = opt_string_list(body, field)? else {
        return Ok(None);
    };
    for entry in &list {
        let (ip, bits) = entry.split_once('/').unwrap_or((entry, ""));
        let ip_ok = ip.trim().parse::<IpAddr>().ok();
        let bits_ok = bits.is_empty()
            || bits.parse::<u8>().is_ok_and(|b| match ip_ok {
                Some(IpAddr::V4(_)) => b <= 32,
                Some(IpAddr::V6(_)) => b <= 128,
                None => false,
            });
        if ip_ok.is_none() || !bits_ok {
            return Err(invalid(
                field,
                format!("{entry:?} is not an IP address or CIDR range"),
            ));
        }
    }
    Ok(Some(list))
}

/// `GET /api/v2/api_clients/:id/api_keys?page=&per_page=`.
pub(crate) async fn list_keys(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let s = app.store();
    let cid = client_id(&s, &id)?;
    let items: Vec<Value> = s
        .api_keys
        .values()
        .filter(|k| k.api_client_id == cid)
        .map(|k| key_json(&s, k, false))
        .collect();
    ok(paged(items, &q))
}

/// `POST /api/v2/api_clients/:id/api_keys {"name","active","ip_allow_list"?,"ip_deny_list"?}`.
pub(crate) async fn create_key(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let active = opt_bool_field(&body, "active")?;
    if active.is_none() {
        errors.add("active", "can't be blank");
    }
    let allow = ip_list(&body, "ip_allow_list")?;
    let deny = ip_list(&body, "ip_deny_list")?;
    let mut s = app.store();
    let cid = client_id(&s, &id)?;
    errors.check()?;
    let count = s
        .api_keys
        .values()
        .filter(|k| k.api_client_id == cid)
        .count();
    if count >= MAX_KEYS {
        return Err(invalid(
            "base",
            format!("an API client can have at most {MAX_KEYS} API keys"),
        ));
    }
    let kid = s.alloc("api_key", base::KEY);
    let token = s.rng(|r| r.hex(64));
    let ts = now();
    let active = active.unwrap_or(true);
    let key = ApiKey {
        id: kid,
        api_client_id: cid,
        name: name.unwrap_or_default(),
        ip_allow_list: allow.unwrap_or_default(),
        ip_deny_list: deny.unwrap_or_default(),
        active,
        active_since: active.then(|| ts.clone()),
        auth_token: token,
        created_at: ts,
    };
    let out = key_json(&s, &key, true);
    s.api_keys.insert(kid, key);
    ok(json!({"data": out}))
}

/// `PUT /api/v2/api_clients/:id/api_keys/:key_id` with any of name, ip_allow_list,
/// ip_deny_list.
pub(crate) async fn update_key(
    State(app): State<Arc<App>>,
    Path((id, key)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let allow = ip_list(&body, "ip_allow_list")?;
    let deny = ip_list(&body, "ip_deny_list")?;
    let mut s = app.store();
    let kid = key_id(&s, &id, &key)?;
    errors.check()?;
    let k = s.api_keys.get_mut(&kid).ok_or_else(not_found)?;
    if let Some(name) = name {
        k.name = name;
    }
    if let Some(allow) = allow {
        k.ip_allow_list = allow;
    }
    if let Some(deny) = deny {
        k.ip_deny_list = deny;
    }
    let k = k.clone();
    ok(json!({"data": key_json(&s, &k, false)}))
}

/// `DELETE /api/v2/api_clients/:id/api_keys/:key_id`.
pub(crate) async fn destroy_key(
    State(app): State<Arc<App>>,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult {
    let mut s = app.store();
    let kid = key_id(&s, &id, &key)?;
    s.api_keys.remove(&kid);
    success()
}

fn set_key_active(app: &App, id: &str, key: &str, active: bool) -> ApiResult {
    let mut s = app.store();
    let kid = key_id(&s, id, key)?;
    let k = s.api_keys.get_mut(&kid).ok_or_else(not_found)?;
    if k.active != active {
        k.active = active;
        k.active_since = active.then(now);
    }
    success()
}

/// `PUT .../api_keys/:key_id/enable`.
pub(crate) async fn enable_key(
    State(app): State<Arc<App>>,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult {
    set_key_active(&app, &id, &key, true)
}

/// `PUT .../api_keys/:key_id/disable`.
pub(crate) async fn disable_key(
    State(app): State<Arc<App>>,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult {
    set_key_active(&app, &id, &key, false)
}

/// `PUT .../api_keys/:key_id/refresh_secret` → the key with a new `auth_token`.
pub(crate) async fn refresh_key(
    State(app): State<Arc<App>>,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult {
    let mut s = app.store();
    let kid = key_id(&s, &id, &key)?;
    let token = s.rng(|r| r.hex(64));
    let k = s.api_keys.get_mut(&kid).ok_or_else(not_found)?;
    k.auth_token = token;
    let k = k.clone();
    ok(json!({"data": key_json(&s, &k, true)}))
}
