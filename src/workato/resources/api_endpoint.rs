//! `workato_api_endpoint`: the `active` switch of an existing API endpoint.
//!
//! Endpoints come from a collection's OpenAPI import; the API can list them and enable or
//! disable them, nothing more. "Create" selects one (by method + path, or by name) and sets
//! its state; "delete" disables it and stops managing it.

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, bare_array, objects, refresh_by_parent,
};

pub struct ApiEndpoint;

const LIST: &str = "/api/api_endpoints";

/// Every endpoint of one collection (paged); `None` when the collection is gone.
async fn list_collection(api: &Api, collection: i64) -> Result<Option<Vec<Object>>, ApiError> {
    let query = [("api_collection_id", collection.to_string())];
    match api.get_all_pages(LIST, &query, bare_array).await {
        Ok(items) => Ok(Some(objects(items))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Paths compare without their leading `/` (the API drops it; specs write it).
fn same_path(a: &str, b: &str) -> bool {
    a.trim_start_matches('/') == b.trim_start_matches('/')
}

/// The API's endpoint in workform's attribute names. `spelled` is a prior or planned
/// object whose spelling of the path is kept when it names the same path.
fn to_state(e: &Object, spelled: Option<&Object>) -> Object {
    let live_path = e.str_of("path").unwrap_or_default();
    let path = spelled
        .and_then(|s| s.str_of("path"))
        .filter(|p| same_path(p, live_path))
        .unwrap_or(live_path);
    let mut out = Object::new();
    out.insert("id".into(), json!(e.i64_of("id")));
    out.insert(
        "api_collection_id".into(),
        json!(e.i64_of("api_collection_id")),
    );
    out.insert(
        "method".into(),
        json!(e.str_of("method").map(str::to_ascii_uppercase)),
    );
    out.insert("path".into(), json!(path));
    for key in ["name", "active", "url", "base_path"] {
        out.insert(key.into(), e.get(key).cloned().unwrap_or(Json::Null));
    }
    out.insert("flow_id".into(), json!(e.i64_of("flow_id")));
    out
}

fn describe(e: &Object) -> String {
    format!(
        "{} /{} ({})",
        e.str_of("method").unwrap_or("?"),
        e.str_of("path").unwrap_or("?").trim_start_matches('/'),
        e.str_of("name").unwrap_or("unnamed"),
    )
}

fn endpoint_list(endpoints: &[Object]) -> String {
    if endpoints.is_empty() {
        return "the collection has no endpoints (import an OpenAPI spec with the collection's `openapi_spec`)".into();
    }
    let all: Vec<String> = endpoints.iter().map(describe).collect();
    format!("its endpoints are: {}", all.join(", "))
}

/// The endpoint `planned` selects among a collection's endpoints, or why none is.
fn select<'a>(
    planned: &Object,
    collection: i64,
    endpoints: &'a [Object],
) -> Result<&'a Object, String> {
    let method = planned.str_of("method");
    let path = planned.str_of("path");
    let name = planned.str_of("name");
    let by_route = match (method, path) {
        (Some(m), Some(p)) => Some((m, p)),
        (None, None) => None,
        _ => {
            return Err(format!(
                "set `method` and `path` together (or select the endpoint by `name`); {}",
                endpoint_list(endpoints)
            ));
        }
    };
    if by_route.is_none() && name.is_none() {
        return Err(format!(
            "select the endpoint with `method` and `path`, or with `name`; {}",
            endpoint_list(endpoints)
        ));
    }
    let matches: Vec<&Object> = endpoints
        .iter()
        .filter(|e| {
            by_route.is_none_or(|(m, p)| {
                e.str_of("method")
                    .is_some_and(|em| em.eq_ignore_ascii_case(m))
                    && e.str_of("path").is_some_and(|ep| same_path(ep, p))
            })
        })
        .filter(|e| name.is_none_or(|n| e.str_of("name") == Some(n)))
        .collect();
    let wanted = match (by_route, name) {
        (Some((m, p)), Some(n)) => format!("{m} /{} named {n:?}", p.trim_start_matches('/')),
        (Some((m, p)), None) => format!("{m} /{}", p.trim_start_matches('/')),
        (None, Some(n)) => format!("named {n:?}"),
        (None, None) => unreachable!("checked above"),
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "API collection {collection} has no endpoint {wanted}; {}",
            endpoint_list(endpoints)
        )),
        many => Err(format!(
            "API collection {collection} has {} endpoints {wanted} ({}); select by `method` and `path` instead",
            many.len(),
            many.iter()
                .map(|e| describe(e))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `PUT /api/api_endpoints/:id/enable|disable`.
async fn set_active(api: &Api, id: i64, active: bool) -> Result<(), ApiError> {
    let verb = if active { "enable" } else { "disable" };
    api.put(&format!("{LIST}/{id}/{verb}"), &json!({})).await?;
    Ok(())
}

#[async_trait]
impl Resource for ApiEndpoint {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_api_endpoint").expect("schema exists")
    }

    /// One paged listing per collection, however many endpoints are managed in it.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live =
            refresh_by_parent(prior, "api_collection_id", |c| list_collection(api, c)).await?;
        Ok(prior
            .iter()
            .zip(live)
            .map(|(p, l)| l.map(|l| to_state(&l, Some(p))))
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let collection = planned.i64_of("api_collection_id").unwrap_or_default();
        let listing = format!("{LIST}?api_collection_id={collection}");
        let not_found = |message: String| ApiError::NotFound {
            method: "GET".into(),
            path: listing.clone(),
            message,
        };
        let endpoints = list_collection(api, collection)
            .await?
            .ok_or_else(|| not_found(format!("API collection {collection} does not exist")))?;
        let endpoint = select(planned, collection, &endpoints).map_err(not_found)?;
        let id = endpoint.i64_of("id").unwrap_or_default();
        let want = planned
            .get("active")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        if endpoint.get("active").and_then(Json::as_bool) != Some(want) {
            set_active(api, id, want).await?;
        }
        let mut state = to_state(endpoint, Some(planned));
        state.insert("active".into(), json!(want));
        Ok(state)
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let want = planned
            .get("active")
            .and_then(Json::as_bool)
            .unwrap_or(false);
        if prior.get("active").and_then(Json::as_bool) != Some(want) {
            set_active(api, id, want).await?;
        }
        let mut state = prior.clone();
        state.insert("active".into(), json!(want));
        Ok(state)
    }

    /// Every endpoint of every collection, paths written as specs write them (`/orders`).
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let items = api.get_all_pages(LIST, &[], bare_array).await?;
        Ok(Some(
            objects(items)
                .iter()
                .map(|e| {
                    let mut state = to_state(e, None);
                    if let Some(p) = state.str_of("path").filter(|p| !p.starts_with('/')) {
                        let slashed = format!("/{p}");
                        state.insert("path".into(), json!(slashed));
                    }
                    state
                })
                .collect(),
        ))
    }

    /// Disables the endpoint (it cannot be deleted); gone with its collection = done.
    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        if prior.get("active").and_then(Json::as_bool) == Some(false) {
            return Ok(Deleted::Removed);
        }
        match set_active(api, id, false).await {
            Ok(()) => Ok(Deleted::Removed),
            Err(e) if e.is_not_found() => Ok(Deleted::Removed),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Json) -> Object {
        v.as_object().unwrap().clone()
    }

    fn endpoints() -> Vec<Object> {
        vec![
            obj(json!({"id": 1, "method": "GET", "path": "users/{id}", "name": "getUser"})),
            obj(
                json!({"id": 2, "method": "DELETE", "path": "users/{id}", "name": "DELETE /users/{id}"}),
            ),
            obj(json!({"id": 3, "method": "POST", "path": "users", "name": "Create"})),
        ]
    }

    #[test]
    fn selects_by_method_and_path_with_or_without_the_leading_slash() {
        let eps = endpoints();
        let planned = obj(json!({"method": "GET", "path": "/users/{id}"}));
        assert_eq!(select(&planned, 9, &eps).unwrap()["id"], 1);
        let planned = obj(json!({"method": "delete", "path": "users/{id}"}));
        assert_eq!(select(&planned, 9, &eps).unwrap()["id"], 2);
    }

    #[test]
    fn selects_by_name() {
        let eps = endpoints();
        let planned = obj(json!({"name": "Create"}));
        assert_eq!(select(&planned, 9, &eps).unwrap()["id"], 3);
    }

    #[test]
    fn a_miss_lists_the_collections_endpoints() {
        let eps = endpoints();
        let planned = obj(json!({"method": "PUT", "path": "/users"}));
        let err = select(&planned, 9, &eps).unwrap_err();
        assert!(
            err.contains("API collection 9 has no endpoint PUT /users"),
            "{err}"
        );
        assert!(err.contains("GET /users/{id} (getUser)"), "{err}");
        assert!(err.contains("POST /users (Create)"), "{err}");
        let err = select(&obj(json!({"method": "GET"})), 9, &eps).unwrap_err();
        assert!(err.contains("`method` and `path` together"), "{err}");
        let err = select(&obj(json!({})), 9, &eps).unwrap_err();
        assert!(err.contains("or with `name`"), "{err}");
    }

    #[test]
    fn the_configured_spelling_of_the_path_is_kept() {
        let live = obj(
            json!({"id": 1, "api_collection_id": 9, "method": "GET", "path": "users/{id}",
            "name": "getUser", "active": true, "flow_id": "5"}),
        );
        let planned = obj(json!({"path": "/users/{id}"}));
        let state = to_state(&live, Some(&planned));
        assert_eq!(state["path"], "/users/{id}");
        assert_eq!(state["flow_id"], 5);
        let other = obj(json!({"path": "/orders"}));
        assert_eq!(to_state(&live, Some(&other))["path"], "users/{id}");
    }
}
