//! `workato_connection` and `data "workato_connection"` against the emulator: lifecycle,
//! write-only credentials, bulk refresh.

use serde_json::{Value as Json, json};

use crate::support::{Emulator, Workspace};

const SECRET_TOKEN: &str = "tok-7c1e9a52-never-print";
const SECRET_PASSWORD: &str = "pw-4b8d31f0-never-print";
const NEW_PASSWORD: &str = "pw-0a9e77c2-rotated-never-print";

/// A project, a folder, and one Jira connection whose name, folder and connector vary.
fn config(name: &str, folder: &str, connector: &str, password: &str) -> String {
    format!(
        r#"
resource "workato_project" "p" {{
  name = "Connections"
}}

resource "workato_folder" "f" {{
  name      = "Moved"
  folder_id = workato_project.p.folder_id
}}

resource "workato_connection" "jira" {{
  name           = "{name}"
  connector_name = "{connector}"
  folder_id      = {folder}
  external_id    = "team-42"
  input = {{
    host_name = "acme.atlassian.net"
    email     = "bot@acme.com"
    apitoken  = "{SECRET_TOKEN}"
    password  = "{password}"
  }}
}}

output "connection_id" {{
  value = workato_connection.jira.id
}}
"#
    )
}

const IN_PROJECT: &str = "workato_project.p.folder_id";
const IN_FOLDER: &str = "workato_folder.f.id";

/// Every connection the emulator holds (with tags), as a list.
fn connections(emu: &Emulator) -> Vec<Json> {
    let (status, body) = emu.api("GET", "/api/connections?includes[]=tags", None);
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("a bare array").clone()
}

fn only_connection(emu: &Emulator) -> Json {
    let all = connections(emu);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

fn project_folder(emu: &Emulator) -> i64 {
    let (_, projects) = emu.api("GET", "/api/projects", None);
    projects[0]["folder_id"].as_i64().unwrap()
}

fn folder_named(emu: &Emulator, name: &str) -> i64 {
    let (_, folders) = emu.api("GET", "/api/folders?with_nested_folders=true", None);
    folders
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no folder {name}: {folders}"))["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn connection_lifecycle_create_replan_update_replace_destroy() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &config("Jira", IN_PROJECT, "jira", SECRET_PASSWORD),
    );

    // Create.
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    let c = only_connection(&emu);
    assert_eq!(c["name"], "Jira");
    assert_eq!(c["application"], "jira");
    assert_eq!(c["folder_id"].as_i64(), Some(project_folder(&emu)));
    assert_eq!(c["external_id"], "team-42");
    assert_eq!(c["authorization_status"], "success");
    let first_id = c["id"].as_i64().unwrap();

    // Empty re-plan.
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    // Update in place: rename and move to another folder.
    ws.write(
        "main.wf.hcl",
        &config("Jira (prod)", IN_FOLDER, "jira", SECRET_PASSWORD),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("# workato_connection.jira will be updated in-place")
        .stdout_has("\"Jira\" -> \"Jira (prod)\"")
        .stdout_has("~ folder_id")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    let c = only_connection(&emu);
    assert_eq!(c["id"].as_i64(), Some(first_id), "updated in place");
    assert_eq!(c["name"], "Jira (prod)");
    assert_eq!(c["folder_id"].as_i64(), Some(folder_named(&emu, "Moved")));
    assert_eq!(
        c["authorization_status"], "success",
        "an unchanged input is not re-sent"
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Replace: the connector cannot change in place.
    ws.write(
        "main.wf.hcl",
        &config(
            "Jira (prod)",
            IN_FOLDER,
            "jira_service_desk",
            SECRET_PASSWORD,
        ),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("must be replaced")
        .stdout_has("# forces replacement")
        .stdout_has("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 1 added, 0 changed, 1 destroyed.");
    let c = only_connection(&emu);
    assert_ne!(c["id"].as_i64(), Some(first_id), "a new connection");
    assert_eq!(c["application"], "jira_service_desk");
    assert_eq!(c["name"], "Jira (prod)");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
    ws.run(&["output", "connection_id"], &emu)
        .success()
        .stdout_has(&c["id"].to_string());

    // Destroy.
    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("Destroy complete! Resources: 3 destroyed.");
    assert!(connections(&emu).is_empty());
    assert!(emu.project_names().is_empty());
}

#[test]
fn connection_input_values_are_never_shown_and_one_changed_value_is_one_update() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &config("Jira", IN_PROJECT, "jira", SECRET_PASSWORD),
    );
    let secrets = [SECRET_TOKEN, SECRET_PASSWORD, NEW_PASSWORD];
    let check = |run: crate::support::Run| {
        secrets.iter().fold(run, |run, s| run.nowhere(s));
    };

    check(
        ws.run(&["plan"], &emu)
            .success()
            .stdout_has("+ input")
            .stdout_has("(sensitive value)"),
    );
    check(ws.run(&["apply", "--auto-approve"], &emu).success());
    check(ws.run(&["plan", "--detailed-exitcode"], &emu).code(0));

    // The API never returns the input, and the state keeps only its digest.
    let listed = serde_json::to_string(&connections(&emu)).unwrap();
    let (_, stats) = emu.request("GET", "/__emulator/stats", None, None);
    println!("emulator stats: {stats}");
    println!("connections: {listed}");
    for s in secrets {
        assert!(!listed.contains(s), "the connection list shows {s}");
        assert!(!stats.to_string().contains(s));
    }
    let state = std::fs::read(ws.state_path()).unwrap();
    for s in secrets {
        let found = state.windows(s.len()).any(|w| w == s.as_bytes());
        assert!(!found, "the state file holds {s}");
    }

    // Writing the same input as a JSON string is no change: both forms hash alike.
    let as_text = config("Jira", IN_PROJECT, "jira", SECRET_PASSWORD).replace(
        &format!(
            "input = {{\n    host_name = \"acme.atlassian.net\"\n    email     = \"bot@acme.com\"\n    apitoken  = \"{SECRET_TOKEN}\"\n    password  = \"{SECRET_PASSWORD}\"\n  }}"
        ),
        &format!(
            "input = jsonencode({{ password = \"{SECRET_PASSWORD}\", apitoken = \"{SECRET_TOKEN}\", email = \"bot@acme.com\", host_name = \"acme.atlassian.net\" }})"
        ),
    );
    assert!(as_text.contains("jsonencode"));
    ws.write("main.wf.hcl", &as_text);
    check(
        ws.run(&["plan", "--detailed-exitcode"], &emu)
            .code(0)
            .stdout_has("No changes."),
    );

    // One changed value: exactly one in-place update, shown as a sensitive value.
    ws.write(
        "main.wf.hcl",
        &config("Jira", IN_PROJECT, "jira", NEW_PASSWORD),
    );
    let plan = ws.run(&["plan", "--detailed-exitcode"], &emu).code(2);
    let input_lines: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with("~ input"))
        .collect();
    assert_eq!(input_lines.len(), 1, "{}", plan.stdout);
    assert!(
        input_lines[0].contains("(sensitive value)"),
        "{}",
        input_lines[0]
    );
    assert_eq!(
        plan.stdout.matches("will be updated in-place").count(),
        1,
        "{}",
        plan.stdout
    );
    check(
        plan.stdout_has("# workato_connection.jira will be updated in-place")
            .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy."),
    );
    let before = only_connection(&emu);
    check(
        ws.run(&["apply", "--auto-approve"], &emu)
            .success()
            .stdout_has("Resources: 0 added, 1 changed, 0 destroyed."),
    );
    let after = only_connection(&emu);
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["authorization_status"], "success");
    check(ws.run(&["plan", "--detailed-exitcode"], &emu).code(0));

    check(ws.run(&["destroy", "--auto-approve"], &emu).success());
    assert!(connections(&emu).is_empty());
}

/// How many `route` calls refreshing makes during a plan: the calls of `plan` minus those
/// of `plan --refresh=false` (which still runs the permission preflight).
pub fn refresh_calls(emu: &Emulator, ws: &Workspace, route: &str) -> u64 {
    let mut counts = Vec::new();
    for refresh in ["--refresh=false", "--refresh=true"] {
        emu.reset_stats();
        ws.run(&["plan", "--detailed-exitcode", refresh], emu)
            .code(0);
        let (_, stats) = emu.request("GET", "/__emulator/stats", None, None);
        counts.push(stats["by_route"][route].as_u64().unwrap_or(0));
    }
    counts[1] - counts[0]
}

#[test]
fn one_list_call_refreshes_every_connection() {
    let emu = Emulator::start(&[]);
    let mut hcl = String::from("resource \"workato_project\" \"p\" {\n  name = \"Many\"\n}\n");
    for i in 0..5 {
        hcl.push_str(&format!(
            r#"
resource "workato_connection" "c{i}" {{
  name             = "Shell {i}"
  connector_name   = "salesforce"
  folder_id        = workato_project.p.folder_id
  shell_connection = true
}}
"#
        ));
    }
    let ws = Workspace::new().file("main.wf.hcl", &hcl);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("6 added");
    for c in connections(&emu) {
        assert_eq!(
            c["authorization_status"],
            Json::Null,
            "shell connections are not authorised"
        );
    }
    // The refresh's own calls: a plan's calls minus those of a plan without refresh
    // (the permission preflight probes the list too).
    assert_eq!(
        refresh_calls(&emu, &ws, "GET /api/connections"),
        1,
        "five connections, one list call"
    );
    ws.run(&["destroy", "--auto-approve"], &emu).success();
    assert!(connections(&emu).is_empty());
}

#[test]
fn a_connection_deleted_outside_workform_is_recreated() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &config("Jira", IN_PROJECT, "jira", SECRET_PASSWORD),
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let id = only_connection(&emu)["id"].as_i64().unwrap();
    let (status, _) = emu.api("DELETE", &format!("/api/connections/{id}"), None);
    assert_eq!(status, 200);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("has been deleted")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added");
    assert_eq!(only_connection(&emu)["authorization_status"], "success");
}

#[test]
fn the_connection_data_source_finds_a_connection_by_name_and_folder() {
    let emu = Emulator::start(&[]);
    let (_, folder) = emu.api("POST", "/api/folders", Some(json!({"name": "Ops"})));
    let folder_id = folder["id"].as_i64().unwrap();
    let (status, made) = emu.api(
        "POST",
        "/api/connections",
        Some(json!({"name": "Salesforce (UI)", "provider": "salesforce",
                    "folder_id": folder_id, "shell_connection": true})),
    );
    assert_eq!(status, 200, "{made}");
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &format!(
            r#"
data "workato_connection" "sf" {{
  name      = "Salesforce (UI)"
  folder_id = {folder_id}
}}

data "workato_connection" "anywhere" {{
  name = "Salesforce (UI)"
}}

output "sf" {{
  value = "${{data.workato_connection.sf.id}}/${{data.workato_connection.sf.connector_name}}/${{data.workato_connection.anywhere.folder_id}}"
}}
"#
        ),
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.run(&["output", "sf", "--raw"], &emu)
        .success()
        .stdout_has(&format!("{}/salesforce/{folder_id}", made["id"]));
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // A second connection of the same name elsewhere makes the folder-less lookup ambiguous.
    emu.api(
        "POST",
        "/api/connections",
        Some(
            json!({"name": "Salesforce (UI)", "provider": "salesforce", "shell_connection": true}),
        ),
    );
    ws.run(&["plan"], &emu)
        .code(1)
        .stderr_has("2 connections are named \"Salesforce (UI)\"")
        .stderr_has("set folder_id");

    ws.write(
        "main.wf.hcl",
        "data \"workato_connection\" \"x\" {\n  name = \"Nope\"\n}\n",
    );
    ws.run(&["plan"], &emu)
        .code(1)
        .stderr_has("no connection named \"Nope\" in the workspace");
}

#[test]
fn a_json_string_input_that_is_not_an_object_fails_without_showing_it() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &format!(
            r#"
resource "workato_project" "p" {{
  name = "Bad input"
}}

resource "workato_connection" "c" {{
  name           = "Broken"
  connector_name = "jira"
  folder_id      = workato_project.p.folder_id
  input          = "{SECRET_TOKEN}"
}}
"#
        ),
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .code(1)
        .stderr_has("must hold a JSON object")
        .nowhere(SECRET_TOKEN);
    assert!(connections(&emu).is_empty());
}

#[test]
fn a_connection_made_in_workato_can_be_imported() {
    let emu = Emulator::start(&[]);
    let (_, folder) = emu.api("POST", "/api/folders", Some(json!({"name": "Ops"})));
    let folder_id = folder["id"].as_i64().unwrap();
    let (_, made) = emu.api(
        "POST",
        "/api/connections",
        Some(
            json!({"name": "Jira (UI)", "provider": "jira", "folder_id": folder_id,
                    "input": {"apitoken": SECRET_TOKEN}}),
        ),
    );
    let id = made["id"].to_string();
    let hcl = format!(
        r#"
resource "workato_connection" "jira" {{
  name           = "Jira (UI)"
  connector_name = "jira"
  folder_id      = {folder_id}
}}
"#
    );
    let ws = Workspace::new().file("main.wf.hcl", &hcl);
    ws.run(&["import", "workato_connection.jira", &id], &emu)
        .success()
        .stdout_has("Import successful!");
    // Without `input` in the configuration, the stored credentials are left alone.
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");
    // With it, the imported connection gets the credentials once (its digest is unknown).
    ws.write(
        "main.wf.hcl",
        &hcl.replace(
            "folder_id      = ",
            &format!("input          = {{ apitoken = \"{SECRET_TOKEN}\" }}\n  folder_id      = "),
        ),
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed, 0 destroyed")
        .nowhere(SECRET_TOKEN);
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}
