//! Whether an answer may be taken now, and why not: the contest day's gate. Pure: the caller supplies the
//! times and the clock.

use chrono::{DateTime, Utc};

/// Why an answer is not taken; each says the time that matters, where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Paused,
    NotStarted {
        opens_at: DateTime<Utc>,
    },
    Ended {
        closed_at: DateTime<Utc>,
    },
    AreaNotOpen {
        opens_at: DateTime<Utc>,
    },
    AreaClosed {
        closed_at: DateTime<Utc>,
    },
    NotOpen {
        opens_at: DateTime<Utc>,
    },
    Closed {
        closed_at: DateTime<Utc>,
    },
    /// Challenges (slugs) that must be solved first.
    Locked {
        requires: Vec<String>,
    },
}

/// The windows that decide whether a challenge takes answers.
#[derive(Debug, Clone, Copy)]
pub struct Windows {
    pub contest_starts: DateTime<Utc>,
    pub contest_ends: DateTime<Utc>,
    pub paused: bool,
    pub area_opens: Option<DateTime<Utc>>,
    pub area_closes: Option<DateTime<Utc>>,
    pub opens: Option<DateTime<Utc>>,
    pub closes: Option<DateTime<Utc>>,
}

impl Windows {
    /// The first reason, in the order a person would want to hear them, why no answer is taken now.
    pub fn refusal(&self, now: DateTime<Utc>) -> Option<Refusal> {
        if now < self.contest_starts {
            return Some(Refusal::NotStarted { opens_at: self.contest_starts });
        }
        if now >= self.contest_ends {
            return Some(Refusal::Ended { closed_at: self.contest_ends });
        }
        if self.paused {
            return Some(Refusal::Paused);
        }
        if let Some(at) = self.area_opens.filter(|at| now < *at) {
            return Some(Refusal::AreaNotOpen { opens_at: at });
        }
        if let Some(at) = self.area_closes.filter(|at| now >= *at) {
            return Some(Refusal::AreaClosed { closed_at: at });
        }
        if let Some(at) = self.opens.filter(|at| now < *at) {
            return Some(Refusal::NotOpen { opens_at: at });
        }
        if let Some(at) = self.closes.filter(|at| now >= *at) {
            return Some(Refusal::Closed { closed_at: at });
        }
        None
    }

    /// When answers stop being taken: the earliest of the contest's, the area's and the challenge's end.
    pub fn closes_at(&self) -> DateTime<Utc> {
        [Some(self.contest_ends), self.area_closes, self.closes]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.contest_ends)
    }
}

/// The slugs in `requires` that the team has not solved.
pub fn missing_requirements(requires: &[String], solved: &[String]) -> Vec<String> {
    requires.iter().filter(|r| !solved.contains(r)).cloned().collect()
}

/// The order to show challenges in: as authored, except that a challenge comes after those it requires that
/// are in the same list, so a team reads its way through. `items` are (slug, requires) in authored order; the
/// answer is their indices. A cycle (which `challenges check` refuses) keeps the authored order.
pub fn requirements_first(items: &[(&str, Vec<String>)]) -> Vec<usize> {
    let mut placed = vec![false; items.len()];
    let mut order = Vec::with_capacity(items.len());
    while order.len() < items.len() {
        let waits_for = |i: usize| {
            items[i].1.iter().any(|r| items.iter().enumerate().any(|(j, (slug, _))| !placed[j] && slug == r))
        };
        let next = (0..items.len())
            .find(|&i| !placed[i] && !waits_for(i))
            .or_else(|| (0..items.len()).find(|&i| !placed[i]))
            .unwrap_or(0);
        placed[next] = true;
        order.push(next);
    }
    order
}

/// What is kept of a wrong answer for disputes: its first 256 characters.
pub fn kept_text(typed: &str) -> String {
    super::names::without_nul(&typed.chars().take(256).collect::<String>())
}

/// Answers longer than this are refused before they are looked at.
pub const MAX_ANSWER_BYTES: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_comes_after_what_it_requires() {
        let r = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // beta requires gamma, which comes later as authored; alpha and delta keep their places.
        let items = [("alpha", r(&[])), ("beta", r(&["gamma"])), ("gamma", r(&[])), ("delta", r(&[]))];
        assert_eq!(requirements_first(&items), [0, 2, 1, 3]);
        // A requirement in another list (another area) does not move anything.
        assert_eq!(requirements_first(&[("a", r(&["elsewhere"])), ("b", r(&[]))]), [0, 1]);
        // Chains, and a cycle kept as authored.
        let chain = [("c", r(&["b"])), ("b", r(&["a"])), ("a", r(&[]))];
        assert_eq!(requirements_first(&chain), [2, 1, 0]);
        assert_eq!(requirements_first(&[("x", r(&["y"])), ("y", r(&["x"]))]), [0, 1]);
    }
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 20, h, m, 0).single().expect("valid")
    }

    fn windows() -> Windows {
        Windows {
            contest_starts: t(0, 0),
            contest_ends: t(4, 0),
            paused: false,
            area_opens: Some(t(1, 0)),
            area_closes: Some(t(3, 0)),
            opens: Some(t(1, 30)),
            closes: None,
        }
    }

    #[test]
    fn each_window_refuses_with_its_time() {
        let w = windows();
        assert_eq!(w.refusal(t(0, 0) - chrono::Duration::seconds(1)), Some(Refusal::NotStarted { opens_at: t(0, 0) }));
        assert_eq!(w.refusal(t(0, 30)), Some(Refusal::AreaNotOpen { opens_at: t(1, 0) }));
        assert_eq!(w.refusal(t(1, 10)), Some(Refusal::NotOpen { opens_at: t(1, 30) }));
        assert_eq!(w.refusal(t(1, 30)), None);
        assert_eq!(w.refusal(t(3, 0)), Some(Refusal::AreaClosed { closed_at: t(3, 0) }));
        assert_eq!(w.refusal(t(4, 0)), Some(Refusal::Ended { closed_at: t(4, 0) }));
        assert_eq!(w.closes_at(), t(3, 0));
        let paused = Windows { paused: true, ..w };
        assert_eq!(paused.refusal(t(2, 0)), Some(Refusal::Paused));
        let closed = Windows { closes: Some(t(2, 0)), area_closes: None, ..w };
        assert_eq!(closed.refusal(t(2, 0)), Some(Refusal::Closed { closed_at: t(2, 0) }));
    }

    #[test]
    fn requirements_and_kept_text() {
        let req = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(missing_requirements(&req, &["b".to_owned()]), vec!["a".to_owned()]);
        assert!(missing_requirements(&req, &req).is_empty());
        assert_eq!(kept_text(&"あ".repeat(300)).chars().count(), 256);
    }
}
