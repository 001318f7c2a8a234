//! Credentials: precedence of flags, environment and profiles, the credentials file and
//! `profiles`, `init`, host and region checks, request logging.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use crate::support::{BIN, Emulator, Run, Workspace};

const PROJECT: &str = r#"
resource "workato_project" "p" {
  name = "Credentials"
}
"#;

/// A private config home (XDG_CONFIG_HOME) so the developer's own profiles never leak in.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> String {
        self.dir.path().display().to_string()
    }

    fn credentials(&self) -> std::path::PathBuf {
        self.dir.path().join("workform/credentials.toml")
    }

    /// Runs workform with this home, `env` and `stdin` piped in.
    pub fn run(&self, ws: &Workspace, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.arg("-C").arg(ws.path()).args(args);
        for (k, _) in std::env::vars() {
            if k.starts_with("WORKATO_") || k.starts_with("WF_VAR_") || k.starts_with("WORKFORM_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("NO_COLOR", "1").env("XDG_CONFIG_HOME", self.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            args: args.iter().map(|a| a.to_string()).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[test]
fn profiles_are_created_from_stdin_listed_without_tokens_and_used() {
    let emu = Emulator::start(&[
        "--token",
        "dev=all",
        "--token",
        "tok-dev-6c1f=all",
        "--token",
        "tok-ro-83ad=read-only",
    ]);
    let home = Home::new();
    let ws = Workspace::new().file("main.wf.hcl", PROJECT);

    home.run(
        &ws,
        &["profiles", "create", "dev", "--host", &emu.url],
        &[],
        "tok-dev-6c1f\n",
    )
    .success()
    .stdout_has("Saved profile \"dev\"")
    .stdout_has("It is the current profile")
    .nowhere("tok-dev-6c1f");
    // From the environment this time; not current (dev already is).
    home.run(
        &ws,
        &["profiles", "create", "ro", "--host", &emu.url],
        &[("WORKATO_API_TOKEN", "tok-ro-83ad")],
        "",
    )
    .success()
    .stdout_has("--profile ro")
    .nowhere("tok-ro-83ad");
    home.run(
        &ws,
        &["profiles", "create", "eu", "--region", "EU"],
        &[],
        "tok-eu-1111",
    )
    .success()
    .stdout_has("EU (https://app.eu.workato.com)");

    let mode = std::fs::metadata(home.credentials())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "credentials file mode {mode:o}");

    home.run(&ws, &["profiles", "list"], &[], "")
        .success()
        .stdout_has("* dev")
        .stdout_has("  ro ")
        .stdout_has("EU (https://app.eu.workato.com)")
        .stdout_has("set")
        .nowhere("tok-dev-6c1f")
        .nowhere("tok-ro-83ad")
        .nowhere("tok-eu-1111");

    // The current profile supplies host and token.
    home.run(&ws, &["plan"], &[], "")
        .success()
        .stdout_has("1 to add");
    // --profile picks another one, even over the environment.
    home.run(
        &ws,
        &["--profile", "ro", "apply", "--auto-approve"],
        &[("WORKATO_API_TOKEN", "tok-dev-6c1f")],
        "",
    )
    .code(1)
    .stderr_has("Create project or folder")
    .nowhere("tok-ro-83ad");
    assert!(emu.project_names().is_empty());
    // The environment beats the current profile.
    home.run(&ws, &["plan"], &[("WORKATO_API_TOKEN", "wrong-7d2e")], "")
        .code(1)
        .stderr_has("Authentication failed")
        .nowhere("wrong-7d2e");

    home.run(&ws, &["profiles", "use", "ro"], &[], "").success();
    home.run(&ws, &["profiles", "list"], &[], "")
        .success()
        .stdout_has("* ro");
    home.run(&ws, &["profiles", "delete", "ro"], &[], "")
        .success()
        .stdout_has("It was the current profile");
    home.run(&ws, &["profiles", "use", "nope"], &[], "")
        .code(1)
        .stderr_has("no profile named \"nope\"")
        .stderr_has("known profiles: dev, eu");
    home.run(&ws, &["profiles", "create", "dev"], &[], "x")
        .code(1)
        .stderr_has("already exists")
        .stderr_has("--force");
}

#[test]
fn profile_creation_refuses_bad_input_without_echoing_it() {
    let home = Home::new();
    let ws = Workspace::new();
    home.run(&ws, &["profiles", "create", "a b"], &[], "t")
        .code(1)
        .stderr_has("invalid profile name");
    home.run(
        &ws,
        &["profiles", "create", "p", "--region", "mars"],
        &[],
        "t",
    )
    .code(1)
    .stderr_has("unknown Workato region \"mars\"");
    home.run(
        &ws,
        &[
            "profiles",
            "create",
            "p",
            "--host",
            "http://workato.example.com",
        ],
        &[],
        "t",
    )
    .code(1)
    .stderr_has("refusing plain http://");
    home.run(&ws, &["profiles", "create", "p"], &[], "")
        .code(1)
        .stderr_has("no token given");
    home.run(
        &ws,
        &["profiles", "create", "p"],
        &[],
        "two words-secret-55",
    )
    .code(1)
    .stderr_has("spaces or several lines")
    .nowhere("secret-55");
    assert!(!home.credentials().exists());
}

#[test]
fn a_credentials_file_others_can_read_is_refused_with_the_fix() {
    let emu = Emulator::start(&[]);
    let home = Home::new();
    let ws = Workspace::new().file("main.wf.hcl", PROJECT);
    home.run(
        &ws,
        &["profiles", "create", "dev", "--host", &emu.url],
        &[],
        "dev",
    )
    .success();
    std::fs::set_permissions(home.credentials(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = home.credentials().display().to_string();
    home.run(&ws, &["plan"], &[], "")
        .code(1)
        .stderr_has("mode 0644")
        .stderr_has(&format!("chmod 600 {path}"));
    home.run(&ws, &["profiles", "list"], &[], "")
        .code(1)
        .stderr_has("chmod 600");
    // A run configured entirely by the environment does not read the file at all.
    home.run(
        &ws,
        &["plan"],
        &[("WORKATO_API_TOKEN", "dev"), ("WORKATO_HOST", &emu.url)],
        "",
    )
    .success();
}

#[test]
fn init_checks_the_token_shows_the_workspace_and_records_it() {
    let emu = Emulator::start(&[]);
    let home = Home::new();
    let ws = Workspace::new().file("main.wf.hcl", PROJECT);
    let (_, me) = emu.api("GET", "/api/users/me", None);
    let id = me["id"].as_i64().unwrap();
    let env = [
        ("WORKATO_API_TOKEN", "dev"),
        ("WORKATO_HOST", emu.url.as_str()),
    ];
    home.run(&ws, &["init"], &env, "")
        .success()
        .stdout_has(&format!("(id {id})"))
        .stdout_has(me["name"].as_str().unwrap())
        .stdout_has(&format!("custom host {}", emu.url))
        .stdout_has("Token from:   WORKATO_API_TOKEN")
        .stdout_has("Host from:    WORKATO_HOST");
    assert!(ws.path().join(".workform/state.redb").exists());
    home.run(&ws, &["init"], &env, "").success();

    // Another workspace: the state is bound to the first one.
    let other = Emulator::start(&["--seed", "99"]);
    let (_, other_me) = other.api("GET", "/api/users/me", None);
    assert_ne!(
        other_me["id"], me["id"],
        "the seed should change the workspace id"
    );
    home.run(
        &ws,
        &["init"],
        &[
            ("WORKATO_API_TOKEN", "dev"),
            ("WORKATO_HOST", other.url.as_str()),
        ],
        "",
    )
    .code(1)
    .stderr_has(&format!("belongs to workspace {id}"));
    home.run(
        &ws,
        &["plan"],
        &[
            ("WORKATO_API_TOKEN", "dev"),
            ("WORKATO_HOST", other.url.as_str()),
        ],
        "",
    )
    .code(1)
    .stderr_has("refusing to plan or apply against the wrong workspace");

    // init works in an empty directory too, and with a wrong token says so.
    let empty = Workspace::new();
    home.run(&empty, &["init"], &env, "")
        .success()
        .stdout_has("no configuration files yet");
    home.run(
        &empty,
        &["init"],
        &[
            ("WORKATO_API_TOKEN", "nope-4411"),
            ("WORKATO_HOST", emu.url.as_str()),
        ],
        "",
    )
    .code(1)
    .stderr_has("Authentication failed")
    .nowhere("nope-4411");
}

#[test]
fn init_in_the_sandbox_needs_no_credentials() {
    let home = Home::new();
    // A required variable without a value does not stop init (only the workato block matters).
    let required = "variable \"secret\" {\n  type = string\n}\n";
    let ws = Workspace::new().file("main.wf.hcl", &format!("{required}{PROJECT}"));
    home.run(&ws, &["--sandbox", "init"], &[], "")
        .success()
        .stdout_has("the built-in emulator");
    home.run(&ws, &["--sandbox", "--region", "eu", "init"], &[], "")
        .code(1)
        .stderr_has("cannot be used with it");
}

#[test]
fn hosts_and_regions_are_checked_and_named_by_source() {
    let home = Home::new();
    let ws = Workspace::new().file("main.wf.hcl", PROJECT);
    home.run(
        &ws,
        &["plan"],
        &[("WORKATO_API_TOKEN", "t"), ("WORKATO_REGION", "mars")],
        "",
    )
    .code(1)
    .stderr_has("WORKATO_REGION: unknown Workato region \"mars\"")
    .stderr_has("us, eu, jp, sg, au, il, kr, cn, trial");
    home.run(
        &ws,
        &["--region", "atlantis", "plan"],
        &[("WORKATO_API_TOKEN", "t")],
        "",
    )
    .code(1)
    .stderr_has("--region: unknown Workato region \"atlantis\"");
    home.run(
        &ws,
        &["--host", "http://workato.example.com", "plan"],
        &[("WORKATO_API_TOKEN", "t")],
        "",
    )
    .code(1)
    .stderr_has("--host: refusing plain http://");
    home.run(
        &ws,
        &["--host", "https://a.example", "--region", "eu", "plan"],
        &[("WORKATO_API_TOKEN", "t")],
        "",
    )
    .code(2)
    .stderr_has("cannot be used with");
    home.run(&ws, &["plan"], &[], "")
        .code(1)
        .stderr_has("no Workato API token")
        .stderr_has("workform profiles create")
        .stderr_has("--sandbox");
}

#[test]
fn the_workato_block_supplies_settings_and_warns_about_a_plain_token() {
    let emu = Emulator::start(&[]);
    let home = Home::new();
    let block = format!(
        "workato {{\n  host  = \"{}\"\n  token = var.token\n}}\nvariable \"token\" {{\n  type      = string\n  sensitive = true\n}}\n",
        emu.url
    );
    let ws = Workspace::new().file("main.wf.hcl", &format!("{block}{PROJECT}"));
    home.run(&ws, &["plan"], &[("WF_VAR_token", "dev")], "")
        .success()
        .stdout_has("1 to add");
    // Flags beat the block.
    home.run(
        &ws,
        &["--host", "http://127.0.0.1:1", "plan"],
        &[("WF_VAR_token", "dev")],
        "",
    )
    .code(1)
    .stderr_has("GET /api/users/me");

    let plain = format!(
        "workato {{\n  host  = \"{}\"\n  token = \"dev\"\n}}\n",
        emu.url
    );
    let ws = Workspace::new().file("main.wf.hcl", &format!("{plain}{PROJECT}"));
    home.run(&ws, &["plan"], &[], "")
        .success()
        .stderr_has("`token` is not sensitive");
}

#[test]
fn debug_logging_shows_each_request_but_no_secret() {
    let emu = Emulator::start(&["--token", "tok-log-0b9c=all"]);
    let home = Home::new();
    let ws = Workspace::new().file("main.wf.hcl", PROJECT);
    let env = [
        ("WORKATO_API_TOKEN", "tok-log-0b9c"),
        ("WORKATO_HOST", emu.url.as_str()),
        ("WORKFORM_LOG", "debug"),
    ];
    home.run(&ws, &["apply", "--auto-approve"], &env, "")
        .success()
        .stderr_has("[debug] GET /api/users/me → 200 in ")
        .stderr_has("[debug] POST /api/folders → 200 in ")
        .nowhere("tok-log-0b9c")
        .nowhere("Bearer");
    // Without the variable, nothing is logged.
    home.run(&ws, &["plan"], &env[..2], "")
        .success()
        .nowhere("[debug]");
}
