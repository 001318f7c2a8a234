//! Transient faults: 503s and a rate limit with Retry-After, from `workform emulator
//! --error-rate 0.2 --rate-limit 20 --seed 7`. Apply, re-plan and destroy must all succeed.

use crate::support::{Emulator, Workspace};

const FAULTS: &[&str] = &["--error-rate", "0.2", "--rate-limit", "20", "--seed", "7"];

fn example(name: &str) -> Workspace {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    let ws = Workspace::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".wf.hcl") {
            ws.write(
                &path.file_name().unwrap().to_string_lossy(),
                &std::fs::read_to_string(&path).unwrap(),
            );
        }
    }
    ws
}

fn apply_replan_destroy(ws: &Workspace, emu: &Emulator) {
    ws.run(&["apply", "--auto-approve"], emu)
        .success()
        .stdout_has("Apply complete!");
    ws.run(&["plan", "--detailed-exitcode"], emu)
        .code(0)
        .stdout_has("No changes.");
    ws.run(&["destroy", "--auto-approve"], emu)
        .success()
        .stdout_has("Destroy complete!");
    assert!(
        emu.project_names().is_empty(),
        "destroy left projects behind"
    );
}

#[test]
fn the_quickstart_survives_errors_and_rate_limits() {
    let emu = Emulator::start(FAULTS);
    apply_replan_destroy(&example("quickstart"), &emu);
}

#[test]
fn the_bootstrap_example_survives_errors_and_rate_limits() {
    let emu = Emulator::start(FAULTS);
    apply_replan_destroy(&example("bootstrap"), &emu);
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
