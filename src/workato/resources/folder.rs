//! `workato_folder`: a folder under a project or another folder.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, align_by_id, bare_array, deleted, expect_object, objects,
};

pub struct Folder;

impl Folder {
    /// The whole folder tree in one paged listing (as Workato's own provider reads it),
    /// by folder id.
    async fn list(api: &Api, expected: usize) -> Result<HashMap<i64, Object>, ApiError> {
        let query = [("with_nested_folders", "true".to_string())];
        let items = api
            .get_all_pages_expecting("/api/folders", &query, bare_array, expected)
            .await?;
        Ok(objects(items)
            .into_iter()
            .filter_map(|f| Some((f.i64_of("id")?, to_state(&f))))
            .collect())
    }
}

/// The API's folder object in workform's attribute names (`parent_id` → `folder_id`).
fn to_state(f: &Object) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(f.i64_of("id")));
    out.insert("name".into(), f.get("name").cloned().unwrap_or(Json::Null));
    out.insert("folder_id".into(), json!(f.i64_of("parent_id")));
    out.insert("project_id".into(), json!(f.i64_of("project_id")));
    for key in ["created_at", "updated_at"] {
        out.insert(key.into(), f.get(key).cloned().unwrap_or(Json::Null));
    }
    out
}

#[async_trait]
impl Resource for Folder {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_folder").expect("schema exists")
    }

    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live = Folder::list(api, prior.len()).await?;
        Ok(align_by_id(prior, &live))
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let parent = planned.i64_of("folder_id").unwrap_or_default();
        // The API documents parent_id as a string; Workato's own provider sends one.
        let body = json!({ "name": planned.get("name"), "parent_id": parent.to_string() });
        let answer = api.post("/api/folders", &[], &body).await?;
        Ok(to_state(&expect_object("POST", "/api/folders", answer)?))
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let path = format!("/api/folders/{id}");
        let body = json!({ "name": planned.get("name"), "parent_id": planned.i64_of("folder_id") });
        let answer = api.put(&path, &body).await?;
        Ok(to_state(&expect_object("PUT", &path, answer)?))
    }

    /// Every folder that is not a project's own root folder (those are the projects).
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let query = [("with_nested_folders", "true".to_string())];
        let items = api
            .get_all_pages("/api/folders", &query, bare_array)
            .await?;
        Ok(Some(
            objects(items)
                .into_iter()
                .filter(|f| !f.get("is_project").and_then(Json::as_bool).unwrap_or(false))
                .map(|f| to_state(&f))
                .collect(),
        ))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        let id = prior.i64_of("id").unwrap_or_default();
        let force = prior.get("force").and_then(Json::as_bool).unwrap_or(false);
        let query: Vec<(&str, String)> = if force {
            vec![("force", "true".into())]
        } else {
            vec![]
        };
        deleted(api.delete(&format!("/api/folders/{id}"), &query).await)
    }
}
