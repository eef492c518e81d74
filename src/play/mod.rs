//! The contest day from a team's side, between the web layer and the store: what the board shows, and
//! what happens to an answer. No HTTP here; the rules themselves are in `domain::play`.

pub mod attempt;
pub mod board;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{areas, challenges, contests};

use crate::domain::play::Windows;

/// The windows in which a challenge takes answers.
pub fn windows_of(contest: &contests::Model, area: &areas::Model, challenge: &challenges::Model) -> Windows {
    Windows {
        contest_starts: contest.starts_at,
        contest_ends: contest.ends_at,
        paused: contest.paused,
        area_opens: area.opens_at,
        area_closes: area.closes_at,
        opens: challenge.opens_at,
        closes: challenge.closes_at,
    }
}

/// The slugs a team solved, from its solves' challenge ids.
pub fn solved_slugs(solved_ids: &[i32], slugs: &HashMap<i32, String>) -> Vec<String> {
    solved_ids.iter().filter_map(|id| slugs.get(id).cloned()).collect()
}

/// When a challenge becomes visible to a team.
pub fn opens_at(contest: &contests::Model, area: &areas::Model, challenge: &challenges::Model) -> DateTime<Utc> {
    crate::domain::clock::opens_at(contest.starts_at, area.opens_at, challenge.opens_at)
}
