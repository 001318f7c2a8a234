//! `workato_data_table`: lifecycle, column identity across updates, relations (plain and
//! cyclic) and validation, checked against the emulator's own view after each step.

use serde_json::Value as Json;

use crate::support::{Emulator, Workspace};

/// A project with two folders and one table; `{COLUMNS}` and `{FOLDER}` are filled in.
const TEMPLATE: &str = r#"
resource "workato_project" "p" {
  name = "Tables"
}

resource "workato_folder" "a" {
  name      = "A"
  folder_id = workato_project.p.folder_id
}

resource "workato_folder" "b" {
  name      = "B"
  folder_id = workato_project.p.folder_id
}

resource "workato_data_table" "t" {
  name      = "Customers"
  folder_id = workato_folder.{FOLDER}.id
{COLUMNS}
}

output "table_id" {
  value = workato_data_table.t.id
}

output "numeric_id" {
  value = workato_data_table.t.numeric_id
}
"#;

const EMAIL_SCORE: &str = r#"
  column {
    name = "email"
    type = "string"
  }
  column {
    name          = "score"
    type          = "integer"
    optional      = true
    default_value = 0
    hint          = "0 to 100"
  }
"#;

fn config(folder: &str, columns: &str) -> String {
    TEMPLATE
        .replace("{FOLDER}", folder)
        .replace("{COLUMNS}", columns)
}

/// Every table the emulator holds.
fn tables(emu: &Emulator) -> Vec<Json> {
    let (status, body) = emu.api("GET", "/api/data_tables?per_page=100", None);
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().expect("{\"data\": [...]}").clone()
}

fn table_named(emu: &Emulator, name: &str) -> Json {
    tables(emu)
        .into_iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("the emulator has no table {name:?}"))
}

/// (name, field_id) of each column, in order.
fn columns(table: &Json) -> Vec<(String, String)> {
    table["schema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["field_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn folder_id(emu: &Emulator, name: &str) -> i64 {
    let (_, folders) = emu.api(
        "GET",
        "/api/folders?with_nested_folders=true&per_page=100",
        None,
    );
    folders
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("no folder {name:?}"))["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn lifecycle_create_rename_column_add_column_move_destroy() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("a", EMAIL_SCORE));

    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("# workato_data_table.t will be created")
        .stdout_has("Plan: 4 to add, 0 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Apply complete! Resources: 4 added, 0 changed, 0 destroyed.");
    let table = table_named(&emu, "Customers");
    assert_eq!(table["folder_id"].as_i64(), Some(folder_id(&emu, "A")));
    let created = columns(&table);
    assert_eq!(
        created.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["email", "score"]
    );
    let score = &table["schema"][1];
    assert_eq!(score["type"], "integer");
    assert_eq!(score["optional"], true);
    assert_eq!(score["default_value"], 0);
    assert_eq!(score["hint"], "0 to 100");
    assert_eq!(
        table["schema"][0]["optional"], false,
        "optional defaults to false"
    );
    ws.run(&["output", "table_id"], &emu)
        .success()
        .stdout_has(table["id"].as_str().unwrap());
    ws.run(&["output", "numeric_id"], &emu)
        .success()
        .stdout_has(&table["numeric_id"].to_string());

    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    // Rename a column: an in-place update that keeps the column's field_id (and data).
    ws.write(
        "main.wf.hcl",
        &config("a", &EMAIL_SCORE.replace("\"email\"", "\"mail\"")),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("# workato_data_table.t will be updated in-place")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    let renamed = columns(&table_named(&emu, "Customers"));
    assert_eq!(
        renamed[0],
        ("mail".to_string(), created[0].1.clone()),
        "the rename kept the field_id"
    );
    assert_eq!(renamed[1], created[1]);
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Add a column: the existing ones keep their field_ids.
    let three = format!(
        "{}\n  column {{\n    name     = \"vip\"\n    type     = \"boolean\"\n    optional = true\n  }}\n",
        EMAIL_SCORE.replace("\"email\"", "\"mail\"")
    );
    ws.write("main.wf.hcl", &config("a", &three));
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    let added = columns(&table_named(&emu, "Customers"));
    assert_eq!(added.len(), 3);
    assert_eq!(added[..2], renamed[..]);
    assert_eq!(added[2].0, "vip");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Move to the other folder, in place.
    ws.write("main.wf.hcl", &config("b", &three));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ folder_id")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    let moved = table_named(&emu, "Customers");
    assert_eq!(moved["folder_id"].as_i64(), Some(folder_id(&emu, "B")));
    assert_eq!(moved["id"], table["id"], "a move keeps the table");
    assert_eq!(columns(&moved), added);
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("Destroy complete! Resources: 4 destroyed.");
    assert!(tables(&emu).is_empty(), "the emulator still holds tables");
    assert!(emu.project_names().is_empty());
}

#[test]
fn nothing_forces_a_replacement_but_replace_by_request_makes_a_new_table() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("a", EMAIL_SCORE));
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let before = table_named(&emu, "Customers");
    ws.run(
        &[
            "apply",
            "--auto-approve",
            "--replace",
            "workato_data_table.t",
        ],
        &emu,
    )
    .success()
    .stdout_has("Resources: 1 added, 0 changed, 1 destroyed.");
    let after = tables(&emu);
    assert_eq!(after.len(), 1);
    assert_ne!(after[0]["id"], before["id"]);
    assert_eq!(after[0]["schema"].as_array().unwrap().len(), 2);
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn an_inserted_or_reordered_column_keeps_each_columns_data() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("a", EMAIL_SCORE));
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let created = columns(&table_named(&emu, "Customers"));

    let inserted =
        format!("\n  column {{\n    name = \"phone\"\n    type = \"string\"\n  }}\n{EMAIL_SCORE}");
    ws.write("main.wf.hcl", &config("a", &inserted));
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let now = columns(&table_named(&emu, "Customers"));
    assert_eq!(now[0].0, "phone");
    assert!(
        !created.iter().any(|c| c.1 == now[0].1),
        "phone is a new column"
    );
    assert_eq!(
        now[1..],
        created[..],
        "email and score keep their field_ids"
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Swap two columns: each keeps its own field_id.
    let swapped = inserted
        .replace("\"email\"", "\"TMP\"")
        .replace("\"phone\"", "\"email\"")
        .replace("\"TMP\"", "\"phone\"");
    ws.write("main.wf.hcl", &config("a", &swapped));
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let after = columns(&table_named(&emu, "Customers"));
    assert_eq!(after, vec![now[1].clone(), now[0].clone(), now[2].clone()]);
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

const RELATED: &str = r#"
resource "workato_project" "p" {
  name = "Shop"
}

resource "workato_data_table" "customers" {
  name      = "Customers"
  folder_id = workato_project.p.folder_id
  column {
    name = "email"
    type = "string"
  }
  column {
    name     = "name"
    type     = "string"
    optional = true
  }
}

resource "workato_data_table" "orders" {
  name      = "Orders"
  folder_id = workato_project.p.folder_id
  column {
    name = "number"
    type = "integer"
  }
  column {
    name       = "customer"
    type       = "relation"
    multivalue = false
    relation {
      table_id = workato_data_table.customers.id
      field_id = workato_data_table.customers.field_ids["email"]
    }
  }
}
"#;

#[test]
fn a_relation_column_points_at_another_tables_column() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", RELATED);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 3 added, 0 changed, 0 destroyed.");
    let customers = table_named(&emu, "Customers");
    let orders = table_named(&emu, "Orders");
    let relation = &orders["schema"][1]["relation"];
    assert_eq!(relation["table_id"], customers["id"]);
    assert_eq!(relation["field_id"], customers["schema"][0]["field_id"]);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    // Point the relation at another column of the same table: an in-place update.
    ws.write(
        "main.wf.hcl",
        &RELATED.replace("field_ids[\"email\"]", "field_ids[\"name\"]"),
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    let orders = table_named(&emu, "Orders");
    assert_eq!(
        orders["schema"][1]["relation"]["field_id"],
        customers["schema"][1]["field_id"]
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("3 destroyed");
    assert!(tables(&emu).is_empty());
}

const CYCLE: &str = r#"
resource "workato_project" "p" {
  name = "Cycle"
}

resource "workato_data_table" "a" {
  name      = "A"
  folder_id = workato_project.p.folder_id
  column {
    name = "key"
    type = "string"
  }
  column {
    name     = "b"
    type     = "relation"
    optional = true
    relation {
      table_id = workato_data_table.b.id
      field_id = workato_data_table.b.field_ids["key"]
    }
  }
}

resource "workato_data_table" "b" {
  name      = "B"
  folder_id = workato_project.p.folder_id
  column {
    name = "key"
    type = "string"
  }
  column {
    name     = "a"
    type     = "relation"
    optional = true
    relation {
      table_id = workato_data_table.a.id
      field_id = workato_data_table.a.field_ids["key"]
    }
  }
}
"#;

#[test]
fn tables_relating_to_each_other_are_applied_in_two_passes() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", CYCLE);
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let a = table_named(&emu, "A");
    let b = table_named(&emu, "B");
    assert_eq!(
        columns(&a).iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["key", "b"]
    );
    assert_eq!(
        columns(&b).iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        ["key", "a"]
    );
    assert_eq!(a["schema"][1]["relation"]["table_id"], b["id"]);
    assert_eq!(
        a["schema"][1]["relation"]["field_id"],
        b["schema"][0]["field_id"]
    );
    assert_eq!(b["schema"][1]["relation"]["table_id"], a["id"]);
    assert_eq!(
        b["schema"][1]["relation"]["field_id"],
        a["schema"][0]["field_id"]
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");
    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("3 destroyed");
    assert!(tables(&emu).is_empty());
}

#[test]
fn a_column_type_outside_the_list_is_refused_at_plan_time() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &config("a", &EMAIL_SCORE.replace("\"integer\"", "\"text\"")),
    );
    ws.run(&["plan"], &emu)
        .code(1)
        .stderr_has("\"text\"")
        .stderr_has("date_time");
    assert!(tables(&emu).is_empty());
}

#[test]
fn a_relation_column_without_its_target_fails_naming_the_column() {
    let emu = Emulator::start(&[]);
    let columns = "\n  column {\n    name = \"owner\"\n    type = \"relation\"\n  }\n";
    let ws = Workspace::new().file("main.wf.hcl", &config("a", columns));
    ws.run(&["apply", "--auto-approve"], &emu)
        .code(1)
        .stderr_has("POST /api/data_tables")
        .stderr_has("\"owner\"")
        .stderr_has("relation");
    assert!(tables(&emu).is_empty());
}

#[test]
fn a_table_needs_at_least_one_column() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("a", ""));
    ws.run(&["plan"], &emu).code(1).stderr_has("column");
}

#[test]
fn a_table_deleted_outside_workform_is_recreated() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("a", EMAIL_SCORE));
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let id = table_named(&emu, "Customers")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = emu.api("DELETE", &format!("/api/data_tables/{id}"), None);
    assert_eq!(status, 200);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("has been deleted")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
}

#[test]
fn refresh_reads_every_table_in_one_listing() {
    let emu = Emulator::start(&[]);
    let many: String = (0..3)
        .map(|i| {
            format!(
                "resource \"workato_data_table\" \"t{i}\" {{\n  name = \"T{i}\"\n  folder_id = workato_project.p.folder_id\n  column {{\n    name = \"c\"\n    type = \"string\"\n  }}\n}}\n"
            )
        })
        .collect();
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &format!("resource \"workato_project\" \"p\" {{\n  name = \"Many\"\n}}\n{many}"),
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    emu.reset_stats();
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
    let (_, stats) = emu.request("GET", "/__emulator/stats", None, None);
    // One bulk listing per refresh pass, as for projects, however many tables there are.
    assert_eq!(
        stats["by_route"]["GET /api/data_tables"], stats["by_route"]["GET /api/projects"],
        "{stats}"
    );
    assert!(
        stats["by_route"].get("GET /api/data_tables/{id}").is_none(),
        "refresh read tables one by one: {stats}"
    );
}

#[test]
fn dynamic_blocks_generate_columns() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
variable "columns" {
  type    = map(string)
  default = { email = "string", age = "integer", active = "boolean" }
}

resource "workato_project" "p" {
  name = "Dynamic"
}

resource "workato_data_table" "t" {
  name      = "people"
  folder_id = workato_project.p.folder_id

  dynamic "column" {
    for_each = var.columns
    iterator = col
    content {
      name = col.key
      type = col.value
    }
  }
}
"#,
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let (_, tables) = emu.api("GET", "/api/data_tables", None);
    let names: Vec<&str> = tables["data"][0]["schema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["active", "age", "email"]);
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}
