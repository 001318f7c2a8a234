//! Planning: refresh live objects, evaluate the configuration, diff, choose actions.

pub mod diff;
pub mod eval;
pub mod file;
pub mod json;
pub mod planner;
pub mod refresh;

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{InstanceAddr, ResourceAddr};
use crate::value::Value;
use crate::workato::Object;

pub use planner::{PlanError, PlanOptions, plan};

/// What will happen to one resource instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Delete, then create a new object (a force-new attribute changed).
    Replace,
    Delete,
    /// A data source read during apply (its arguments are not known yet).
    Read,
    /// Dropped from state, left in the workspace (`removed { lifecycle { destroy = false } }`).
    Forget,
}

impl Action {
    /// Terraform's glyph.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => "  ",
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Read => "<=",
            Action::Forget => ".",
        }
    }

    /// Terraform's JSON `actions` array.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::Replace => &["delete", "create"],
            Action::Delete => &["delete"],
            Action::Read => &["read"],
            Action::Forget => &["forget"],
        }
    }
}

/// The planned change of one resource instance.
#[derive(Debug, Clone)]
pub struct ResourceChange {
    pub addr: InstanceAddr,
    pub type_name: String,
    pub action: Action,
    /// The refreshed object (absent for a create).
    pub before: Option<Object>,
    /// The planned object: an `Object` value with `Unknown` where only apply will tell
    /// (absent for a delete).
    pub after: Option<Value>,
    /// Attributes whose change forces replacement.
    pub replace_paths: Vec<String>,
    /// Attributes never to display.
    pub sensitive: BTreeSet<String>,
    /// Why (deletes of objects no longer in the configuration).
    pub reason: Option<String>,
    /// Resources this instance depends on (stored in state; orders the destroy of orphans).
    pub dependencies: BTreeSet<ResourceAddr>,
    /// Set when the object is adopted by an `import` block: the remote id.
    pub importing: Option<String>,
    /// Set when a `moved` block gave the instance this address: the old one.
    pub moved_from: Option<InstanceAddr>,
}

/// An object that changed outside workform since the last apply.
#[derive(Debug, Clone)]
pub struct Drift {
    pub addr: InstanceAddr,
    pub type_name: String,
    pub before: Object,
    /// `None`: deleted outside workform.
    pub after: Option<Object>,
    pub sensitive: BTreeSet<String>,
}

/// A root output's planned value.
#[derive(Debug, Clone)]
pub struct OutputChange {
    pub before: Option<serde_json::Value>,
    pub after: Value,
    pub sensitive: bool,
}

/// Whether a plan builds toward the configuration, tears everything down, or only
/// brings the state up to date with the live objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanMode {
    #[default]
    Normal,
    Destroy,
    RefreshOnly,
}

/// A complete plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: PlanMode,
    pub changes: Vec<ResourceChange>,
    pub drift: Vec<Drift>,
    pub outputs: BTreeMap<String, OutputChange>,
    /// Notes for the user (e.g. properties that cannot be deleted).
    pub warnings: Vec<String>,
    pub state_lineage: String,
    pub state_serial: u64,
    /// Data sources read while planning, by address.
    pub data: BTreeMap<InstanceAddr, Object>,
}

/// Counts for `Plan: X to add, Y to change, Z to destroy.`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub import: usize,
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub forget: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            if c.importing.is_some() {
                s.import += 1;
            }
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Replace => {
                    s.add += 1;
                    s.destroy += 1;
                }
                Action::Delete => s.destroy += 1,
                Action::Forget => s.forget += 1,
                Action::NoOp | Action::Read => {}
            }
        }
        s
    }

    /// True when applying would change a resource.
    pub fn has_resource_changes(&self) -> bool {
        self.changes.iter().any(|c| {
            !matches!(c.action, Action::NoOp | Action::Read)
                || c.importing.is_some()
                || c.moved_from.is_some()
        })
    }

    /// True when applying would change anything, outputs included.
    pub fn has_changes(&self) -> bool {
        self.has_resource_changes()
            || self.outputs.iter().any(|(_, o)| {
                o.after.contains_unknown() || o.before.as_ref() != Some(&o.after.to_json())
            })
    }

    pub fn change(&self, addr: &InstanceAddr) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| &c.addr == addr)
    }
}
