//! `mwscup challenges new|check|sync`: challenge sources as files, scaffolded, checked, loaded.

use std::path::Path;

use anyhow::bail;

use super::{open, print_changes};
use crate::authoring;
use crate::blobs::BlobStore;
use crate::config::Overrides;

pub fn new(root: &Path, contest: &str, area: &str, slug: &str) -> anyhow::Result<()> {
    let dir = authoring::scaffold::new_challenge(root, contest, area, slug)?;
    println!(
        "created {}: write the question in README.md, then add the answer's digest to challenge.toml",
        dir.display()
    );
    Ok(())
}

pub fn check(dir: &Path) -> anyhow::Result<()> {
    for s in &checked_sources(dir)? {
        println!("{}: ok ({} areas, {} challenges)", s.dir.display(), s.areas.len(), s.challenges.len());
    }
    Ok(())
}

pub async fn sync(overrides: &Overrides, dir: &Path) -> anyhow::Result<()> {
    // A sync writes nothing, not even the data folder, unless every folder passes the check.
    let checked = checked_sources(dir)?;
    let (settings, db) = open(overrides).await?;
    let blobs = BlobStore::of(&settings, &db);
    for source in &checked {
        let lines = authoring::sync::sync(&db, &blobs, source).await?;
        print_changes(&source.dir, &lines);
        // Running servers reload the contest at once (PostgreSQL), not at their next periodic reload.
        if let Some(contest) = crate::store::contests::by_slug(&db, &source.contest.slug).await? {
            crate::live::bus::notify(&db, contest.id, 0).await;
        }
    }
    Ok(())
}

/// The contest folders under `dir` (or `dir` itself), each checked; every problem is printed.
fn checked_sources(dir: &Path) -> anyhow::Result<Vec<authoring::ContestSource>> {
    let folders = authoring::contest_folders(dir)?;
    let mut sources = Vec::new();
    let mut problems = 0;
    for folder in folders {
        match authoring::load_checked(&folder) {
            Ok(source) => sources.push(source),
            Err(found) => {
                for p in &found {
                    println!("{p}");
                }
                problems += found.len();
            }
        }
    }
    if problems > 0 {
        bail!("{problems} problem{} found", if problems == 1 { "" } else { "s" });
    }
    Ok(sources)
}
