//! A prediction file for a classification challenge, from a page or a script: the gate (the same windows
//! as an answer), the daily limit, the check and score against the sealed table, the stored file and its
//! counts, committed before the result is returned; the standings follow.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use entity::{classifications, contests, predictions, teams};
use sea_orm::DatabaseConnection;

use super::windows_of;
use crate::blobs::BlobStore;
use crate::domain::classification::{Problems, Sealed, score};
use crate::domain::play::Refusal;
use crate::live::Live;
use crate::store;
use crate::store::challenges::ChallengeView;

/// What became of an upload.
#[derive(Debug)]
pub enum Outcome {
    Scored(predictions::Model),
    /// The file has problems: nothing was kept.
    Problems(Problems),
    Refused(Refusal),
    /// The team used its uploads of the day; the next day starts at `next`.
    DailyLimit {
        max: i32,
        next: DateTime<Utc>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("not a classification challenge")]
    NotClassification,
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("the sealed table or the upload could not be read or stored: {0}")]
    Files(#[from] std::io::Error),
    #[error("the sealed table {0} does not read")]
    Sealed(String),
}

/// The sealed tables read so far, by their SHA-256: content-addressed, so never stale.
fn cache() -> &'static Mutex<HashMap<String, Arc<Sealed>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Sealed>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The sealed table of a challenge, read once from the blob store and kept in memory.
pub async fn sealed(blobs: &BlobStore, row: &classifications::Model) -> Result<Arc<Sealed>, UploadError> {
    if let Some(found) = cache().lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&row.sealed_sha256) {
        return Ok(found.clone());
    }
    let bytes =
        blobs.read_to_bytes(&row.sealed_sha256).await?.ok_or_else(|| UploadError::Sealed(row.sealed_sha256.clone()))?;
    // Parsing is CPU work: off the request's thread.
    let parsed = tokio::task::spawn_blocking(move || Sealed::read(&bytes))
        .await
        .map_err(|e| UploadError::Files(std::io::Error::other(e)))?;
    let table = Arc::new(parsed.map_err(|_| UploadError::Sealed(row.sealed_sha256.clone()))?);
    cache().lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(row.sealed_sha256.clone(), table.clone());
    Ok(table)
}

/// The start of the current day in the contest's zone, and of the next.
pub fn day_bounds(zone: &str, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let date = now.with_timezone(&tz).date_naive();
    let start = |d: chrono::NaiveDate| {
        tz.from_local_datetime(&d.and_time(NaiveTime::MIN)).earliest().map_or(now, |t| t.with_timezone(&Utc))
    };
    (start(date), start(date + Duration::days(1)))
}

pub struct Upload<'a> {
    pub contest: &'a contests::Model,
    pub view: &'a ChallengeView,
    pub team: &'a teams::Model,
    pub user_id: i32,
    pub bytes: Vec<u8>,
}

/// Checks, scores and keeps an upload.
pub async fn submit(
    db: &DatabaseConnection,
    blobs: &BlobStore,
    live: &Live,
    u: Upload<'_>,
) -> Result<Outcome, UploadError> {
    let c = &u.view.challenge;
    let row = store::classification::spec_row(db, c.id).await?.ok_or(UploadError::NotClassification)?;
    let now = Utc::now();
    if let Some(refusal) = windows_of(u.contest, &u.view.area, c).refusal(now) {
        return Ok(Outcome::Refused(refusal));
    }
    let (today, next) = day_bounds(&u.contest.timezone, now);
    let max = u64::try_from(row.max_per_day).unwrap_or(0);
    // A quick refusal before the scoring; the insert below counts again under the team's lock.
    if store::classification::count_since(db, u.team.id, c.id, today).await? >= max {
        return Ok(Outcome::DailyLimit { max: row.max_per_day, next });
    }
    let spec = store::classification::spec_of(&row, &c.answer_salt);
    // The table is read once (then kept); scoring is CPU work: off the request's thread.
    let table = sealed(blobs, &row).await?;
    let bytes = bytes::Bytes::from(u.bytes);
    let upload = bytes.clone();
    let scored = tokio::task::spawn_blocking(move || score(&spec, &table, &upload))
        .await
        .map_err(|e| UploadError::Files(std::io::Error::other(e)))?;
    let scored = match scored {
        Err(problems) => return Ok(Outcome::Problems(problems)),
        Ok(scored) => scored,
    };
    let stored = blobs.put_bytes(bytes).await?;
    let kept = store::classification::insert_within(
        db,
        store::classification::NewUpload {
            contest_id: u.contest.id,
            challenge_id: c.id,
            team_id: u.team.id,
            user_id: u.user_id,
            sha256: &stored.sha256,
            size: i64::try_from(stored.size).unwrap_or(i64::MAX),
            scored,
        },
        today,
        max,
    )
    .await?;
    let Some(model) = kept else {
        return Ok(Outcome::DailyLimit { max: row.max_per_day, next });
    };
    // Committed: the public board may show it now.
    live.changed(u.contest.id).await?;
    Ok(Outcome::Scored(model))
}
