//! `workform generate`: configuration for a live, hand-built workspace.
//!
//! Reads every object with list calls ([`read`]), decides which ones to generate
//! ([`scope`]), names them ([`naming`]), turns ids into references ([`refs`], one table of
//! id-holding attributes) and writes `.wf.hcl` files plus `import` blocks ([`files`]).
//! Applying the result imports everything and creates nothing. See docs/generate.md.

pub mod files;
pub mod hcl;
pub mod model;
pub mod naming;
pub mod read;
pub mod refs;
pub mod scope;

use std::cmp::Ordering;

pub use files::{GenFile, Generated, IMPORTS_FILE, VARS_FILE, WORKSPACE_FILE};
pub use model::{Listing, Model, Outcome};
pub use read::read_workspace;

use crate::workato::ApiError;

/// Why generating failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("--folder {path:?}: {message}")]
    Folder { path: String, message: String },
    #[error("reading the workspace's {type_name} objects failed: {source}")]
    List {
        type_name: String,
        #[source]
        source: Box<ApiError>,
    },
    /// The generated text did not parse: a workform bug, never the user's doing.
    #[error(
        "the generated {name} is not valid configuration ({message}). This is a bug in workform; please report it."
    )]
    Format { name: String, message: String },
    #[error("{0}")]
    Internal(String),
}

/// Resource types in the order they appear in a file: containers before their contents.
/// Types not listed here follow, in schema order.
const TYPE_ORDER: &[&str] = &[
    "workato_project",
    "workato_folder",
    "workato_connection",
    "workato_data_table",
    "workato_project_property",
    "workato_api_collection",
    "workato_api_endpoint",
    "workato_api_client",
    "workato_api_key",
    "workato_tag",
    "workato_tag_assignment",
    "workato_on_prem_group",
    "workato_on_prem_agent",
];

fn type_rank(type_name: &str) -> usize {
    TYPE_ORDER
        .iter()
        .position(|t| *t == type_name)
        .unwrap_or_else(|| {
            TYPE_ORDER.len()
                + crate::schema::all()
                    .iter()
                    .position(|s| s.type_name == type_name)
                    .unwrap_or(usize::MAX / 2)
        })
}

/// Builds the files for a listing; `folder` limits them to one project or folder subtree.
pub fn generate(listing: &Listing, folder: Option<&str>) -> Result<Generated, GenerateError> {
    let mut model = Model::new(listing);
    scope::select(&mut model, folder)?;
    assign_names(&mut model);
    let order = output_order(&model);
    files::render(&model, &order)
}

/// Names every included object: per type, in id order, so the oldest object keeps the
/// plain name and re-running on the same workspace gives the same names.
fn assign_names(model: &mut Model) {
    let mut order: Vec<usize> = (0..model.items.len())
        .filter(|&i| model.items[i].included)
        .collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&model.items[a], &model.items[b]);
        type_rank(&x.type_name)
            .cmp(&type_rank(&y.type_name))
            .then_with(|| naming::compare_ids(&x.id, &y.id))
    });
    let mut namers: std::collections::HashMap<String, naming::Namer> =
        std::collections::HashMap::new();
    for i in order {
        let raw = raw_name(model, i);
        let item = &model.items[i];
        let base = naming::base_name(&item.type_name, &raw);
        let name = namers
            .entry(item.type_name.clone())
            .or_default()
            .unique(&base);
        model.items[i].name = name;
    }
}

/// What an object's name is made from: its name or title, else what identifies it
/// (an endpoint's method and path, a tag assignment's tag), else its id.
fn raw_name(model: &Model, i: usize) -> String {
    let item = &model.items[i];
    if let Some(label) = item.label() {
        return label.to_string();
    }
    if let (Some(method), Some(path)) = (
        item.attrs.get("method").and_then(|v| v.as_str()),
        item.attrs.get("path").and_then(|v| v.as_str()),
    ) {
        return format!("{method} {path}");
    }
    if let Some(owner) = model.owner_of(i) {
        let owner = &model.items[owner];
        if let Some(label) = owner.label() {
            return label.to_string();
        }
    }
    item.id.clone()
}

/// Included objects in file order: by type, folders depth-first (parents before their
/// children), everything else by id.
fn output_order(model: &Model) -> Vec<usize> {
    let mut order: Vec<usize> = (0..model.items.len())
        .filter(|&i| model.items[i].included)
        .collect();
    let key = |i: usize| -> Vec<&str> {
        if model.items[i].type_name == "workato_folder" {
            model
                .lineage(i)
                .into_iter()
                .map(|n| model.items[n].id.as_str())
                .collect()
        } else {
            vec![model.items[i].id.as_str()]
        }
    };
    order.sort_by(|&a, &b| {
        type_rank(&model.items[a].type_name)
            .cmp(&type_rank(&model.items[b].type_name))
            .then_with(|| {
                let (ka, kb) = (key(a), key(b));
                ka.iter()
                    .zip(&kb)
                    .map(|(x, y)| naming::compare_ids(x, y))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or_else(|| ka.len().cmp(&kb.len()))
            })
    });
    order
}

#[cfg(test)]
mod tests;
