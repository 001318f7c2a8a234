//! `workato_connection`: a connection to an application.
//!
//! The API has no single-connection GET: every read is the (unpaged) list
//! `GET /api/connections`, filtered here. `input` (credentials) is write-only: the engine
//! keeps only its digest in state, and an update sends the full input only when the
//! configured value no longer matches that digest.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::value::Value;
use crate::workato::client::{Api, PER_PAGE};
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, align_by_id, deleted, expect_object, objects,
};

pub struct Connection;

const LIST: &str = "/api/connections";

/// Every connection of the workspace (or of the filter in `query`), as the API's objects.
///
/// The list is documented without paging, but some clients send `page`/`per_page`; this
/// asks page by page and stops at a short page, or as soon as a page brings nothing new
/// (an API that ignores paging answers the whole list every time).
pub(crate) async fn list_connections(
    api: &Api,
    query: &[(&str, String)],
) -> Result<Vec<Object>, ApiError> {
    let mut all = Vec::new();
    let mut seen = HashSet::new();
    for page in 1.. {
        let mut q = query.to_vec();
        q.push(("page", page.to_string()));
        q.push(("per_page", PER_PAGE.to_string()));
        let body = api.get(LIST, &q).await?;
        let Json::Array(items) = body else {
            return Err(ApiError::Decode {
                method: "GET".into(),
                path: LIST.into(),
                message: "expected a list of connections".into(),
            });
        };
        let short = items.len() < PER_PAGE;
        let mut fresh = 0;
        for c in objects(items) {
            if seen.insert(c.i64_of("id")) {
                fresh += 1;
                all.push(c);
            }
        }
        if short || fresh == 0 {
            break;
        }
    }
    Ok(all)
}

/// The API's connection object in workform's attribute names (`provider` → `connector_name`).
pub(crate) fn to_state(c: &Object) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(c.i64_of("id")));
    let connector = c
        .str_of("provider")
        .or_else(|| c.str_of("application"))
        .map(str::to_string);
    out.insert("connector_name".into(), json!(connector));
    let application = c.str_of("application").map(str::to_string).or(connector);
    out.insert("application".into(), json!(application));
    out.insert("name".into(), c.get("name").cloned().unwrap_or(Json::Null));
    out.insert("folder_id".into(), json!(c.i64_of("folder_id")));
    out.insert("parent_id".into(), json!(c.i64_of("parent_id")));
    let external = match c.get("external_id") {
        Some(Json::String(s)) => json!(s),
        Some(Json::Number(n)) => json!(n.to_string()),
        _ => Json::Null,
    };
    out.insert("external_id".into(), external);
    for key in [
        "authorization_status",
        "authorization_error",
        "authorized_at",
        "created_at",
        "updated_at",
    ] {
        out.insert(key.into(), c.get(key).cloned().unwrap_or(Json::Null));
    }
    // Reads never return these; the engine keeps them from state.
    out.insert("input".into(), Json::Null);
    out.insert("shell_connection".into(), Json::Null);
    out
}

/// The configured input as the JSON object the API takes: an object as is, a string parsed
/// as a JSON document. `None` when unset. The error never quotes the value.
fn input_object(planned: &Object) -> Result<Option<Json>, ApiError> {
    match planned.get("input") {
        None | Some(Json::Null) => Ok(None),
        Some(v @ Json::Object(_)) => Ok(Some(v.clone())),
        Some(Json::String(text)) => match serde_json::from_str::<Json>(text) {
            Ok(doc @ Json::Object(_)) => Ok(Some(doc)),
            _ => Err(invalid_input("a string `input` must hold a JSON object")),
        },
        Some(_) => Err(invalid_input(
            "`input` must be an object or a string holding a JSON object",
        )),
    }
}

fn invalid_input(message: &str) -> ApiError {
    ApiError::Decode {
        method: "POST".into(),
        path: LIST.into(),
        message: format!("invalid connection input (value not shown): {message}"),
    }
}

/// Whether the configured input differs from the digest kept in state.
fn input_changed(prior: &Object, planned: &Object) -> bool {
    let planned = planned.get("input").cloned().unwrap_or(Json::Null);
    let digest = crate::plan::diff::write_only_digest(&Value::from_json(&planned));
    prior.str_of("input") != digest.as_deref()
}

fn id_of(obj: &Object) -> i64 {
    obj.i64_of("id").unwrap_or_default()
}

#[async_trait]
impl Resource for Connection {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_connection").expect("schema exists")
    }

    /// One list call for every connection.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live: HashMap<i64, Object> = list_connections(api, &[])
            .await?
            .iter()
            .filter_map(|c| Some((c.i64_of("id")?, to_state(c))))
            .collect();
        Ok(align_by_id(prior, &live))
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let mut body = Object::new();
        body.insert(
            "name".into(),
            planned.get("name").cloned().unwrap_or(Json::Null),
        );
        body.insert(
            "provider".into(),
            planned.get("connector_name").cloned().unwrap_or(Json::Null),
        );
        body.insert("folder_id".into(), json!(planned.i64_of("folder_id")));
        if let Some(parent) = planned.i64_of("parent_id") {
            body.insert("parent_id".into(), json!(parent));
        }
        if let Some(external) = planned.str_of("external_id") {
            body.insert("external_id".into(), json!(external));
        }
        let shell = planned
            .get("shell_connection")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        body.insert("shell_connection".into(), json!(shell));
        if let Some(input) = input_object(planned)? {
            body.insert("input".into(), input);
        }
        let answer = api.post(LIST, &[], &Json::Object(body)).await?;
        let mut state = to_state(&expect_object("POST", LIST, answer)?);
        state.insert("shell_connection".into(), json!(shell));
        Ok(state)
    }

    /// Sends only what changed; the input only when its digest changed, and then whole.
    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let path = format!("{LIST}/{}", id_of(prior));
        let mut body = Object::new();
        for key in ["folder_id", "parent_id"] {
            let new = planned.i64_of(key);
            if prior.i64_of(key) != new {
                body.insert(key.into(), json!(new));
            }
        }
        for key in ["name", "external_id", "shell_connection"] {
            let new = planned.get(key).unwrap_or(&Json::Null);
            if prior.get(key).unwrap_or(&Json::Null) != new {
                body.insert(key.into(), new.clone());
            }
        }
        if input_changed(prior, planned) {
            // A cleared input is sent as an empty object: the API keeps what it has otherwise.
            let input = input_object(planned)?.unwrap_or_else(|| json!({}));
            body.insert("input".into(), input);
        }
        if body.is_empty() {
            body.insert(
                "name".into(),
                planned.get("name").cloned().unwrap_or(Json::Null),
            );
        }
        let answer = api.put(&path, &Json::Object(body)).await?;
        let mut state = to_state(&expect_object("PUT", &path, answer)?);
        let shell = planned
            .get("shell_connection")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        state.insert("shell_connection".into(), json!(shell));
        Ok(state)
    }

    /// Every connection, for import and crash recovery. The API never says whether a
    /// connection is a shell; its default (`false`) is assumed.
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let all = list_connections(api, &[]).await?;
        Ok(Some(
            all.iter()
                .map(|c| {
                    let mut state = to_state(c);
                    state.insert("shell_connection".into(), json!(false));
                    state
                })
                .collect(),
        ))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        deleted(api.delete(&format!("{LIST}/{}", id_of(prior)), &[]).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Json) -> Object {
        match v {
            Json::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn the_api_shape_maps_to_workform_names() {
        let api = obj(json!({
            "id": 36, "application": "salesforce", "name": "SF", "folder_id": "4515",
            "parent_id": null, "external_id": null, "authorization_status": "success",
            "authorized_at": "2015-05-26T22:53:52.528Z", "authorization_error": null,
            "created_at": "2015-05-26T22:53:52.532Z", "updated_at": "2015-05-26T22:53:52.532Z"
        }));
        let s = to_state(&api);
        assert_eq!(s["id"], json!(36));
        assert_eq!(s["connector_name"], json!("salesforce"));
        assert_eq!(s["application"], json!("salesforce"));
        assert_eq!(s["folder_id"], json!(4515));
        assert_eq!(s["input"], Json::Null);
    }

    #[test]
    fn input_may_be_an_object_or_a_json_string() {
        let as_obj = obj(json!({"input": {"user": "u", "password": "p"}}));
        let as_text = obj(json!({"input": "{\"password\":\"p\",\"user\":\"u\"}"}));
        assert_eq!(
            input_object(&as_obj).unwrap(),
            input_object(&as_text).unwrap()
        );
        let bad = obj(json!({"input": "secret-not-json"}));
        let err = input_object(&bad).unwrap_err().to_string();
        assert!(!err.contains("secret-not-json"), "{err}");
    }

    #[test]
    fn an_unchanged_input_is_recognised_by_its_digest() {
        let planned = obj(json!({"input": {"user": "u", "password": "p"}}));
        let digest = crate::plan::diff::write_only_digest(&Value::from_json(&planned["input"]));
        let prior = obj(json!({ "input": digest }));
        assert!(!input_changed(&prior, &planned));
        let changed = obj(json!({"input": {"user": "u", "password": "q"}}));
        assert!(input_changed(&prior, &changed));
    }
}
