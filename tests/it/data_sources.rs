//! Data sources `workato_workspace`, `workato_folder`, `workato_project` and
//! `workato_data_table`: reads at plan time, use in resources and outputs, and NoMatch
//! errors that say what was looked for.

use serde_json::{Value as Json, json};

use crate::support::{Emulator, Workspace};

/// Objects made by hand in the workspace (as in the Workato UI): project "Shared" with
/// folder "Common", holding table "Lookup" with a column "code".
struct Existing {
    project_id: i64,
    project_folder_id: i64,
    common_id: i64,
    table_id: String,
    code_field_id: String,
}

fn ok(emu: &Emulator, method: &str, path: &str, body: Json) -> Json {
    let (status, answer) = emu.api(method, path, Some(body));
    assert_eq!(status, 200, "{method} {path}: {answer}");
    answer
}

fn existing(emu: &Emulator) -> Existing {
    let project = ok(emu, "POST", "/api/folders", json!({"name": "Shared"}));
    let project_folder_id = project["id"].as_i64().unwrap();
    let project_id = project["project_id"].as_i64().unwrap();
    let (_, _) = emu.api(
        "PUT",
        &format!("/api/projects/{project_id}"),
        Some(json!({"name": "Shared", "description": "made by hand"})),
    );
    let common = ok(
        emu,
        "POST",
        "/api/folders",
        json!({"name": "Common", "parent_id": project_folder_id.to_string()}),
    );
    let common_id = common["id"].as_i64().unwrap();
    let table = ok(
        emu,
        "POST",
        "/api/data_tables",
        json!({"name": "Lookup", "folder_id": common_id,
               "schema": [{"name": "code", "type": "string", "optional": false}]}),
    );
    Existing {
        project_id,
        project_folder_id,
        common_id,
        table_id: table["data"]["id"].as_str().unwrap().to_string(),
        code_field_id: table["data"]["schema"][0]["field_id"]
            .as_str()
            .unwrap()
            .to_string(),
    }
}

const READS: &str = r#"
data "workato_workspace" "ws" {}

data "workato_project" "shared" {
  name = "Shared"
}

data "workato_folder" "common" {
  path = "Shared/Common"
}

data "workato_folder" "by_id" {
  id = data.workato_folder.common.id
}

data "workato_data_table" "lookup" {
  name      = "Lookup"
  folder_id = data.workato_folder.common.id
}

data "workato_data_table" "anywhere" {
  name = "Lookup"
}

resource "workato_folder" "child" {
  name      = "Child"
  folder_id = data.workato_folder.common.id
}

output "workspace_name" {
  value = data.workato_workspace.ws.name
}
output "root_folder_id" {
  value = data.workato_workspace.ws.root_folder_id
}
output "project_id" {
  value = data.workato_project.shared.id
}
output "project_description" {
  value = data.workato_project.shared.description
}
output "common_id" {
  value = data.workato_folder.common.id
}
output "common_parent" {
  value = data.workato_folder.common.folder_id
}
output "common_project" {
  value = data.workato_folder.common.project_id
}
output "by_id_path" {
  value = data.workato_folder.by_id.path
}
output "lookup_id" {
  value = data.workato_data_table.lookup.id
}
output "lookup_numeric_id" {
  value = data.workato_data_table.lookup.numeric_id
}
output "anywhere_folder" {
  value = data.workato_data_table.anywhere.folder_id
}
output "lookup_columns" {
  value = data.workato_data_table.lookup.columns[0].type
}
"#;

fn output(ws: &Workspace, emu: &Emulator, name: &str) -> String {
    ws.run(&["output", "--raw", name], emu)
        .success()
        .stdout
        .trim()
        .to_string()
}

#[test]
fn data_sources_are_read_at_plan_time_and_feed_resources_and_outputs() {
    let emu = Emulator::start(&[]);
    let found = existing(&emu);
    let ws = Workspace::new().file("main.wf.hcl", READS);

    let plan = ws
        .run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
    assert!(
        !plan.stdout.contains("will be read during apply"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&found.common_id.to_string()),
        "the child folder's folder_id is known: {}",
        plan.stdout
    );

    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added");
    let (_, me) = emu.api("GET", "/api/users/me", None);
    assert_eq!(
        output(&ws, &emu, "workspace_name"),
        me["name"].as_str().unwrap()
    );
    assert_eq!(
        output(&ws, &emu, "root_folder_id"),
        me["root_folder_id"].to_string()
    );
    assert_eq!(
        output(&ws, &emu, "project_id"),
        found.project_id.to_string()
    );
    assert_eq!(output(&ws, &emu, "project_description"), "made by hand");
    assert_eq!(output(&ws, &emu, "common_id"), found.common_id.to_string());
    assert_eq!(
        output(&ws, &emu, "common_parent"),
        found.project_folder_id.to_string()
    );
    assert_eq!(
        output(&ws, &emu, "common_project"),
        found.project_id.to_string()
    );
    assert_eq!(output(&ws, &emu, "by_id_path"), "Shared/Common");
    assert_eq!(output(&ws, &emu, "lookup_id"), found.table_id);
    assert_eq!(
        output(&ws, &emu, "anywhere_folder"),
        found.common_id.to_string()
    );
    assert_eq!(output(&ws, &emu, "lookup_columns"), "string");
    assert!(
        output(&ws, &emu, "lookup_numeric_id")
            .parse::<i64>()
            .is_ok()
    );

    // The resources used the values read.
    let (_, folders) = emu.api("GET", "/api/folders?with_nested_folders=true", None);
    let child = folders
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Child")
        .expect("child folder");
    assert_eq!(child["parent_id"].as_i64(), Some(found.common_id));

    // Data sources never show up as changes.
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    // Destroy leaves what the data sources read alone.
    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 destroyed");
    assert_eq!(emu.project_names(), vec!["Shared".to_string()]);
    let (_, tables) = emu.api("GET", "/api/data_tables", None);
    assert_eq!(tables["data"].as_array().unwrap().len(), 1);
}

#[test]
fn a_data_source_whose_arguments_are_not_known_is_read_during_apply() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
resource "workato_project" "p" {
  name = "Fresh"
}

data "workato_folder" "p" {
  id = workato_project.p.folder_id
}

output "path" {
  value = data.workato_folder.p.path
}
"#,
    );
    ws.run(&["plan"], &emu)
        .success()
        .stdout_has("# data.workato_folder.p will be read during apply");
    ws.run(&["apply", "--auto-approve"], &emu).success();
    assert_eq!(output(&ws, &emu, "path"), "Fresh");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn no_match_errors_name_what_was_looked_for() {
    let emu = Emulator::start(&[]);
    existing(&emu);
    let cases = [
        (
            r#"data "workato_folder" "x" { path = "Shared/Missing" }"#,
            r#"no folder at path "Shared/Missing": folder "Shared" has no folder named "Missing""#,
        ),
        (
            r#"data "workato_folder" "x" { path = "Nowhere" }"#,
            r#"the Home folder has no folder named "Nowhere""#,
        ),
        (
            r#"data "workato_folder" "x" { id = 999999 }"#,
            "no folder has id 999999",
        ),
        (r#"data "workato_folder" "x" {}"#, "set id or path"),
        (
            r#"data "workato_project" "x" { name = "Ghost" }"#,
            r#"no project is named "Ghost""#,
        ),
        (
            r#"data "workato_data_table" "x" { name = "Ghost" }"#,
            r#"no data table is named "Ghost""#,
        ),
        (
            r#"data "workato_data_table" "x" {
  name      = "Lookup"
  folder_id = 424242
}"#,
            r#"no data table named "Lookup" in folder 424242"#,
        ),
    ];
    for (hcl, message) in cases {
        let ws = Workspace::new().file("main.wf.hcl", hcl);
        ws.run(&["plan"], &emu)
            .code(1)
            .stderr_has(message)
            .stderr_has("data.workato_");
    }
}

#[test]
fn an_ambiguous_name_asks_for_a_folder() {
    let emu = Emulator::start(&[]);
    let found = existing(&emu);
    ok(
        &emu,
        "POST",
        "/api/data_tables",
        json!({"name": "Lookup", "folder_id": found.project_folder_id,
               "schema": [{"name": "code", "type": "string", "optional": false}]}),
    );
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "data \"workato_data_table\" \"x\" {\n  name = \"Lookup\"\n}\n",
    );
    ws.run(&["plan"], &emu)
        .code(1)
        .stderr_has("2 data tables are named \"Lookup\"")
        .stderr_has("set folder_id");
}

#[test]
fn the_workspace_data_source_needs_no_arguments_and_one_call() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "data \"workato_workspace\" \"ws\" {}\n\noutput \"home\" {\n  value = data.workato_workspace.ws.root_folder_id\n}\n",
    );
    emu.reset_stats();
    ws.run(&["plan"], &emu).success();
    let (_, stats) = emu.request("GET", "/__emulator/stats", None, None);
    assert!(
        stats["by_route"]["GET /api/users/me"].as_u64().unwrap() >= 1,
        "{stats}"
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let (_, me) = emu.api("GET", "/api/users/me", None);
    assert_eq!(output(&ws, &emu, "home"), me["root_folder_id"].to_string());
}

#[test]
fn a_data_table_data_source_feeds_a_relation_column() {
    let emu = Emulator::start(&[]);
    let found = existing(&emu);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
data "workato_project" "shared" {
  name = "Shared"
}

data "workato_data_table" "lookup" {
  name = "Lookup"
}

resource "workato_data_table" "orders" {
  name      = "Orders"
  folder_id = data.workato_project.shared.folder_id
  column {
    name = "code"
    type = "relation"
    relation {
      table_id = data.workato_data_table.lookup.id
      field_id = data.workato_data_table.lookup.field_ids["code"]
    }
  }
}
"#,
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added");
    let (_, tables) = emu.api("GET", "/api/data_tables", None);
    let orders = tables["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Orders")
        .expect("orders")
        .clone();
    assert_eq!(orders["folder_id"].as_i64(), Some(found.project_folder_id));
    let relation = &orders["schema"][0]["relation"];
    assert_eq!(relation["table_id"], found.table_id.as_str());
    assert_eq!(relation["field_id"], found.code_field_id.as_str());
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
    ws.run(&["destroy", "--auto-approve"], &emu).success();
    let (_, tables) = emu.api("GET", "/api/data_tables", None);
    assert_eq!(
        tables["data"].as_array().unwrap().len(),
        1,
        "the looked-up table stays"
    );
}
