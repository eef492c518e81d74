//! `mwscup classification seal`: a classification challenge's `sealed.csv` from its truth. Needs no database.

use std::path::Path;

use anyhow::{Context, bail};

use crate::domain::classification;

pub fn seal(
    salt: &str,
    seed: Option<&str>,
    fraction: f64,
    labels: &str,
    out: &Path,
    truth: &Path,
) -> anyhow::Result<()> {
    if salt.trim().is_empty() {
        bail!("--salt: must not be empty");
    }
    if !(0.0..=1.0).contains(&fraction) || fraction.is_nan() {
        bail!("--public-fraction: must be between 0 and 1");
    }
    let labels: Vec<String> = labels.split(',').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
    let bytes = std::fs::read(truth).with_context(|| format!("{}", truth.display()))?;
    let text = classification::seal(salt, seed.unwrap_or(salt), fraction, &labels, &bytes).map_err(|problems| {
        for p in &problems.first {
            println!("{}: line {}: {}", truth.display(), p.line, p.problem);
        }
        anyhow::anyhow!("{} problem{} found", problems.total, if problems.total == 1 { "" } else { "s" })
    })?;
    let sealed = classification::Sealed::read(text.as_bytes())
        .map_err(|_| anyhow::anyhow!("the sealed table does not read back"))?;
    std::fs::write(out, &text).with_context(|| format!("{}", out.display()))?;
    println!(
        "wrote {}: {} rows, {} public, {} private",
        out.display(),
        sealed.rows.len(),
        sealed.public_count(),
        sealed.rows.len() - sealed.public_count()
    );
    Ok(())
}
