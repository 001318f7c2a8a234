//! The walking skeleton end to end: plan, apply, re-plan, destroy against the emulator.

use crate::support::{Emulator, Workspace};

const PROJECT_FOLDER_PROPERTY: &str = r#"
resource "workato_project" "p" {
  name        = "Skeleton"
  description = "made by the tests"
}

resource "workato_folder" "f" {
  name      = "Inside"
  folder_id = workato_project.p.folder_id
}

resource "workato_project_property" "base_url" {
  project_id = workato_project.p.id
  name       = "skeleton.base_url"
  value      = "https://api.example.com"
}

output "project_id" {
  value = workato_project.p.id
}
"#;

#[test]
fn plan_apply_replan_destroy() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_FOLDER_PROPERTY);

    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("Plan: 3 to add, 0 to change, 0 to destroy.")
        .stdout_has("# workato_project.p will be created")
        .stdout_has("(known after apply)");

    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    assert_eq!(emu.project_names(), vec!["Skeleton".to_string()]);
    let (_, props) = emu.api("GET", "/api/properties?prefix=skeleton&project_id=1", None);
    assert!(props.to_string().contains("skeleton.base_url") || !props.is_null());

    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    ws.run(&["state", "list"], &emu)
        .success()
        .stdout_has("workato_folder.f")
        .stdout_has("workato_project.p")
        .stdout_has("workato_project_property.base_url");
    ws.run(&["output", "project_id"], &emu).success();

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("Destroy complete! Resources: 3 destroyed.")
        .stderr_has("cannot delete properties");
    assert!(
        emu.project_names().is_empty(),
        "the emulator still holds projects"
    );
    ws.run(&["state", "list"], &emu).success();
}

#[test]
fn an_update_in_place_is_planned_and_applied() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_FOLDER_PROPERTY);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.write(
        "main.wf.hcl",
        &PROJECT_FOLDER_PROPERTY.replace("\"Inside\"", "\"Renamed\""),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ name")
        .stdout_has("\"Inside\" -> \"Renamed\"")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn property_values_are_never_printed() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_FOLDER_PROPERTY);
    ws.run(&["plan"], &emu)
        .success()
        .stdout_has("(sensitive value)")
        .nowhere("https://api.example.com");
}

#[test]
fn a_read_only_token_cannot_apply_and_is_told_which_permission_is_missing() {
    let emu = Emulator::start(&["--token", "ro=read-only", "--token", "dev=all"]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_FOLDER_PROPERTY);
    ws.run_with(
        &["apply", "--auto-approve"],
        &[("WORKATO_API_TOKEN", "ro"), ("WORKATO_HOST", &emu.url)],
    )
    .code(1)
    .stderr_has("Create project or folder")
    .stderr_has("POST /api/folders");
    assert!(emu.project_names().is_empty());
}

#[test]
fn a_wrong_token_says_authentication_failed_without_printing_it() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_FOLDER_PROPERTY);
    let secret = "wrong-token-5f3a9c";
    ws.run_with(
        &["plan"],
        &[("WORKATO_API_TOKEN", secret), ("WORKATO_HOST", &emu.url)],
    )
    .code(1)
    .stderr_has("Authentication failed")
    .nowhere(secret);
}

#[test]
fn the_quickstart_example_applies_in_the_sandbox() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/quickstart/main.wf.hcl"
        ))
        .unwrap(),
    );
    ws.run_with(&["--sandbox", "apply", "--auto-approve"], &[])
        .success()
        .stdout_has("Apply complete! Resources: 5 added");
    ws.run_with(&["--sandbox", "plan", "--detailed-exitcode"], &[])
        .code(0);
    assert!(ws.path().join(".workform/sandbox.json").exists());
    ws.run_with(&["--sandbox", "destroy", "--auto-approve"], &[])
        .success();
}

#[test]
fn state_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_FOLDER_PROPERTY);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let mode = std::fs::metadata(ws.state_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "state is readable by others: {mode:o}");
}

#[test]
fn a_folder_deleted_outside_workform_is_recreated() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_FOLDER_PROPERTY);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let (_, folders) = emu.api("GET", "/api/folders?with_nested_folders=true", None);
    let inside = folders
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Inside")
        .expect("folder exists")["id"]
        .as_i64()
        .unwrap();
    let (status, _) = emu.api("DELETE", &format!("/api/folders/{inside}"), None);
    assert_eq!(status, 200);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("has been deleted")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
}
