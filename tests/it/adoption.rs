//! Bringing existing objects under management and refactoring addresses: `import`,
//! `import {}` blocks, `moved {}` and `removed {}`.

use serde_json::json;

use crate::support::{Emulator, Workspace};

/// Creates a project with one folder directly through the API; returns (project id, project folder id, folder id).
fn hand_built(emu: &Emulator) -> (i64, i64, i64) {
    let (status, project) = emu.api("POST", "/api/folders", Some(json!({"name": "Hand built"})));
    assert_eq!(status, 200, "{project}");
    let project_id = project["project_id"].as_i64().unwrap();
    let project_folder = project["id"].as_i64().unwrap();
    let (_, folder) = emu.api(
        "POST",
        "/api/folders",
        Some(json!({"name": "Docs", "parent_id": project_folder})),
    );
    (project_id, project_folder, folder["id"].as_i64().unwrap())
}

fn config(project_folder: i64) -> String {
    format!(
        r#"
resource "workato_project" "p" {{
  name = "Hand built"
}}

resource "workato_folder" "docs" {{
  name      = "Docs"
  folder_id = {project_folder}
}}
"#
    )
}

#[test]
fn import_command_adopts_without_creating() {
    let emu = Emulator::start(&[]);
    let (project_id, project_folder, folder_id) = hand_built(&emu);
    let ws = Workspace::new().file("main.wf.hcl", &config(project_folder));
    ws.run(
        &["import", "workato_project.p", &project_id.to_string()],
        &emu,
    )
    .success()
    .stdout_has("Import successful!");
    ws.run(
        &["import", "workato_folder.docs", &folder_id.to_string()],
        &emu,
    )
    .success();
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");
    ws.run(&["import", "workato_folder.docs", "999999"], &emu)
        .code(1)
        .stderr_has("already managed");
}

#[test]
fn importing_a_missing_object_fails_clearly() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config(1));
    ws.run(&["import", "workato_project.p", "424242"], &emu)
        .code(1)
        .stderr_has("non-existent remote object");
    ws.run(&["import", "workato_project.nope", "1"], &emu)
        .code(1)
        .stderr_has("does not exist");
}

#[test]
fn import_blocks_are_planned_and_applied_without_creating() {
    let emu = Emulator::start(&[]);
    let (project_id, project_folder, folder_id) = hand_built(&emu);
    let hcl = format!(
        "{}\nimport {{\n  to = workato_project.p\n  id = \"{project_id}\"\n}}\n\nimport {{\n  to = workato_folder.docs\n  id = \"{folder_id}\"\n}}\n",
        config(project_folder)
    );
    let ws = Workspace::new().file("main.wf.hcl", &hcl);
    ws.run(&["plan"], &emu)
        .success()
        .stdout_has("will be imported")
        .stdout_has("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.");
    emu.reset_stats();
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("2 imported, 0 added");
    let (_, stats) = emu.request("GET", "/__emulator/stats", None, None);
    assert!(
        stats["by_route"].get("POST /api/folders").is_none(),
        "apply created something: {stats}"
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn moved_blocks_rename_addresses_without_touching_objects() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "resource \"workato_project\" \"old\" {\n  name = \"Moving\"\n}\n",
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.write(
        "main.wf.hcl",
        "resource \"workato_project\" \"new\" {\n  name = \"Moving\"\n}\n\nmoved {\n  from = workato_project.old\n  to   = workato_project.new\n}\n",
    );
    ws.run(&["plan"], &emu)
        .success()
        .stdout_has("workato_project.old has moved to workato_project.new")
        .stdout_has("0 to add, 0 to change, 0 to destroy");
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.run(&["state", "list"], &emu)
        .success()
        .stdout_has("workato_project.new");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
    assert_eq!(emu.project_names(), vec!["Moving".to_string()]);
}

#[test]
fn removed_blocks_forget_without_destroying() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "resource \"workato_project\" \"p\" {\n  name = \"Forget me\"\n}\n",
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.write(
        "main.wf.hcl",
        "removed {\n  from = workato_project.p\n  lifecycle {\n    destroy = false\n  }\n}\n",
    );
    ws.run(&["plan"], &emu)
        .success()
        .stdout_has("will no longer be managed")
        .stdout_has("1 to forget");
    ws.run(&["apply", "--auto-approve"], &emu).success();
    assert_eq!(emu.project_names(), vec!["Forget me".to_string()]);
    let list = ws.run(&["state", "list"], &emu).success();
    assert!(!list.stdout.contains("workato_project.p"));
}
