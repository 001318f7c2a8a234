//! State: what workform made, recorded after every operation.
//!
//! The local store is one redb file (`.workform/state.redb`): ACID, crash-safe, one write
//! transaction per resource operation, so a crash loses at most the call in flight.

mod lock;
mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use lock::{LockInfo, StateLock};
pub use store::ensure_dir;
pub use store::StateDb;

use crate::addr::{InstanceAddr, Mode};
use crate::workato::Object;

/// The state format's version.
pub const STATE_VERSION: u32 = 1;

/// One resource instance as last applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    pub addr: InstanceAddr,
    pub mode: Mode,
    #[serde(rename = "type")]
    pub type_name: String,
    pub attributes: Object,
    /// Attribute names whose values are sensitive.
    #[serde(default)]
    pub sensitive_attributes: Vec<String>,
    /// Resources this one depended on when it was applied (orders the destroy of orphans).
    #[serde(default)]
    pub dependencies: Vec<String>,
    #[serde(default)]
    pub schema_version: u32,
}

/// A root output value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    pub value: Json,
    pub sensitive: bool,
}

/// State-wide facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    pub version: u32,
    /// Set once when the state is created; a state from another lineage is another state.
    pub lineage: String,
    /// +1 on every write.
    pub serial: u64,
    /// The workspace (`GET /api/users/me` id) the resources live in.
    pub workspace_id: Option<i64>,
}

/// The whole state at one serial.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub meta: Meta,
    pub resources: BTreeMap<InstanceAddr, ResourceState>,
    pub outputs: BTreeMap<String, OutputState>,
}

/// One atomic change to the state.
#[derive(Debug, Default)]
pub struct Change {
    pub put: Vec<ResourceState>,
    pub remove: Vec<InstanceAddr>,
    /// Replaces every output when set.
    pub outputs: Option<BTreeMap<String, OutputState>>,
    pub workspace_id: Option<i64>,
}

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot create {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("state database {path}: {message}")]
    Database { path: String, message: String },
    #[error("state database {path} holds a corrupt record {key:?}: {message}")]
    Corrupt {
        path: String,
        key: String,
        message: String,
    },
    #[error("{}", locked_text(.info))]
    Locked { info: Option<LockInfo> },
    #[error("cannot lock {path}: {source}")]
    LockIo {
        path: String,
        source: std::io::Error,
    },
}

fn locked_text(info: &Option<LockInfo>) -> String {
    match info {
        Some(i) => format!(
            "the state is locked by another workform run: pid {} on {} running `{}` since {} (lock ID {}). Wait for it to finish; if that process is gone, run `workform force-unlock {}`.",
            i.pid, i.host, i.command, i.since, i.id, i.id
        ),
        None => "the state is locked by another workform run".to_string(),
    }
}

impl Snapshot {
    /// Resources of one mode, in address order.
    pub fn managed(&self) -> impl Iterator<Item = &ResourceState> {
        self.resources.values().filter(|r| r.mode == Mode::Managed)
    }
}
