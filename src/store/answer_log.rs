//! Answers are written by one task that commits them in batches (group commit): when many teams answer at
//! once, one transaction and one flush to disk carry every answer that arrived meanwhile, instead of one
//! each, and SQLite's writers never queue on its busy timeout. Each caller still waits for the commit that
//! holds its answer: a verdict is never returned before its record is on disk.
//!
//! An answer's limits (wrong answers a minute, `max_attempts`) are checked in the same transaction that
//! records it, after the team's row is locked: the count read is the count written, on every instance.
//!
//! An answer sent with an `Idempotency-Key` locks its team too, and looks in that transaction for the team's
//! answer under the same key: if one was kept within the key's window, it is not judged, and its caller is
//! told of that answer instead; of two under one key in a batch, the later is told of the earlier. Answers
//! under one key are thus judged once, on every instance; the unique index on (team, key) stands behind it.

use std::collections::HashMap;

use entity::submissions;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, DatabaseTransaction, EntityTrait, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use super::play::{Attempt, RightAnswer};
use super::{StoreError, StoreResult, limits, play, teams};
use crate::domain::idempotency::{self, KeptAnswer};
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
    /// Not judged: the team's answer under the same key stands, nothing written.
    Replay(KeptAnswer),
}

/// What the log made of an answer.
pub enum Logged<T> {
    /// Judged now: what it made, or the limit it met (then nothing was written).
    Judged(Result<T, AnswerLimited>),
    /// Not judged, nothing written: the team's answer under the same key, kept within the key's window.
    Replayed(KeptAnswer),
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
    db: DatabaseConnection,
}

impl AnswerLog {
    /// Starts the writing task (on the current Tokio runtime); it ends when the log is dropped.
    pub fn start(db: DatabaseConnection) -> AnswerLog {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(db.clone(), receiver));
        AnswerLog { sender, db }
    }

    /// The team's answer under a key, if one was kept within the key's window: a retry is told of it before
    /// anything is judged. (The writer looks again under the team's lock, for retries sent at once.)
    pub async fn kept_under_key(&self, team_id: i32, key: &str) -> StoreResult<Option<KeptAnswer>> {
        let since = chrono::Utc::now() - idempotency::WINDOW;
        play::kept_under_key(&self.db, team_id, key, since).await
    }

    /// A wrong answer, its text already cut for keeping, unless it is over a limit.
    pub async fn wrong(
        &self,
        attempt: &Attempt<'_>,
        kept_text: String,
        limits: AnswerLimits,
    ) -> StoreResult<Logged<()>> {
        let recorded = self.record(attempt.row("incorrect", Some(kept_text), None), Kind::Plain, Some(limits)).await?;
        Ok(plain(recorded))
    }

    /// An attempt at a challenge the team has solved already.
    pub async fn already_solved(&self, attempt: &Attempt<'_>) -> StoreResult<Logged<()>> {
        Ok(plain(self.record(attempt.row("already_solved", None, None), Kind::Plain, None).await?))
    }

    /// A right answer and its solve, unless it is over a limit; when members answer at once, the unique
    /// index lets one solve through and the others become `already_solved`.
    pub async fn right(
        &self,
        attempt: &Attempt<'_>,
        digest: String,
        limits: AnswerLimits,
    ) -> StoreResult<Logged<RightAnswer>> {
        match self.record(attempt.row("correct", None, Some(digest)), Kind::Right, Some(limits)).await? {
            Recorded::Right(r) => Ok(Logged::Judged(Ok(r))),
            Recorded::Limited(why) => Ok(Logged::Judged(Err(why))),
            Recorded::Replay(kept) => Ok(Logged::Replayed(kept)),
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

/// What became of a record that makes no solve.
fn plain(recorded: Recorded) -> Logged<()> {
    match recorded {
        Recorded::Limited(why) => Logged::Judged(Err(why)),
        Recorded::Replay(kept) => Logged::Replayed(kept),
        Recorded::Kept | Recorded::Right(_) => Logged::Judged(Ok(())),
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
/// that one bad record costs only its own answer; each first looks for its own row, since a COMMIT reported
/// failed may have been carried out all the same (the connection lost after the database committed).
async fn write(db: &DatabaseConnection, batch: Vec<Pending>) {
    let records: Vec<Record> = batch.iter().map(Record::of).collect();
    match commit(db, &records, false).await {
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
                let result = commit(db, &[Record::of(&p)], true).await.map(|mut r| r.remove(0));
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

    /// The team and the client's key, if it sent one.
    fn key(&self) -> Option<(i32, &str)> {
        let key = self.row.idempotency_key.try_as_ref()?.as_deref()?;
        Some((self.team_id(), key))
    }

    fn submission_id(&self) -> Option<&str> {
        self.row.submission_id.try_as_ref()?.as_deref()
    }

    /// The answer as a later one under its key is told of it, once its batch made it `outcome`.
    fn kept_as(&self, outcome: &str) -> KeptAnswer {
        KeptAnswer {
            submission_id: self.submission_id().unwrap_or_default().to_owned(),
            challenge_id: self.challenge_id(),
            outcome: outcome.to_owned(),
            text: self.row.text.try_as_ref().cloned().flatten(),
            digest: if outcome == "correct" { self.row.digest.try_as_ref().cloned().flatten() } else { None },
        }
    }
}

/// Commits records; `again` when they are a failed batch's, tried once more.
async fn commit(db: &DatabaseConnection, records: &[Record<'_>], again: bool) -> StoreResult<Vec<Recorded>> {
    let txn = db.begin().await?;
    let now = chrono::Utc::now();
    let mut limited: Vec<i32> = records.iter().filter(|r| r.limits.is_some()).map(Record::team_id).collect();
    limited.sort_unstable();
    limited.dedup();
    let mut locked: Vec<i32> =
        records.iter().filter(|r| r.limits.is_some() || r.key().is_some()).map(Record::team_id).collect();
    locked.sort_unstable();
    locked.dedup();
    // The teams whose limits are checked or whose keys are looked up, locked first (in order of id, so two
    // instances' batches never wait on each other in a circle): every count and key below is final until the
    // commit.
    teams::lock_all(&txn, &locked).await?;
    let mut settled = settled_already(&txn, records, again, now).await?;
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
    // The batch's first record under each (team, key), and the later ones, which are told of it.
    let mut first_under: HashMap<(i32, &str), usize> = HashMap::new();
    let mut later: Vec<(usize, usize)> = Vec::new();
    for (i, record) in records.iter().enumerate() {
        if let Some(done) = settled[i].take() {
            results.push(Some(done));
            continue;
        }
        if let Some(key) = record.key() {
            if let Some(&first) = first_under.get(&key) {
                later.push((i, first));
                results.push(None);
                continue;
            }
            first_under.insert(key, i);
        }
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
    for (i, first) in later {
        results[i] = Some(told_of(&records[first], results[first].as_ref()));
    }
    insert_all(&txn, plain).await?;
    txn.commit().await?;
    Ok(results.into_iter().map(|r| r.unwrap_or(Recorded::Kept)).collect())
}

/// The records settled before anything is judged, by their place: tried `again`, one whose own row is there
/// (its failed batch did write it) is answered as that batch would have answered it; one under a key that the
/// team's kept answer holds is told of that answer. A key past its window is freed for the new answer.
async fn settled_already(
    txn: &DatabaseTransaction,
    records: &[Record<'_>],
    again: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Vec<Option<Recorded>>> {
    let mut out: Vec<Option<Recorded>> = records.iter().map(|_| None).collect();
    if again {
        for (i, record) in records.iter().enumerate() {
            let Some(id) = record.submission_id() else { continue };
            if let Some(row) = play::by_submission_id(txn, id).await? {
                out[i] = Some(as_written(txn, record.kind, &row).await?);
            }
        }
    }
    let keys: Vec<(i32, &str)> =
        records.iter().zip(&out).filter(|(_, done)| done.is_none()).filter_map(|(r, _)| r.key()).collect();
    if keys.is_empty() {
        return Ok(out);
    }
    let (kept, expired): (Vec<_>, Vec<_>) =
        play::under_keys(txn, &keys).await?.into_iter().partition(|(_, s)| s.created_at >= now - idempotency::WINDOW);
    play::release_keys(txn, &expired.iter().map(|(_, s)| s.id).collect::<Vec<_>>()).await?;
    let kept: HashMap<(i32, String), KeptAnswer> = kept.into_iter().map(|(k, s)| (k, KeptAnswer::from(&s))).collect();
    for (record, done) in records.iter().zip(out.iter_mut()) {
        let Some((team, key)) = record.key() else { continue };
        if done.is_none() {
            *done = kept.get(&(team, key.to_owned())).cloned().map(Recorded::Replay);
        }
    }
    Ok(out)
}

/// A record its failed batch did write, answered as that batch would have answered it.
async fn as_written(txn: &DatabaseTransaction, kind: Kind, row: &submissions::Model) -> StoreResult<Recorded> {
    Ok(match kind {
        Kind::Plain => Recorded::Kept,
        Kind::Right => match play::solve_made_by(txn, row.id).await? {
            Some(solve) => Recorded::Right(RightAnswer::Solved(solve)),
            None => Recorded::Right(RightAnswer::AlreadySolved),
        },
    })
}

/// What a later record under a key is told of the batch's first under it: the limit it met, or the answer as
/// the batch writes it.
fn told_of(first: &Record<'_>, result: Option<&Recorded>) -> Recorded {
    let outcome = match result {
        Some(Recorded::Limited(why)) => return Recorded::Limited(*why),
        Some(Recorded::Replay(kept)) => return Recorded::Replay(kept.clone()),
        Some(Recorded::Right(RightAnswer::Solved(_))) => "correct",
        Some(Recorded::Right(RightAnswer::AlreadySolved)) => "already_solved",
        Some(Recorded::Kept) | None => first.row.outcome.as_ref().as_str(),
    };
    Recorded::Replay(first.kept_as(outcome))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use entity::{solves, submissions};
    use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

    use super::*;
    use crate::domain::names::{TeamName, Username};
    use crate::store::play::new_submission_id;

    /// A database with the demo contest loaded and a team of one; returns its contest, team, user and a
    /// challenge's ids. The folder holds the database and must outlive it.
    async fn demo_day(dir: &std::path::Path) -> (DatabaseConnection, [i32; 4]) {
        let url = format!("sqlite://{}?mode=rwc", dir.join("mwscup.db").display());
        let db = crate::db::connect(&url).await.unwrap();
        crate::db::migrate(&db).await.unwrap();
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("challenges/mwscup-demo");
        let checked = crate::authoring::load_checked(&source).unwrap();
        let blobs = crate::blobs::BlobStore::folder(&dir.join("files"));
        crate::authoring::sync::sync(&db, &blobs, &checked).await.unwrap();
        let contest = crate::store::contests::by_slug(&db, "mwscup-demo").await.unwrap().unwrap();
        let challenge = crate::store::challenges::of_contest(&db, contest.id).await.unwrap().remove(0).challenge;
        let name = Username::parse("alice").unwrap();
        let new = crate::store::users::NewUser {
            username: &name,
            email: None,
            password_hash: String::new(),
            role: crate::domain::role::Role::Participant,
        };
        let user = crate::store::users::create(&db, new).await.unwrap();
        let name = TeamName::parse("Finders").unwrap();
        let new = crate::store::teams::NewTeam {
            contest_id: contest.id,
            name: &name,
            affiliation: None,
            captain_id: Some(user.id),
        };
        let team = crate::store::teams::create(&db, new).await.unwrap();
        (db, [contest.id, team.id, user.id, challenge.id])
    }

    /// An answer of the demo day's team to its challenge, under `key` if given.
    fn attempt_of(ids: [i32; 4], key: Option<&str>) -> Attempt<'_> {
        let [contest_id, team_id, user_id, challenge_id] = ids;
        Attempt { contest_id, challenge_id, team_id, user_id, ip: "192.0.2.1", submission_id: new_submission_id(), key }
    }

    /// A batch whose COMMIT was reported failed though the database carried it out: each record, tried again
    /// alone, finds its own row by its `submission_id` and is answered as the batch would have answered it,
    /// writing nothing twice.
    #[tokio::test]
    async fn a_failed_batch_tried_again_writes_nothing_twice() {
        let dir = tempfile::tempdir().unwrap();
        let (db, ids) = demo_day(dir.path()).await;
        let attempt = |key| attempt_of(ids, key);
        let limits = Some(AnswerLimits::new(10, 0));
        let wrong = attempt(None).row("incorrect", Some("nope".into()), None);
        let right = attempt(None).row("correct", None, Some("sha256:ab".into()));
        let batch =
            [Record { row: &wrong, kind: Kind::Plain, limits }, Record { row: &right, kind: Kind::Right, limits }];
        let first = commit(&db, &batch, false).await.unwrap();
        let Recorded::Right(RightAnswer::Solved(solve)) = &first[1] else { panic!("a solve") };
        for record in &batch {
            let again = commit(&db, std::slice::from_ref(record), true).await.unwrap().remove(0);
            match (&record.kind, again) {
                (Kind::Plain, Recorded::Kept) => {}
                (Kind::Right, Recorded::Right(RightAnswer::Solved(s))) => assert_eq!(&s, solve, "the batch's solve"),
                _ => panic!("answered otherwise than its batch"),
            }
        }
        assert_eq!(submissions::Entity::find().count(&db).await.unwrap(), 2);
        assert_eq!(solves::Entity::find().count(&db).await.unwrap(), 1);
        // Written anew (not as a retry), the unique `submission_id` refuses a second copy.
        assert!(commit(&db, &batch[..1], false).await.is_err());
        assert_eq!(submissions::Entity::find().count(&db).await.unwrap(), 2);
    }

    /// Two answers under one key in one batch: the later is told of the earlier, and only it is kept. Under a
    /// key past its window, an answer is judged anew and takes the key.
    #[tokio::test]
    async fn a_key_is_judged_once_a_window() {
        let dir = tempfile::tempdir().unwrap();
        let (db, ids) = demo_day(dir.path()).await;
        let attempt = |key| attempt_of(ids, key);
        let limits = Some(AnswerLimits::new(10, 0));
        let (first, second) = (attempt(Some("k")), attempt(Some("k")));
        let rows =
            [first.row("incorrect", Some("nope".into()), None), second.row("incorrect", Some("nope".into()), None)];
        let batch: Vec<Record> = rows.iter().map(|row| Record { row, kind: Kind::Plain, limits }).collect();
        let told = commit(&db, &batch, false).await.unwrap();
        assert!(matches!(told[0], Recorded::Kept));
        let Recorded::Replay(kept) = &told[1] else { panic!("told of the first") };
        assert_eq!((kept.submission_id.as_str(), kept.outcome.as_str()), (first.submission_id.as_str(), "incorrect"));
        // Later, in a batch of its own: told of the kept answer.
        let Recorded::Replay(kept) = commit(&db, &batch[1..], false).await.unwrap().remove(0) else { panic!("kept") };
        assert_eq!(kept.submission_id, first.submission_id);
        assert_eq!(submissions::Entity::find().count(&db).await.unwrap(), 1);

        // A day later the key names nothing: the answer is judged, and the key is its own now.
        submissions::Entity::update_many()
            .col_expr(
                submissions::Column::CreatedAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now() - idempotency::WINDOW),
            )
            .exec(&db)
            .await
            .unwrap();
        assert!(matches!(commit(&db, &batch[1..], false).await.unwrap()[0], Recorded::Kept));
        let rows = submissions::Entity::find().all(&db).await.unwrap();
        let keys: Vec<(Option<&str>, Option<&str>)> =
            rows.iter().map(|s| (s.submission_id.as_deref(), s.idempotency_key.as_deref())).collect();
        assert_eq!(
            keys,
            [(Some(first.submission_id.as_str()), None), (Some(second.submission_id.as_str()), Some("k"))]
        );
    }
}
