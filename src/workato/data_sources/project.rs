//! `data "workato_project"`: a project found by its exact name.

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::data_source::{DataSource, ReadError};
use crate::workato::resource::{Object, ObjectExt, bare_array, objects};

pub struct Project;

#[async_trait]
impl DataSource for Project {
    fn schema(&self) -> &'static Schema {
        schema::data_source("workato_project").expect("schema exists")
    }

    /// One paged `GET /api/projects`.
    async fn read(&self, api: &Api, args: &Object) -> Result<Object, ReadError> {
        let name = args.str_of("name").unwrap_or_default();
        let projects = objects(api.get_all_pages("/api/projects", &[], bare_array).await?);
        let matches: Vec<&Object> = projects
            .iter()
            .filter(|p| p.str_of("name") == Some(name))
            .collect();
        let project = match matches.as_slice() {
            [one] => *one,
            [] => return Err(ReadError::NoMatch(format!("no project is named {name:?}"))),
            many => {
                let ids: Vec<String> = many
                    .iter()
                    .filter_map(|p| p.i64_of("id"))
                    .map(|i| i.to_string())
                    .collect();
                return Err(ReadError::NoMatch(format!(
                    "{} projects are named {name:?} (ids {}); a data source must match exactly one",
                    many.len(),
                    ids.join(", ")
                )));
            }
        };
        let mut out = Object::new();
        out.insert("name".into(), json!(name));
        out.insert("id".into(), json!(project.i64_of("id")));
        out.insert("folder_id".into(), json!(project.i64_of("folder_id")));
        out.insert(
            "description".into(),
            project.get("description").cloned().unwrap_or(Json::Null),
        );
        Ok(out)
    }
}
