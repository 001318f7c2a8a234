//! The engine benchmark (issue 4): API calls and wall time of `apply` and `plan` against the
//! emulator with injected latency, and the offline cost (parse, evaluate, graph, diff) of
//! planning large configurations. Results and how to read them: docs/performance.md.
//!
//!     cargo bench --bench engine              # the full run (release build)
//!     cargo bench --bench engine -- --quick   # N = 100 online, 1,000 offline
//!     cargo test --bench engine -- --quick    # the same, debug build (for development)
//!
//! Online stages run the real `workform` binary as a child process against an emulator in
//! this process on 127.0.0.1 (nothing leaves loopback); offline stages run in a child copy
//! of this binary so their peak RSS is their own. Every child has a deadline and the whole
//! run a budget, so the benchmark always ends within a few minutes.

mod offline;
mod online;
mod workload;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use offline::OfflineResult;
use online::{Emulator, Stats};
use workform::render::Printer;
use workload::Mix;

/// Latency the emulator adds to every `/api` request (`workform emulator --latency-ms`).
const LATENCY_MS: u64 = 20;
/// `--parallelism` (workform's default).
const PARALLELISM: u64 = 10;
/// The whole run stops starting new stages after this long.
const BUDGET: Duration = Duration::from_secs(300);
/// No single command or offline child may take longer than this.
const STEP_LIMIT: Duration = Duration::from_secs(150);

/// Targets (issue 4, design.md §11).
const PLAN_CALLS_TARGET: u64 = 30;
const RATIO_TARGET: f64 = 1.5;
const OFFLINE_MS_TARGET: f64 = 1000.0;
const OFFLINE_RSS_TARGET_MIB: f64 = 300.0;

fn main() -> ExitCode {
    // TLS uses ring, as in workform itself (the client is built even for plain http).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let printer = Printer::new(true);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(pos) = args.iter().position(|a| a == "--offline-child") {
        return offline_child(&printer, args.get(pos + 1).map(String::as_str));
    }
    let quick = args.iter().any(|a| a == "--quick");
    let (online_sizes, offline_sizes): (&[usize], &[usize]) = if quick {
        (&[100], &[1000])
    } else {
        (&[100, 1000], &[100, 1000, 10_000])
    };
    match run(&printer, online_sizes, offline_sizes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            printer.error(&e);
            ExitCode::FAILURE
        }
    }
}

/// `--offline-child N`: one offline stage, reported as a JSON line.
fn offline_child(printer: &Printer, n: Option<&str>) -> ExitCode {
    let Some(n) = n.and_then(|n| n.parse::<usize>().ok()) else {
        printer.error("--offline-child needs a resource count");
        return ExitCode::FAILURE;
    };
    let mut report = |result: &OfflineResult| printer.out(&serde_json::to_string(result).unwrap_or_default());
    match offline::run(n, &mut report) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            printer.error(&e);
            ExitCode::FAILURE
        }
    }
}

/// A stage's API calls by route.
type StageCalls = (&'static str, Stats);

/// One measured online stage.
struct OnlineRow {
    n: usize,
    stage: &'static str,
    calls: u64,
    wall: Duration,
    /// Whether the wall/bound target applies to this row (profile rows are context).
    targeted: bool,
}

impl OnlineRow {
    /// `calls × latency ÷ parallelism`.
    fn bound(&self) -> Duration {
        Duration::from_secs_f64(self.calls as f64 * LATENCY_MS as f64 / 1e3 / PARALLELISM as f64)
    }

    fn ratio(&self) -> f64 {
        let bound = self.bound().as_secs_f64();
        if bound > 0.0 {
            self.wall.as_secs_f64() / bound
        } else {
            f64::INFINITY
        }
    }
}

fn run(printer: &Printer, online_sizes: &[usize], offline_sizes: &[usize]) -> Result<(), String> {
    let started = Instant::now();
    let budget_end = started + BUDGET;
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_workform"));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    printer.err(&format!(
        "workform engine benchmark: emulator latency {LATENCY_MS} ms, --parallelism {PARALLELISM}, {cores} cores, {} build",
        if cfg!(debug_assertions) { "debug" } else { "release" }
    ));

    let mut rows = Vec::new();
    let mut routes: Vec<(usize, &'static str, Stats)> = Vec::new();
    for &n in online_sizes {
        if Instant::now() >= budget_end {
            printer.warning(&format!(
                "time budget spent: online stages for N = {n} skipped"
            ));
            continue;
        }
        let (mut measured, by_route) = online_stages(printer, &bin, n, budget_end)?;
        rows.append(&mut measured);
        // Only the largest N's breakdown is shown.
        routes = by_route
            .into_iter()
            .map(|(stage, stats)| (n, stage, stats))
            .collect();
    }

    let mut offline = Vec::new();
    for &n in offline_sizes {
        if Instant::now() >= budget_end {
            printer.warning(&format!(
                "time budget spent: offline stage for N = {n} skipped"
            ));
            continue;
        }
        printer.err(&format!("offline plan, N = {n} …"));
        let deadline = (Instant::now() + STEP_LIMIT).min(budget_end);
        offline.push(offline_stage(n, deadline)?);
    }

    // Markdown sections separated by a blank line, ready to paste into docs/performance.md.
    let section = |text: String| printer.out(&format!("{text}\n"));
    section(online_table(&rows));
    for (n, stage, stats) in &routes {
        section(routes_list(*n, stage, stats));
    }
    section(offline_table(&offline));
    section(profile_table(&offline));
    printer.out(&verdicts(&rows, &offline));
    printer.err(&format!(
        "benchmark finished in {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// apply-create, plan-unchanged and the profile rows for one N; also the plan's calls by route.
fn online_stages(
    printer: &Printer,
    bin: &Path,
    n: usize,
    budget_end: Instant,
) -> Result<(Vec<OnlineRow>, Vec<StageCalls>), String> {
    let mix = Mix::for_total(n);
    assert_eq!(mix.total(), n, "the mix must add up to N");
    let ws =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    std::fs::write(ws.path().join("main.wf.hcl"), mix.hcl())
        .map_err(|e| format!("cannot write the config: {e}"))?;
    let emu = Emulator::start(LATENCY_MS)?;
    let parallelism = PARALLELISM.to_string();
    let mut rows = Vec::new();
    let mut step = |stage: &'static str,
                    args: &[&str],
                    expect: i32,
                    targeted: bool|
     -> Result<Stats, String> {
        printer.err(&format!("{stage}, N = {n} …"));
        emu.reset_stats()?;
        let deadline = (Instant::now() + STEP_LIMIT).min(budget_end);
        let run = online::run_cli(bin, ws.path(), &emu.url, args, deadline)?;
        if run.code != expect {
            return Err(format!(
                "{stage} (N = {n}): `workform {}` exited with {} (expected {expect}):\n{}",
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
    let apply_stats = step(
        "apply-create",
        &["apply", "--auto-approve", "--parallelism", &parallelism],
        0,
        true,
    )?;
    // --detailed-exitcode: 0 means "No changes.", 2 would mean the re-plan found work.
    let plan_stats = step(
        "plan-unchanged",
        &["plan", "--detailed-exitcode", "--parallelism", &parallelism],
        0,
        true,
    )?;
    step(
        "plan --refresh=false",
        &["plan", "--detailed-exitcode", "--refresh=false"],
        0,
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
    Ok((
        rows,
        vec![
            ("apply-create", apply_stats),
            ("plan-unchanged", plan_stats),
        ],
    ))
}

/// Runs `--offline-child N` and reads its report.
fn offline_stage(n: usize, deadline: Instant) -> Result<OfflineResult, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot find the benchmark binary: {e}"))?;
    let out_dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let out_path = out_dir.path().join("result.json");
    let out = std::fs::File::create(&out_path)
        .map_err(|e| format!("cannot create {}: {e}", out_path.display()))?;
    let mut child = Command::new(exe)
        .args(["--offline-child", &n.to_string()])
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start the offline stage: {e}"))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the offline plan of {n} resources did not finish within its time budget and was stopped"
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for the offline stage: {e}")),
        }
    };
    if !status.success() {
        return Err(format!(
            "the offline plan of {n} resources failed (see the error above)"
        ));
    }
    let text = std::fs::read_to_string(&out_path)
        .map_err(|e| format!("cannot read the offline stage's report: {e}"))?;
    let result: OfflineResult = serde_json::from_str(text.trim())
        .map_err(|e| format!("the offline stage's report is not valid: {e}"))?;
    if result.changes != 0 || result.instances != n {
        return Err(format!(
            "the offline plan of {n} resources is wrong: {} instances, {} with changes (expected {n} and 0)",
            result.instances, result.changes
        ));
    }
    Ok(result)
}

fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    fmt_ms(ms)
}

fn fmt_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.0} ms")
    }
}

fn online_table(rows: &[OnlineRow]) -> String {
    let mut out = format!(
        "Online (emulator latency {LATENCY_MS} ms, parallelism {PARALLELISM}; bound = calls × {LATENCY_MS} ms ÷ {PARALLELISM})\n\n\
         | N | stage | API calls | wall | bound | wall/bound |\n|---:|---|---:|---:|---:|---:|\n"
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.1}× |\n",
            thousands(r.n),
            r.stage,
            r.calls,
            fmt_duration(r.wall),
            fmt_duration(r.bound()),
            r.ratio()
        ));
    }
    out
}

fn routes_list(n: usize, stage: &str, stats: &Stats) -> String {
    let mut out = format!(
        "{stage}, N = {}: {} calls by route\n\n",
        thousands(n),
        stats.total
    );
    for (route, count) in &stats.by_route {
        out.push_str(&format!("- `{route}`: {count}\n"));
    }
    out
}

fn offline_table(rows: &[OfflineResult]) -> String {
    let mut out = String::from(
        "Offline (no network; state holds every resource; plan finds no changes)\n\n\
         | N | parse | graph | plan (evaluate + diff) | total | peak RSS | state read (redb) |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {:.0} MB | {} |\n",
            thousands(r.n),
            fmt_ms(r.parse_ms),
            fmt_ms(r.graph_ms),
            fmt_ms(r.plan_ms),
            fmt_ms(r.total_ms),
            r.peak_rss_kib as f64 / 1024.0,
            fmt_ms(r.state_ms),
        ));
    }
    out
}

fn profile_table(rows: &[OfflineResult]) -> String {
    let mut out = String::from(
        "Where the plan's time goes (an instrumented second pass of the planner's loop)\n\n\
         | N | locals + outputs | evaluate instances | diff | record for references |\n|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let p = &r.profile;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            thousands(r.n),
            fmt_ms(p.locals_ms),
            fmt_ms(p.eval_ms),
            fmt_ms(p.diff_ms),
            fmt_ms(p.record_ms)
        ));
    }
    out
}

/// One line per target: the measurement and whether it is met.
fn verdicts(rows: &[OnlineRow], offline: &[OfflineResult]) -> String {
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    let mut out = String::from("Targets\n\n");
    if let Some(r) = rows
        .iter()
        .find(|r| r.n == 1000 && r.stage == "plan-unchanged")
    {
        out.push_str(&format!(
            "- plan of 1,000 unchanged resources ≤ {PLAN_CALLS_TARGET} API calls: {} — {}\n",
            r.calls,
            mark(r.calls <= PLAN_CALLS_TARGET)
        ));
    }
    for r in rows.iter().filter(|r| r.targeted) {
        out.push_str(&format!(
            "- {} (N = {}) wall ≤ {RATIO_TARGET}× bound: {:.1}× — {}\n",
            r.stage,
            thousands(r.n),
            r.ratio(),
            mark(r.ratio() <= RATIO_TARGET)
        ));
    }
    if let Some(r) = offline.iter().find(|r| r.n == 10_000) {
        let mib = r.peak_rss_kib as f64 / 1024.0;
        out.push_str(&format!(
            "- offline plan of 10,000 resources < 1 s: {} — {}\n- offline plan of 10,000 resources < {OFFLINE_RSS_TARGET_MIB:.0} MB: {mib:.0} MB — {}\n",
            fmt_ms(r.total_ms),
            mark(r.total_ms < OFFLINE_MS_TARGET),
            mark(mib < OFFLINE_RSS_TARGET_MIB)
        ));
    }
    out
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
