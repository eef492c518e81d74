//! What standings are computed from, read in one go per contest, and organizers' adjustments.

use chrono::Utc;
use entity::{adjustments, areas, challenges, hint_unlocks, hints, solves, teams};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreResult;
use crate::domain::scoring::Value;
use crate::domain::standings::{AreaInfo, ChallengeInfo, Entry, Events, Points, Solve, TeamInfo};

/// Every event of a contest. A hidden (withdrawn) challenge's solves are kept but count for nothing.
pub async fn events(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Events> {
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

    let area_of_challenge = |id: i32| challenges.iter().find(|c| c.id == id).map(|c| c.area_id);
    let mut entries: Vec<Entry> = unlocks
        .iter()
        .map(|u| Entry {
            team_id: u.team_id,
            area_id: hint_rows.iter().find(|h| h.id == u.hint_id).and_then(|h| area_of_challenge(h.challenge_id)),
            points: Points::whole(-u.cost),
            at: u.created_at,
        })
        .collect();
    entries.extend(adjustments.iter().map(|a| Entry {
        team_id: a.team_id,
        area_id: a.area_id,
        points: Points(a.centipoints),
        at: a.created_at,
    }));
    // Classification challenges: points × metric of the teams' prediction uploads.
    entries.extend(super::classification::entries(db, contest_id, &challenges).await?);
    entries.sort_by_key(|e| e.at);
    Ok(Events {
        teams: teams.into_iter().map(|t| TeamInfo { id: t.id, name: t.name, hidden: t.hidden }).collect(),
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
            .map(|s| Solve { team_id: s.team_id, challenge_id: s.challenge_id, at: s.created_at })
            .collect(),
        entries,
    })
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
