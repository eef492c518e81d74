//! `mwscup archive import DIR` and `mwscup archive export --contest SLUG DIR` (the folder format is
//! `archive_io`'s).

use std::path::Path;

use super::{archive_io, open, print_changes};
use crate::blobs::BlobStore;
use crate::config::Overrides;

pub async fn import(overrides: &Overrides, dir: &Path) -> anyhow::Result<()> {
    // An import writes nothing unless its folder passes the check.
    let source = archive_io::read(dir).map_err(|problems| {
        for p in &problems {
            println!("{p}");
        }
        anyhow::anyhow!("{} problem{} found", problems.len(), if problems.len() == 1 { "" } else { "s" })
    })?;
    let (settings, db) = open(overrides).await?;
    let lines = archive_io::import(&db, &BlobStore::of(&settings, &db), &source).await?;
    print_changes(dir, &lines);
    Ok(())
}

pub async fn export(overrides: &Overrides, contest: &str, dir: &Path) -> anyhow::Result<()> {
    let (settings, db) = open(overrides).await?;
    let files = archive_io::export(&db, &BlobStore::of(&settings, &db), contest, dir).await?;
    println!("wrote {} ({files} files)", dir.join("archive.toml").display());
    Ok(())
}
