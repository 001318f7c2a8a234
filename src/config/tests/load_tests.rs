use super::*;
use crate::addr::{InstanceKey, Mode};

fn load(text: &str) -> Result<Config, Diagnostics> {
    load_files(Path::new("."), vec![("main.wf.hcl".into(), text.into())])
}

fn load_ok(text: &str) -> Config {
    match load(text) {
        Ok(c) => c,
        Err(d) => panic!(
            "{:#?}",
            d.0.iter().map(|d| d.to_string()).collect::<Vec<_>>()
        ),
    }
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match load(text) {
        Ok(_) => panic!("expected errors"),
        Err(d) => d.0,
    }
}

fn summaries(text: &str) -> Vec<String> {
    errors(text)
        .iter()
        .map(|d| d.summary().to_string())
        .collect()
}

const FULL: &str = r#"
workform {
  backend "local" {}
}

workato {
  region = "eu"
  token  = var.token
}

variable "env" {
  type        = string
  default     = "staging"
  description = "Target environment"
  validation {
    condition     = contains(["staging", "prod"], var.env)
    error_message = "env must be staging or prod"
  }
}

variable "token" {
  type      = string
  sensitive = true
  nullable  = false
}

locals {
  prefix = "billing-${var.env}"
}

locals {
  other = local.prefix
}

resource "workato_project" "billing" {
  name = "Billing (${var.env})"
}

resource "workato_folder" "integrations" {
  count      = 2
  name       = "Integrations ${count.index}"
  folder_id  = workato_project.billing.folder_id
  depends_on = [workato_project.billing, data.workato_folder.shared]
  lifecycle {
    prevent_destroy       = true
    create_before_destroy = false
    ignore_changes        = [name, tags["k"]]
  }
}

resource "workato_project_property" "props" {
  for_each   = { a = "1" }
  project_id = workato_project.billing.id
  name       = "${local.prefix}.${each.key}"
  value      = each.value
  lifecycle {
    ignore_changes = all
  }
}

data "workato_folder" "shared" {
  path = "Shared/Common"
}

output "project_id" {
  value       = workato_project.billing.id
  description = "The project"
  sensitive   = true
  depends_on  = [workato_folder.integrations]
}

import {
  to = workato_project_property.props["a"]
  id = "123:a"
}

import {
  to = workato_project.billing
  id = "42"
}

moved {
  from = workato_folder.old
  to   = workato_folder.integrations[0]
}

removed {
  from = workato_folder.legacy
  lifecycle {
    destroy = false
  }
}
"#;

#[test]
fn every_block_kind_decodes() {
    let c = load_ok(FULL);
    assert!(c.workform.as_ref().unwrap().blocks[0].type_name == "backend");
    assert_eq!(
        c.workato
            .as_ref()
            .unwrap()
            .attribute("region")
            .unwrap()
            .expr
            .as_static_string()
            .as_deref(),
        Some("eu")
    );

    let env = c.variable("env").unwrap();
    assert_eq!(env.type_constraint, Some(Type::String));
    assert_eq!(env.description.as_deref(), Some("Target environment"));
    assert_eq!(env.validations.len(), 1);
    assert_eq!(
        env.default.as_ref().unwrap().as_static_string().as_deref(),
        Some("staging")
    );
    assert_eq!(c.sources.location(env.span), "main.wf.hcl:11:1");
    let token = c.variable("token").unwrap();
    assert!(token.sensitive && !token.nullable);

    assert_eq!(
        c.locals.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["prefix", "other"]
    );

    assert_eq!(c.resources.len(), 4);
    let folder = c
        .resource(&ResourceAddr::managed("workato_folder", "integrations"))
        .unwrap();
    assert!(folder.count.is_some() && folder.for_each.is_none());
    assert_eq!(
        folder
            .depends_on
            .iter()
            .map(|(a, _)| a.to_string())
            .collect::<Vec<_>>(),
        ["workato_project.billing", "data.workato_folder.shared"]
    );
    assert!(folder.lifecycle.prevent_destroy);
    assert!(!folder.lifecycle.create_before_destroy);
    match &folder.lifecycle.ignore_changes {
        IgnoreChanges::Attrs(a) => {
            assert_eq!(
                a.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
                ["name", "tags[\"k\"]"]
            )
        }
        other => panic!("{other:?}"),
    }
    // Meta-arguments are removed from the body.
    let names: Vec<&str> = folder
        .body
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["name", "folder_id"]);
    assert!(folder.body.blocks.is_empty());
    assert_eq!(c.sources.location(folder.span), "main.wf.hcl:39:1");

    let props = c
        .resource(&ResourceAddr::managed("workato_project_property", "props"))
        .unwrap();
    assert!(props.for_each.is_some());
    assert_eq!(props.lifecycle.ignore_changes, IgnoreChanges::All);
    let data = c
        .resource(&ResourceAddr::data("workato_folder", "shared"))
        .unwrap();
    assert_eq!(data.addr.mode, Mode::Data);

    let out = c.output("project_id").unwrap();
    assert!(out.sensitive);
    assert_eq!(out.description.as_deref(), Some("The project"));
    assert_eq!(
        out.depends_on[0].0,
        ResourceAddr::managed("workato_folder", "integrations")
    );

    assert_eq!(c.imports.len(), 2);
    assert_eq!(
        c.imports[0].to.0,
        ResourceAddr::managed("workato_project_property", "props")
    );
    assert_eq!(
        c.imports[0]
            .to
            .1
            .as_ref()
            .unwrap()
            .as_static_string()
            .as_deref(),
        Some("a")
    );
    assert!(c.imports[1].to.1.is_none());
    assert_eq!(c.imports[1].id.as_static_string().as_deref(), Some("42"));

    assert_eq!(
        c.moved[0].from,
        (ResourceAddr::managed("workato_folder", "old"), None)
    );
    assert_eq!(
        c.moved[0].to,
        (
            ResourceAddr::managed("workato_folder", "integrations"),
            Some(InstanceKey::Int(0))
        )
    );
    assert_eq!(
        c.removed[0].from,
        ResourceAddr::managed("workato_folder", "legacy")
    );
    assert!(!c.removed[0].destroy);

    // References for the graph.
    let refs = folder
        .body
        .attribute("folder_id")
        .unwrap()
        .expr
        .references();
    assert_eq!(
        refs[0].subject,
        Subject::Resource(ResourceAddr::managed("workato_project", "billing"))
    );
    assert_eq!(c.sources.location(refs[0].span), "main.wf.hcl:42:16");
}

#[test]
fn load_dir_reads_only_wf_hcl_files_sorted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.wf.hcl"), "locals { b = 2 }\n").unwrap();
    std::fs::write(dir.path().join("a.wf.hcl"), "locals { a = 1 }\n").unwrap();
    std::fs::write(dir.path().join("notes.hcl"), "this is not parsed {{{").unwrap();
    std::fs::create_dir(dir.path().join("sub.wf.hcl")).unwrap();
    let c = load_dir(dir.path()).unwrap();
    assert_eq!(
        c.sources.files().map(|(_, n, _)| n).collect::<Vec<_>>(),
        ["a.wf.hcl", "b.wf.hcl"]
    );
    assert_eq!(
        c.locals.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );

    let empty = tempfile::tempdir().unwrap();
    let err = load_dir(empty.path()).unwrap_err();
    assert_eq!(err.0[0].summary(), "No configuration files");
    assert!(
        err.to_string()
            .contains(&empty.path().display().to_string())
    );
}

#[test]
fn syntax_errors_have_the_right_location_and_all_files_are_parsed() {
    let files = vec![
        (
            "a.wf.hcl".to_string(),
            "locals {\n  x = 1\n}\n\nresource \"workato_folder\" \"x\" {\n  name =\n}\n"
                .to_string(),
        ),
        ("b.wf.hcl".to_string(), "locals {\n  y = [1,\n".to_string()),
        ("c.wf.hcl".to_string(), "bogus \"x\" {}\n".to_string()),
    ];
    let err = load_files(Path::new("."), files).unwrap_err();
    let locs: Vec<String> = err.0.iter().filter_map(|d| d.location()).collect();
    assert_eq!(err.0[0].summary(), "Invalid HCL syntax");
    assert_eq!(locs[0], "a.wf.hcl:6:9");
    assert!(locs[1].starts_with("b.wf.hcl:"), "{locs:?}");
    assert_eq!(err.0[2].summary(), "Unsupported block type");
    assert_eq!(locs[2], "c.wf.hcl:1:1");
    assert_eq!(err.to_string(), "3 errors");

    // The graphical rendering shows the line and names the location.
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, &err.0[0])
        .unwrap();
    assert!(out.contains("a.wf.hcl:6:9"), "{out}");
    assert!(out.contains("name ="), "{out}");
}

#[test]
fn duplicates_name_both_locations() {
    let text = r#"
variable "a" {}
variable "a" {}
locals { x = 1 }
locals { x = 2 }
resource "workato_folder" "f" { name = "a" }
resource "workato_folder" "f" { name = "b" }
data "workato_folder" "f" { path = "x" }
output "o" { value = 1 }
output "o" { value = 2 }
"#;
    let errs = errors(text);
    let got: Vec<(&str, String)> = errs
        .iter()
        .map(|d| (d.summary(), d.location().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Duplicate variable declaration",
                "main.wf.hcl:3:1".to_string()
            ),
            (
                "Duplicate local value definition",
                "main.wf.hcl:5:10".to_string()
            ),
            (
                "Duplicate resource configuration",
                "main.wf.hcl:7:1".to_string()
            ),
            (
                "Duplicate output definition",
                "main.wf.hcl:10:1".to_string()
            ),
        ]
    );
    assert!(
        errs[0]
            .detail()
            .unwrap()
            .contains("already declared at main.wf.hcl:2:1")
    );
    assert!(
        errs[2]
            .detail()
            .unwrap()
            .contains("already declared at main.wf.hcl:6:1")
    );
}

#[test]
fn block_shape_errors() {
    assert_eq!(
        summaries("resource \"workato_folder\" {}"),
        ["Missing name for resource"]
    );
    assert_eq!(
        summaries("variable \"a\" \"b\" {}"),
        ["Extraneous label for variable"]
    );
    assert_eq!(
        summaries("resource \"aws_s3_bucket\" \"b\" {}"),
        ["Invalid resource type"]
    );
    assert_eq!(summaries("x = 1"), ["Unsupported argument"]);
    let errs = errors("resorce \"workato_folder\" \"x\" {}");
    assert_eq!(errs[0].summary(), "Unsupported block type");
    assert!(
        errs[0]
            .detail()
            .unwrap()
            .contains("Valid block types are: workform, workato, variable")
    );
    assert_eq!(errs[0].help_text(), Some("Did you mean \"resource\"?"));
    assert_eq!(
        summaries("variable \"a\" { foo = 1 }"),
        ["Unsupported argument"]
    );
    assert_eq!(
        summaries("variable \"count\" {}"),
        ["Invalid variable name"]
    );
    assert_eq!(summaries("output \"o\" {}"), ["Missing required argument"]);
    assert_eq!(
        summaries("workato {}\nworkato {}"),
        ["Duplicate workato block"]
    );
    let errs = errors("locals {\n a = 1\n a = 2\n}");
    assert_eq!(errs[0].summary(), "Invalid HCL syntax");
    assert!(errs[0].detail().unwrap().contains("redefined attribute"));
    assert_eq!(errs[0].location().as_deref(), Some("main.wf.hcl:3:2"));
}

#[test]
fn meta_argument_errors() {
    let text = r#"
variable "n" { default = 1 }
resource "workato_folder" "a" {
  count    = 1
  for_each = {}
  name     = "x"
}
resource "workato_folder" "b" {
  provider = workato.other
  lifecycle {
    prevent_destroy = var.n
    ignore_changes  = [upper(name)]
  }
}
resource "workato_folder" "c" {
  depends_on = [workato_folder.a.id, var.n]
  lifecycle {
    replace_triggered_by = []
  }
}
resource "workato_folder" "d" {
  lifecycle {
    create_before_destroy = "yes"
    ignore_changes = [var.n]
  }
}
"#;
    assert_eq!(
        summaries(text),
        [
            "Invalid combination of \"count\" and \"for_each\"",
            "Unsupported argument",
            "Variables not allowed",
            "Invalid ignore_changes",
            "Invalid depends_on reference",
            "Invalid depends_on reference",
            "Unsupported argument",
            "Invalid value",
            "Variables not allowed",
        ]
    );
    let errs = errors(text);
    assert_eq!(errs[2].detail(), Some("Variables may not be used here."));
    assert_eq!(errs[2].location().as_deref(), Some("main.wf.hcl:11:23"));
}

#[test]
fn reference_checks_at_load_time() {
    let text = r#"
variable "v" {
  default = "x"
  validation {
    condition     = local.l == "x"
    error_message = "bad"
  }
}
locals {
  l = var.nope
  m = local.missing
  n = workato_folder.none.id
  o = each.key
  p = foo.bar
  q = workato_folder
  r = uppr("x")
}
resource "workato_folder" "self" {
  name = workato_folder.self.name
  idx  = count.index
}
output "o" {
  value      = data.workato_folder.nope.id
  depends_on = [workato_folder.ghost]
}
import {
  to = workato_folder.ghost
  id = "1"
}
"#;
    let got: Vec<(String, String)> = errors(text)
        .iter()
        .map(|d| (d.summary().to_string(), d.location().unwrap_or_default()))
        .collect();
    let want = [
        ("Invalid reference", "main.wf.hcl:5:21"),
        ("Reference to undeclared input variable", "main.wf.hcl:10:7"),
        ("Reference to undeclared local value", "main.wf.hcl:11:7"),
        ("Reference to undeclared resource", "main.wf.hcl:12:7"),
        (
            "Reference to \"each\" in context without for_each",
            "main.wf.hcl:13:7",
        ),
        ("Unknown reference", "main.wf.hcl:14:7"),
        ("Invalid reference", "main.wf.hcl:15:7"),
        ("Call to unknown function", "main.wf.hcl:16:7"),
        ("Self-referential block", "main.wf.hcl:19:10"),
        (
            "Reference to \"count\" in non-counted context",
            "main.wf.hcl:20:10",
        ),
        ("Reference to undeclared resource", "main.wf.hcl:23:16"),
        ("Reference to undeclared resource", "main.wf.hcl:24:17"),
        ("Import block target does not exist", "main.wf.hcl:27:8"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn dynamic_block_iterators_are_not_unknown_references() {
    let c = load_ok(
        r#"
variable "cols" { default = ["a", "b"] }
resource "workato_data_table" "t" {
  name = "t"
  dynamic "column" {
    for_each = var.cols
    content {
      name = column.value
    }
  }
  dynamic "column" {
    for_each = var.cols
    iterator = c
    content {
      name = c.value
    }
  }
}
"#,
    );
    assert_eq!(c.resources[0].body.blocks.len(), 2);
}

#[test]
fn variable_defaults_are_checked_against_their_type() {
    let errs = errors("variable \"n\" {\n  type = number\n  default = \"abc\"\n}\n");
    assert_eq!(errs[0].summary(), "Invalid default value for variable");
    assert_eq!(errs[0].location().as_deref(), Some("main.wf.hcl:3:13"));
    let errs = errors("variable \"n\" {\n  type = lst(string)\n}\n");
    assert_eq!(errs[0].summary(), "Invalid type specification");
    assert_eq!(
        summaries("variable \"n\" { default = var.x }"),
        ["Variables not allowed"]
    );
}

#[test]
fn moved_and_removed_errors() {
    assert_eq!(
        summaries("moved {\n from = workato_folder.a\n to = workato_project.b\n}"),
        ["Resource type mismatch"]
    );
    assert_eq!(
        summaries("moved {\n from = workato_folder.a\n}"),
        ["Missing required argument"]
    );
    assert_eq!(
        summaries("moved {\n from = workato_folder.a[var.x]\n to = workato_folder.b\n}"),
        ["Invalid \"moved\" address"]
    );
    assert_eq!(
        summaries("removed {\n from = workato_folder.a[0]\n}"),
        ["Resource instance keys not allowed"]
    );
    let c = load_ok(
        "moved {\n from = workato_folder.a[\"x\"]\n to = workato_folder.b.1\n}\nremoved { from = workato_folder.z }",
    );
    assert_eq!(c.moved[0].from.1, Some(InstanceKey::Str("x".into())));
    assert_eq!(c.moved[0].to.1, Some(InstanceKey::Int(1)));
    assert!(c.removed[0].destroy);
}

#[test]
fn expressions_of_a_loaded_config_evaluate() {
    let c = load_ok(FULL);
    let vars = BTreeMap::from([
        ("env".to_string(), s("prod")),
        ("token".to_string(), s("t").mark_sensitive()),
    ]);
    let locals = BTreeMap::new();
    let resources = BTreeMap::new();
    let scope = Scope {
        vars: &vars,
        locals: &locals,
        resources: &resources,
        ..Scope::new(&c.dir)
    };
    assert_eq!(eval(&c.locals[0].expr, &scope).unwrap(), s("billing-prod"));
    let token = &c.workato.as_ref().unwrap().attribute("token").unwrap().expr;
    assert_eq!(eval(token, &scope).unwrap(), s("t").mark_sensitive());
}

#[test]
fn static_checks_cover_functions_and_defaults() {
    let errs = errors("locals {\n  id = uuid()\n}\nvariable \"v\" {\n  default = [1][5]\n}\n");
    let got: Vec<(&str, String)> = errs
        .iter()
        .map(|d| (d.summary(), d.location().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("Invalid index", "main.wf.hcl:5:16".to_string()),
            ("Function not available", "main.wf.hcl:2:8".to_string()),
        ]
    );
}

#[test]
fn references_inside_heredocs_and_object_keys_have_exact_spans() {
    let c = load_ok(
        "variable \"k\" {}\nlocals {\n  doc = <<-EOT\n    key: ${var.k}\n    EOT\n  m = { (var.k) = 1 }\n}\n",
    );
    let doc = &c.local("doc").unwrap().expr;
    let r = doc.references();
    assert_eq!(r.len(), 1);
    assert_eq!(c.sources.location(r[0].span), "main.wf.hcl:4:12");
    let m = &c.local("m").unwrap().expr;
    assert_eq!(
        c.sources.location(m.references()[0].span),
        "main.wf.hcl:6:10"
    );
}

#[test]
fn diagnostics_without_detail_show_their_label() {
    let (sources, file) = Sources::single("main.wf.hcl", "a = 1\n");
    let d = Diagnostic::error("Invalid count argument").at(
        &sources,
        Span::new(file, 4..5),
        "must be whole",
    );
    assert_eq!(
        d.to_string(),
        "main.wf.hcl:1:5: Invalid count argument: must be whole"
    );
    assert_eq!(Diagnostic::error("Plain").to_string(), "Plain");
}
