//! Limits as rows, checked and recorded in one transaction under a lock that makes contenders for the same
//! key take their turns, so they hold under a burst and across instances: failed logins per account and per
//! address, and (with `answer_log`) a team's wrong answers.

use chrono::{DateTime, Utc};
use entity::{login_failures, submissions, throttle_locks};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::StoreResult;
use crate::domain::limiter::{Policy, Used};

/// Takes the lock of `key` for the rest of the transaction: an upsert of its row, which is the row lock on
/// PostgreSQL and the database's write lock on SQLite.
async fn lock_key(db: &impl ConnectionTrait, key: &str, now: DateTime<Utc>) -> StoreResult<()> {
    let row = throttle_locks::ActiveModel { key: Set(key.to_owned()), touched_at: Set(now) };
    throttle_locks::Entity::insert(row)
        .on_conflict(
            OnConflict::column(throttle_locks::Column::Key).update_column(throttle_locks::Column::TouchedAt).to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

async fn failures(db: &impl ConnectionTrait, key: &str, since: DateTime<Utc>) -> StoreResult<Used> {
    let recent = || {
        login_failures::Entity::find()
            .filter(login_failures::Column::Key.eq(key))
            .filter(login_failures::Column::CreatedAt.gt(since))
    };
    let count = recent().count(db).await?;
    let oldest = if count == 0 {
        None
    } else {
        recent().order_by_asc(login_failures::Column::CreatedAt).one(db).await?.map(|f| f.created_at)
    };
    Ok(Used { count, oldest })
}

/// A login under way, counted as a failure until `succeeded` says otherwise.
#[derive(Debug)]
pub struct Reservation {
    ids: Vec<i32>,
}

/// Before a password is checked: refuses (`Err(seconds to wait)`) when any key has used its failures,
/// else records a failure under every key at once, so that a burst of guesses is counted as it arrives and
/// no more than the limit are ever checked. Keys are locked in order, so two logins never wait on each other
/// in a circle.
pub async fn reserve_login(
    db: &DatabaseConnection,
    keys: &[(String, Policy)],
) -> StoreResult<Result<Reservation, u64>> {
    let mut keys = keys.to_vec();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let txn = db.begin().await?;
    let now = Utc::now();
    for (key, _) in &keys {
        lock_key(&txn, key, now).await?;
    }
    let mut wait = None;
    for (key, policy) in &keys {
        let used = failures(&txn, key, policy.since(now)).await?;
        if let Err(secs) = policy.check(used, now) {
            wait = Some(Ord::max(wait.unwrap_or(0), secs));
        }
    }
    if let Some(secs) = wait {
        txn.commit().await?;
        return Ok(Err(secs));
    }
    let mut ids = Vec::with_capacity(keys.len());
    for (key, _) in &keys {
        let row = login_failures::ActiveModel { key: Set(key.clone()), created_at: Set(now), ..Default::default() };
        ids.push(login_failures::Entity::insert(row).exec(&txn).await?.last_insert_id);
    }
    // What no window can count any more: kept small whatever names or addresses are sprayed at it.
    let longest = keys.iter().map(|(_, p)| p.window).max().unwrap_or_default();
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::CreatedAt.lte(now - longest))
        .exec(&txn)
        .await?;
    throttle_locks::Entity::delete_many()
        .filter(throttle_locks::Column::TouchedAt.lte(now - longest))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Ok(Reservation { ids }))
}

/// The password was right: the reservation was no failure, and the account's earlier failures are forgiven
/// (those of its address are not).
pub async fn login_succeeded(db: &DatabaseConnection, reservation: Reservation, account_key: &str) -> StoreResult<()> {
    login_failures::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(login_failures::Column::Id.is_in(reservation.ids))
                .add(login_failures::Column::Key.eq(account_key)),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Several teams' wrong answers since `since`, for the limit by the minute, in one query; inside the
/// answers' transaction, after the teams' rows are locked. Teams without any are left out.
pub async fn recent_wrong_of(
    db: &impl ConnectionTrait,
    team_ids: &[i32],
    since: DateTime<Utc>,
) -> StoreResult<std::collections::HashMap<i32, Used>> {
    let rows: Vec<(i32, i64, Option<DateTime<Utc>>)> = submissions::Entity::find()
        .select_only()
        .column(submissions::Column::TeamId)
        .column_as(Expr::col(submissions::Column::Id).count(), "count")
        .column_as(Expr::col(submissions::Column::CreatedAt).min(), "oldest")
        .filter(submissions::Column::TeamId.is_in(team_ids.iter().copied()))
        .filter(submissions::Column::Outcome.eq("incorrect"))
        .filter(submissions::Column::CreatedAt.gt(since))
        .group_by(submissions::Column::TeamId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(team, count, oldest)| (team, Used { count: u64::try_from(count).unwrap_or(0), oldest }))
        .collect())
}
