//! The closing ceremony's plan for a contest, computed once for the events it is made from and kept while
//! they stay the same: every step of the organizer's and every refresh of the venue screen reads it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::{Live, Snapshot};
use crate::domain::ceremony::{self, Plan};
use crate::domain::standings::Events;
use crate::store::{self, StoreResult};

/// Plans by contest, each with what it was computed from.
#[derive(Default)]
pub struct Plans {
    kept: Mutex<HashMap<i32, Kept>>,
}

struct Kept {
    /// The events of the snapshot it was computed for (those the frozen board shows).
    shown: Arc<Events>,
    freeze: DateTime<Utc>,
    areas: Vec<i32>,
    awards: usize,
    plan: Arc<Plan>,
}

impl Kept {
    fn fits(&self, shown: &Arc<Events>, freeze: DateTime<Utc>, areas: &[i32], awards: usize) -> bool {
        (Arc::ptr_eq(&self.shown, shown) || *self.shown == **shown)
            && self.freeze == freeze
            && self.areas == areas
            && self.awards == awards
    }
}

impl Live {
    /// The ceremony of a contest with a freeze, as of a snapshot. Its final events are read from the database
    /// once for each new set of events: after the end they change only by organizers' hands (an adjustment,
    /// the marks published), each of which makes a new snapshot.
    pub async fn ceremony(&self, snap: &Snapshot, freeze: DateTime<Utc>) -> StoreResult<Arc<Plan>> {
        let contest = &snap.contest;
        let areas: Vec<i32> = snap.areas.iter().map(|a| a.id).collect();
        let awards = usize::try_from(contest.ceremony_awards).unwrap_or(0);
        {
            let kept = self.plans.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(k) = kept.get(&contest.id).filter(|k| k.fits(&snap.events, freeze, &areas, awards)) {
                return Ok(k.plan.clone());
            }
        }
        let final_events = store::scores::events_final(&self.db, contest.id).await?;
        let shown = snap.events.clone();
        let (kept_shown, kept_areas) = (shown.clone(), areas.clone());
        // Each step computes the standings again: off the async threads.
        let plan = tokio::task::spawn_blocking(move || {
            let input = ceremony::Input { shown: &shown, final_events: &final_events, freeze, areas: &areas, awards };
            Arc::new(ceremony::plan(input))
        })
        .await
        .map_err(|e| store::StoreError::Db(sea_orm::DbErr::Custom(format!("the ceremony's plan: {e}"))))?;
        let kept = Kept { shown: kept_shown, freeze, areas: kept_areas, awards, plan: plan.clone() };
        self.plans.kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(contest.id, kept);
        Ok(plan)
    }
}
