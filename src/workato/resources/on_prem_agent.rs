//! `workato_on_prem_agent`: an on-prem agent (`/api/on_prem_agents`).
//!
//! The list is not paged. The activation code is a secret served only by
//! `GET /api/on_prem_agents/:id/activation_code`: it is read once, right after creation, and
//! kept in state (`not_returned`).

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, align_by_id, deleted, expect_object,
};

pub struct OnPremAgent;

const PATH: &str = "/api/on_prem_agents";

fn to_state(a: &Object) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(a.i64_of("id")));
    out.insert(
        "on_prem_group_id".into(),
        json!(a.i64_of("on_prem_group_id")),
    );
    for key in [
        "name",
        "os",
        "awaiting_setup",
        "cn",
        "state",
        "enabled",
        "activated",
        "created_at",
        "updated_at",
    ] {
        out.insert(key.into(), a.get(key).cloned().unwrap_or(Json::Null));
    }
    out
}

/// The code from `{"activation_code": "..."}` (a bare string is accepted too).
fn activation_code(path: &str, body: Json) -> Result<String, ApiError> {
    let code = match &body {
        Json::String(s) => Some(s.clone()),
        Json::Object(map) => map
            .get("activation_code")
            .or_else(|| map.get("data").and_then(|d| d.get("activation_code")))
            .and_then(Json::as_str)
            .map(str::to_string),
        _ => None,
    };
    code.filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::Decode {
            method: "GET".into(),
            path: path.into(),
            message: "the answer carries no activation_code".into(),
        })
}

/// The whole (unpaged) list.
async fn list(api: &Api) -> Result<Vec<Object>, ApiError> {
    crate::workato::resource::get_bare_list(api, PATH).await
}

#[async_trait]
impl Resource for OnPremAgent {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_on_prem_agent").expect("schema exists")
    }

    /// One (unpaged) list call.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let items = list(api).await?;
        let live: HashMap<i64, Object> = items
            .into_iter()
            .filter_map(|a| Some((a.i64_of("id")?, to_state(&a))))
            .collect();
        Ok(align_by_id(prior, &live))
    }

    /// Registers the agent, then reads its activation code. When the code cannot be read
    /// the agent is deleted again, so a failed create leaves nothing behind.
    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let mut body = json!({
            "name": planned.get("name"),
            "os": planned.get("os"),
            "on_prem_group_id": planned.i64_of("on_prem_group_id"),
        });
        if let Some(awaiting) = planned.get("awaiting_setup").and_then(Json::as_bool) {
            body["awaiting_setup"] = json!(awaiting);
        }
        let answer = api.post(PATH, &[], &body).await?;
        let mut state = to_state(&expect_object("POST", PATH, answer)?);
        let id = state.i64_of("id").unwrap_or_default();
        let code_path = format!("{PATH}/{id}/activation_code");
        let code = match api.get(&code_path, &[]).await {
            Ok(body) => activation_code(&code_path, body),
            Err(e) => Err(e),
        };
        match code {
            Ok(code) => {
                state.insert("activation_code".into(), json!(code));
                Ok(state)
            }
            Err(e) => {
                let _ = api.delete(&format!("{PATH}/{id}"), &[]).await;
                Err(e)
            }
        }
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let path = format!("{PATH}/{id}");
        let mut body = json!({
            "name": planned.get("name"),
            "on_prem_group_id": planned.i64_of("on_prem_group_id"),
        });
        if let Some(awaiting) = planned.get("awaiting_setup").and_then(Json::as_bool) {
            body["awaiting_setup"] = json!(awaiting);
        }
        let answer = api.put(&path, &body).await?;
        Ok(to_state(&expect_object("PUT", &path, answer)?))
    }

    /// Every agent. Activation codes are not listed: an imported or adopted agent has no
    /// `activation_code` in state.
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let items = list(api).await?;
        Ok(Some(items.iter().map(to_state).collect()))
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
    fn the_activation_code_is_read_from_its_object() {
        let code = activation_code("p", json!({"activation_code": "abc"})).unwrap();
        assert_eq!(code, "abc");
        assert!(activation_code("p", json!({})).is_err());
        assert!(activation_code("p", json!({"activation_code": ""})).is_err());
    }

    #[test]
    fn ids_read_back_as_numbers() {
        let a = json!({"id": "5", "on_prem_group_id": "7", "name": "a", "os": "linux"});
        let state = to_state(a.as_object().unwrap());
        assert_eq!(state["id"], json!(5));
        assert_eq!(state["on_prem_group_id"], json!(7));
    }
}
