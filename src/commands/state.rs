//! `workform state ...`.

use std::path::Path;

use super::session::lock_state;
use super::{CmdError, exit};
use crate::render::Printer;

/// `state list`: one address per line.
pub fn list(printer: Printer, dir: &Path) -> Result<u8, CmdError> {
    let locked = lock_state(dir, "state list", "0s")?;
    let snapshot = locked.state.snapshot()?;
    let lines: Vec<String> = snapshot.resources.keys().map(|a| a.to_string()).collect();
    if !lines.is_empty() {
        printer.out(&lines.join("\n"));
    }
    Ok(exit::OK)
}
