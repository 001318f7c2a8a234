//! Fault injection: latency, random 503s and a token-bucket rate limit over `/api` requests.

use tokio::time::Instant;

use super::Faults;
use super::ids::XorShift;

/// What the fault layer decided for one request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    /// 429 with `Retry-After: 1`.
    RateLimited,
    /// 503 before touching state.
    Unavailable,
}

/// Mutable fault state: the seeded error sequence and the rate-limit bucket.
pub(crate) struct FaultState {
    rng: XorShift,
    tokens: f64,
    last: Option<Instant>,
}

impl FaultState {
    pub(crate) fn new(faults: &Faults) -> FaultState {
        FaultState {
            rng: XorShift::new(faults.seed),
            tokens: faults.rate_limit.map(f64::from).unwrap_or(0.0),
            last: None,
        }
    }

    /// Decide the fate of the next `/api` request arriving at `now`. The rate limit is checked
    /// first; only requests that pass it draw from the error sequence.
    pub(crate) fn decide(&mut self, faults: &Faults, now: Instant) -> Verdict {
        if let Some(rate) = faults.rate_limit {
            let rate = f64::from(rate);
            if let Some(last) = self.last {
                let elapsed = now.saturating_duration_since(last).as_secs_f64();
                self.tokens = (self.tokens + elapsed * rate).min(rate);
            }
            self.last = Some(now);
            if self.tokens < 1.0 {
                return Verdict::RateLimited;
            }
            self.tokens -= 1.0;
        }
        if faults.error_rate > 0.0 && self.rng.next_f64() < faults.error_rate {
            return Verdict::Unavailable;
        }
        Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn error_sequence_is_seeded() {
        let faults = Faults {
            error_rate: 0.5,
            seed: 42,
            ..Faults::default()
        };
        let now = Instant::now();
        let run = || {
            let mut s = FaultState::new(&faults);
            (0..64)
                .map(|_| s.decide(&faults, now) == Verdict::Unavailable)
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let failures = a.iter().filter(|f| **f).count();
        assert!((16..=48).contains(&failures), "{failures}");
        let none = Faults::default();
        let mut s = FaultState::new(&none);
        assert!((0..100).all(|_| s.decide(&none, now) == Verdict::Pass));
    }

    #[test]
    fn token_bucket() {
        let faults = Faults {
            rate_limit: Some(2),
            ..Faults::default()
        };
        let mut s = FaultState::new(&faults);
        let t0 = Instant::now();
        assert_eq!(s.decide(&faults, t0), Verdict::Pass);
        assert_eq!(s.decide(&faults, t0), Verdict::Pass);
        assert_eq!(s.decide(&faults, t0), Verdict::RateLimited);
        let t1 = t0 + Duration::from_millis(500);
        assert_eq!(s.decide(&faults, t1), Verdict::Pass);
        assert_eq!(s.decide(&faults, t1), Verdict::RateLimited);
    }
}
