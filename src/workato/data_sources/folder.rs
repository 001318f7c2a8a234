//! `data "workato_folder"`: a folder found by `id` or by `path` from the Home folder.
//!
//! Both answer from one paged listing of the whole tree
//! (`GET /api/folders?with_nested_folders=true`); a path lookup also reads the Home
//! folder's id from `GET /api/users/me`.

use std::collections::HashMap;

use async_trait::async_trait;
use serde_json::json;

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::data_source::{DataSource, ReadError};
use crate::workato::error::ApiError;
use crate::workato::resource::{Object, ObjectExt, bare_array, expect_object, objects};

pub struct Folder;

/// Every folder below Home, by id.
async fn tree(api: &Api) -> Result<HashMap<i64, Object>, ApiError> {
    let query = [("with_nested_folders", "true".to_string())];
    let items = api
        .get_all_pages("/api/folders", &query, bare_array)
        .await?;
    Ok(objects(items)
        .into_iter()
        .filter_map(|f| Some((f.i64_of("id")?, f)))
        .collect())
}

async fn root_folder_id(api: &Api) -> Result<Option<i64>, ApiError> {
    let me = expect_object("GET", "/api/users/me", api.get("/api/users/me", &[]).await?)?;
    Ok(me.i64_of("root_folder_id"))
}

/// The folder's names from the top of the tree, joined with `/`.
fn path_of(folders: &HashMap<i64, Object>, id: i64) -> String {
    let mut names = Vec::new();
    let mut at = folders.get(&id);
    // The tree has no cycles; the bound only guards against a broken answer.
    while let Some(f) = at
        && names.len() <= folders.len()
    {
        names.push(f.str_of("name").unwrap_or_default().to_string());
        at = f.i64_of("parent_id").and_then(|p| folders.get(&p));
    }
    names.reverse();
    names.join("/")
}

/// The segments of a path such as `"Shared/Common"` (one leading or trailing `/` allowed).
fn segments(path: &str) -> Result<Vec<&str>, ReadError> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let parts: Vec<&str> = trimmed.split('/').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ReadError::NoMatch(format!(
            "the folder path {path:?} has an empty segment; write folder names separated by single slashes, e.g. \"Shared/Common\""
        )));
    }
    Ok(parts)
}

/// Walks `path` down from the Home folder.
fn find_by_path(
    folders: &HashMap<i64, Object>,
    root: Option<i64>,
    path: &str,
) -> Result<i64, ReadError> {
    let parts = segments(path)?;
    let mut parent = root;
    let mut walked: Vec<&str> = Vec::new();
    for part in parts {
        let mut children: Vec<i64> = folders
            .iter()
            .filter(|(_, f)| f.str_of("name") == Some(part))
            .filter(|(_, f)| match parent {
                Some(p) => f.i64_of("parent_id") == Some(p),
                // Without a known Home id, the top level is whatever has no listed parent.
                None => f
                    .i64_of("parent_id")
                    .is_none_or(|p| !folders.contains_key(&p)),
            })
            .map(|(id, _)| *id)
            .collect();
        children.sort_unstable();
        let place = if walked.is_empty() {
            "the Home folder".to_string()
        } else {
            format!("folder {:?}", walked.join("/"))
        };
        match children.as_slice() {
            [one] => parent = Some(*one),
            [] => {
                return Err(ReadError::NoMatch(format!(
                    "no folder at path {path:?}: {place} has no folder named {part:?}"
                )));
            }
            many => {
                let ids: Vec<String> = many.iter().map(i64::to_string).collect();
                return Err(ReadError::NoMatch(format!(
                    "the folder path {path:?} is ambiguous: {place} holds {} folders named {part:?} (ids {}); look it up by id instead",
                    many.len(),
                    ids.join(", ")
                )));
            }
        }
        walked.push(part);
    }
    Ok(parent.expect("a path has at least one segment"))
}

#[async_trait]
impl DataSource for Folder {
    fn schema(&self) -> &'static Schema {
        schema::data_source("workato_folder").expect("schema exists")
    }

    async fn read(&self, api: &Api, args: &Object) -> Result<Object, ReadError> {
        let by_id = args.i64_of("id");
        let by_path = args.str_of("path");
        let (folders, id) = match (by_id, by_path) {
            (Some(id), None) => {
                let folders = tree(api).await?;
                if !folders.contains_key(&id) {
                    return Err(ReadError::NoMatch(format!("no folder has id {id}")));
                }
                (folders, id)
            }
            (None, Some(path)) => {
                let root = root_folder_id(api).await?;
                let folders = tree(api).await?;
                let id = find_by_path(&folders, root, path)?;
                (folders, id)
            }
            (Some(_), Some(_)) => {
                return Err(ReadError::NoMatch(
                    "set only one of id and path to choose the folder".into(),
                ));
            }
            (None, None) => {
                return Err(ReadError::NoMatch(
                    "set id or path (such as \"Shared/Common\") to choose the folder".into(),
                ));
            }
        };
        let f = &folders[&id];
        let mut out = Object::new();
        out.insert("id".into(), json!(id));
        out.insert("path".into(), json!(path_of(&folders, id)));
        out.insert("name".into(), json!(f.str_of("name")));
        out.insert("folder_id".into(), json!(f.i64_of("parent_id")));
        out.insert("project_id".into(), json!(f.i64_of("project_id")));
        out.insert(
            "is_project".into(),
            json!(
                f.get("is_project")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false)
            ),
        );
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folders() -> HashMap<i64, Object> {
        let list = json!([
            {"id": 10, "name": "Shared", "parent_id": 1, "is_project": true, "project_id": 5},
            {"id": 11, "name": "Common", "parent_id": 10, "is_project": false, "project_id": 5},
            {"id": 12, "name": "Twin", "parent_id": 11, "project_id": 5},
            {"id": 13, "name": "Twin", "parent_id": 11, "project_id": 5},
            {"id": 20, "name": "Common", "parent_id": 1, "is_project": true, "project_id": 6}
        ]);
        objects(list.as_array().unwrap().clone())
            .into_iter()
            .map(|f| (f.i64_of("id").unwrap(), f))
            .collect()
    }

    fn message(e: ReadError) -> String {
        e.to_string()
    }

    #[test]
    fn paths_resolve_from_home() {
        let f = folders();
        assert_eq!(find_by_path(&f, Some(1), "Shared/Common").unwrap(), 11);
        assert_eq!(find_by_path(&f, Some(1), "/Shared/Common/").unwrap(), 11);
        assert_eq!(find_by_path(&f, Some(1), "Common").unwrap(), 20);
        assert_eq!(find_by_path(&f, None, "Shared/Common").unwrap(), 11);
        assert_eq!(path_of(&f, 11), "Shared/Common");
    }

    #[test]
    fn misses_and_ambiguities_say_what_was_looked_for() {
        let f = folders();
        let e = message(find_by_path(&f, Some(1), "Shared/Missing").unwrap_err());
        assert!(
            e.contains("folder \"Shared\" has no folder named \"Missing\""),
            "{e}"
        );
        let e = message(find_by_path(&f, Some(1), "Nope").unwrap_err());
        assert!(
            e.contains("the Home folder has no folder named \"Nope\""),
            "{e}"
        );
        let e = message(find_by_path(&f, Some(1), "Shared/Common/Twin").unwrap_err());
        assert!(e.contains("2 folders named \"Twin\" (ids 12, 13)"), "{e}");
        let e = message(find_by_path(&f, Some(1), "Shared//Common").unwrap_err());
        assert!(e.contains("empty segment"), "{e}");
    }
}
