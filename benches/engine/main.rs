//! The engine benchmark (issue 4): API calls and wall time of `apply` and `plan` against the
//! emulator with injected latency, and the offline cost (parse, evaluate, graph, diff) of
//! planning large configurations. Results and how to read them: docs/performance.md.
//!
//!     cargo bench --bench engine              # the full run (release build)
//!     cargo bench --bench engine -- --quick   # N = 100 online, 1,000 offline
//!     cargo test --bench engine -- --quick    # the same with a debug build (development)
//!     cargo test --bench engine               # a smoke run (N = 100), also under --all-targets
//!
//! Online stages run the real `workform` binary as a child process against an emulator in
//! this process on 127.0.0.1 (nothing leaves loopback); offline stages run in a child copy
//! of this binary so their peak RSS is their own. Every child has a deadline and the whole
//! run a budget, so the benchmark ends within about five minutes whatever the engine does.

mod offline;
mod online;
mod report;
mod workload;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use offline::OfflineResult;
use online::Stats;
use workform::render::Printer;

/// Latency the emulator adds to every `/api` request (`workform emulator --latency-ms`).
const LATENCY_MS: u64 = 20;
/// `--parallelism` (workform's default).
const PARALLELISM: u64 = 10;
/// After this long the run starts no new stage (and stops the one in flight).
const BUDGET: Duration = Duration::from_secs(300);
/// No single command or offline stage may take longer than this.
const STEP_LIMIT: Duration = Duration::from_secs(150);

/// Targets (issue 4; design.md §11).
const PLAN_CALLS_TARGET: u64 = 30;
const RATIO_TARGET: f64 = 1.5;
const OFFLINE_MS_TARGET: f64 = 1000.0;
const OFFLINE_RSS_TARGET_MB: f64 = 300.0;

/// Sizes measured. Offline, 2,000 and 4,000 sit between the targets' sizes to show how
/// the cost grows with N.
const ONLINE_SIZES: &[usize] = &[100, 1000];
const OFFLINE_SIZES: &[usize] = &[100, 1000, 2000, 4000, 10_000];

fn main() -> ExitCode {
    // TLS uses ring, as in workform itself (the client is built even for plain http).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let printer = Printer::new(true);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(pos) = args.iter().position(|a| a == "--offline-child") {
        return offline_child(&printer, args.get(pos + 1).map(String::as_str));
    }
    // Other arguments are libtest's or a filter that `cargo test`/`cargo bench` pass to
    // every target: said and ignored, so `cargo test --all-targets -- X` keeps working.
    for other in args
        .iter()
        .filter(|a| !matches!(a.as_str(), "--bench" | "--quick"))
    {
        printer.warning(&format!(
            "ignoring argument {other:?}: the benchmark takes only --quick"
        ));
    }
    // `cargo bench` passes --bench. Without it the binary runs under `cargo test` (for
    // example `cargo test --all-targets`), where a smoke run proves the benchmark still
    // works without spending minutes on it.
    let (online, offline) = if args.iter().any(|a| a == "--quick") {
        (&[100][..], &[1000][..])
    } else if args.iter().any(|a| a == "--bench") {
        (ONLINE_SIZES, OFFLINE_SIZES)
    } else {
        printer.err("smoke run (no --bench): measure with `cargo bench --bench engine`");
        (&[100][..], &[100][..])
    };
    if run(&printer, online, offline) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `--offline-child N`: one offline stage, reported as JSON lines on stdout.
fn offline_child(printer: &Printer, n: Option<&str>) -> ExitCode {
    let Some(n) = n.and_then(|n| n.parse::<usize>().ok()) else {
        printer.error("--offline-child needs a resource count");
        return ExitCode::FAILURE;
    };
    let mut report =
        |result: &OfflineResult| printer.out(&serde_json::to_string(result).unwrap_or_default());
    match offline::run(n, &mut report) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            printer.error(&e);
            ExitCode::FAILURE
        }
    }
}

/// Measures and prints everything; false when a stage failed (as opposed to being slow).
fn run(printer: &Printer, online_sizes: &[usize], offline_sizes: &[usize]) -> bool {
    let started = Instant::now();
    let budget_end = started + BUDGET;
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_workform"));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    printer.err(&format!(
        "workform engine benchmark: emulator latency {LATENCY_MS} ms, --parallelism {PARALLELISM}, {cores} cores, {} build; load average {}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        load_average()
    ));
    let mut ok = true;
    // Markdown sections separated by a blank line, ready to paste into docs/performance.md.
    let section = |text: String| printer.out(&format!("{text}\n"));

    let mut rows = Vec::new();
    let mut routes: Vec<(usize, &'static str, Stats)> = Vec::new();
    for &n in online_sizes {
        if Instant::now() >= budget_end {
            printer.warning(&format!(
                "time budget spent: online stages for N = {n} skipped"
            ));
            continue;
        }
        match online::stages(printer, &bin, n, budget_end, &mut rows) {
            // Only the largest N's breakdown is shown.
            Ok(by_route) => routes = by_route.into_iter().map(|(s, r)| (n, s, r)).collect(),
            Err(e) => {
                printer.error(&e);
                ok = false;
            }
        }
    }
    section(report::online_table(&rows));
    for (n, stage, stats) in &routes {
        section(report::routes(*n, stage, stats));
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
        match offline::measure(n, deadline) {
            Ok(row) => offline.push(row),
            Err(e) => {
                printer.error(&e);
                ok = false;
            }
        }
    }
    section(report::offline_table(&offline));
    section(report::profile_table(&offline));
    printer.out(&report::verdicts(&rows, &offline));
    printer.err(&format!(
        "benchmark finished in {:.1} s; load average {}",
        started.elapsed().as_secs_f64(),
        load_average()
    ));
    ok
}

/// `/proc/loadavg`'s first three fields: other work on the machine skews wall times, and
/// this says how much there was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
