//! Connections: `/api/connections`.
//!
//! `input` (credentials) is stored but never returned. A non-shell connection with input is
//! "authorised" (`authorization_status: "success"`); a shell connection, or one without
//! input, has `authorization_status: null`. The list is not paginated.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::App;
use super::http::{
    ApiError, ApiResult, Errors, Query, body_object, invalid, not_found, ok, opt_bool_field,
    opt_id_field, opt_string_field, optional_name, path_id, ref_not_found, required_string,
};
use super::ids::now;
use super::store::{Connection, Store, base};

pub(crate) fn connection_json(c: &Connection, with_tags: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "application": c.provider,
        "provider": c.provider,
        "name": c.name,
        "description": null,
        "authorized_at": c.authorized_at,
        "authorization_status": c.authorization_status,
        "authorization_error": null,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "external_id": c.external_id,
        "folder_id": c.folder_id,
        "connection_lost_at": null,
        "connection_lost_reason": null,
        "parent_id": c.parent_id,
    });
    if with_tags {
        v["tags"] = json!(c.tags);
    }
    v
}

fn has_input(input: &Option<Value>) -> bool {
    match input {
        Some(Value::Object(map)) => !map.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    }
}

/// Recompute the authorisation after a create or an input change.
fn authorise(c: &mut Connection, ts: &str) {
    if !c.shell_connection && has_input(&c.input) {
        c.authorization_status = Some("success".to_string());
        c.authorized_at = Some(ts.to_string());
    } else {
        c.authorization_status = None;
        c.authorized_at = None;
    }
}

fn input_field(body: &Map<String, Value>) -> Result<Option<Value>, ApiError> {
    match body.get("input") {
        None => Ok(None),
        Some(v @ (Value::Object(_) | Value::Null)) => Ok(Some(v.clone())),
        Some(_) => Err(invalid("input", "must be an object")),
    }
}

fn check_folder(s: &Store, folder: u64) -> Result<(), ApiError> {
    if s.folder_exists(folder) {
        Ok(())
    } else {
        Err(ref_not_found("folder_id", "Folder", folder))
    }
}

fn check_parent(
    s: &Store,
    parent: Option<u64>,
    provider: &str,
    own: Option<u64>,
) -> Result<(), ApiError> {
    let Some(parent) = parent else {
        return Ok(());
    };
    let Some(p) = s.connections.get(&parent) else {
        return Err(ref_not_found("parent_id", "Connection", parent));
    };
    if own == Some(parent) {
        return Err(invalid(
            "parent_id",
            "a connection cannot be its own parent",
        ));
    }
    if p.provider != provider {
        return Err(invalid(
            "parent_id",
            format!(
                "must be a {provider} connection (connection {parent} is {})",
                p.provider
            ),
        ));
    }
    Ok(())
}

/// `GET /api/connections?folder_id=&parent_id=&external_id=&provider=&includes[]=tags`.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let with_tags = q.includes("tags");
    let want = |key: &str| q.get(key).filter(|v| !v.is_empty()).map(str::to_string);
    let (folder, parent, external, provider) = (
        want("folder_id"),
        want("parent_id"),
        want("external_id"),
        want("provider"),
    );
    let s = app.store();
    let items: Vec<Value> = s
        .connections
        .values()
        .filter(|c| {
            folder
                .as_deref()
                .is_none_or(|f| f == c.folder_id.to_string())
        })
        .filter(|c| {
            parent
                .as_deref()
                .is_none_or(|p| c.parent_id.is_some_and(|id| p == id.to_string()))
        })
        .filter(|c| {
            external
                .as_deref()
                .is_none_or(|e| c.external_id.as_deref() == Some(e))
        })
        .filter(|c| provider.as_deref().is_none_or(|p| c.provider == p))
        .map(|c| connection_json(c, with_tags))
        .collect();
    ok(Value::Array(items))
}

/// `POST /api/connections {"name","provider","folder_id"?,"parent_id"?,"external_id"?,
/// "shell_connection"?,"input"?}`.
pub(crate) async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let provider = required_string(&body, "provider", &mut errors);
    let folder = opt_id_field(&body, "folder_id")?;
    let parent = opt_id_field(&body, "parent_id")?;
    let external_id = opt_string_field(&body, "external_id")?.flatten();
    let shell = opt_bool_field(&body, "shell_connection")?.unwrap_or(false);
    let input = input_field(&body)?;
    errors.check()?;
    let (name, provider) = (name.unwrap_or_default(), provider.unwrap_or_default());
    let mut s = app.store();
    let folder = folder.unwrap_or(s.root());
    check_folder(&s, folder)?;
    check_parent(&s, parent, &provider, None)?;
    let id = s.alloc("connection", base::CONNECTION);
    let ts = now();
    let mut c = Connection {
        id,
        name,
        provider,
        folder_id: folder,
        parent_id: parent,
        external_id,
        shell_connection: shell,
        input: input.filter(|v| !v.is_null()),
        authorization_status: None,
        authorized_at: None,
        tags: Vec::new(),
        created_at: ts.clone(),
        updated_at: ts.clone(),
    };
    authorise(&mut c, &ts);
    let out = connection_json(&c, false);
    s.connections.insert(id, c);
    ok(out)
}

/// `PUT /api/connections/:id` with any of name, input, folder_id, parent_id, external_id,
/// shell_connection. `provider` cannot change (it is ignored).
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let id = path_id(&id)?;
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let folder = opt_id_field(&body, "folder_id")?;
    let parent = opt_id_field(&body, "parent_id")?;
    let external_id = opt_string_field(&body, "external_id")?;
    let shell = opt_bool_field(&body, "shell_connection")?;
    let input = input_field(&body)?;
    let mut s = app.store();
    let Some(provider) = s.connections.get(&id).map(|c| c.provider.clone()) else {
        return Err(not_found());
    };
    errors.check()?;
    if let Some(folder) = folder {
        check_folder(&s, folder)?;
    }
    check_parent(&s, parent, &provider, Some(id))?;
    let ts = now();
    let c = s.connections.get_mut(&id).ok_or_else(not_found)?;
    if let Some(name) = name {
        c.name = name;
    }
    if let Some(folder) = folder {
        c.folder_id = folder;
    }
    if body.contains_key("parent_id") {
        c.parent_id = parent;
    }
    if let Some(external_id) = external_id {
        c.external_id = external_id;
    }
    let mut reauthorise = false;
    if let Some(shell) = shell {
        reauthorise |= c.shell_connection != shell;
        c.shell_connection = shell;
    }
    if let Some(input) = input {
        c.input = Some(input).filter(|v| !v.is_null());
        reauthorise = true;
    }
    if reauthorise {
        authorise(c, &ts);
    }
    c.updated_at = ts;
    ok(connection_json(c, false))
}

/// `DELETE /api/connections/:id` → `{"success":true,"status":"deleted"}`.
pub(crate) async fn destroy(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    if s.connections.remove(&id).is_none() {
        return Err(not_found());
    }
    ok(json!({"success": true, "status": "deleted"}))
}

/// `POST /api/connections/:id/disconnect[?force=true]`: drops the authorisation (the stored
/// input is kept so a later update with input re-authorises).
pub(crate) async fn disconnect(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let id = path_id(&id)?;
    let mut s = app.store();
    let c = s.connections.get_mut(&id).ok_or_else(not_found)?;
    c.authorization_status = None;
    c.authorized_at = None;
    c.updated_at = now();
    ok(json!({"success": true}))
}
