//! Bad input: clear errors naming file, line and column; never a panic.

use crate::support::Workspace;

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "resource \"workato_project\" \"p\" {\n  name = \n}\n",
    );
    let run = ws.run_with(&["validate"], &[]).code(1);
    assert!(run.stderr.contains("main.wf.hcl:2:"), "{}", run.stderr);
}

#[test]
fn a_reference_cycle_names_every_member() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
resource "workato_folder" "a" {
  name      = "a"
  folder_id = workato_folder.c.id
}
resource "workato_folder" "b" {
  name      = "b"
  folder_id = workato_folder.a.id
}
resource "workato_folder" "c" {
  name      = "c"
  folder_id = workato_folder.b.id
}
"#,
    );
    ws.run_with(&["validate"], &[])
        .code(1)
        .stderr_has("Cycle")
        .stderr_has("workato_folder.a")
        .stderr_has("workato_folder.b")
        .stderr_has("workato_folder.c");
}

#[test]
fn several_errors_are_reported_at_once() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
resource "workato_project" "p" {
  nmae = "typo"
}
resource "workato_folder" "f" {
  name      = "f"
  folder_id = var.missing
}
"#,
    );
    let run = ws.run_with(&["validate"], &[]).code(1);
    assert!(
        run.stderr.contains("var.missing") || run.stderr.contains("\"missing\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("main.wf.hcl:"), "{}", run.stderr);
}

#[test]
fn unknown_arguments_and_missing_required_ones_are_reported() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "resource \"workato_project\" \"p\" {\n  nmae = \"typo\"\n}\n",
    );
    ws.run_with(&["validate"], &[])
        .code(1)
        .stderr_has("Unsupported argument")
        .stderr_has("\"nmae\"")
        .stderr_has("main.wf.hcl:2:3")
        .stderr_has("\"name\" is required");
}

#[test]
fn a_valid_configuration_validates_without_network() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
variable "env" {
  type = string
}
resource "workato_project" "p" {
  name = "Billing ${var.env}"
}
"#,
    );
    ws.run_with(&["validate"], &[])
        .success()
        .stdout_has("valid");
}

#[test]
fn missing_credentials_point_at_the_sandbox() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "resource \"workato_project\" \"p\" {\n  name = \"x\"\n}\n",
    );
    ws.run_with(&["plan"], &[])
        .code(1)
        .stderr_has("WORKATO_API_TOKEN")
        .stderr_has("--sandbox");
}

#[test]
fn plain_http_is_refused_for_remote_hosts() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        "resource \"workato_project\" \"p\" {\n  name = \"x\"\n}\n",
    );
    ws.run_with(
        &["plan"],
        &[
            ("WORKATO_API_TOKEN", "t"),
            ("WORKATO_HOST", "http://example.com"),
        ],
    )
    .code(1)
    .stderr_has("https");
}

#[test]
fn validate_accepts_for_each_and_count_over_variables_without_values() {
    let ws = Workspace::new().file(
        "main.wf.hcl",
        r#"
variable "names" {
  type = set(string)
}
variable "copies" {
  type = number
}
resource "workato_project" "p" {
  for_each = var.names
  name     = each.key
}
resource "workato_project" "q" {
  count = var.copies
  name  = "copy ${count.index}"
}
"#,
    );
    ws.run_with(&["validate"], &[]).success();
}
