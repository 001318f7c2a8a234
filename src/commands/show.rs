//! `workform show [FILE] [--json]`: a saved plan, or the current state.

use std::path::Path;
use std::sync::Arc;

use super::session::lock_state;
use super::{CmdError, exit};
use crate::cli::ShowArgs;
use crate::graph::ConfigGraph;
use crate::plan::file::SavedPlan;
use crate::plan::{self, json};
use crate::render::Printer;
use crate::render::values::inline_json;

pub async fn run(printer: Printer, dir: &Path, args: &ShowArgs) -> Result<u8, CmdError> {
    match &args.file {
        Some(file) => show_plan(printer, dir, file, args.json).await,
        None => show_state(printer, dir, args.json),
    }
}

/// Re-plans offline from the file's own inputs, which reproduces the saved plan exactly.
async fn show_plan(
    printer: Printer,
    dir: &Path,
    file: &Path,
    as_json: bool,
) -> Result<u8, CmdError> {
    let saved = SavedPlan::read(file).map_err(|e| CmdError::Message(e.to_string()))?;
    let config = Arc::new(saved.config(dir).map_err(CmdError::Config)?);
    let graph = ConfigGraph::build(&config).map_err(CmdError::Config)?;
    let refreshed = saved.refreshed.clone();
    let plan = plan::plan(
        &config,
        &graph,
        saved.vars(),
        &saved.prior_snapshot(),
        &refreshed,
        &saved.options(),
        None,
    )
    .await?;
    if as_json {
        printer.out(&serde_json::to_string_pretty(&json::render(&plan)).unwrap_or_default());
    } else {
        printer.out(&crate::render::plan::render(&plan, &printer.styles));
    }
    Ok(exit::OK)
}

fn show_state(printer: Printer, dir: &Path, as_json: bool) -> Result<u8, CmdError> {
    let locked = lock_state(dir, "show", "0s")?;
    let snapshot = locked.state.snapshot()?;
    if as_json {
        let resources: Vec<serde_json::Value> = snapshot
            .resources
            .values()
            .map(|r| {
                let values: serde_json::Map<String, serde_json::Value> = r
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            if r.sensitive_attributes.contains(k) {
                                serde_json::Value::Null
                            } else {
                                v.clone()
                            },
                        )
                    })
                    .collect();
                serde_json::json!({
                    "address": r.addr.to_string(),
                    "type": r.type_name,
                    "name": r.addr.resource.name,
                    "values": values,
                    "sensitive_values": r.sensitive_attributes,
                    "depends_on": r.dependencies,
                })
            })
            .collect();
        printer.out(
            &serde_json::to_string_pretty(&serde_json::json!({
                "format_version": "1.0",
                "values": { "root_module": { "resources": resources } },
            }))
            .unwrap_or_default(),
        );
        return Ok(exit::OK);
    }
    if snapshot.resources.is_empty() {
        printer.out("The state is empty: no objects are managed.");
        return Ok(exit::OK);
    }
    let mut out = String::new();
    for r in snapshot.resources.values() {
        out.push_str(&format!(
            "# {}:\nresource \"{}\" \"{}\" {{\n",
            r.addr, r.type_name, r.addr.resource.name
        ));
        let width = r.attributes.keys().map(String::len).max().unwrap_or(0);
        for (k, v) in &r.attributes {
            let sensitive = r.sensitive_attributes.contains(k);
            out.push_str(&format!(
                "    {k:<width$} = {}\n",
                inline_json(v, sensitive)
            ));
        }
        out.push_str("}\n\n");
    }
    printer.out(out.trim_end());
    Ok(exit::OK)
}
