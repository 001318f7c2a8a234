//! The Workato Developer API: client, permission table and one file per resource type.

pub mod client;
pub mod data_source;
pub mod data_sources;
pub mod error;
pub mod limiter;
pub mod needs;
pub mod permissions;
pub mod region;
pub mod resource;
pub mod resources;

pub use client::{Api, Token};
pub use error::ApiError;
pub use resource::{Deleted, Object, Resource};
