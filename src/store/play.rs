//! The contest day's records: attempts, solves, hint unlocks, announcements, the pause switch.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{announcements, contests, hint_unlocks, hints, solves, submissions, users};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{StoreResult, is_unique_violation};
use crate::domain::idempotency::KeptAnswer;

/// Who answered what, from where.
pub struct Attempt<'a> {
    pub contest_id: i32,
    pub challenge_id: i32,
    pub team_id: i32,
    pub user_id: i32,
    pub ip: &'a str,
    /// The answer's own id, made before its first try to be written: the client is told it, and a record
    /// tried again finds its own row by it.
    pub submission_id: String,
    /// The client's `Idempotency-Key`, if it sent one.
    pub key: Option<&'a str>,
}

impl Attempt<'_> {
    /// The submission's row, stamped now: the time of the answer, whenever its batch is committed.
    pub(super) fn row(&self, outcome: &str, text: Option<String>, digest: Option<String>) -> submissions::ActiveModel {
        submissions::ActiveModel {
            contest_id: Set(self.contest_id),
            challenge_id: Set(self.challenge_id),
            team_id: Set(self.team_id),
            user_id: Set(self.user_id),
            outcome: Set(outcome.to_owned()),
            text: Set(text),
            digest: Set(digest),
            ip: Set(self.ip.chars().take(64).collect()),
            created_at: Set(Utc::now()),
            submission_id: Set(Some(self.submission_id.clone())),
            idempotency_key: Set(self.key.map(str::to_owned)),
            ..Default::default()
        }
    }
}

/// A new answer's id: a UUIDv7, so that ids sort as the answers came.
pub fn new_submission_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl From<&submissions::Model> for KeptAnswer {
    fn from(s: &submissions::Model) -> KeptAnswer {
        KeptAnswer {
            submission_id: s.submission_id.clone().unwrap_or_default(),
            challenge_id: s.challenge_id,
            outcome: s.outcome.clone(),
            text: s.text.clone(),
            digest: s.digest.clone(),
        }
    }
}

/// The team's answer kept under a key since `since`, if there is one.
pub async fn kept_under_key(
    db: &impl ConnectionTrait,
    team_id: i32,
    key: &str,
    since: DateTime<Utc>,
) -> StoreResult<Option<KeptAnswer>> {
    let row = submissions::Entity::find()
        .filter(submissions::Column::TeamId.eq(team_id))
        .filter(submissions::Column::IdempotencyKey.eq(key))
        .filter(submissions::Column::CreatedAt.gte(since))
        .one(db)
        .await?;
    Ok(row.as_ref().map(KeptAnswer::from))
}

/// The rows that hold these (team, key) pairs, however old.
pub(super) async fn under_keys(
    db: &impl ConnectionTrait,
    keys: &[(i32, &str)],
) -> StoreResult<HashMap<(i32, String), submissions::Model>> {
    let found = submissions::Entity::find()
        .filter(submissions::Column::TeamId.is_in(keys.iter().map(|k| k.0)))
        .filter(submissions::Column::IdempotencyKey.is_in(keys.iter().map(|k| k.1)))
        .all(db)
        .await?;
    Ok(found
        .into_iter()
        .filter_map(|s| Some(((s.team_id, s.idempotency_key.clone()?), s)))
        .filter(|((team, key), _)| keys.contains(&(*team, key.as_str())))
        .collect())
}

/// Keys past their window, freed for new answers (the answers themselves stay).
pub(super) async fn release_keys(db: &impl ConnectionTrait, ids: &[i32]) -> StoreResult<()> {
    if !ids.is_empty() {
        submissions::Entity::update_many()
            .col_expr(submissions::Column::IdempotencyKey, Expr::value(Option::<String>::None))
            .filter(submissions::Column::Id.is_in(ids.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The row of an answer, by the id its client was told.
pub async fn by_submission_id(db: &impl ConnectionTrait, id: &str) -> StoreResult<Option<submissions::Model>> {
    Ok(submissions::Entity::find().filter(submissions::Column::SubmissionId.eq(id)).one(db).await?)
}

/// The solve a submission made, if it stands.
pub(super) async fn solve_made_by(db: &impl ConnectionTrait, submission: i32) -> StoreResult<Option<solves::Model>> {
    Ok(solves::Entity::find().filter(solves::Column::SubmissionId.eq(submission)).one(db).await?)
}

/// The solve a submission makes, at the submission's own time (a right answer's, or a disputed one accepted).
pub fn solve_of(s: &submissions::Model) -> solves::ActiveModel {
    solves::ActiveModel {
        contest_id: Set(s.contest_id),
        challenge_id: Set(s.challenge_id),
        team_id: Set(s.team_id),
        user_id: Set(s.user_id),
        submission_id: Set(s.id),
        created_at: Set(s.created_at),
        ..Default::default()
    }
}

/// What became of a right answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RightAnswer {
    Solved(solves::Model),
    /// Another member's answer made the solve first.
    AlreadySolved,
}

/// A team's solves in a contest.
pub async fn solves_of_team(db: &impl ConnectionTrait, team_id: i32) -> StoreResult<Vec<solves::Model>> {
    Ok(solves::Entity::find()
        .filter(solves::Column::TeamId.eq(team_id))
        .order_by_asc(solves::Column::Id)
        .all(db)
        .await?)
}

/// Wrong answers a team gave to a challenge: what `max_attempts` counts.
pub async fn wrong_count(db: &impl ConnectionTrait, team_id: i32, challenge_id: i32) -> StoreResult<u64> {
    Ok(submissions::Entity::find()
        .filter(submissions::Column::TeamId.eq(team_id))
        .filter(submissions::Column::ChallengeId.eq(challenge_id))
        .filter(submissions::Column::Outcome.eq("incorrect"))
        .count(db)
        .await?)
}

/// The wrong answers a team gave in a contest, by challenge.
pub async fn wrong_counts(db: &impl ConnectionTrait, contest_id: i32, team_id: i32) -> StoreResult<HashMap<i32, u64>> {
    let rows: Vec<(i32, i64)> = submissions::Entity::find()
        .select_only()
        .column(submissions::Column::ChallengeId)
        .column_as(submissions::Column::Id.count(), "wrong")
        .filter(submissions::Column::ContestId.eq(contest_id))
        .filter(submissions::Column::TeamId.eq(team_id))
        .filter(submissions::Column::Outcome.eq("incorrect"))
        .group_by(submissions::Column::ChallengeId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(challenge, n)| (challenge, u64::try_from(n).unwrap_or(0))).collect())
}

/// Whose wrong answers are asked for.
#[derive(Debug, Clone, Copy)]
pub enum Answerer {
    Team(i32),
    User(i32),
}

/// The wrong answers a team or a user gave in a contest, oldest first.
pub async fn wrong_answers(
    db: &impl ConnectionTrait,
    contest_id: i32,
    who: Answerer,
) -> StoreResult<Vec<submissions::Model>> {
    let by = match who {
        Answerer::Team(id) => submissions::Column::TeamId.eq(id),
        Answerer::User(id) => submissions::Column::UserId.eq(id),
    };
    Ok(submissions::Entity::find()
        .filter(submissions::Column::ContestId.eq(contest_id))
        .filter(by)
        .filter(submissions::Column::Outcome.eq("incorrect"))
        .order_by_asc(submissions::Column::Id)
        .all(db)
        .await?)
}

/// Which of these (team, challenge) pairs are solved already.
pub async fn solved_among(
    db: &impl ConnectionTrait,
    pairs: &[(i32, i32)],
) -> StoreResult<std::collections::HashSet<(i32, i32)>> {
    let teams: Vec<i32> = pairs.iter().map(|p| p.0).collect();
    let challenges: Vec<i32> = pairs.iter().map(|p| p.1).collect();
    let found: Vec<(i32, i32)> = solves::Entity::find()
        .select_only()
        .column(solves::Column::TeamId)
        .column(solves::Column::ChallengeId)
        .filter(solves::Column::TeamId.is_in(teams))
        .filter(solves::Column::ChallengeId.is_in(challenges))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().filter(|p| pairs.contains(p)).collect())
}

/// A team's attempts at a challenge, newest first, with who made them.
pub async fn attempts(
    db: &impl ConnectionTrait,
    team_id: i32,
    challenge_id: i32,
) -> StoreResult<Vec<(submissions::Model, String)>> {
    let rows = submissions::Entity::find()
        .filter(submissions::Column::TeamId.eq(team_id))
        .filter(submissions::Column::ChallengeId.eq(challenge_id))
        .order_by_desc(submissions::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = rows.iter().map(|s| s.user_id).collect();
    let people = users::Entity::find().filter(users::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let name = people.iter().find(|u| u.id == s.user_id).map(|u| u.username.clone()).unwrap_or_default();
            (s, name)
        })
        .collect())
}

/// The hints a team has unlocked in a contest.
pub async fn unlocked(
    db: &impl ConnectionTrait,
    contest_id: i32,
    team_id: i32,
) -> StoreResult<Vec<hint_unlocks::Model>> {
    Ok(hint_unlocks::Entity::find()
        .filter(hint_unlocks::Column::ContestId.eq(contest_id))
        .filter(hint_unlocks::Column::TeamId.eq(team_id))
        .all(db)
        .await?)
}

/// Unlocks a hint for a team at its cost; a second unlock does nothing. Returns whether it was new.
pub async fn unlock(
    db: &impl ConnectionTrait,
    contest_id: i32,
    hint: &hints::Model,
    team_id: i32,
    user_id: i32,
) -> StoreResult<bool> {
    let result = hint_unlocks::ActiveModel {
        contest_id: Set(contest_id),
        hint_id: Set(hint.id),
        team_id: Set(team_id),
        user_id: Set(user_id),
        cost: Set(hint.cost),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// A hint still in the sources.
pub async fn hint_by_id(db: &impl ConnectionTrait, id: i32) -> StoreResult<Option<hints::Model>> {
    Ok(hints::Entity::find_by_id(id).filter(hints::Column::Hidden.eq(false)).one(db).await?)
}

pub async fn set_paused(db: &impl ConnectionTrait, contest_id: i32, paused: bool) -> StoreResult<()> {
    contests::Entity::update_many()
        .col_expr(contests::Column::Paused, Expr::value(paused))
        .filter(contests::Column::Id.eq(contest_id))
        .exec(db)
        .await?;
    Ok(())
}

pub struct NewAnnouncement {
    pub contest_id: i32,
    pub title: String,
    pub title_en: String,
    pub body: String,
    pub body_en: String,
    pub author_id: i32,
}

pub async fn announce(db: &impl ConnectionTrait, new: NewAnnouncement) -> StoreResult<announcements::Model> {
    Ok(announcements::ActiveModel {
        contest_id: Set(new.contest_id),
        title: Set(new.title),
        title_en: Set(new.title_en),
        body: Set(new.body),
        body_en: Set(new.body_en),
        author_id: Set(Some(new.author_id)),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A contest's announcements, newest first.
pub async fn announcement(db: &impl ConnectionTrait, id: i32) -> StoreResult<Option<announcements::Model>> {
    Ok(announcements::Entity::find_by_id(id).one(db).await?)
}

pub async fn announcements(db: &impl ConnectionTrait, contest_id: i32) -> StoreResult<Vec<announcements::Model>> {
    Ok(announcements::Entity::find()
        .filter(announcements::Column::ContestId.eq(contest_id))
        .order_by_desc(announcements::Column::Id)
        .all(db)
        .await?)
}
