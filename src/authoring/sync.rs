//! `mwscup challenges sync`: a checked contest source into the database. Texts, times, points, hints,
//! digests and files are created or updated; solves and submissions are never touched; a challenge
//! removed from the folder is hidden, not deleted. Every change is named, so a second run can say that
//! nothing changed.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use chrono::Duration;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sea_orm::{DatabaseConnection, TransactionTrait};

use crate::blobs::{BlobStore, Stored};
use crate::domain::spec::ContestSource;
use crate::store::sources::{self, AttachmentRow, Change};

fn describe(what: &str, change: &Change) -> Option<String> {
    match change {
        Change::Created => Some(format!("{what}: created")),
        Change::Updated(fields) => Some(format!("{what}: updated {}", fields.join(", "))),
        Change::Unchanged => None,
    }
}

/// Stores the attachments' content, with a progress bar on a terminal.
async fn store_files(
    blobs: &BlobStore,
    source: &ContestSource,
    lines: &mut Vec<String>,
) -> anyhow::Result<HashMap<PathBuf, Stored>> {
    let mut files: Vec<_> = source.challenges.iter().flat_map(|c| c.files.iter().map(move |f| (c, f))).collect();
    // A classification challenge's sealed table is stored like an attachment (digests only), not offered.
    let sealed: Vec<_> = source
        .challenges
        .iter()
        .filter_map(|c| {
            let spec = c.classification.as_ref()?;
            let size = std::fs::metadata(&spec.sealed_path).map(|m| m.len()).unwrap_or(0);
            Some((c, crate::domain::spec::FileSpec { name: "sealed.csv".into(), path: spec.sealed_path.clone(), size }))
        })
        .collect();
    files.extend(sealed.iter().map(|(c, f)| (*c, f)));
    let total: u64 = files.iter().map(|(_, f)| f.size).sum();
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("storing attachments {bar:30} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut stored = HashMap::new();
    for (challenge, file) in files {
        bar.set_message(file.name.clone());
        let blob = blobs.put_file(&file.path).await.with_context(|| format!("storing {}", file.path.display()))?;
        if blob.written {
            lines.push(format!(
                "file {}/{}/{}: stored as {} ({} bytes)",
                challenge.area, challenge.slug, file.name, blob.sha256, blob.size
            ));
        }
        bar.inc(file.size);
        stored.insert(file.path.clone(), blob);
    }
    bar.finish_and_clear();
    Ok(stored)
}

/// Loads a checked source; returns one line per change (empty when nothing changed).
pub async fn sync(db: &DatabaseConnection, blobs: &BlobStore, source: &ContestSource) -> anyhow::Result<Vec<String>> {
    // Two syncs at once (two instances starting with `--demo`, a sync from the console and one from the
    // command line) take turns: the second finds the first's rows and says what, if anything, changed.
    crate::db::exclusively(db, "sync", sync_now(db, blobs, source)).await
}

async fn sync_now(db: &DatabaseConnection, blobs: &BlobStore, source: &ContestSource) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    let stored = store_files(blobs, source, &mut lines).await?;

    let txn = db.begin().await?;
    for d in &source.datasets {
        let (_, change) = sources::dataset(&txn, d).await?;
        lines.extend(describe(&format!("dataset {}", d.key), &change));
    }
    let (contest, change) = sources::contest(&txn, &source.contest).await?;
    lines.extend(describe(&format!("contest {}", contest.slug), &change));

    let mut area_ids = HashMap::new();
    for (i, a) in source.areas.iter().enumerate() {
        let (area, change) = sources::area(&txn, contest.id, a, i32::try_from(i)?).await?;
        lines.extend(describe(&format!("area {}", a.key), &change));
        area_ids.insert(a.key.clone(), area.id);
    }
    lines.extend(sources::rubric(&txn, contest.id, &source.rubric).await?);

    let mut kept = Vec::new();
    for (i, c) in source.challenges.iter().enumerate() {
        let name = format!("challenge {}/{}", c.area, c.slug);
        let area_id = *area_ids.get(&c.area).with_context(|| format!("{name}: unknown area"))?;
        let (row, change) =
            sources::challenge(&txn, contest.id, area_id, c, source.group_of(c), i32::try_from(i)?).await?;
        lines.extend(describe(&name, &change));
        kept.push(row.id);
        for line in sources::hints(&txn, row.id, &c.hints).await? {
            lines.push(format!("{name}: {line}"));
        }
        let rows: Vec<AttachmentRow> = c
            .files
            .iter()
            .filter_map(|f| {
                let blob = stored.get(&f.path)?;
                Some(AttachmentRow {
                    name: f.name.clone(),
                    sha256: blob.sha256.clone(),
                    size: i64::try_from(blob.size).ok()?,
                })
            })
            .collect();
        for line in sources::attachments(&txn, row.id, &rows).await? {
            lines.push(format!("{name}: {line}"));
        }
        if let Some(spec) = &c.classification {
            let sealed = stored.get(&spec.sealed_path).with_context(|| format!("{name}: sealed.csv not stored"))?;
            let change = sources::classification(&txn, row.id, spec, &sealed.sha256).await?;
            lines.extend(describe(&format!("{name}: classification"), &change));
        }
    }
    for slug in sources::hide_others(&txn, contest.id, &kept).await? {
        lines.push(format!("challenge {slug}: hidden (no longer in the sources; its solves are kept)"));
    }
    txn.commit().await?;
    Ok(lines)
}

impl ContestSource {
    /// The same contest with every time moved by `by` (the demo is moved to start now).
    pub fn shifted(mut self, by: Duration) -> ContestSource {
        let c = &mut self.contest;
        c.starts_at += by;
        c.ends_at += by;
        c.freeze_at = c.freeze_at.map(|t| t + by);
        for a in &mut self.areas {
            a.opens_at = a.opens_at.map(|t| t + by);
            a.closes_at = a.closes_at.map(|t| t + by);
        }
        for ch in &mut self.challenges {
            ch.opens_at = ch.opens_at.map(|t| t + by);
            ch.closes_at = ch.closes_at.map(|t| t + by);
        }
        self
    }
}
