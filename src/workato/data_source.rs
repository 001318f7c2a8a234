//! The contract every data source implements, and the registry of data source types.

use async_trait::async_trait;

use super::client::Api;
use super::error::ApiError;
use super::resource::Object;
use crate::schema::Schema;

/// Why a data source read found nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The query matched nothing, or more than one object.
    #[error("{0}")]
    NoMatch(String),
}

/// A read-only lookup (`data "workato_folder" "shared" { path = "Shared/Common" }`).
#[async_trait]
pub trait DataSource: Send + Sync {
    fn schema(&self) -> &'static Schema;

    /// Reads the object the arguments select; returns arguments and results together.
    async fn read(&self, api: &Api, args: &Object) -> Result<Object, ReadError>;
}

/// The implementation of a data source type.
pub fn data_source(type_name: &str) -> Option<&'static dyn DataSource> {
    use super::data_sources::*;
    Some(match type_name {
        "workato_connection" => &connection::ConnectionLookup,
        "workato_data_table" => &data_table::DataTable,
        "workato_workspace" => &workspace::Workspace,
        "workato_folder" => &folder::Folder,
        "workato_project" => &project::Project,
        _ => return None,
    })
}
