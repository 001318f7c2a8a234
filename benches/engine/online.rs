//! The online stages: the real `workform` binary against the emulator, on loopback, with
//! injected latency. Each command runs as a child process with a deadline, so a hang or a
//! regression cannot make the benchmark run for ever.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use workform::emulator::{self, EmulatorOptions, Faults, RunningEmulator};
use workform::plan::refresh;
use workform::render::Printer;
use workform::state::{Change, StateDb};
use workform::workato::{Api, Token};

use super::workload::Mix;
use super::{LATENCY_MS, PARALLELISM, STEP_LIMIT};

/// The token the emulator accepts (its default grant: every permission).
const TOKEN: &str = "dev";

/// One measured online stage.
pub struct OnlineRow {
    pub n: usize,
    pub stage: &'static str,
    pub calls: u64,
    pub wall: Duration,
    /// Whether the wall/bound target applies (the other rows explain where time goes).
    pub targeted: bool,
}

impl OnlineRow {
    /// `calls × latency ÷ parallelism`.
    pub fn bound(&self) -> Duration {
        Duration::from_secs_f64(self.calls as f64 * LATENCY_MS as f64 / 1e3 / PARALLELISM as f64)
    }

    pub fn ratio(&self) -> f64 {
        let bound = self.bound().as_secs_f64();
        if bound > 0.0 {
            self.wall.as_secs_f64() / bound
        } else {
            f64::INFINITY
        }
    }
}

/// A stage's API calls by route.
pub type StageCalls = (&'static str, Stats);

/// For N resources against a fresh emulator: `apply` creating them all (apply-create), a
/// re-plan that must find no changes (plan-unchanged), and two rows that split the plan's
/// time: the same plan without refresh, and the refresh alone. Rows are appended as they
/// are measured, so a failure keeps what came before it.
pub fn stages(
    printer: &Printer,
    bin: &Path,
    n: usize,
    budget_end: Instant,
    rows: &mut Vec<OnlineRow>,
) -> Result<Vec<StageCalls>, String> {
    let mix = Mix::for_total(n);
    let ws =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    std::fs::write(ws.path().join("main.wf.hcl"), mix.hcl())
        .map_err(|e| format!("cannot write the config: {e}"))?;
    let emu = Emulator::start(LATENCY_MS)?;
    let parallelism = PARALLELISM.to_string();
    let mut step = |stage: &'static str, args: &[&str], targeted: bool| -> Result<Stats, String> {
        printer.err(&format!("{stage}, N = {n} …"));
        emu.reset_stats()?;
        let deadline = (Instant::now() + STEP_LIMIT).min(budget_end);
        let run = run_cli(bin, ws.path(), &emu.url, args, deadline)?;
        // With --detailed-exitcode a plan exits 2 when it finds changes: here that is a bug.
        if run.code != 0 {
            return Err(format!(
                "{stage} (N = {n}): `workform {}` exited with {}:\n{}",
                args.join(" "),
                run.code,
                run.stderr_tail
            ));
        }
        let stats = emu.stats()?;
        rows.push(OnlineRow {
            n,
            stage,
            calls: stats.total,
            wall: run.wall,
            targeted,
        });
        Ok(stats)
    };
    let apply = step(
        "apply-create",
        &["apply", "--auto-approve", "--parallelism", &parallelism],
        true,
    )?;
    let plan = step(
        "plan-unchanged",
        &["plan", "--detailed-exitcode", "--parallelism", &parallelism],
        true,
    )?;
    step(
        "plan --refresh=false",
        &["plan", "--detailed-exitcode", "--refresh=false"],
        false,
    )?;

    printer.err(&format!("refresh alone (in-process), N = {n} …"));
    emu.reset_stats()?;
    let wall = emu.refresh_state(ws.path())?;
    rows.push(OnlineRow {
        n,
        stage: "refresh alone (in-process)",
        calls: emu.stats()?.total,
        wall,
        targeted: false,
    });
    emu.stop();

    printer.err(&format!("state writes alone (in-process), N = {n} …"));
    rows.push(OnlineRow {
        n,
        stage: "state writes alone (in-process)",
        calls: 0,
        wall: commit_in_batches(&mix, 1)?,
        targeted: false,
    });
    // What a group commit (the writes of up to --parallelism operations in one
    // transaction) would cost instead.
    rows.push(OnlineRow {
        n,
        stage: "state writes, 10 per commit (in-process)",
        calls: 0,
        wall: commit_in_batches(&mix, PARALLELISM as usize)?,
        targeted: false,
    });
    Ok(vec![("apply-create", apply), ("plan-unchanged", plan)])
}

/// Writes every resource of the mix to a fresh redb state, `per_commit` resources per
/// transaction, one transaction after the other. With 1 that is what apply does (state is
/// written after every operation): the part of apply's wall time that is the state.
fn commit_in_batches(mix: &Mix, per_commit: usize) -> Result<Duration, String> {
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let db = StateDb::open(&dir.path().join(".workform")).map_err(|e| e.to_string())?;
    let records: Vec<_> = mix.applied_state().resources.into_values().collect();
    let started = Instant::now();
    for batch in records.chunks(per_commit.max(1)) {
        db.commit(Change {
            put: batch.to_vec(),
            ..Change::default()
        })
        .map_err(|e| e.to_string())?;
    }
    Ok(started.elapsed())
}

/// An in-process emulator on 127.0.0.1 and a client for its test hooks.
pub struct Emulator {
    runtime: tokio::runtime::Runtime,
    running: Option<RunningEmulator>,
    api: Api,
    pub url: String,
}

/// Request counts from `GET /__emulator/stats`.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub total: u64,
    pub by_route: BTreeMap<String, u64>,
}

impl Emulator {
    /// Starts an empty workspace answering every `/api` request after `latency_ms`.
    pub fn start(latency_ms: u64) -> Result<Emulator, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a tokio runtime: {e}"))?;
        let options = EmulatorOptions {
            faults: Faults {
                latency_ms,
                ..Faults::default()
            },
            ..EmulatorOptions::default()
        };
        let running = runtime
            .block_on(emulator::start(options))
            .map_err(|e| format!("cannot start the emulator: {e}"))?;
        let url = running.base_url();
        let api = Api::new(&url, Token::new(TOKEN));
        Ok(Emulator {
            runtime,
            running: Some(running),
            api,
            url,
        })
    }

    /// `POST /__emulator/reset`: zero the counters (the workspace stays).
    pub fn reset_stats(&self) -> Result<(), String> {
        self.runtime
            .block_on(
                self.api
                    .post("/__emulator/reset", &[], &serde_json::json!({})),
            )
            .map(drop)
            .map_err(|e| format!("resetting the emulator's counters: {e}"))
    }

    /// `GET /__emulator/stats`.
    pub fn stats(&self) -> Result<Stats, String> {
        let body = self
            .runtime
            .block_on(self.api.get("/__emulator/stats", &[]))
            .map_err(|e| format!("reading the emulator's counters: {e}"))?;
        let by_route = body["by_route"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Stats {
            total: body["total"].as_u64().unwrap_or(0),
            by_route,
        })
    }

    /// Refreshes the state in `dir` in-process (the refresh step of `plan` alone), returning
    /// its wall time. Calls are counted by the emulator as usual.
    pub fn refresh_state(&self, dir: &Path) -> Result<Duration, String> {
        let db = StateDb::open(&dir.join(".workform")).map_err(|e| e.to_string())?;
        let snapshot = db.snapshot().map_err(|e| e.to_string())?;
        let started = Instant::now();
        let live = self
            .runtime
            .block_on(refresh::refresh_all(&self.api, &snapshot))
            .map_err(|e| e.to_string())?;
        let elapsed = started.elapsed();
        let gone = live.values().filter(|o| o.is_none()).count();
        if gone > 0 {
            return Err(format!(
                "refresh found {gone} of {} objects missing",
                live.len()
            ));
        }
        Ok(elapsed)
    }

    pub fn stop(mut self) {
        if let Some(running) = self.running.take() {
            self.runtime.block_on(running.shutdown());
        }
    }
}

/// A finished `workform` command.
pub struct CliRun {
    pub code: i32,
    pub wall: Duration,
    /// The end of stderr, for error reports.
    pub stderr_tail: String,
}

/// Runs `workform -C dir ARGS` against the emulator, stdout discarded, killed at `deadline`.
pub fn run_cli(
    bin: &Path,
    dir: &Path,
    url: &str,
    args: &[&str],
    deadline: Instant,
) -> Result<CliRun, String> {
    let log_dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let log_path = log_dir.path().join("stderr.txt");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let mut cmd = Command::new(bin);
    cmd.arg("-C").arg(dir).args(args);
    // Only what this run sets decides where workform connects and what it reads.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("WORKATO_") || k.starts_with("WF_VAR_") || k.starts_with("WORKFORM_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("WORKATO_API_TOKEN", TOKEN)
        .env("WORKATO_HOST", url)
        .env("NO_COLOR", "1");
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`workform {}` did not finish within its time budget and was stopped",
                    args.join(" ")
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(1)),
            Err(e) => return Err(format!("waiting for workform: {e}")),
        }
    };
    let wall = started.elapsed();
    let stderr = std::fs::read_to_string(&log_path).unwrap_or_default();
    let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
    let stderr_tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    Ok(CliRun {
        code: status.code().unwrap_or(-1),
        wall,
        stderr_tail,
    })
}
