//! The test DSL: a config directory, an emulator, and commands with expectations.
//!
//! ```ignore
//! let emu = Emulator::start(&[]);
//! let ws = Workspace::new().file("main.wf.hcl", HCL);
//! ws.run(&["plan", "--detailed-exitcode"], &emu).code(2).stdout_has("3 to add");
//! ```

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value as Json;

pub const BIN: &str = env!("CARGO_BIN_EXE_workform");

/// A `workform emulator` process on 127.0.0.1 with a random port; killed on drop.
pub struct Emulator {
    child: Child,
    pub url: String,
    runtime: tokio::runtime::Runtime,
}

impl Emulator {
    /// Starts the emulator with extra arguments (e.g. `["--token", "ro=read-only"]`).
    pub fn start(args: &[&str]) -> Emulator {
        // reqwest here uses rustls with ring, like workform itself.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut child = Command::new(BIN)
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("emulator starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("emulator prints its address");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Emulator {
            child,
            url,
            runtime,
        }
    }

    /// Calls the emulator's API directly (as another client would), with token `dev`.
    pub fn api(&self, method: &str, path: &str, body: Option<Json>) -> (u16, Json) {
        self.request(method, path, body, Some("dev"))
    }

    /// One API call; answers the emulator's fault injection produces (429, 503) are retried,
    /// since these checks stand for a person looking at the workspace, not for workform.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Json>,
        token: Option<&str>,
    ) -> (u16, Json) {
        let url = format!("{}{}", self.url, path);
        self.runtime.block_on(async {
            let client = reqwest::Client::new();
            for attempt in 0.. {
                let mut req = client.request(method.parse().unwrap(), &url);
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                if let Some(b) = &body {
                    req = req.json(b);
                }
                let resp = req.send().await.expect("emulator answers");
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap();
                if matches!(status, 429 | 503) && attempt < 50 {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
                return (status, serde_json::from_str(&text).unwrap_or(Json::Null));
            }
            unreachable!()
        })
    }

    /// `GET /__emulator/stats` → total request count.
    pub fn total_requests(&self) -> u64 {
        self.request("GET", "/__emulator/stats", None, None).1["total"]
            .as_u64()
            .unwrap()
    }

    pub fn reset_stats(&self) {
        self.request("POST", "/__emulator/reset", None, None);
    }

    /// Names of every project in the workspace.
    pub fn project_names(&self) -> Vec<String> {
        let (_, body) = self.api("GET", "/api/projects?per_page=100", None);
        body.as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary configuration directory.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn file(self, name: &str, text: &str) -> Workspace {
        self.write(name, text);
        self
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join(name), text).unwrap();
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs workform in this directory against `emu` with the `dev` token.
    pub fn run(&self, args: &[&str], emu: &Emulator) -> Run {
        self.run_with(
            args,
            &[("WORKATO_API_TOKEN", "dev"), ("WORKATO_HOST", &emu.url)],
        )
    }

    /// Starts workform in this directory against `emu` without waiting (for kill tests).
    pub fn spawn(&self, args: &[&str], emu: &Emulator) -> std::process::Child {
        let mut cmd = Command::new(BIN);
        cmd.arg("-C").arg(self.dir.path()).args(args);
        cmd.env("NO_COLOR", "1")
            .env("WORKATO_API_TOKEN", "dev")
            .env("WORKATO_HOST", &emu.url);
        cmd.env("XDG_CONFIG_HOME", self.dir.path().join(".xdg"));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("workform starts")
    }

    /// Runs workform in this directory with exactly these workspace variables.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.arg("-C").arg(self.dir.path()).args(args);
        for (k, _) in std::env::vars() {
            if k.starts_with("WORKATO_") || k.starts_with("WF_VAR_") || k.starts_with("WORKFORM_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("NO_COLOR", "1");
        // Never a developer's own ~/.config/workform/credentials.toml.
        cmd.env("XDG_CONFIG_HOME", self.dir.path().join(".xdg"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.stdin(Stdio::null()).output().expect("workform runs");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.path().join(".workform/state.redb")
    }
}

/// A finished command, with chainable expectations.
pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn context(&self) -> String {
        format!(
            "workform {}\n--- exit {} ---\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            expected,
            "unexpected exit code\n{}",
            self.context()
        );
        self
    }

    pub fn success(self) -> Run {
        self.code(0)
    }

    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.context()
        );
        self
    }

    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.context()
        );
        self
    }

    /// Neither stdout nor stderr contains `needle` (secrets).
    pub fn nowhere(self, needle: &str) -> Run {
        assert!(
            !self.stdout.contains(needle) && !self.stderr.contains(needle),
            "output contains {needle:?}\n{}",
            self.context()
        );
        self
    }
}
