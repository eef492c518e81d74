//! Reading the files of a contest folder for what must never be there: an answer in plaintext (outside
//! a demo's `answers.toml`) and a raw executable among the attachments.

use std::path::Path;

use walkdir::WalkDir;

use super::Problem;
use crate::domain::answer::{AnswerDigest, Rule};
use crate::domain::spec::{ChallengeSpec, ContestSource};

/// Raw executables among the attachments, and zips that hold one unencrypted. Samples travel only
/// inside encrypted zips (password `infected`).
pub fn attachments(s: &ContestSource) -> Vec<Problem> {
    s.challenges
        .iter()
        .flat_map(|c| &c.files)
        .flat_map(|file| {
            crate::inspect::refusals(&file.path).into_iter().map(|why| Problem::new(&file.path, "files", why))
        })
        .collect()
}

/// Files larger than this are not read for leaks (datasets, captures): their lines are evidence.
const MAX_TEXT: u64 = 16 * 1024 * 1024;

/// Every text file of a contest folder (UTF-8, no NUL, at most `MAX_TEXT` bytes; hidden files and folders
/// left out), with its text, in name order.
fn texts(dir: &Path) -> impl Iterator<Item = (std::path::PathBuf, String)> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
        .filter(|e| e.file_type().is_file() && e.metadata().is_ok_and(|m| m.len() <= MAX_TEXT))
        .filter_map(|e| {
            let bytes = std::fs::read(e.path()).ok().filter(|b| !b.contains(&0))?;
            Some((e.into_path(), String::from_utf8(bytes).ok()?))
        })
}

/// Whether `canonical` (already made canonical by the challenge's rule) is one of its answers.
fn is_answer(challenge: &ChallengeSpec, canonical: &str) -> bool {
    let a = &challenge.answer;
    AnswerDigest::is_among(&AnswerDigest::of_canonical(&a.salt, canonical), &a.digests)
}

/// Lines of text files that hash to an answer. In an attachment only a whole line counts (an artefact
/// holds the evidence, with its context); elsewhere (questions, manifests, notes) every value and word
/// counts too.
pub fn leaks(s: &ContestSource) -> Vec<Problem> {
    let secrets: Vec<&ChallengeSpec> = s.challenges.iter().filter(|c| !c.answer.digests.is_empty()).collect();
    let mut rules: Vec<Rule> = Vec::new();
    for c in &secrets {
        if !rules.contains(&c.answer.rule) {
            rules.push(c.answer.rule);
        }
    }
    let mut out = Vec::new();
    for (path, text) in texts(&s.dir) {
        let path = path.as_path();
        let relative = path.strip_prefix(&s.dir).unwrap_or(path);
        if s.contest.demo && relative == Path::new("answers.toml") {
            continue;
        }
        let attachment = relative.components().any(|c| c.as_os_str() == "files");
        for (n, line) in text.lines().enumerate() {
            let candidates = if attachment { vec![line.to_owned()] } else { candidates(line) };
            // Each candidate is made canonical once per rule in use (NFKC is the cost), not once per challenge.
            let canonical: Vec<(Rule, Vec<String>)> =
                rules.iter().map(|r| (*r, candidates.iter().map(|c| r.canonical(c)).collect())).collect();
            let forms_of = |rule: Rule| canonical.iter().find(|(r, _)| *r == rule).map(|(_, f)| f.as_slice());
            let leaked: Vec<&&ChallengeSpec> = secrets
                .iter()
                .filter(|c| forms_of(c.answer.rule).unwrap_or_default().iter().any(|f| is_answer(c, f)))
                .collect();
            for secret in leaked {
                out.push(Problem::new(
                    path,
                    format!("line {}", n + 1),
                    format!(
                        "holds the answer of {}/{} in plaintext: remove it (the sources keep digests only)",
                        secret.area, secret.slug
                    ),
                ));
            }
        }
    }
    out
}

/// Files that pair a test id with its true label in plaintext (a truth file left in the sources, a test
/// set with its labels): a line counts when it holds a sealed id and a label whose digest is the sealed
/// one. One problem per file and challenge, with the count and the first line.
pub fn truths(s: &ContestSource) -> Vec<Problem> {
    let sealed: Vec<&ChallengeSpec> = s.challenges.iter().filter(|c| c.classification.is_some()).collect();
    if sealed.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (path, text) in texts(&s.dir) {
        let path = path.as_path();
        for challenge in &sealed {
            let Some(c) = &challenge.classification else { continue };
            let (mut count, mut first) = (0usize, 0usize);
            for (n, line) in text.lines().enumerate() {
                let tokens: Vec<&str> = line
                    .split(|ch: char| ch.is_whitespace() || ",;:=\"'`{}[]()|".contains(ch))
                    .filter(|t| !t.is_empty())
                    .collect();
                let labels: Vec<&String> = c.labels.iter().filter(|l| tokens.contains(&l.as_str())).collect();
                if labels.is_empty() {
                    continue;
                }
                let leaked = tokens.iter().any(|t| {
                    c.sealed.rows.get(*t).is_some_and(|row| {
                        labels.iter().any(|l| crate::domain::classification::label_digest(&c.salt, t, l) == row.digest)
                    })
                });
                if leaked {
                    count += 1;
                    if first == 0 {
                        first = n + 1;
                    }
                }
            }
            if count > 0 {
                out.push(Problem::new(
                    path,
                    format!("line {first}"),
                    format!(
                        "holds the true label of {count} test row{} of {}/{} in plaintext: only sealed.csv belongs in the sources",
                        if count == 1 { "" } else { "s" },
                        challenge.area,
                        challenge.slug
                    ),
                ));
            }
        }
    }
    out
}

/// The line, the value after a `key:` or `key =`, and every word, with quotes and Markdown marks off.
fn candidates(line: &str) -> Vec<String> {
    let mut out = vec![line.to_owned()];
    for sep in ['=', ':'] {
        if let Some((_, value)) = line.split_once(sep) {
            out.push(value.trim().trim_matches(['"', '\'', '`']).to_owned());
        }
    }
    let is_break = |c: char| c.is_whitespace() || "\"'`=,()[]{}<>*|".contains(c);
    for word in line.split(is_break) {
        let word = word.trim_end_matches(['.', ',', ';', ':', '!', '?', '。', '、']);
        if !word.is_empty() {
            out.push(word.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_values_and_lines_are_candidates() {
        let c = candidates("answer = \"Mimikatz\" # see **qpkz.exe**.");
        assert!(c.contains(&"Mimikatz".to_owned()), "{c:?}");
        assert!(c.contains(&"qpkz.exe".to_owned()), "{c:?}");
        let c = candidates("C2: evil.example:443");
        assert!(c.contains(&"evil.example:443".to_owned()), "{c:?}");
    }
}
