//! Fault injection.

use std::time::{Duration, Instant};

use serde_json::json;

use super::T;
use crate::emulator::{EmulatorOptions, Faults};

fn with_faults(faults: Faults) -> EmulatorOptions {
    EmulatorOptions {
        faults,
        ..EmulatorOptions::default()
    }
}

async fn statuses(seed: u64) -> Vec<u16> {
    let t = T::with(with_faults(Faults {
        error_rate: 0.5,
        seed,
        ..Faults::default()
    }))
    .await;
    let mut out = Vec::new();
    for i in 0..40 {
        let (status, body) = t
            .post("/api/folders", json!({"name": format!("p{i}")}))
            .await;
        if status == 503 {
            assert_eq!(body, json!({"message": "Service unavailable"}));
        }
        out.push(status);
    }
    // Failed writes never applied: exactly the 200s created projects.
    let created = out.iter().filter(|s| **s == 200).count();
    let (status, body) = t.send_as(None, "GET", "/__emulator/stats", None).await;
    assert_eq!(status, 200, "hooks never fail");
    assert_eq!(body["total"], 40);
    let mut projects = None;
    for _ in 0..50 {
        let (status, body) = t.get("/api/projects").await;
        if status == 200 {
            projects = Some(body.as_array().unwrap().len());
            break;
        }
    }
    assert_eq!(projects, Some(created));
    t.emu.shutdown().await;
    out
}

#[tokio::test]
async fn error_rate_is_reproducible_and_atomic() {
    let a = statuses(7).await;
    assert_eq!(a, statuses(7).await);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
    assert_ne!(a, statuses(8).await);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let t = T::with(with_faults(Faults {
        rate_limit: Some(3),
        ..Faults::default()
    }))
    .await;
    let url = format!("{}/api/users/me", t.emu.base_url());
    let mut limited = None;
    for _ in 0..10 {
        let resp = t.client.get(&url).bearer_auth("dev").send().await.unwrap();
        if resp.status() == 429 {
            limited = Some(resp);
            break;
        }
    }
    let resp = limited.expect("a 429 within 10 quick requests");
    assert_eq!(resp.headers()["retry-after"], "1");
    // Hooks are never limited.
    for _ in 0..10 {
        let (status, _) = t.send_as(None, "GET", "/__emulator/stats", None).await;
        assert_eq!(status, 200);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) = t.get("/api/users/me").await;
    assert_eq!(status, 200);
    t.emu.shutdown().await;
}

#[tokio::test]
async fn latency_applies_to_api_only() {
    let t = T::with(with_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    }))
    .await;
    let start = Instant::now();
    t.send_as(None, "GET", "/__emulator/stats", None).await;
    assert!(start.elapsed() < Duration::from_millis(150));
    let start = Instant::now();
    t.ok("/api/users/me").await;
    assert!(start.elapsed() >= Duration::from_millis(150));
    t.emu.shutdown().await;
}
