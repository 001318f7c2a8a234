//! Command-line arguments (clap). Resolution into settings happens in `commands::session`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Declarative provisioning for Workato workspaces.
#[derive(Debug, Parser)]
#[command(name = "workform", version, about, max_term_width = 100)]
pub struct Cli {
    /// Configuration directory (holds the *.wf.hcl files and .workform/).
    #[arg(
        short = 'C',
        long = "chdir",
        global = true,
        default_value = ".",
        value_name = "DIR"
    )]
    pub dir: PathBuf,
    /// Disable colours (also NO_COLOR).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Run against the built-in emulator (data in .workform/sandbox.json); no credentials needed.
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Workato API host, e.g. https://app.eu.workato.com (beats WORKATO_HOST, the workato block and profiles).
    #[arg(long, global = true, value_name = "URL", conflicts_with = "region")]
    pub host: Option<String>,
    /// Workato data centre: us, eu, jp, sg, au, il, kr, cn or trial (beats WORKATO_REGION, the workato block and profiles).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Use this profile of the credentials file instead of the current one (see `workform profiles`).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the configuration: syntax, references, types, schemas. No network.
    Validate(VarArgs),
    /// Rewrite *.wf.hcl and *.wfvars files in canonical format.
    Fmt(FmtArgs),
    /// Show what apply would change.
    Plan(PlanArgs),
    /// Create, update and delete objects to match the configuration.
    Apply(ApplyArgs),
    /// Delete every object this configuration manages, in reverse dependency order.
    Destroy(ApplyArgs),
    /// Show root outputs from state.
    Output(OutputArgs),
    /// Show a saved plan, or the current state.
    Show(ShowArgs),
    /// Adopt an existing workspace object into state (a `resource` block must exist).
    Import(ImportArgs),
    /// Write configuration and import blocks for a live workspace (or one project or folder).
    Generate(GenerateArgs),
    /// Inspect the state.
    #[command(subcommand)]
    State(StateCommand),
    /// Release a state lock left by a run that is stuck or gone.
    ForceUnlock(ForceUnlockArgs),
    /// Print the dependency graph as DOT.
    Graph,
    /// Run the local Workato API emulator.
    Emulator(EmulatorArgs),
    /// Prepare the directory: create .workform/, check the API token, record the workspace.
    Init(VarArgs),
    /// List the API client permissions this configuration needs; --check probes the token.
    Permissions(PermissionsArgs),
    /// Manage credential profiles (~/.config/workform/credentials.toml).
    #[command(subcommand)]
    Profiles(ProfilesCommand),
}

#[derive(Debug, Args, Clone, Default)]
pub struct PermissionsArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    /// Probe the token with harmless reads and report what it lacks (exit 1 if anything).
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// List the profiles (tokens are never shown).
    List,
    /// Make NAME the current profile.
    Use { name: String },
    /// Create a profile; the data centre comes from --region or --host, the token from
    /// standard input (or WORKATO_API_TOKEN), never from the command line.
    Create {
        name: String,
        /// Replace an existing profile of that name.
        #[arg(long)]
        force: bool,
    },
    /// Delete a profile.
    Delete { name: String },
}

#[derive(Debug, Args, Clone, Default)]
pub struct FmtArgs {
    /// Write nothing: list the files that are not in canonical form and exit 3 if any.
    #[arg(long)]
    pub check: bool,
    /// Print a unified diff of the formatting changes.
    #[arg(long)]
    pub diff: bool,
    /// Files or directories to format (default: the configuration directory); `-` formats
    /// standard input to standard output.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Input variables.
#[derive(Debug, Args, Clone, Default)]
pub struct VarArgs {
    /// Set a variable: --var name=value (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from an HCL file of attributes (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct PlanArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan to destroy everything.
    #[arg(long)]
    pub destroy: bool,
    /// Replace this instance even if unchanged (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub replace: Vec<String>,
    /// Read live objects before planning (--refresh=false trusts the state).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub refresh: bool,
    /// How many API operations may run at once.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub parallelism: usize,
    /// How long to wait for the state lock (e.g. 30s, 2m).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub lock_timeout: String,
    /// Plan only these resources or instances and what they depend on (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
    /// Only bring the state up to date with the live objects; change nothing.
    #[arg(long)]
    pub refresh_only: bool,
    /// Save the plan to FILE for `workform apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the plan as JSON (Terraform's plan shape; sensitive values redacted).
    #[arg(long)]
    pub json: bool,
    /// Print a compact Markdown summary for pull-request comments.
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct ApplyArgs {
    /// A plan saved with `plan --out`: apply exactly it (no prompt).
    #[arg(value_name = "PLANFILE")]
    pub plan_file: Option<PathBuf>,
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Skip the interactive confirmation.
    #[arg(long)]
    pub auto_approve: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write into (created if missing; must hold no *.wf.hcl files).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only this project or folder and everything in it: "Project" or "Project/Folder/Sub".
    #[arg(long, value_name = "PATH")]
    pub folder: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The instance address, e.g. workato_folder.reports or 'workato_folder.f["eu"]'.
    pub addr: String,
    /// The object's id in Workato (for properties: `<project_id>:<name>` or `environment:<name>`).
    pub id: String,
    #[command(flatten)]
    pub vars: VarArgs,
    /// How long to wait for the state lock.
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub lock_timeout: String,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan file saved with `plan --out`; without it, the current state.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// One output's name; its value is printed even when sensitive.
    pub name: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Print a string, number or bool output without quotes.
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List resource addresses in state.
    List,
    /// Show one instance's attributes (sensitive values hidden).
    Show(StateShowArgs),
    /// Rename an instance or a whole resource in state (nothing changes remotely).
    Mv(StateMvArgs),
    /// Forget instances without deleting them from the workspace.
    Rm(StateRmArgs),
    /// Print the state (or an earlier serial) as JSON on stdout, sensitive values included.
    Pull(StatePullArgs),
    /// Replace the state with a JSON document from `state pull`.
    Push(StatePushArgs),
}

/// How long a state command waits for the state lock.
#[derive(Debug, Args, Clone)]
pub struct LockArgs {
    /// How long to wait for the state lock (e.g. 30s, 2m).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub lock_timeout: String,
}

#[derive(Debug, Args)]
pub struct StateShowArgs {
    /// The instance, e.g. workato_folder.ops or 'workato_folder.ops["eu"]'.
    pub addr: String,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct StateMvArgs {
    /// The instance or resource to move.
    pub source: String,
    /// Its new address (must not exist in state yet).
    pub destination: String,
    /// Show what would move without changing the state.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct StateRmArgs {
    /// Instances or whole resources to forget.
    #[arg(required = true, value_name = "ADDR")]
    pub addrs: Vec<String>,
    /// Show what would be forgotten without changing the state.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct StatePullArgs {
    /// An earlier serial from the state history instead of the current state.
    #[arg(long, value_name = "N")]
    pub serial: Option<u64>,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct StatePushArgs {
    /// A JSON document from `state pull` (`-` reads stdin).
    pub file: PathBuf,
    /// Push even when the document has another lineage or an older serial.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Args)]
pub struct ForceUnlockArgs {
    /// The lock ID printed by the run that holds the lock.
    pub lock_id: String,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: String,
    /// A token and its permissions: SECRET=all|standard|read-only|"perm, perm" (repeatable; default: dev=all).
    #[arg(long = "token", value_name = "SECRET=SET")]
    pub tokens: Vec<String>,
    /// Persist the workspace to this JSON file.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Delay every API answer by this many milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,
    /// Answer this fraction (0..1) of API requests with 503.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub error_rate: f64,
    /// Answer requests beyond N per second with 429 and Retry-After.
    #[arg(long, value_name = "N")]
    pub rate_limit: Option<u32>,
    /// Seed for reproducible fault sequences.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u64,
}

/// Parses `30s`, `2m`, `1h`, `500ms`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?} (use e.g. 30s, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(format!(
                "invalid duration unit in {text:?} (use ms, s, m or h)"
            ));
        }
    };
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s").unwrap().as_secs(), 30);
        assert_eq!(parse_duration("2m").unwrap().as_secs(), 120);
        assert_eq!(parse_duration("5").unwrap().as_secs(), 5);
        assert!(parse_duration("5x").is_err());
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
