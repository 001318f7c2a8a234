//! `data "workato_connection"`: an existing connection, found by name (and folder).

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::data_source::{DataSource, ReadError};
use crate::workato::resource::{Object, ObjectExt};
use crate::workato::resources::connection::{list_connections, to_state};

pub struct ConnectionLookup;

/// The data source's attributes from the API's connection object.
fn result(c: &Object) -> Object {
    let mut out = to_state(c);
    out.remove("input");
    out.remove("shell_connection");
    let tags: Vec<Json> = c
        .get("tags")
        .and_then(Json::as_array)
        .map(|tags| tags.iter().filter(|t| t.is_string()).cloned().collect())
        .unwrap_or_default();
    out.insert("tags".into(), Json::Array(tags));
    out
}

#[async_trait]
impl DataSource for ConnectionLookup {
    fn schema(&self) -> &'static Schema {
        schema::data_source("workato_connection").expect("schema exists")
    }

    /// One list call, filtered by folder on the server when a folder is given.
    async fn read(&self, api: &Api, args: &Object) -> Result<Object, ReadError> {
        let name = args.str_of("name").unwrap_or_default();
        let folder = args.i64_of("folder_id");
        let mut query = vec![("includes[]", "tags".to_string())];
        if let Some(f) = folder {
            query.push(("folder_id", f.to_string()));
        }
        let found: Vec<Object> = list_connections(api, &query)
            .await?
            .into_iter()
            .filter(|c| c.str_of("name") == Some(name))
            .filter(|c| folder.is_none_or(|f| c.i64_of("folder_id") == Some(f)))
            .collect();
        let place = match folder {
            Some(f) => format!("in folder {f}"),
            None => "in the workspace".to_string(),
        };
        match found.as_slice() {
            [one] => {
                let mut out = result(one);
                out.insert("name".into(), json!(name));
                Ok(out)
            }
            [] => Err(ReadError::NoMatch(format!(
                "no connection named {name:?} {place}"
            ))),
            many => {
                let ids: Vec<String> = many
                    .iter()
                    .map(|c| {
                        format!(
                            "{} (folder {})",
                            c.i64_of("id").unwrap_or_default(),
                            c.i64_of("folder_id").unwrap_or_default()
                        )
                    })
                    .collect();
                Err(ReadError::NoMatch(format!(
                    "{} connections are named {name:?} {place}: {}; set folder_id to choose one",
                    many.len(),
                    ids.join(", ")
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_carry_tags_but_no_write_only_fields() {
        let Json::Object(c) = json!({"id": 7, "provider": "jira", "application": "jira",
            "name": "J", "folder_id": 3, "tags": ["tag-a"]})
        else {
            unreachable!()
        };
        let r = result(&c);
        assert_eq!(r["connector_name"], json!("jira"));
        assert_eq!(r["tags"], json!(["tag-a"]));
        assert!(!r.contains_key("input") && !r.contains_key("shell_connection"));
    }
}
