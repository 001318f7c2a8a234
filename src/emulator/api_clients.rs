//! API clients (v2): `/api/v2/api_clients[/:id]`.
//!
//! Lists answer `{"data":[...],"count","page","per_page"}`, single objects `{"data":{...}}`.
//! Clients read back `api_collections:[{id,name}]` and `api_policies:[{id,name}]`;
//! `jwt_secret` is never returned. Keys are in [`super::api_keys`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::App;
use super::http::{
    ApiError, ApiResult, Errors, Query, body_object, invalid, not_found, ok, opt_bool_field,
    opt_id_field, opt_id_list, opt_string_field, opt_string_list, paged, path_id, ref_not_found,
    required_string, success,
};
use super::ids::now;
use super::store::{ApiClient, ApiKey, Store, base};

const AUTH_TYPES: &[&str] = &["token", "jwt", "oauth2", "oidc"];

fn client_json(s: &Store, c: &ApiClient) -> Value {
    let keys: Vec<&ApiKey> = s
        .api_keys
        .values()
        .filter(|k| k.api_client_id == c.id)
        .collect();
    let collections: Vec<Value> = c
        .api_collection_ids
        .iter()
        .filter_map(|id| s.api_collections.get(id))
        .map(|col| json!({"id": col.id, "name": col.name}))
        .collect();
    let policies: Vec<Value> = c
        .api_policy_id
        .map(|id| json!({"id": id, "name": format!("Policy {id}")}))
        .into_iter()
        .collect();
    json!({
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "active_api_keys_count": keys.iter().filter(|k| k.active).count(),
        "total_api_keys_count": keys.len(),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "logo": null,
        "logo_2x": null,
        "is_legacy": false,
        "email": c.email,
        "auth_type": c.auth_type,
        "api_token": null,
        "mtls_enabled": c.mtls_enabled,
        "validation_formula": c.validation_formula,
        "cert_bundle_ids": c.cert_bundle_ids,
        "project_id": c.project_id,
        "api_portal_id": c.api_portal_id,
        "jwt_method": c.jwt_method,
        "oidc_issuer": c.oidc_issuer,
        "oidc_jwks_uri": c.oidc_jwks_uri,
        "access_profile_claim": c.access_profile_claim,
        "required_claims": c.required_claims,
        "allowed_issuers": c.allowed_issuers,
        "api_policies": policies,
        "api_collections": collections,
    })
}

/// Apply the optional fields of a create/update body to `c`.
fn apply_fields(s: &Store, body: &Map<String, Value>, c: &mut ApiClient) -> Result<(), ApiError> {
    if let Some(d) = opt_string_field(body, "description")? {
        c.description = d;
    }
    if body.contains_key("project_id") {
        c.project_id = opt_id_field(body, "project_id")?;
        if let Some(pid) = c.project_id.filter(|p| !s.projects.contains_key(p)) {
            return Err(ref_not_found("project_id", "Project", pid));
        }
    }
    if let Some(ids) = opt_id_list(body, "api_collection_ids")? {
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !s.api_collections.contains_key(id))
            .map(u64::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(invalid(
                "api_collection_ids",
                format!("API collections not found: {}", missing.join(", ")),
            ));
        }
        c.api_collection_ids = ids;
    }
    if body.contains_key("api_portal_id") {
        c.api_portal_id = opt_id_field(body, "api_portal_id")?;
    }
    if body.contains_key("api_policy_id") {
        c.api_policy_id = opt_id_field(body, "api_policy_id")?;
    }
    for (field, slot) in [
        ("email", &mut c.email),
        ("jwt_method", &mut c.jwt_method),
        ("jwt_secret", &mut c.jwt_secret),
        ("oidc_issuer", &mut c.oidc_issuer),
        ("oidc_jwks_uri", &mut c.oidc_jwks_uri),
        ("access_profile_claim", &mut c.access_profile_claim),
        ("validation_formula", &mut c.validation_formula),
    ] {
        if let Some(v) = opt_string_field(body, field)? {
            *slot = v.filter(|v| !v.is_empty());
        }
    }
    if let Some(v) = opt_string_list(body, "required_claims")? {
        c.required_claims = v;
    }
    if let Some(v) = opt_string_list(body, "allowed_issuers")? {
        c.allowed_issuers = v;
    }
    if let Some(v) = opt_bool_field(body, "mtls_enabled")? {
        c.mtls_enabled = v;
    }
    if let Some(v) = opt_id_list(body, "cert_bundle_ids")? {
        c.cert_bundle_ids = v;
    }
    Ok(())
}

/// The conditional rules of the auth type and the portal.
fn check_rules(c: &ApiClient, errors: &mut Errors) {
    if !AUTH_TYPES.contains(&c.auth_type.as_str()) {
        errors.add(
            "auth_type",
            "is not included in the list (token, jwt, oauth2, oidc)",
        );
    }
    match (c.api_portal_id.is_some(), c.email.is_some()) {
        (true, false) => errors.add("email", "is required when api_portal_id is set"),
        (false, true) => errors.add("api_portal_id", "is required when email is set"),
        _ => {}
    }
    if c.email.as_deref().is_some_and(|e| !e.contains('@')) {
        errors.add("email", "is invalid");
    }
    if c.auth_type == "jwt" {
        match c.jwt_method.as_deref() {
            Some("hmac" | "rsa") => {}
            Some(_) => errors.add("jwt_method", "is not included in the list (hmac, rsa)"),
            None => errors.add("jwt_method", "is required when auth_type is jwt"),
        }
        if c.jwt_secret.is_none() {
            errors.add("jwt_secret", "is required when auth_type is jwt");
        }
    }
    if c.auth_type == "oidc" && c.oidc_issuer.is_none() && c.oidc_jwks_uri.is_none() {
        errors.add(
            "oidc_issuer",
            "oidc_issuer or oidc_jwks_uri is required when auth_type is oidc",
        );
    }
}

/// `GET /api/v2/api_clients?project_id=&page=&per_page=`.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let project = q
        .get("project_id")
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let s = app.store();
    let items: Vec<Value> = s
        .api_clients
        .values()
        .filter(|c| {
            project
                .as_deref()
                .is_none_or(|p| c.project_id.is_some_and(|id| p == id.to_string()))
        })
        .map(|c| client_json(&s, c))
        .collect();
    ok(paged(items, &q))
}

/// `GET /api/v2/api_clients/:id`.
pub(crate) async fn show(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let s = app.store();
    let c = s.api_clients.get(&id).ok_or_else(not_found)?;
    ok(json!({"data": client_json(&s, c)}))
}

/// `POST /api/v2/api_clients` (name, api_collection_ids, auth_type required).
pub(crate) async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let auth_type = required_string(&body, "auth_type", &mut errors);
    if body.get("api_collection_ids").is_none_or(Value::is_null) {
        errors.add("api_collection_ids", "can't be blank");
    }
    errors.check()?;
    let mut s = app.store();
    let mut client = ApiClient {
        name: name.unwrap_or_default(),
        auth_type: auth_type.unwrap_or_default(),
        ..ApiClient::default()
    };
    apply_fields(&s, &body, &mut client)?;
    let mut errors = Errors::new();
    check_rules(&client, &mut errors);
    errors.check()?;
    client.id = s.alloc("api_client", base::CLIENT);
    client.created_at = now();
    client.updated_at = client.created_at.clone();
    let out = client_json(&s, &client);
    s.api_clients.insert(client.id, client);
    ok(json!({"data": out}))
}

/// `PUT /api/v2/api_clients/:id` (name and api_collection_ids required; auth_type cannot
/// change and is ignored).
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let body = body_object(&body)?;
    let mut s = app.store();
    let Some(mut client) = s.api_clients.get(&id).cloned() else {
        return Err(not_found());
    };
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    if body.get("api_collection_ids").is_none_or(Value::is_null) {
        errors.add("api_collection_ids", "can't be blank");
    }
    errors.check()?;
    client.name = name.unwrap_or_default();
    apply_fields(&s, &body, &mut client)?;
    let mut errors = Errors::new();
    check_rules(&client, &mut errors);
    errors.check()?;
    client.updated_at = now();
    let out = client_json(&s, &client);
    s.api_clients.insert(id, client);
    ok(json!({"data": out}))
}

/// `DELETE /api/v2/api_clients/:id`: also deletes its keys.
pub(crate) async fn destroy(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    if !s.api_clients.contains_key(&id) {
        return Err(not_found());
    }
    s.delete_client(id);
    success()
}
