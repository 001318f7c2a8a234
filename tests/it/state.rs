//! State surgery: show, mv, rm, pull/push, history, encryption at rest, force-unlock.

use serde_json::Value as Json;

use crate::support::{Emulator, Workspace};

const SECRET: &str = "https://secret-8c1f.example.com";

fn config(project: &str) -> String {
    format!(
        r#"
resource "workato_project" "{project}" {{
  name        = "State tests"
  description = "made by the tests"
}}

resource "workato_folder" "f" {{
  name      = "Inside"
  folder_id = workato_project.{project}.folder_id
}}

resource "workato_project_property" "base_url" {{
  project_id = workato_project.{project}.id
  name       = "state.base_url"
  value      = "{SECRET}"
}}

output "base_url" {{
  value     = workato_project_property.base_url.value
  sensitive = true
}}
"#
    )
}

fn applied() -> (Emulator, Workspace) {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("p"));
    ws.run(&["apply", "--auto-approve"], &emu).success();
    (emu, ws)
}

fn pull(ws: &Workspace, emu: &Emulator, extra: &[&str]) -> Json {
    let mut args = vec!["state", "pull"];
    args.extend_from_slice(extra);
    let run = ws.run(&args, emu).success();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("state pull is not JSON: {e}\n{}", run.stdout))
}

fn addresses(doc: &Json) -> Vec<String> {
    doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap().to_string())
        .collect()
}

fn folder_names(emu: &Emulator) -> Vec<String> {
    let (_, folders) = emu.api(
        "GET",
        "/api/folders?with_nested_folders=true&per_page=100",
        None,
    );
    folders
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn pull_has_terraform_like_shape() {
    let (emu, ws) = applied();
    let doc = pull(&ws, &emu, &[]);
    assert_eq!(doc["version"], 1);
    assert!(doc["serial"].as_u64().unwrap() >= 3);
    assert_eq!(doc["lineage"].as_str().unwrap().len(), 36);
    assert!(doc["workspace_id"].is_i64());
    assert_eq!(doc["encrypted_at_rest"], false);
    assert_eq!(
        addresses(&doc),
        [
            "workato_folder.f",
            "workato_project.p",
            "workato_project_property.base_url"
        ]
    );
    let prop = &doc["resources"][2];
    assert_eq!(prop["mode"], "managed");
    assert_eq!(prop["type"], "workato_project_property");
    assert_eq!(prop["name"], "base_url");
    assert!(prop["index_key"].is_null());
    assert_eq!(prop["attributes"]["value"], SECRET);
    assert_eq!(prop["sensitive_attributes"], serde_json::json!(["value"]));
    assert_eq!(
        prop["dependencies"],
        serde_json::json!(["workato_project.p"])
    );
    assert_eq!(doc["outputs"]["base_url"]["sensitive"], true);
}

#[test]
fn pull_then_push_round_trips_and_refuses_other_lineages_and_older_serials() {
    let (emu, ws) = applied();
    let saved = pull(&ws, &emu, &[]);
    let serial = saved["serial"].as_u64().unwrap();
    let file = ws.path().join("pulled.json");
    std::fs::write(&file, serde_json::to_string_pretty(&saved).unwrap()).unwrap();
    let file = file.to_str().unwrap();

    // Unchanged: nothing to write.
    ws.run(&["state", "push", file], &emu)
        .success()
        .stdout_has("matches the current state");

    // An edit of the current serial is pushed as the next serial.
    let mut edited = saved.clone();
    edited["resources"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["address"] != "workato_folder.f");
    let edited_file = ws.path().join("edited.json");
    std::fs::write(&edited_file, edited.to_string()).unwrap();
    ws.run(&["state", "push", edited_file.to_str().unwrap()], &emu)
        .success()
        .stdout_has(&format!("as serial {}", serial + 1));
    let now = pull(&ws, &emu, &[]);
    assert_eq!(now["serial"].as_u64().unwrap(), serial + 1);
    assert_eq!(
        addresses(&now),
        ["workato_project.p", "workato_project_property.base_url"]
    );

    // The saved document is now older than the state.
    ws.run(&["state", "push", file], &emu)
        .code(1)
        .stderr_has(&format!(
            "its serial {serial} is older than the current serial {}",
            serial + 1
        ))
        .stderr_has("--force");

    // Another lineage is another state.
    let mut foreign = saved.clone();
    foreign["lineage"] = "00000000-0000-4000-8000-000000000000".into();
    foreign["serial"] = 1000.into();
    let foreign_file = ws.path().join("foreign.json");
    std::fs::write(&foreign_file, foreign.to_string()).unwrap();
    ws.run(&["state", "push", foreign_file.to_str().unwrap()], &emu)
        .code(1)
        .stderr_has("lineage");
    assert_eq!(
        pull(&ws, &emu, &[])["serial"].as_u64().unwrap(),
        serial + 1,
        "a refused push wrote"
    );

    // --force restores the saved state; the round trip ends where it started.
    ws.run(&["state", "push", "--force", file], &emu).success();
    let restored = pull(&ws, &emu, &[]);
    assert_eq!(restored["serial"].as_u64().unwrap(), serial + 2);
    assert_eq!(restored["lineage"], saved["lineage"]);
    assert_eq!(restored["resources"], saved["resources"]);
    assert_eq!(restored["outputs"], saved["outputs"]);
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    ws.run(&["state", "push", "nope.json"], &emu)
        .code(1)
        .stderr_has("cannot read nope.json");
}

#[test]
fn mv_of_a_resource_then_plan_shows_no_changes() {
    let (emu, ws) = applied();
    ws.run(
        &[
            "state",
            "mv",
            "--dry-run",
            "workato_project.p",
            "workato_project.main",
        ],
        &emu,
    )
    .success()
    .stdout_has("Would move workato_project.p to workato_project.main");
    ws.run(&["state", "list"], &emu)
        .success()
        .stdout_has("workato_project.p\n");

    ws.run(
        &["state", "mv", "workato_project.p", "workato_folder.f"],
        &emu,
    )
    .code(1)
    .stderr_has("keeps its type");
    ws.run(
        &["state", "mv", "workato_folder.f", "workato_folder.f"],
        &emu,
    )
    .code(1);
    ws.run(
        &["state", "mv", "workato_project.p", "workato_project.main"],
        &emu,
    )
    .success()
    .stdout_has("Move workato_project.p to workato_project.main")
    .stdout_has("Successfully moved 1 object(s).");
    let doc = pull(&ws, &emu, &[]);
    let folder = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "workato_folder.f")
        .unwrap();
    assert_eq!(
        folder["dependencies"],
        serde_json::json!(["workato_project.main"])
    );

    ws.write("main.wf.hcl", &config("main"));
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(0)
        .stdout_has("No changes.");

    // Moving onto an address that exists is refused.
    ws.run(
        &[
            "state",
            "mv",
            "workato_project.main",
            "workato_project.main",
        ],
        &emu,
    )
    .code(1)
    .stderr_has("same address");
    ws.write(
        "main.wf.hcl",
        &format!("{}\nresource \"workato_folder\" \"h\" {{\n  name      = \"Other\"\n  folder_id = workato_project.main.folder_id\n}}\n", config("main")),
    );
    ws.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("1 added");
    ws.run(
        &["state", "mv", "workato_folder.f", "workato_folder.h"],
        &emu,
    )
    .code(1)
    .stderr_has("workato_folder.h already exists in state");
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn rm_forgets_without_deleting_and_plan_wants_to_create_again() {
    let (emu, ws) = applied();
    ws.run(&["state", "rm", "workato_folder.nope"], &emu)
        .code(1)
        .stderr_has("no instance in state matches workato_folder.nope");
    ws.run(&["state", "rm", "--dry-run", "workato_folder.f"], &emu)
        .success()
        .stdout_has("Would remove workato_folder.f");
    ws.run(&["state", "list"], &emu)
        .success()
        .stdout_has("workato_folder.f");
    ws.run(&["state", "rm", "workato_folder.f"], &emu)
        .success()
        .stdout_has("Removed workato_folder.f")
        .stdout_has("Successfully removed 1 resource instance(s).")
        .stderr_has("Nothing was deleted in the workspace");
    assert!(
        folder_names(&emu).contains(&"Inside".to_string()),
        "the folder was deleted remotely"
    );
    ws.run(&["plan", "--detailed-exitcode"], &emu)
        .code(2)
        .stdout_has("# workato_folder.f will be created")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
}

#[test]
fn show_renders_one_instance_and_hides_sensitive_values() {
    let (emu, ws) = applied();
    ws.run(&["state", "show", "workato_project_property.base_url"], &emu)
        .success()
        .stdout_has("# workato_project_property.base_url:\nresource \"workato_project_property\" \"base_url\" {")
        .stdout_has("name       = \"state.base_url\"")
        .stdout_has("value      = (sensitive value)")
        .nowhere(SECRET);
    ws.run(&["state", "show", "workato_project.p"], &emu)
        .success()
        .stdout_has("description = \"made by the tests\"");
    ws.run(&["state", "show", "workato_folder.zz"], &emu)
        .code(1)
        .stderr_has("no instance workato_folder.zz in state");
    ws.run(&["state", "show", "not an address"], &emu)
        .code(1)
        .stderr_has("invalid resource address");
}

#[test]
fn pull_serial_rebuilds_an_older_serial() {
    let (emu, ws) = applied();
    let before = pull(&ws, &emu, &[]);
    let serial = before["serial"].as_u64().unwrap();
    ws.run(&["state", "rm", "workato_folder.f"], &emu).success();
    let mut moved = config("p");
    moved = moved.replace("\"State tests\"", "\"Renamed\"");
    ws.write("main.wf.hcl", &moved);
    ws.run(&["apply", "--auto-approve"], &emu).success();

    let old = pull(&ws, &emu, &["--serial", &serial.to_string()]);
    assert_eq!(old["serial"].as_u64().unwrap(), serial);
    assert_eq!(old["resources"], before["resources"]);
    assert_eq!(old["outputs"], before["outputs"]);
    let first = pull(&ws, &emu, &["--serial", "1"]);
    assert_eq!(first["serial"], 1);
    ws.run(&["state", "pull", "--serial", "9999"], &emu)
        .code(1)
        .stderr_has("serial 9999 does not exist yet");
}

#[test]
fn sensitive_values_are_encrypted_at_rest_with_workform_state_key() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("p"));
    let key = "correct horse battery staple";
    let env = |key: Option<&'static str>| {
        let mut env = vec![
            ("WORKATO_API_TOKEN", "dev".to_string()),
            ("WORKATO_HOST", emu.url.clone()),
        ];
        if let Some(k) = key {
            env.push(("WORKFORM_STATE_KEY", k.to_string()));
        }
        env
    };
    let run = |args: &[&str], key: Option<&'static str>| {
        let env = env(key);
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        ws.run_with(args, &pairs)
    };
    run(&["apply", "--auto-approve"], Some(key)).success();
    let bytes = std::fs::read(ws.state_path()).unwrap();
    assert!(
        !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
        "the secret is in state.redb in plaintext"
    );
    assert!(
        bytes
            .windows(b"state.base_url".len())
            .any(|w| w == b"state.base_url"),
        "non-sensitive values stay readable"
    );

    let pulled = run(&["state", "pull"], Some(key)).success();
    let doc: Json = serde_json::from_str(&pulled.stdout).unwrap();
    assert_eq!(doc["encrypted_at_rest"], true);
    assert_eq!(doc["resources"][2]["attributes"]["value"], SECRET);
    assert_eq!(doc["outputs"]["base_url"]["value"], SECRET);
    run(&["plan", "--detailed-exitcode"], Some(key)).code(0);

    run(&["state", "pull"], None)
        .code(1)
        .stderr_has("encrypted at rest")
        .stderr_has("WORKFORM_STATE_KEY")
        .nowhere(SECRET);
    run(&["plan"], None)
        .code(1)
        .stderr_has("WORKFORM_STATE_KEY");
    run(&["state", "list"], Some("wrong passphrase"))
        .code(1)
        .stderr_has("WORKFORM_STATE_KEY does not open the state")
        .nowhere(SECRET);
}

#[test]
fn a_key_set_on_a_plaintext_state_seals_it_without_leaving_plaintext_behind() {
    let (emu, ws) = applied();
    let contains_secret = || {
        std::fs::read(ws.state_path())
            .unwrap()
            .windows(SECRET.len())
            .any(|w| w == SECRET.as_bytes())
    };
    assert!(contains_secret(), "without a key the state holds plaintext");
    let keyed = |args: &[&str]| {
        ws.run_with(
            args,
            &[
                ("WORKATO_API_TOKEN", "dev"),
                ("WORKATO_HOST", &emu.url),
                ("WORKFORM_STATE_KEY", "k"),
            ],
        )
    };
    let before: Json =
        serde_json::from_str(&ws.run(&["state", "pull"], &emu).success().stdout).unwrap();
    keyed(&["state", "rm", "workato_folder.f"]).success();
    assert!(
        !contains_secret(),
        "plaintext left in state.redb after the key was set"
    );
    let doc: Json = serde_json::from_str(&keyed(&["state", "pull"]).success().stdout).unwrap();
    assert_eq!(doc["encrypted_at_rest"], true);
    assert_eq!(doc["resources"][1]["attributes"]["value"], SECRET);
    // The history from before the key is sealed too, and still readable with it.
    let serial = before["serial"].to_string();
    let old: Json = serde_json::from_str(
        &keyed(&["state", "pull", "--serial", &serial])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(old["resources"], before["resources"]);
    ws.run(&["state", "list"], &emu)
        .code(1)
        .stderr_has("WORKFORM_STATE_KEY");
}

#[test]
fn force_unlock_needs_the_holders_lock_id() {
    use std::time::Duration;
    use workform::state::StateLock;

    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", &config("p"));
    ws.run(&["force-unlock", "abc", "--force"], &emu)
        .code(1)
        .stderr_has("the state is not locked");

    let held = StateLock::acquire(&ws.path().join(".workform"), "apply", Duration::ZERO).unwrap();
    let id = held.info.id.clone();
    ws.run(
        &["state", "rm", "workato_folder.f", "--lock-timeout", "0s"],
        &emu,
    )
    .code(1)
    .stderr_has("the state is locked")
    .stderr_has("running `apply`");
    ws.run(&["force-unlock", "not-the-id", "--force"], &emu)
        .code(1)
        .stderr_has("lock ID \"not-the-id\" does not match the current lock");
    // Without --force it asks; no answer means no.
    ws.run(&["force-unlock", &id], &emu)
        .code(1)
        .stdout_has("Do you really want to force-unlock?")
        .stderr_has("cancelled");
    ws.run(&["state", "list"], &emu)
        .code(1)
        .stderr_has("the state is locked");

    ws.run(&["force-unlock", &id, "--force"], &emu)
        .success()
        .stdout_has("successfully unlocked");
    ws.run(&["state", "list"], &emu).success();
    drop(held);
}

#[test]
fn workform_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (emu, ws) = applied();
    ws.run(&["state", "list"], &emu).success();
    let dir = ws.path().join(".workform");
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for entry in std::fs::read_dir(&dir).unwrap() {
        let entry = entry.unwrap();
        let mode = entry.metadata().unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "{} is mode {:o}",
            entry.path().display(),
            mode & 0o777
        );
    }
}
