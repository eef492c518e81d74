//! The contest clock: which phase a contest is in at a given instant. The server's clock is the only one.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Upcoming,
    Running,
    /// Running, but the public scoreboard no longer moves.
    Frozen,
    Ended,
}

/// The times that decide a contest's phase.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub freeze_at: Option<DateTime<Utc>>,
}

impl Schedule {
    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        if now < self.starts_at {
            Phase::Upcoming
        } else if now >= self.ends_at {
            Phase::Ended
        } else if self.freeze_at.is_some_and(|f| now >= f) {
            Phase::Frozen
        } else {
            Phase::Running
        }
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        matches!(self.phase(now), Phase::Running | Phase::Frozen)
    }
}

/// When a challenge becomes visible: the latest of its contest's start, its area's and its own opening.
pub fn opens_at(
    contest_starts: DateTime<Utc>,
    area_opens: Option<DateTime<Utc>>,
    challenge_opens: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    [Some(contest_starts), area_opens, challenge_opens].into_iter().flatten().max().unwrap_or(contest_starts)
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Upcoming => "upcoming",
            Phase::Running => "running",
            Phase::Frozen => "frozen",
            Phase::Ended => "ended",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 20, h, m, 0).single().expect("valid time")
    }

    #[test]
    fn phases_follow_the_schedule() {
        let s = Schedule { starts_at: at(0, 0), ends_at: at(4, 0), freeze_at: Some(at(3, 30)) };
        assert_eq!(s.phase(at(0, 0) - chrono::Duration::seconds(1)), Phase::Upcoming);
        assert_eq!(s.phase(at(0, 0)), Phase::Running);
        assert_eq!(s.phase(at(3, 29)), Phase::Running);
        assert_eq!(s.phase(at(3, 30)), Phase::Frozen);
        assert_eq!(s.phase(at(4, 0)), Phase::Ended);
        assert!(s.is_live(at(3, 45)));
        assert!(!s.is_live(at(5, 0)));
    }

    #[test]
    fn a_challenge_opens_with_the_latest_of_its_windows() {
        assert_eq!(opens_at(at(0, 0), None, None), at(0, 0));
        assert_eq!(opens_at(at(0, 0), Some(at(1, 0)), None), at(1, 0));
        assert_eq!(opens_at(at(0, 0), Some(at(1, 0)), Some(at(0, 30))), at(1, 0));
        assert_eq!(opens_at(at(0, 0), None, Some(at(2, 0))), at(2, 0));
    }

    #[test]
    fn no_freeze_means_running_to_the_end() {
        let s = Schedule { starts_at: at(0, 0), ends_at: at(4, 0), freeze_at: None };
        assert_eq!(s.phase(at(3, 59)), Phase::Running);
    }
}
