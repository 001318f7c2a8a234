use super::*;

#[test]
fn literals_collections_and_parentheses() {
    assert_eq!(v("null"), Value::Null);
    assert_eq!(v("true"), Value::Bool(true));
    assert_eq!(v("1.5"), n(1.5));
    assert_eq!(v("\"a\\tb\""), s("a\tb"));
    assert_eq!(
        v("[1, \"x\", [true]]"),
        list(vec![n(1.0), s("x"), list(vec![Value::Bool(true)])])
    );
    assert_eq!(
        v("{ a = 1, \"b c\" = 2, (var.env) = 3 }"),
        obj(&[("a", n(1.0)), ("b c", n(2.0)), ("prod", n(3.0))])
    );
    assert_eq!(v("(1 + 2) * 3"), n(9.0));
}

#[test]
fn arithmetic_and_comparison_operators() {
    assert_eq!(v("1 + 2"), n(3.0));
    assert_eq!(v("5 - 7"), n(-2.0));
    assert_eq!(v("3 * 4"), n(12.0));
    assert_eq!(v("7 / 2"), n(3.5));
    assert_eq!(v("7 % 3"), n(1.0));
    assert_eq!(v("-7 % 3"), n(-1.0));
    assert_eq!(v("-(2)"), n(-2.0));
    assert_eq!(v("\"5\" + 1"), n(6.0));
    assert_eq!(v("1 < 2"), Value::Bool(true));
    assert_eq!(v("2 <= 2"), Value::Bool(true));
    assert_eq!(v("1 > 2"), Value::Bool(false));
    assert_eq!(v("3 >= 4"), Value::Bool(false));
    assert_eq!(v("1 + 2 * 3"), n(7.0));
}

#[test]
fn equality_is_deep_and_logic_short_circuits() {
    assert_eq!(v("[1, {a = \"x\"}] == [1, {a = \"x\"}]"), Value::Bool(true));
    assert_eq!(v("{a = 1} != {a = 2}"), Value::Bool(true));
    assert_eq!(v("1 == \"1\""), Value::Bool(false));
    assert_eq!(v("null == null"), Value::Bool(true));
    assert_eq!(v("var.nothing == null"), Value::Bool(true));
    assert_eq!(v("true && false"), Value::Bool(false));
    assert_eq!(v("false || true"), Value::Bool(true));
    assert_eq!(v("!true"), Value::Bool(false));
    // The right side is not evaluated when the left decides.
    assert_eq!(
        v("var.nothing != null && var.nothing.x == 1"),
        Value::Bool(false)
    );
    assert_eq!(v("true || var.nothing.x"), Value::Bool(true));
}

#[test]
fn operator_errors_point_at_the_operand() {
    let d = e("1 + \"a\"");
    assert_eq!(d.summary(), "Invalid operand");
    assert_eq!(d.location().as_deref(), Some("main.wf.hcl:1:5"));
    assert!(e("!1").detail().unwrap().contains("bool is required"));
    assert_eq!(e("1 / 0").summary(), "Operation failed");
    assert_eq!(e("1 && true").summary(), "Invalid operand");
    assert_eq!(e("null + 1").summary(), "Invalid operand");
}

#[test]
fn conditionals() {
    assert_eq!(v("true ? 1 : 2"), n(1.0));
    assert_eq!(v("var.env == \"prod\" ? \"big\" : \"small\""), s("big"));
    // Short-circuit: the untaken branch would fail.
    assert_eq!(v("false ? var.nothing.x : 3"), n(3.0));
    assert_eq!(e("\"x\" ? 1 : 2").summary(), "Incorrect condition type");
    assert_eq!(e("null ? 1 : 2").summary(), "Null condition");
}

#[test]
fn references_resolve_through_the_scope() {
    assert_eq!(v("var.env"), s("prod"));
    assert_eq!(v("local.prefix"), s("billing-prod"));
    assert_eq!(v("workato_folder.a.id"), n(10.0));
    assert_eq!(v("workato_folder.many[1].id"), n(2.0));
    assert_eq!(v("workato_folder.many.0.id"), n(1.0));
    assert_eq!(v("workato_folder.keyed[\"eu\"].id"), n(5.0));
    assert_eq!(v("data.workato_folder.shared.id"), n(7.0));
    assert_eq!(v("var.obj[\"b\"]"), s("x"));
    assert!(matches!(v("path.module"), Value::String(_)));
}

#[test]
fn each_and_count_come_from_the_scope() {
    let mut w = World::new();
    w.each = Some((s("eu"), obj(&[("id", n(1.0))])));
    w.count_index = Some(3);
    assert_eq!(
        w.eval("\"${each.key}-${each.value.id}-${count.index}\"")
            .unwrap(),
        s("eu-1-3")
    );
    let d = World::new().eval("each.key").unwrap_err();
    assert_eq!(
        d.0[0].summary(),
        "Reference to \"each\" in context without for_each"
    );
    let d = World::new().eval("count.index").unwrap_err();
    assert_eq!(
        d.0[0].summary(),
        "Reference to \"count\" in non-counted context"
    );
}

#[test]
fn traversal_errors_name_the_problem_and_location() {
    let d = e("var.obj.zzz");
    assert_eq!(d.summary(), "Unsupported attribute");
    assert!(
        d.detail()
            .unwrap()
            .contains("does not have an attribute named \"zzz\"")
    );
    assert_eq!(d.location().as_deref(), Some("main.wf.hcl:1:8"));
    let d = e("var.nums[5]");
    assert_eq!(d.summary(), "Invalid index");
    assert_eq!(e("var.nums[-1]").summary(), "Invalid index");
    assert_eq!(e("var.obj[\"q\"]").summary(), "Invalid index");
    assert_eq!(
        e("var.nothing.x").summary(),
        "Attempt to get attribute from null value"
    );
    assert!(
        e("var.folders.id")
            .detail()
            .unwrap()
            .contains("list of objects")
    );
    assert_eq!(
        e("var.undeclared").summary(),
        "Reference to undeclared input variable"
    );
    assert_eq!(
        e("local.nope").summary(),
        "Reference to undeclared local value"
    );
    assert_eq!(
        e("workato_folder.nope.id").summary(),
        "Reference to undeclared resource"
    );
    assert_eq!(
        e("data.workato_folder.nope.id").summary(),
        "Reference to undeclared resource"
    );
    assert_eq!(e("foo.bar").summary(), "Unknown reference");
    assert!(
        e("workato_folder")
            .detail()
            .unwrap()
            .contains("must be followed by at least one attribute access")
    );
    let d = e("var.evn");
    assert_eq!(d.help_text(), Some("Did you mean \"var.env\"?"));
}

#[test]
fn splats() {
    assert_eq!(v("var.folders[*].id"), list(vec![n(1.0), n(2.0)]));
    assert_eq!(v("var.folders.*.name"), list(vec![s("one"), s("two")]));
    assert_eq!(v("workato_folder.many[*].id"), list(vec![n(1.0), n(2.0)]));
    // Splat on null is an empty list; on a non-list value a one-element list.
    assert_eq!(v("var.nothing[*].id"), list(vec![]));
    assert_eq!(v("workato_folder.a[*].id"), list(vec![n(10.0)]));
    // Attribute-only splat: the index applies to the result list.
    assert_eq!(v("var.folders.*.name[1]"), s("two"));
    // Full splat: the index applies to each element.
    assert_eq!(v("[[1, 2], [3, 4]][*][0]"), list(vec![n(1.0), n(3.0)]));
    assert_eq!(v("workato_project.p[*].id"), Value::Unknown);
}

#[test]
fn for_expressions() {
    assert_eq!(
        v("[for x in var.nums : x * 2]"),
        list(vec![n(2.0), n(4.0), n(6.0)])
    );
    assert_eq!(
        v("[for i, x in var.nums : i if x > 1]"),
        list(vec![n(1.0), n(2.0)])
    );
    assert_eq!(
        v("[for f in var.folders : f.name if f.on]"),
        list(vec![s("one")])
    );
    assert_eq!(
        v("{ for f in var.folders : f.name => f.id }"),
        obj(&[("one", n(1.0)), ("two", n(2.0))])
    );
    assert_eq!(
        v("{ for k, x in var.obj : k => x }"),
        obj(&[("a", n(1.0)), ("b", s("x"))])
    );
    assert_eq!(
        v("{ for x in [\"a\", \"bb\", \"cc\"] : length(x) => x... }"),
        obj(&[
            ("1", list(vec![s("a")])),
            ("2", list(vec![s("bb"), s("cc")]))
        ])
    );
    assert_eq!(v("[for x in [] : x]"), list(vec![]));
    assert_eq!(
        e("{ for x in [\"a\", \"a\"] : x => 1 }").summary(),
        "Duplicate object key"
    );
    assert_eq!(
        e("[for x in null : x]").summary(),
        "Iteration over null value"
    );
    assert_eq!(
        e("[for x in 5 : x]").summary(),
        "Iteration over non-iterable value"
    );
    assert_eq!(
        e("[for x in [1] : x if 1]").summary(),
        "Invalid 'for' condition"
    );
    // The loop variable does not leak and shadows nothing outside.
    assert_eq!(v("[for var in [1] : var]"), list(vec![n(1.0)]));
}

#[test]
fn templates_and_interpolation() {
    assert_eq!(v("\"${var.env}-${1 + 1}-${true}\""), s("prod-2-true"));
    assert_eq!(v("\"$${literal} %%{x}\""), s("${literal} %{x}"));
    // A lone interpolation yields the value itself, not a string.
    assert_eq!(v("\"${var.nums}\""), list(vec![n(1.0), n(2.0), n(3.0)]));
    assert_eq!(
        e("\"x${var.nums}\"").summary(),
        "Invalid template interpolation value"
    );
    assert_eq!(
        e("\"x${null}\"").summary(),
        "Invalid template interpolation value"
    );
    assert_eq!(
        v("\"%{ if var.env == \"prod\" }P%{ else }D%{ endif }\""),
        s("P")
    );
    assert_eq!(v("\"%{ for x in var.nums }${x},%{ endfor }\""), s("1,2,3,"));
    assert_eq!(
        v("\"%{ for k, x in var.obj }${k}=${x};%{ endfor }\""),
        s("a=1;b=x;")
    );
}

#[test]
fn strip_markers_remove_adjacent_whitespace() {
    assert_eq!(v("\"a   ${~ \"b\" ~}   c\""), s("abc"));
    assert_eq!(
        v("\"[ %{~ for x in var.nums ~} ${x} %{~ endfor ~} ]\""),
        s("[123]")
    );
    assert_eq!(
        v("\"x %{~ if true ~} y %{~ else ~} z %{~ endif ~} w\""),
        s("xyw")
    );
}

#[test]
fn heredocs_with_and_without_indentation() {
    let text = "<<EOT\n  hello ${var.env}\n  bye\nEOT\n";
    assert_eq!(v(text), s("  hello prod\n  bye\n"));
    let text = "<<-EOT\n    hello ${var.env}\n      indented\n    EOT\n";
    assert_eq!(v(text), s("hello prod\n  indented\n"));
    let text = "<<-EOT\n  %{~ for n in var.names ~}\n  ${n}\n  %{~ endfor ~}\n  EOT\n";
    assert_eq!(v(text), s("bac"));
}

#[test]
fn unknown_values_propagate() {
    assert_eq!(v("var.pending"), Value::Unknown);
    assert_eq!(v("var.pending + 1"), Value::Unknown);
    assert_eq!(v("var.pending == 1"), Value::Unknown);
    assert_eq!(v("!var.pending"), Value::Unknown);
    assert_eq!(v("\"id-${workato_folder.new.id}\""), Value::Unknown);
    assert_eq!(v("workato_folder.new.name"), s("N"));
    assert_eq!(v("workato_project.p.folder_id"), Value::Unknown);
    assert_eq!(v("workato_project.p[\"x\"]"), Value::Unknown);
    assert_eq!(v("var.nums[var.pending]"), Value::Unknown);
    assert_eq!(v("var.pending ? 1 : 2"), Value::Unknown);
    assert_eq!(v("[for x in var.pending : x]"), Value::Unknown);
    assert_eq!(
        v("{ for x in var.nums : x => x if var.pending }"),
        Value::Unknown
    );
    assert_eq!(v("upper(var.pending)"), Value::Unknown);
    assert_eq!(v("\"%{ if var.pending }a%{ endif }\""), Value::Unknown);
    // Known structure with unknown elements stays known.
    assert_eq!(v("length([var.pending, 1])"), n(2.0));
    assert_eq!(v("[var.pending, 1]"), list(vec![Value::Unknown, n(1.0)]));
    // && / || with an unknown side resolve when the known side decides.
    assert_eq!(v("var.pending || true"), Value::Bool(true));
    assert_eq!(v("var.pending && true"), Value::Unknown);
    // Still type-checks the known operand.
    assert_eq!(e("var.pending + \"a\"").summary(), "Invalid operand");
}

#[test]
fn sensitivity_marks_propagate() {
    assert_eq!(
        v("\"token: ${var.secret}\""),
        s("token: s3cr3t").mark_sensitive()
    );
    assert_eq!(v("length(var.secret_list)"), n(2.0).mark_sensitive());
    assert_eq!(
        v("var.secret == \"x\""),
        Value::Bool(false).mark_sensitive()
    );
    assert_eq!(v("upper(var.secret)"), s("S3CR3T").mark_sensitive());
    assert_eq!(v("var.secret_list[0]"), s("a").mark_sensitive());
    assert_eq!(
        v("[for x in var.secret_list : x]"),
        list(vec![s("a"), s("b")]).mark_sensitive()
    );
    assert_eq!(v("true ? var.secret : \"\""), s("s3cr3t").mark_sensitive());
    // A literal object holding a secret keeps the mark on that element only.
    assert_eq!(
        v("{ a = var.secret, b = 1 }"),
        obj(&[("a", s("s3cr3t").mark_sensitive()), ("b", n(1.0))])
    );
    assert_eq!(
        v("jsonencode({ a = var.secret })"),
        s("{\"a\":\"s3cr3t\"}").mark_sensitive()
    );
    assert_eq!(v("nonsensitive(var.secret)"), s("s3cr3t"));
    assert_eq!(v("sensitive(1)"), n(1.0).mark_sensitive());
    assert_eq!(v("issensitive(var.secret)"), Value::Bool(true));
    assert!(!v("var.env").contains_sensitive());
}

#[test]
fn try_and_can_are_lazy_and_do_not_hide_unknowns() {
    assert_eq!(v("try(var.obj.zzz, \"fallback\")"), s("fallback"));
    assert_eq!(v("try(var.obj.a, var.undeclared)"), n(1.0));
    assert_eq!(v("try(var.nums[10], var.nums[0])"), n(1.0));
    assert_eq!(v("can(var.obj.zzz)"), Value::Bool(false));
    assert_eq!(v("can(var.obj.a)"), Value::Bool(true));
    assert_eq!(v("can(tonumber(\"x\"))"), Value::Bool(false));
    // Unknown is not an error: the result is unknown.
    assert_eq!(v("try(var.pending, \"x\")"), Value::Unknown);
    assert_eq!(v("can(var.pending)"), Value::Unknown);
    let d = e("try(var.obj.zzz, var.nums[10])");
    assert_eq!(d.summary(), "Error in function call");
    assert!(d.detail().unwrap().contains("no expression succeeded"));
    assert_eq!(e("try()").summary(), "Not enough function arguments");
}

#[test]
fn function_call_errors() {
    let d = e("uppr(\"x\")");
    assert_eq!(d.summary(), "Call to unknown function");
    assert_eq!(d.help_text(), Some("Did you mean \"upper\"?"));
    assert_eq!(e("uuid()").summary(), "Function not available");
    assert_eq!(e("upper()").summary(), "Not enough function arguments");
    assert_eq!(
        e("upper(\"a\", \"b\")").summary(),
        "Too many function arguments"
    );
    let d = e("upper([1])");
    assert_eq!(d.summary(), "Invalid function argument");
    assert_eq!(d.location().as_deref(), Some("main.wf.hcl:1:7"));
    assert!(d.detail().unwrap().contains("\"str\" parameter"));
    assert_eq!(e("provider::x::f(1)").summary(), "Call to unknown function");
    // Expanding the final argument.
    assert_eq!(v("max(var.nums...)"), n(3.0));
}

#[test]
fn eval_body_expands_blocks_and_dynamic_blocks() {
    let text = r#"
name = "t"
column {
  name = "a"
}
dynamic "column" {
  for_each = ["b", "c"]
  content {
    name = column.value
    pos  = column.key
  }
}
"#;
    let (sources, file) = Sources::single("main.wf.hcl", text);
    let parsed = hcl::edit::parser::parse_body(text).unwrap();
    let mut diags = Diagnostics::new();
    let body = super::super::syntax::Lowering {
        sources: &sources,
        file,
        diags: &mut diags,
    }
    .body(parsed, Span::new(file, 0..text.len()));
    let w = World::new();
    let out = eval_body(&body, &w.scope()).unwrap();
    assert_eq!(out["name"], s("t"));
    assert_eq!(
        out["column"],
        list(vec![
            obj(&[("name", s("a"))]),
            obj(&[("name", s("b")), ("pos", n(0.0))]),
            obj(&[("name", s("c")), ("pos", n(1.0))]),
        ])
    );
}
