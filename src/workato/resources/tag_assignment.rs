//! `workato_tag_assignment`: one tag on a set of connections and recipes.
//!
//! The API has no assignment object: `POST /api/tags_assignments` adds or removes tags on
//! assets, and the assets carry `tags: [handle]` when listed with `includes[]=tags`.
//! workform manages exactly the listed ids: assignments of the same tag made elsewhere are
//! neither reported nor removed.

use std::collections::{BTreeMap, HashMap, HashSet};

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use super::connection::list_connections;
use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::error::ApiError;
use crate::workato::resource::{Deleted, Object, ObjectExt, Resource, objects};

pub struct TagAssignment;

const ASSIGN: &str = "/api/tags_assignments";
const RECIPES: &str = "/api/recipes";

/// Which asset list an id belongs to.
#[derive(Clone, Copy)]
enum Asset {
    Connection,
    Recipe,
}

impl Asset {
    fn attr(self) -> &'static str {
        match self {
            Asset::Connection => "connection_ids",
            Asset::Recipe => "recipe_ids",
        }
    }
}

/// Live tags per asset id: `None` when that list was not read (nothing asked for it).
#[derive(Default)]
struct Live {
    connections: Option<HashMap<i64, HashSet<String>>>,
    recipes: Option<HashMap<i64, HashSet<String>>>,
}

impl Live {
    fn of(&self, asset: Asset) -> Option<&HashMap<i64, HashSet<String>>> {
        match asset {
            Asset::Connection => self.connections.as_ref(),
            Asset::Recipe => self.recipes.as_ref(),
        }
    }

    /// Whether asset `id` exists and carries `handle`.
    fn carries(&self, asset: Asset, id: i64, handle: &str) -> bool {
        self.of(asset)
            .and_then(|assets| assets.get(&id))
            .is_some_and(|tags| tags.contains(handle))
    }
}

/// The recipe list page: `{"items": [...]}` (or a bare array).
fn recipe_items(body: Json) -> Option<Vec<Json>> {
    match body {
        Json::Array(items) => Some(items),
        Json::Object(mut map) => match map.remove("items")? {
            Json::Array(items) => Some(items),
            _ => None,
        },
        _ => None,
    }
}

fn tags_by_id(assets: Vec<Object>) -> HashMap<i64, HashSet<String>> {
    assets
        .into_iter()
        .filter_map(|a| {
            let tags = a
                .get("tags")
                .and_then(Json::as_array)
                .map(|tags| {
                    tags.iter()
                        .filter_map(|t| match t {
                            Json::String(h) => Some(h.clone()),
                            // Leniently accept tag objects too.
                            Json::Object(o) => o.get("handle")?.as_str().map(str::to_string),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some((a.i64_of("id")?, tags))
        })
        .collect()
}

/// Reads the tags of every connection and/or recipe: one list call per asset kind asked for.
async fn read_live(api: &Api, connections: bool, recipes: bool) -> Result<Live, ApiError> {
    let query = [("includes[]", "tags".to_string())];
    let mut live = Live::default();
    if connections {
        live.connections = Some(tags_by_id(list_connections(api, &query).await?));
    }
    if recipes {
        let items = api.get_all_pages(RECIPES, &query, recipe_items).await?;
        live.recipes = Some(tags_by_id(objects(items)));
    }
    Ok(live)
}

fn ids(obj: &Object, asset: Asset) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for v in obj
        .get(asset.attr())
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let id = match v {
            Json::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            Json::String(s) => s.parse().ok(),
            _ => None,
        };
        if let Some(id) = id
            && !out.contains(&id)
        {
            out.push(id);
        }
    }
    out
}

fn handle_of(obj: &Object) -> &str {
    obj.str_of("tag_handle")
        .or_else(|| obj.str_of("id"))
        .unwrap_or_default()
}

fn to_state(handle: &str, connection_ids: &[i64], recipe_ids: &[i64]) -> Object {
    let mut out = Object::new();
    out.insert("id".into(), json!(handle));
    out.insert("tag_handle".into(), json!(handle));
    out.insert("connection_ids".into(), json!(connection_ids));
    out.insert("recipe_ids".into(), json!(recipe_ids));
    out
}

/// One `POST /api/tags_assignments` adding or removing `handle` on the given assets; none
/// when there are no assets (the API requires at least one id).
async fn post(
    api: &Api,
    verb: &str,
    handle: &str,
    connection_ids: &[i64],
    recipe_ids: &[i64],
) -> Result<(), ApiError> {
    if connection_ids.is_empty() && recipe_ids.is_empty() {
        return Ok(());
    }
    let mut body = Object::new();
    body.insert(verb.into(), json!([handle]));
    if !connection_ids.is_empty() {
        body.insert("connection_ids".into(), json!(connection_ids));
    }
    if !recipe_ids.is_empty() {
        body.insert("recipe_ids".into(), json!(recipe_ids));
    }
    api.post(ASSIGN, &[], &Json::Object(body)).await?;
    Ok(())
}

/// Removes `handle` from the assets that still carry it (a deleted asset, or one untagged
/// meanwhile, is skipped: the API rejects unknown ids). Reads only the lists it needs.
async fn remove(
    api: &Api,
    handle: &str,
    connection_ids: &[i64],
    recipe_ids: &[i64],
) -> Result<(), ApiError> {
    if connection_ids.is_empty() && recipe_ids.is_empty() {
        return Ok(());
    }
    let live = read_live(api, !connection_ids.is_empty(), !recipe_ids.is_empty()).await?;
    let still = |asset: Asset, list: &[i64]| -> Vec<i64> {
        list.iter()
            .copied()
            .filter(|id| live.carries(asset, *id, handle))
            .collect()
    };
    let connections = still(Asset::Connection, connection_ids);
    let recipes = still(Asset::Recipe, recipe_ids);
    post(api, "remove_tags", handle, &connections, &recipes).await
}

#[async_trait]
impl Resource for TagAssignment {
    fn schema(&self) -> &'static Schema {
        schema::resource("workato_tag_assignment").expect("schema exists")
    }

    /// At most two list calls for every assignment: connections (and recipes, when any
    /// assignment lists recipes) with `includes[]=tags`. Each managed id that still carries
    /// the tag is kept, in the prior order.
    async fn refresh(&self, api: &Api, prior: &[&Object]) -> Result<Vec<Option<Object>>, ApiError> {
        let wants = |asset: Asset| prior.iter().any(|p| !ids(p, asset).is_empty());
        let live = read_live(api, wants(Asset::Connection), wants(Asset::Recipe)).await?;
        Ok(prior
            .iter()
            .map(|p| {
                let handle = handle_of(p);
                let kept = |asset: Asset| -> Vec<i64> {
                    ids(p, asset)
                        .into_iter()
                        .filter(|id| live.carries(asset, *id, handle))
                        .collect()
                };
                Some(to_state(
                    handle,
                    &kept(Asset::Connection),
                    &kept(Asset::Recipe),
                ))
            })
            .collect())
    }

    async fn create(&self, api: &Api, planned: &Object) -> Result<Object, ApiError> {
        let handle = handle_of(planned);
        let connections = ids(planned, Asset::Connection);
        let recipes = ids(planned, Asset::Recipe);
        post(api, "add_tags", handle, &connections, &recipes).await?;
        Ok(to_state(handle, &connections, &recipes))
    }

    /// Adds the tag to the new ids, then removes it from the dropped ones.
    async fn update(
        &self,
        api: &Api,
        prior: &Object,
        planned: &Object,
    ) -> Result<Object, ApiError> {
        let handle = handle_of(planned);
        let diff = |asset: Asset| -> (Vec<i64>, Vec<i64>, Vec<i64>) {
            let (old, new) = (ids(prior, asset), ids(planned, asset));
            let added = new.iter().copied().filter(|id| !old.contains(id)).collect();
            let dropped = old.iter().copied().filter(|id| !new.contains(id)).collect();
            (new, added, dropped)
        };
        let (connections, added_c, dropped_c) = diff(Asset::Connection);
        let (recipes, added_r, dropped_r) = diff(Asset::Recipe);
        post(api, "add_tags", handle, &added_c, &added_r).await?;
        remove(api, handle, &dropped_c, &dropped_r).await?;
        Ok(to_state(handle, &connections, &recipes))
    }

    /// One assignment per tag handle carried by any connection or recipe, listing every
    /// asset that carries it (what an import by tag handle adopts).
    async fn list_all(&self, api: &Api) -> Result<Option<Vec<Object>>, ApiError> {
        let live = read_live(api, true, true).await?;
        let mut by_handle: BTreeMap<String, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
        for asset in [Asset::Connection, Asset::Recipe] {
            let mut assets: Vec<(&i64, &HashSet<String>)> =
                live.of(asset).into_iter().flatten().collect();
            assets.sort_by_key(|(id, _)| **id);
            for (id, tags) in assets {
                for handle in tags {
                    let entry = by_handle.entry(handle.clone()).or_default();
                    match asset {
                        Asset::Connection => entry.0.push(*id),
                        Asset::Recipe => entry.1.push(*id),
                    }
                }
            }
        }
        Ok(Some(
            by_handle
                .iter()
                .map(|(handle, (connections, recipes))| to_state(handle, connections, recipes))
                .collect(),
        ))
    }

    async fn delete(&self, api: &Api, prior: &Object) -> Result<Deleted, ApiError> {
        let handle = handle_of(prior);
        match remove(
            api,
            handle,
            &ids(prior, Asset::Connection),
            &ids(prior, Asset::Recipe),
        )
        .await
        {
            Ok(()) => Ok(Deleted::Removed),
            // The tag itself is gone, and its assignments with it.
            Err(e) if e.is_not_found() => Ok(Deleted::Removed),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Json) -> Object {
        match v {
            Json::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn ids_accept_numbers_and_numeric_strings_once() {
        let o = obj(json!({"connection_ids": [3, "4", 3.0, "x"], "recipe_ids": null}));
        assert_eq!(ids(&o, Asset::Connection), vec![3, 4]);
        assert!(ids(&o, Asset::Recipe).is_empty());
    }

    #[test]
    fn asset_tags_are_read_from_includes() {
        let assets = objects(vec![
            json!({"id": 1, "tags": ["tag-a", "tag-b"]}),
            json!({"id": 2, "tags": [{"handle": "tag-a"}]}),
            json!({"id": 3}),
        ]);
        let live = Live {
            connections: Some(tags_by_id(assets)),
            recipes: None,
        };
        assert!(live.carries(Asset::Connection, 1, "tag-b"));
        assert!(live.carries(Asset::Connection, 2, "tag-a"));
        assert!(!live.carries(Asset::Connection, 3, "tag-a"));
        assert!(!live.carries(Asset::Recipe, 1, "tag-a"));
        assert_eq!(
            recipe_items(json!({"items": [{"id": 1}]})).unwrap().len(),
            1
        );
    }
}
