//! `workform permissions [--check]`, and the permission preflight plan and apply run.
//!
//! What a configuration needs comes from the resource and data source types it uses (and
//! those in its state) through `workato::needs`, mapped onto the permission table. Reads
//! can be probed harmlessly (a list call, or a GET of id 0 that answers 404 when allowed
//! and 403 when not); writes cannot be checked without writing, so they are only listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::session::{connect_for_config, lock_state};
use super::{CmdError, exit};
use crate::addr::Mode;
use crate::cli::PermissionsArgs;
use crate::config::{self, Config};
use crate::plan::PlanMode;
use crate::render::Printer;
use crate::state::Snapshot;
use crate::workato::needs::{self, Endpoint, Phase};
use crate::workato::permissions::Permission;
use crate::workato::{Api, ApiError};

/// Where permissions are granted, for messages.
const WHERE_TO_GRANT: &str = "Workspace Admin → API clients → (your client's role)";

/// The resource and data source types in play.
#[derive(Debug, Default)]
pub struct Usage {
    /// `resource` and `data` blocks of the configuration.
    pub config: BTreeSet<(Mode, String)>,
    /// Managed types recorded in the state.
    pub state: BTreeSet<String>,
}

impl Usage {
    pub fn of(config: &Config, snapshot: Option<&Snapshot>) -> Usage {
        Usage {
            config: config
                .resources
                .iter()
                .map(|r| (r.addr.mode, r.addr.type_name.clone()))
                .collect(),
            state: snapshot
                .map(|s| s.managed().map(|r| r.type_name.clone()).collect())
                .unwrap_or_default(),
        }
    }

    /// Every call a phase makes. Destroy covers the state's types and the configuration's
    /// (what a later destroy will need once they exist) but reads no data sources.
    pub fn endpoints(&self, phase: Phase) -> Vec<Endpoint> {
        let managed: BTreeSet<&str> = self
            .config
            .iter()
            .filter(|(mode, _)| *mode == Mode::Managed)
            .map(|(_, t)| t.as_str())
            .chain(self.state.iter().map(String::as_str))
            .collect();
        let mut out = needs::ALWAYS.to_vec();
        for t in managed {
            out.extend(needs::endpoints(Mode::Managed, t, phase));
        }
        for (mode, t) in &self.config {
            if *mode == Mode::Data {
                out.extend(needs::endpoints(Mode::Data, t, phase));
            }
        }
        out
    }

    /// Types workform has no permission data for (listed as a warning).
    fn unknown(&self) -> Vec<String> {
        let state = self.state.iter().map(|t| (Mode::Managed, t.clone()));
        self.config
            .iter()
            .cloned()
            .chain(state)
            .filter(|(mode, t)| !needs::is_known(*mode, t))
            .map(|(mode, t)| {
                if mode == Mode::Data {
                    format!("data.{t}")
                } else {
                    t
                }
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// The permissions a plan (or the plan an apply or destroy starts with) needs, for
/// [`preflight`]; without `GET /api/users/me`, which the caller has just called.
pub fn needed_for(
    config: &Config,
    snapshot: &Snapshot,
    mode: PlanMode,
) -> Vec<&'static Permission> {
    let phase = if mode == PlanMode::Destroy {
        Phase::Destroy
    } else {
        Phase::Apply
    };
    let endpoints: Vec<Endpoint> = Usage::of(config, Some(snapshot))
        .endpoints(phase)
        .into_iter()
        .filter(|e| !needs::ALWAYS.contains(e))
        .collect();
    needs::permissions(&endpoints)
}

/// What a probe of one read permission found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Probe {
    Granted,
    Missing,
    /// The probe failed for another reason (shown, not fatal).
    Unknown(String),
}

/// Checks, before anything is written, the read permissions among `needed` (one cheap GET
/// per distinct permission, concurrently) and stops with every missing one listed. Write
/// permissions cannot be probed without writing: a missing one still surfaces as a 403
/// naming it when the write happens.
pub async fn preflight(api: &Api, needed: &[&'static Permission]) -> Result<(), CmdError> {
    let results = probe_all(api, needed).await?;
    let missing: Vec<&'static Permission> = results
        .into_iter()
        .filter(|(_, probe)| *probe == Probe::Missing)
        .map(|(p, _)| p)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut msg = format!(
        "the API client lacks {} permission{} this run needs (nothing was changed):",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" }
    );
    for p in &missing {
        msg.push_str(&format!(
            "\n  {} → {} → {} ({} {})",
            p.category, p.group, p.name, p.method, p.path
        ));
    }
    // The writes cannot be probed; list them now rather than let the user discover them
    // one 403 at a time after fixing the reads.
    let mut writes: Vec<&'static Permission> = Vec::new();
    for p in needed.iter().filter(|p| p.method != "GET") {
        if !writes
            .iter()
            .any(|w| w.group == p.group && w.name == p.name)
        {
            writes.push(p);
        }
    }
    if !writes.is_empty() {
        msg.push_str("\nIt also needs these write permissions, which cannot be checked without writing; make sure the role has them too:");
        for p in &writes {
            msg.push_str(&format!(
                "\n  {} → {} → {} ({} {})",
                p.category, p.group, p.name, p.method, p.path
            ));
        }
    }
    msg.push_str(&format!(
        "\nGrant {} in {WHERE_TO_GRANT}, then run again; `workform permissions --check` shows the whole list.",
        if missing.len() == 1 && writes.is_empty() { "it" } else { "them" }
    ));
    Err(CmdError::Message(msg))
}

/// One probe per distinct read permission (by group and name) among `needed`; a 401 stops
/// everything (the token itself is wrong).
async fn probe_all(
    api: &Api,
    needed: &[&'static Permission],
) -> Result<Vec<(&'static Permission, Probe)>, CmdError> {
    let mut chosen: BTreeMap<(&str, &str), &'static Permission> = BTreeMap::new();
    for p in needed.iter().filter(|p| p.method == "GET") {
        let slot = chosen.entry((p.group, p.name)).or_insert(p);
        // Prefer a path without parameters: a plain list call.
        if params(slot.path) > params(p.path) {
            *slot = p;
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (index, perm) in chosen.into_values().enumerate() {
        let api = api.clone();
        tasks.spawn(async move { (index, perm, probe(&api, perm).await) });
    }
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (index, perm, result) =
            joined.map_err(|e| CmdError::Message(format!("permission probe failed: {e}")))?;
        match result {
            Err(source) => {
                return Err(CmdError::Api {
                    context: "checking permissions".into(),
                    source: Box::new(source),
                });
            }
            Ok(probe) => out.push((index, perm, probe)),
        }
    }
    out.sort_by_key(|(index, _, _)| *index);
    Ok(out
        .into_iter()
        .map(|(_, perm, probe)| (perm, probe))
        .collect())
}

fn params(path: &str) -> usize {
    path.split('/').filter(|s| s.starts_with(':')).count()
}

/// GETs the permission's path (parameters as `0`, a page of one for lists). Passing the
/// permission check is what counts: a 404 or a 400 after it still means granted.
async fn probe(api: &Api, perm: &Permission) -> Result<Probe, ApiError> {
    let path: String = perm
        .path
        .split('/')
        .map(|s| if s.starts_with(':') { "0" } else { s })
        .collect::<Vec<_>>()
        .join("/");
    let query = if params(perm.path) == 0 && perm.path != "/api/users/me" {
        vec![("page", "1".to_string()), ("per_page", "1".to_string())]
    } else {
        Vec::new()
    };
    Ok(match api.get(&path, &query).await {
        Ok(_) => Probe::Granted,
        Err(ApiError::Forbidden { .. }) => Probe::Missing,
        Err(e @ ApiError::Unauthorized { .. }) => return Err(e),
        Err(ApiError::NotFound { .. }) => Probe::Granted,
        Err(ApiError::Status {
            status: 400 | 422, ..
        }) => Probe::Granted,
        Err(e) => Probe::Unknown(e.to_string()),
    })
}

/// `workform permissions [--check]`.
pub async fn run(
    printer: Printer,
    dir: &Path,
    sandbox: bool,
    args: &PermissionsArgs,
) -> Result<u8, CmdError> {
    let config = config::load_dir(dir).map_err(CmdError::Config)?;
    let snapshot = if dir.join(".workform").join("state.redb").exists() {
        Some(lock_state(dir, "permissions", "0s")?.state.snapshot()?)
    } else {
        None
    };
    let usage = Usage::of(&config, snapshot.as_ref());
    for t in usage.unknown() {
        printer.warning(&format!(
            "workform has no permission data for {t}; its permissions are not listed."
        ));
    }
    let mut phases: BTreeMap<*const Permission, (&'static Permission, BTreeSet<Phase>)> =
        BTreeMap::new();
    for phase in Phase::ALL {
        for perm in needs::permissions(&usage.endpoints(phase)) {
            phases
                .entry(perm as *const Permission)
                .or_insert((perm, BTreeSet::new()))
                .1
                .insert(phase);
        }
    }
    // Table order, which groups rows by category and group.
    let mut rows: Vec<(&'static Permission, BTreeSet<Phase>)> = crate::workato::permissions::all()
        .iter()
        .filter_map(|p| phases.remove(&(p as *const Permission)))
        .collect();
    rows.dedup_by(|a, b| std::ptr::eq(a.0, b.0));

    let checks: Option<BTreeMap<(&str, &str), Probe>> = if args.check {
        let remote = connect_for_config(&printer, dir, sandbox, Some(&config), &args.vars).await?;
        let needed: Vec<&'static Permission> = rows.iter().map(|(p, _)| *p).collect();
        let results = probe_all(&remote.api, &needed).await?;
        Some(
            results
                .into_iter()
                .map(|(p, probe)| ((p.group, p.name), probe))
                .collect(),
        )
    } else {
        None
    };

    printer.out(&render(&printer, &rows, checks.as_ref()));
    let Some(checks) = checks else {
        return Ok(exit::OK);
    };
    let distinct: BTreeSet<(&str, &str)> = rows.iter().map(|(p, _)| (p.group, p.name)).collect();
    let count = |want: fn(&Probe) -> bool| checks.values().filter(|p| want(p)).count();
    let missing = count(|p| *p == Probe::Missing);
    let granted = count(|p| *p == Probe::Granted);
    let unknown = count(|p| matches!(p, Probe::Unknown(_)));
    let unchecked = distinct.len() - checks.len();
    printer.out(&format!(
        "\n{} permissions needed: {granted} granted, {missing} missing, {unchecked} cannot be checked without writing{}.",
        distinct.len(),
        if unknown > 0 { format!(", {unknown} could not be checked") } else { String::new() }
    ));
    if missing > 0 {
        printer.error(&format!(
            "the API client lacks {missing} permission{} this configuration needs; grant {} in {WHERE_TO_GRANT}.",
            if missing == 1 { "" } else { "s" },
            if missing == 1 { "it" } else { "them" }
        ));
        return Err(CmdError::Reported);
    }
    Ok(exit::OK)
}

/// Category → group → permission, with METHOD path and the phases that need it (and, with
/// `--check`, what the probe found).
fn render(
    printer: &Printer,
    rows: &[(&'static Permission, BTreeSet<Phase>)],
    checks: Option<&BTreeMap<(&str, &str), Probe>>,
) -> String {
    let styles = &printer.styles;
    let name_w = rows
        .iter()
        .map(|(p, _)| p.name.chars().count())
        .max()
        .unwrap_or(0);
    let method_w = rows.iter().map(|(p, _)| p.method.len()).max().unwrap_or(0);
    let path_w = rows.iter().map(|(p, _)| p.path.len()).max().unwrap_or(0);
    let phase_text = |phases: &BTreeSet<Phase>| {
        phases
            .iter()
            .map(|ph| ph.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let phases_w = rows
        .iter()
        .map(|(_, ph)| phase_text(ph).len())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "Permissions this configuration needs, by the commands that use them ({WHERE_TO_GRANT}):\n"
    );
    let (mut category, mut group) = ("", "");
    for (p, phases) in rows {
        if p.category != category {
            out.push_str(&format!("\n{}\n", styles.bold.apply_to(p.category)));
            category = p.category;
            group = "";
        }
        if p.group != group {
            out.push_str(&format!("  {}\n", p.group));
            group = p.group;
        }
        let mut line = format!(
            "    {:name_w$}  {:method_w$}  {:path_w$}  {:phases_w$}",
            p.name,
            p.method,
            p.path,
            phase_text(phases)
        );
        if let Some(checks) = checks {
            let status = match checks.get(&(p.group, p.name)) {
                Some(Probe::Granted) => styles.green.apply_to("granted".to_string()).to_string(),
                Some(Probe::Missing) => styles
                    .red
                    .apply_to("MISSING".to_string())
                    .bold()
                    .to_string(),
                Some(Probe::Unknown(why)) => format!("could not be checked: {why}"),
                None => styles
                    .dim
                    .apply_to("cannot be checked without writing".to_string())
                    .to_string(),
            };
            line.push_str(&format!("  {status}"));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}
