//! The resources of the emulated workspace, as stored (and persisted). The JSON the API
//! answers is built by each family's module.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Workspace {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub root_folder_id: u64,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Folder {
    pub id: u64,
    pub name: String,
    pub parent_id: u64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Project {
    pub id: u64,
    pub folder_id: u64,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Connection {
    pub id: u64,
    pub name: String,
    pub provider: String,
    pub folder_id: u64,
    pub parent_id: Option<u64>,
    pub external_id: Option<String>,
    pub shell_connection: bool,
    /// Credentials: kept server-side, never returned.
    pub input: Option<Value>,
    pub authorization_status: Option<String>,
    pub authorized_at: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Recipe {
    pub id: u64,
    pub name: String,
    pub folder_id: u64,
    pub running: bool,
    pub tags: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Column {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub optional: bool,
    pub field_id: String,
    pub hint: Option<String>,
    pub default_value: Value,
    pub metadata: Value,
    pub multivalue: bool,
    /// `{"table_id","field_id"}` for relation columns.
    pub relation: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DataTable {
    pub id: String,
    pub numeric_id: u64,
    pub name: String,
    pub folder_id: u64,
    pub schema: Vec<Column>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiCollection {
    pub id: u64,
    pub name: String,
    pub project_id: Option<u64>,
    pub version: String,
    pub slug: String,
    pub token: String,
    pub proxy_connection_id: Option<u64>,
    pub public_access: Option<bool>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiEndpoint {
    pub id: u64,
    pub api_collection_id: u64,
    pub flow_id: Option<u64>,
    pub name: String,
    pub method: String,
    pub path: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ApiClient {
    pub id: u64,
    pub name: String,
    pub description: Option<String>,
    pub project_id: Option<u64>,
    pub api_collection_ids: Vec<u64>,
    pub auth_type: String,
    pub api_portal_id: Option<u64>,
    pub email: Option<String>,
    pub api_policy_id: Option<u64>,
    pub jwt_method: Option<String>,
    /// Write-only.
    pub jwt_secret: Option<String>,
    pub oidc_issuer: Option<String>,
    pub oidc_jwks_uri: Option<String>,
    pub access_profile_claim: Option<String>,
    pub required_claims: Vec<String>,
    pub allowed_issuers: Vec<String>,
    pub mtls_enabled: bool,
    pub validation_formula: Option<String>,
    pub cert_bundle_ids: Vec<u64>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiKey {
    pub id: u64,
    pub api_client_id: u64,
    pub name: String,
    pub ip_allow_list: Vec<String>,
    pub ip_deny_list: Vec<String>,
    pub active: bool,
    pub active_since: Option<String>,
    /// Secret: only returned by create and refresh_secret.
    pub auth_token: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Tag {
    pub handle: String,
    pub title: String,
    pub description: Option<String>,
    pub color: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OnPremGroup {
    pub id: u64,
    pub name: String,
    pub use_managed_connection: bool,
    pub whitelisted_ips: Vec<String>,
    pub config_version: u64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OnPremAgent {
    pub id: u64,
    pub name: String,
    pub os: String,
    pub on_prem_group_id: u64,
    pub awaiting_setup: bool,
    pub enabled: bool,
    pub cn: String,
    pub activation_code: String,
    pub created_at: String,
    pub updated_at: String,
}
