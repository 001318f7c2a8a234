//! `data "workato_data_table"`: a data table found by name, optionally within one folder.

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::data_source::{DataSource, ReadError};
use crate::workato::resource::{Object, ObjectExt};
use crate::workato::resources::data_table::{api_columns, field_ids, list_tables};

pub struct DataTable;

/// The API's columns as the `columns` attribute.
fn columns(t: &Object) -> Json {
    Json::Array(
        api_columns(t)
            .iter()
            .map(|c| {
                let get = |key: &str| c.get(key).cloned().unwrap_or(Json::Null);
                json!({
                    "name": get("name"),
                    "type": get("type"),
                    "field_id": get("field_id"),
                    "optional": c.get("optional").and_then(Json::as_bool).unwrap_or(false),
                    "multivalue": c.get("multivalue").and_then(Json::as_bool).unwrap_or(false),
                    "hint": get("hint"),
                    "default_value": get("default_value"),
                    "relation": match c.get("relation") {
                        Some(Json::Object(r)) => json!({
                            "table_id": r.get("table_id").cloned().unwrap_or(Json::Null),
                            "field_id": r.get("field_id").cloned().unwrap_or(Json::Null),
                        }),
                        _ => Json::Null,
                    },
                })
            })
            .collect(),
    )
}

#[async_trait]
impl DataSource for DataTable {
    fn schema(&self) -> &'static Schema {
        schema::data_source("workato_data_table").expect("schema exists")
    }

    /// One paged `GET /api/data_tables` (the API has no name or folder filter).
    async fn read(&self, api: &Api, args: &Object) -> Result<Object, ReadError> {
        let name = args.str_of("name").unwrap_or_default();
        let folder = args.i64_of("folder_id");
        let tables = list_tables(api).await?;
        let matches: Vec<&Object> = tables
            .iter()
            .filter(|t| t.str_of("name") == Some(name))
            .filter(|t| folder.is_none() || t.i64_of("folder_id") == folder)
            .collect();
        let table = match (matches.as_slice(), folder) {
            ([one], _) => *one,
            ([], Some(folder)) => {
                return Err(ReadError::NoMatch(format!(
                    "no data table named {name:?} in folder {folder}"
                )));
            }
            ([], None) => {
                return Err(ReadError::NoMatch(format!(
                    "no data table is named {name:?} (searched every folder)"
                )));
            }
            (many, _) => {
                let mut folders: Vec<i64> =
                    many.iter().filter_map(|t| t.i64_of("folder_id")).collect();
                folders.sort_unstable();
                folders.dedup();
                let folders: Vec<String> = folders.iter().map(i64::to_string).collect();
                return Err(ReadError::NoMatch(format!(
                    "{} data tables are named {name:?} (in folders {}); set folder_id to choose one",
                    many.len(),
                    folders.join(", ")
                )));
            }
        };
        let mut out = Object::new();
        out.insert("name".into(), json!(name));
        out.insert("folder_id".into(), json!(table.i64_of("folder_id")));
        out.insert("id".into(), table.get("id").cloned().unwrap_or(Json::Null));
        out.insert("numeric_id".into(), json!(table.i64_of("numeric_id")));
        out.insert("field_ids".into(), field_ids(&api_columns(table)));
        out.insert("columns".into(), columns(table));
        for key in ["created_at", "updated_at"] {
            out.insert(key.into(), table.get(key).cloned().unwrap_or(Json::Null));
        }
        Ok(out)
    }
}
