//! `workato_tag` and `workato_tag_assignment` against the emulator.

use serde_json::{Value as Json, json};

use crate::connections::refresh_calls;
use crate::support::{Emulator, Workspace};

fn tag_config(title: &str, description: &str, color: &str) -> String {
    format!(
        r#"
resource "workato_tag" "finance" {{
  title       = "{title}"
  description = "{description}"
  color       = "{color}"
}}

output "handle" {{
  value = workato_tag.finance.id
}}
"#
    )
}

/// Every tag in the emulator.
fn tags(emu: &Emulator) -> Vec<Json> {
    let (status, body) = emu.api("GET", "/api/tags?per_page=100", None);
    assert_eq!(status, 200, "{body}");
    body["data"]["tags"]
        .as_array()
        .expect("{\"data\":{\"tags\":[...]}}")
        .clone()
}

fn only_tag(emu: &Emulator) -> Json {
    let all = tags(emu);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

#[test]
fn tag_lifecycle_create_replan_update_destroy() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &tag_config("Finance", "Finance integrations", "green"),
    );

    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("# workato_tag.finance will be created")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    let tag = only_tag(&emu);
    assert_eq!(tag["title"], "Finance");
    assert_eq!(tag["description"], "Finance integrations");
    assert_eq!(tag["color"], "green");
    let handle = tag["handle"].as_str().unwrap().to_string();
    assert!(handle.starts_with("tag-"), "{handle}");
    ws.run(&["output", "handle", "--raw"], &emu)
        .success()
        .stdout_has(&handle);

    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    // A colour change is exactly one in-place update.
    ws.write(
        "main.wf.hcl",
        &tag_config("Finance", "Finance integrations", "red"),
    );
    let plan = ws.run(&["plan", "--detailed-exitcode"], &emu).code(2);
    let changed: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('~') && l.contains(" = "))
        .collect();
    assert_eq!(changed.len(), 1, "{}", plan.stdout);
    assert!(changed[0].contains("color"), "{}", changed[0]);
    plan.stdout_has("\"green\" -> \"red\"")
        .stdout_has("# workato_tag.finance will be updated in-place")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    let tag = only_tag(&emu);
    assert_eq!(tag["handle"], handle.as_str(), "same tag");
    assert_eq!(tag["color"], "red");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Title and description are updated in place too (tags have no force-new attribute).
    ws.write("main.wf.hcl", &tag_config("Finance EU", "", "red"));
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed, 0 destroyed");
    let tag = only_tag(&emu);
    assert_eq!(tag["handle"], handle.as_str());
    assert_eq!(tag["title"], "Finance EU");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("Destroy complete! Resources: 1 destroyed.");
    assert!(tags(&emu).is_empty());
}

#[test]
fn tag_limits_and_colours_are_validated_at_plan_time() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &tag_config("A title that is far too long for Workato", "", "pink"),
    );
    ws.run(&["plan"], &emu)
        .code(1)
        .stderr_has("title")
        .stderr_has("color");
    assert!(tags(&emu).is_empty());
}

#[test]
fn a_tag_deleted_outside_workform_is_recreated() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &tag_config("Ops", "", "blue"));
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let handle = only_tag(&emu)["handle"].as_str().unwrap().to_string();
    let (status, _) = emu.api("DELETE", &format!("/api/tags/{handle}"), None);
    assert_eq!(status, 200);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("has been deleted")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
}

/// A project with two connections, two tags and one assignment.
fn assignment_config(tag: &str, connections: &str, recipes: &str) -> String {
    format!(
        r#"
resource "workato_project" "p" {{
  name = "Tagged"
}}

resource "workato_connection" "a" {{
  name             = "A"
  connector_name   = "salesforce"
  folder_id        = workato_project.p.folder_id
  shell_connection = true
}}

resource "workato_connection" "b" {{
  name             = "B"
  connector_name   = "jira"
  folder_id        = workato_project.p.folder_id
  shell_connection = true
}}

resource "workato_tag" "finance" {{
  title = "Finance"
  color = "green"
}}

resource "workato_tag" "ops" {{
  title = "Ops"
  color = "blue"
}}

resource "workato_tag_assignment" "t" {{
  tag_handle     = workato_tag.{tag}.id
  connection_ids = [{connections}]
  recipe_ids     = [{recipes}]
}}
"#
    )
}

/// Connection name → its tag handles, from `GET /api/connections?includes[]=tags`.
fn connection_tags(emu: &Emulator) -> Vec<(String, Vec<String>)> {
    let (status, body) = emu.api("GET", "/api/connections?includes[]=tags", None);
    assert_eq!(status, 200, "{body}");
    let mut out: Vec<(String, Vec<String>)> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let tags = c["tags"]
                .as_array()
                .expect("tags included")
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect();
            (c["name"].as_str().unwrap().to_string(), tags)
        })
        .collect();
    out.sort();
    out
}

fn recipe_tags(emu: &Emulator, id: i64) -> Vec<String> {
    let (_, body) = emu.api("GET", "/api/recipes?includes[]=tags", None);
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_i64() == Some(id))
        .expect("recipe listed")["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

fn handle_of(emu: &Emulator, title: &str) -> String {
    tags(emu)
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no tag {title}"))["handle"]
        .as_str()
        .unwrap()
        .to_string()
}

fn tagged(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    pairs
        .iter()
        .map(|(n, t)| (n.to_string(), t.iter().map(|s| s.to_string()).collect()))
        .collect()
}

#[test]
fn tag_assignment_lifecycle_add_remove_replace_destroy() {
    let emu = Emulator::start(&[]);
    let (status, recipe) = emu.api(
        "POST",
        "/__emulator/recipes",
        Some(json!({"name": "Sync invoices"})),
    );
    assert_eq!(status, 200, "{recipe}");
    let recipe = recipe["id"].as_i64().unwrap();
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &assignment_config("finance", "workato_connection.a.id", &recipe.to_string()),
    );

    // Create: the tag lands on connection A and on the recipe.
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Apply complete! Resources: 6 added, 0 changed, 0 destroyed.");
    let finance = handle_of(&emu, "Finance");
    let ops = handle_of(&emu, "Ops");
    assert_eq!(
        connection_tags(&emu),
        tagged(&[("A", &[&finance]), ("B", &[])])
    );
    assert_eq!(recipe_tags(&emu, recipe), vec![finance.clone()]);

    // Empty re-plan. Refreshing lists connections twice (once for the connections, once
    // with their tags for the assignment) and recipes once.
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");
    assert_eq!(refresh_calls(&emu, &ws, "GET /api/recipes"), 1);
    assert_eq!(refresh_calls(&emu, &ws, "GET /api/connections"), 2);

    // Update: add B, drop the recipe.
    ws.write(
        "main.wf.hcl",
        &assignment_config(
            "finance",
            "workato_connection.a.id, workato_connection.b.id",
            "",
        ),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("# workato_tag_assignment.t will be updated in-place")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 0 added, 1 changed, 0 destroyed.");
    assert_eq!(
        connection_tags(&emu),
        tagged(&[("A", &[&finance]), ("B", &[&finance])])
    );
    assert!(recipe_tags(&emu, recipe).is_empty());
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Update: remove A.
    ws.write(
        "main.wf.hcl",
        &assignment_config("finance", "workato_connection.b.id", ""),
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed, 0 destroyed");
    assert_eq!(
        connection_tags(&emu),
        tagged(&[("A", &[]), ("B", &[&finance])])
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Replace: another tag on the same connection.
    ws.write(
        "main.wf.hcl",
        &assignment_config("ops", "workato_connection.b.id", ""),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("# forces replacement")
        .stdout_has("Plan: 1 to add, 0 to change, 1 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("Resources: 1 added, 0 changed, 1 destroyed.");
    assert_eq!(connection_tags(&emu), tagged(&[("A", &[]), ("B", &[&ops])]));
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Destroy: assignments, tags and connections are gone.
    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("Destroy complete! Resources: 6 destroyed.");
    assert!(tags(&emu).is_empty());
    assert!(connection_tags(&emu).is_empty());
    assert!(recipe_tags(&emu, recipe).is_empty());
}

#[test]
fn tag_assignment_drift_is_repaired_and_foreign_assignments_are_left_alone() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &assignment_config("finance", "workato_connection.a.id", ""),
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let finance = handle_of(&emu, "Finance");
    let ids: Vec<(String, i64)> = {
        let (_, body) = emu.api("GET", "/api/connections", None);
        body.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["id"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let id = |name: &str| ids.iter().find(|(n, _)| n == name).unwrap().1;

    // Someone else tags B: not managed here, so no change, and it survives updates.
    let (status, _) = emu.api(
        "POST",
        "/api/tags_assignments",
        Some(json!({"add_tags": [finance], "connection_ids": [id("B")]})),
    );
    assert_eq!(status, 200);
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Someone removes the managed assignment: workform puts it back.
    emu.api(
        "POST",
        "/api/tags_assignments",
        Some(json!({"remove_tags": [finance], "connection_ids": [id("A")]})),
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu).success();
    assert_eq!(
        connection_tags(&emu),
        tagged(&[("A", &[&finance]), ("B", &[&finance])])
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Dropping the assignment resource removes only what it managed.
    let without = assignment_config("finance", "", "");
    let without = &without[..without.find("resource \"workato_tag_assignment\"").unwrap()];
    ws.write("main.wf.hcl", without);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 0 changed, 1 destroyed");
    assert_eq!(
        connection_tags(&emu),
        tagged(&[("A", &[]), ("B", &[&finance])])
    );
}

#[test]
fn a_replaced_connection_moves_its_tag_assignment() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &assignment_config("finance", "workato_connection.a.id", ""),
    );
    ws.run(&["apply", "--auto-approve"], &emu).success();
    let finance = handle_of(&emu, "Finance");
    // A new connector for A replaces it; the assignment follows the new id.
    ws.write(
        "main.wf.hcl",
        &assignment_config("finance", "workato_connection.a.id", "").replacen(
            "\"salesforce\"",
            "\"netsuite\"",
            1,
        ),
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added, 1 changed, 1 destroyed");
    assert_eq!(
        connection_tags(&emu),
        tagged(&[("A", &[&finance]), ("B", &[])])
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn tags_and_assignments_made_in_workato_can_be_imported() {
    let emu = Emulator::start(&[]);
    let (_, tag) = emu.api(
        "POST",
        "/api/tags",
        Some(json!({"title": "Legacy", "color": "plum"})),
    );
    let handle = tag["handle"].as_str().unwrap().to_string();
    let (_, conn) = emu.api(
        "POST",
        "/api/connections",
        Some(json!({"name": "Old", "provider": "jira", "shell_connection": true})),
    );
    let conn = conn["id"].as_i64().unwrap();
    emu.api(
        "POST",
        "/api/tags_assignments",
        Some(json!({"add_tags": [handle], "connection_ids": [conn]})),
    );
    let ws = Workspace::new().file(
        "main.wf.hcl",
        &format!(
            r#"
resource "workato_tag" "legacy" {{
  title = "Legacy"
  color = "plum"
}}

resource "workato_tag_assignment" "legacy" {{
  tag_handle     = workato_tag.legacy.id
  connection_ids = [{conn}]
}}
"#
        ),
    );
    ws.run(&["import", "workato_tag.legacy", &handle], &emu)
        .success()
        .stdout_has("Import successful!");
    ws.run(&["import", "workato_tag_assignment.legacy", &handle], &emu)
        .success();
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");
    ws.run(&["import", "workato_tag.legacy", "tag-nope"], &emu)
        .code(1);
}
