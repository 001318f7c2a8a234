use super::*;

fn check(cases: &[(&str, Value)]) {
    for (text, want) in cases {
        assert_eq!(&v(text), want, "{text}");
    }
}

/// Each case fails with "Invalid function argument" or "Error in function call".
fn check_errors(cases: &[&str]) {
    for text in cases {
        let d = e(text);
        assert!(
            matches!(
                d.summary(),
                "Invalid function argument" | "Error in function call"
            ),
            "{text}: {d}"
        );
        assert!(d.location().is_some(), "{text}");
    }
}

#[test]
fn string_functions() {
    check(&[
        ("length(\"héllo\")", n(5.0)),
        ("length(var.nums)", n(3.0)),
        ("length(var.obj)", n(2.0)),
        ("lower(\"AbC\")", s("abc")),
        ("upper(\"abc\")", s("ABC")),
        ("title(\"hello big-world\")", s("Hello Big-World")),
        ("trimspace(\"  x \\n\")", s("x")),
        ("trim(\"?!hello?!\", \"!?\")", s("hello")),
        ("trimprefix(\"helloworld\", \"hello\")", s("world")),
        ("trimsuffix(\"helloworld\", \"world\")", s("hello")),
        ("chomp(\"hello\\n\\n\")", s("hello")),
        ("strrev(\"abc\")", s("cba")),
        ("substr(\"hello world\", 1, 4)", s("ello")),
        ("substr(\"hello\", -3, -1)", s("llo")),
        ("substr(\"hello\", 2, 100)", s("llo")),
        ("startswith(\"hello\", \"he\")", Value::Bool(true)),
        ("endswith(\"hello\", \"x\")", Value::Bool(false)),
        ("strcontains(\"hello\", \"ell\")", Value::Bool(true)),
        ("indent(2, \"a\\nb\")", s("a\n  b")),
        ("join(\", \", [\"a\", \"b\"], [\"c\"])", s("a, b, c")),
        (
            "split(\",\", \"a,b,,c\")",
            list(vec![s("a"), s("b"), s(""), s("c")]),
        ),
        ("split(\",\", \"\")", list(vec![s("")])),
        ("replace(\"a-b-c\", \"-\", \"+\")", s("a+b+c")),
        (
            "replace(\"hello world\", \"/o(\\\\w)/\", \"0$1\")",
            s("hello w0rld"),
        ),
        ("replace(\"a1b22\", \"/[0-9]+/\", \"#\")", s("a#b#")),
        ("regex(\"[a-z]+\", \"53abc\")", s("abc")),
        (
            "regex(\"(\\\\d+)-(\\\\d+)\", \"10-20\")",
            list(vec![s("10"), s("20")]),
        ),
        (
            "regex(\"(?P<y>\\\\d{4})\", \"in 2024\")",
            obj(&[("y", s("2024"))]),
        ),
        ("regexall(\"\\\\d\", \"a1b2\")", list(vec![s("1"), s("2")])),
    ]);
    check_errors(&[
        "length(5)",
        "lower([1])",
        "substr(\"abc\", 5, 1)",
        "indent(-1, \"x\")",
        "join(\",\", [[1]])",
        "join(\",\")",
        "replace(\"a\", \"/(/\", \"b\")",
        "regex(\"x\", \"abc\")",
    ]);
}

#[test]
fn format_and_formatlist() {
    check(&[
        ("format(\"Hello, %s!\", \"Ander\")", s("Hello, Ander!")),
        ("format(\"%d items\", 3)", s("3 items")),
        (
            "format(\"%03d|%-4s|%4s|\", 7, \"a\", \"b\")",
            s("007|a   |   b|"),
        ),
        ("format(\"%.2f\", 3.14159)", s("3.14")),
        (
            "format(\"%+d %x %X %o %b\", 5, 255, 255, 8, 5)",
            s("+5 ff FF 10 101"),
        ),
        (
            "format(\"%q %v %t %%\", \"hi\", [1], true)",
            s("\"hi\" [1] true %"),
        ),
        ("format(\"%#v\", {a = \"x\"})", s("{\"a\":\"x\"}")),
        ("format(\"%[2]s %[1]s\", \"a\", \"b\")", s("b a")),
        ("format(\"%e\", 1234.5)", s("1.234500e+03")),
        ("format(\"%d\", \"12\")", s("12")),
        (
            "formatlist(\"%s=%d\", [\"a\", \"b\"], [1, 2])",
            list(vec![s("a=1"), s("b=2")]),
        ),
        (
            "formatlist(\"%s-%s\", \"x\", [\"a\", \"b\"])",
            list(vec![s("x-a"), s("x-b")]),
        ),
    ]);
    check_errors(&[
        "format(\"%s %s\", \"a\")",
        "format(\"%d\", \"x\")",
        "format(\"%d\", 1.5)",
        "format(\"%s\", \"a\", \"b\")",
        "format(\"%z\", 1)",
        "formatlist(\"%s%s\", [\"a\"], [\"b\", \"c\"])",
    ]);
}

#[test]
fn collection_functions() {
    check(&[
        (
            "concat([1], [], [2, 3])",
            list(vec![n(1.0), n(2.0), n(3.0)]),
        ),
        (
            "merge({a = 1, b = 2}, null, {b = 3})",
            obj(&[("a", n(1.0)), ("b", n(3.0))]),
        ),
        ("lookup({a = 1}, \"a\")", n(1.0)),
        ("lookup({a = 1}, \"b\", 9)", n(9.0)),
        ("contains([\"a\", \"b\"], \"b\")", Value::Bool(true)),
        ("contains([[1]], [1])", Value::Bool(true)),
        ("keys({b = 1, a = 2})", list(vec![s("a"), s("b")])),
        ("values({b = 1, a = 2})", list(vec![n(2.0), n(1.0)])),
        (
            "zipmap([\"a\", \"b\"], [1, 2])",
            obj(&[("a", n(1.0)), ("b", n(2.0))]),
        ),
        ("coalesce(null, \"\", \"x\", \"y\")", s("x")),
        ("coalescelist([], [1], [2])", list(vec![n(1.0)])),
        (
            "compact([\"a\", \"\", null, \"b\"])",
            list(vec![s("a"), s("b")]),
        ),
        (
            "flatten([[1, [2]], 3, []])",
            list(vec![n(1.0), n(2.0), n(3.0)]),
        ),
        (
            "distinct([1, 2, 1, 3, 2])",
            list(vec![n(1.0), n(2.0), n(3.0)]),
        ),
        ("range(3)", list(vec![n(0.0), n(1.0), n(2.0)])),
        ("range(1, 4)", list(vec![n(1.0), n(2.0), n(3.0)])),
        ("range(10, 0, -4)", list(vec![n(10.0), n(6.0), n(2.0)])),
        ("range(-2)", list(vec![n(0.0), n(-1.0)])),
        ("element([\"a\", \"b\"], 3)", s("b")),
        ("index([\"a\", \"b\"], \"b\")", n(1.0)),
        ("slice([1, 2, 3, 4], 1, 3)", list(vec![n(2.0), n(3.0)])),
        (
            "sort([\"b\", \"a\", \"c\"])",
            list(vec![s("a"), s("b"), s("c")]),
        ),
        ("reverse([1, 2])", list(vec![n(2.0), n(1.0)])),
        ("one([])", Value::Null),
        ("one([5])", n(5.0)),
        (
            "chunklist([1, 2, 3], 2)",
            list(vec![list(vec![n(1.0), n(2.0)]), list(vec![n(3.0)])]),
        ),
        (
            "setunion([\"a\"], [\"b\", \"a\"])",
            list(vec![s("a"), s("b")]),
        ),
        (
            "setintersection([\"a\", \"b\"], [\"b\", \"c\"])",
            list(vec![s("b")]),
        ),
        ("setsubtract([\"a\", \"b\"], [\"b\"])", list(vec![s("a")])),
        ("length(setproduct([\"a\", \"b\"], [1, 2, 3]))", n(6.0)),
        (
            "transpose({a = [\"1\", \"2\"], b = [\"1\"]})",
            obj(&[("1", list(vec![s("a"), s("b")])), ("2", list(vec![s("a")]))]),
        ),
        (
            "matchkeys([\"a\", \"b\"], [\"x\", \"y\"], [\"y\"])",
            list(vec![s("b")]),
        ),
        ("alltrue([true, \"true\"])", Value::Bool(true)),
        ("anytrue([false])", Value::Bool(false)),
        ("alltrue([])", Value::Bool(true)),
    ]);
    check_errors(&[
        "concat([1], 2)",
        "merge({a = 1}, [1])",
        "lookup({a = 1}, \"b\")",
        "contains(\"a\", \"a\")",
        "keys([1])",
        "values(1)",
        "zipmap([\"a\"], [])",
        "coalesce(null, \"\")",
        "coalescelist([], null)",
        "compact([[1]])",
        "flatten(1)",
        "distinct(\"x\")",
        "range(1, 2, 0)",
        "element([], 0)",
        "index([1], 2)",
        "slice([1], 0, 5)",
        "sort([[1]])",
        "reverse({})",
        "one([1, 2])",
        "chunklist([1], -1)",
        "setunion(1)",
        "setproduct([1])",
        "transpose({a = 1})",
        "matchkeys([1], [], [])",
        "alltrue([1])",
        "anytrue(null)",
    ]);
}

#[test]
fn number_functions() {
    check(&[
        ("sum([1, 2, 3.5])", n(6.5)),
        ("min(3, 1, 2)", n(1.0)),
        ("max(3, 1, 2)", n(3.0)),
        ("abs(-4)", n(4.0)),
        ("ceil(1.2)", n(2.0)),
        ("floor(1.8)", n(1.0)),
        ("signum(-3)", n(-1.0)),
        ("pow(2, 10)", n(1024.0)),
        ("parseint(\"ff\", 16)", n(255.0)),
        ("parseint(\"-101\", 2)", n(-5.0)),
    ]);
    check_errors(&[
        "sum([])",
        "min()",
        "abs(\"x\")",
        "ceil(null)",
        "floor([1])",
        "parseint(\"z\", 10)",
        "signum(true)",
        "pow(\"a\", 1)",
    ]);
}

#[test]
fn type_conversion_functions() {
    check(&[
        ("toset([\"b\", \"a\", \"b\"])", list(vec![s("a"), s("b")])),
        ("toset([1, \"a\"])", list(vec![s("1"), s("a")])),
        ("tolist([1, 2])", list(vec![n(1.0), n(2.0)])),
        (
            "tomap({a = 1, b = \"x\"})",
            obj(&[("a", s("1")), ("b", s("x"))]),
        ),
        ("tostring(5)", s("5")),
        ("tostring(null)", Value::Null),
        ("tonumber(\"5.5\")", n(5.5)),
        ("tobool(\"true\")", Value::Bool(true)),
    ]);
    check_errors(&[
        "toset({a = 1})",
        "tolist({a = 1})",
        "tomap([1])",
        "tostring([1])",
        "tonumber(\"x\")",
        "tobool(\"yes\")",
        "toset([1, [2]])",
    ]);
}

#[test]
fn encoding_and_hash_functions() {
    check(&[
        (
            "jsonencode({b = [1, true, null], a = \"<x>\"})",
            s(r#"{"a":"\u003cx\u003e","b":[1,true,null]}"#),
        ),
        ("jsonencode(1.5)", s("1.5")),
        (
            "jsondecode(\"{\\\"a\\\": [1, \\\"x\\\"]}\")",
            obj(&[("a", list(vec![n(1.0), s("x")]))]),
        ),
        ("base64encode(\"Hello, World!\")", s("SGVsbG8sIFdvcmxkIQ==")),
        ("base64encode(\"ab\")", s("YWI=")),
        ("base64decode(\"SGVsbG8sIFdvcmxkIQ==\")", s("Hello, World!")),
        (
            "sha256(\"hello\")",
            s("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
        ),
        (
            "base64sha256(\"hello\")",
            s("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="),
        ),
        ("urlencode(\"a b&c=d/é\")", s("a+b%26c%3Dd%2F%C3%A9")),
    ]);
    check_errors(&[
        "jsondecode(\"{\")",
        "base64decode(\"!!!\")",
        "base64decode(\"/w==\")",
        "sha256([1])",
        "urlencode({})",
    ]);
}

#[test]
fn file_functions_read_relative_to_the_scope_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.txt"), "hi there\n").unwrap();
    std::fs::write(
        dir.path().join("t.tpl"),
        "Hello ${name}!\n%{ for x in items ~}\n- ${upper(x)}\n%{ endfor ~}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("bad.tpl"), "x ${ nope\n").unwrap();
    std::fs::write(dir.path().join("ref.tpl"), "x ${missing}\n").unwrap();
    let mut w = World::new();
    w.dir = dir.path().to_path_buf();
    let ev = |t: &str| w.eval(t);
    assert_eq!(ev("file(\"hello.txt\")").unwrap(), s("hi there\n"));
    assert_eq!(ev("fileexists(\"hello.txt\")").unwrap(), Value::Bool(true));
    assert_eq!(ev("fileexists(\"nope.txt\")").unwrap(), Value::Bool(false));
    assert_eq!(ev("filebase64(\"hello.txt\")").unwrap(), s("aGkgdGhlcmUK"));
    assert_eq!(ev("basename(\"a/b/c.txt\")").unwrap(), s("c.txt"));
    assert_eq!(ev("dirname(\"a/b/c.txt\")").unwrap(), s("a/b"));
    assert_eq!(
        ev("templatefile(\"t.tpl\", { name = var.env, items = [\"a\", \"b\"] })").unwrap(),
        s("Hello prod!\n- A\n- B\n")
    );
    assert_eq!(
        ev("templatefile(\"t.tpl\", { name = var.pending, items = [] })").unwrap(),
        Value::Unknown
    );
    assert_eq!(
        ev("templatefile(\"t.tpl\", { name = var.secret, items = [] })").unwrap(),
        s("Hello s3cr3t!\n").mark_sensitive()
    );

    let d = ev("file(\"missing.txt\")").unwrap_err();
    assert_eq!(d.0[0].summary(), "Invalid function argument");
    assert!(
        d.0[0]
            .detail()
            .unwrap()
            .contains("no file exists at \"missing.txt\"")
    );
    assert_eq!(d.0[0].location().as_deref(), Some("main.wf.hcl:1:6"));
    let d = ev("templatefile(\"bad.tpl\", {})").unwrap_err();
    assert_eq!(d.0[0].summary(), "Invalid HCL syntax");
    assert!(
        d.0[0].location().unwrap().starts_with("bad.tpl:"),
        "{}",
        d.0[0]
    );
    let d = ev("templatefile(\"ref.tpl\", {})").unwrap_err();
    assert_eq!(d.0[0].summary(), "Unknown template variable");
    assert_eq!(d.0[0].location().as_deref(), Some("ref.tpl:1:5"));
}

#[test]
fn unknown_arguments_make_results_unknown_unless_structural() {
    check(&[
        ("join(\",\", [var.pending])", Value::Unknown),
        (
            "concat([var.pending], [1])",
            list(vec![Value::Unknown, n(1.0)]),
        ),
        ("keys({a = var.pending})", list(vec![s("a")])),
        ("lookup({a = var.pending, b = 1}, \"b\")", n(1.0)),
        (
            "merge({a = var.pending}, {b = 1})",
            obj(&[("a", Value::Unknown), ("b", n(1.0))]),
        ),
        ("jsonencode({a = var.pending})", Value::Unknown),
        ("coalesce(var.pending, \"x\")", Value::Unknown),
        ("tostring(var.pending)", Value::Unknown),
        ("length(var.pending)", Value::Unknown),
        ("format(\"%s\", var.pending)", Value::Unknown),
    ]);
}

#[test]
fn every_function_is_listed() {
    let names = function_names();
    for f in [
        "length",
        "try",
        "can",
        "templatefile",
        "jsonencode",
        "sha256",
        "regex",
    ] {
        assert!(names.contains(&f), "{f}");
    }
    assert!(!names.contains(&"uuid"));
}

/// One failing call per function; the test also checks that no function is missing.
#[test]
fn every_function_has_an_error_case() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let mut w = World::new();
    w.dir = dir.path().to_path_buf();
    let cases: &[(&str, &str)] = &[
        ("abs", "abs(\"x\")"),
        ("alltrue", "alltrue([1])"),
        ("anytrue", "anytrue(null)"),
        ("base64decode", "base64decode(\"!!!\")"),
        ("base64encode", "base64encode([1])"),
        ("base64sha256", "base64sha256({})"),
        ("basename", "basename([1])"),
        ("can", "can()"),
        ("ceil", "ceil(null)"),
        ("chomp", "chomp([1])"),
        ("chunklist", "chunklist([1], -1)"),
        ("coalesce", "coalesce(null, \"\")"),
        ("coalescelist", "coalescelist([], null)"),
        ("compact", "compact([[1]])"),
        ("concat", "concat([1], 2)"),
        ("contains", "contains(\"a\", \"a\")"),
        ("dirname", "dirname({})"),
        ("distinct", "distinct(\"x\")"),
        ("element", "element([], 0)"),
        ("endswith", "endswith([1], \"x\")"),
        ("file", "file(\"missing\")"),
        ("filebase64", "filebase64(\"missing\")"),
        ("fileexists", "fileexists(\"sub\")"),
        ("filesha256", "filesha256(\"missing\")"),
        ("flatten", "flatten(1)"),
        ("floor", "floor([1])"),
        ("format", "format(\"%s %s\", \"a\")"),
        (
            "formatlist",
            "formatlist(\"%s%s\", [\"a\"], [\"b\", \"c\"])",
        ),
        ("indent", "indent(-1, \"x\")"),
        ("index", "index([1], 2)"),
        ("issensitive", "issensitive()"),
        ("join", "join(\",\", [[1]])"),
        ("jsondecode", "jsondecode(\"{\")"),
        ("jsonencode", "jsonencode()"),
        ("keys", "keys([1])"),
        ("length", "length(5)"),
        ("lookup", "lookup({a = 1}, \"b\")"),
        ("lower", "lower([1])"),
        ("matchkeys", "matchkeys([1], [], [])"),
        ("max", "max()"),
        ("merge", "merge({a = 1}, [1])"),
        ("min", "min(\"x\")"),
        ("nonsensitive", "nonsensitive(1, 2)"),
        ("one", "one([1, 2])"),
        ("parseint", "parseint(\"z\", 10)"),
        ("pow", "pow(\"a\", 1)"),
        ("range", "range(1, 2, 0)"),
        ("regex", "regex(\"x\", \"abc\")"),
        ("regexall", "regexall(\"(\", \"abc\")"),
        ("replace", "replace(\"a\", \"/(/\", \"b\")"),
        ("reverse", "reverse({})"),
        ("sensitive", "sensitive()"),
        ("setintersection", "setintersection(1)"),
        ("setproduct", "setproduct([1])"),
        ("setsubtract", "setsubtract([1], 1)"),
        ("setunion", "setunion(1)"),
        ("sha256", "sha256([1])"),
        ("signum", "signum(true)"),
        ("slice", "slice([1], 0, 5)"),
        ("sort", "sort([[1]])"),
        ("split", "split([1], \"a\")"),
        ("startswith", "startswith(\"a\", [1])"),
        ("strcontains", "strcontains(null, \"a\")"),
        ("strrev", "strrev({})"),
        ("substr", "substr(\"abc\", 5, 1)"),
        ("sum", "sum([])"),
        ("templatefile", "templatefile(\"missing.tpl\", {})"),
        ("title", "title([1])"),
        ("tobool", "tobool(\"yes\")"),
        ("tolist", "tolist({a = 1})"),
        ("tomap", "tomap([1])"),
        ("tonumber", "tonumber(\"x\")"),
        ("toset", "toset({a = 1})"),
        ("tostring", "tostring([1])"),
        ("transpose", "transpose({a = 1})"),
        ("trim", "trim(\"a\", [1])"),
        ("trimprefix", "trimprefix([1], \"a\")"),
        ("trimspace", "trimspace({})"),
        ("trimsuffix", "trimsuffix(\"a\", null)"),
        ("try", "try(var.obj.nope)"),
        ("upper", "upper([1])"),
        ("urlencode", "urlencode({})"),
        ("values", "values(1)"),
        ("zipmap", "zipmap([\"a\"], [])"),
    ];
    let covered: Vec<&str> = cases.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        covered,
        function_names(),
        "the table must list every function, sorted"
    );
    for (name, text) in cases {
        let d = match w.eval(text) {
            Ok(v) => panic!("{text}: expected an error, got {v:?}"),
            Err(d) => d.0.into_iter().next().unwrap(),
        };
        assert!(d.location().is_some(), "{name}: {d}");
        assert!(
            [
                "Invalid function argument",
                "Error in function call",
                "Not enough function arguments",
                "Too many function arguments",
                "Invalid HCL syntax",
            ]
            .contains(&d.summary()),
            "{name}: {d}"
        );
    }
}
