//! Limits on failed logins, per account and per address. Only failures count: a person who types the
//! right password is never slowed down, and a locked key opens again by itself.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// How many failures a key may have within `window` before it must wait.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_failures: u32,
    pub window: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// Failures counted in fixed windows per key. The caller supplies `now`, so the logic is testable.
#[derive(Debug)]
pub struct FailureLimiter<K> {
    policy: Policy,
    windows: HashMap<K, Window>,
}

impl<K: Eq + Hash + Clone> FailureLimiter<K> {
    pub fn new(policy: Policy) -> Self {
        Self { policy, windows: HashMap::new() }
    }

    /// `Err(wait)` while the key has used up its failures in the current window.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.check_max(key, now, self.policy.max_failures)
    }

    /// As `check`, with a limit that differs by key (each contest sets its own).
    pub fn check_max(&self, key: &K, now: Instant, max_failures: u32) -> Result<(), Duration> {
        match self.windows.get(key) {
            Some(w) if w.failures >= max_failures => {
                let reopens = w.started + self.policy.window;
                if now < reopens { Err(reopens - now) } else { Ok(()) }
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&mut self, key: &K, now: Instant) {
        let window = self.policy.window;
        let w = self.windows.entry(key.clone()).or_insert(Window { started: now, failures: 0 });
        if now.duration_since(w.started) >= window {
            *w = Window { started: now, failures: 0 };
        }
        w.failures += 1;
        // Keep memory bounded under a spray of usernames or addresses: expired windows go.
        if self.windows.len() > 100_000 {
            self.windows.retain(|_, w| now.duration_since(w.started) < window);
        }
    }

    /// A success clears the key's failures: the account's owner is back.
    pub fn record_success(&mut self, key: &K) {
        self.windows.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> FailureLimiter<&'static str> {
        FailureLimiter::new(Policy { max_failures: 3, window: Duration::from_secs(60) })
    }

    #[test]
    fn locks_after_max_failures_and_says_how_long() {
        let mut l = limiter();
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(l.check(&"alice", t0 + Duration::from_secs(i)).is_ok());
            l.record_failure(&"alice", t0 + Duration::from_secs(i));
        }
        let wait = l.check(&"alice", t0 + Duration::from_secs(10)).expect_err("locked");
        assert_eq!(wait, Duration::from_secs(50));
        assert!(l.check(&"bob", t0).is_ok(), "other keys are not affected");
        assert!(l.check(&"alice", t0 + Duration::from_secs(60)).is_ok(), "reopens after the window");
    }

    #[test]
    fn success_clears_and_old_failures_expire() {
        let mut l = limiter();
        let t0 = Instant::now();
        l.record_failure(&"a", t0);
        l.record_failure(&"a", t0);
        l.record_success(&"a");
        l.record_failure(&"a", t0);
        assert!(l.check(&"a", t0).is_ok());
        l.record_failure(&"a", t0 + Duration::from_secs(61));
        l.record_failure(&"a", t0 + Duration::from_secs(62));
        assert!(l.check(&"a", t0 + Duration::from_secs(62)).is_ok(), "new window counts from zero");
    }
}
