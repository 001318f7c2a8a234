//! `workform init`: prepare a configuration directory for a workspace.
//!
//! Creates `.workform/`, checks the credentials with `GET /api/users/me`, shows which
//! workspace and data centre they reach (and where the token and host came from), and
//! records the workspace id in the state so later runs against another workspace are
//! refused. Safe to run again.

use std::path::Path;

use super::session::{self, Remote};
use super::{CmdError, exit};
use crate::cli::VarArgs;
use crate::config;
use crate::render::Printer;
use crate::state::Change;

pub async fn run(
    printer: Printer,
    dir: &Path,
    sandbox: bool,
    vars: &VarArgs,
) -> Result<u8, CmdError> {
    if !dir.is_dir() {
        return Err(CmdError::Message(format!(
            "{} is not a directory: point -C at the configuration directory",
            dir.display()
        )));
    }
    // The workato block may hold the host or token; an empty directory is fine too.
    let config = if has_config_files(dir) {
        Some(config::load_dir(dir).map_err(CmdError::Config)?)
    } else {
        None
    };
    let locked = session::lock_state(dir, "init", "0s")?;
    let remote = session::connect_for_config(&printer, dir, sandbox, config.as_ref(), vars).await?;
    record(&printer, dir, &remote, &locked).await?;
    if config.is_none() {
        printer.out("\nThe directory has no configuration files yet: add a main.wf.hcl, then run `workform plan`.");
    } else {
        printer.out("\nworkform is ready: run `workform plan` to see what it would change.");
    }
    Ok(exit::OK)
}

fn has_config_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().ends_with(".wf.hcl") && e.path().is_file())
        })
        .unwrap_or(false)
}

/// Checks the token, shows the workspace and records its id.
async fn record(
    printer: &Printer,
    dir: &Path,
    remote: &Remote,
    locked: &session::LockedState,
) -> Result<(), CmdError> {
    let snapshot = locked.state.snapshot()?;
    let (id, name) = super::plan::check_workspace(remote, &snapshot).await?;
    if snapshot.meta.workspace_id.is_none() {
        locked.state.commit(Change {
            workspace_id: Some(id),
            ..Change::default()
        })?;
    }
    let mut lines = vec![
        format!("Initialised {}", dir.join(".workform").display()),
        String::new(),
    ];
    lines.push(format!("  Workspace:    {name} (id {id})"));
    match &remote.endpoint {
        Some(endpoint) => {
            lines.push(format!("  Data centre:  {}", endpoint.data_centre()));
            lines.push(format!("  Host from:    {}", endpoint.host_origin));
            lines.push(format!("  Token from:   {}", endpoint.token_origin));
        }
        None => lines.push("  Data centre:  the built-in emulator (--sandbox)".into()),
    }
    printer.out(&lines.join("\n"));
    Ok(())
}
