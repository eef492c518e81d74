//! A contest folder uploaded as a zip (`zip -r cup.zip cup datasets.toml` in the challenges folder), unpacked
//! into a folder of our own before it is checked like any other. Every name must stay inside that folder
//! (no `..`, no absolute paths, no links), and the entries and their unpacked bytes are bounded, so a
//! hostile archive can neither escape nor fill the disk.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Bounds of an archive: its entries, and their unpacked bytes together.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub entries: usize,
    pub bytes: u64,
}

/// Unpacks `zip` into `into` (an empty folder) and returns the one contest folder it holds.
pub fn contest_zip(zip: &Path, into: &Path, bounds: Bounds) -> anyhow::Result<PathBuf> {
    let mut archive = zip::ZipArchive::new(File::open(zip)?).context("this is not a zip archive")?;
    if archive.len() > bounds.entries {
        bail!("the archive holds {} entries; at most {} are taken", archive.len(), bounds.entries);
    }
    let mut left = bounds.bytes;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).with_context(|| format!("entry {i} cannot be read"))?;
        let name = entry.name().to_owned();
        let Some(relative) = entry.enclosed_name() else {
            bail!("{name:?} would be written outside the contest folder");
        };
        if entry.is_symlink() {
            bail!("{name:?} is a link: only files and folders are taken");
        }
        let path = into.join(relative);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = File::create(&path)?;
        // The declared size may lie: count what is actually unpacked.
        let copied = io::copy(&mut (&mut entry).take(left + 1), &mut out)?;
        if copied > left {
            bail!("the archive unpacks to more than {} MiB", bounds.bytes / (1024 * 1024));
        }
        left -= copied;
    }
    let folders = super::contest_folders(into).unwrap_or_default();
    match folders.as_slice() {
        [one] if one != into => Ok(one.clone()),
        [_] => bail!("contest.toml is at the top of the archive: zip the contest folder itself (zip -r cup.zip cup)"),
        [] => bail!("no folder of the archive holds a contest.toml"),
        _ => bail!("the archive holds {} contest folders: upload one at a time", folders.len()),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;

    const BOUNDS: Bounds = Bounds { entries: 100, bytes: 1024 * 1024 };

    fn zip_of(files: &[(&str, &[u8])]) -> anyhow::Result<tempfile::NamedTempFile> {
        let file = tempfile::NamedTempFile::new()?;
        let mut w = zip::ZipWriter::new(file.reopen()?);
        for (name, bytes) in files {
            w.start_file(*name, SimpleFileOptions::default())?;
            w.write_all(bytes)?;
        }
        w.finish()?;
        Ok(file)
    }

    /// Why an archive of `files` is refused.
    fn refusal(files: &[(&str, &[u8])]) -> anyhow::Result<String> {
        let into = tempfile::tempdir()?;
        match contest_zip(zip_of(files)?.path(), into.path(), BOUNDS) {
            Ok(dir) => bail!("{} was taken", dir.display()),
            Err(e) => Ok(e.to_string()),
        }
    }

    #[test]
    fn a_contest_folder_is_unpacked_and_found() -> anyhow::Result<()> {
        let zip = zip_of(&[
            ("cup/contest.toml", b"slug = \"cup\""),
            ("cup/static/a/challenge.toml", b""),
            ("datasets.toml", b""),
        ])?;
        let into = tempfile::tempdir()?;
        let dir = contest_zip(zip.path(), into.path(), BOUNDS)?;
        assert_eq!(dir, into.path().join("cup"));
        assert!(dir.join("static/a/challenge.toml").is_file() && into.path().join("datasets.toml").is_file());
        Ok(())
    }

    #[test]
    fn names_outside_the_folder_are_refused() -> anyhow::Result<()> {
        for name in ["../evil.toml", "cup/../../evil"] {
            let why = refusal(&[(name, b"x")])?;
            assert!(why.contains("outside"), "{name}: {why}");
        }
        Ok(())
    }

    #[test]
    fn bounds_and_shapes_are_kept() -> anyhow::Result<()> {
        let big = vec![b'a'; 2 * 1024 * 1024];
        assert!(refusal(&[("cup/contest.toml", b""), ("cup/big.txt", &big)])?.contains("more than 1 MiB"));
        assert!(refusal(&[("contest.toml", b"")])?.contains("zip the contest folder"));
        assert!(refusal(&[("a/contest.toml", b""), ("b/contest.toml", b"")])?.contains("2 contest folders"));
        let many: Vec<(String, &[u8])> = (0..101).map(|i| (format!("cup/{i}.txt"), &b""[..])).collect();
        let refs: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        assert!(refusal(&refs)?.contains("101 entries"));

        let into = tempfile::tempdir()?;
        let not_zip = tempfile::NamedTempFile::new()?;
        std::fs::write(not_zip.path(), b"PK but not really")?;
        assert!(contest_zip(not_zip.path(), into.path(), BOUNDS).is_err());
        Ok(())
    }
}
