//! The offline stage: parse, evaluate, graph and diff N resources against a state that
//! already holds all of them, with no network (`plan::plan(.., api: None)`).
//!
//! It runs in a child process (the bench binary re-executed with `--offline-child N`) so
//! that the peak RSS it reports (`VmHWM`) is this stage's own, not the emulator's or an
//! earlier stage's, and so the parent can kill it when it overruns its time budget.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use workform::addr::Mode;
use workform::config::{self, Config, VarInputs};
use workform::graph::{ConfigGraph, Node};
use workform::plan::diff::diff_instance;
use workform::plan::eval::Evaluator;
use workform::plan::planner::{ignore_set, mark, schema_for, sensitive_attrs};
use workform::plan::{self, Action, PlanOptions, refresh};
use workform::state::{Snapshot, StateDb};
use workform::value::Value;

use super::workload::Mix;

/// What the child reports (one JSON line on stdout).
#[derive(Debug, Serialize, Deserialize)]
pub struct OfflineResult {
    pub n: usize,
    /// Reading and parsing the config, decoding blocks, resolving variables.
    pub parse_ms: f64,
    /// Building the dependency graph.
    pub graph_ms: f64,
    /// Reading the state from redb (not part of the target; shown for the full picture).
    pub state_ms: f64,
    /// `plan::plan`: evaluation of every instance and the diff against state.
    pub plan_ms: f64,
    /// parse + graph + plan: the number the < 1 s target is about.
    pub total_ms: f64,
    /// Peak resident set size of the process (VmHWM) right after planning, in KiB.
    pub peak_rss_kib: u64,
    /// Instances the plan covered, and how many of them would change (must be 0).
    pub instances: usize,
    pub changes: usize,
    /// Where `plan_ms` goes, measured by a second, instrumented pass over the same graph;
    /// `None` until that pass is done, and when planning was too slow to repeat.
    pub profile: Option<Profile>,
}

/// Planning slower than this is not repeated for the profile (it would only double the
/// stage's time; the smaller sizes already show where the time goes).
const PROFILE_LIMIT_MS: f64 = 20_000.0;

/// The instrumented pass: the planner's loop, with a clock around each step.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Profile {
    /// `locals` and outputs.
    pub locals_ms: f64,
    /// Expanding `for_each` and evaluating each instance's arguments.
    pub eval_ms: f64,
    /// Diffing each instance against its prior object.
    pub diff_ms: f64,
    /// Recording each planned instance for later references (`Evaluator::set_instance`).
    pub record_ms: f64,
}

/// Runs the stage for `n` resources in a fresh temporary directory. `report` receives the
/// result as soon as planning is measured, then again with the profile, so a parent that
/// has to stop a slow child still has the main numbers.
pub fn run(n: usize, report: &mut dyn FnMut(&OfflineResult)) -> Result<(), String> {
    let mix = Mix::for_total(n);
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    std::fs::write(dir.path().join("main.wf.hcl"), mix.hcl())
        .map_err(|e| format!("cannot write the config: {e}"))?;

    // The state, written to redb up front (not timed), read back as plan would read it.
    let wf = dir.path().join(".workform");
    let applied = mix.applied_state();
    let db = StateDb::open(&wf).map_err(|e| e.to_string())?;
    db.replace(&applied).map_err(|e| e.to_string())?;
    drop(applied);

    let t0 = Instant::now();
    let config = Arc::new(config::load_dir(dir.path()).map_err(|d| format!("config: {d}"))?);
    let vars = config::resolve_variables(&config, &VarInputs::default())
        .map_err(|d| format!("variables: {d}"))?;
    let t1 = Instant::now();
    let graph = ConfigGraph::build(&config).map_err(|d| format!("graph: {d}"))?;
    let t2 = Instant::now();
    let snapshot = db.snapshot().map_err(|e| e.to_string())?;
    let t3 = Instant::now();
    let refreshed = refresh::from_state(&snapshot);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| e.to_string())?;
    let planned = runtime
        .block_on(plan::plan(
            &config,
            &graph,
            vars.clone(),
            &snapshot,
            &refreshed,
            &PlanOptions::default(),
            None,
        ))
        .map_err(|e| format!("plan: {e}"))?;
    let t4 = Instant::now();
    let peak_rss_kib = peak_rss_kib();

    let instances = planned.changes.len();
    let changes = planned
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .count();
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
    let (parse_ms, graph_ms, state_ms, plan_ms) = (ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4));
    drop(planned);
    let mut result = OfflineResult {
        n,
        parse_ms,
        graph_ms,
        state_ms,
        plan_ms,
        total_ms: parse_ms + graph_ms + plan_ms,
        peak_rss_kib,
        instances,
        changes,
        profile: None,
    };
    report(&result);
    if plan_ms < PROFILE_LIMIT_MS {
        result.profile = Some(profile(&config, &graph, vars, &snapshot)?);
        report(&result);
    }
    Ok(())
}

/// The planner's walk (see `plan::planner::plan`) for the shapes this workload uses, timed
/// step by step. It exists to say which step dominates, not to plan.
fn profile(
    config: &Arc<Config>,
    graph: &ConfigGraph,
    vars: BTreeMap<String, Value>,
    snapshot: &Snapshot,
) -> Result<Profile, String> {
    let refreshed = refresh::from_state(snapshot);
    let mut eval = Evaluator::new(config.clone(), vars);
    let mut p = Profile::default();
    let since = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    for node in graph.order() {
        match node {
            Node::Var(_) => {}
            Node::Local(name) => {
                let t = Instant::now();
                let local = config
                    .locals
                    .iter()
                    .find(|l| l.name == name)
                    .ok_or("graph names a missing local")?;
                eval.eval_local(local).map_err(|d| d.to_string())?;
                p.locals_ms += since(t);
            }
            Node::Output(name) => {
                let t = Instant::now();
                let output = config
                    .outputs
                    .iter()
                    .find(|o| o.name == name)
                    .ok_or("graph names a missing output")?;
                eval.eval_output(output).map_err(|d| d.to_string())?;
                p.locals_ms += since(t);
            }
            Node::Resource(addr) => {
                let rc = config
                    .resources
                    .iter()
                    .find(|r| r.addr == addr)
                    .ok_or("graph names a missing resource")?;
                if rc.addr.mode != Mode::Managed {
                    continue;
                }
                let schema = schema_for(config, rc).map_err(|d| d.to_string())?;
                let ignore = ignore_set(config, rc, schema).map_err(|d| d.to_string())?;
                let t = Instant::now();
                let expansions = eval.expand(rc).map_err(|d| d.to_string())?;
                p.eval_ms += since(t);
                for exp in expansions {
                    let t = Instant::now();
                    let values = eval
                        .eval_instance(rc, schema, &exp)
                        .map_err(|d| d.to_string())?;
                    let sensitive = sensitive_attrs(schema, &values);
                    p.eval_ms += since(t);
                    let t = Instant::now();
                    let prior = refreshed
                        .get(&rc.addr.instance(exp.key.clone()))
                        .and_then(Option::as_ref);
                    let diff = diff_instance(schema, &values, prior, &ignore, false);
                    p.diff_ms += since(t);
                    let t = Instant::now();
                    eval.set_instance(&rc.addr, exp.key.clone(), mark(&diff.after, &sensitive));
                    p.record_ms += since(t);
                }
                eval.finish_resource(&rc.addr);
            }
        }
    }
    Ok(p)
}

/// `VmHWM` from `/proc/self/status`: the process's peak resident set size, in KiB
/// (0 where /proc is not available).
pub fn peak_rss_kib() -> u64 {
    parse_vm_hwm(&std::fs::read_to_string("/proc/self/status").unwrap_or_default())
}

fn parse_vm_hwm(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The parent's view of one offline stage.
pub enum Outcome {
    Done(OfflineResult),
    /// Planning did not finish before the deadline; the child was stopped.
    Stopped {
        after: Duration,
        /// The child's VmHWM when it was stopped, in KiB.
        peak_rss_kib: u64,
    },
}

pub struct OfflineRow {
    pub n: usize,
    pub outcome: Outcome,
}

/// Runs `--offline-child N` (this same binary) and reads its report; stops it at `deadline`.
pub fn measure(n: usize, deadline: Instant) -> Result<OfflineRow, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the benchmark binary: {e}"))?;
    let out_dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let out_path = out_dir.path().join("result.jsonl");
    let out = std::fs::File::create(&out_path)
        .map_err(|e| format!("cannot create {}: {e}", out_path.display()))?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(["--offline-child", &n.to_string()])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the offline stage: {e}"))?;
    let mut stopped_rss = None;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                stopped_rss = Some(rss_of(child.id()));
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for the offline stage: {e}")),
        }
    };
    if status.is_some_and(|s| !s.success()) {
        return Err(format!(
            "the offline plan of {n} resources failed (see the error above)"
        ));
    }
    // The last complete line is the most complete report (the profile comes second).
    let text = std::fs::read_to_string(&out_path).unwrap_or_default();
    let last = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<OfflineResult>(l).ok());
    let outcome = match (last, stopped_rss) {
        (Some(result), _) => {
            if result.changes != 0 || result.instances != n {
                return Err(format!(
                    "the offline plan of {n} resources is wrong: {} instances, {} with changes (expected {n} and 0)",
                    result.instances, result.changes
                ));
            }
            Outcome::Done(result)
        }
        (None, Some(peak_rss_kib)) => Outcome::Stopped {
            after: started.elapsed(),
            peak_rss_kib,
        },
        (None, None) => {
            return Err(format!(
                "the offline plan of {n} resources ended without a report"
            ));
        }
    };
    Ok(OfflineRow { n, outcome })
}

/// `VmHWM` of another process, in KiB (0 when unreadable).
fn rss_of(pid: u32) -> u64 {
    parse_vm_hwm(&std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default())
}
