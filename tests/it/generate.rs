//! `workform generate`: configuration for a hand-built workspace that, applied in a fresh
//! directory, imports everything, creates nothing and leaves an empty plan.

use serde_json::{Value as Json, json};

use crate::support::{Emulator, Workspace};

const PROJECT_SECRET: &str = "https://hooks.example.com/T0/secret-9f2c";
const ENV_SECRET: &str = "env-secret-77ab";

fn ok(emu: &Emulator, method: &str, path: &str, body: Json) -> Json {
    let (status, answer) = emu.api(method, path, Some(body));
    assert_eq!(status, 200, "{method} {path}: {answer}");
    answer
}

/// Builds a workspace by hand through the API, as a team would have before workform:
/// two projects (one with a description), nested folders with a name used twice, project
/// and environment properties. Returns the id of the "Billing" project.
fn hand_built(emu: &Emulator) -> i64 {
    let billing = ok(emu, "POST", "/api/folders", json!({"name": "Billing"}));
    let (project_id, root) = (
        billing["project_id"].as_i64().unwrap(),
        billing["id"].as_i64().unwrap(),
    );
    ok(
        emu,
        "PUT",
        &format!("/api/projects/{project_id}"),
        json!({"name": "Billing", "description": "Invoices and payments"}),
    );
    let integrations = ok(
        emu,
        "POST",
        "/api/folders",
        json!({"name": "Integrations", "parent_id": root}),
    );
    ok(
        emu,
        "POST",
        "/api/folders",
        json!({"name": "Sub folder", "parent_id": integrations["id"]}),
    );
    ok(
        emu,
        "POST",
        "/api/folders",
        json!({"name": "Reports", "parent_id": root}),
    );
    let ops = ok(emu, "POST", "/api/folders", json!({"name": "Ops"}));
    ok(
        emu,
        "POST",
        "/api/folders",
        json!({"name": "Integrations", "parent_id": ops["id"]}),
    );
    ok(
        emu,
        "POST",
        &format!("/api/properties?project_id={project_id}"),
        json!({"properties": {"billing.webhook": PROJECT_SECRET, "billing.retries": "3"}}),
    );
    ok(
        emu,
        "POST",
        "/api/properties",
        json!({"properties": {"shared.token": ENV_SECRET}}),
    );
    project_id
}

/// Requests that change the workspace, from `GET /__emulator/stats`.
fn writes(emu: &Emulator) -> Vec<String> {
    let (_, stats) = emu.request("GET", "/__emulator/stats", None, None);
    stats["by_route"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|route| !route.starts_with("GET "))
        .cloned()
        .collect()
}

fn read(ws: &Workspace, name: &str) -> String {
    std::fs::read_to_string(ws.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn generated_configuration_imports_everything_and_creates_nothing() {
    let emu = Emulator::start(&[]);
    hand_built(&emu);
    let here = Workspace::new();
    let out = Workspace::new();
    let out_dir = out.path().to_str().unwrap();

    here.run(&["generate", "--out", out_dir], &emu)
        .success()
        .stdout_has("Generated 9 resources")
        .stdout_has("billing.wf.hcl")
        .stdout_has("imports.wf.hcl")
        .stdout_has("--var-file")
        .nowhere(PROJECT_SECRET)
        .nowhere(ENV_SECRET);

    let billing = read(&out, "billing.wf.hcl");
    assert!(
        billing.contains("resource \"workato_project\" \"billing\""),
        "{billing}"
    );
    assert!(
        billing.contains("description = \"Invoices and payments\""),
        "{billing}"
    );
    assert!(
        billing.contains("folder_id = workato_project.billing.folder_id"),
        "{billing}"
    );
    assert!(
        billing.contains("folder_id = workato_folder.integrations.id"),
        "{billing}"
    );
    assert!(
        billing.contains("project_id = workato_project.billing.id"),
        "{billing}"
    );
    assert!(
        !billing.contains(PROJECT_SECRET),
        "a secret was written into the configuration"
    );
    // The second project's "Integrations" folder gets its own name and file.
    assert!(read(&out, "ops.wf.hcl").contains("resource \"workato_folder\" \"integrations_2\""));
    assert!(
        read(&out, "workspace.wf.hcl")
            .contains("resource \"workato_project_property\" \"shared_token\"")
    );
    assert_eq!(read(&out, "imports.wf.hcl").matches("import {").count(), 9);
    let vars = read(&out, "generated.wfvars");
    assert!(
        vars.contains(PROJECT_SECRET) && vars.contains(ENV_SECRET),
        "{vars}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(out.path().join("generated.wfvars"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o077,
        0,
        "generated.wfvars is readable by others: {mode:o}"
    );
    assert!(read(&out, ".gitignore").contains("generated.wfvars"));

    // The output is in canonical format and valid.
    out.run(&["fmt", "--check"], &emu).success();
    let var_file = out.path().join("generated.wfvars");
    let var_file = var_file.to_str().unwrap();
    out.run(&["validate", "--var-file", var_file], &emu)
        .success();

    emu.reset_stats();
    out.run(&["apply", "--auto-approve", "--var-file", var_file], &emu)
        .success()
        .stdout_has("9 imported, 0 added, 0 changed, 0 destroyed")
        .nowhere(PROJECT_SECRET);
    assert!(
        writes(&emu).is_empty(),
        "apply changed the workspace: {:?}",
        writes(&emu)
    );
    out.run(
        &["plan", "--detailed-exitcode", "--var-file", var_file],
        &emu,
    )
    .code(0)
    .stdout_has("No changes.");
}

const CONNECTION_SECRET: &str = "jira-token-5e1d";

/// Adds one object (or two) of every other family to the hand-built workspace, with every
/// kind of cross reference: connection parent, table relation, collection proxy, client
/// collections, key client, tag assignment, agent group.
fn every_family(emu: &Emulator, project_id: i64) {
    let (_, folders) = emu.api("GET", "/api/folders?with_nested_folders=true", None);
    let integrations = folders
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Integrations")
        .unwrap()["id"]
        .clone();
    let jira = ok(
        emu,
        "POST",
        "/api/connections",
        json!({"name": "Jira", "provider": "jira", "folder_id": integrations, "input": {"apitoken": CONNECTION_SECRET}}),
    );
    ok(
        emu,
        "POST",
        "/api/connections",
        json!({"name": "Jira (child)", "provider": "jira", "folder_id": integrations, "parent_id": jira["id"]}),
    );
    let customers = ok(
        emu,
        "POST",
        "/api/data_tables",
        json!({"name": "customers", "folder_id": integrations, "schema": [{"name": "email", "type": "string", "optional": false}]}),
    );
    let (table, field) = (
        customers["data"]["id"].clone(),
        customers["data"]["schema"][0]["field_id"].clone(),
    );
    ok(
        emu,
        "POST",
        "/api/data_tables",
        json!({"name": "invoices", "folder_id": integrations, "schema": [
            {"name": "number", "type": "string", "optional": false, "hint": "INV-…"},
            {"name": "customer", "type": "relation", "optional": true, "relation": {"table_id": table, "field_id": field}},
        ]}),
    );
    let collection = ok(
        emu,
        "POST",
        "/api/api_collections",
        json!({"name": "Billing API", "project_id": project_id.to_string(), "proxy_connection_id": jira["id"]}),
    );
    ok(
        emu,
        "POST",
        &format!("/api/api_collections/{}/api_endpoints", collection["id"]),
        json!({"name": "List invoices", "method": "GET", "path": "/invoices"}),
    );
    let client = ok(
        emu,
        "POST",
        "/api/v2/api_clients",
        json!({"name": "Partner portal", "auth_type": "token", "project_id": project_id, "api_collection_ids": [collection["id"]]}),
    );
    ok(
        emu,
        "POST",
        &format!("/api/v2/api_clients/{}/api_keys", client["data"]["id"]),
        json!({"name": "partner-prod", "active": true}),
    );
    let tag = ok(
        emu,
        "POST",
        "/api/tags",
        json!({"title": "Billing", "color": "green"}),
    );
    let handle = tag
        .get("handle")
        .or_else(|| tag["data"].get("handle"))
        .cloned()
        .unwrap();
    ok(
        emu,
        "POST",
        "/api/tags_assignments",
        json!({"add_tags": [handle], "connection_ids": [jira["id"]]}),
    );
    let group = ok(
        emu,
        "POST",
        "/api/on_prem_groups",
        json!({"name": "DC1 agents"}),
    );
    ok(
        emu,
        "POST",
        "/api/on_prem_agents",
        json!({"name": "agent-1", "os": "linux", "on_prem_group_id": group["id"]}),
    );
}

#[test]
fn every_family_is_generated_with_references_and_imports_cleanly() {
    let emu = Emulator::start(&[]);
    let project_id = hand_built(&emu);
    every_family(&emu, project_id);
    let out = Workspace::new();
    Workspace::new()
        .run(&["generate", "--out", out.path().to_str().unwrap()], &emu)
        .success()
        .stdout_has("workato_connection.jira, workato_connection.jira_child")
        .nowhere(CONNECTION_SECRET)
        .nowhere(PROJECT_SECRET);
    let billing = read(&out, "billing.wf.hcl");
    let workspace = read(&out, "workspace.wf.hcl");
    for expected in [
        "parent_id      = workato_connection.jira.id",
        "# input is write-only",
        "table_id = workato_data_table.customers.id",
        "field_id = workato_data_table.customers.field_ids[\"email\"]",
        "proxy_connection_id = workato_connection.jira.id",
        "api_collection_ids = [workato_api_collection.billing_api.id]",
        "api_client_id = workato_api_client.partner_portal.id",
        "resource \"workato_api_endpoint\" \"list_invoices\"",
        "api_collection_id = workato_api_collection.billing_api.id",
    ] {
        assert!(billing.contains(expected), "{expected}\n{billing}");
    }
    for expected in [
        "tag_handle     = workato_tag.billing.id",
        "connection_ids = [workato_connection.jira.id]",
        "on_prem_group_id = workato_on_prem_group.dc1_agents.id",
    ] {
        assert!(workspace.contains(expected), "{expected}\n{workspace}");
    }
    assert!(!billing.contains(CONNECTION_SECRET));

    let var_file = out.path().join("generated.wfvars");
    let var_file = var_file.to_str().unwrap();
    emu.reset_stats();
    out.run(&["apply", "--auto-approve", "--var-file", var_file], &emu)
        .success()
        .stdout_has(" imported, 0 added, 0 changed, 0 destroyed");
    assert!(
        writes(&emu).is_empty(),
        "apply changed the workspace: {:?}",
        writes(&emu)
    );
    out.run(
        &["plan", "--detailed-exitcode", "--var-file", var_file],
        &emu,
    )
    .code(0)
    .stdout_has("No changes.");
}

#[test]
fn a_folder_subtree_is_generated_alone_and_imports_cleanly() {
    let emu = Emulator::start(&[]);
    hand_built(&emu);
    let out = Workspace::new();
    Workspace::new()
        .run(
            &[
                "generate",
                "--out",
                out.path().to_str().unwrap(),
                "--folder",
                "Billing/Integrations",
            ],
            &emu,
        )
        .success()
        .stdout_has("Generated 2 resources");
    let billing = read(&out, "billing.wf.hcl");
    assert!(!billing.contains("workato_project\""), "{billing}");
    assert!(
        billing.contains("is outside --folder"),
        "the parent stays a literal id, with a comment:\n{billing}"
    );
    assert!(
        !out.path().join("generated.wfvars").exists(),
        "no properties in a folder subtree"
    );

    emu.reset_stats();
    out.run(&["apply", "--auto-approve"], &emu)
        .success()
        .stdout_has("2 imported, 0 added");
    assert!(
        writes(&emu).is_empty(),
        "apply changed the workspace: {:?}",
        writes(&emu)
    );
    out.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn the_sandbox_round_trip_works_in_the_output_directory() {
    let built = Workspace::new().file(
        "main.wf.hcl",
        "resource \"workato_project\" \"p\" {\n  name = \"Sandboxed\"\n}\n\nresource \"workato_folder\" \"f\" {\n  name      = \"Inside\"\n  folder_id = workato_project.p.folder_id\n}\n",
    );
    built
        .run_with(&["--sandbox", "apply", "--auto-approve"], &[])
        .success();
    let out = Workspace::new();
    built
        .run_with(
            &[
                "--sandbox",
                "generate",
                "--out",
                out.path().to_str().unwrap(),
            ],
            &[],
        )
        .success()
        .stdout_has("--sandbox -C");
    out.run_with(&["--sandbox", "apply", "--auto-approve"], &[])
        .success()
        .stdout_has("2 imported, 0 added");
    out.run_with(&["--sandbox", "plan", "--detailed-exitcode"], &[])
        .code(0);
}

#[test]
fn an_output_directory_with_configuration_is_refused() {
    let emu = Emulator::start(&[]);
    hand_built(&emu);
    let out = Workspace::new().file("main.wf.hcl", "# mine\n");
    Workspace::new()
        .run(&["generate", "--out", out.path().to_str().unwrap()], &emu)
        .code(1)
        .stderr_has("already holds configuration (main.wf.hcl)");
    assert_eq!(read(&out, "main.wf.hcl"), "# mine\n");
    assert!(!out.path().join("imports.wf.hcl").exists());
}

#[test]
fn an_unknown_folder_path_names_what_exists() {
    let emu = Emulator::start(&[]);
    hand_built(&emu);
    let out = Workspace::new();
    let dir = out.path().join("new");
    Workspace::new()
        .run(
            &[
                "generate",
                "--out",
                dir.to_str().unwrap(),
                "--folder",
                "Billing/Nope",
            ],
            &emu,
        )
        .code(1)
        .stderr_has("\"Billing\" has no folder named \"Nope\"")
        .stderr_has("\"Integrations\"");
    assert!(!dir.exists(), "nothing is written when the path is wrong");
}

#[test]
fn an_empty_workspace_writes_nothing() {
    let emu = Emulator::start(&[]);
    let out = Workspace::new();
    let dir = out.path().join("new");
    Workspace::new()
        .run(&["generate", "--out", dir.to_str().unwrap()], &emu)
        .success()
        .stdout_has("nothing was written");
    assert!(!dir.exists());
}

#[test]
fn a_token_that_cannot_list_some_types_generates_what_it_can_see() {
    let emu = Emulator::start(&[
        "--token",
        "dev=all",
        "--token",
        "partial=Workspace Details: Get details, List projects, List folders",
    ]);
    hand_built(&emu);
    let env = [
        ("WORKATO_API_TOKEN", "partial"),
        ("WORKATO_HOST", emu.url.as_str()),
    ];
    let out = Workspace::new();
    Workspace::new()
        .run_with(&["generate", "--out", out.path().to_str().unwrap()], &env)
        .success()
        .stderr_has("the API token may not list 11 resource types")
        .stderr_has("  - workato_project_property: Access forbidden: the API client lacks \"Environment Properties → List\" (GET /api/properties)")
        .stdout_has("Generated 6 resources")
        .nowhere(PROJECT_SECRET);
    assert!(!out.path().join("generated.wfvars").exists());
    out.run_with(&["apply", "--auto-approve"], &env)
        .success()
        .stdout_has("6 imported, 0 added");
    out.run_with(&["plan", "--detailed-exitcode"], &env).code(0);
}
