//! `mwscup challenges new`: a new challenge folder with a fresh salt, ready to fill in.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::domain::spec::is_slug;

/// A salt no other challenge has: 128 random bits, hex.
pub fn fresh_salt() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Creates `root/contest/area/slug/` with `challenge.toml`, `README.md`, `README.en.md` and `files/`.
pub fn new_challenge(root: &Path, contest: &str, area: &str, slug: &str) -> anyhow::Result<PathBuf> {
    for (what, value) in [("--contest", contest), ("--area", area), ("SLUG", slug)] {
        if !is_slug(value) {
            bail!("{what}: {value:?} is not a slug (a-z, 0-9, -)");
        }
    }
    let contest_dir = root.join(contest);
    let manifest = fs::read_to_string(contest_dir.join("contest.toml"))
        .with_context(|| format!("no contest folder {} (contest.toml)", contest_dir.display()))?;
    let declared = manifest
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("areas").and_then(|a| a.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .any(|a| a.get("key").and_then(|k| k.as_str()) == Some(area));
    if !declared {
        bail!("--area: {area:?} is not among the [[areas]] of {}", contest_dir.join("contest.toml").display());
    }
    let dir = contest_dir.join(area).join(slug);
    if dir.exists() {
        bail!("{} exists already", dir.display());
    }
    fs::create_dir_all(dir.join("files"))?;
    let salt = fresh_salt();
    fs::write(
        dir.join("challenge.toml"),
        format!(
            r#"title = "{slug}"
title_en = "{slug}"
# group = "sample-a"          # questions about the same sample share a group
points = 100                  # or a [scoring] table: function = "linear" | "logarithmic", initial, minimum, decay
max_attempts = 0              # 0 = unlimited
requires = []                 # slugs that must be solved first
datasets = []                 # keys from ../../../datasets.toml
tags = []
author = ""

[answer]
rule = "casefold"             # exact | casefold | hex | list
salt = "{salt}"
# Never write the answer here. Add its digest:
#   mwscup answer hash --salt {salt} --rule casefold 'THE ANSWER'
digests = []
format = ""                   # shown to players beside the answer field, e.g. "host:port"
format_en = ""                # the same in English (optional)

# [[hints]]
# text = "ヒント"
# text_en = "A hint"
# cost = 10
"#
        ),
    )?;
    fs::write(dir.join("README.md"), format!("# {slug}\n\n問題文をここに書きます。\n"))?;
    fs::write(dir.join("README.en.md"), format!("# {slug}\n\nThe question, in English.\n"))?;
    fs::write(dir.join("files").join(".keep"), "")?;
    Ok(dir)
}
