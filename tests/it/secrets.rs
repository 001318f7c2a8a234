//! Secret hygiene: every command, with known secrets in play (the API token, a sensitive
//! variable, connection inputs, sensitive property values, an API key token), and
//! `WORKFORM_LOG=debug` variants and error paths (401, 403 before and at a write). No
//! secret may appear in stdout or stderr, except the value of a sensitive output asked
//! for by name.

use crate::credentials::Home;
use crate::support::Run;
use crate::support::{Emulator, Workspace};

const TOKEN: &str = "tok-scan-4f1a9e70";
const WRONG_TOKEN: &str = "tok-wrong-scan-77aa01";
const RO_TOKEN: &str = "tok-ro-scan-55bb02";
const NO_WRITE_TOKEN: &str = "tok-nowrite-scan-66cc03";
const VAR_SECRET: &str = "var-scan-8b2c7d11";
const CONN_SECRET: &str = "conn-scan-1e6f3a22";
const PROP_SECRET: &str = "prop-scan-9d0c2b33";
const NEW_PROP_SECRET: &str = "prop-scan-new-3c3c44";

fn config(literal: &str) -> String {
    format!(
        r#"
variable "db_password" {{
  type      = string
  sensitive = true
}}

resource "workato_project" "p" {{
  name = "Secrets"
}}

resource "workato_connection" "c" {{
  name           = "Vault"
  connector_name = "jira"
  folder_id      = workato_project.p.folder_id
  input = {{
    host_name = "acme.atlassian.net"
    apitoken  = "{CONN_SECRET}"
    password  = var.db_password
  }}
}}

resource "workato_project_property" "pw" {{
  project_id = workato_project.p.id
  name       = "secrets.password"
  value      = var.db_password
}}

resource "workato_project_property" "literal" {{
  project_id = workato_project.p.id
  name       = "secrets.literal"
  value      = "{literal}"
}}

resource "workato_api_client" "a" {{
  name      = "Client"
  auth_type = "token"
}}

resource "workato_api_key" "k" {{
  api_client_id = workato_api_client.a.id
  name          = "Key"
}}

output "password" {{
  value     = var.db_password
  sensitive = true
}}

output "key" {{
  value     = workato_api_key.k.auth_token
  sensitive = true
}}

output "project_id" {{
  value = workato_project.p.id
}}
"#
    )
}

/// Every command run, labelled, for the final scan.
struct Scan<'a> {
    home: Home,
    ws: Workspace,
    emu: &'a Emulator,
    runs: Vec<(String, Run)>,
}

impl Scan<'_> {
    /// Runs `args` with `token` (plain and with WORKFORM_LOG=debug), expecting `code`.
    fn both(&mut self, args: &[&str], token: &str, code: i32) {
        self.one(args, token, code, false);
        self.one(args, token, code, true);
    }

    fn one(&mut self, args: &[&str], token: &str, code: i32, debug: bool) -> &Run {
        let mut env = vec![
            ("WORKATO_HOST", self.emu.url.as_str()),
            ("WF_VAR_db_password", VAR_SECRET),
        ];
        if !token.is_empty() {
            env.push(("WORKATO_API_TOKEN", token));
        }
        if debug {
            env.push(("WORKFORM_LOG", "debug"));
        }
        let run = self.home.run(&self.ws, args, &env, "").code(code);
        let label = format!(
            "{}{} [token {token}]",
            args.join(" "),
            if debug { " (debug)" } else { "" }
        );
        self.runs.push((label, run));
        &self.runs.last().unwrap().1
    }
}

#[test]
fn no_command_prints_a_secret() {
    let emu = Emulator::start(&[
        "--token",
        "dev=all",
        "--token",
        &format!("{TOKEN}=all"),
        "--token",
        &format!("{RO_TOKEN}=read-only"),
        "--token",
        &format!(
            "{NO_WRITE_TOKEN}=Workspace Details: Get details, List projects, List folders, Connections: List, Environment Properties: List, List clients, List access profiles, List collections"
        ),
    ]);
    let mut s = Scan {
        home: Home::new(),
        ws: Workspace::new().file("main.wf.hcl", &config(PROP_SECRET)),
        emu: &emu,
        runs: Vec::new(),
    };

    s.both(&["validate"], "", 0);
    s.both(&["plan"], TOKEN, 0);
    s.both(&["permissions"], "", 0);
    s.both(&["permissions", "--check"], TOKEN, 0);
    s.both(&["init"], TOKEN, 0);
    // Error paths before anything exists: a wrong token (401), a read-only one (403 in the
    // preflight).
    s.both(&["plan"], WRONG_TOKEN, 1);
    s.both(&["apply", "--auto-approve"], WRONG_TOKEN, 1);
    s.both(&["permissions", "--check"], WRONG_TOKEN, 1);
    s.both(&["apply", "--auto-approve"], RO_TOKEN, 1);
    s.both(&["permissions", "--check"], RO_TOKEN, 1);

    s.one(&["apply", "--auto-approve"], TOKEN, 0, true);
    s.both(&["plan", "--detailed-exitcode"], TOKEN, 0);
    s.both(&["output"], "", 0);
    s.both(&["output", "--json"], "", 0);
    s.both(&["output", "project_id", "--json"], "", 0);
    s.both(&["state", "list"], "", 0);
    s.both(&["show"], "", 0);
    s.both(&["graph"], "", 0);

    // The sensitive outputs print their values when asked by name: that is their job.
    let shown = s.one(&["output", "password"], "", 0, false).stdout.clone();
    assert!(shown.contains(VAR_SECRET), "{shown}");
    let shown = s
        .one(&["output", "password", "--json"], "", 0, false)
        .stdout
        .clone();
    assert!(shown.contains(VAR_SECRET), "{shown}");
    let key = s
        .one(&["output", "key", "--raw"], "", 0, false)
        .stdout
        .trim()
        .to_string();
    assert!(key.len() >= 16, "no API key token: {key:?}");

    // A changed sensitive value: planned, then refused at the write (403), then applied.
    s.ws.write("main.wf.hcl", &config(NEW_PROP_SECRET));
    s.both(&["plan", "--detailed-exitcode"], TOKEN, 2);
    s.both(&["apply", "--auto-approve"], NO_WRITE_TOKEN, 1);
    assert!(
        s.runs.last().unwrap().1.stderr.contains("Upsert"),
        "the 403 at the write names the permission:\n{}",
        s.runs.last().unwrap().1.stderr
    );
    s.both(&["plan"], WRONG_TOKEN, 1);
    s.one(&["apply", "--auto-approve"], TOKEN, 0, false);

    // Profiles: the token goes in through stdin and never comes back out.
    let created = s
        .home
        .run(
            &s.ws,
            &["profiles", "create", "scan", "--host", &emu.url],
            &[],
            &format!("{TOKEN}\n"),
        )
        .success();
    s.runs.push(("profiles create".into(), created));
    let listed = s.home.run(&s.ws, &["profiles", "list"], &[], "").success();
    s.runs.push(("profiles list".into(), listed));
    s.both(&["plan"], "", 0);

    s.one(&["destroy", "--auto-approve"], TOKEN, 0, true);
    s.both(&["destroy", "--auto-approve"], TOKEN, 0);

    let secrets = [
        TOKEN,
        WRONG_TOKEN,
        RO_TOKEN,
        NO_WRITE_TOKEN,
        VAR_SECRET,
        CONN_SECRET,
        PROP_SECRET,
        NEW_PROP_SECRET,
        &key,
    ];
    let allowed = |label: &str, secret: &str| {
        (label.starts_with("output password") && secret == VAR_SECRET)
            || (label.starts_with("output key") && secret == key)
    };
    assert!(s.runs.len() > 50, "{} runs", s.runs.len());
    for (label, run) in &s.runs {
        for secret in secrets {
            if allowed(label, secret) {
                continue;
            }
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "`workform {label}` printed the secret {secret:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                run.stdout,
                run.stderr
            );
        }
    }
    // Debug runs did log requests (the scan covered real log lines).
    assert!(
        s.runs
            .iter()
            .any(|(l, r)| l.contains("(debug)")
                && r.stderr.contains("[debug] POST /api/connections"))
    );
}
