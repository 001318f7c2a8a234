//! The HTTP client for the Workato Developer API.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value as Json;

use super::error::ApiError;

/// The most items a paged list returns per page.
pub const PER_PAGE: usize = 100;

/// How many times a transient failure (429, 502–504, no answer) is retried.
const MAX_RETRIES: u32 = 6;

/// An API token. Debug and Display never show it.
#[derive(Clone)]
pub struct Token(Arc<str>);

impl Token {
    pub fn new(secret: impl Into<Arc<str>>) -> Token {
        Token(secret.into())
    }

    /// The secret itself: only for the Authorization header and for secret scanning.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Why a host cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("invalid Workato host {0:?}: expected a URL such as https://app.eu.workato.com")]
    Malformed(String),
    #[error(
        "refusing plain http:// for {0:?}: tokens are only sent over https, except to loopback addresses (127.0.0.1, localhost, [::1])"
    )]
    InsecureHost(String),
}

/// Checks and normalises a base URL: https anywhere, http only on loopback.
pub fn normalise_host(host: &str) -> Result<String, HostError> {
    let trimmed = host.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|_| HostError::Malformed(host.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(HostError::InsecureHost(host.to_string()));
            }
        }
        _ => return Err(HostError::Malformed(host.to_string())),
    }
    if url.host().is_none() {
        return Err(HostError::Malformed(host.to_string()));
    }
    Ok(trimmed.to_string())
}

/// A configured connection to one workspace.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: Arc<str>,
    token: Token,
    requests: Arc<AtomicU64>,
}

impl Api {
    /// `base` must already be normalised (see `normalise_host`).
    pub fn new(base: &str, token: Token) -> Api {
        let http = reqwest::Client::builder()
            .user_agent(concat!("workform/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            // Building only fails if the TLS backend cannot initialise: a broken install.
            .expect("HTTP client initialises");
        Api { http, base: base.into(), token, requests: Arc::default() }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Requests sent so far (retries included).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Json, ApiError> {
        self.send(Method::GET, path, query, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &Json,
    ) -> Result<Json, ApiError> {
        self.send(Method::POST, path, query, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: &Json) -> Result<Json, ApiError> {
        self.send(Method::PUT, path, &[], Some(body)).await
    }

    pub async fn delete(&self, path: &str, query: &[(&str, String)]) -> Result<Json, ApiError> {
        self.send(Method::DELETE, path, query, None).await
    }

    /// Reads every page of a paged list. `items` extracts the page's items from the body
    /// (the wrappers differ by endpoint); a short page ends the list.
    pub async fn get_all_pages(
        &self,
        path: &str,
        query: &[(&str, String)],
        items: fn(Json) -> Option<Vec<Json>>,
    ) -> Result<Vec<Json>, ApiError> {
        let mut all = Vec::new();
        for page in 1.. {
            let mut q = query.to_vec();
            q.push(("page", page.to_string()));
            q.push(("per_page", PER_PAGE.to_string()));
            let body = self.get(path, &q).await?;
            let batch = items(body).ok_or_else(|| ApiError::Decode {
                method: "GET".into(),
                path: path.into(),
                message: "expected a list".into(),
            })?;
            let done = batch.len() < PER_PAGE;
            all.extend(batch);
            if done {
                break;
            }
        }
        Ok(all)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Json>,
    ) -> Result<Json, ApiError> {
        let url = format!("{}{}", self.base, path);
        let mut attempt = 0;
        loop {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(self.token.expose())
                .header("Accept", "application/json");
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            let outcome: Result<(), (ApiError, Option<Duration>, StatusCode)> = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let retry_after = retry_after(&resp);
                    let text = resp.text().await.unwrap_or_default();
                    if status.is_success() {
                        return parse_body(method.as_str(), path, &text);
                    }
                    Err((
                        ApiError::from_status(method.as_str(), path, status.as_u16(), &text),
                        retry_after,
                        status,
                    ))
                }
                Err(e) => Err((
                    ApiError::Transport {
                        method: method.to_string(),
                        path: path.to_string(),
                        message: transport_message(e),
                    },
                    None,
                    StatusCode::SERVICE_UNAVAILABLE,
                )),
            };
            let (err, retry_after, status) = outcome.unwrap_err();
            if !err.is_transient() || attempt >= MAX_RETRIES || !retry_safe(&method, status) {
                return Err(err);
            }
            tokio::time::sleep(backoff(attempt, retry_after)).await;
            attempt += 1;
        }
    }
}

/// A 429 was refused before any work happened, so any method may be retried; a 5xx or a
/// lost connection may have landed, so only idempotent methods are.
fn retry_safe(method: &Method, status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || method != Method::POST
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let value = resp.headers().get("retry-after")?.to_str().ok()?;
    value.trim().parse::<f64>().ok().map(Duration::from_secs_f64)
}

/// Exponential backoff with jitter, honouring Retry-After when the server sends it.
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(d) = retry_after {
        return d.min(Duration::from_secs(60));
    }
    let base = 100u64 << attempt.min(6);
    let jitter = jitter_ms(base / 2);
    Duration::from_millis(base + jitter)
}

fn jitter_ms(max: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64)
        .unwrap_or(0);
    if max == 0 { 0 } else { nanos % max }
}

/// The error chain without the URL (the path is already named beside it).
fn transport_message(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

fn parse_body(method: &str, path: &str, text: &str) -> Result<Json, ApiError> {
    if text.trim().is_empty() {
        return Ok(Json::Null);
    }
    serde_json::from_str(text).map_err(|e| ApiError::Decode {
        method: method.to_string(),
        path: path.to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_only_allowed_on_loopback() {
        assert!(normalise_host("http://127.0.0.1:8080/").is_ok());
        assert!(normalise_host("http://localhost:1").is_ok());
        assert!(normalise_host("https://app.eu.workato.com").is_ok());
        assert!(matches!(
            normalise_host("http://app.eu.workato.com"),
            Err(HostError::InsecureHost(_))
        ));
        assert!(normalise_host("ftp://x").is_err());
        assert!(normalise_host("not a url").is_err());
    }
}
