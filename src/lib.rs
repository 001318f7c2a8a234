//! workform: declarative provisioning for Workato workspaces.
//!
//! Data flows one way: `config` (parse, evaluate) → `graph` → `plan` (with `state` and a
//! refresh through `workato`) → `render`, then `apply` → `workato` → `state` after every
//! operation. `emulator` is a local Workato API used by `--sandbox`, tests and benchmarks.

pub mod addr;
pub mod apply;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod credentials;
pub mod emulator;
pub mod fmt;
pub mod generate;
pub mod graph;
pub mod plan;
pub mod render;
pub mod schema;
pub mod state;
pub mod value;
pub mod workato;
