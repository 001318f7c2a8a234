//! Client-side rate limiting per Workato API group, so a large apply never provokes 429s.
//!
//! Workato publishes per-group limits (reference/workato-api.md §1.4): folders, projects,
//! data tables, properties and on-prem at 60 requests/minute; connection writes at one
//! per second; the API platform at 10 per second. Each group is a token bucket whose
//! capacity is its per-window allowance, so short bursts go through at once and long runs
//! settle at the published rate.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

/// A rate-limit group and its limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Requests allowed per `per`.
    pub requests: f64,
    pub per: Duration,
}

impl Limit {
    pub const fn per_minute(n: u32) -> Limit {
        Limit {
            requests: n as f64,
            per: Duration::from_secs(60),
        }
    }

    pub const fn per_second(n: u32) -> Limit {
        Limit {
            requests: n as f64,
            per: Duration::from_secs(1),
        }
    }
}

/// The groups, named as in the `workato { rate_limits { ... } }` block.
pub const GROUPS: &[&str] = &[
    "folders",
    "tables",
    "properties",
    "on_prem",
    "connection_writes",
    "api_platform",
    "tags",
];

/// Workato's published limits (tags are undocumented: treated like folders).
pub fn workato_defaults() -> BTreeMap<String, Limit> {
    [
        ("folders", Limit::per_minute(60)),
        ("tables", Limit::per_minute(60)),
        ("properties", Limit::per_minute(60)),
        ("on_prem", Limit::per_minute(60)),
        ("tags", Limit::per_minute(60)),
        ("connection_writes", Limit::per_second(1)),
        ("api_platform", Limit::per_second(10)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Which group a request counts against, if any.
pub fn group_of(method: &str, path: &str) -> Option<&'static str> {
    let p = path.trim_start_matches("/api/");
    let first = p.split(['/', '?']).next().unwrap_or("");
    Some(match first {
        "folders" | "projects" => "folders",
        "data_tables" => "tables",
        "properties" => "properties",
        "on_prem_groups" | "on_prem_agents" => "on_prem",
        "tags" | "tags_assignments" => "tags",
        "connections" if method != "GET" => "connection_writes",
        "api_collections" | "api_endpoints" | "api_clients" | "v2" => "api_platform",
        _ => return None,
    })
}

struct Bucket {
    limit: Limit,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// Takes a token, returning how long to wait before the request may go.
    fn take(&mut self, now: Instant) -> Duration {
        let rate = self.limit.requests / self.limit.per.as_secs_f64();
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(self.limit.requests);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / rate)
        }
    }
}

/// Token buckets for the configured groups; unconfigured groups are not limited.
#[derive(Clone, Default)]
pub struct RateLimiter {
    buckets: Arc<BTreeMap<String, Mutex<Bucket>>>,
}

impl RateLimiter {
    pub fn new(limits: BTreeMap<String, Limit>) -> RateLimiter {
        let now = Instant::now();
        let buckets = limits
            .into_iter()
            .filter(|(_, l)| l.requests > 0.0)
            .map(|(k, limit)| {
                (
                    k,
                    Mutex::new(Bucket {
                        limit,
                        tokens: limit.requests,
                        last: now,
                    }),
                )
            })
            .collect();
        RateLimiter {
            buckets: Arc::new(buckets),
        }
    }

    /// No limits at all.
    pub fn off() -> RateLimiter {
        RateLimiter::default()
    }

    /// Waits until the request's group allows another request.
    pub async fn acquire(&self, method: &str, path: &str) {
        let Some(group) = group_of(method, path) else {
            return;
        };
        let Some(bucket) = self.buckets.get(group) else {
            return;
        };
        let wait = bucket.lock().await.take(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    pub fn is_off(&self) -> bool {
        self.buckets.is_empty()
    }
}

/// Workato's own hosts get the published limits by default; anything else (the emulator,
/// a private host) is unlimited unless configured.
pub fn is_workato_host(base_url: &str) -> bool {
    let host = base_url
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    host == "workato.com" || host.ends_with(".workato.com") || host.ends_with(".workatoapp.cn")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_map_to_their_groups() {
        assert_eq!(group_of("POST", "/api/folders"), Some("folders"));
        assert_eq!(group_of("PUT", "/api/projects/3"), Some("folders"));
        assert_eq!(group_of("GET", "/api/connections"), None);
        assert_eq!(
            group_of("POST", "/api/connections"),
            Some("connection_writes")
        );
        assert_eq!(
            group_of("GET", "/api/v2/api_clients/1/api_keys"),
            Some("api_platform")
        );
        assert_eq!(group_of("GET", "/api/users/me"), None);
    }

    #[test]
    fn a_bucket_allows_its_burst_then_paces() {
        let start = Instant::now();
        let mut b = Bucket {
            limit: Limit::per_second(10),
            tokens: 10.0,
            last: start,
        };
        for _ in 0..10 {
            assert_eq!(b.take(start), Duration::ZERO);
        }
        let wait = b.take(start);
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        // A second later the bucket has refilled.
        assert_eq!(b.take(start + Duration::from_secs(2)), Duration::ZERO);
    }

    #[test]
    fn only_workato_hosts_are_limited_by_default() {
        assert!(is_workato_host("https://www.workato.com"));
        assert!(is_workato_host("https://app.eu.workato.com"));
        assert!(is_workato_host("https://app.workatoapp.cn"));
        assert!(!is_workato_host("http://127.0.0.1:4000"));
        assert!(!is_workato_host("https://notworkato.com"));
    }
}
