//! What each team has done that only it sees: the hints it unlocked and its wrong answers by challenge (what
//! `max_attempts` counts). Kept in memory, loaded per team on first use, so that a team reading a challenge
//! reads nothing from the database; forgotten when the team's play changes (an answer or an unlock committed
//! here, or on another instance, which says so through `bus`) or when a contest's challenges change under it
//! (a sync), and read again on the next use.
//!
//! Forgotten rather than changed in place: a load that read the database just after a commit, and kept its
//! result just before the change was applied to it, would count the change twice. A load races the
//! forgettings instead: one begun before a forgetting of its team (or of everything) is not kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use sea_orm::DatabaseConnection;

use crate::store::{self, StoreResult};

/// A team's own play in one contest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamPlay {
    /// The hints it unlocked, by id.
    pub unlocked: Vec<i32>,
    /// Its wrong answers, by challenge id.
    pub wrong: HashMap<i32, u64>,
}

impl TeamPlay {
    pub fn has_unlocked(&self, hint_id: i32) -> bool {
        self.unlocked.contains(&hint_id)
    }

    pub fn wrong_answers(&self, challenge_id: i32) -> u64 {
        self.wrong.get(&challenge_id).copied().unwrap_or(0)
    }
}

#[derive(Default)]
struct Kept {
    plays: HashMap<(i32, i32), Arc<TeamPlay>>,
    /// Each team's forgettings so far.
    changes: HashMap<i32, u64>,
    /// Forgettings of whole contests or of everything so far.
    forgets: u64,
}

impl Kept {
    fn moment(&self, team_id: i32) -> (u64, u64) {
        (self.changes.get(&team_id).copied().unwrap_or(0), self.forgets)
    }
}

/// Every team's play, by contest and team.
pub struct Plays {
    db: DatabaseConnection,
    kept: Mutex<Kept>,
}

impl Plays {
    pub fn new(db: DatabaseConnection) -> Plays {
        Plays { db, kept: Mutex::new(Kept::default()) }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A team's play in a contest, read from the database the first time after each change.
    pub async fn of(&self, contest_id: i32, team_id: i32) -> StoreResult<Arc<TeamPlay>> {
        let began = {
            let kept = self.kept();
            if let Some(play) = kept.plays.get(&(contest_id, team_id)) {
                return Ok(play.clone());
            }
            kept.moment(team_id)
        };
        let unlocked = store::play::unlocked(&self.db, contest_id, team_id).await?.into_iter().map(|u| u.hint_id);
        let wrong = store::play::wrong_counts(&self.db, contest_id, team_id).await?;
        let play = Arc::new(TeamPlay { unlocked: unlocked.collect(), wrong });
        let mut kept = self.kept();
        if kept.moment(team_id) == began {
            kept.plays.insert((contest_id, team_id), play.clone());
        }
        Ok(play)
    }

    /// Teams' play changed (a wrong answer or an unlock committed, an organizer's ruling, another instance).
    pub fn forget_teams(&self, team_ids: &[i32]) {
        let mut kept = self.kept();
        for team in team_ids {
            *kept.changes.entry(*team).or_insert(0) += 1;
        }
        kept.plays.retain(|(_, team), _| !team_ids.contains(team));
    }

    /// A contest's challenges changed (a sync may have made its hints anew).
    pub fn forget_contest(&self, contest_id: i32) {
        let mut kept = self.kept();
        kept.forgets += 1;
        kept.plays.retain(|(contest, _), _| *contest != contest_id);
    }

    /// Whatever was said meanwhile is unknown (the LISTEN connection was lost).
    pub fn forget_all(&self) {
        let mut kept = self.kept();
        kept.forgets += 1;
        kept.plays.clear();
    }
}
