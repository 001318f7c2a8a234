//! Crash safety: an apply killed with SIGKILL at any point leaves nothing duplicated, and
//! the next apply finishes the job.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::support::{Emulator, Workspace};

const EIGHTY: &str = r#"
resource "workato_project" "p" {
  name = "Crash test"
}

resource "workato_folder" "f" {
  for_each  = toset([for i in range(79) : format("f-%02d", i)])
  name      = each.key
  folder_id = workato_project.p.folder_id
}
"#;

/// Folder names in the workspace with how often each occurs.
fn folder_counts(emu: &Emulator) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for page in 1.. {
        let (_, body) = emu.api(
            "GET",
            &format!("/api/folders?with_nested_folders=true&per_page=100&page={page}"),
            None,
        );
        let items = body.as_array().unwrap().clone();
        for f in &items {
            *counts
                .entry(f["name"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        if items.len() < 100 {
            break;
        }
    }
    counts
}

#[test]
fn an_apply_killed_mid_way_never_duplicates_and_the_next_one_finishes() {
    for kill_after_ms in [120u64, 350, 700, 1100] {
        let emu = Emulator::start(&["--latency-ms", "40"]);
        let ws = Workspace::new().file("main.wf.hcl", EIGHTY);
        let mut child = ws.spawn(&["apply", "--auto-approve", "--parallelism", "8"], &emu);
        std::thread::sleep(Duration::from_millis(kill_after_ms));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();

        ws.run(&["apply", "--auto-approve"], &emu).success();
        let counts = folder_counts(&emu);
        let duplicated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            duplicated.is_empty(),
            "kill at {kill_after_ms} ms duplicated: {duplicated:?}"
        );
        assert_eq!(
            emu.project_names(),
            vec!["Crash test".to_string()],
            "kill at {kill_after_ms} ms"
        );
        // 79 folders plus the project's own root folder.
        assert_eq!(counts.len(), 80, "kill at {kill_after_ms} ms: {counts:?}");
        ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
    }
}

#[test]
fn a_second_run_is_refused_while_an_apply_holds_the_lock_and_names_it() {
    let emu = Emulator::start(&["--latency-ms", "150"]);
    let ws = Workspace::new().file("main.wf.hcl", EIGHTY);
    let mut child = ws.spawn(&["apply", "--auto-approve", "--parallelism", "1"], &emu);
    std::thread::sleep(Duration::from_millis(1200));
    let pid = child.id().to_string();
    ws.run(&["plan"], &emu)
        .code(1)
        .stderr_has("locked by another workform run")
        .stderr_has(&format!("pid {pid}"))
        .stderr_has("`apply`");
    ws.run(&["apply", "--auto-approve"], &emu)
        .code(1)
        .stderr_has(&format!("pid {pid}"));
    let _ = child.kill();
    let _ = child.wait();
    // The lock dies with its holder: the next run proceeds (and recovers what was in flight).
    ws.run(&["apply", "--auto-approve"], &emu).success();
}
