//! Transient faults: 503s and a rate limit with Retry-After, from `workform emulator
//! --error-rate 0.2 --rate-limit 20 --seed 7`. Apply, re-plan and destroy must all succeed.

use crate::support::{Emulator, Workspace};

const FAULTS: &[&str] = &["--error-rate", "0.2", "--rate-limit", "20", "--seed", "7"];

/// A copy of `examples/NAME` (every file: configurations, var files, specs).
fn example(name: &str) -> Workspace {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let ws = Workspace::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_file() {
            ws.write(
                &path.file_name().unwrap().to_string_lossy(),
                &std::fs::read_to_string(&path).unwrap(),
            );
        }
    }
    ws
}

/// Apply, an empty re-plan and destroy, each with `extra` arguments (variables).
fn apply_replan_destroy(ws: &Workspace, emu: &Emulator, extra: &[&str]) {
    let with = |args: &[&'static str]| -> Vec<&str> { args.iter().chain(extra).copied().collect() };
    ws.run(&with(&["apply", "--auto-approve"]), emu)
        .success()
        .stdout_has("Apply complete!");
    ws.run(&with(&["plan", "--detailed-exitcode"]), emu)
        .code(0)
        .stdout_has("No changes.");
    ws.run(&with(&["destroy", "--auto-approve"]), emu)
        .success()
        .stdout_has("Destroy complete!");
    assert!(
        emu.project_names().is_empty(),
        "destroy left projects behind"
    );
}

// Seed 7's 503 lands on a read with this example, which retries; with other seeds a create
// POST is hit (see below).
#[test]
fn the_quickstart_survives_errors_and_rate_limits() {
    let emu = Emulator::start(FAULTS);
    apply_replan_destroy(&example("quickstart"), &emu, &[]);
}

/// A create POST answered 503 may or may not have landed: apply looks the object up by its
/// natural key and creates again only when it is absent.
#[test]
fn the_bootstrap_example_survives_errors_and_rate_limits() {
    let emu = Emulator::start(FAULTS);
    let ws = example("bootstrap");
    let vars = ws.path().join("sandbox.wfvars").display().to_string();
    apply_replan_destroy(&ws, &emu, &["--var-file", &vars]);
}

#[test]
fn throttled_requests_are_retried_and_logged() {
    // 2 requests per second: a plan's burst is throttled, then retried after Retry-After.
    let emu = Emulator::start(&["--rate-limit", "2"]);
    let ws = example("quickstart");
    let run = ws.run_with(
        &["plan"],
        &[
            ("WORKATO_API_TOKEN", "dev"),
            ("WORKATO_HOST", &emu.url),
            ("WORKFORM_LOG", "debug"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("→ 429 in "),
        "no throttled request:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("; retry 1 in 1."),
        "no Retry-After wait:\n{}",
        run.stderr
    );
}
