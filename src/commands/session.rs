//! What most commands share: the loaded configuration, variables, the locked state and a
//! connection to the workspace (real or the embedded emulator).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::CmdError;
use crate::cli::{Cli, VarArgs, parse_duration};
use crate::config::{self, Config, Scope, VarInputs};
use crate::credentials::{self, Endpoint, Flags, Layer, Sources};
use crate::emulator::{self, EmulatorOptions, RunningEmulator, TokenGrant};
use crate::graph::ConfigGraph;
use crate::render::Printer;
use crate::state::{StateDb, StateLock};
use crate::value::Value;
use crate::workato::limiter::{self, Limit};
use crate::workato::{Api, Token};

/// Environment variables read by workform (the first three match the official Workato CLI).
pub mod env {
    pub use crate::credentials::env::{HOST, REGION, TOKEN};
    pub const VAR_PREFIX: &str = "WF_VAR_";
    /// `debug` (or `trace`) prints one line per HTTP request to stderr.
    pub const LOG: &str = "WORKFORM_LOG";
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
    /// Where the connection goes and where its settings came from; `None` with --sandbox.
    pub endpoint: Option<Endpoint>,
    _emulator: Option<RunningEmulator>,
}

/// The state, opened under its lock.
pub struct LockedState {
    pub state: Arc<StateDb>,
    _lock: StateLock,
}

/// The connection flags of this run (`--host`, `--region`, `--profile`). Set once by the
/// dispatcher: every command's connection honours them without threading them through
/// each command's signature.
static FLAGS: OnceLock<Flags> = OnceLock::new();

/// Records the command line's connection flags (first call wins).
pub fn remember_flags(cli: &Cli) {
    let _ = FLAGS.set(flags_of(cli));
}

/// The connection flags of a command line.
pub fn flags_of(cli: &Cli) -> Flags {
    Flags {
        host: cli.host.clone(),
        region: cli.region.clone(),
        profile: cli.profile.clone(),
    }
}

fn flags() -> Flags {
    FLAGS.get().cloned().unwrap_or_default()
}

impl Session {
    /// Loads `*.wf.hcl` from the directory, builds the graph and resolves variables.
    pub fn load(printer: Printer, dir: &Path, vars: &VarArgs) -> Result<Session, CmdError> {
        let config = Arc::new(config::load_dir(dir).map_err(CmdError::Config)?);
        let graph = Arc::new(ConfigGraph::build(&config).map_err(CmdError::Config)?);
        let inputs = var_inputs(vars, dir)?;
        let vars = config::resolve_variables(&config, &inputs).map_err(CmdError::Config)?;
        Ok(Session {
            printer,
            dir: dir.to_path_buf(),
            config,
            graph,
            vars,
        })
    }

    /// Opens the state under its lock (`.workform/state.lock`).
    pub fn lock_state(&self, command: &str, lock_timeout: &str) -> Result<LockedState, CmdError> {
        lock_state(&self.dir, command, lock_timeout)
    }

    /// Connects to the workspace: the embedded emulator with `--sandbox`, otherwise the host
    /// and token by precedence: flags, environment, the `workato` block, a profile (see
    /// [`crate::credentials`]).
    pub async fn connect(&self, sandbox: bool) -> Result<Remote, CmdError> {
        let block = if sandbox {
            Layer::default()
        } else {
            self.workato_block()?
        };
        let mut remote = connect(&self.printer, &self.dir, sandbox, &block).await?;
        if let Some(limits) = self.rate_limits(remote.api.base_url())? {
            remote.api = remote.api.with_rate_limits(limits);
        }
        Ok(remote)
    }

    /// `workato { rate_limits { folders = 60, connection_writes = "1/s" } }`: per-group
    /// limits over the defaults (Workato's published limits on Workato hosts, none
    /// elsewhere). A number is requests per minute; a string is `N/s` or `N/min`.
    fn rate_limits(&self, base_url: &str) -> Result<Option<BTreeMap<String, Limit>>, CmdError> {
        let Some(block) = self
            .config
            .workato
            .as_ref()
            .and_then(|b| b.blocks.iter().find(|b| b.type_name == "rate_limits"))
        else {
            return Ok(None);
        };
        let mut limits = if limiter::is_workato_host(base_url) {
            limiter::workato_defaults()
        } else {
            BTreeMap::new()
        };
        let empty = BTreeMap::new();
        let scope = Scope {
            dir: &self.config.dir,
            vars: &self.vars,
            locals: &empty,
            resources: &BTreeMap::new(),
            each: None,
            count_index: None,
        };
        for attr in &block.body.attributes {
            if !limiter::GROUPS.contains(&attr.name.as_str()) {
                return Err(CmdError::Message(format!(
                    "{}: unknown rate-limit group `{}`; the groups are {}",
                    self.config.sources.location(attr.name_span),
                    attr.name,
                    limiter::GROUPS.join(", ")
                )));
            }
            let value = config::eval(&attr.expr, &scope).map_err(CmdError::Config)?;
            let limit = match &value {
                Value::Number(n) if *n >= 0.0 => Some(Limit { requests: *n, per: std::time::Duration::from_secs(60) }),
                Value::String(text) => parse_rate(text),
                _ => None,
            }
            .ok_or_else(|| {
                CmdError::Message(format!(
                    "{}: a rate limit is a number of requests per minute or a string such as \"10/s\" or \"60/min\"",
                    self.config.sources.location(attr.expr.span())
                ))
            })?;
            limits.insert(attr.name.clone(), limit);
        }
        Ok(Some(limits))
    }

    /// The `workato { host, region, token }` block, evaluated with the variables.
    pub fn workato_block(&self) -> Result<Layer, CmdError> {
        let Some(body) = &self.config.workato else {
            return Ok(Layer::default());
        };
        let empty = BTreeMap::new();
        let scope = Scope {
            dir: &self.config.dir,
            vars: &self.vars,
            locals: &empty,
            resources: &BTreeMap::new(),
            each: None,
            count_index: None,
        };
        let mut settings: BTreeMap<&str, String> = BTreeMap::new();
        for attr in &body.attributes {
            let name = attr.name.as_str();
            if !matches!(name, "host" | "region" | "token") {
                continue;
            }
            let value = config::eval(&attr.expr, &scope).map_err(CmdError::Config)?;
            if value.is_null() {
                continue;
            }
            let Some(text) = value.as_str() else {
                // Never show the value: this may be the token.
                return Err(CmdError::Message(format!(
                    "`{name}` in the workato block must be a string, not {}",
                    value.type_name()
                )));
            };
            if name == "token" && !matches!(value, Value::Sensitive(_)) {
                self.printer.warning(
                    "the workato block's `token` is not sensitive. Pass it through a variable declared with `sensitive = true` (set with WF_VAR_name or a git-ignored --var-file), or use WORKATO_API_TOKEN or a profile, so it is never printed or committed.",
                );
            }
            settings.insert(name, text.to_string());
        }
        let mut take = |k| settings.remove(k);
        Ok(Layer::new(take("host"), take("region"), take("token")))
    }
}

/// `"10/s"` or `"60/min"`.
fn parse_rate(text: &str) -> Option<Limit> {
    let (n, unit) = text.trim().split_once('/')?;
    let requests: f64 = n.trim().parse().ok().filter(|n: &f64| *n >= 0.0)?;
    let per = match unit.trim() {
        "s" | "sec" | "second" => std::time::Duration::from_secs(1),
        "min" | "m" | "minute" => std::time::Duration::from_secs(60),
        _ => return None,
    };
    Some(Limit { requests, per })
}

/// Connects for a command that needs the configuration only for its `workato` block
/// (`init`, `permissions --check`): variables are resolved only when that block exists, so
/// unrelated required variables need no values.
pub async fn connect_for_config(
    printer: &Printer,
    dir: &Path,
    sandbox: bool,
    config: Option<&Config>,
    vars: &VarArgs,
) -> Result<Remote, CmdError> {
    match config {
        Some(c) if c.workato.is_some() && !sandbox => {
            Session::load(printer.clone(), dir, vars)?
                .connect(sandbox)
                .await
        }
        _ => connect(printer, dir, sandbox, &Layer::default()).await,
    }
}

/// Connects with the given `workato` block settings (empty when there is no configuration).
pub async fn connect(
    printer: &Printer,
    dir: &Path,
    sandbox: bool,
    block: &Layer,
) -> Result<Remote, CmdError> {
    let flags = flags();
    if sandbox {
        if !flags.is_empty() {
            return Err(CmdError::Message(
                "--sandbox runs against the built-in emulator: --host, --region and --profile cannot be used with it".into(),
            ));
        }
        return connect_sandbox(printer, dir).await;
    }
    let env = Layer::from_env();
    let path = credentials::file::default_path();
    let shown = path.as_ref().map_or_else(
        || "~/.config/workform/credentials.toml".to_string(),
        |p| p.display().to_string(),
    );
    let file = match &path {
        Some(path) if credentials::needs_profiles(&flags, &env, block) => {
            credentials::file::load(path).map_err(|e| CmdError::Message(e.to_string()))?
        }
        _ => None,
    };
    let resolved = credentials::resolve(&Sources {
        flags: &flags,
        env: &env,
        block,
        profiles: file.as_ref(),
        profiles_path: &shown,
    })
    .map_err(|e| CmdError::Message(e.to_string()))?;
    let api = with_log(
        printer,
        Api::new(&resolved.endpoint.base_url, resolved.token),
    );
    Ok(Remote {
        api,
        endpoint: Some(resolved.endpoint),
        _emulator: None,
    })
}

/// Turns on request logging when `WORKFORM_LOG=debug`.
fn with_log(printer: &Printer, api: Api) -> Api {
    let level = std::env::var(env::LOG).unwrap_or_default();
    if matches!(
        level.trim().to_ascii_lowercase().as_str(),
        "debug" | "trace"
    ) {
        api.with_debug_log(printer.clone())
    } else {
        api
    }
}

/// Opens the state of a directory under its lock.
pub fn lock_state(dir: &Path, command: &str, lock_timeout: &str) -> Result<LockedState, CmdError> {
    let timeout = parse_duration(lock_timeout).map_err(CmdError::Message)?;
    let wf = dir.join(".workform");
    let lock = StateLock::acquire(&wf, command, timeout).map_err(CmdError::from)?;
    let state = StateDb::open(&wf).map_err(CmdError::from)?;
    Ok(LockedState {
        state: Arc::new(state),
        _lock: lock,
    })
}

async fn connect_sandbox(printer: &Printer, dir: &Path) -> Result<Remote, CmdError> {
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
    let api = with_log(
        printer,
        Api::new(&running.base_url(), Token::new(SANDBOX_TOKEN)),
    );
    Ok(Remote {
        api,
        endpoint: None,
        _emulator: Some(running),
    })
}

fn var_inputs(args: &VarArgs, dir: &Path) -> Result<VarInputs, CmdError> {
    let mut cli = Vec::new();
    for item in &args.vars {
        let (name, value) = item.split_once('=').ok_or_else(|| {
            CmdError::Message(format!("invalid --var {item:?}: expected NAME=VALUE"))
        })?;
        if name.trim() != name || name.is_empty() {
            return Err(CmdError::Message(format!(
                "invalid --var {item:?}: no spaces around `=`"
            )));
        }
        cli.push((name.to_string(), value.to_string()));
    }
    let files = args
        .var_files
        .iter()
        .map(|f| {
            if f.is_absolute() {
                f.clone()
            } else {
                std::env::current_dir()
                    .map(|c| c.join(f))
                    .unwrap_or_else(|_| dir.join(f))
            }
        })
        .collect();
    let env = std::env::vars()
        .filter_map(|(k, v)| k.strip_prefix(env::VAR_PREFIX).map(|n| (n.to_string(), v)))
        .collect();
    Ok(VarInputs { cli, files, env })
}
