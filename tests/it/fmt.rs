//! `workform fmt`: write mode, `--check` (exit 3), `--diff`, syntax errors, stdin.

use std::process::{Command, Stdio};

use crate::support::{BIN, Workspace};

const UNFORMATTED: &str = "resource \"workato_project\" \"p\" {\nname=\"P\"\n    description   = \"d\"   \n}\n\n\n\nlocals {\r\n  a = 1\r\n}\r\n";
const FORMATTED: &str = "resource \"workato_project\" \"p\" {\n  name        = \"P\"\n  description = \"d\"\n}\n\nlocals {\n  a = 1\n}\n";
const CANONICAL: &str = "locals {\n  b = 2\n}\n";

fn read(ws: &Workspace, name: &str) -> String {
    std::fs::read_to_string(ws.path().join(name)).unwrap()
}

#[test]
fn check_lists_unformatted_files_exits_3_and_writes_nothing() {
    let ws = Workspace::new()
        .file("main.wf.hcl", UNFORMATTED)
        .file("other.wf.hcl", CANONICAL)
        .file("prod.wfvars", "env=\"prod\"\n");
    let run = ws
        .run_with(&["fmt", "--check"], &[])
        .code(3)
        .stderr_has("workform fmt");
    assert_eq!(
        run.stdout.lines().collect::<Vec<_>>().len(),
        2,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("main.wf.hcl") && run.stdout.contains("prod.wfvars"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("other.wf.hcl"), "{}", run.stdout);
    assert_eq!(
        read(&ws, "main.wf.hcl"),
        UNFORMATTED,
        "--check wrote the file"
    );
}

#[test]
fn check_exits_0_when_everything_is_canonical() {
    let ws = Workspace::new()
        .file("main.wf.hcl", FORMATTED)
        .file("other.wf.hcl", CANONICAL);
    let run = ws.run_with(&["fmt", "--check"], &[]).success();
    assert_eq!(run.stdout, "");
}

#[test]
fn the_quickstart_example_is_canonical() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart");
    Workspace::new()
        .run_with(&["fmt", "--check", example], &[])
        .success();
}

#[test]
fn write_mode_rewrites_files_prints_their_names_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new()
        .file("main.wf.hcl", UNFORMATTED)
        .file("other.wf.hcl", CANONICAL);
    let path = ws.path().join("main.wf.hcl");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();

    let run = ws
        .run_with(&["fmt"], &[])
        .success()
        .stdout_has("main.wf.hcl");
    assert!(!run.stdout.contains("other.wf.hcl"), "{}", run.stdout);
    assert_eq!(read(&ws, "main.wf.hcl"), FORMATTED);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );

    // A second run has nothing to do.
    let again = ws.run_with(&["fmt"], &[]).success();
    assert_eq!(again.stdout, "");
    ws.run_with(&["fmt", "--check"], &[]).success();
}

#[test]
fn diff_prints_a_unified_diff() {
    let ws = Workspace::new().file("main.wf.hcl", "locals {\na=1\n}\n");
    ws.run_with(&["fmt", "--check", "--diff"], &[])
        .code(3)
        .stdout_has("--- old/main.wf.hcl")
        .stdout_has("+++ new/main.wf.hcl")
        .stdout_has("@@ -1,3 +1,3 @@")
        .stdout_has("\n-a=1\n+  a = 1\n");
    assert_eq!(
        read(&ws, "main.wf.hcl"),
        "locals {\na=1\n}\n",
        "--check --diff wrote the file"
    );

    // Without --check, the diff is shown and the file written.
    ws.run_with(&["fmt", "--diff"], &[])
        .success()
        .stdout_has("+  a = 1");
    assert_eq!(read(&ws, "main.wf.hcl"), "locals {\n  a = 1\n}\n");
}

#[test]
fn a_syntax_error_names_the_file_and_leaves_it_untouched() {
    let broken = "locals {\n  a = \n}\n";
    let ws = Workspace::new()
        .file("bad.wf.hcl", broken)
        .file("good.wf.hcl", "locals {\nb=1\n}\n");
    ws.run_with(&["fmt"], &[])
        .code(1)
        .stderr_has("bad.wf.hcl:2:")
        .stderr_has("left untouched")
        .stdout_has("good.wf.hcl");
    assert_eq!(read(&ws, "bad.wf.hcl"), broken);
    assert_eq!(
        read(&ws, "good.wf.hcl"),
        "locals {\n  b = 1\n}\n",
        "the valid file is still formatted"
    );
}

#[test]
fn named_files_are_formatted_and_other_names_refused() {
    let ws = Workspace::new()
        .file("a.wf.hcl", "a=1\n")
        .file("b.wf.hcl", "b=1\n")
        .file("notes.txt", "x=1\n");
    let a = ws.path().join("a.wf.hcl");
    ws.run_with(&["fmt", a.to_str().unwrap()], &[])
        .success()
        .stdout_has("a.wf.hcl");
    assert_eq!(read(&ws, "a.wf.hcl"), "a = 1\n");
    assert_eq!(
        read(&ws, "b.wf.hcl"),
        "b=1\n",
        "an unnamed file was formatted"
    );

    let notes = ws.path().join("notes.txt");
    ws.run_with(&["fmt", notes.to_str().unwrap()], &[])
        .code(1)
        .stderr_has("only *.wf.hcl and *.wfvars files");
    let missing = ws.path().join("missing.wf.hcl");
    ws.run_with(&["fmt", missing.to_str().unwrap()], &[])
        .code(1)
        .stderr_has("no such file or directory");
}

#[test]
fn standard_input_is_formatted_to_standard_output() {
    let ws = Workspace::new();
    let out = Command::new(BIN)
        .args(["-C", ws.path().to_str().unwrap(), "fmt", "-"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"locals {\nx=1\n}")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "locals {\n  x = 1\n}\n"
    );
}
