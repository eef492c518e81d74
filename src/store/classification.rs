//! Classification challenges: their scoring rows (written by `challenges sync`), the teams' uploads and
//! their chosen finals, and the points the uploads are worth as standings entries.

use chrono::{DateTime, Utc};
use entity::{challenges, classifications, contests, predictions};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::StoreResult;
use crate::domain::classification::{Confusion, Metric, Scored, Spec, Upload, contributions};
use crate::domain::standings::{Entry, EntryKind};

pub async fn spec_row(db: &impl ConnectionTrait, challenge_id: i32) -> StoreResult<Option<classifications::Model>> {
    Ok(classifications::Entity::find_by_id(challenge_id).one(db).await?)
}

/// The scoring rules of a row, with the challenge's salt.
pub fn spec_of(row: &classifications::Model, salt: &str) -> Spec {
    Spec {
        salt: salt.to_owned(),
        labels: serde_json::from_str(&row.labels).unwrap_or_default(),
        positive: row.positive.clone(),
        metric: metric_of(row),
    }
}

pub fn metric_of(row: &classifications::Model) -> Metric {
    row.metric.parse().unwrap_or(Metric::Accuracy)
}

pub struct NewUpload<'a> {
    pub contest_id: i32,
    pub challenge_id: i32,
    pub team_id: i32,
    pub user_id: i32,
    pub sha256: &'a str,
    pub size: i64,
    pub scored: Scored,
}

async fn insert(db: &impl ConnectionTrait, new: NewUpload<'_>) -> StoreResult<predictions::Model> {
    let (p, q) = (new.scored.public, new.scored.private);
    Ok(predictions::ActiveModel {
        contest_id: Set(new.contest_id),
        challenge_id: Set(new.challenge_id),
        team_id: Set(new.team_id),
        user_id: Set(Some(new.user_id)),
        created_at: Set(Utc::now()),
        sha256: Set(new.sha256.to_owned()),
        size: Set(new.size),
        rows: Set(new.scored.rows),
        chosen: Set(false),
        public_tp: Set(p.tp),
        public_fp: Set(p.fp),
        public_tn: Set(p.tn),
        public_fn: Set(p.fn_),
        private_tp: Set(q.tp),
        private_fp: Set(q.fp),
        private_tn: Set(q.tn),
        private_fn: Set(q.fn_),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Keeps an upload unless the team has used its `max` uploads since `since` (then `None`). The team's row is
/// taken first, so uploads sent at once cannot pass the limit together.
pub async fn insert_within(
    db: &DatabaseConnection,
    new: NewUpload<'_>,
    since: DateTime<Utc>,
    max: u64,
) -> StoreResult<Option<predictions::Model>> {
    let txn = db.begin().await?;
    super::teams::lock(&txn, new.team_id).await?;
    if count_since(&txn, new.team_id, new.challenge_id, since).await? >= max {
        return Ok(None);
    }
    let model = insert(&txn, new).await?;
    txn.commit().await?;
    Ok(Some(model))
}

/// A team's uploads for a challenge, newest first.
pub async fn uploads_of(
    db: &impl ConnectionTrait,
    team_id: i32,
    challenge_id: i32,
) -> StoreResult<Vec<predictions::Model>> {
    Ok(predictions::Entity::find()
        .filter(predictions::Column::TeamId.eq(team_id))
        .filter(predictions::Column::ChallengeId.eq(challenge_id))
        .order_by_desc(predictions::Column::Id)
        .all(db)
        .await?)
}

/// Every team's uploads for a challenge, by team, oldest first.
pub async fn uploads_by_team(db: &impl ConnectionTrait, challenge_id: i32) -> StoreResult<Vec<(i32, Vec<Upload>)>> {
    let rows = predictions::Entity::find()
        .filter(predictions::Column::ChallengeId.eq(challenge_id))
        .order_by_asc(predictions::Column::Id)
        .all(db)
        .await?;
    let mut by_team: std::collections::BTreeMap<i32, Vec<Upload>> = std::collections::BTreeMap::new();
    for p in &rows {
        by_team.entry(p.team_id).or_default().push(upload_of(p));
    }
    Ok(by_team.into_iter().collect())
}

/// Uploads of a team for a challenge since an instant.
pub async fn count_since(
    db: &impl ConnectionTrait,
    team_id: i32,
    challenge_id: i32,
    since: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(predictions::Entity::find()
        .filter(predictions::Column::TeamId.eq(team_id))
        .filter(predictions::Column::ChallengeId.eq(challenge_id))
        .filter(predictions::Column::CreatedAt.gte(since))
        .count(db)
        .await?)
}

/// Makes exactly `ids` (at most two of the team's uploads for the challenge) its chosen finals; an empty
/// list goes back to the default (the best two public). Ids not the team's are ignored.
pub async fn choose(db: &impl ConnectionTrait, team_id: i32, challenge_id: i32, ids: &[i32]) -> StoreResult<()> {
    for u in uploads_of(db, team_id, challenge_id).await? {
        let chosen = ids.contains(&u.id);
        if u.chosen != chosen {
            let mut a = u.into_active_model();
            a.chosen = Set(chosen);
            a.update(db).await?;
        }
    }
    Ok(())
}

pub fn public_of(p: &predictions::Model) -> Confusion {
    Confusion { tp: p.public_tp, fp: p.public_fp, tn: p.public_tn, fn_: p.public_fn }
}

pub fn private_of(p: &predictions::Model) -> Confusion {
    Confusion { tp: p.private_tp, fp: p.private_fp, tn: p.private_tn, fn_: p.private_fn }
}

pub fn upload_of(p: &predictions::Model) -> Upload {
    Upload { id: p.id, at: p.created_at, public: public_of(p), private: private_of(p), chosen: p.chosen }
}

/// Whether a contest's private board decides: it has ended and its results are revealed.
pub fn private_board(contest: &contests::Model, now: DateTime<Utc>) -> bool {
    contest.revealed && now >= contest.ends_at
}

/// Which scores a classification challenge's points come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    /// As its boards show them now: public until the results are revealed after the end (`private_board`).
    AsShown,
    /// The private scores of the finals, revealed or not (the closing ceremony's final standings).
    Private,
}

/// The points of a contest's classification challenges as standings entries, in their challenge's area:
/// during the contest the best public metric of each team's uploads, as it rose; once the results are
/// revealed after the end (or when `board` asks for them), the private metric of its finals.
pub async fn entries(
    db: &impl ConnectionTrait,
    contest_id: i32,
    challenges: &[challenges::Model],
    board: Board,
) -> StoreResult<Vec<Entry>> {
    let scored: Vec<&challenges::Model> = challenges.iter().filter(|c| c.kind == "classification").collect();
    if scored.is_empty() {
        return Ok(Vec::new());
    }
    let Some(contest) = contests::Entity::find_by_id(contest_id).one(db).await? else {
        return Ok(Vec::new());
    };
    let private = board == Board::Private || private_board(&contest, Utc::now());
    let rows = classifications::Entity::find()
        .filter(classifications::Column::ChallengeId.is_in(scored.iter().map(|c| c.id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let uploads = predictions::Entity::find()
        .filter(predictions::Column::ContestId.eq(contest_id))
        .order_by_asc(predictions::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::new();
    for c in scored {
        let Some(row) = rows.iter().find(|r| r.challenge_id == c.id) else { continue };
        let mut by_team: std::collections::BTreeMap<i32, Vec<Upload>> = std::collections::BTreeMap::new();
        for u in uploads.iter().filter(|u| u.challenge_id == c.id) {
            by_team.entry(u.team_id).or_default().push(upload_of(u));
        }
        for (team_id, list) in by_team {
            for (at, points) in contributions(&list, metric_of(row), c.points, private) {
                let kind = EntryKind::Classification { challenge_id: c.id };
                out.push(Entry { team_id, area_id: Some(c.area_id), points, at, kind });
            }
        }
    }
    Ok(out)
}
