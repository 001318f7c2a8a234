//! Environment and project properties: `GET/POST /api/properties[?project_id=]`.
//!
//! One flat map per scope (the environment, or a project). Limits: 1,000 properties per
//! scope, names ≤ 100 characters, values ≤ 1,024 characters, values are strings. There is
//! no delete endpoint.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use serde_json::{Map, Value};

use super::App;
use super::http::{
    ApiError, ApiResult, Errors, Query, body_object, invalid, ok, ref_not_found, success,
};
use super::store::Store;

const MAX_PER_SCOPE: usize = 1000;
const MAX_NAME: usize = 100;
const MAX_VALUE: usize = 1024;

/// The project of `?project_id=` (None = environment scope); unknown → 404.
fn scope(s: &Store, q: &Query) -> Result<Option<u64>, ApiError> {
    match q.get("project_id").filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(id) if s.projects.contains_key(&id) => Ok(Some(id)),
            _ => Err(ref_not_found("project_id", "Project", v)),
        },
    }
}

/// `GET /api/properties?prefix=&project_id=`: full names → values, filtered by prefix.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let Some(prefix) = q.get("prefix") else {
        return Err(invalid("prefix", "is missing"));
    };
    let s = app.store();
    let map = match scope(&s, &q)? {
        None => &s.env_properties,
        Some(pid) => match s.project_properties.get(&pid) {
            Some(map) => map,
            None => return ok(Value::Object(Map::new())),
        },
    };
    let out: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    ok(Value::Object(out))
}

/// `POST /api/properties[?project_id=] {"properties": {name: value}}`: upsert.
pub(crate) async fn upsert(
    State(app): State<Arc<App>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> ApiResult {
    let q = Query::parse(q.as_deref());
    let body = body_object(&body)?;
    let props = match body.get("properties") {
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(invalid(
                "properties",
                "must be an object of name/value pairs",
            ));
        }
        None => return Err(invalid("properties", "can't be blank")),
    };
    let mut errors = Errors::new();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in props {
        if name.trim().is_empty() {
            errors.add("name", "can't be blank");
        } else if name.chars().count() > MAX_NAME {
            errors.add(
                name,
                format!("name is too long (maximum is {MAX_NAME} characters)"),
            );
        }
        match value {
            Value::String(v) if v.chars().count() > MAX_VALUE => {
                errors.add(
                    name,
                    format!("value is too long (maximum is {MAX_VALUE} characters)"),
                );
            }
            Value::String(v) => {
                values.insert(name.clone(), v.clone());
            }
            _ => errors.add(name, "value must be a string"),
        }
    }
    let mut s = app.store();
    let project = scope(&s, &q)?;
    errors.check()?;
    let map = match project {
        None => &mut s.env_properties,
        Some(pid) => s.project_properties.entry(pid).or_default(),
    };
    let new = values.keys().filter(|k| !map.contains_key(*k)).count();
    if map.len() + new > MAX_PER_SCOPE {
        return Err(invalid(
            "properties",
            format!(
                "too many properties: at most {MAX_PER_SCOPE} per {} (has {}, adding {new})",
                if project.is_some() {
                    "project"
                } else {
                    "environment"
                },
                map.len()
            ),
        ));
    }
    map.extend(values);
    success()
}
