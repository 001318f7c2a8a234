//! `workform permissions [--check]` and the permission preflight of plan and apply.

use crate::support::{Emulator, Workspace};

/// Projects, folders, a data table, the API platform, a property and two data sources.
const PLATFORM: &str = r#"
data "workato_workspace" "ws" {}

resource "workato_project" "p" {
  name = "Permissions"
}

resource "workato_folder" "f" {
  name      = "Tables"
  folder_id = workato_project.p.folder_id
}

resource "workato_data_table" "t" {
  name      = "Customers"
  folder_id = workato_folder.f.id
  column {
    name = "email"
    type = "string"
  }
}

resource "workato_api_collection" "c" {
  name       = "Orders API"
  project_id = workato_project.p.id
}

resource "workato_api_client" "partner" {
  name      = "Partner"
  auth_type = "token"
}

resource "workato_project_property" "url" {
  project_id = workato_project.p.id
  name       = "perm.url"
  value      = "https://example.com"
}
"#;

const PROJECT_AND_PROPERTY: &str = r#"
resource "workato_project" "p" {
  name = "Preflight"
}

resource "workato_project_property" "url" {
  project_id = workato_project.p.id
  name       = "preflight.url"
  value      = "https://example.com"
}
"#;

#[test]
fn permissions_lists_what_the_configuration_needs_grouped_like_the_table() {
    let emu = Emulator::start(&[]);
    let ws = Workspace::new().file("main.wf.hcl", PLATFORM);
    // No credentials needed to list.
    let run = ws.run_with(&["permissions"], &[]).success();
    for wanted in [
        "Create a data table",
        "Create project or folder",
        "Create client",
        "Get details",
        "List data tables",
        "Upsert",
        "Delete client",
    ] {
        assert!(
            run.stdout.contains(wanted),
            "{wanted} missing:\n{}",
            run.stdout
        );
    }
    // category → group → permission → METHOD path → phases
    let out = &run.stdout;
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing:\n{out}"))
    };
    assert!(at("\nWorkspace Data\n") < at("\n  Data Tables\n"));
    assert!(at("\n  Data Tables\n") < at("Create a data table"));
    assert!(at("\nAPI Platform\n") < at("\n  Clients & Access Profiles\n"));
    let line = out
        .lines()
        .find(|l| l.contains("Create a data table"))
        .unwrap();
    assert!(
        line.contains("POST") && line.contains("/api/data_tables") && line.contains("apply"),
        "{line}"
    );
    assert!(
        !line.contains("plan"),
        "a create is not needed by plan: {line}"
    );
    let line = out
        .lines()
        .find(|l| l.contains("List data tables"))
        .unwrap();
    assert!(line.contains("plan, apply, destroy"), "{line}");
    let line = out
        .lines()
        .find(|l| l.contains("Delete a data table"))
        .unwrap();
    assert!(line.contains("apply, destroy"), "{line}");
    // Nothing the configuration does not use.
    assert!(!out.contains("On-Prem"), "{out}");
    assert!(!out.contains("Tags"), "{out}");
    drop(emu);
}

#[test]
fn check_reports_missing_reads_and_which_writes_cannot_be_checked() {
    let emu = Emulator::start(&["--token", "dev=all", "--token", "ro=read-only"]);
    let ws = Workspace::new().file("main.wf.hcl", PLATFORM);
    ws.run(&["permissions", "--check"], &emu)
        .success()
        .stdout_has("0 missing")
        .stdout_has("cannot be checked without writing");
    let run = ws
        .run_with(
            &["permissions", "--check"],
            &[("WORKATO_API_TOKEN", "ro"), ("WORKATO_HOST", &emu.url)],
        )
        .code(1)
        .stderr_has("lacks");
    let line = |needle: &str| {
        run.stdout
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("List data tables").ends_with("granted"),
        "{}",
        run.stdout
    );
    assert!(
        line("List collections").ends_with("MISSING"),
        "{}",
        run.stdout
    );
    assert!(
        line("Create a data table").ends_with("cannot be checked without writing"),
        "{}",
        run.stdout
    );
    ws.run_with(
        &["permissions", "--check"],
        &[
            ("WORKATO_API_TOKEN", "bad-31f2"),
            ("WORKATO_HOST", &emu.url),
        ],
    )
    .code(1)
    .stderr_has("Authentication failed")
    .nowhere("bad-31f2");
}

#[test]
fn plan_and_apply_stop_before_any_write_listing_every_missing_read() {
    let emu = Emulator::start(&[
        "--token",
        "dev=all",
        "--token",
        "partial=Workspace Details: Get details, List projects, List folders, Create project or folder",
    ]);
    let ws = Workspace::new().file("main.wf.hcl", PROJECT_AND_PROPERTY);
    let env = [
        ("WORKATO_API_TOKEN", "partial"),
        ("WORKATO_HOST", emu.url.as_str()),
    ];
    emu.reset_stats();
    ws.run_with(&["apply", "--auto-approve"], &env)
        .code(1)
        .stderr_has("lacks 1 permission")
        .stderr_has("Workspace Data → Environment Properties → List (GET /api/properties)")
        .stderr_has("Upsert (POST /api/properties)")
        .stderr_has("Workspace Admin → API clients")
        .stderr_has("nothing was changed");
    assert!(
        emu.project_names().is_empty(),
        "a write happened before the preflight stopped"
    );
    ws.run_with(&["plan"], &env)
        .code(1)
        .stderr_has("Environment Properties → List");
    // With every permission, the preflight is silent.
    ws.run(&["apply", "--auto-approve"], &emu).success();
    ws.run(&["plan", "--detailed-exitcode"], &emu).code(0);
}

#[test]
fn the_bootstrap_example_needs_the_acceptance_permissions() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bootstrap"));
    let ws = Workspace::new();
    for entry in std::fs::read_dir(dir).expect("examples/bootstrap exists") {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".wf.hcl") {
            ws.write(
                &path.file_name().unwrap().to_string_lossy(),
                &std::fs::read_to_string(&path).unwrap(),
            );
        }
    }
    let run = ws.run_with(&["permissions"], &[]).success();
    for wanted in [
        "Create a data table",
        "Create project or folder",
        "Create client",
        "Get details",
    ] {
        assert!(
            run.stdout.contains(wanted),
            "{wanted} missing:\n{}",
            run.stdout
        );
    }
}
