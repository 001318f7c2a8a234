//! One file per resource type.

pub mod folder;
pub mod project;
pub mod project_property;
