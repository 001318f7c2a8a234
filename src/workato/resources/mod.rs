//! One file per resource type.

pub mod api_client;
pub mod api_collection;
pub mod api_endpoint;
pub mod api_key;
pub mod connection;
pub mod data_table;
pub mod folder;
pub mod on_prem_agent;
pub mod on_prem_group;
pub mod project;
pub mod project_property;
pub mod tag;
pub mod tag_assignment;
