//! On-prem groups and agents end to end.

use serde_json::{Value as Json, json};

use crate::support::{Emulator, Workspace};

fn groups(emu: &Emulator) -> Vec<Json> {
    let (status, body) = emu.api("GET", "/api/on_prem_groups", None);
    assert_eq!(status, 200, "{body}");
    body.as_array().cloned().expect("a bare array")
}

fn agents(emu: &Emulator) -> Vec<Json> {
    let (status, body) = emu.api("GET", "/api/on_prem_agents", None);
    assert_eq!(status, 200, "{body}");
    body.as_array().cloned().expect("a bare array")
}

fn only(items: Vec<Json>) -> Json {
    assert_eq!(items.len(), 1, "expected exactly one object: {items:?}");
    items.into_iter().next().unwrap()
}

fn id(v: &Json) -> i64 {
    v["id"].as_i64().expect("an id")
}

const GROUP: &str = r#"
resource "workato_on_prem_group" "dc1" {
  name            = "Datacenter 1"
  whitelisted_ips = ["198.51.100.10", "192.0.2.0/24"]
}
"#;

#[test]
fn on_prem_group_lifecycle() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", GROUP);

    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added, 0 changed, 0 destroyed");
    let g = only(groups(&emu));
    assert_eq!(g["name"], "Datacenter 1");
    assert_eq!(g["use_managed_connection"], false);
    assert_eq!(
        g["whitelisted_ips"],
        json!(["198.51.100.10", "192.0.2.0/24"])
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    // Every attribute is updated in place.
    let updated = r#"
resource "workato_on_prem_group" "dc1" {
  name                   = "Datacenter One"
  use_managed_connection = true
  whitelisted_ips        = ["198.51.100.10"]
}
"#;
    ws.write("main.wf.hcl", updated);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ name")
        .stdout_has("~ use_managed_connection")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed");
    let g2 = only(groups(&emu));
    assert_eq!(id(&g2), id(&g));
    assert_eq!(g2["name"], "Datacenter One");
    assert_eq!(g2["use_managed_connection"], true);
    assert_eq!(g2["whitelisted_ips"], json!(["198.51.100.10"]));
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Removing the IP list clears it.
    ws.write(
        "main.wf.hcl",
        &updated.replace("  whitelisted_ips        = [\"198.51.100.10\"]\n", ""),
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed");
    assert_eq!(only(groups(&emu))["whitelisted_ips"], json!([]));
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 destroyed");
    assert!(groups(&emu).is_empty());
}

const AGENT: &str = r#"
resource "workato_on_prem_group" "dc1" {
  name = "Datacenter 1"
}

resource "workato_on_prem_group" "dc2" {
  name = "Datacenter 2"
}

resource "workato_on_prem_agent" "a" {
  name             = "agent-a"
  os               = "linux"
  on_prem_group_id = workato_on_prem_group.dc1.id
}

output "code" {
  value     = workato_on_prem_agent.a.activation_code
  sensitive = true
}
"#;

fn code_of(ws: &Workspace, emu: &Emulator) -> String {
    let code = ws
        .run(&["output", "code", "--raw"], emu)
        .success()
        .stdout
        .trim()
        .to_string();
    assert!(!code.is_empty());
    code
}

fn live_code(emu: &Emulator, agent: i64) -> String {
    let (status, body) = emu.api(
        "GET",
        &format!("/api/on_prem_agents/{agent}/activation_code"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    body["activation_code"].as_str().unwrap().to_string()
}

#[test]
fn on_prem_agent_lifecycle() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", AGENT);

    let applied = ws
        .run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("3 added");
    let a = only(agents(&emu));
    let dc1 = groups(&emu)
        .into_iter()
        .find(|g| g["name"] == "Datacenter 1")
        .unwrap();
    let dc2 = groups(&emu)
        .into_iter()
        .find(|g| g["name"] == "Datacenter 2")
        .unwrap();
    assert_eq!(a["name"], "agent-a");
    assert_eq!(a["os"], "linux");
    assert_eq!(a["on_prem_group_id"], dc1["id"]);
    let code = code_of(&ws, &emu);
    assert_eq!(code, live_code(&emu, id(&a)));
    applied.nowhere(&code);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.")
        .nowhere(&code);
    ws.run(&["output"], &emu).success().nowhere(&code);

    // In place: a rename and a move to the other group.
    let moved = AGENT.replace("\"agent-a\"", "\"agent-alpha\"").replace(
        "on_prem_group_id = workato_on_prem_group.dc1.id",
        "on_prem_group_id = workato_on_prem_group.dc2.id",
    );
    ws.write("main.wf.hcl", &moved);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("~ on_prem_group_id")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.")
        .nowhere(&code);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("0 added, 1 changed");
    let a2 = only(agents(&emu));
    assert_eq!(id(&a2), id(&a));
    assert_eq!(a2["name"], "agent-alpha");
    assert_eq!(a2["on_prem_group_id"], dc2["id"]);
    assert_eq!(code_of(&ws, &emu), code, "the activation code is kept");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // A new OS replaces the agent, with a new activation code.
    ws.write("main.wf.hcl", &moved.replace("\"linux\"", "\"windows\""));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("-/+ resource \"workato_on_prem_agent\" \"a\"")
        .stdout_has("# forces replacement")
        .stdout_has("Plan: 1 to add, 0 to change, 1 to destroy.")
        .nowhere(&code);
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added, 0 changed, 1 destroyed");
    let a3 = only(agents(&emu));
    assert_ne!(id(&a3), id(&a));
    assert_eq!(a3["os"], "windows");
    let new_code = code_of(&ws, &emu);
    assert_ne!(new_code, code);
    assert_eq!(new_code, live_code(&emu, id(&a3)));
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);

    // Agents go first: a group with agents cannot be deleted.
    ws.run(&["destroy", "--auto-approve"], &emu)
        .success()
        .stdout_has("3 destroyed")
        .nowhere(&new_code);
    assert!(agents(&emu).is_empty());
    assert!(groups(&emu).is_empty());
}

#[test]
fn existing_groups_and_agents_can_be_imported() {
    let emu = Emulator::start(&[]);
    let (_, g) = emu.api(
        "POST",
        "/api/on_prem_groups",
        Some(json!({"name": "Datacenter 1", "settings_attributes": {"whitelisted_ips": []}})),
    );
    let (_, a) = emu.api(
        "POST",
        "/api/on_prem_agents",
        Some(json!({"name": "agent-a", "os": "linux", "on_prem_group_id": g["id"]})),
    );
    let config = r#"
resource "workato_on_prem_group" "dc1" {
  name = "Datacenter 1"
}

resource "workato_on_prem_agent" "a" {
  name             = "agent-a"
  os               = "linux"
  on_prem_group_id = workato_on_prem_group.dc1.id
}
"#;
    let ws = Workspace::new().file("main.wf.hcl", config);
    ws.run(
        &["import", "workato_on_prem_group.dc1", &id(&g).to_string()],
        &emu,
    )
    .success()
    .stdout_has("Import successful!");
    ws.run(
        &["import", "workato_on_prem_agent.a", &id(&a).to_string()],
        &emu,
    )
    .success();
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");
    assert_eq!(groups(&emu).len(), 1);
    assert_eq!(agents(&emu).len(), 1);
}
