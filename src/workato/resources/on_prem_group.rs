//! `workato_on_prem_group`: an on-prem group (`/api/on_prem_groups`).
//!
//! The list is not paged. `whitelisted_ips` is written as `settings_attributes.whitelisted_ips`
//! and read back at the top level. The docs show single objects inside an array; both
//! shapes are accepted.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, deleted, expect_object, list_like,
};

pub struct OnPremGroup;

const PATH: &str = "/api/on_prem_groups";

fn to_state(g: &Object, prior: Option<&Object>) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(g.i64_of("id")));
    for key in [
        "name",
        "use_managed_connection",
        "in_use",
        "config_version",
        "created_at",
    ] {
        out.insert(key.into(), g.get(key).cloned().unwrap_or(Json::Null));
    }
    out.insert(
        "whitelisted_ips".into(),
        list_like(
            g.get("whitelisted_ips"),
            prior.and_then(|p| p.get("whitelisted_ips")),
        ),
    );
    out
}

fn body_of(planned: &Object) -> Json {
    json!({
        "name": planned.get("name"),
        "use_managed_connection": planned.get("use_managed_connection").and_then(Json::as_bool).unwrap_or(false),
        "settings_attributes": {
            "whitelisted_ips": planned.get("whitelisted_ips").filter(|v| !v.is_null()).cloned().unwrap_or(json!([])),
        },
    })
}

/// The whole (unpaged) list.
async fn list(api: &Api) -> Result<Vec<Object>, ApiError> {
    crate::workato::resource::get_bare_list(api, PATH).await
}

#[async_trait]
impl Resource for OnPremGroup {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_on_prem_group").expect("schema exists")
    }

    /// One (unpaged) list call.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let items = list(api).await?;
        let live: HashMap<i64, Object> = items
            .into_iter()
            .filter_map(|g| Some((g.i64_of("id")?, g)))
            .collect();
        Ok(prior
            .iter()
            .map(|p| Some(to_state(live.get(&p.i64_of("id")?)?, Some(p))))
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let answer = api.post(PATH, &[], &body_of(planned)).await?;
        Ok(to_state(
            &expect_object("POST", PATH, answer)?,
            Some(planned),
        ))
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let path = format!("{PATH}/{id}");
        let answer = api.put(&path, &body_of(planned)).await?;
        Ok(to_state(
            &expect_object("PUT", &path, answer)?,
            Some(planned),
        ))
    }

    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let items = list(api).await?;
        Ok(Some(items.iter().map(|g| to_state(g, None)).collect()))
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
    fn ips_are_sent_as_settings_attributes_and_read_back_flat() {
        let planned =
            json!({"name": "g", "use_managed_connection": null, "whitelisted_ips": ["10.0.0.1"]});
        let body = body_of(planned.as_object().unwrap());
        assert_eq!(
            body["settings_attributes"]["whitelisted_ips"],
            json!(["10.0.0.1"])
        );
        assert_eq!(body["use_managed_connection"], json!(false));
        let live = json!([{"id": 3, "name": "g", "in_use": false, "use_managed_connection": false,
            "config_version": 1, "whitelisted_ips": []}]);
        let g = expect_object("POST", PATH, live).unwrap();
        let state = to_state(&g, Some(&Object::new()));
        assert_eq!(state["whitelisted_ips"], Json::Null);
        assert_eq!(state["id"], json!(3));
    }
}
