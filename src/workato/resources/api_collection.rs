//! `workato_api_collection`: an API collection of the API platform (`/api/api_collections`).
//!
//! `project_id` goes out as a JSON string (the API answers 400 "Must be a String" to a
//! number) and may come back as either. The OpenAPI spec is only sent at creation; the API
//! never returns it, so the engine keeps it in state (`not_returned`).

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, align_by_id, bare_array, deleted, expect_object, objects,
};

pub struct ApiCollection;

const PATH: &str = "/api/api_collections";

impl ApiCollection {
    /// Every collection of the workspace (one paged listing), by id.
    async fn list(api: &Api) -> Result<HashMap<i64, Object>, ApiError> {
        let items = api.get_all_pages(PATH, &[], bare_array).await?;
        Ok(objects(items)
            .into_iter()
            .filter_map(|c| Some((c.i64_of("id")?, to_state(&c))))
            .collect())
    }
}

/// The API's collection in workform's attribute names (`project_id` as a number).
fn to_state(c: &Object) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(c.i64_of("id")));
    out.insert("name".into(), c.get("name").cloned().unwrap_or(Json::Null));
    out.insert("project_id".into(), json!(c.i64_of("project_id")));
    out.insert(
        "proxy_connection_id".into(),
        json!(c.i64_of("proxy_connection_id")),
    );
    for key in ["version", "url", "api_spec_url", "created_at", "updated_at"] {
        out.insert(key.into(), c.get(key).cloned().unwrap_or(Json::Null));
    }
    out
}

/// The create body's `openapi_spec`, as the API takes it.
fn spec_body(planned: &Object) -> Option<Json> {
    let spec = planned.get("openapi_spec")?.as_object()?;
    Some(json!({
        "content": spec.get("content").cloned().unwrap_or(Json::Null),
        "format": spec.get("format").cloned().unwrap_or(Json::Null),
    }))
}

#[async_trait]
impl Resource for ApiCollection {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_api_collection").expect("schema exists")
    }

    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live = ApiCollection::list(api).await?;
        Ok(align_by_id(prior, &live))
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let mut body = json!({ "name": planned.get("name") });
        if let Some(project) = planned.i64_of("project_id") {
            // The API insists on a string here.
            body["project_id"] = json!(project.to_string());
        }
        if let Some(proxy) = planned.i64_of("proxy_connection_id") {
            body["proxy_connection_id"] = json!(proxy);
        }
        if let Some(spec) = spec_body(planned) {
            body["openapi_spec"] = spec;
        }
        let answer = expect_object("POST", PATH, api.post(PATH, &[], &body).await?)?;
        Ok(to_state(&answer))
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let path = format!("{PATH}/{id}");
        // `proxy_connection_id: null` turns proxying off.
        let body = json!({
            "name": planned.get("name"),
            "proxy_connection_id": planned.i64_of("proxy_connection_id"),
        });
        let answer = api.put(&path, &body).await?;
        Ok(to_state(&expect_object("PUT", &path, answer)?))
    }

    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        Ok(Some(
            ApiCollection::list(api).await?.into_values().collect(),
        ))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        deleted(api.delete(&format!("{PATH}/{id}"), &[]).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_id_reads_back_as_a_number_and_the_spec_is_sent_as_given() {
        let api = json!({"id": 7, "name": "Orders", "project_id": "12", "version": "1.0",
            "url": "u", "api_spec_url": "s?token=t", "created_at": "c", "updated_at": "u"});
        let state = to_state(api.as_object().unwrap());
        assert_eq!(state["project_id"], json!(12));
        assert_eq!(state["proxy_connection_id"], Json::Null);
        let planned = json!({"openapi_spec": {"content": "{}", "format": "json"}});
        assert_eq!(
            spec_body(planned.as_object().unwrap()),
            Some(json!({"content": "{}", "format": "json"}))
        );
        assert_eq!(
            spec_body(json!({"openapi_spec": null}).as_object().unwrap()),
            None
        );
    }
}
