//! Plans at scale and saved plans: bulk refresh, drift, stale plans, JSON, lifecycle.

use crate::support::{Emulator, Workspace};

const MANY_FOLDERS: &str = r#"
resource "workato_project" "p" {
  name = "Many"
}

resource "workato_folder" "f" {
  for_each  = toset([for i in range(300) : format("folder-%03d", i)])
  name      = each.key
  folder_id = workato_project.p.folder_id
}
"#;

#[test]
fn replanning_300_folders_is_a_handful_of_calls_and_drift_is_detected() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", MANY_FOLDERS);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("301 added");

    emu.reset_stats();
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");
    let calls = emu.total_requests();
    assert!(
        calls <= 20,
        "re-plan of 301 resources made {calls} API calls"
    );

    // Delete one folder behind workform's back.
    let (_, folders) = emu.api(
        "GET",
        "/api/folders?with_nested_folders=true&per_page=100&page=2",
        None,
    );
    let victim = folders.as_array().unwrap()[0]["id"].as_i64().unwrap();
    assert_eq!(
        emu.api("DELETE", &format!("/api/folders/{victim}"), None).0,
        200
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("has been deleted")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
}

const SMALL: &str = r#"
resource "workato_project" "p" {
  name = "Saved"
}

resource "workato_folder" "a" {
  name      = "a"
  folder_id = workato_project.p.folder_id
}
"#;

#[test]
fn a_saved_plan_applies_exactly_and_is_refused_once_stale() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", SMALL);
    let plan_file = ws.path().join("first.plan");
    let plan_path = plan_file.to_str().unwrap();
    ws.run(&["plan", "--out", plan_path], &emu)
        .success()
        .stdout_has("Saved the plan to");
    ws.run(&["show", plan_path], &emu)
        .success()
        .stdout_has("Plan: 2 to add");
    ws.run(&["apply", plan_path], &emu)
        .success()
        .stdout_has("Apply complete! Resources: 2 added");

    // A second plan, then any apply that moves the state: the second plan is stale.
    ws.write(
        "main.wf.hcl",
        &SMALL.replace("\"a\"\n  folder_id", "\"renamed\"\n  folder_id"),
    );
    let second = ws.path().join("second.plan");
    ws.run(&["plan", "--out", second.to_str().unwrap()], &emu)
        .success();
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.run(&["apply", second.to_str().unwrap()], &emu)
        .code(1)
        .stderr_has("Saved plan is stale");
}

#[test]
fn a_saved_plan_is_refused_when_an_object_changed_outside() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", SMALL);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.write(
        "main.wf.hcl",
        &SMALL.replace("name = \"Saved\"", "name = \"Saved 2\""),
    );
    let file = ws.path().join("p.plan");
    ws.run(&["plan", "--out", file.to_str().unwrap()], &emu)
        .success();
    let (_, projects) = emu.api("GET", "/api/projects", None);
    let id = projects[0]["id"].as_i64().unwrap();
    emu.api(
        "PUT",
        &format!("/api/projects/{id}"),
        Some(serde_json::json!({"name": "Edited in the UI"})),
    );
    ws.run(&["apply", file.to_str().unwrap()], &emu)
        .code(1)
        .stderr_has("Saved plan is stale")
        .stderr_has("workato_project.p");
}

#[test]
fn plan_json_carries_terraform_style_resource_changes() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", SMALL);
    let run = ws.run(&["plan", "--json"], &emu).success();
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).expect("plan --json prints JSON");
    let changes = json["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    for c in changes {
        assert_eq!(c["change"]["actions"], serde_json::json!(["create"]));
        assert!(c["change"]["after_unknown"]["id"].as_bool().unwrap());
    }
}

#[test]
fn markdown_summarises_for_pull_requests() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", SMALL);
    ws.run(&["plan", "--markdown"], &emu)
        .success()
        .stdout_has("### workform plan: 2 to add, 0 to change, 0 to destroy")
        .stdout_has("| 🟢 | create | `workato_folder.a` |");
}

#[test]
fn prevent_destroy_blocks_destroy_and_names_the_resource() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
resource "workato_project" "keep" {
  name = "Keep me"
  lifecycle {
    prevent_destroy = true
  }
}
"#,
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.run(&["destroy", "--auto-approve"], &emu)
        .code(1)
        .stderr_has("Instance cannot be destroyed")
        .stderr_has("workato_project.keep");
    assert_eq!(emu.project_names(), vec!["Keep me".to_string()]);
}

#[test]
fn target_limits_the_plan_to_a_resource_and_its_dependencies() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &format!("{SMALL}\nresource \"workato_project\" \"other\" {{\n  name = \"Other\"\n}}\n"),
    );
    ws.run(&["plan", "--target", "workato_folder.a"], &emu)
        .success()
        .stdout_has("Plan: 2 to add")
        .stdout_has("Resource targeting is in effect");
}

#[test]
fn refresh_only_updates_state_without_changing_the_workspace() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", SMALL);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let (_, projects) = emu.api("GET", "/api/projects", None);
    let id = projects[0]["id"].as_i64().unwrap();
    emu.api(
        "PUT",
        &format!("/api/projects/{id}"),
        Some(serde_json::json!({"name": "Edited"})),
    );
    ws.run(&["apply", "--refresh-only", "--auto-approve"], &emu)
        .success()
        .stdout_has("has changed");
    assert_eq!(emu.project_names(), vec!["Edited".to_string()]);
    // The state now holds the edited name, so a normal plan wants to change it back.
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("\"Edited\" -> \"Saved\"")
        .stdout_has("1 to change");
}

#[test]
fn configured_rate_limits_pace_writes_below_the_servers_limit() {
    let emu = Emulator::start(&["--rate-limit", "5"]);
    let hcl = r#"
workato {
  rate_limits {
    folders = "3/s"
  }
}

resource "workato_project" "p" {
  name = "Paced"
}

resource "workato_folder" "f" {
  for_each  = toset([for i in range(8) : "f${i}"])
  name      = each.key
  folder_id = workato_project.p.folder_id
}
"#;
    let ws = Workspace::new().file("main.wf.hcl", hcl);
    let run = ws
        .run_with(
            &["apply", "--auto-approve"],
            &[
                ("WORKATO_API_TOKEN", "dev"),
                ("WORKATO_HOST", &emu.url),
                ("WORKFORM_LOG", "debug"),
            ],
        )
        .success();
    let throttled = run
        .stderr
        .lines()
        .filter(|l| l.contains("POST /api/folders") && l.contains("429"))
        .count();
    assert_eq!(
        throttled, 0,
        "writes were throttled by the server:\n{}",
        run.stderr
    );
}

#[test]
fn an_unknown_rate_limit_group_is_named() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "workato {\n  rate_limits {\n    foldres = 60\n  }\n}\n\nresource \"workato_project\" \"p\" {\n  name = \"x\"\n}\n",
    );
    ws.run(&["plan"], &emu)
        .code(1)
        .stderr_has("unknown rate-limit group `foldres`")
        .stderr_has("main.wf.hcl:3:5");
}
