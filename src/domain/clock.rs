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

    /// What is wrong with these times, as (field, message): the rules of `contest.toml` and of the console.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.ends_at <= self.starts_at {
            out.push(("ends_at", "must be after starts_at".into()));
        }
        if let Some(f) = self.freeze_at
            && (f < self.starts_at || f >= self.ends_at)
        {
            out.push(("freeze_at", "must be inside the contest (from starts_at, before ends_at)".into()));
        }
        out
    }
}

/// Problems with an optional window `[opens, closes)` that must lie inside `[from, to]` (an area in its contest,
/// a challenge in its area).
pub fn window_problems(
    opens: Option<DateTime<Utc>>,
    closes: Option<DateTime<Utc>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    inside: &str,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(o) = opens
        && (o < from || o >= to)
    {
        out.push(("opens_at", format!("is outside {inside}")));
    }
    if let Some(c) = closes
        && (c <= from || c > to)
    {
        out.push(("closes_at", format!("is outside {inside}")));
    }
    if let (Some(o), Some(c)) = (opens, closes)
        && c <= o
    {
        out.push(("closes_at", "must be after opens_at".into()));
    }
    out
}

/// A time as a person types it: RFC 3339 (`2026-11-27T09:00:00+09:00`), or `YYYY-MM-DD HH:MM` read in the
/// contest's zone. Empty is none.
pub fn parse_time(text: &str, zone: &str) -> Result<Option<DateTime<Utc>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    let tz: chrono_tz::Tz = zone.parse().map_err(|_| format!("the contest's zone {zone:?} is unknown"))?;
    let local = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| format!("{text:?} is not a time (YYYY-MM-DD HH:MM in {zone})"))?;
    use chrono::TimeZone as _;
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(at) => Ok(Some(at.with_timezone(&Utc))),
        // A time a clock change skips or repeats: say so rather than guess.
        _ => Err(format!("{text} does not name one instant in {zone}")),
    }
}

/// A time as `parse_time` reads it back: `YYYY-MM-DD HH:MM` in `zone` (RFC 3339 if the zone is unknown), empty
/// for none.
pub fn form_time(at: Option<DateTime<Utc>>, zone: &str) -> String {
    match (at, zone.parse::<chrono_tz::Tz>()) {
        (Some(at), Ok(tz)) => at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        (Some(at), Err(_)) => at.to_rfc3339(),
        (None, _) => String::new(),
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

    #[test]
    fn a_form_time_reads_back_as_the_same_minute() {
        let at = Utc.with_ymd_and_hms(2026, 10, 20, 0, 30, 0).single().expect("valid");
        assert_eq!(form_time(Some(at), "Asia/Tokyo"), "2026-10-20 09:30");
        assert_eq!(parse_time(&form_time(Some(at), "Asia/Tokyo"), "Asia/Tokyo"), Ok(Some(at)));
        assert_eq!(parse_time(&form_time(Some(at), "Nowhere/Land"), "Nowhere/Land"), Ok(Some(at)));
        assert_eq!(form_time(None, "Asia/Tokyo"), "");
    }

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
