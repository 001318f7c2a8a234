//! The benchmark's output: Markdown tables (pasted as-is into docs/performance.md) and one
//! line per target saying whether it is met.

use std::time::Duration;

use super::offline::{OfflineRow, Outcome};
use super::online::{OnlineRow, Stats};
use super::{
    LATENCY_MS, OFFLINE_MS_TARGET, OFFLINE_RSS_TARGET_MB, PARALLELISM, PLAN_CALLS_TARGET,
    RATIO_TARGET,
};

pub fn online_table(rows: &[OnlineRow]) -> String {
    let mut out = format!(
        "Online (emulator latency {LATENCY_MS} ms, parallelism {PARALLELISM}; bound = calls × {LATENCY_MS} ms ÷ {PARALLELISM})\n\n\
         | N | stage | API calls | wall | bound | wall/bound |\n|---:|---|---:|---:|---:|---:|\n"
    );
    for r in rows {
        // Rows without API calls (local work) have no bound.
        let (bound, ratio) = if r.calls == 0 {
            ("—".to_string(), "—".to_string())
        } else {
            (duration(r.bound()), format!("{:.2}×", r.ratio()))
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {bound} | {ratio} |\n",
            thousands(r.n),
            r.stage,
            r.calls,
            duration(r.wall),
        ));
    }
    out
}

pub fn routes(n: usize, stage: &str, stats: &Stats) -> String {
    let mut out = format!(
        "{stage}, N = {}: {} API calls by route\n\n",
        thousands(n),
        stats.total
    );
    for (route, count) in &stats.by_route {
        out.push_str(&format!("- `{route}`: {count}\n"));
    }
    out
}

pub fn offline_table(rows: &[OfflineRow]) -> String {
    let mut out = String::from(
        "Offline (no network; the state holds every resource; the plan finds no changes)\n\n\
         | N | parse | graph | plan (evaluate + diff) | total | peak RSS | state read (redb) |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let n = thousands(row.n);
        match &row.outcome {
            Outcome::Done(r) => out.push_str(&format!(
                "| {n} | {} | {} | {} | {} | {} | {} |\n",
                ms(r.parse_ms),
                ms(r.graph_ms),
                ms(r.plan_ms),
                ms(r.total_ms),
                megabytes(r.peak_rss_kib),
                ms(r.state_ms),
            )),
            Outcome::Stopped {
                after,
                peak_rss_kib,
            } => out.push_str(&format!(
                "| {n} | | | > {} (stopped) | > {} | ≥ {} | |\n",
                duration(*after),
                duration(*after),
                megabytes(*peak_rss_kib)
            )),
        }
    }
    out
}

pub fn profile_table(rows: &[OfflineRow]) -> String {
    let mut out = String::from(
        "Where the plan's time goes (a second, instrumented pass of the planner's loop)\n\n\
         | N | locals + outputs | evaluate instances | diff | record for references |\n|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        if let Outcome::Done(r) = &row.outcome
            && let Some(p) = &r.profile
        {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                thousands(row.n),
                ms(p.locals_ms),
                ms(p.eval_ms),
                ms(p.diff_ms),
                ms(p.record_ms)
            ));
        }
    }
    out
}

/// One line per target: the measurement and whether it is met.
pub fn verdicts(rows: &[OnlineRow], offline: &[OfflineRow]) -> String {
    let mark = |ok: bool| if ok { "met" } else { "MISSED" };
    let mut out = String::from("Targets\n\n");
    if let Some(r) = rows
        .iter()
        .find(|r| r.n == 1000 && r.stage == "plan-unchanged")
    {
        out.push_str(&format!(
            "- plan of 1,000 unchanged resources ≤ {PLAN_CALLS_TARGET} API calls: {} — {}\n",
            r.calls,
            mark(r.calls <= PLAN_CALLS_TARGET)
        ));
    }
    for r in rows.iter().filter(|r| r.targeted) {
        out.push_str(&format!(
            "- {} (N = {}) wall ≤ {RATIO_TARGET}× bound: {:.2}× — {}\n",
            r.stage,
            thousands(r.n),
            r.ratio(),
            mark(r.ratio() <= RATIO_TARGET)
        ));
    }
    if let Some(row) = offline.iter().find(|r| r.n == 10_000) {
        let (time, time_ok, rss_kib, rss_prefix) = match &row.outcome {
            Outcome::Done(r) => (
                ms(r.total_ms),
                r.total_ms < OFFLINE_MS_TARGET,
                r.peak_rss_kib,
                "",
            ),
            Outcome::Stopped {
                after,
                peak_rss_kib,
            } => (
                format!("> {} (stopped)", duration(*after)),
                false,
                *peak_rss_kib,
                "≥ ",
            ),
        };
        let rss_ok = (rss_kib as f64 / 1024.0) < OFFLINE_RSS_TARGET_MB;
        out.push_str(&format!(
            "- offline plan of 10,000 resources < 1 s: {time} — {}\n",
            mark(time_ok)
        ));
        out.push_str(&format!(
            "- offline plan of 10,000 resources < {OFFLINE_RSS_TARGET_MB:.0} MB: {rss_prefix}{} — {}\n",
            megabytes(rss_kib),
            if rss_ok && rss_prefix.is_empty() {
                "met"
            } else if rss_ok {
                "not known (stopped early)"
            } else {
                "MISSED"
            }
        ));
    }
    out
}

pub fn duration(d: Duration) -> String {
    ms(d.as_secs_f64() * 1e3)
}

fn ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// MiB, written "MB" as `top` and the targets do.
fn megabytes(kib: u64) -> String {
    format!("{:.0} MB", kib as f64 / 1024.0)
}

/// 10000 → "10,000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
