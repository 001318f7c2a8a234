//! State: what workform made, recorded after every operation.
//!
//! The local store is one redb file (`.workform/state.redb`): ACID, crash-safe, one write
//! transaction per resource operation, so a crash loses at most the call in flight.
//!
//! - **History**: every commit also records what it overwrote (an undo record holding the
//!   prior bytes of the keys it touched), so any of the last [`HISTORY_LIMIT`] serials before
//!   the current one can be rebuilt (`state pull --serial N`) while a commit stays
//!   proportional to its own change, not to the size of the state.
//! - **Encryption at rest**: with `WORKFORM_STATE_KEY` set, sensitive attribute values and
//!   sensitive outputs are sealed with AES-256-GCM (see `crypto.rs` for the KDF and format)
//!   and opened transparently by [`StateDb::snapshot`]. Setting the key on a plaintext state
//!   seals it the next time it is opened: the whole file (history included) is rewritten and
//!   renamed over the old one, so no plaintext copy lingers in redb's free pages.
//! - Files under `.workform/` are mode 0600, the directory 0700.

mod crypto;
mod document;
mod lock;
mod store;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

pub use crypto::KEY_ENV;
pub use document::{DocResource, StateDocument};
pub use lock::{LockInfo, StateLock, current_holder, force_unlock};
pub use store::ensure_dir;
pub use store::{Intent, StateDb};

use crate::addr::{InstanceAddr, Mode};
use crate::workato::Object;

/// The state format's version.
pub const STATE_VERSION: u32 = 1;

/// How many serials before the current one `state pull --serial` can rebuild. Older undo
/// records are dropped as new ones are written.
pub const HISTORY_LIMIT: u64 = 50;

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
    #[error(
        "the state {path} is encrypted at rest and {env} is not set: set {env} to the passphrase it was written with",
        env = crypto::KEY_ENV
    )]
    KeyRequired { path: String },
    #[error(
        "{env} does not open the state {path}: it is not the passphrase this state was encrypted with. Set {env} to the right passphrase",
        env = crypto::KEY_ENV
    )]
    WrongKey { path: String },
    #[error(
        "{env} is set but empty: set it to a passphrase to encrypt sensitive values at rest, or unset it",
        env = crypto::KEY_ENV
    )]
    EmptyKey,
    #[error("{env} is not valid UTF-8: use a passphrase of plain text", env = crypto::KEY_ENV)]
    KeyNotUnicode,
    #[error("state {path}: cannot encrypt or decrypt a sensitive value ({key}): {message}")]
    Crypto {
        path: String,
        key: String,
        message: String,
    },
    #[error("{}", serial_text(*.serial, *.current, *.oldest))]
    SerialUnavailable {
        serial: u64,
        current: u64,
        oldest: u64,
    },
    #[error("invalid state document: {0}")]
    InvalidDocument(String),
    #[error(
        "the state is not locked (no holder is recorded in {path}); there is nothing to unlock"
    )]
    NotLocked { path: String },
    #[error("{}", mismatch_text(.given, .holder))]
    LockMismatch {
        given: String,
        holder: Box<LockInfo>,
    },
}

fn serial_text(serial: u64, current: u64, oldest: u64) -> String {
    if serial > current {
        format!("serial {serial} does not exist yet: the current serial is {current}")
    } else if oldest == current {
        format!(
            "serial {serial} is not in the state history: no earlier serial is kept (the current serial is {current}); the history keeps the {HISTORY_LIMIT} serials before the current one"
        )
    } else {
        format!(
            "serial {serial} is not in the state history: serials {oldest} to {current} are available (the history keeps the {HISTORY_LIMIT} serials before the current one)"
        )
    }
}

fn mismatch_text(given: &str, holder: &LockInfo) -> String {
    format!(
        "lock ID {given:?} does not match the current lock: it is held by pid {} on {} running `{}` since {} under lock ID {}. Check that this is the lock you mean to break, then run `workform force-unlock {}`.",
        holder.pid, holder.host, holder.command, holder.since, holder.id, holder.id
    )
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
