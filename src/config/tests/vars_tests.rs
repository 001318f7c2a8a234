use super::*;

const VARS: &str = r#"
variable "env" {
  type    = string
  default = "staging"
  validation {
    condition     = contains(["staging", "prod", "dev"], var.env)
    error_message = "env must be staging, prod or dev"
  }
}
variable "untyped" {
  default = "d"
}
variable "ids" {
  type    = list(number)
  default = []
}
variable "port" {
  type    = number
  default = 80
}
variable "token" {
  type      = string
  sensitive = true
  default   = "t0k"
}
variable "settings" {
  type = object({
    name    = string
    retries = optional(number, 3)
  })
  default = { name = "x" }
}
variable "must" {
  type     = string
  nullable = false
  default  = "fallback"
}
"#;

fn config(text: &str) -> Config {
    load_files(Path::new("."), vec![("main.wf.hcl".into(), text.into())]).unwrap()
}

fn inputs() -> VarInputs {
    VarInputs::default()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn defaults_apply_and_are_converted() {
    let values = resolve_variables(&config(VARS), &inputs()).unwrap();
    assert_eq!(values["env"], s("staging"));
    assert_eq!(values["untyped"], s("d"));
    assert_eq!(values["ids"], list(vec![]));
    assert_eq!(values["port"], n(80.0));
    assert_eq!(values["token"], s("t0k").mark_sensitive());
    assert_eq!(
        values["settings"],
        obj(&[("name", s("x")), ("retries", n(3.0))])
    );
}

#[test]
fn precedence_default_env_files_cli() {
    let dir = tempfile::tempdir().unwrap();
    let f1 = dir.path().join("one.wfvars");
    let f2 = dir.path().join("two.wfvars");
    std::fs::write(
        &f1,
        "env = \"dev\"\nport = 1\nids = [1, 2]\nunknown_one = 1\n",
    )
    .unwrap();
    std::fs::write(&f2, "port = \"2\"\n").unwrap();
    let c = config(VARS);

    let mut i = inputs();
    i.env = pairs(&[("env", "prod"), ("port", "8080"), ("untyped", "[1]")]);
    let values = resolve_variables(&c, &i).unwrap();
    assert_eq!(values["env"], s("prod"));
    assert_eq!(values["port"], n(8080.0));
    // Untyped and string variables take the raw text.
    assert_eq!(values["untyped"], s("[1]"));

    i.files = vec![f1.clone(), f2.clone()];
    let (values, warnings) = resolve_variables_with_warnings(&c, &i).unwrap();
    assert_eq!(values["env"], s("dev"));
    assert_eq!(values["port"], n(2.0));
    assert_eq!(values["ids"], list(vec![n(1.0), n(2.0)]));
    assert_eq!(warnings.len(), 1);
    assert!(warnings.0[0].is_warning());
    assert_eq!(warnings.0[0].summary(), "Value for undeclared variable");

    i.cli = pairs(&[
        ("port", "3"),
        ("port", "4"),
        ("ids", "[5, \"6\"]"),
        ("env", "prod"),
    ]);
    let values = resolve_variables(&c, &i).unwrap();
    assert_eq!(values["port"], n(4.0));
    assert_eq!(values["ids"], list(vec![n(5.0), n(6.0)]));
    assert_eq!(values["env"], s("prod"));
}

#[test]
fn required_undeclared_and_invalid_values() {
    let c = config("variable \"need\" {\n  type = number\n}\n");
    let err = resolve_variables(&c, &inputs()).unwrap_err();
    assert_eq!(err.0[0].summary(), "No value for required variable");
    assert!(err.0[0].detail().unwrap().contains("\"need\""));
    assert_eq!(err.0[0].location().as_deref(), Some("main.wf.hcl:1:1"));

    let mut i = inputs();
    i.cli = pairs(&[("need", "1"), ("nede", "2")]);
    let err = resolve_variables(&c, &i).unwrap_err();
    assert_eq!(err.0[0].summary(), "Value for undeclared variable");
    assert_eq!(err.0[0].help_text(), Some("Did you mean \"need\"?"));

    let mut i = inputs();
    i.cli = pairs(&[("need", "\"abc\"")]);
    let err = resolve_variables(&c, &i).unwrap_err();
    assert_eq!(err.0[0].summary(), "Invalid value for input variable");
    assert!(
        err.0[0]
            .detail()
            .unwrap()
            .contains("declared at main.wf.hcl:1:1"),
        "{}",
        err.0[0]
    );

    let mut i = inputs();
    i.cli = pairs(&[("need", "[1,")]);
    let err = resolve_variables(&c, &i).unwrap_err();
    assert_eq!(err.0[0].summary(), "Invalid HCL syntax");
    assert!(
        err.0[0]
            .location()
            .unwrap()
            .starts_with("<value for var.need>:1:")
    );

    let mut i = inputs();
    i.cli = pairs(&[("need", "var.other")]);
    let err = resolve_variables(&c, &i).unwrap_err();
    assert_eq!(err.0[0].summary(), "Variables not allowed");
}

#[test]
fn object_conversion_errors_point_into_the_var_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.wfvars");
    std::fs::write(&f, "settings = {\n  retries = 1\n}\n").unwrap();
    let mut i = inputs();
    i.files = vec![f.clone()];
    let err = resolve_variables(&config(VARS), &i).unwrap_err();
    let d = &err.0[0];
    assert_eq!(d.summary(), "Invalid value for input variable");
    assert!(
        d.detail()
            .unwrap()
            .contains("attribute \"name\" is required"),
        "{d}"
    );
    assert_eq!(d.location(), Some(format!("{}:1:12", f.display())));
}

#[test]
fn validations_run_with_the_variable_span() {
    let mut i = inputs();
    i.cli = pairs(&[("env", "qa")]);
    let err = resolve_variables(&config(VARS), &i).unwrap_err();
    let d = &err.0[0];
    assert_eq!(d.summary(), "Invalid value for variable");
    assert!(
        d.detail()
            .unwrap()
            .starts_with("env must be staging, prod or dev")
    );
    assert_eq!(d.location().as_deref(), Some("main.wf.hcl:2:1"));

    let c = config(
        "variable \"x\" {\n  default = 1\n  validation {\n    condition = \"nope\"\n    error_message = \"m\"\n  }\n}\n",
    );
    let err = resolve_variables(&c, &inputs()).unwrap_err();
    assert_eq!(err.0[0].summary(), "Invalid variable validation result");
}

#[test]
fn nullable_false_falls_back_to_the_default() {
    let c = config(VARS);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("n.wfvars");
    std::fs::write(&f, "must = null\nenv = null\n").unwrap();
    let mut i = inputs();
    i.files = vec![f];
    let err = resolve_variables(&c, &i);
    // env is nullable, so null reaches its validation (contains(..., null) is false).
    assert_eq!(
        err.unwrap_err().0[0].summary(),
        "Invalid value for variable"
    );

    let c = config(
        "variable \"must\" {\n  nullable = false\n  default = \"fallback\"\n}\nvariable \"strict\" {\n  nullable = false\n}\n",
    );
    let f = dir.path().join("m.wfvars");
    std::fs::write(&f, "must = null\nstrict = null\n").unwrap();
    let mut i = inputs();
    i.files = vec![f];
    let err = resolve_variables(&c, &i).unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(
        err.0[0]
            .detail()
            .unwrap()
            .contains("may not be set to null")
    );
    let f = dir.path().join("o.wfvars");
    std::fs::write(&f, "must = null\nstrict = 1\n").unwrap();
    let mut i = inputs();
    i.files = vec![f];
    let values = resolve_variables(&c, &i).unwrap();
    assert_eq!(values["must"], s("fallback"));
}

#[test]
fn sensitive_values_stay_marked_through_expressions() {
    let c = config(&format!(
        "{VARS}\nlocals {{\n  header = \"Bearer ${{var.token}}\"\n}}\n"
    ));
    let values = resolve_variables(&c, &inputs()).unwrap();
    let locals = BTreeMap::new();
    let resources = BTreeMap::new();
    let scope = Scope {
        vars: &values,
        locals: &locals,
        resources: &resources,
        ..Scope::new(&c.dir)
    };
    let header = eval(&c.local("header").unwrap().expr, &scope).unwrap();
    assert_eq!(header, s("Bearer t0k").mark_sensitive());
    assert_eq!(header.to_string(), "(sensitive value)");
}
