//! What standings are computed from, read in one go per contest, and organizers' adjustments.

use chrono::Utc;
use std::collections::HashMap;

use entity::{adjustments, areas, challenges, contests, hint_unlocks, hints, solves, team_members, teams, users};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::classification::Board;
use super::{StoreResult, judging};
use crate::domain;
use crate::domain::scoring::Value;
use crate::domain::standings::{AreaInfo, ChallengeInfo, Entry, EntryKind, Events, Points, Solve, TeamInfo};

/// Every event of a contest, classification points as its boards show them now (public scores until the
/// results are revealed). A hidden (withdrawn) challenge's solves are kept but count for nothing.
pub async fn events(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Events> {
    events_as(db, contest_id, Board::AsShown).await
}

/// Every event of a contest as the final standings count them, whether revealed or not: classification
/// points from the private scores of the finals. For the closing ceremony, which reveals them.
pub async fn events_final(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Events> {
    events_as(db, contest_id, Board::Private).await
}

async fn events_as(db: &impl ConnectionTrait, contest_id: i32, board: Board) -> StoreResult<Events> {
    let teams = teams::Entity::find().filter(teams::Column::ContestId.eq(contest_id)).all(db).await?;
    let areas = areas::Entity::find().filter(areas::Column::ContestId.eq(contest_id)).all(db).await?;
    let challenges = challenges::Entity::find()
        .filter(challenges::Column::ContestId.eq(contest_id))
        .filter(challenges::Column::Hidden.eq(false))
        .order_by_asc(challenges::Column::Position)
        .all(db)
        .await?;
    let solves = solves::Entity::find()
        .filter(solves::Column::ContestId.eq(contest_id))
        .order_by_asc(solves::Column::Id)
        .all(db)
        .await?;
    let unlocks = hint_unlocks::Entity::find().filter(hint_unlocks::Column::ContestId.eq(contest_id)).all(db).await?;
    let hint_rows = hints::Entity::find()
        .filter(hints::Column::Id.is_in(unlocks.iter().map(|u| u.hint_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let adjustments = adjustments::Entity::find().filter(adjustments::Column::ContestId.eq(contest_id)).all(db).await?;

    let names = names_of(db, &teams, &solves).await?;
    let area_of_challenge = |id: i32| challenges.iter().find(|c| c.id == id).map(|c| c.area_id);
    let mut entries: Vec<Entry> = unlocks
        .iter()
        .filter_map(|u| {
            let challenge_id = hint_rows.iter().find(|h| h.id == u.hint_id)?.challenge_id;
            Some(Entry {
                team_id: u.team_id,
                area_id: area_of_challenge(challenge_id),
                points: Points::whole(-u.cost),
                at: u.created_at,
                kind: EntryKind::Hint { challenge_id },
            })
        })
        .collect();
    entries.extend(adjustments.iter().map(|a| Entry {
        team_id: a.team_id,
        area_id: a.area_id,
        points: Points(a.centipoints),
        at: a.created_at,
        kind: EntryKind::Adjustment,
    }));
    entries.extend(judged(db, contest_id, &areas).await?);
    // Classification challenges: points × metric of the teams' prediction uploads.
    entries.extend(super::classification::entries(db, contest_id, &challenges, board).await?);
    entries.sort_by_key(|e| e.at);
    Ok(Events {
        // A disqualified team leaves the standings as a hidden one does (its solves still count for dynamic values).
        teams: teams
            .into_iter()
            .map(|t| TeamInfo { id: t.id, name: t.name, hidden: t.hidden || t.disqualified })
            .collect(),
        areas: areas.into_iter().map(|a| AreaInfo { id: a.id, on_day: a.on_day }).collect(),
        challenges: challenges
            .into_iter()
            .map(|c| ChallengeInfo {
                id: c.id,
                area_id: c.area_id,
                value: Value::from_columns(&c.scoring_function, c.points, c.minimum, c.decay),
                title: c.title,
            })
            .collect(),
        solves: solves
            .into_iter()
            .map(|s| Solve {
                id: s.id,
                team_id: s.team_id,
                challenge_id: s.challenge_id,
                user_id: s.user_id,
                at: s.created_at,
            })
            .collect(),
        entries,
        names,
    })
}

/// The names of the teams' members and of the solvers (one may have left the team since).
async fn names_of(
    db: &impl ConnectionTrait,
    teams: &[teams::Model],
    solves: &[solves::Model],
) -> StoreResult<HashMap<i32, String>> {
    let members = team_members::Entity::find()
        .filter(team_members::Column::TeamId.is_in(teams.iter().map(|t| t.id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let mut ids: Vec<i32> = members.iter().map(|m| m.user_id).chain(solves.iter().map(|s| s.user_id)).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names = HashMap::with_capacity(ids.len());
    // In chunks: a large contest's ids would pass the bind limit of one statement.
    for chunk in ids.chunks(5_000) {
        let people: Vec<(i32, String)> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Username)
            .filter(users::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        names.extend(people);
    }
    Ok(names)
}

/// The hackathon's scores once organizers published the marks: each entry's mean of the judges' totals,
/// counted in the `hackathon` area from the time of publication.
async fn judged(db: &impl ConnectionTrait, contest_id: i32, areas: &[areas::Model]) -> StoreResult<Vec<Entry>> {
    let published = contests::Entity::find_by_id(contest_id).one(db).await?.and_then(|c| c.marks_published_at);
    let Some(at) = published else { return Ok(Vec::new()) };
    let area_id = areas.iter().find(|a| a.key == crate::domain::spec::HACKATHON).map(|a| a.id);
    let rubric = judging::criteria(&judging::rubric(db, contest_id).await?);
    let marks = judging::marks_of_contest(db, contest_id).await?;
    Ok(judging::entries(db, contest_id)
        .await?
        .into_iter()
        .filter_map(|entry| {
            let of_entry: Vec<_> = marks.iter().filter(|m| m.entry_id == entry.id).cloned().collect();
            let points = domain::judging::score(&rubric, &judging::marks(&of_entry))?;
            Some(Entry { team_id: entry.team_id, area_id, points, at, kind: EntryKind::Mark })
        })
        .collect())
}

/// A team's adjustments in a contest, oldest first (CTFd's scripts read them as awards).
pub async fn adjustments_of_team(
    db: &impl ConnectionTrait,
    contest_id: i32,
    team_id: i32,
) -> StoreResult<Vec<adjustments::Model>> {
    Ok(adjustments::Entity::find()
        .filter(adjustments::Column::ContestId.eq(contest_id))
        .filter(adjustments::Column::TeamId.eq(team_id))
        .order_by_asc(adjustments::Column::Id)
        .all(db)
        .await?)
}

pub struct NewAdjustment {
    pub contest_id: i32,
    pub team_id: i32,
    pub area_id: Option<i32>,
    pub points: Points,
    pub reason: String,
    pub author_id: i32,
}

pub async fn adjust(db: &impl ConnectionTrait, new: NewAdjustment) -> StoreResult<adjustments::Model> {
    Ok(adjustments::ActiveModel {
        contest_id: Set(new.contest_id),
        team_id: Set(new.team_id),
        area_id: Set(new.area_id),
        centipoints: Set(new.points.0),
        reason: Set(new.reason),
        author_id: Set(Some(new.author_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn adjustments_of(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<adjustments::Model>> {
    Ok(adjustments::Entity::find()
        .filter(adjustments::Column::ContestId.eq(contest_id))
        .order_by_desc(adjustments::Column::Id)
        .all(db)
        .await?)
}
