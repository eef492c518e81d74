//! Answers are written by one task that commits them in batches (group commit): when many teams answer at
//! once, one transaction and one flush to disk carry every answer that arrived meanwhile, instead of one
//! each, and SQLite's writers never queue on its busy timeout. Each caller still waits for the commit that
//! holds its answer: a verdict is never returned before its record is on disk.
//!
//! An answer's limits (wrong answers a minute, `max_attempts`) are checked in the same transaction that
//! records it, after the team's row is locked: the count read is the count written, on every instance.

use std::collections::HashMap;

use entity::submissions;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, DatabaseTransaction, EntityTrait, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use super::play::{Attempt, RightAnswer};
use super::{StoreError, StoreResult, limits, play, teams};
use crate::domain::limiter::{AnswerLimited, AnswerLimits, Used};

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
    let now = chrono::Utc::now();
    let mut limited: Vec<i32> = records.iter().filter(|r| r.limits.is_some()).map(Record::team_id).collect();
    limited.sort_unstable();
    limited.dedup();
    // The teams whose limits are checked, locked first (in order of id, so two instances' batches never wait
    // on each other in a circle): every count below is final until the commit.
    teams::lock_all(&txn, &limited).await?;
    // Each team's counts are read once (every answer's window is the last minute: one query for all the
    // batch's teams) and then kept up to date with the batch's own wrong answers: as exact as a count per
    // answer.
    let mut recent: HashMap<i32, Used> = match records.iter().find_map(|r| r.limits) {
        Some(limits) => limits::recent_wrong_of(&txn, &limited, limits.per_minute.since(now)).await?,
        None => HashMap::new(),
    };
    let mut wrong_here: HashMap<(i32, i32), u64> = HashMap::new();
    let mut results: Vec<Option<Recorded>> = Vec::with_capacity(records.len());
    let mut plain = Vec::new();
    let mut rights = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let (team, challenge) = (record.team_id(), record.challenge_id());
        if let Some(limits) = record.limits {
            let used = recent.get(&team).copied().unwrap_or_default();
            let here = match (limits.max_attempts, wrong_here.get(&(team, challenge))) {
                (0, _) => 0,
                (_, Some(n)) => *n,
                (_, None) => {
                    *wrong_here.entry((team, challenge)).or_insert(play::wrong_count(&txn, team, challenge).await?)
                }
            };
            if let Err(why) = limits.check(used, here, now) {
                results.push(Some(Recorded::Limited(why)));
                continue;
            }
        }
        match record.kind {
            Kind::Plain => {
                if record.row.outcome.as_ref() == "incorrect" {
                    let used = recent.entry(team).or_default();
                    used.count += 1;
                    used.oldest = Some(used.oldest.unwrap_or(*record.row.created_at.as_ref()));
                    *wrong_here.entry((team, challenge)).or_default() += 1;
                }
                plain.push(record.row.clone());
                results.push(Some(Recorded::Kept));
            }
            Kind::Right => {
                rights.push(i);
                results.push(None);
            }
        }
    }
    for (i, answer) in right_answers(&txn, records, &rights, &mut plain).await? {
        results[i] = Some(answer);
    }
    insert_all(&txn, plain).await?;
    txn.commit().await?;
    Ok(results.into_iter().map(|r| r.unwrap_or(Recorded::Kept)).collect())
}

/// The batch's right answers (`rights`: their places in `records`): the first for a (team, challenge) that
/// has no solve yet makes one; the others are kept (into `plain`) as `already_solved`. The solves' unique
/// index still stands behind this, and every team here is locked, so no other writer adds a solve meanwhile.
async fn right_answers(
    txn: &DatabaseTransaction,
    records: &[Record<'_>],
    rights: &[usize],
    plain: &mut Vec<submissions::ActiveModel>,
) -> StoreResult<Vec<(usize, Recorded)>> {
    if rights.is_empty() {
        return Ok(Vec::new());
    }
    let pairs: Vec<(i32, i32)> = rights.iter().map(|&i| (records[i].team_id(), records[i].challenge_id())).collect();
    let mut taken = play::solved_among(txn, &pairs).await?;
    let mut out = Vec::with_capacity(rights.len());
    let mut solving = Vec::new();
    for (&i, pair) in rights.iter().zip(&pairs) {
        if taken.insert(*pair) {
            solving.push((i, *pair));
        } else {
            let mut already = records[i].row.clone();
            already.outcome = Set("already_solved".into());
            already.digest = Set(None);
            plain.push(already);
            out.push((i, Recorded::Right(RightAnswer::AlreadySolved)));
        }
    }
    if solving.is_empty() {
        return Ok(out);
    }
    let rows = solving.iter().map(|(i, _)| records[*i].row.clone());
    let submissions: HashMap<(i32, i32), submissions::Model> = submissions::Entity::insert_many(rows)
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .map(|s| ((s.team_id, s.challenge_id), s))
        .collect();
    let made = solving.iter().filter_map(|(_, pair)| submissions.get(pair).map(play::solve_of));
    let solves: HashMap<(i32, i32), entity::solves::Model> = entity::solves::Entity::insert_many(made)
        .exec_with_returning(txn)
        .await?
        .into_iter()
        .map(|s| ((s.team_id, s.challenge_id), s))
        .collect();
    for (i, pair) in solving {
        let solve = solves.get(&pair).cloned().ok_or(StoreError::NotFound)?;
        out.push((i, Recorded::Right(RightAnswer::Solved(solve))));
    }
    Ok(out)
}

/// Rows without a solve to make, in one statement.
async fn insert_all(txn: &DatabaseTransaction, rows: Vec<submissions::ActiveModel>) -> StoreResult<()> {
    if !rows.is_empty() {
        submissions::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    Ok(())
}
