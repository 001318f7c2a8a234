//! One file per data source type.

pub mod connection;
pub mod data_table;
pub mod folder;
pub mod project;
pub mod workspace;
