//! Emulator tests: reqwest against `start()` on 127.0.0.1:0.

mod api_platform;
mod basics;
mod connections;
mod data_tables;
mod faults;
mod folders;
mod on_prem;
mod properties;
mod tags;

use serde_json::Value;

use super::{EmulatorOptions, RunningEmulator, TokenGrant, start};

/// A running emulator plus a client.
pub(super) struct T {
    pub emu: RunningEmulator,
    pub client: reqwest::Client,
    pub token: String,
}

impl T {
    /// Emulator with the default "dev" token.
    pub async fn new() -> T {
        T::with(EmulatorOptions::default()).await
    }

    pub async fn with(opts: EmulatorOptions) -> T {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let emu = start(opts).await.expect("emulator starts");
        T {
            emu,
            client: reqwest::Client::new(),
            token: "dev".to_string(),
        }
    }

    pub async fn with_tokens(tokens: &[&str]) -> T {
        let tokens = tokens
            .iter()
            .map(|t| TokenGrant::parse(t).unwrap())
            .collect();
        T::with(EmulatorOptions {
            tokens,
            ..EmulatorOptions::default()
        })
        .await
    }

    /// Send a request with `token` (None = no Authorization header).
    pub async fn send_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{}", self.emu.base_url(), path);
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, url);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("request is sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send_as(Some(&self.token.clone()), method, path, body)
            .await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("PUT", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.send("DELETE", path, None).await
    }

    /// GET that must answer 200.
    pub async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// POST that must answer 200.
    pub async fn created(&self, path: &str, body: Value) -> Value {
        let (status, out) = self.post(path, body).await;
        assert_eq!(status, 200, "POST {path}: {out}");
        out
    }

    /// Create a project; returns (folder id, project id).
    pub async fn project(&self, name: &str) -> (u64, u64) {
        let f = self
            .created("/api/folders", serde_json::json!({"name": name}))
            .await;
        (f["id"].as_u64().unwrap(), f["project_id"].as_u64().unwrap())
    }

    /// Create a folder under `parent`; returns its id.
    pub async fn folder(&self, name: &str, parent: u64) -> u64 {
        let f = self
            .created(
                "/api/folders",
                serde_json::json!({"name": name, "parent_id": parent.to_string()}),
            )
            .await;
        f["id"].as_u64().unwrap()
    }

    pub async fn stats(&self) -> Value {
        let (status, body) = self.send_as(None, "GET", "/__emulator/stats", None).await;
        assert_eq!(status, 200);
        body
    }
}

/// The ids in a list of objects.
pub(super) fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|v| v["id"].as_u64().unwrap())
        .collect()
}
