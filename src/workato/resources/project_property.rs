//! `workato_project_property`: a project or environment property (upsert only; no delete).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{Deleted, Object, ObjectExt, Resource};

pub struct ProjectProperty;

/// `<project_id>:<name>` or `environment:<name>`, as Workato's own provider names them.
fn property_id(project_id: Option<i64>, name: &str) -> String {
    match project_id {
        Some(p) => format!("{p}:{name}"),
        None => format!("environment:{name}"),
    }
}

fn scope_query(project_id: Option<i64>) -> Vec<(&'static str, String)> {
    project_id
        .map(|p| vec![("project_id", p.to_string())])
        .unwrap_or_default()
}

/// Every property of one scope (a project, or the environment when `None`).
async fn list_scope(
    api: &Api,
    project_id: Option<i64>,
) -> Result<Option<HashMap<String, String>>, ApiError> {
    let mut query = vec![("prefix", String::new())];
    query.extend(scope_query(project_id));
    match api.get("/api/properties", &query).await {
        Ok(Json::Object(map)) => Ok(Some(
            map.into_iter()
                .map(|(k, v)| {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (k, v)
                })
                .collect(),
        )),
        Ok(_) => Err(ApiError::Decode {
            method: "GET".into(),
            path: "/api/properties".into(),
            message: "expected a map of property names to values".into(),
        }),
        // The project itself is gone, and its properties with it.
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn to_state(project_id: Option<i64>, name: &str, value: &str) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(property_id(project_id, name)));
    out.insert("name".into(), json!(name));
    out.insert("value".into(), json!(value));
    out.insert("project_id".into(), json!(project_id));
    out
}

#[async_trait]
impl Resource for ProjectProperty {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_project_property").expect("schema exists")
    }

    /// One list call per scope (project), however many properties it holds.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let mut scopes: BTreeMap<Option<i64>, Option<HashMap<String, String>>> = BTreeMap::new();
        for p in prior {
            scopes.entry(p.i64_of("project_id")).or_default();
        }
        for (scope, props) in scopes.iter_mut() {
            *props = list_scope(api, *scope).await?;
        }
        Ok(prior
            .iter()
            .map(|p| {
                let scope = p.i64_of("project_id");
                let name = p.str_of("name")?;
                let value = scopes.get(&scope)?.as_ref()?.get(name)?;
                Some(to_state(scope, name, value))
            })
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let project_id = planned.i64_of("project_id");
        let name = planned.str_of("name").unwrap_or_default();
        let value = planned.str_of("value").unwrap_or_default();
        let body = json!({ "properties": { name: value } });
        // An upsert: repeating it is harmless, so it may be retried like a PUT.
        api.post_idempotent("/api/properties", &scope_query(project_id), &body)
            .await?;
        Ok(to_state(project_id, name, value))
    }

    async fn update(
        &self,
        api: &Api,
        _prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        self.create(api, planned).await
    }

    /// Environment properties plus every project's properties (one list call per project).
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let projects = api
            .get_all_pages("/api/projects", &[], crate::workato::resource::bare_array)
            .await?;
        let mut scopes: Vec<Option<i64>> = vec![None];
        scopes.extend(
            crate::workato::resource::objects(projects)
                .iter()
                .filter_map(|p| p.i64_of("id"))
                .map(Some),
        );
        let mut out = Vec::new();
        for scope in scopes {
            let Some(props) = list_scope(api, scope).await? else {
                continue;
            };
            let mut names: Vec<_> = props.into_iter().collect();
            names.sort();
            out.extend(
                names
                    .iter()
                    .map(|(name, value)| to_state(scope, name, value)),
            );
        }
        Ok(Some(out))
    }

    async fn delete(&self, _api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        let name = prior.str_of("name").unwrap_or_default();
        Ok(Deleted::Forgotten(format!(
            "the Workato API cannot delete properties: {name:?} was removed from state but still exists in the workspace"
        )))
    }
}
