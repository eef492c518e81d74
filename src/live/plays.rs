//! What each team has done that only it sees: the hints it unlocked and its wrong answers by challenge (what
//! `max_attempts` counts). Kept in memory, loaded per team on first use, so that a team reading a challenge
//! reads nothing from the database; changed in place by this instance's commits, and forgotten when another
//! instance says the team changed (see `bus`) or when a contest's challenges change under it (a sync).
//!
//! A load races the commits it may miss: each team has a count of changes, and all teams one of forgettings,
//! and a load that began before either moved is not kept (the next read loads again).

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
struct Slot {
    /// Bumped by every change and every forgetting, so that a load begun before one is not kept.
    changes: u64,
    play: Option<Arc<TeamPlay>>,
}

#[derive(Default)]
struct Kept {
    slots: HashMap<(i32, i32), Slot>,
    /// Bumped by every forgetting, which may name a team that has no slot yet.
    forgets: u64,
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

    /// A team's play in a contest, read from the database the first time.
    pub async fn of(&self, contest_id: i32, team_id: i32) -> StoreResult<Arc<TeamPlay>> {
        let began = {
            let kept = self.kept();
            let slot = kept.slots.get(&(contest_id, team_id));
            if let Some(play) = slot.and_then(|s| s.play.clone()) {
                return Ok(play);
            }
            (slot.map_or(0, |s| s.changes), kept.forgets)
        };
        let unlocked = store::play::unlocked(&self.db, contest_id, team_id).await?.into_iter().map(|u| u.hint_id);
        let wrong = store::play::wrong_counts(&self.db, contest_id, team_id).await?;
        let play = Arc::new(TeamPlay { unlocked: unlocked.collect(), wrong });
        let mut kept = self.kept();
        let forgets = kept.forgets;
        let slot = kept.slots.entry((contest_id, team_id)).or_default();
        if (slot.changes, forgets) == began {
            slot.play = Some(play.clone());
        }
        Ok(play)
    }

    /// A committed change to a team's play: applied to what is kept, if anything is.
    fn change(&self, contest_id: i32, team_id: i32, apply: impl FnOnce(&mut TeamPlay)) {
        let mut kept = self.kept();
        let slot = kept.slots.entry((contest_id, team_id)).or_default();
        slot.changes += 1;
        if let Some(play) = slot.play.as_mut() {
            apply(Arc::make_mut(play));
        }
    }

    /// A wrong answer was recorded.
    pub fn answered_wrong(&self, contest_id: i32, team_id: i32, challenge_id: i32) {
        self.change(contest_id, team_id, |p| *p.wrong.entry(challenge_id).or_insert(0) += 1);
    }

    /// A hint was unlocked.
    pub fn unlocked(&self, contest_id: i32, team_id: i32, hint_id: i32) {
        self.change(contest_id, team_id, |p| {
            if !p.unlocked.contains(&hint_id) {
                p.unlocked.push(hint_id);
            }
        });
    }

    /// Forgets what is kept of the slots `which` picks.
    fn forget_where(&self, which: impl Fn(i32, i32) -> bool) {
        let mut kept = self.kept();
        kept.forgets += 1;
        for ((contest, team), slot) in kept.slots.iter_mut() {
            if which(*contest, *team) {
                slot.changes += 1;
                slot.play = None;
            }
        }
    }

    /// Teams' play changed elsewhere (another instance, an organizer's ruling).
    pub fn forget_teams(&self, team_ids: &[i32]) {
        self.forget_where(|_, team| team_ids.contains(&team));
    }

    /// A contest's challenges changed (a sync may have made its hints anew).
    pub fn forget_contest(&self, contest_id: i32) {
        self.forget_where(|contest, _| contest == contest_id);
    }

    /// Whatever was said meanwhile is unknown (the LISTEN connection was lost).
    pub fn forget_all(&self) {
        self.forget_where(|_, _| true);
    }
}
