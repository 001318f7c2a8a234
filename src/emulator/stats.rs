//! Request counters for `GET /__emulator/stats`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// Requests per `METHOD /route/{template}`.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    total: u64,
    by_route: BTreeMap<String, u64>,
}

impl Stats {
    pub(crate) fn record(&mut self, key: String) {
        self.total += 1;
        *self.by_route.entry(key).or_insert(0) += 1;
    }

    pub(crate) fn reset(&mut self) {
        *self = Stats::default();
    }

    /// `{"total": N, "by_route": {"GET /api/folders": n, ...}}`.
    pub(crate) fn to_json(&self) -> Value {
        json!({"total": self.total, "by_route": self.by_route})
    }
}
