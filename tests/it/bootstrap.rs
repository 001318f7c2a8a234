//! `examples/bootstrap`: every resource family together, end to end.

use crate::support::{Emulator, Workspace};

fn bootstrap() -> Workspace {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bootstrap");
    let mut ws = Workspace::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        ws = ws.file(&name, &std::fs::read_to_string(&path).unwrap());
    }
    ws
}

fn count(emu: &Emulator, path: &str, pick: fn(&serde_json::Value) -> usize) -> usize {
    let (status, body) = emu.api("GET", path, None);
    assert_eq!(status, 200, "{path}: {body}");
    pick(&body)
}

fn bare(v: &serde_json::Value) -> usize {
    v.as_array().map_or(0, Vec::len)
}

fn data(v: &serde_json::Value) -> usize {
    v["data"].as_array().map_or(0, Vec::len)
}

fn tags(v: &serde_json::Value) -> usize {
    v["data"]["tags"].as_array().map_or(0, Vec::len)
}

#[test]
fn bootstrap_applies_replans_empty_updates_a_tag_in_place_and_destroys_everything() {
    let emu = Emulator::start(&[]);
    let ws = bootstrap();
    let vars = ws.path().join("sandbox.wfvars").display().to_string();
    let secret = "sandbox-jira-token";

    ws.run(&["apply", "--auto-approve", "--var-file", &vars], &emu)
        .success()
        .stdout_has("Apply complete!")
        .nowhere(secret);
    ws.run(&["plan", "--detailed-exitcode", "--var-file", &vars], &emu)
        .code(0)
        .stdout_has("No changes.")
        .nowhere(secret);
    assert_eq!(count(&emu, "/api/connections", bare), 2);
    assert_eq!(count(&emu, "/api/data_tables", data), 2);
    assert_eq!(count(&emu, "/api/on_prem_agents", bare), 1);

    // The key's token is shown only when asked for by name.
    let all = ws
        .run(&["output"], &emu)
        .success()
        .stdout_has("partner_key = <sensitive>");
    let token = ws
        .run(&["output", "--raw", "partner_key"], &emu)
        .success()
        .stdout
        .trim()
        .to_string();
    assert!(token.len() > 10, "token {token:?}");
    assert!(!all.stdout.contains(&token));

    // One tag colour change is exactly one in-place update.
    let main = std::fs::read_to_string(ws.path().join("main.wf.hcl")).unwrap();
    ws.write(
        "main.wf.hcl",
        &main.replace("color       = \"green\"", "color       = \"blue\""),
    );
    ws.run(&["plan", "--detailed-exitcode", "--var-file", &vars], &emu)
        .code(2)
        .stdout_has("# workato_tag.billing will be updated in-place")
        .stdout_has("\"green\" -> \"blue\"")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    ws.run(&["apply", "--auto-approve", "--var-file", &vars], &emu)
        .success()
        .stdout_has("0 added, 1 changed, 0 destroyed");

    ws.run(&["destroy", "--auto-approve", "--var-file", &vars], &emu)
        .success()
        .nowhere(secret)
        .nowhere(&token);
    assert!(emu.project_names().is_empty(), "projects left");
    assert_eq!(count(&emu, "/api/connections", bare), 0, "connections left");
    assert_eq!(count(&emu, "/api/data_tables", data), 0, "tables left");
    assert_eq!(
        count(&emu, "/api/api_collections", bare),
        0,
        "collections left"
    );
    assert_eq!(count(&emu, "/api/v2/api_clients", data), 0, "clients left");
    assert_eq!(count(&emu, "/api/tags", tags), 0, "tags left");
    assert_eq!(
        count(&emu, "/api/on_prem_groups", bare),
        0,
        "on-prem groups left"
    );
    assert_eq!(
        count(&emu, "/api/on_prem_agents", bare),
        0,
        "on-prem agents left"
    );
}
