//! `workato_api_key`: an API key of an API client
//! (`/api/v2/api_clients/:api_client_id/api_keys`).
//!
//! The secret (`auth_token`) comes back only from create and `refresh_secret`; the engine
//! keeps it in state (`not_returned`). `active` changes through enable/disable, never PUT.
//! A change of `rotate_trigger` (kept only in state) rotates the secret.

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, data_array, deleted, expect_object, list_like, objects,
    refresh_by_parent,
};

pub struct ApiKey;

fn keys_path(client: i64) -> String {
    format!("/api/v2/api_clients/{client}/api_keys")
}

fn key_path(prior: &Object) -> String {
    let client = prior.i64_of("api_client_id").unwrap_or_default();
    let id = prior.i64_of("id").unwrap_or_default();
    format!("{}/{id}", keys_path(client))
}

/// The object inside a `{"data": {...}}` answer.
fn data_object(method: &str, path: &str, body: Json) -> Result<Object, ApiError> {
    match body {
        Json::Object(mut map) if map.get("data").is_some_and(Json::is_object) => {
            expect_object(method, path, map.remove("data").unwrap_or_default())
        }
        other => expect_object(method, path, other),
    }
}

/// Every key of one client (paged); `None` when the client is gone.
async fn list_client(api: &Api, client: i64) -> Result<Option<Vec<Object>>, ApiError> {
    match api.get_all_pages(&keys_path(client), &[], data_array).await {
        Ok(items) => Ok(Some(objects(items))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The API's key in workform's attribute names. `auth_token` is included only when the
/// answer carries it (create, rotation); otherwise the engine keeps the one in state.
fn to_state(k: &Object, client: i64, prior: Option<&Object>) -> Object {
    let prior_of = |key: &str| prior.and_then(|p| p.get(key));
    let mut out = Object::new();
    out.insert("id".into(), json!(k.i64_of("id")));
    out.insert("api_client_id".into(), json!(client));
    for key in ["name", "active", "auth_type", "active_since"] {
        out.insert(key.into(), k.get(key).cloned().unwrap_or(Json::Null));
    }
    for key in ["ip_allow_list", "ip_deny_list"] {
        out.insert(key.into(), list_like(k.get(key), prior_of(key)));
    }
    if let Some(token) = k
        .get("auth_token")
        .filter(|t| t.as_str().is_some_and(|s| !s.is_empty()))
    {
        out.insert("auth_token".into(), token.clone());
    }
    out
}

fn list_or_empty(planned: &Object, key: &str) -> Json {
    planned
        .get(key)
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or(json!([]))
}

#[async_trait]
impl Resource for ApiKey {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_api_key").expect("schema exists")
    }

    /// One paged listing per API client.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live = refresh_by_parent(prior, "api_client_id", |c| list_client(api, c)).await?;
        Ok(prior
            .iter()
            .zip(live)
            .map(|(p, l)| Some(to_state(&l?, p.i64_of("api_client_id")?, Some(p))))
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let client = planned.i64_of("api_client_id").unwrap_or_default();
        let path = keys_path(client);
        let body = json!({
            "name": planned.get("name"),
            "active": planned.get("active").and_then(Json::as_bool).unwrap_or(true),
            "ip_allow_list": list_or_empty(planned, "ip_allow_list"),
            "ip_deny_list": list_or_empty(planned, "ip_deny_list"),
        });
        let answer = data_object("POST", &path, api.post(&path, &[], &body).await?)?;
        Ok(to_state(&answer, client, Some(planned)))
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let client = prior.i64_of("api_client_id").unwrap_or_default();
        let path = key_path(prior);
        let mut state = prior.clone();
        let changed = |key: &str| {
            let empty = |v: Option<&Json>| v.is_none_or(Json::is_null);
            let (a, b) = (prior.get(key), planned.get(key));
            a != b && !(empty(a) && empty(b))
        };
        if ["name", "ip_allow_list", "ip_deny_list"]
            .iter()
            .any(|k| changed(k))
        {
            let body = json!({
                "name": planned.get("name"),
                "ip_allow_list": list_or_empty(planned, "ip_allow_list"),
                "ip_deny_list": list_or_empty(planned, "ip_deny_list"),
            });
            let answer = data_object("PUT", &path, api.put(&path, &body).await?)?;
            state.extend(to_state(&answer, client, Some(planned)));
        }
        let want = planned
            .get("active")
            .and_then(Json::as_bool)
            .unwrap_or(true);
        if prior.get("active").and_then(Json::as_bool) != Some(want) {
            let verb = if want { "enable" } else { "disable" };
            api.put(&format!("{path}/{verb}"), &json!({})).await?;
            state.insert("active".into(), json!(want));
        }
        if changed("rotate_trigger") {
            let rotate = format!("{path}/refresh_secret");
            let answer = data_object("PUT", &rotate, api.put(&rotate, &json!({})).await?)?;
            if answer.get("auth_token").is_none_or(Json::is_null) {
                return Err(ApiError::Decode {
                    method: "PUT".into(),
                    path: rotate,
                    message: "the answer carries no auth_token".into(),
                });
            }
            state.extend(to_state(&answer, client, Some(planned)));
        }
        // `active_since` moves with enable/disable: read the key back once when it did.
        if prior.get("active") != state.get("active")
            && let Some(keys) = list_client(api, client).await?
            && let Some(live) = keys.iter().find(|k| k.i64_of("id") == prior.i64_of("id"))
        {
            state.extend(to_state(live, client, Some(planned)));
        }
        Ok(state)
    }

    /// Every key of every client (one list per client). Secrets are not listed: an
    /// imported or adopted key has no `auth_token` until it is rotated.
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let clients = api
            .get_all_pages("/api/v2/api_clients", &[], data_array)
            .await?;
        let mut out = Vec::new();
        for client in objects(clients).iter().filter_map(|c| c.i64_of("id")) {
            for key in list_client(api, client).await?.unwrap_or_default() {
                out.push(to_state(&key, client, None));
            }
        }
        Ok(Some(out))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        deleted(api.delete(&key_path(prior), &[]).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Json) -> Object {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn reads_keep_the_token_only_when_the_answer_has_one() {
        let listed = obj(
            json!({"id": 3, "name": "k", "auth_type": "token", "ip_allow_list": [],
            "ip_deny_list": ["10.0.0.0/8"], "active": true, "active_since": "t"}),
        );
        let state = to_state(&listed, 9, Some(&obj(json!({"ip_allow_list": null}))));
        assert!(!state.contains_key("auth_token"));
        assert_eq!(state["ip_allow_list"], Json::Null);
        assert_eq!(state["ip_deny_list"], json!(["10.0.0.0/8"]));
        assert_eq!(state["api_client_id"], json!(9));
        let mut created = listed.clone();
        created.insert("auth_token".into(), json!("secret"));
        assert_eq!(to_state(&created, 9, None)["auth_token"], "secret");
    }
}
