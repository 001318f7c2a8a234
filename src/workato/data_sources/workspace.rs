//! `data "workato_workspace"`: the workspace the token belongs to (`GET /api/users/me`).

use async_trait::async_trait;
use serde_json::{Value as Json, json};

use crate::schema::{self, Schema};
use crate::workato::client::Api;
use crate::workato::data_source::{DataSource, ReadError};
use crate::workato::resource::{Object, ObjectExt, expect_object};

pub struct Workspace;

const PATH: &str = "/api/users/me";

#[async_trait]
impl DataSource for Workspace {
    fn schema(&self) -> &'static Schema {
        schema::data_source("workato_workspace").expect("schema exists")
    }

    async fn read(&self, api: &Api, _args: &Object) -> Result<Object, ReadError> {
        let me = expect_object("GET", PATH, api.get(PATH, &[]).await?)?;
        let mut out = Object::new();
        out.insert("id".into(), json!(me.i64_of("id")));
        out.insert("root_folder_id".into(), json!(me.i64_of("root_folder_id")));
        for key in ["name", "email", "plan_id", "created_at"] {
            out.insert(key.into(), me.get(key).cloned().unwrap_or(Json::Null));
        }
        Ok(out)
    }
}
