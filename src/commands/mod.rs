//! One file per subcommand; `run` dispatches and maps errors to exit codes.

mod apply;
mod emulator;
mod fmt;
mod generate;
mod graph;
mod import;
mod init;
mod output;
mod permissions;
mod plan;
mod profiles;
pub mod session;
mod show;
mod state;
mod validate;

use std::process::ExitCode;

use crate::apply::ApplyError;
use crate::cli::{Cli, Command, StateCommand};
use crate::config::Diagnostics;
use crate::plan::PlanError;
use crate::plan::refresh::RefreshError;
use crate::render::Printer;
use crate::state::StateError;
use crate::workato::ApiError;

/// Exit codes, as Terraform uses them.
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    /// `plan --detailed-exitcode` found changes.
    pub const CHANGES: u8 = 2;
    /// `fmt --check` found files to reformat.
    pub const UNFORMATTED: u8 = 3;
}

/// A command's failure. Large causes are boxed to keep `Result<_, CmdError>` small.
#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    #[error("{0}")]
    Config(Diagnostics),
    #[error(transparent)]
    State(Box<StateError>),
    #[error("{context}: {source}")]
    Api {
        context: String,
        #[source]
        source: Box<ApiError>,
    },
    #[error(transparent)]
    Refresh(Box<RefreshError>),
    #[error(transparent)]
    Apply(Box<ApplyError>),
    #[error(transparent)]
    Data(Box<PlanError>),
    #[error("{0}")]
    Message(String),
    /// Already reported to the user; only the exit code remains.
    #[error("")]
    Reported,
}

impl From<StateError> for CmdError {
    fn from(e: StateError) -> Self {
        CmdError::State(Box::new(e))
    }
}

impl From<RefreshError> for CmdError {
    fn from(e: RefreshError) -> Self {
        CmdError::Refresh(Box::new(e))
    }
}

impl From<ApplyError> for CmdError {
    fn from(e: ApplyError) -> Self {
        CmdError::Apply(Box::new(e))
    }
}

impl From<PlanError> for CmdError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::Config(d) => CmdError::Config(d),
            other => CmdError::Data(Box::new(other)),
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let printer = Printer::new(cli.no_color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            printer.error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(exit::ERROR);
        }
    };
    let result = runtime.block_on(dispatch(&cli, &printer));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report(&printer, &err);
            ExitCode::from(exit::ERROR)
        }
    }
}

async fn dispatch(cli: &Cli, printer: &Printer) -> Result<u8, CmdError> {
    let p = printer.clone();
    session::remember_flags(cli);
    match &cli.command {
        Command::Validate(vars) => validate::run(p, &cli.dir, vars).await,
        Command::Fmt(args) => fmt::run(p, &cli.dir, args),
        Command::Plan(args) => plan::run(p, &cli.dir, cli.sandbox, args).await,
        Command::Apply(args) => apply::run(p, &cli.dir, cli.sandbox, args, false).await,
        Command::Destroy(args) => apply::run(p, &cli.dir, cli.sandbox, args, true).await,
        Command::Output(args) => output::run(p, &cli.dir, args),
        Command::Show(args) => show::run(p, &cli.dir, args).await,
        Command::Import(args) => import::run(p, &cli.dir, cli.sandbox, args).await,
        Command::Generate(args) => generate::run(p, &cli.dir, cli.sandbox, args).await,
        Command::State(StateCommand::List) => state::list(p, &cli.dir),
        Command::State(StateCommand::Show(args)) => state::show(p, &cli.dir, args),
        Command::State(StateCommand::Mv(args)) => state::mv(p, &cli.dir, args),
        Command::State(StateCommand::Rm(args)) => state::rm(p, &cli.dir, args),
        Command::State(StateCommand::Pull(args)) => state::pull(p, &cli.dir, args),
        Command::State(StateCommand::Push(args)) => state::push(p, &cli.dir, args),
        Command::ForceUnlock(args) => state::force_unlock(p, &cli.dir, args),
        Command::Graph => graph::run(p, &cli.dir),
        Command::Emulator(args) => emulator::run(p, args).await,
        Command::Init(vars) => init::run(p, &cli.dir, cli.sandbox, vars).await,
        Command::Permissions(args) => permissions::run(p, &cli.dir, cli.sandbox, args).await,
        Command::Profiles(command) => profiles::run(p, command, &session::flags_of(cli)),
    }
}

fn report(printer: &Printer, err: &CmdError) {
    match err {
        CmdError::Config(diags) => {
            printer.err(&crate::render::diag::render(diags, printer.color));
            printer.err(&format!("{} configuration error(s).", diags.0.len()));
        }
        CmdError::Reported => {}
        other => printer.error(&other.to_string()),
    }
}
