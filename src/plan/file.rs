//! Saved plans (`plan --out FILE`, `apply FILE`, `show FILE`).
//!
//! A saved plan records the *inputs* of planning — the configuration files, the resolved
//! variables, the state's lineage and serial, every refreshed object and data source read
//! — plus the actions it chose. `apply FILE` re-plans from exactly those inputs and refuses
//! the plan as stale when the state moved or any refreshed object changed since, so what
//! runs is what was reviewed. The file holds configuration and refreshed values in clear
//! (like Terraform's plan files): it is written with mode 0600.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::refresh::Refreshed;
use super::{Plan, PlanMode, PlanOptions};
use crate::addr::InstanceAddr;
use crate::config::{self, Config, Diagnostics};
use crate::state::{Meta, OutputState, ResourceState, Snapshot};
use crate::value::Value;
use crate::workato::Object;

const FORMAT: &str = "workform-plan";
const VERSION: u32 = 1;

/// One configuration file as planned.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedFile {
    pub name: String,
    pub text: String,
}

/// One resolved variable.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedVar {
    pub value: Json,
    pub sensitive: bool,
}

/// The on-disk saved plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format: String,
    pub version: u32,
    pub workform_version: String,
    pub created_at: String,
    pub files: Vec<SavedFile>,
    pub variables: BTreeMap<String, SavedVar>,
    pub lineage: String,
    pub serial: u64,
    pub workspace_id: Option<i64>,
    /// The state the plan was made against (for `show FILE` without the state).
    pub prior_resources: Vec<ResourceState>,
    pub prior_outputs: BTreeMap<String, OutputState>,
    pub mode: PlanMode,
    pub replace: Vec<InstanceAddr>,
    pub targets: Vec<InstanceAddr>,
    pub refresh: bool,
    pub refreshed: BTreeMap<InstanceAddr, Option<Object>>,
    pub data: BTreeMap<InstanceAddr, Object>,
    /// The action chosen for every instance that changes (`"create"`, `"delete,create"`, …).
    pub actions: BTreeMap<InstanceAddr, String>,
}

/// Why a plan file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot read plan file {path}: {message}")]
    Read { path: String, message: String },
    #[error("cannot write plan file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a workform plan file (or was written by an incompatible version)")]
    Format { path: String },
}

impl SavedPlan {
    /// Captures what `plan` used and decided.
    pub fn capture(
        config: &Config,
        snapshot: &Snapshot,
        vars: &BTreeMap<String, Value>,
        options: &PlanOptions,
        refresh: bool,
        refreshed: &Refreshed,
        plan: &Plan,
    ) -> SavedPlan {
        SavedPlan {
            format: FORMAT.into(),
            version: VERSION,
            workform_version: env!("CARGO_PKG_VERSION").into(),
            created_at: crate::clock::now_rfc3339(),
            files: config
                .sources
                .files()
                .map(|(_, name, text)| SavedFile {
                    name: name.into(),
                    text: text.into(),
                })
                .collect(),
            variables: vars
                .iter()
                .map(|(k, v)| {
                    let (plain, sensitive) = v.clone().unmark_deep();
                    (
                        k.clone(),
                        SavedVar {
                            value: plain.to_json(),
                            sensitive,
                        },
                    )
                })
                .collect(),
            lineage: plan.state_lineage.clone(),
            serial: plan.state_serial,
            workspace_id: snapshot.meta.workspace_id,
            prior_resources: snapshot.resources.values().cloned().collect(),
            prior_outputs: snapshot.outputs.clone(),
            mode: plan.mode,
            replace: options.replace.clone(),
            targets: options.targets.clone(),
            refresh,
            refreshed: refreshed.clone(),
            data: plan.data.clone(),
            actions: action_map(plan),
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), PlanFileError> {
        let err = |source| PlanFileError::Write {
            path: path.display().to_string(),
            source,
        };
        let text = serde_json::to_vec_pretty(self).expect("plan serialises");
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(err)?;
        file.write_all(&text).map_err(err)?;
        file.sync_all().map_err(err)
    }

    pub fn read(path: &Path) -> Result<SavedPlan, PlanFileError> {
        let bytes = std::fs::read(path).map_err(|e| PlanFileError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let saved: SavedPlan =
            serde_json::from_slice(&bytes).map_err(|_| PlanFileError::Format {
                path: path.display().to_string(),
            })?;
        if saved.format != FORMAT || saved.version != VERSION {
            return Err(PlanFileError::Format {
                path: path.display().to_string(),
            });
        }
        Ok(saved)
    }

    /// The configuration exactly as planned.
    pub fn config(&self, dir: &Path) -> Result<Config, Diagnostics> {
        let files = self
            .files
            .iter()
            .map(|f| (f.name.clone(), f.text.clone()))
            .collect();
        config::load_files(dir, files)
    }

    /// The variables as planned, sensitive ones marked again.
    pub fn vars(&self) -> BTreeMap<String, Value> {
        self.variables
            .iter()
            .map(|(k, v)| (k.clone(), Value::from_json(&v.value).marked_if(v.sensitive)))
            .collect()
    }

    /// The state the plan was made against.
    pub fn prior_snapshot(&self) -> Snapshot {
        Snapshot {
            meta: Meta {
                version: crate::state::STATE_VERSION,
                lineage: self.lineage.clone(),
                serial: self.serial,
                workspace_id: self.workspace_id,
            },
            resources: self
                .prior_resources
                .iter()
                .map(|r| (r.addr.clone(), r.clone()))
                .collect(),
            outputs: self.prior_outputs.clone(),
        }
    }

    /// The planning options as saved.
    pub fn options(&self) -> PlanOptions {
        PlanOptions {
            mode: self.mode,
            replace: self.replace.clone(),
            targets: self.targets.clone(),
            data: Some(self.data.clone()),
            validate_only: false,
        }
    }

    /// Objects of the planned-against state whose live value differs from what was
    /// planned against (changed, vanished, or newly present).
    pub fn changed_objects(&self, live: &Refreshed) -> Vec<InstanceAddr> {
        let prior: std::collections::BTreeSet<&InstanceAddr> =
            self.prior_resources.iter().map(|r| &r.addr).collect();
        let mut changed: Vec<InstanceAddr> = self
            .refreshed
            .iter()
            .filter(|(addr, _)| prior.contains(addr))
            .filter(|(addr, planned)| live.get(*addr) != Some(*planned))
            .map(|(addr, _)| addr.clone())
            .collect();
        changed.extend(
            live.keys()
                .filter(|a| !self.refreshed.contains_key(*a))
                .cloned(),
        );
        changed
    }

    /// True when `plan` chose exactly the saved actions.
    pub fn same_actions(&self, plan: &Plan) -> bool {
        self.actions == action_map(plan)
    }
}

fn action_map(plan: &Plan) -> BTreeMap<InstanceAddr, String> {
    plan.changes
        .iter()
        .filter(|c| c.action != super::Action::NoOp)
        .map(|c| (c.addr.clone(), c.action.json_actions().join(",")))
        .collect()
}
