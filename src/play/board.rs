//! The challenge board of a contest, as one team (or a member of staff) sees it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use std::sync::Arc;

use entity::areas;

use super::{opens_at, solved_slugs, windows_of};
use crate::domain::play::{missing_requirements, requirements_first};
use crate::domain::scoring::Value;
use crate::live::Snapshot;
use crate::store::challenges::ChallengeView;

/// Whether a team may open a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Open,
    /// Shown with its opening time, not its content.
    NotYet {
        opens_at: DateTime<Utc>,
    },
    /// Shown with the challenges (slug, title, title_en) that unlock it.
    Locked {
        requires: Vec<(String, String, String)>,
    },
}

#[derive(Debug, Clone)]
pub struct Item {
    pub view: Arc<ChallengeView>,
    /// Points now (a dynamic challenge's current value).
    pub value: i32,
    pub dynamic: bool,
    pub solves: u32,
    pub solved: bool,
    pub access: Access,
    /// When it stops taking answers.
    pub closes_at: DateTime<Utc>,
    pub closed: bool,
}

#[derive(Debug, Clone)]
pub struct AreaBoard {
    pub area: areas::Model,
    pub items: Vec<Item>,
    /// When the area stops taking answers.
    pub closes_at: DateTime<Utc>,
}

pub struct Board {
    pub areas: Vec<AreaBoard>,
}

impl Board {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.areas.iter().flat_map(|a| a.items.iter())
    }
}

/// Who is asking and what they may know: `solved_ids` are the asking team's solves (none for staff, who
/// see every challenge as open); `counts` are the solves per challenge the asker may know of (frozen for
/// the public during a freeze).
pub struct Asker<'a> {
    pub solved_ids: &'a [i32],
    pub staff: bool,
    pub counts: &'a HashMap<i32, u32>,
    pub now: DateTime<Utc>,
}

/// The board, from a contest's live snapshot (no database read).
pub fn build(snap: &Snapshot, asker: &Asker<'_>) -> Board {
    let contest = &snap.contest;
    let solved = solved_slugs(asker.solved_ids, &snap.slugs);
    let mut areas: Vec<AreaBoard> = snap
        .areas
        .iter()
        .cloned()
        .map(|area| AreaBoard {
            closes_at: [Some(contest.ends_at), area.closes_at].into_iter().flatten().min().unwrap_or(contest.ends_at),
            area,
            items: Vec::new(),
        })
        .collect();
    for view in snap.challenges.iter() {
        let item = item_of(snap, view, asker, &solved);
        if let Some(area) = areas.iter_mut().find(|a| a.area.id == item.view.area.id) {
            area.items.push(item);
        }
    }
    for area in &mut areas {
        let keys: Vec<(&str, Vec<String>)> = area
            .items
            .iter()
            .map(|i| (i.view.challenge.slug.as_str(), ChallengeView::list(&i.view.challenge.requires)))
            .collect();
        let order = requirements_first(&keys);
        let mut items: Vec<Option<Item>> = std::mem::take(&mut area.items).into_iter().map(Some).collect();
        area.items = order.into_iter().filter_map(|i| items[i].take()).collect();
    }
    Board { areas }
}

/// One challenge as the board shows it (what judging an answer needs, without the rest of the board).
pub fn item(snap: &Snapshot, asker: &Asker<'_>, challenge_id: i32) -> Option<Item> {
    let view = snap.challenges.iter().find(|v| v.challenge.id == challenge_id)?;
    Some(item_of(snap, view, asker, &solved_slugs(asker.solved_ids, &snap.slugs)))
}

fn item_of(snap: &Snapshot, view: &Arc<ChallengeView>, asker: &Asker<'_>, solved: &[String]) -> Item {
    let (contest, c, now) = (&snap.contest, &view.challenge, asker.now);
    let windows = windows_of(contest, &view.area, c);
    let access = if asker.staff {
        Access::Open
    } else if now < opens_at(contest, &view.area, c) {
        Access::NotYet { opens_at: opens_at(contest, &view.area, c) }
    } else {
        let missing = missing_requirements(&ChallengeView::list(&c.requires), solved);
        if missing.is_empty() { Access::Open } else { Access::Locked { requires: titled(snap, missing) } }
    };
    let solves = asker.counts.get(&c.id).copied().unwrap_or(0);
    let value = Value::from_columns(&c.scoring_function, c.points, c.minimum, c.decay);
    Item {
        value: value.at(solves),
        dynamic: value.is_dynamic(),
        solves,
        solved: asker.solved_ids.contains(&c.id),
        access,
        closes_at: windows.closes_at(),
        closed: now >= windows.closes_at(),
        view: view.clone(),
    }
}

/// Required challenges with their titles (the slug where the challenge is not visible).
fn titled(snap: &Snapshot, slugs: Vec<String>) -> Vec<(String, String, String)> {
    slugs
        .into_iter()
        .map(|slug| match snap.challenges.iter().find(|v| v.challenge.slug == slug) {
            Some(v) => (slug, v.challenge.title.clone(), v.challenge.title_en.clone()),
            None => (slug.clone(), slug.clone(), slug),
        })
        .collect()
}
