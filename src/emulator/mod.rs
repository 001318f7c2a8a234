//! A local emulator of the Workato Developer API.
//!
//! An axum server over an in-memory [`store::Store`] (optionally persisted to a JSON data
//! file). Every `/api` route checks the bearer token and the permission the route needs
//! (from [`crate::workato::permissions`]); `/__emulator/*` routes are test hooks that need no
//! token, are not counted and never see faults.
//!
//! Response shapes follow `reference/workato-api.md`: bare arrays for folders, projects,
//! connections, API collections, API endpoints and on-prem lists; `{"data": ...}` for data
//! tables and v2 API clients/keys; `{"data":{"tags":[...]}}` for tags.

mod api_clients;
mod api_keys;
mod auth;
mod collections;
mod connections;
mod data_tables;
mod faults;
mod folders;
mod hooks;
mod http;
mod ids;
mod model;
mod on_prem;
mod openapi;
mod properties;
mod recipes;
mod routes;
mod stats;
mod store;
mod tags;

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) use routes::API_ROUTES;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::workato::permissions::{self, Permission};
use faults::FaultState;
use http::{ApiError, message};
use stats::Stats;
use store::Store;

/// An API token the emulator accepts, with the permissions of its client role.
#[derive(Clone)]
pub struct TokenGrant {
    pub secret: String,
    pub permissions: Vec<&'static Permission>,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("secret", &"[REDACTED]")
            .field("permissions", &self.permissions.len())
            .finish()
    }
}

impl TokenGrant {
    /// `SECRET=SET`, SET as in [`permissions::parse_set`] ("all", "standard", "read-only",
    /// "none" or a comma list of permission names).
    pub fn parse(spec: &str) -> Result<TokenGrant, String> {
        let (secret, set) = spec
            .split_once('=')
            .ok_or_else(|| format!("invalid token spec \"{spec}\": expected SECRET=PERMISSIONS"))?;
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(format!("invalid token spec \"{spec}\": empty secret"));
        }
        Ok(TokenGrant {
            secret: secret.to_string(),
            permissions: permissions::parse_set(set)?,
        })
    }

    /// A token with every permission.
    pub fn all(secret: &str) -> TokenGrant {
        TokenGrant {
            secret: secret.to_string(),
            permissions: permissions::all().iter().collect(),
        }
    }

    /// Whether the grant holds `perm` (same group and name: a permission covers all its paths).
    pub(crate) fn allows(&self, perm: &Permission) -> bool {
        self.permissions
            .iter()
            .any(|p| p.group == perm.group && p.name == perm.name)
    }
}

/// Faults injected into `/api` requests (never into `/__emulator/*`).
#[derive(Clone, Default, Debug)]
pub struct Faults {
    /// Sleep this long before answering every `/api` request.
    pub latency_ms: u64,
    /// Fraction (0..1) of `/api` requests answered 503 before touching state.
    pub error_rate: f64,
    /// Requests per second over all `/api` requests (token bucket); excess gets 429 with
    /// `Retry-After: 1`.
    pub rate_limit: Option<u32>,
    /// Seed of the error sequence (and of the workspace id and generated ids).
    pub seed: u64,
}

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Accepted tokens; empty = one token "dev" with every permission.
    pub tokens: Vec<TokenGrant>,
    /// Persist the workspace here (loaded at start when it exists); None = in memory.
    pub data_file: Option<PathBuf>,
    pub faults: Faults,
}

impl Default for EmulatorOptions {
    fn default() -> EmulatorOptions {
        EmulatorOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tokens: Vec::new(),
            data_file: None,
            faults: Faults::default(),
        }
    }
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum EmulatorError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read emulator data file {}: {source}", path.display())]
    ReadData {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("emulator data file {} is corrupt: {source}", path.display())]
    #[diagnostic(help("fix or delete the file to start with an empty workspace"))]
    CorruptData {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// A running emulator; dropping it also stops the server.
pub struct RunningEmulator {
    addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    handle: JoinHandle<()>,
}

impl RunningEmulator {
    /// The bound address (with the real port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (an unspecified listen address is reported as loopback).
    pub fn base_url(&self) -> String {
        let port = self.addr.port();
        match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => format!("http://127.0.0.1:{port}"),
            IpAddr::V4(ip) => format!("http://{ip}:{port}"),
            IpAddr::V6(ip) if ip.is_unspecified() => {
                format!("http://[{}]:{port}", Ipv6Addr::LOCALHOST)
            }
            IpAddr::V6(ip) => format!("http://[{ip}]:{port}"),
        }
    }

    /// Stop accepting requests and wait (at most 5 s) for in-flight ones.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        let mut handle = self.handle;
        if tokio::time::timeout(Duration::from_secs(5), &mut handle)
            .await
            .is_err()
        {
            handle.abort();
        }
    }
}

/// Binds (port 0 = pick a free one), loads data_file if it exists, spawns the server on the
/// current tokio runtime, returns at once.
pub async fn start(opts: EmulatorOptions) -> Result<RunningEmulator, EmulatorError> {
    let store = match &opts.data_file {
        Some(path) => load(path, opts.faults.seed)?,
        None => Store::new(opts.faults.seed),
    };
    let tokens = if opts.tokens.is_empty() {
        vec![TokenGrant::all("dev")]
    } else {
        opts.tokens
    };
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: opts.listen,
            source,
        })?;
    let app = Arc::new(App {
        store: Mutex::new(store),
        stats: Mutex::new(Stats::default()),
        fault_state: Mutex::new(FaultState::new(&opts.faults)),
        faults: opts.faults,
        tokens,
        data_file: opts.data_file,
    });
    let router = routes::router(app);
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(RunningEmulator {
        addr,
        shutdown: tx,
        handle,
    })
}

fn load(path: &std::path::Path, seed: u64) -> Result<Store, EmulatorError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Store::from_json(&text).map_err(|source| EmulatorError::CorruptData {
            path: path.to_path_buf(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Store::new(seed)),
        Err(source) => Err(EmulatorError::ReadData {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Shared server state.
pub(crate) struct App {
    store: Mutex<Store>,
    stats: Mutex<Stats>,
    fault_state: Mutex<FaultState>,
    faults: Faults,
    tokens: Vec<TokenGrant>,
    data_file: Option<PathBuf>,
}

impl App {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stats(&self) -> MutexGuard<'_, Stats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Write the whole store to the data file (no-op when in memory). Runs under the store
    /// lock, so the file always holds the latest state.
    pub(crate) fn persist(&self) -> Result<(), ApiError> {
        let Some(path) = &self.data_file else {
            return Ok(());
        };
        let store = self.store();
        store::write_atomic(path, &store.to_json()).map_err(|e| {
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("emulator could not write {}: {e}", path.display()),
            )
        })
    }
}
