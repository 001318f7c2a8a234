//! Data tables: `/api/data_tables` (responses wrapped in `{"data": ...}`).
//!
//! Ids are UUIDs; each table also has a `numeric_id`. Columns carry a UUID `field_id`,
//! assigned when not given. A `schema` in an update is a full replacement: a column keeps
//! its field_id when the update names it, else when a current column has the same name;
//! columns left out are dropped. Relation columns must point at an existing table and one
//! of its field_ids.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Map, Value, json};

use super::App;
use super::http::{
    ApiError, ApiResult, Errors, Query, body_object, not_found, ok, opt_id_field, optional_name,
    page_of, ref_not_found, required_string, success,
};
use super::ids::now;
use super::store::{Column, DataTable, Store, base};

const TYPES: &[&str] = &[
    "boolean",
    "date",
    "date_time",
    "integer",
    "number",
    "string",
    "file",
    "relation",
];

fn column_json(c: &Column) -> Value {
    json!({
        "type": c.kind,
        "name": c.name,
        "optional": c.optional,
        "field_id": c.field_id,
        "hint": c.hint,
        "default_value": c.default_value,
        "metadata": c.metadata,
        "multivalue": c.multivalue,
        "relation": c.relation,
    })
}

fn table_json(t: &DataTable) -> Value {
    json!({
        "id": t.id,
        "numeric_id": t.numeric_id,
        "name": t.name,
        "folder_id": t.folder_id,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "schema": t.schema.iter().map(column_json).collect::<Vec<_>>(),
    })
}

/// Whether `v` suits a column of type `kind` (null always does).
fn default_fits(kind: &str, v: &Value) -> bool {
    match (kind, v) {
        (_, Value::Null) | ("relation", _) => true,
        ("boolean", Value::Bool(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("number", Value::Number(_)) => true,
        ("string" | "date" | "date_time" | "file", Value::String(_)) => true,
        _ => false,
    }
}

/// One column as submitted, before field ids are resolved.
struct ColumnIn {
    column: Column,
    given_field_id: Option<String>,
}

fn parse_column(i: usize, v: &Value, errors: &mut Errors) -> Option<ColumnIn> {
    let Value::Object(m) = v else {
        errors.add("schema", format!("column {i}: must be an object"));
        return None;
    };
    let label = match m.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
        _ => {
            errors.add("schema", format!("column {i}: name can't be blank"));
            return None;
        }
    };
    let at = |msg: &str| format!("column {label:?}: {msg}");
    let kind = match m.get("type").and_then(Value::as_str) {
        Some(k) if TYPES.contains(&k) => k.to_string(),
        other => {
            errors.add(
                "schema",
                at(&format!(
                    "type {:?} is not one of {}",
                    other.unwrap_or(""),
                    TYPES.join(", ")
                )),
            );
            return None;
        }
    };
    let flag = |key: &str, errors: &mut Errors| match m.get(key) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.add("schema", at(&format!("{key} must be a boolean")));
            false
        }
    };
    let optional = flag("optional", errors);
    let multivalue = flag("multivalue", errors);
    let hint = match m.get("hint") {
        None | Some(Value::Null) => None,
        Some(Value::String(h)) => Some(h.clone()),
        Some(_) => {
            errors.add("schema", at("hint must be a string"));
            None
        }
    };
    let default_value = m.get("default_value").cloned().unwrap_or(Value::Null);
    if !default_fits(&kind, &default_value) {
        errors.add(
            "schema",
            at(&format!("default_value does not match type {kind}")),
        );
    }
    let metadata = match m.get("metadata") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v.clone(),
        Some(_) => {
            errors.add("schema", at("metadata must be an object"));
            Value::Null
        }
    };
    let given_field_id = match m.get("field_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(f)) if !f.trim().is_empty() => Some(f.clone()),
        Some(_) => {
            errors.add("schema", at("field_id must be a non-empty string"));
            None
        }
    };
    let relation = if kind == "relation" {
        let rel = m.get("relation");
        let ids =
            rel.and_then(|r| Some((r.get("table_id")?.as_str()?, r.get("field_id")?.as_str()?)));
        match ids {
            Some((t, f)) => Some(json!({"table_id": t, "field_id": f})),
            None => {
                errors.add(
                    "schema",
                    at("relation {table_id, field_id} is required for a relation column"),
                );
                None
            }
        }
    } else {
        if m.get("relation").is_some_and(|r| !r.is_null()) {
            errors.add(
                "schema",
                at("relation is only allowed on a relation column"),
            );
        }
        None
    };
    Some(ColumnIn {
        column: Column {
            kind,
            name: label,
            optional,
            field_id: String::new(),
            hint,
            default_value,
            metadata,
            multivalue,
            relation,
        },
        given_field_id,
    })
}

/// Validate a submitted schema against the store; `own` is (uuid, current columns) for an
/// update. Field ids are resolved (given, else by name, else new).
fn parse_schema(
    s: &mut Store,
    value: &Value,
    own: Option<(&str, &[Column])>,
) -> Result<Vec<Column>, ApiError> {
    let Value::Array(items) = value else {
        return Err(super::http::invalid("schema", "must be a list of columns"));
    };
    let mut errors = Errors::new();
    let parsed: Vec<ColumnIn> = items
        .iter()
        .enumerate()
        .filter_map(|(i, v)| parse_column(i, v, &mut errors))
        .collect();
    let mut names = BTreeSet::new();
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    for c in &parsed {
        if !names.insert(c.column.name.to_lowercase()) {
            errors.add(
                "schema",
                format!("column {:?} is duplicated", c.column.name),
            );
        }
        if let Some(f) = &c.given_field_id
            && !claimed.insert(f.clone())
        {
            errors.add("schema", format!("field_id {f} is used by two columns"));
        }
    }
    errors.check()?;
    let current = own.map(|(_, cols)| cols).unwrap_or(&[]);
    let mut columns = Vec::with_capacity(parsed.len());
    for c in parsed {
        let mut column = c.column;
        column.field_id = match c.given_field_id {
            Some(f) => f,
            None => match current
                .iter()
                .find(|old| old.name == column.name && !claimed.contains(&old.field_id))
            {
                Some(old) => old.field_id.clone(),
                None => s.rng(|r| r.uuid()),
            },
        };
        claimed.insert(column.field_id.clone());
        columns.push(column);
    }
    let mut errors = Errors::new();
    for c in &columns {
        let Some(rel) = &c.relation else { continue };
        let (table_id, field_id) = (
            rel["table_id"].as_str().unwrap_or_default(),
            rel["field_id"].as_str().unwrap_or_default(),
        );
        let target_fields: Option<Vec<&str>> = match own {
            Some((uuid, _)) if uuid == table_id => {
                Some(columns.iter().map(|c| c.field_id.as_str()).collect())
            }
            _ => s
                .table_by_uuid(table_id)
                .map(|t| t.schema.iter().map(|c| c.field_id.as_str()).collect()),
        };
        match target_fields {
            None => errors.add(
                "schema",
                format!("column {:?}: relation table {table_id} not found", c.name),
            ),
            Some(fields) if !fields.contains(&field_id) => errors.add(
                "schema",
                format!(
                    "column {:?}: relation field {field_id} not found in table {table_id}",
                    c.name
                ),
            ),
            Some(_) => {}
        }
    }
    errors.check()?;
    Ok(columns)
}

fn folder_ref(s: &Store, folder: u64) -> Result<(), ApiError> {
    if s.folder_exists(folder) {
        Ok(())
    } else {
        Err(ref_not_found("folder_id", "Folder", folder))
    }
}

fn find(s: &Store, uuid: &str) -> Result<u64, ApiError> {
    s.table_by_uuid(uuid)
        .map(|t| t.numeric_id)
        .ok_or_else(not_found)
}

/// `GET /api/data_tables?page=&per_page=` → `{"data": [...]}`.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let s = app.store();
    let items: Vec<&DataTable> = s.data_tables.values().collect();
    let page: Vec<Value> = page_of(items, q.paging())
        .into_iter()
        .map(table_json)
        .collect();
    ok(json!({"data": page}))
}

/// `POST /api/data_tables {"name","folder_id","schema"}` → `{"data": table}`.
pub(crate) async fn create(State(app): State<Arc<App>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = required_string(&body, "name", &mut errors);
    let folder = opt_id_field(&body, "folder_id")?;
    if folder.is_none() {
        errors.add("folder_id", "can't be blank");
    }
    if body.get("schema").is_none_or(Value::is_null) {
        errors.add("schema", "can't be blank");
    }
    errors.check()?;
    let folder = folder.unwrap_or_default();
    let mut s = app.store();
    folder_ref(&s, folder)?;
    let schema = parse_schema(&mut s, &body["schema"], None)?;
    let numeric_id = s.alloc("data_table", base::DATA_TABLE);
    let uuid = s.rng(|r| r.uuid());
    let ts = now();
    let table = DataTable {
        id: uuid,
        numeric_id,
        name: name.unwrap_or_default(),
        folder_id: folder,
        schema,
        created_at: ts.clone(),
        updated_at: ts,
    };
    let out = table_json(&table);
    s.data_tables.insert(numeric_id, table);
    ok(json!({"data": out}))
}

/// `GET /api/data_tables/:uuid` (a numeric id is 404, as in the real API).
pub(crate) async fn show(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let s = app.store();
    let t = s.table_by_uuid(&id).ok_or_else(not_found)?;
    ok(json!({"data": table_json(t)}))
}

/// `PUT /api/data_tables/:uuid` with any of name, folder_id, schema (full replace).
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = body_object(&body)?;
    let mut errors = Errors::new();
    let name = optional_name(&body, "name", &mut errors);
    let folder = opt_id_field(&body, "folder_id")?;
    let mut s = app.store();
    let key = find(&s, &id)?;
    errors.check()?;
    if let Some(folder) = folder {
        folder_ref(&s, folder)?;
    }
    let schema = match body.get("schema").filter(|v| !v.is_null()) {
        Some(v) => {
            let current = s.data_tables[&key].schema.clone();
            Some(parse_schema(&mut s, v, Some((&id, &current)))?)
        }
        None => None,
    };
    let t = s.data_tables.get_mut(&key).ok_or_else(not_found)?;
    if let Some(name) = name {
        t.name = name;
    }
    if let Some(folder) = folder {
        t.folder_id = folder;
    }
    if let Some(schema) = schema {
        t.schema = schema;
    }
    t.updated_at = now();
    ok(json!({"data": table_json(t)}))
}

/// `DELETE /api/data_tables/:uuid`.
pub(crate) async fn destroy(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut s = app.store();
    let key = find(&s, &id)?;
    s.data_tables.remove(&key);
    success()
}

/// `POST /api/data_tables/:uuid/truncate` (records are not modelled; the schema is kept).
pub(crate) async fn truncate(State(app): State<Arc<App>>, Path(id): Path<String>) -> ApiResult {
    let mut s = app.store();
    let key = find(&s, &id)?;
    if let Some(t) = s.data_tables.get_mut(&key) {
        t.updated_at = now();
    }
    success()
}
