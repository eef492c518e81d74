//! Challenge sources as files: reading a contest folder (`source`), checking it (`check`, `scan`),
//! scaffolding a new challenge (`scaffold`) and loading it into the database (`sync`).
//!
//! The format is a contract (organizers' repositories are written in it); README.md's "Authoring a
//! contest" describes it for people.

pub mod check;
pub mod problem;
pub(crate) mod reader;
pub mod scaffold;
pub mod scan;
pub mod source;
pub mod sync;
pub mod unpack;

use std::path::{Path, PathBuf};

pub use crate::domain::spec::ContestSource;
pub use problem::Problem;

/// Reads a contest folder and runs every check; the source is returned when nothing is wrong.
pub fn load_checked(dir: &Path) -> Result<ContestSource, Vec<Problem>> {
    let (source, mut problems) = source::read(dir);
    let Some(source) = source else {
        return Err(problems);
    };
    problems.extend(check::rules(&source));
    problems.extend(scan::attachments(&source));
    problems.extend(scan::leaks(&source));
    problems.extend(scan::truths(&source));
    if problems.is_empty() { Ok(source) } else { Err(problems) }
}

/// `dir` itself when it holds a `contest.toml`, else its sub-folders that do.
pub fn contest_folders(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if dir.join("contest.toml").is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    let mut folders: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.join("contest.toml").is_file()).collect();
    folders.sort();
    if folders.is_empty() {
        anyhow::bail!("{}: no contest.toml here or in its sub-folders", dir.display());
    }
    Ok(folders)
}
