//! The contest day from a team's side, between the web layer and the store: what the board shows, and
//! what happens to an answer. No HTTP here; the rules themselves are in `domain::play`.

pub mod attempt;
pub mod board;
pub mod classification;

use entity::hints;
use sea_orm::DatabaseConnection;

use crate::domain::standings::{Entry, EntryKind, Points};
use crate::live::Live;
use crate::store::{self, StoreResult};

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

/// Unlocks a hint for a team, once: its cost counts against the team (in the hint's area) from now.
/// Returns whether this call unlocked it.
pub async fn unlock_hint(
    db: &DatabaseConnection,
    live: &Live,
    contest: &contests::Model,
    area_id: i32,
    hint: &hints::Model,
    team_id: i32,
    user_id: i32,
) -> StoreResult<bool> {
    let new = store::play::unlock(db, contest.id, hint, team_id, user_id).await?;
    if new {
        live.play_changed(team_id);
    }
    if new && hint.cost != 0 {
        live.notify(contest.id);
        live.entry(
            contest.id,
            Entry {
                team_id,
                area_id: Some(area_id),
                points: Points::whole(-hint.cost),
                at: Utc::now(),
                kind: EntryKind::Hint { challenge_id: hint.challenge_id },
            },
        )
        .await;
    }
    Ok(new)
}
