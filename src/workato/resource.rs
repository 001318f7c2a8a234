//! The contract every resource type implements, and the registry of types.

use async_trait::async_trait;
use serde_json::{Map, Value as Json};

use super::client::Api;
use super::error::ApiError;
use crate::schema::Schema;

/// All attributes of one object, as JSON (config attributes plus computed ones).
pub type Object = Map<String, Json>;

/// What a delete did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deleted {
    /// The object is gone (or was already gone).
    Removed,
    /// The API cannot delete this kind of object: it was only dropped from state.
    Forgotten(String),
}

/// One Workato resource type: how to read, create, change and delete its objects.
///
/// Implementations translate between workform's attribute names (those of Workato's own
/// Terraform provider) and the API's shapes, and nothing else: ordering, state and
/// retries live elsewhere.
#[async_trait]
pub trait Resource: Send + Sync {
    fn schema(&self) -> &'static Schema;

    /// Reads the live objects behind `prior` (objects from state), in as few calls as the
    /// API allows: paginated lists rather than one GET per object. The result is aligned
    /// with `prior`; `None` means the object no longer exists. Write-only attributes are
    /// carried over from `prior`.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError>;

    /// Creates the object; returns all its attributes.
    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError>;

    /// Changes the object in place; returns all its attributes.
    async fn update(&self, api: &Api, prior: &Object, planned: &Object)
    -> Result<Object, ApiError>;

    /// Deletes the object. A 404 counts as done.
    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError>;

    /// Fills computed attributes that follow from the planned object itself, so references
    /// to them are known at plan time (a data table's `field_ids` from its columns).
    fn plan_computed(&self, planned: &mut std::collections::BTreeMap<String, crate::value::Value>) {
        let _ = planned;
    }

    /// Every object of this type in the workspace, in workform's attribute names, read with
    /// list calls. Used to import by id, to find an object by its natural key after an
    /// interrupted create, and by `generate`. `None`: this type cannot be enumerated.
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let _ = api;
        Ok(None)
    }
}

/// The implementation of a managed resource type.
pub fn resource(type_name: &str) -> Option<&'static dyn Resource> {
    use super::resources::*;
    Some(match type_name {
        "workato_project" => &project::Project,
        "workato_folder" => &folder::Folder,
        "workato_project_property" => &project_property::ProjectProperty,
        "workato_api_collection" => &api_collection::ApiCollection,
        "workato_api_endpoint" => &api_endpoint::ApiEndpoint,
        "workato_api_client" => &api_client::ApiClient,
        "workato_api_key" => &api_key::ApiKey,
        "workato_on_prem_group" => &on_prem_group::OnPremGroup,
        "workato_on_prem_agent" => &on_prem_agent::OnPremAgent,
        "workato_data_table" => &data_table::DataTable,
        "workato_connection" => &connection::Connection,
        "workato_tag" => &tag::Tag,
        "workato_tag_assignment" => &tag_assignment::TagAssignment,
        _ => return None,
    })
}

/// Small accessors for JSON objects returned by the API.
pub trait ObjectExt {
    fn i64_of(&self, key: &str) -> Option<i64>;
    fn str_of(&self, key: &str) -> Option<&str>;
}

impl ObjectExt for Object {
    /// Reads an id-like field that the API may send as a number or a numeric string.
    fn i64_of(&self, key: &str) -> Option<i64> {
        match self.get(key)? {
            Json::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Json::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    fn str_of(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }
}

/// Lines live objects (by numeric id) up with the prior records a refresh was asked about.
pub fn align_by_id(
    prior: &[&Object],
    live: &std::collections::HashMap<i64, Object>,
) -> Vec<Option<Object>> {
    prior
        .iter()
        .map(|p| p.i64_of("id").and_then(|id| live.get(&id).cloned()))
        .collect()
}

/// A list attribute read back from the API: an empty (or absent) list reads as unset when
/// the prior value was unset, so `[]` and "not set" never show as a change.
pub fn list_like(live: Option<&Json>, prior: Option<&Json>) -> Json {
    let empty =
        |v: Option<&Json>| v.is_none_or(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty));
    if empty(live) {
        prior
            .filter(|p| empty(Some(p)))
            .cloned()
            .unwrap_or(Json::Null)
    } else {
        live.cloned().unwrap_or(Json::Null)
    }
}

/// Bulk refresh of objects that are listed per parent (endpoints per collection, keys per
/// client): one `list` call per distinct parent, however many children are managed. The
/// result is aligned with `prior`: the live (raw) object, or `None` when it or its parent
/// (`list` answered `None`) is gone.
pub async fn refresh_by_parent<F, Fut>(
    prior: &[&Object],
    parent_key: &str,
    list: F,
) -> Result<Vec<Option<Object>>, ApiError>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<Object>>, ApiError>>,
{
    let mut by_parent: std::collections::BTreeMap<i64, Option<Vec<Object>>> =
        std::collections::BTreeMap::new();
    for p in prior {
        if let Some(parent) = p.i64_of(parent_key) {
            by_parent.entry(parent).or_default();
        }
    }
    for (parent, children) in by_parent.iter_mut() {
        *children = list(*parent).await?;
    }
    Ok(prior
        .iter()
        .map(|p| {
            let id = p.i64_of("id")?;
            let children = by_parent.get(&p.i64_of(parent_key)?)?.as_ref()?;
            children
                .iter()
                .find(|c| c.i64_of("id") == Some(id))
                .cloned()
        })
        .collect())
}

/// An unpaged list answered as a bare array (on-prem groups and agents).
pub async fn get_bare_list(api: &Api, path: &str) -> Result<Vec<Object>, ApiError> {
    let body = api.get(path, &[]).await?;
    let items = bare_array(body).ok_or_else(|| ApiError::Decode {
        method: "GET".into(),
        path: path.into(),
        message: "expected a list".into(),
    })?;
    Ok(objects(items))
}

/// The result of a DELETE: a 404 means the object is already gone, which is success.
pub fn deleted(result: Result<Json, ApiError>) -> Result<Deleted, ApiError> {
    match result {
        Ok(_) => Ok(Deleted::Removed),
        Err(e) if e.is_not_found() => Ok(Deleted::Removed),
        Err(e) => Err(e),
    }
}

/// The body of a single-object answer, as an object.
pub fn expect_object(method: &str, path: &str, body: Json) -> Result<Object, ApiError> {
    match body {
        Json::Object(map) => Ok(map),
        // Some endpoints document their single object inside an array.
        Json::Array(mut items) if items.len() == 1 && items[0].is_object() => {
            let Json::Object(map) = items.remove(0) else {
                unreachable!()
            };
            Ok(map)
        }
        other => Err(ApiError::Decode {
            method: method.into(),
            path: path.into(),
            message: format!("expected an object, got {}", short(&other)),
        }),
    }
}

/// The items of a list answer that is a bare array.
pub fn bare_array(body: Json) -> Option<Vec<Json>> {
    match body {
        Json::Array(items) => Some(items),
        _ => None,
    }
}

/// The items of a list answer wrapped as `{"data": [...]}`.
pub fn data_array(body: Json) -> Option<Vec<Json>> {
    match body {
        Json::Object(mut map) => match map.remove("data")? {
            Json::Array(items) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

/// A bare JSON array of objects, as objects.
pub fn objects(items: Vec<Json>) -> Vec<Object> {
    items
        .into_iter()
        .filter_map(|item| match item {
            Json::Object(map) => Some(map),
            _ => None,
        })
        .collect()
}

fn short(json: &Json) -> String {
    let text = json.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}
