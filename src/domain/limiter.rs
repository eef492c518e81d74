//! Limits over a sliding window: how many events (failed logins, wrong answers) a key may have within a
//! window, and how long to wait once it has had them. The counts are rows in the database, read under a
//! lock in the transaction that records the next event, so that a burst cannot slip between a check and its
//! record; what is left here is the arithmetic. Only failures count: a right password or answer is never
//! slowed down by its own success, and a locked key opens again by itself.

use chrono::{DateTime, Duration, Utc};

/// How many events a key may have within `window` before it must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub max: u64,
    pub window: Duration,
}

/// Failed logins: 5 per account and 30 per address in 5 minutes.
pub const LOGIN_PER_ACCOUNT: Policy = Policy { max: 5, window: Duration::minutes(5) };
pub const LOGIN_PER_ADDRESS: Policy = Policy { max: 30, window: Duration::minutes(5) };

/// What a key has used of its window: how many events, and the time of the oldest that still counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Used {
    pub count: u64,
    pub oldest: Option<DateTime<Utc>>,
}

impl Policy {
    /// Wrong answers a team may send in a minute (each contest sets its own).
    pub fn per_minute(max: i32) -> Policy {
        Policy { max: u64::try_from(max.max(1)).unwrap_or(1), window: Duration::minutes(1) }
    }

    /// Where the window that ends now begins: events after it count.
    pub fn since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }

    /// `Err(seconds to wait)` when `used` has reached the limit: until the oldest event leaves the window,
    /// at least a second.
    pub fn check(&self, used: Used, now: DateTime<Utc>) -> Result<(), u64> {
        if used.count < self.max {
            return Ok(());
        }
        let reopens = used.oldest.map_or(now + self.window, |oldest| oldest + self.window);
        let secs = ((reopens - now).num_milliseconds() + 999) / 1000;
        Err(u64::try_from(secs).unwrap_or(0).max(1))
    }
}

/// Why an answer was not judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerLimited {
    /// Too many wrong answers this minute: wait this many seconds.
    TooFast { wait_secs: u64 },
    /// `max_attempts` wrong answers were given to this challenge.
    Exhausted,
}

/// The limits an answer is judged under: the contest's wrong answers a minute, and the challenge's
/// `max_attempts` (0: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerLimits {
    pub per_minute: Policy,
    pub max_attempts: u64,
}

impl AnswerLimits {
    pub fn new(wrong_answers_per_minute: i32, max_attempts: i32) -> AnswerLimits {
        AnswerLimits {
            per_minute: Policy::per_minute(wrong_answers_per_minute),
            max_attempts: u64::try_from(max_attempts).unwrap_or(0),
        }
    }

    /// Whether one more answer may be judged, given the team's wrong answers in the last minute and to
    /// this challenge in all.
    pub fn check(&self, recent: Used, wrong_here: u64, now: DateTime<Utc>) -> Result<(), AnswerLimited> {
        self.per_minute.check(recent, now).map_err(|wait_secs| AnswerLimited::TooFast { wait_secs })?;
        if self.max_attempts > 0 && wrong_here >= self.max_attempts {
            return Err(AnswerLimited::Exhausted);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).single().expect("valid")
    }

    #[test]
    fn a_key_waits_until_its_oldest_event_leaves_the_window() {
        let p = Policy { max: 3, window: Duration::seconds(60) };
        assert_eq!(p.check(Used { count: 2, oldest: Some(t(0)) }, t(10)), Ok(()));
        assert_eq!(p.check(Used { count: 3, oldest: Some(t(0)) }, t(10)), Err(50));
        assert_eq!(p.check(Used { count: 3, oldest: Some(t(0)) }, t(59) + Duration::milliseconds(500)), Err(1));
        assert_eq!(p.since(t(60)), t(0));
    }

    #[test]
    fn answers_are_limited_by_the_minute_first_then_by_attempts() {
        let limits = AnswerLimits::new(10, 3);
        let now = t(100);
        let quiet = Used::default();
        assert_eq!(limits.check(quiet, 2, now), Ok(()));
        assert_eq!(limits.check(quiet, 3, now), Err(AnswerLimited::Exhausted));
        let busy = Used { count: 10, oldest: Some(t(70)) };
        assert_eq!(limits.check(busy, 0, now), Err(AnswerLimited::TooFast { wait_secs: 30 }));
        assert_eq!(AnswerLimits::new(10, 0).check(quiet, 1000, now), Ok(()), "0 attempts means no limit");
        assert_eq!(AnswerLimits::new(0, 0).per_minute.max, 1, "a limit of at least one");
    }
}
