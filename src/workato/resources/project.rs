//! `workato_project`: created as a folder without a parent, managed through /api/projects.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, align_by_id, bare_array, deleted, expect_object, objects,
};

pub struct Project;

impl Project {
    /// Every project, by project id.
    async fn list(api: &Api) -> Result<HashMap<i64, Object>, ApiError> {
        let items = api.get_all_pages("/api/projects", &[], bare_array).await?;
        Ok(objects(items)
            .into_iter()
            .filter_map(|p| Some((p.i64_of("id")?, to_state(&p))))
            .collect())
    }
}

fn to_state(p: &Object) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(p.i64_of("id")));
    out.insert("name".into(), p.get("name").cloned().unwrap_or(Json::Null));
    out.insert(
        "description".into(),
        p.get("description").cloned().unwrap_or(Json::Null),
    );
    out.insert("folder_id".into(), json!(p.i64_of("folder_id")));
    out
}

#[async_trait]
impl Resource for Project {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_project").expect("schema exists")
    }

    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live = Project::list(api).await?;
        Ok(align_by_id(prior, &live))
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let name = planned.get("name").cloned().unwrap_or(Json::Null);
        let body = api
            .post("/api/folders", &[], &json!({ "name": name }))
            .await?;
        let folder = expect_object("POST", "/api/folders", body)?;
        let project_id = folder
            .i64_of("project_id")
            .ok_or_else(|| ApiError::Decode {
                method: "POST".into(),
                path: "/api/folders".into(),
                message: "the answer carries no project_id".into(),
            })?;
        let mut state = Object::new();
        state.insert("id".into(), json!(project_id));
        state.insert("name".into(), name.clone());
        state.insert("folder_id".into(), json!(folder.i64_of("id")));
        let description = planned.get("description").cloned().unwrap_or(Json::Null);
        if !description.is_null() {
            let path = format!("/api/projects/{project_id}");
            api.put(&path, &json!({ "name": name, "description": description }))
                .await?;
        }
        state.insert("description".into(), description);
        Ok(state)
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let mut body = json!({ "name": planned.get("name") });
        let description = planned.get("description").cloned().unwrap_or(Json::Null);
        if !description.is_null() {
            body["description"] = description;
        }
        api.put(&format!("/api/projects/{id}"), &body).await?;
        let mut state = prior.clone();
        for key in ["name", "description"] {
            if let Some(v) = planned.get(key).filter(|v| !v.is_null()) {
                state.insert(key.into(), v.clone());
            }
        }
        Ok(state)
    }

    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        Ok(Some(Project::list(api).await?.into_values().collect()))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        deleted(api.delete(&format!("/api/projects/{id}"), &[]).await)
    }
}
