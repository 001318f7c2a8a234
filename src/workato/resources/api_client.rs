//! `workato_api_client`: an API client of the API platform (v2, `/api/v2/api_clients`).
//!
//! Answers are wrapped in `{"data": ...}`. Collections read back as
//! `api_collections: [{id, name}]` and the policy as `api_policies: [{id, name}]`; both are
//! normalised to workform's id attributes. `jwt_secret` is never returned (write-only).

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, data_array, deleted, expect_object, list_like, objects,
};

pub struct ApiClient;

const PATH: &str = "/api/v2/api_clients";

/// Optional string attributes sent and read back under the same name.
const STRINGS: &[&str] = &[
    "email",
    "jwt_method",
    "oidc_issuer",
    "oidc_jwks_uri",
    "access_profile_claim",
];

/// Optional list attributes: the API answers `[]` when unset.
const LISTS: &[&str] = &["required_claims", "allowed_issuers"];

/// The object inside a `{"data": {...}}` answer.
fn data_object(method: &str, path: &str, body: Json) -> Result<Object, ApiError> {
    match body {
        Json::Object(mut map) if map.get("data").is_some_and(Json::is_object) => {
            expect_object(method, path, map.remove("data").unwrap_or_default())
        }
        other => expect_object(method, path, other),
    }
}

/// The ids of a list of `{id, name}` objects.
fn ids_of(items: Option<&Json>) -> Vec<i64> {
    items
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_object().and_then(|o| o.i64_of("id")))
                .collect()
        })
        .unwrap_or_default()
}

/// Ids as a set: sorted and without duplicates, as workform orders `set(number)` values.
fn id_set(mut ids: Vec<i64>) -> Json {
    ids.sort_unstable();
    ids.dedup();
    json!(ids)
}

/// The API's client in workform's attribute names; `prior` (state or plan) decides how
/// equivalent values are spelled.
fn to_state(c: &Object, prior: Option<&Object>) -> Object {
    let prior_of = |key: &str| prior.and_then(|p| p.get(key));
    let mut out = Object::new();
    out.insert("id".into(), json!(c.i64_of("id")));
    for key in [
        "name",
        "description",
        "auth_type",
        "created_at",
        "updated_at",
    ] {
        out.insert(key.into(), c.get(key).cloned().unwrap_or(Json::Null));
    }
    for key in STRINGS {
        // The API may answer "" for an unset string.
        let v = c.get(*key).filter(|v| v.as_str() != Some("")).cloned();
        out.insert((*key).into(), v.unwrap_or(Json::Null));
    }
    for key in LISTS {
        out.insert((*key).into(), list_like(c.get(*key), prior_of(key)));
    }
    out.insert("project_id".into(), json!(c.i64_of("project_id")));
    out.insert("api_portal_id".into(), json!(c.i64_of("api_portal_id")));
    let collections = match c.get("api_collections") {
        Some(items) => ids_of(Some(items)),
        // Tolerate a read shape that carries the ids directly.
        None => c
            .get("api_collection_ids")
            .and_then(Json::as_array)
            .map(|a| a.iter().filter_map(Json::as_i64).collect())
            .unwrap_or_default(),
    };
    out.insert("api_collection_ids".into(), id_set(collections));
    let policy = ids_of(c.get("api_policies"))
        .first()
        .copied()
        .or_else(|| c.i64_of("api_policy_id"));
    out.insert("api_policy_id".into(), json!(policy));
    out
}

/// The create/update body: every configurable attribute but `auth_type` (create adds it).
fn body_of(planned: &Object) -> Json {
    let mut body = json!({
        "name": planned.get("name"),
        "api_collection_ids": planned.get("api_collection_ids").filter(|v| !v.is_null()).cloned().unwrap_or(json!([])),
        "project_id": planned.i64_of("project_id"),
        "api_portal_id": planned.i64_of("api_portal_id"),
        "api_policy_id": planned.i64_of("api_policy_id"),
    });
    if let Some(d) = planned.get("description").filter(|v| !v.is_null()) {
        body["description"] = d.clone();
    }
    for key in STRINGS {
        body[*key] = planned.get(*key).cloned().unwrap_or(Json::Null);
    }
    for key in LISTS {
        body[*key] = planned
            .get(*key)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(json!([]));
    }
    if let Some(secret) = planned.get("jwt_secret").filter(|v| !v.is_null()) {
        body["jwt_secret"] = secret.clone();
    }
    body
}

#[async_trait]
impl Resource for ApiClient {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_api_client").expect("schema exists")
    }

    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let items = api.get_all_pages(PATH, &[], data_array).await?;
        let live: HashMap<i64, Object> = objects(items)
            .into_iter()
            .filter_map(|c| Some((c.i64_of("id")?, c)))
            .collect();
        Ok(prior
            .iter()
            .map(|p| {
                let live = live.get(&p.i64_of("id")?)?;
                Some(to_state(live, Some(p)))
            })
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let mut body = body_of(planned);
        body["auth_type"] = planned.get("auth_type").cloned().unwrap_or(Json::Null);
        let answer = api.post(PATH, &[], &body).await?;
        Ok(to_state(&data_object("POST", PATH, answer)?, Some(planned)))
    }

    /// A full PUT (the API requires `name` and `api_collection_ids` every time).
    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let path = format!("{PATH}/{id}");
        let answer = api.put(&path, &body_of(planned)).await?;
        Ok(to_state(&data_object("PUT", &path, answer)?, Some(planned)))
    }

    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let items = api.get_all_pages(PATH, &[], data_array).await?;
        Ok(Some(
            objects(items).iter().map(|c| to_state(c, None)).collect(),
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

    fn obj(v: Json) -> Object {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn collections_read_back_as_a_sorted_set_of_ids() {
        let live = obj(
            json!({"data": {"id": 4, "name": "c", "auth_type": "token", "project_id": 9,
            "api_collections": [{"id": 2, "name": "b"}, {"id": 1, "name": "a"}],
            "api_policies": [{"id": 7, "name": "p"}], "required_claims": [], "email": ""}}),
        );
        let c = data_object("GET", PATH, Json::Object(live)).unwrap();
        let prior = obj(json!({"required_claims": null}));
        let state = to_state(&c, Some(&prior));
        assert_eq!(state["api_collection_ids"], json!([1, 2]));
        assert_eq!(state["api_policy_id"], json!(7));
        assert_eq!(state["required_claims"], Json::Null);
        assert_eq!(state["email"], Json::Null);
        let explicit_empty = obj(json!({"required_claims": []}));
        assert_eq!(
            to_state(&c, Some(&explicit_empty))["required_claims"],
            json!([])
        );
    }

    #[test]
    fn the_body_always_carries_name_and_collection_ids_and_never_auth_type() {
        let planned = obj(
            json!({"name": "c", "api_collection_ids": null, "auth_type": "jwt",
            "jwt_secret": "s3", "description": null}),
        );
        let body = body_of(&planned);
        assert_eq!(body["api_collection_ids"], json!([]));
        assert_eq!(body["jwt_secret"], "s3");
        assert!(body.get("auth_type").is_none());
        assert!(body.get("description").is_none());
    }
}
