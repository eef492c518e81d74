//! The challenge board of a contest, as one team (or a member of staff) sees it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use std::sync::Arc;

use entity::areas;

use super::{opens_at, solved_slugs, windows_of};
use crate::domain::play::missing_requirements;
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

/// The board, from a contest's live snapshot (no database read): `team_id` is the asking team (none for
/// staff, who see every challenge as open); `counts` are the solves per challenge the asker may know of
/// (frozen for the public during a freeze).
pub fn build(
    snap: &Snapshot,
    team_id: Option<i32>,
    staff: bool,
    counts: &HashMap<i32, u32>,
    now: DateTime<Utc>,
) -> Board {
    let contest = &snap.contest;
    let views = snap.challenges.as_slice();
    let solved_ids: Vec<i32> = team_id.map(|t| snap.solved_by(t)).unwrap_or_default();
    let solved = solved_slugs(&solved_ids, &snap.slugs);
    let titles: HashMap<String, (String, String)> = views
        .iter()
        .map(|v| (v.challenge.slug.clone(), (v.challenge.title.clone(), v.challenge.title_en.clone())))
        .collect();

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
    for view in views.iter().cloned() {
        let c = &view.challenge;
        let windows = windows_of(contest, &view.area, c);
        let missing = missing_requirements(&ChallengeView::list(&c.requires), &solved);
        let access = if staff {
            Access::Open
        } else if now < opens_at(contest, &view.area, c) {
            Access::NotYet { opens_at: opens_at(contest, &view.area, c) }
        } else if !missing.is_empty() {
            let requires = missing
                .into_iter()
                .map(|slug| {
                    let (t, t_en) = titles.get(&slug).cloned().unwrap_or_else(|| (slug.clone(), slug.clone()));
                    (slug, t, t_en)
                })
                .collect();
            Access::Locked { requires }
        } else {
            Access::Open
        };
        let solves = counts.get(&c.id).copied().unwrap_or(0);
        let value = Value::from_columns(&c.scoring_function, c.points, c.minimum, c.decay);
        let item = Item {
            value: value.at(solves),
            dynamic: value.is_dynamic(),
            solves,
            solved: solved_ids.contains(&c.id),
            access,
            closes_at: windows.closes_at(),
            closed: now >= windows.closes_at(),
            view,
        };
        if let Some(area) = areas.iter_mut().find(|a| a.area.id == item.view.area.id) {
            area.items.push(item);
        }
    }
    Board { areas }
}
