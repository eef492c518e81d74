//! Disputed answers, settled by organizers: a wrong answer accepted becomes a solve at the time it was
//! given (its submission marked `accepted`); a solve revoked is removed, its submission marked `revoked`,
//! so the standings are as if it never happened. Both run inside the caller's transaction, beside the audit
//! entry that explains them.

use entity::{solves, submissions};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{StoreResult, is_unique_violation};

/// Which submissions the console lists; every part is optional.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub team_id: Option<i32>,
    pub challenge_id: Option<i32>,
    pub outcome: Option<String>,
    /// The id its client was told.
    pub submission_id: Option<String>,
    /// Only answers given at or after `since`, and before `until`.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    pub limit: u64,
}

/// A contest's submissions, newest first.
pub async fn submissions(
    db: &impl ConnectionTrait,
    contest_id: i32,
    f: &Filter,
) -> StoreResult<Vec<submissions::Model>> {
    let mut q = submissions::Entity::find()
        .filter(submissions::Column::ContestId.eq(contest_id))
        .order_by_desc(submissions::Column::Id);
    if let Some(t) = f.team_id {
        q = q.filter(submissions::Column::TeamId.eq(t));
    }
    if let Some(c) = f.challenge_id {
        q = q.filter(submissions::Column::ChallengeId.eq(c));
    }
    if let Some(o) = f.outcome.as_deref().filter(|o| !o.is_empty()) {
        q = q.filter(submissions::Column::Outcome.eq(o));
    }
    if let Some(id) = &f.submission_id {
        q = q.filter(submissions::Column::SubmissionId.eq(id));
    }
    if let Some(at) = f.since {
        q = q.filter(submissions::Column::CreatedAt.gte(at));
    }
    if let Some(at) = f.until {
        q = q.filter(submissions::Column::CreatedAt.lt(at));
    }
    Ok(q.limit(std::cmp::max(f.limit, 1)).all(db).await?)
}

pub async fn submission(
    db: &impl ConnectionTrait,
    contest_id: i32,
    id: i32,
) -> StoreResult<Option<submissions::Model>> {
    Ok(submissions::Entity::find_by_id(id).filter(submissions::Column::ContestId.eq(contest_id)).one(db).await?)
}

/// What became of an accepted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    Solved(solves::Model),
    /// The team has solved the challenge already: nothing changed.
    AlreadySolved,
}

/// Accepts a wrong answer: a solve at the time of the answer.
pub async fn accept(db: &impl ConnectionTrait, s: &submissions::Model) -> StoreResult<Accepted> {
    let solve = super::play::solve_of(s).insert(db).await;
    match solve {
        Ok(solve) => {
            set_outcome(db, s.id, "accepted").await?;
            Ok(Accepted::Solved(solve))
        }
        Err(e) if is_unique_violation(&e) => Ok(Accepted::AlreadySolved),
        Err(e) => Err(e.into()),
    }
}

/// Revokes the solve a submission made; `None` if it made none.
pub async fn revoke(db: &impl ConnectionTrait, s: &submissions::Model) -> StoreResult<Option<solves::Model>> {
    let Some(solve) = solves::Entity::find().filter(solves::Column::SubmissionId.eq(s.id)).one(db).await? else {
        return Ok(None);
    };
    solves::Entity::delete_by_id(solve.id).exec(db).await?;
    set_outcome(db, s.id, "revoked").await?;
    Ok(Some(solve))
}

async fn set_outcome(db: &impl ConnectionTrait, id: i32, outcome: &str) -> StoreResult<()> {
    submissions::Entity::update_many()
        .col_expr(submissions::Column::Outcome, Expr::value(outcome))
        .filter(submissions::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// How a challenge is going: what organizers watch to spot an ambiguous question during the day.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChallengeStats {
    pub wrong: u64,
    /// The most frequent wrong answers, most frequent first, with their counts.
    pub top_wrong: Vec<(String, u64)>,
}

/// The wrong answers of every challenge of a contest: how many, and the `top` most frequent.
pub async fn challenge_stats(
    db: &impl ConnectionTrait,
    contest_id: i32,
    top: usize,
) -> StoreResult<std::collections::HashMap<i32, ChallengeStats>> {
    let count = Expr::col(submissions::Column::Id).count();
    let rows: Vec<(i32, Option<String>, i64)> = submissions::Entity::find()
        .select_only()
        .column(submissions::Column::ChallengeId)
        .column(submissions::Column::Text)
        .column_as(count.clone(), "n")
        .filter(submissions::Column::ContestId.eq(contest_id))
        .filter(submissions::Column::Outcome.eq("incorrect"))
        .group_by(submissions::Column::ChallengeId)
        .group_by(submissions::Column::Text)
        .order_by_desc(count)
        .into_tuple()
        .all(db)
        .await?;
    let mut stats: std::collections::HashMap<i32, ChallengeStats> = std::collections::HashMap::new();
    for (challenge_id, text, n) in rows {
        let entry = stats.entry(challenge_id).or_default();
        let n = u64::try_from(n).unwrap_or(0);
        entry.wrong += n;
        if entry.top_wrong.len() < top {
            entry.top_wrong.push((text.unwrap_or_default(), n));
        }
    }
    Ok(stats)
}
