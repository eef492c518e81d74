//! Reading what was authored (areas, challenges, hints and attachments), and what organizers change of it
//! during the day: a challenge withdrawn or brought back, its points. A later `challenges sync` puts the
//! sources' values back and names them in its report.

use chrono::Utc;
use entity::{areas, attachments, challenges, contests, hints};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::StoreResult;

/// A challenge with what its pages show beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeView {
    pub challenge: challenges::Model,
    pub area: areas::Model,
    pub hints: Vec<hints::Model>,
    pub attachments: Vec<attachments::Model>,
}

impl ChallengeView {
    /// A JSON list column (`requires`, `datasets`, `tags`) as strings.
    pub fn list(column: &str) -> Vec<String> {
        serde_json::from_str(column).unwrap_or_default()
    }
}

pub async fn areas_of(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<areas::Model>> {
    Ok(areas::Entity::find()
        .filter(areas::Column::ContestId.eq(contest_id))
        .order_by_asc(areas::Column::Position)
        .all(db)
        .await?)
}

/// Every challenge of a contest that is not hidden, in source order, with areas, hints and files.
pub async fn of_contest(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<ChallengeView>> {
    let areas = areas_of(db, contest_id).await?;
    let list = challenges::Entity::find()
        .filter(challenges::Column::ContestId.eq(contest_id))
        .filter(challenges::Column::Hidden.eq(false))
        .order_by_asc(challenges::Column::Position)
        .all(db)
        .await?;
    let ids: Vec<i32> = list.iter().map(|c| c.id).collect();
    let all_hints = hints::Entity::find()
        .filter(hints::Column::ChallengeId.is_in(ids.clone()))
        .filter(hints::Column::Hidden.eq(false))
        .order_by_asc(hints::Column::Position)
        .all(db)
        .await?;
    let all_files = attachments::Entity::find()
        .filter(attachments::Column::ChallengeId.is_in(ids))
        .order_by_asc(attachments::Column::Position)
        .all(db)
        .await?;
    Ok(list
        .into_iter()
        .filter_map(|challenge| {
            let area = areas.iter().find(|a| a.id == challenge.area_id)?.clone();
            let hints = all_hints.iter().filter(|h| h.challenge_id == challenge.id).cloned().collect();
            let attachments = all_files.iter().filter(|f| f.challenge_id == challenge.id).cloned().collect();
            Some(ChallengeView { challenge, area, hints, attachments })
        })
        .collect())
}

/// A stored file with the challenges that offer it under that name, with their areas and contests.
pub async fn offering(
    db: &impl ConnectionTrait,
    sha256: &str,
    name: &str,
) -> StoreResult<Vec<(challenges::Model, areas::Model, contests::Model)>> {
    let files = attachments::Entity::find()
        .filter(attachments::Column::Sha256.eq(sha256))
        .filter(attachments::Column::Name.eq(name))
        .all(db)
        .await?;
    let mut out = Vec::new();
    for f in files {
        let Some(challenge) = challenges::Entity::find_by_id(f.challenge_id).one(db).await? else { continue };
        let Some(area) = areas::Entity::find_by_id(challenge.area_id).one(db).await? else { continue };
        let Some(contest) = contests::Entity::find_by_id(challenge.contest_id).one(db).await? else { continue };
        out.push((challenge, area, contest));
    }
    Ok(out)
}

/// The datasets (keys, sorted, once each) of every challenge that offers these bytes, under any name, in
/// any contest, hidden or not: the bytes are the same whichever challenge offers them, so a file needs the
/// agreements of all of them, never only of the one it was reached through.
pub async fn datasets_of_file(db: &impl ConnectionTrait, sha256: &str) -> StoreResult<Vec<String>> {
    let ids: Vec<i32> = attachments::Entity::find()
        .filter(attachments::Column::Sha256.eq(sha256))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.challenge_id)
        .collect();
    let offering = challenges::Entity::find().filter(challenges::Column::Id.is_in(ids)).all(db).await?;
    let mut keys: Vec<String> = offering.iter().flat_map(|c| ChallengeView::list(&c.datasets)).collect();
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// Every challenge not hidden, with its area and contest: the catalog shows which were built on which
/// dataset.
pub async fn all_with_contests(
    db: &impl ConnectionTrait,
) -> StoreResult<Vec<(challenges::Model, areas::Model, contests::Model)>> {
    let contests = contests::Entity::find().all(db).await?;
    let areas = areas::Entity::find().all(db).await?;
    let list = challenges::Entity::find()
        .filter(challenges::Column::Hidden.eq(false))
        .order_by_asc(challenges::Column::ContestId)
        .order_by_asc(challenges::Column::Position)
        .all(db)
        .await?;
    Ok(list
        .into_iter()
        .filter_map(|c| {
            let contest = contests.iter().find(|k| k.id == c.contest_id)?.clone();
            let area = areas.iter().find(|a| a.id == c.area_id)?.clone();
            Some((c, area, contest))
        })
        .collect())
}

/// One challenge of a contest, not hidden, with its area, hints and files.
pub async fn one(db: &impl ConnectionTrait, contest_id: i32, id: i32) -> StoreResult<Option<ChallengeView>> {
    let Some(challenge) = challenges::Entity::find_by_id(id)
        .filter(challenges::Column::ContestId.eq(contest_id))
        .filter(challenges::Column::Hidden.eq(false))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(area) = areas::Entity::find_by_id(challenge.area_id).one(db).await? else {
        return Ok(None);
    };
    let hints = hints::Entity::find()
        .filter(hints::Column::ChallengeId.eq(id))
        .filter(hints::Column::Hidden.eq(false))
        .order_by_asc(hints::Column::Position)
        .all(db)
        .await?;
    let attachments = attachments::Entity::find()
        .filter(attachments::Column::ChallengeId.eq(id))
        .order_by_asc(attachments::Column::Position)
        .all(db)
        .await?;
    Ok(Some(ChallengeView { challenge, area, hints, attachments }))
}

/// The slug of every challenge of a contest, by id (hidden ones too: a solve of one still counts).
pub async fn slugs_of(
    db: &impl ConnectionTrait,
    contest_id: i32,
) -> StoreResult<std::collections::HashMap<i32, String>> {
    Ok(challenges::Entity::find()
        .filter(challenges::Column::ContestId.eq(contest_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.slug))
        .collect())
}

/// A contest's challenge by slug, withdrawn ones too.
pub async fn by_slug(db: &impl ConnectionTrait, contest_id: i32, slug: &str) -> StoreResult<Option<challenges::Model>> {
    Ok(challenges::Entity::find()
        .filter(challenges::Column::ContestId.eq(contest_id))
        .filter(challenges::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The withdrawn (hidden) challenges of a contest: by organizers, or gone from the sources.
pub async fn withdrawn_of(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<challenges::Model>> {
    Ok(challenges::Entity::find()
        .filter(challenges::Column::ContestId.eq(contest_id))
        .filter(challenges::Column::Hidden.eq(true))
        .order_by_asc(challenges::Column::Position)
        .all(db)
        .await?)
}

/// Withdraws a challenge (its solves count for nothing) or brings it back.
pub async fn set_hidden(db: &impl ConnectionTrait, id: i32, hidden: bool) -> StoreResult<()> {
    challenges::Entity::update_many()
        .col_expr(challenges::Column::Hidden, Expr::value(hidden))
        .col_expr(challenges::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(challenges::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets what a challenge is worth: its (initial) points and, for a dynamic one, its minimum.
pub async fn set_points(db: &impl ConnectionTrait, id: i32, points: i32, minimum: i32) -> StoreResult<()> {
    challenges::Entity::update_many()
        .col_expr(challenges::Column::Points, Expr::value(points))
        .col_expr(challenges::Column::Minimum, Expr::value(minimum))
        .col_expr(challenges::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(challenges::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
