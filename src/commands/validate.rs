//! `workform validate`: everything that can be checked without the network or state.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::{CmdError, exit};
use crate::cli::VarArgs;
use crate::config;
use crate::graph::ConfigGraph;
use crate::plan::{self, PlanOptions};
use crate::render::Printer;
use crate::state::{Meta, Snapshot};
use crate::value::Value;

pub async fn run(printer: Printer, dir: &Path, _vars: &VarArgs) -> Result<u8, CmdError> {
    let config = Arc::new(config::load_dir(dir).map_err(CmdError::Config)?);
    let graph = ConfigGraph::build(&config).map_err(CmdError::Config)?;
    // Values are not needed to validate: every variable is unknown, as in Terraform.
    let vars: BTreeMap<String, Value> = config
        .variables
        .iter()
        .map(|v| (v.name.clone(), Value::Unknown.marked_if(v.sensitive)))
        .collect();
    let empty = Snapshot {
        meta: Meta {
            version: crate::state::STATE_VERSION,
            lineage: String::new(),
            serial: 0,
            workspace_id: None,
        },
        resources: BTreeMap::new(),
        outputs: BTreeMap::new(),
    };
    plan::plan(
        &config,
        &graph,
        vars,
        &empty,
        &BTreeMap::new(),
        &PlanOptions {
            validate_only: true,
            ..PlanOptions::default()
        },
        None,
    )
    .await?;
    printer.out(&format!(
        "{} The configuration is valid.",
        printer.styles.green.apply_to("Success!").bold()
    ));
    Ok(exit::OK)
}
