//! The HTTP client for the Workato Developer API.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value as Json;

use super::error::ApiError;
use crate::render::Printer;

/// The most items a paged list returns per page.
pub const PER_PAGE: usize = 100;

/// Pages of one listing requested at the same time when their number is known.
const CONCURRENT_PAGES: usize = 10;

/// Awaits every future, in order (a small join without pulling in the futures crate).
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (fut, slot) in pinned.iter_mut().zip(results.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.expect("every future finished"))
        .collect()
}

/// How many times a failure (502–504, no answer) is retried.
const MAX_RETRIES: u32 = 5;

/// How many times a 429 (throttled) is retried.
const MAX_THROTTLED_RETRIES: u32 = 8;

/// The longest single wait between attempts.
const MAX_DELAY: Duration = Duration::from_secs(60);

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
    /// The URL carries a user name or password; it is not echoed back.
    #[error(
        "invalid Workato host: the URL contains a user name or password; give only the scheme and host (e.g. https://app.eu.workato.com) and the token through WORKATO_API_TOKEN or a profile"
    )]
    Credentials,
}

/// Checks and normalises a base URL: https anywhere, http only on loopback. A bare host
/// name means https; a trailing `/api` is dropped (every request path starts with it).
pub fn normalise_host(host: &str) -> Result<String, HostError> {
    let text = host.trim();
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let url =
        reqwest::Url::parse(&with_scheme).map_err(|_| HostError::Malformed(host.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(HostError::Credentials);
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
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
    if url.host().is_none() || url.query().is_some() || url.fragment().is_some() {
        return Err(HostError::Malformed(host.to_string()));
    }
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/api").unwrap_or(path);
    let origin = url.origin().ascii_serialization();
    Ok(format!("{origin}{path}"))
}

/// A configured connection to one workspace.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: Arc<str>,
    token: Token,
    requests: Arc<AtomicU64>,
    /// Where `WORKFORM_LOG=debug` request lines go; `None` = silent.
    log: Option<Printer>,
    /// Per-group pacing (Workato's published limits on Workato hosts; off elsewhere).
    limiter: super::limiter::RateLimiter,
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
        let limiter = if super::limiter::is_workato_host(base) {
            super::limiter::RateLimiter::new(super::limiter::workato_defaults())
        } else {
            super::limiter::RateLimiter::off()
        };
        Api {
            http,
            base: base.into(),
            token,
            requests: Arc::default(),
            log: None,
            limiter,
        }
    }

    /// Replaces the per-group limits (from the `workato { rate_limits {} }` block).
    pub fn with_rate_limits(
        mut self,
        limits: std::collections::BTreeMap<String, super::limiter::Limit>,
    ) -> Api {
        self.limiter = super::limiter::RateLimiter::new(limits);
        self
    }

    /// Prints one line per HTTP attempt (method, path and query, status, time, retries) to
    /// stderr. Never the token (it only travels in the Authorization header) and never a
    /// body (bodies hold connection credentials and API key tokens).
    pub fn with_debug_log(mut self, printer: Printer) -> Api {
        self.log = Some(printer);
        self
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

    /// A POST the API treats as idempotent (an upsert such as `POST /api/properties`, or
    /// adding tags that are already there): retried after a 5xx or a lost connection like a
    /// PUT, where a plain [`Api::post`] is not (it could create a duplicate).
    pub async fn post_idempotent(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &Json,
    ) -> Result<Json, ApiError> {
        self.send_with(Method::POST, path, query, Some(body), true)
            .await
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
        self.get_all_pages_expecting(path, query, items, 0).await
    }

    /// Like `get_all_pages`, when the caller knows about how many items to expect (a
    /// refresh knows how many objects state holds): the pages those fill are requested
    /// at once (at most `CONCURRENT_PAGES` in flight; the rate limiter still paces them),
    /// so a refresh costs one round trip instead of one per page. Past them it goes page
    /// by page until a short page. The same calls either way.
    pub async fn get_all_pages_expecting(
        &self,
        path: &str,
        query: &[(&str, String)],
        items: fn(Json) -> Option<Vec<Json>>,
        expected: usize,
    ) -> Result<Vec<Json>, ApiError> {
        let fetch = |page: usize| {
            let mut q = query.to_vec();
            q.push(("page", page.to_string()));
            q.push(("per_page", PER_PAGE.to_string()));
            async move {
                let body = self.get(path, &q).await?;
                items(body).ok_or_else(|| ApiError::Decode {
                    method: "GET".into(),
                    path: path.into(),
                    message: "expected a list".into(),
                })
            }
        };
        let mut all = Vec::new();
        let mut page = 1;
        let known_pages = (expected / PER_PAGE + 1).min(CONCURRENT_PAGES);
        if known_pages > 1 {
            let batches = futures_join_all((1..=known_pages).map(fetch).collect()).await;
            for batch in batches {
                let batch = batch?;
                let done = batch.len() < PER_PAGE;
                all.extend(batch);
                page += 1;
                if done {
                    return Ok(all);
                }
            }
        }
        loop {
            let batch = fetch(page).await?;
            let done = batch.len() < PER_PAGE;
            all.extend(batch);
            if done {
                return Ok(all);
            }
            page += 1;
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Json>,
    ) -> Result<Json, ApiError> {
        let idempotent = method.is_idempotent();
        self.send_with(method, path, query, body, idempotent).await
    }

    /// Sends with retries; `idempotent` says whether a request that may have landed can be
    /// sent again.
    async fn send_with(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Json>,
        idempotent: bool,
    ) -> Result<Json, ApiError> {
        let url = format!("{}{}", self.base, path);
        let mut retries = Retries::default();
        loop {
            self.limiter.acquire(method.as_str(), path).await;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let started = Instant::now();
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
            let (err, failure, retry_after) = match req.send().await {
                Ok(resp) => {
                    let status = resp.status();
                    let retry_after = retry_after(&resp);
                    let text = resp.text().await.unwrap_or_default();
                    if status.is_success() {
                        self.log_attempt(
                            &method,
                            path,
                            query,
                            status.as_str(),
                            started,
                            &retries,
                            None,
                        );
                        return parse_body(method.as_str(), path, &text);
                    }
                    let err = ApiError::from_status(method.as_str(), path, status.as_u16(), &text);
                    (err, Failure::Status(status.as_u16()), retry_after)
                }
                Err(e) => {
                    let failure = if e.is_connect() {
                        Failure::Connect
                    } else {
                        Failure::Transport
                    };
                    let err = ApiError::Transport {
                        method: method.to_string(),
                        path: path.to_string(),
                        message: transport_message(e),
                    };
                    (err, failure, None)
                }
            };
            let delay = retries.next(idempotent, failure, retry_after);
            self.log_attempt(
                &method,
                path,
                query,
                &failure.to_string(),
                started,
                &retries,
                delay,
            );
            match delay {
                Some(d) => tokio::time::sleep(d).await,
                None => return Err(err),
            }
        }
    }

    /// `[debug] GET /api/folders?page=1&per_page=100 → 200 in 12 ms`, plus the retry about
    /// to happen (`; retry 2 in 1.10 s`) or, after retries, which attempt this was.
    #[allow(clippy::too_many_arguments)]
    fn log_attempt(
        &self,
        method: &Method,
        path: &str,
        query: &[(&str, String)],
        outcome: &str,
        started: Instant,
        retries: &Retries,
        next: Option<Duration>,
    ) {
        let Some(printer) = &self.log else { return };
        let mut line = format!("[debug] {method} {path}");
        for (i, (key, value)) in query.iter().enumerate() {
            line.push(if i == 0 { '?' } else { '&' });
            line.push_str(key);
            line.push('=');
            line.push_str(value);
        }
        line.push_str(&format!(
            " → {outcome} in {} ms",
            started.elapsed().as_millis()
        ));
        match next {
            // `next` was computed after counting this failure.
            Some(delay) => line.push_str(&format!(
                "; retry {} in {:.2} s",
                retries.total(),
                delay.as_secs_f64()
            )),
            None if retries.total() > 0 => {
                line.push_str(&format!(" (attempt {})", retries.total() + 1))
            }
            None => {}
        }
        printer.err(&line);
    }
}

/// How an attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// An HTTP answer with this status.
    Status(u16),
    /// No connection could be made: the request never left.
    Connect,
    /// The connection broke or timed out after the request may have been sent.
    Transport,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status(s) => write!(f, "{s}"),
            Failure::Connect => f.write_str("cannot connect"),
            Failure::Transport => f.write_str("no answer"),
        }
    }
}

/// Retries of one request so far. Throttling (429) and failures (5xx, no answer) have
/// separate budgets: a busy workspace throttles often without anything being wrong.
#[derive(Debug, Default)]
struct Retries {
    throttled: u32,
    failed: u32,
}

impl Retries {
    /// The delay before the next attempt, or `None` when this failure is final.
    fn next(
        &mut self,
        idempotent: bool,
        failure: Failure,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if !retry_safe(idempotent, failure) {
            return None;
        }
        let count = if failure == Failure::Status(429) {
            &mut self.throttled
        } else {
            &mut self.failed
        };
        let budget = if failure == Failure::Status(429) {
            MAX_THROTTLED_RETRIES
        } else {
            MAX_RETRIES
        };
        if *count >= budget {
            return None;
        }
        let delay = backoff(*count, retry_after, random_u64());
        *count += 1;
        Some(delay)
    }

    fn total(&self) -> u32 {
        self.throttled + self.failed
    }
}

/// Whether another attempt is safe. A 429 is refused before any work happens and a failed
/// connect never sent anything, so any request may be retried. A 5xx or a broken
/// connection may have landed, so only idempotent requests are: a second create `POST`
/// could make a duplicate (finding out whether the first landed, by natural key, is the
/// apply engine's job, not the transport's).
fn retry_safe(idempotent: bool, failure: Failure) -> bool {
    match failure {
        Failure::Status(429) | Failure::Connect => true,
        Failure::Status(502..=504) | Failure::Transport => idempotent,
        Failure::Status(_) => false,
    }
}

/// The server's `Retry-After` in seconds (the HTTP-date form is ignored: exponential
/// backoff covers it). Absurd values are capped rather than trusted.
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let value = resp.headers().get("retry-after")?.to_str().ok()?;
    parse_retry_after(value)
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    let secs = value.trim().parse::<f64>().ok()?;
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(secs.min(MAX_DELAY.as_secs_f64())))
}

/// Exponential backoff with jitter; at least `Retry-After` when the server sends it, plus
/// up to a quarter more so that requests throttled together do not return together.
fn backoff(retry: u32, retry_after: Option<Duration>, random: u64) -> Duration {
    if let Some(after) = retry_after {
        let spread = (after.as_millis() as u64 / 4).max(100);
        return (after + Duration::from_millis(random % (spread + 1))).min(MAX_DELAY);
    }
    // 250 ms, 500 ms, 1 s, … capped at 8 s; half fixed, half random ("equal jitter").
    let base = (250u64 << retry.min(5)).min(8_000);
    Duration::from_millis(base / 2 + random % (base / 2 + 1))
}

/// A cheap random number for jitter (splitmix64 over the clock and a counter): no crate
/// needed, and concurrent callers get different values.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut z = nanos ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
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
        assert_eq!(
            normalise_host("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(normalise_host("http://localhost:1").is_ok());
        assert!(normalise_host("http://[::1]:1").is_ok());
        assert_eq!(
            normalise_host("https://app.eu.workato.com").unwrap(),
            "https://app.eu.workato.com"
        );
        assert!(matches!(
            normalise_host("http://app.eu.workato.com"),
            Err(HostError::InsecureHost(_))
        ));
        assert!(matches!(
            normalise_host("http://10.0.0.1"),
            Err(HostError::InsecureHost(_))
        ));
        assert!(normalise_host("ftp://x").is_err());
        assert!(normalise_host("not a url").is_err());
        assert!(normalise_host("https://x.com/?a=1").is_err());
    }

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(
            normalise_host("app.eu.workato.com").unwrap(),
            "https://app.eu.workato.com"
        );
        assert_eq!(
            normalise_host(" https://www.workato.com/api/ ").unwrap(),
            "https://www.workato.com"
        );
        assert_eq!(
            normalise_host("https://WWW.Workato.com").unwrap(),
            "https://www.workato.com"
        );
        assert_eq!(
            normalise_host("https://vpw.example/workato").unwrap(),
            "https://vpw.example/workato"
        );
    }

    #[test]
    fn credentials_in_a_host_are_refused_without_echoing_them() {
        let err = normalise_host("https://user:s3cret@www.workato.com")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("s3cret"), "{err}");
        assert!(err.contains("user name or password"), "{err}");
    }

    #[test]
    fn only_safe_failures_are_retried() {
        assert!(
            Method::GET.is_idempotent()
                && Method::PUT.is_idempotent()
                && Method::DELETE.is_idempotent()
        );
        assert!(!Method::POST.is_idempotent());
        let (idempotent, post) = (true, false);
        assert!(retry_safe(idempotent, Failure::Status(503)));
        assert!(retry_safe(idempotent, Failure::Status(502)));
        assert!(retry_safe(idempotent, Failure::Transport));
        assert!(retry_safe(post, Failure::Status(429)));
        assert!(retry_safe(post, Failure::Connect));
        assert!(!retry_safe(post, Failure::Status(503)));
        assert!(!retry_safe(post, Failure::Transport));
        assert!(!retry_safe(idempotent, Failure::Status(500)));
        assert!(!retry_safe(idempotent, Failure::Status(403)));
        assert!(!retry_safe(idempotent, Failure::Status(404)));
    }

    #[test]
    fn retries_are_bounded_with_separate_budgets() {
        let mut r = Retries::default();
        let n503 = std::iter::from_fn(|| r.next(true, Failure::Status(503), None)).count();
        assert_eq!(n503 as u32, MAX_RETRIES);
        // Throttling still has its own budget after the failures ran out.
        let n429 = std::iter::from_fn(|| r.next(true, Failure::Status(429), None)).count();
        assert_eq!(n429 as u32, MAX_THROTTLED_RETRIES);
        assert_eq!(r.total(), MAX_RETRIES + MAX_THROTTLED_RETRIES);
        let mut r = Retries::default();
        assert_eq!(r.next(false, Failure::Status(503), None), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_honours_retry_after() {
        for random in [0, 7, u64::MAX] {
            let first = backoff(0, None, random);
            assert!(
                first >= Duration::from_millis(125) && first <= Duration::from_millis(250),
                "{first:?}"
            );
            let later = backoff(3, None, random);
            assert!(
                later >= Duration::from_millis(1000) && later <= Duration::from_millis(2000),
                "{later:?}"
            );
            let capped = backoff(30, None, random);
            assert!(capped <= Duration::from_secs(8), "{capped:?}");
            let after = backoff(0, Some(Duration::from_secs(1)), random);
            assert!(
                after >= Duration::from_secs(1) && after <= Duration::from_millis(1250),
                "{after:?}"
            );
        }
        assert_ne!(backoff(2, None, 1), backoff(2, None, 400));
        assert!(backoff(0, Some(Duration::from_secs(3600)), 5) <= MAX_DELAY);
    }

    #[test]
    fn retry_after_values_never_panic() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("1e300"), Some(MAX_DELAY));
        assert_eq!(parse_retry_after("-3"), None);
        assert_eq!(parse_retry_after("NaN"), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn tokens_do_not_debug_print() {
        let t = Token::new("s3cret-token");
        assert_eq!(format!("{t:?}"), "Token(***)");
    }
}
