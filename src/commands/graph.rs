//! `workform graph`: the dependency graph as DOT.

use std::path::Path;

use super::{CmdError, exit};
use crate::config;
use crate::graph::ConfigGraph;
use crate::render::Printer;

pub fn run(printer: Printer, dir: &Path) -> Result<u8, CmdError> {
    let config = config::load_dir(dir).map_err(CmdError::Config)?;
    let graph = ConfigGraph::build(&config).map_err(CmdError::Config)?;
    printer.out(&graph.to_dot());
    Ok(exit::OK)
}
