//! Answers are written by one task that commits them in batches (group commit): when many teams answer at
//! once, one transaction and one flush to disk carry every answer that arrived meanwhile, instead of one
//! each, and SQLite's writers never queue on its busy timeout. Each caller still waits for the commit that
//! holds its answer: a verdict is never returned before its record is on disk.
//!
//! An answer's limits (wrong answers a minute, `max_attempts`) are checked in the same transaction that
//! records it, after the team's row is locked: the count read is the count written, on every instance.

use entity::submissions;
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use super::play::{Attempt, RightAnswer};
use super::{StoreError, StoreResult, is_unique_violation, limits, play, teams};
use crate::domain::limiter::{AnswerLimited, AnswerLimits};

/// The most answers one transaction carries.
const BATCH: usize = 256;

/// A record kept as it is, or a right answer, which makes a solve.
#[derive(Clone, Copy)]
enum Kind {
    Plain,
    Right,
}

/// What became of one record.
enum Recorded {
    Kept,
    Right(RightAnswer),
    /// Not judged: over a limit, nothing written.
    Limited(AnswerLimited),
}

struct Pending {
    row: submissions::ActiveModel,
    kind: Kind,
    /// The limits the answer is judged under; none for a record that judges nothing (`already_solved`).
    limits: Option<AnswerLimits>,
    reply: oneshot::Sender<StoreResult<Recorded>>,
}

/// The way answers reach the database.
pub struct AnswerLog {
    sender: mpsc::UnboundedSender<Pending>,
}

impl AnswerLog {
    /// Starts the writing task (on the current Tokio runtime); it ends when the log is dropped.
    pub fn start(db: DatabaseConnection) -> AnswerLog {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(db, receiver));
        AnswerLog { sender }
    }

    /// A wrong answer, its text already cut for keeping, unless it is over a limit.
    pub async fn wrong(
        &self,
        attempt: &Attempt<'_>,
        kept_text: String,
        limits: AnswerLimits,
    ) -> StoreResult<Result<(), AnswerLimited>> {
        match self.record(attempt.row("incorrect", Some(kept_text), None), Kind::Plain, Some(limits)).await? {
            Recorded::Limited(why) => Ok(Err(why)),
            _ => Ok(Ok(())),
        }
    }

    /// An attempt at a challenge the team has solved already.
    pub async fn already_solved(&self, attempt: &Attempt<'_>) -> StoreResult<()> {
        self.record(attempt.row("already_solved", None, None), Kind::Plain, None).await.map(|_| ())
    }

    /// A right answer and its solve, unless it is over a limit; when members answer at once, the unique
    /// index lets one solve through and the others become `already_solved`.
    pub async fn right(
        &self,
        attempt: &Attempt<'_>,
        digest: String,
        limits: AnswerLimits,
    ) -> StoreResult<Result<RightAnswer, AnswerLimited>> {
        match self.record(attempt.row("correct", None, Some(digest)), Kind::Right, Some(limits)).await? {
            Recorded::Right(r) => Ok(Ok(r)),
            Recorded::Limited(why) => Ok(Err(why)),
            Recorded::Kept => Err(StoreError::NotFound),
        }
    }

    async fn record(
        &self,
        row: submissions::ActiveModel,
        kind: Kind,
        limits: Option<AnswerLimits>,
    ) -> StoreResult<Recorded> {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Pending { row, kind, limits, reply }).map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

fn closed() -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom("the answer log has stopped".into()))
}

async fn write_loop(db: DatabaseConnection, mut receiver: mpsc::UnboundedReceiver<Pending>) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        write(&db, batch).await;
    }
}

/// Commits a batch and answers each caller. If the batch fails as a whole, each record is tried alone, so
/// that one bad record costs only its own answer.
async fn write(db: &DatabaseConnection, batch: Vec<Pending>) {
    let records: Vec<Record> = batch.iter().map(Record::of).collect();
    match commit(db, &records).await {
        Ok(results) => {
            for (p, r) in batch.into_iter().zip(results) {
                // A caller that went away (its client hung up) needs no answer.
                let _ = p.reply.send(Ok(r));
            }
        }
        Err(e) if batch.len() == 1 => {
            let _ = batch.into_iter().next().map(|p| p.reply.send(Err(e)));
        }
        Err(_) => {
            for p in batch {
                let result = commit(db, &[Record::of(&p)]).await.map(|mut r| r.remove(0));
                let _ = p.reply.send(result);
            }
        }
    }
}

/// One record of a batch, as `commit` needs it.
struct Record<'a> {
    row: &'a submissions::ActiveModel,
    kind: Kind,
    limits: Option<AnswerLimits>,
}

impl Record<'_> {
    fn of(p: &Pending) -> Record<'_> {
        Record { row: &p.row, kind: p.kind, limits: p.limits }
    }

    fn team_id(&self) -> i32 {
        *self.row.team_id.as_ref()
    }

    fn challenge_id(&self) -> i32 {
        *self.row.challenge_id.as_ref()
    }
}

async fn commit(db: &DatabaseConnection, records: &[Record<'_>]) -> StoreResult<Vec<Recorded>> {
    let txn = db.begin().await?;
    // The teams whose limits are checked, locked in order first: two instances' batches never wait on
    // each other in a circle, and every count below is final until the commit.
    let mut limited: Vec<i32> = records.iter().filter(|r| r.limits.is_some()).map(Record::team_id).collect();
    limited.sort_unstable();
    limited.dedup();
    for team_id in limited {
        teams::lock(&txn, team_id).await?;
    }
    let mut results = Vec::with_capacity(records.len());
    for record in records {
        if let Some(limits) = record.limits {
            let now = chrono::Utc::now();
            let recent = limits::recent_wrong(&txn, record.team_id(), limits.per_minute.since(now)).await?;
            let wrong_here = if limits.max_attempts > 0 {
                play::wrong_count(&txn, record.team_id(), record.challenge_id()).await?
            } else {
                0
            };
            if let Err(why) = limits.check(recent, wrong_here, now) {
                results.push(Recorded::Limited(why));
                continue;
            }
        }
        results.push(match record.kind {
            Kind::Plain => {
                record.row.clone().insert(&txn).await?;
                Recorded::Kept
            }
            Kind::Right => Recorded::Right(right(&txn, record.row).await?),
        });
    }
    txn.commit().await?;
    Ok(results)
}

/// A right answer inside the batch, under a savepoint: a solve the unique index refuses undoes only
/// this answer's rows, which are then kept as `already_solved`.
async fn right(txn: &DatabaseTransaction, row: &submissions::ActiveModel) -> StoreResult<RightAnswer> {
    let savepoint = txn.begin().await?;
    let submission = row.clone().insert(&savepoint).await?;
    let solve = super::play::solve_of(&submission).insert(&savepoint).await;
    match solve {
        Ok(solve) => {
            savepoint.commit().await?;
            Ok(RightAnswer::Solved(solve))
        }
        Err(e) if is_unique_violation(&e) => {
            savepoint.rollback().await?;
            let mut already = row.clone();
            already.outcome = Set("already_solved".into());
            already.digest = Set(None);
            already.insert(txn).await?;
            Ok(RightAnswer::AlreadySolved)
        }
        Err(e) => Err(e.into()),
    }
}
