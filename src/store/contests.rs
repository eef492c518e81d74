//! Contests: listing, finding, and creating the demo.

use chrono::{DateTime, Utc};
use entity::contests;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::StoreResult;

pub async fn all(db: &impl ConnectionTrait) -> StoreResult<Vec<contests::Model>> {
    Ok(contests::Entity::find().order_by_desc(contests::Column::StartsAt).all(db).await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> StoreResult<Option<contests::Model>> {
    Ok(contests::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_slug(db: &impl ConnectionTrait, slug: &str) -> StoreResult<Option<contests::Model>> {
    Ok(contests::Entity::find().filter(contests::Column::Slug.eq(slug)).one(db).await?)
}

/// The contest the un-prefixed API serves: the one running now (the latest to start, if several),
/// else the latest.
pub async fn current(db: &impl ConnectionTrait, now: DateTime<Utc>) -> StoreResult<Option<contests::Model>> {
    let running = contests::Entity::find()
        .filter(contests::Column::StartsAt.lte(now))
        .filter(contests::Column::EndsAt.gt(now))
        .order_by_desc(contests::Column::StartsAt)
        .one(db)
        .await?;
    match running {
        Some(c) => Ok(Some(c)),
        None => Ok(contests::Entity::find().order_by_desc(contests::Column::StartsAt).one(db).await?),
    }
}

pub struct NewContest {
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
    pub timezone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub freeze_at: Option<DateTime<Utc>>,
    pub max_team_size: i32,
    pub demo: bool,
}

pub async fn create(db: &impl ConnectionTrait, new: NewContest) -> StoreResult<contests::Model> {
    Ok(contests::ActiveModel {
        slug: Set(new.slug),
        title: Set(new.title),
        title_en: Set(new.title_en),
        description: Set(new.description),
        description_en: Set(new.description_en),
        timezone: Set(new.timezone),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        freeze_at: Set(new.freeze_at),
        max_team_size: Set(new.max_team_size),
        demo: Set(new.demo),
        created_at: Set(Utc::now()),
        paused: Set(false),
        wrong_answers_per_minute: Set(10),
        revealed: Set(false),
        scoreboard_public: Set(true),
        teams_by_organizers: Set(false),
        archive_until: Set(None),
        archive_file_limit: Set(50 * 1024 * 1024),
        archive_team_limit: Set(500 * 1024 * 1024),
        ceremony_awards: Set(3),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn set_revealed(db: &impl ConnectionTrait, contest_id: i32, revealed: bool) -> StoreResult<()> {
    contests::Entity::update_many()
        .col_expr(contests::Column::Revealed, sea_orm::sea_query::Expr::value(revealed))
        .filter(contests::Column::Id.eq(contest_id))
        .exec(db)
        .await?;
    Ok(())
}

/// What organizers change of a contest during the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySettings {
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub freeze_at: Option<chrono::DateTime<chrono::Utc>>,
    pub wrong_answers_per_minute: i32,
}

impl DaySettings {
    pub fn of(c: &contests::Model) -> DaySettings {
        DaySettings {
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            freeze_at: c.freeze_at,
            wrong_answers_per_minute: c.wrong_answers_per_minute,
        }
    }
}

pub async fn set_day_settings(db: &impl ConnectionTrait, contest_id: i32, s: DaySettings) -> StoreResult<()> {
    use sea_orm::sea_query::Expr;
    contests::Entity::update_many()
        .col_expr(contests::Column::StartsAt, Expr::value(s.starts_at))
        .col_expr(contests::Column::EndsAt, Expr::value(s.ends_at))
        .col_expr(contests::Column::FreezeAt, Expr::value(s.freeze_at))
        .col_expr(contests::Column::WrongAnswersPerMinute, Expr::value(s.wrong_answers_per_minute))
        .filter(contests::Column::Id.eq(contest_id))
        .exec(db)
        .await?;
    Ok(())
}

/// An area's opening window (none: the contest's).
pub async fn set_area_window(
    db: &impl ConnectionTrait,
    area_id: i32,
    opens_at: Option<chrono::DateTime<chrono::Utc>>,
    closes_at: Option<chrono::DateTime<chrono::Utc>>,
) -> StoreResult<()> {
    use sea_orm::sea_query::Expr;
    entity::areas::Entity::update_many()
        .col_expr(entity::areas::Column::OpensAt, Expr::value(opens_at))
        .col_expr(entity::areas::Column::ClosesAt, Expr::value(closes_at))
        .filter(entity::areas::Column::Id.eq(area_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Where an organizer takes the closing ceremony.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyMove {
    Next,
    Back,
    /// To its last step.
    End,
}

/// Starts a contest's ceremony at step 0 (the frozen standings), unless one is under way or the results are
/// revealed; whether it started.
pub async fn start_ceremony(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<bool> {
    use sea_orm::sea_query::Expr;
    let done = contests::Entity::update_many()
        .col_expr(contests::Column::CeremonyStep, Expr::value(0))
        .filter(contests::Column::Id.eq(contest_id))
        .filter(contests::Column::CeremonyStep.is_null())
        .filter(contests::Column::Revealed.eq(false))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Moves a ceremony under way by one step, or to its `last`. In one statement, so that two presses at once
/// (two laptops, two instances) are two steps, and none takes it past either end.
pub async fn move_ceremony(db: &impl ConnectionTrait, contest_id: i32, to: CeremonyMove, last: i32) -> StoreResult<()> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let step = contests::Column::CeremonyStep;
    let update = contests::Entity::update_many()
        .filter(contests::Column::Id.eq(contest_id))
        .filter(step.is_not_null())
        .filter(contests::Column::Revealed.eq(false));
    let update = match to {
        CeremonyMove::Next => update.col_expr(step, Expr::col(step).add(1)).filter(step.lt(last)),
        CeremonyMove::Back => update.col_expr(step, Expr::col(step).sub(1)).filter(step.gt(0)),
        CeremonyMove::End => update.col_expr(step, Expr::value(last)),
    };
    update.exec(db).await?;
    Ok(())
}

/// Ends a ceremony under way by revealing the results; whether one was under way.
pub async fn finish_ceremony(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<bool> {
    use sea_orm::sea_query::Expr;
    let done = contests::Entity::update_many()
        .col_expr(contests::Column::Revealed, Expr::value(true))
        .col_expr(contests::Column::CeremonyStep, Expr::value(Option::<i32>::None))
        .filter(contests::Column::Id.eq(contest_id))
        .filter(contests::Column::CeremonyStep.is_not_null())
        .filter(contests::Column::Revealed.eq(false))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}
