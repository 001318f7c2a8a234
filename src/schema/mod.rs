//! Resource schemas: the data in `schemas/*.json`, one file per type.
//!
//! One source of truth for validation, diffing (computed, force-new, sensitive),
//! documentation and the JSON Schema offered to editors.

pub mod docs;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value as Json;

/// Whether a schema describes a managed resource or a data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Resource,
    DataSource,
}

/// One resource type's schema.
#[derive(Debug, Deserialize)]
pub struct Schema {
    #[serde(rename = "type")]
    pub type_name: String,
    pub kind: Kind,
    /// Rate-limit group (folders, connections, tables, properties, api_platform, tags, on_prem).
    #[serde(default)]
    pub api_group: String,
    pub description: String,
    /// Attributes that identify an object when its id is unknown (crash recovery, adoption).
    #[serde(default)]
    pub natural_key: Vec<String>,
    pub attributes: BTreeMap<String, AttrSchema>,
    #[serde(default)]
    pub blocks: BTreeMap<String, BlockSchema>,
    /// An HCL example for the documentation.
    #[serde(default)]
    pub example: String,
    /// The API cannot delete these objects: destroy only forgets them.
    #[serde(default)]
    pub delete_forgets: bool,
}

/// One attribute.
#[derive(Debug, Deserialize)]
pub struct AttrSchema {
    /// A type constraint in HCL syntax: `string`, `number`, `bool`, `list(string)`, `map(string)`, `any`.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub computed: bool,
    #[serde(default)]
    pub sensitive: bool,
    /// A change to this attribute replaces the object.
    #[serde(default)]
    pub force_new: bool,
    /// The API never returns it: refresh keeps the value recorded in state.
    #[serde(default)]
    pub write_only: bool,
    /// Only meaningful to workform (e.g. `force`): never sent, never read back, and a
    /// change to it alone makes no API call.
    #[serde(default)]
    pub local_only: bool,
    /// Reads never return it (an API key's token, a rotation trigger): refresh and updates
    /// keep the value recorded in state unless an operation returns a new one.
    #[serde(default)]
    pub not_returned: bool,
    #[serde(default)]
    pub default: Option<Json>,
    #[serde(default)]
    pub min_length: Option<usize>,
    #[serde(default)]
    pub max_length: Option<usize>,
    #[serde(default)]
    pub one_of: Option<Vec<String>>,
    pub description: String,
}

/// A nested block (`column { ... }`), represented in values as a list of objects.
#[derive(Debug, Deserialize)]
pub struct BlockSchema {
    /// References inside this block may be applied in a second pass when they would
    /// otherwise form a cycle (data-table relations between two tables).
    #[serde(default)]
    pub deferrable: bool,
    #[serde(default)]
    pub min_items: usize,
    #[serde(default)]
    pub max_items: Option<usize>,
    pub description: String,
    pub attributes: BTreeMap<String, AttrSchema>,
    #[serde(default)]
    pub blocks: BTreeMap<String, BlockSchema>,
}

impl AttrSchema {
    /// Set by the user (required or optional), as opposed to purely computed.
    pub fn is_configurable(&self) -> bool {
        self.required || self.optional
    }
}

impl Schema {
    pub fn attr(&self, name: &str) -> Option<&AttrSchema> {
        self.attributes.get(name)
    }

    /// Names of the attributes marked sensitive.
    pub fn sensitive_attrs(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .iter()
            .filter(|(_, a)| a.sensitive)
            .map(|(n, _)| n.as_str())
    }
}

const SOURCES: &[&str] = &[
    include_str!("../../schemas/workato_project.json"),
    include_str!("../../schemas/workato_folder.json"),
    include_str!("../../schemas/workato_project_property.json"),
    include_str!("../../schemas/workato_api_collection.json"),
    include_str!("../../schemas/workato_api_endpoint.json"),
    include_str!("../../schemas/workato_api_client.json"),
    include_str!("../../schemas/workato_api_key.json"),
    include_str!("../../schemas/workato_on_prem_group.json"),
    include_str!("../../schemas/workato_on_prem_agent.json"),
    include_str!("../../schemas/workato_data_table.json"),
    include_str!("../../schemas/data_workato_data_table.json"),
    include_str!("../../schemas/data_workato_workspace.json"),
    include_str!("../../schemas/data_workato_folder.json"),
    include_str!("../../schemas/data_workato_project.json"),
    include_str!("../../schemas/workato_connection.json"),
    include_str!("../../schemas/workato_tag.json"),
    include_str!("../../schemas/workato_tag_assignment.json"),
    include_str!("../../schemas/data_workato_connection.json"),
];

/// Every schema, parsed once.
pub fn all() -> &'static [Schema] {
    static SCHEMAS: OnceLock<Vec<Schema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|text| {
                // The files are compiled in; a malformed one is a build defect caught by
                // the unit test below, never user input.
                serde_json::from_str(text).expect("embedded schema is valid")
            })
            .collect()
    })
}

/// The schema of one managed resource type.
pub fn resource(type_name: &str) -> Option<&'static Schema> {
    all()
        .iter()
        .find(|s| s.kind == Kind::Resource && s.type_name == type_name)
}

/// The schema of one data source type.
pub fn data_source(type_name: &str) -> Option<&'static Schema> {
    all()
        .iter()
        .find(|s| s.kind == Kind::DataSource && s.type_name == type_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_parses_and_is_consistent() {
        for schema in all() {
            assert!(schema.type_name.starts_with("workato_"));
            assert!(schema.attributes.contains_key("id"), "{}", schema.type_name);
            for (name, attr) in &schema.attributes {
                assert!(
                    attr.required || attr.optional || attr.computed,
                    "{}.{name} is neither set nor computed",
                    schema.type_name
                );
                assert!(
                    !(attr.required && attr.computed),
                    "{}.{name}",
                    schema.type_name
                );
                crate::config::Type::parse(&attr.ty).unwrap();
            }
            for key in &schema.natural_key {
                assert!(schema.attributes.contains_key(key));
            }
        }
    }
}
