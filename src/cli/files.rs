//! `mwscup files migrate --to database`: every file of the folder store (`<data_dir>/files`) copied into
//! the database store, so that instances sharing the database (with `blob_store = "database"`) serve the
//! files that were stored before. Idempotent: a file already in the database is not copied again, and a
//! second run says that nothing was left to copy. The folder is left as it was.

use std::path::Path;

use anyhow::Context;

use super::open;
use crate::blobs::BlobStore;
use crate::config::Overrides;

/// What a migration did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    pub copied: usize,
    pub bytes: u64,
    pub present: usize,
}

/// `mwscup files migrate --to database`, with its counts on stdout.
pub async fn migrate(overrides: &Overrides, to: &str) -> anyhow::Result<()> {
    anyhow::ensure!(to == "database", "files can be migrated to the database only (--to database)");
    let (settings, db) = open(overrides).await?;
    let report = copy_folder(&settings.data_dir, &BlobStore::database(db)).await?;
    if report.copied == 0 {
        println!(
            "nothing to copy: all {} files of {} are in the database",
            report.present,
            settings.data_dir.display()
        );
    } else {
        println!(
            "copied {} files ({} bytes) into the database; {} were there already",
            report.copied, report.bytes, report.present
        );
    }
    Ok(())
}

/// Copies every file of the folder store under `data_dir` into `to`.
pub async fn copy_folder(data_dir: &Path, to: &BlobStore) -> anyhow::Result<Migrated> {
    let folder = BlobStore::folder(data_dir);
    let digests = crate::blobs::folder_digests(data_dir)
        .with_context(|| format!("reading {}", data_dir.join("files").display()))?;
    let mut report = Migrated::default();
    for sha256 in digests {
        if to.exists(&sha256).await? {
            report.present += 1;
            continue;
        }
        let path = folder.path_of(&sha256).context("a stored file's digest")?;
        let stored = to.put_file(&path).await.with_context(|| format!("copying {}", path.display()))?;
        anyhow::ensure!(
            stored.sha256 == sha256,
            "{} does not hold what its name says (its content is {}): left out",
            path.display(),
            stored.sha256
        );
        if stored.written {
            report.copied += 1;
            report.bytes += stored.size;
        } else {
            report.present += 1;
        }
    }
    Ok(report)
}
