//! `mwscup answer hash`: the digest of an answer as a challenge's source holds it. Needs no database.

use std::io::Read;

use anyhow::bail;

use crate::domain::answer::{AnswerDigest, Rule};

pub fn hash(salt: &str, rule: &str, answer: &str) -> anyhow::Result<()> {
    let rule: Rule = rule.parse().map_err(|e| anyhow::anyhow!("--rule: {e}"))?;
    if salt.is_empty() {
        bail!("--salt: must not be empty");
    }
    let typed = if answer == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
        trimmed.to_owned()
    } else {
        answer.to_owned()
    };
    println!("{}", AnswerDigest::of_typed(rule, salt, &typed));
    Ok(())
}
