//! `workato_tag`: a tag, identified by its server-generated handle.
//!
//! The list answers `{"data":{"tags":[...]}}` (the shape the `wk` CLI settled on against
//! the live API); create and update answer a bare tag.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{
    Deleted, Object, ObjectExt, Resource, deleted, expect_object, objects,
};

pub struct Tag;

const LIST: &str = "/api/tags";

/// The items of a tag list page: `{"data":{"tags":[...]}}` (or, leniently, `{"data":[...]}`
/// or a bare array).
fn tag_items(body: Json) -> Option<Vec<Json>> {
    match body {
        Json::Array(items) => Some(items),
        Json::Object(mut map) => match map.remove("data")? {
            Json::Array(items) => Some(items),
            Json::Object(mut data) => match data.remove("tags")? {
                Json::Array(items) => Some(items),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// A single tag answer: bare, or wrapped in `{"data": ...}`.
fn single(method: &str, path: &str, body: Json) -> Result<Object, ApiError> {
    let body = match body {
        Json::Object(mut map) if !map.contains_key("handle") && map.contains_key("data") => {
            map.remove("data").unwrap_or(Json::Null)
        }
        other => other,
    };
    expect_object(method, path, body)
}

/// Every tag of the workspace, by handle.
async fn list_tags(api: &Api) -> Result<HashMap<String, Object>, ApiError> {
    let items = api.get_all_pages(LIST, &[], tag_items).await?;
    Ok(objects(items)
        .into_iter()
        .filter_map(|t| Some((t.str_of("handle")?.to_string(), to_state(&t))))
        .collect())
}

fn to_state(t: &Object) -> Object {
    let mut out = Object::new();
    let handle = t.get("handle").cloned().unwrap_or(Json::Null);
    out.insert("id".into(), handle.clone());
    out.insert("handle".into(), handle);
    for key in ["title", "description", "color", "created_at", "updated_at"] {
        out.insert(key.into(), t.get(key).cloned().unwrap_or(Json::Null));
    }
    out
}

fn handle_of(obj: &Object) -> &str {
    obj.str_of("id")
        .or_else(|| obj.str_of("handle"))
        .unwrap_or_default()
}

/// title, description and colour as the API takes them; an unset colour is left to the API.
fn body_of(planned: &Object) -> Json {
    let mut body = Object::new();
    body.insert(
        "title".into(),
        planned.get("title").cloned().unwrap_or(Json::Null),
    );
    body.insert(
        "description".into(),
        planned.get("description").cloned().unwrap_or(Json::Null),
    );
    if let Some(color) = planned.str_of("color") {
        body.insert("color".into(), json!(color));
    }
    Json::Object(body)
}

#[async_trait]
impl Resource for Tag {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_tag").expect("schema exists")
    }

    /// The paged tag list, once for every tag.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let live = list_tags(api).await?;
        Ok(prior
            .iter()
            .map(|p| live.get(handle_of(p)).cloned())
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let answer = api.post(LIST, &[], &body_of(planned)).await?;
        let tag = single("POST", LIST, answer)?;
        if tag.str_of("handle").is_none() {
            return Err(ApiError::Decode {
                method: "POST".into(),
                path: LIST.into(),
                message: "the answer carries no tag handle".into(),
            });
        }
        Ok(to_state(&tag))
    }

    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let path = format!("{LIST}/{}", handle_of(prior));
        let answer = api.put(&path, &body_of(planned)).await?;
        let mut state = to_state(&single("PUT", &path, answer)?);
        // The handle never changes; keep it even if an answer leaves it out.
        if state.str_of("id").is_none() {
            let handle = json!(handle_of(prior));
            state.insert("id".into(), handle.clone());
            state.insert("handle".into(), handle);
        }
        Ok(state)
    }

    /// Every tag, for import (by handle) and crash recovery (by title).
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        Ok(Some(list_tags(api).await?.into_values().collect()))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        deleted(
            api.delete(&format!("{LIST}/{}", handle_of(prior)), &[])
                .await,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_pages_are_read_from_the_data_tags_wrapper() {
        let page = json!({"data": {"tags": [{"handle": "tag-a", "title": "A"}]}});
        assert_eq!(tag_items(page).unwrap().len(), 1);
        assert_eq!(tag_items(json!({"data": []})).unwrap().len(), 0);
        assert!(tag_items(json!({"tags": []})).is_none());
    }

    #[test]
    fn the_handle_is_the_id() {
        let Json::Object(t) = json!({"handle": "tag-ANgdXgTF-bANz3H", "title": "Accounting",
            "description": null, "color": "blue"})
        else {
            unreachable!()
        };
        let s = to_state(&t);
        assert_eq!(s["id"], json!("tag-ANgdXgTF-bANz3H"));
        assert_eq!(s["handle"], s["id"]);
        assert_eq!(s["color"], json!("blue"));
    }
}
