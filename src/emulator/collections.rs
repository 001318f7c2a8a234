//! API collections (`/api/api_collections`) and API endpoints (`/api/api_endpoints`).
//!
//! `project_id` must be a JSON string on create (a number is a 400, as in the real API). An
//! `openapi_spec` creates one endpoint per path + method, each backed by an auto-created,
//! running recipe in the project's folder. `url`/`api_spec_url` are computed from a slug
//! `<name>-v<major version>`; `api_spec_url` carries a `?token=`. Enabling an endpoint needs
//! its recipe to be running.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::App;
use super::hooks::new_recipe;
use super::http::{
    ApiError, ApiResult, Errors, Query, bad_request, body_object, invalid, message, not_found, ok,
    opt_bool_field, opt_id_field, optional_name, page_of, path_id, ref_not_found, required_string,
    success,
};
use super::ids::now;
use super::openapi;
use super::store::{ApiCollection, ApiEndpoint, Store, base};

const APIM_HOST: &str = "https://apim.workato.com";
const DOCS_HOST: &str = "https://www.workato.com";

fn team_slug(s: &Store) -> String {
    format!("emulator-{}", s.workspace.id)
}

fn collection_json(s: &Store, c: &ApiCollection) -> Value {
    let mut v = json!({
        "id": c.id,
        "name": c.name,
        "version": c.version,
        "url": format!("{APIM_HOST}/{}/{}", team_slug(s), c.slug),
        "api_spec_url": format!("{DOCS_HOST}/doc/service/{}/swagger?token={}", c.slug, c.token),
        "proxy_connection_id": c.proxy_connection_id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    });
    // The real API omits project_id when there is no project, and sends it as a string.
    if let Some(pid) = c.project_id {
        v["project_id"] = json!(pid.to_string());
    }
    if let Some(public) = c.public_access {
        v["public_access"] = json!(public);
    }
    v
}

fn endpoint_json(s: &Store, e: &ApiEndpoint) -> Value {
    let slug = s
        .api_collections
        .get(&e.api_collection_id)
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    let base_path = format!("/{}/{}/{}", team_slug(s), slug, e.path);
    json!({
        "id": e.id,
        "api_collection_id": e.api_collection_id,
        "flow_id": e.flow_id,
        "name": e.name,
        "method": e.method,
        "url": format!("{APIM_HOST}{base_path}"),
        "legacy_url": null,
        "base_path": base_path,
        "path": e.path,
        "active": e.active,
        "legacy": false,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
    })
}

fn slugify(name: &str, version: &str) -> String {
    let mut slug = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let major = version.split('.').next().unwrap_or("1");
    format!("{}-v{major}", slug.trim_end_matches('-'))
}

/// The project of a create body; `project_id` must be a string.
fn project_param(s: &Store, body: &Map<String, Value>) -> Result<Option<u64>, ApiError> {
    match body.get("project_id") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(v)) => match v.trim().parse::<u64>() {
            Ok(id) if s.projects.contains_key(&id) => Ok(Some(id)),
            _ => Err(ref_not_found("project_id", "Project", v)),
        },
        Some(other) => Err(bad_request(format!(
            "Invalid parameter 'project_id' (value {other}): Must be a String"
        ))),
    }
}

fn proxy_param(s: &Store, body: &Map<String, Value>) -> Result<Option<Option<u64>>, ApiError> {
    if !body.contains_key("proxy_connection_id") {
        return Ok(None);
    }
    match opt_id_field(body, "proxy_connection_id")? {
        Some(id) if !s.connections.contains_key(&id) => {
            Err(ref_not_found("proxy_connection_id", "Connection", id))
        }
        id => Ok(Some(id)),
    }
}

/// `GET /api/api_collections?page=&per_page=` → bare array.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let s = app.store();
    let items: Vec<&ApiCollection> = s.api_collections.values().collect();
    let page: Vec<Value> = page_of(items, q.paging())
        .into_iter()
        .map(|c| collection_json(&s, c))
        .collect();
    ok(Value::Array(page))
}

/// `POST /api/api_collections {"name","project_id"(string)?,"proxy_connection_id"?,
/// "openapi_spec"?: {"content","format"}}`.
pub(crate) async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    errors.check()?;
    let name = name.unwrap_or_default();
    let ops = match body.get("openapi_spec") {
        None | Some(Value::Null) => None,
        Some(spec) => {
            let content = spec.get("content").and_then(Value::as_str).unwrap_or("");
            let format = spec.get("format").and_then(Value::as_str);
            Some(openapi::operations(content, format).map_err(|e| invalid("openapi_spec", e))?)
        }
    };
    let mut s = app.store();
    let project = project_param(&s, &body)?;
    let proxy = proxy_param(&s, &body)?.flatten();
    let public_access = opt_bool_field(&body, "public_access")?;
    let version = "1.0".to_string();
    if s.api_collections
        .values()
        .any(|c| c.name.eq_ignore_ascii_case(&name) && c.version == version)
    {
        return Err(invalid(
            "name",
            format!("has already been taken (a collection {name:?} version {version} exists)"),
        ));
    }
    let mut slug = slugify(&name, &version);
    let mut n = 1;
    while s.api_collections.values().any(|c| c.slug == slug) {
        n += 1;
        slug = format!("{}-{n}", slugify(&name, &version));
    }
    let id = s.alloc("api_collection", base::COLLECTION);
    let token = s.rng(|r| r.hex(32));
    let ts = now();
    let collection = ApiCollection {
        id,
        name,
        project_id: project,
        version,
        slug,
        token,
        proxy_connection_id: proxy,
        public_access,
        created_at: ts.clone(),
        updated_at: ts.clone(),
    };
    s.api_collections.insert(id, collection);
    let folder = project
        .and_then(|p| s.projects.get(&p).map(|p| p.folder_id))
        .unwrap_or(s.root());
    let ops = ops.unwrap_or_default();
    for op in &ops {
        let recipe = new_recipe(
            &mut s,
            format!("API {} {}", op.method, op.path),
            folder,
            true,
        );
        insert_endpoint(&mut s, id, &op.name, &op.method, &op.path, Some(recipe));
    }
    let mut out = collection_json(&s, &s.api_collections[&id]);
    out["message"] = json!("Import completed successfully");
    out["import_results"] = json!({
        "success": true,
        "total_endpoints": ops.len(),
        "failed_endpoints": 0,
        "failed_actions": [],
    });
    ok(out)
}

fn insert_endpoint(
    s: &mut Store,
    collection: u64,
    name: &str,
    method: &str,
    path: &str,
    flow_id: Option<u64>,
) -> u64 {
    let id = s.alloc("api_endpoint", base::ENDPOINT);
    let ts = now();
    s.api_endpoints.insert(
        id,
        ApiEndpoint {
            id,
            api_collection_id: collection,
            flow_id,
            name: name.to_string(),
            method: method.to_ascii_uppercase(),
            path: path.trim_start_matches('/').to_string(),
            active: false,
            created_at: ts.clone(),
            updated_at: ts,
        },
    );
    id
}

/// `PUT /api/api_collections/:id` with any of name, proxy_connection_id, public_access.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let public = opt_bool_field(&body, "public_access")?;
    let mut s = app.store();
    if !s.api_collections.contains_key(&id) {
        return Err(not_found());
    }
    errors.check()?;
    let proxy = proxy_param(&s, &body)?;
    let c = s.api_collections.get_mut(&id).ok_or_else(not_found)?;
    if let Some(name) = name {
        c.name = name;
    }
    if let Some(proxy) = proxy {
        c.proxy_connection_id = proxy;
    }
    if public.is_some() {
        c.public_access = public;
    }
    c.updated_at = now();
    ok(collection_json(&s, &s.api_collections[&id]))
}

/// `DELETE /api/api_collections/:id`: also deletes its endpoints and detaches it from API
/// clients.
pub(crate) async fn destroy(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    if !s.api_collections.contains_key(&id) {
        return Err(not_found());
    }
    s.delete_collection(id);
    success()
}

/// `POST /api/api_collections/:id/api_endpoints {"name","method","path","flow_id"?}`
/// (undocumented; used by the `wk` CLI).
pub(crate) async fn create_endpoint(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let method = required_string(&body, "method", &mut errors);
    let path = required_string(&body, "path", &mut errors);
    let flow = opt_id_field(&body, "flow_id")?;
    if let Some(m) = &method
        && !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.to_ascii_uppercase().as_str())
    {
        errors.add("method", "is not included in the list");
    }
    let mut s = app.store();
    if !s.api_collections.contains_key(&id) {
        return Err(not_found());
    }
    errors.check()?;
    if let Some(flow) = flow.filter(|f| !s.recipes.contains_key(f)) {
        return Err(ref_not_found("flow_id", "Recipe", flow));
    }
    let (name, method, path) = (
        name.unwrap_or_default(),
        method.unwrap_or_default(),
        path.unwrap_or_default(),
    );
    let eid = insert_endpoint(&mut s, id, &name, &method, &path, flow);
    ok(endpoint_json(&s, &s.api_endpoints[&eid]))
}

/// `GET /api/api_endpoints?api_collection_id=&page=&per_page=` → bare array.
pub(crate) async fn list_endpoints(
    State(app): State<Arc<App>>,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let s = app.store();
    let collection = match q.get("api_collection_id").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(id) if s.api_collections.contains_key(&id) => Some(id),
            _ => return Err(ref_not_found("api_collection_id", "API collection", v)),
        },
    };
    let items: Vec<&ApiEndpoint> = s
        .api_endpoints
        .values()
        .filter(|e| collection.is_none_or(|c| e.api_collection_id == c))
        .collect();
    let page: Vec<Value> = page_of(items, q.paging())
        .into_iter()
        .map(|e| endpoint_json(&s, e))
        .collect();
    ok(Value::Array(page))
}

/// `PUT /api/api_endpoints/:id/enable`: the linked recipe must be running.
pub(crate) async fn enable_endpoint(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    let e = s.api_endpoints.get(&id).ok_or_else(not_found)?;
    let running = e
        .flow_id
        .and_then(|f| s.recipes.get(&f))
        .is_some_and(|r| r.running);
    if !running {
        let recipe = e
            .flow_id
            .map(|f| format!("recipe {f}"))
            .unwrap_or_else(|| "its recipe".to_string());
        return Err(message(
            StatusCode::BAD_REQUEST,
            format!(
                "Cannot enable API endpoint {id}: {recipe} is not running; start the recipe first"
            ),
        ));
    }
    set_active(&mut s, id, true)
}

/// `PUT /api/api_endpoints/:id/disable`.
pub(crate) async fn disable_endpoint(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    set_active(&mut s, id, false)
}

fn set_active(s: &mut Store, id: u64, active: bool) -> ApiResult {
    let e = s.api_endpoints.get_mut(&id).ok_or_else(not_found)?;
    e.active = active;
    e.updated_at = now();
    success()
}
