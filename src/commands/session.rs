//! What most commands share: the loaded configuration, variables, the locked state and a
//! connection to the workspace (real or the embedded emulator).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::CmdError;
use crate::cli::{VarArgs, parse_duration};
use crate::config::{self, Config, Scope, VarInputs};
use crate::emulator::{self, EmulatorOptions, RunningEmulator, TokenGrant};
use crate::graph::ConfigGraph;
use crate::render::Printer;
use crate::state::{StateDb, StateLock};
use crate::value::Value;
use crate::workato::client::normalise_host;
use crate::workato::{Api, Token, region};

/// Environment variables read by workform (the first three match the official Workato CLI).
pub mod env {
    pub const TOKEN: &str = "WORKATO_API_TOKEN";
    pub const HOST: &str = "WORKATO_HOST";
    pub const REGION: &str = "WORKATO_REGION";
    pub const VAR_PREFIX: &str = "WF_VAR_";
}

/// The token the embedded emulator accepts.
const SANDBOX_TOKEN: &str = "sandbox";

/// A loaded, checked configuration with its variables.
pub struct Session {
    pub printer: Printer,
    pub dir: PathBuf,
    pub config: Arc<Config>,
    pub graph: Arc<ConfigGraph>,
    pub vars: BTreeMap<String, Value>,
}

/// The workspace connection; holds the embedded emulator alive when sandboxed.
pub struct Remote {
    pub api: Api,
    _emulator: Option<RunningEmulator>,
}

/// The state, opened under its lock.
pub struct LockedState {
    pub state: Arc<StateDb>,
    _lock: StateLock,
}

impl Session {
    /// Loads `*.wf.hcl` from the directory, builds the graph and resolves variables.
    pub fn load(printer: Printer, dir: &Path, vars: &VarArgs) -> Result<Session, CmdError> {
        let config = Arc::new(config::load_dir(dir).map_err(CmdError::Config)?);
        let graph = Arc::new(ConfigGraph::build(&config).map_err(CmdError::Config)?);
        let inputs = var_inputs(vars, dir)?;
        let vars = config::resolve_variables(&config, &inputs).map_err(CmdError::Config)?;
        Ok(Session { printer, dir: dir.to_path_buf(), config, graph, vars })
    }

    /// Opens the state under its lock (`.workform/state.lock`).
    pub fn lock_state(&self, command: &str, lock_timeout: &str) -> Result<LockedState, CmdError> {
        lock_state(&self.dir, command, lock_timeout)
    }

    /// Connects to the workspace: the embedded emulator with `--sandbox`, otherwise the
    /// host and token from the environment or the `workato` block.
    pub async fn connect(&self, sandbox: bool) -> Result<Remote, CmdError> {
        if sandbox {
            return connect_sandbox(&self.dir).await;
        }
        let settings = self.workato_block()?;
        let token = std::env::var(env::TOKEN)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .or(settings.token)
            .ok_or_else(|| {
                CmdError::Message(format!(
                    "no Workato API token: set {} (or `token` in the workato block, from a sensitive variable), or try workform without an account using --sandbox",
                    env::TOKEN
                ))
            })?;
        let host = match (std::env::var(env::HOST).ok().filter(|h| !h.is_empty()), settings.host) {
            (Some(h), _) | (None, Some(h)) => h,
            (None, None) => {
                let region = std::env::var(env::REGION).ok().filter(|r| !r.is_empty()).or(settings.region).unwrap_or_else(|| "us".into());
                region::host_for(&region)
                    .ok_or_else(|| CmdError::Message(format!("unknown Workato region {region:?}: expected one of {}", region::names())))?
                    .to_string()
            }
        };
        let base = normalise_host(&host).map_err(|e| CmdError::Message(e.to_string()))?;
        Ok(Remote { api: Api::new(&base, Token::new(token)), _emulator: None })
    }

    fn workato_block(&self) -> Result<WorkatoSettings, CmdError> {
        let mut settings = WorkatoSettings::default();
        let Some(body) = &self.config.workato else { return Ok(settings) };
        let empty = BTreeMap::new();
        let scope = Scope {
            dir: &self.config.dir,
            vars: &self.vars,
            locals: &empty,
            resources: &BTreeMap::new(),
            each: None,
            count_index: None,
        };
        for attr in &body.attributes {
            let value = config::eval(&attr.expr, &scope).map_err(CmdError::Config)?;
            let text = value.as_str().map(str::to_string);
            let slot = match attr.name.as_str() {
                "host" => &mut settings.host,
                "region" => &mut settings.region,
                "token" => &mut settings.token,
                _ => continue,
            };
            *slot = text;
        }
        Ok(settings)
    }
}

#[derive(Default)]
struct WorkatoSettings {
    host: Option<String>,
    region: Option<String>,
    token: Option<String>,
}

/// Opens the state of a directory under its lock.
pub fn lock_state(dir: &Path, command: &str, lock_timeout: &str) -> Result<LockedState, CmdError> {
    let timeout = parse_duration(lock_timeout).map_err(CmdError::Message)?;
    let wf = dir.join(".workform");
    let lock = StateLock::acquire(&wf, command, timeout).map_err(CmdError::from)?;
    let state = StateDb::open(&wf).map_err(CmdError::from)?;
    Ok(LockedState { state: Arc::new(state), _lock: lock })
}

async fn connect_sandbox(dir: &Path) -> Result<Remote, CmdError> {
    let wf = dir.join(".workform");
    crate::state::ensure_dir(&wf).map_err(CmdError::from)?;
    let running = emulator::start(EmulatorOptions {
        listen: "127.0.0.1:0".parse().expect("valid loopback address"),
        tokens: vec![TokenGrant::all(SANDBOX_TOKEN)],
        data_file: Some(wf.join("sandbox.json")),
        faults: Default::default(),
    })
    .await
    .map_err(|e| CmdError::Message(format!("cannot start the sandbox emulator: {e}")))?;
    let api = Api::new(&running.base_url(), Token::new(SANDBOX_TOKEN));
    Ok(Remote { api, _emulator: Some(running) })
}

fn var_inputs(args: &VarArgs, dir: &Path) -> Result<VarInputs, CmdError> {
    let mut cli = Vec::new();
    for item in &args.vars {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| CmdError::Message(format!("invalid --var {item:?}: expected NAME=VALUE")))?;
        if name.trim() != name || name.is_empty() {
            return Err(CmdError::Message(format!("invalid --var {item:?}: no spaces around `=`")));
        }
        cli.push((name.to_string(), value.to_string()));
    }
    let files = args
        .var_files
        .iter()
        .map(|f| if f.is_absolute() { f.clone() } else { std::env::current_dir().map(|c| c.join(f)).unwrap_or_else(|_| dir.join(f)) })
        .collect();
    let env = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix(env::VAR_PREFIX).map(|n| (n.to_string(), v)))
        .collect();
    Ok(VarInputs { cli, files, env })
}
