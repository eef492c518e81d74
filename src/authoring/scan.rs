//! Reading the files of a contest folder for what must never be there: an answer in plaintext (outside
//! a demo's `answers.toml`) and a raw executable among the attachments.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use walkdir::WalkDir;

use super::Problem;
use super::source::{ChallengeSpec, ContestSource};
use crate::domain::answer::AnswerDigest;

/// What begins a PE, ELF or Mach-O file (thin or fat).
fn executable_kind(head: &[u8]) -> Option<&'static str> {
    match head {
        [b'M', b'Z', ..] => Some("a PE (Windows) executable"),
        [0x7f, b'E', b'L', b'F', ..] => Some("an ELF executable"),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => Some("a Mach-O executable"),
        [0xca, 0xfe, 0xba, 0xbe, ..] => Some("a Mach-O universal executable"),
        _ => None,
    }
}

fn head_of(reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4);
    reader.take(4).read_to_end(&mut head)?;
    Ok(head)
}

/// Raw executables among the attachments, and zips that hold one unencrypted. Samples travel only
/// inside encrypted zips (password `infected`).
pub fn attachments(s: &ContestSource) -> Vec<Problem> {
    let mut out = Vec::new();
    for file in s.challenges.iter().flat_map(|c| &c.files) {
        let head = match File::open(&file.path).and_then(|mut f| head_of(&mut f)) {
            Ok(head) => head,
            Err(e) => {
                out.push(Problem::new(&file.path, "files", format!("cannot be read: {e}")));
                continue;
            }
        };
        if let Some(kind) = executable_kind(&head) {
            out.push(Problem::new(
                &file.path,
                "files",
                format!("is {kind}: put it in an encrypted zip (password infected)"),
            ));
        } else if head.starts_with(b"PK\x03\x04") {
            out.extend(zip_entries(&file.path));
        }
    }
    out
}

fn zip_entries(path: &Path) -> Vec<Problem> {
    let opened =
        File::open(path).map_err(|e| e.to_string()).and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
    let mut archive = match opened {
        Ok(archive) => archive,
        Err(e) => return vec![Problem::new(path, "files", format!("is a zip that cannot be read: {e}"))],
    };
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let meta = archive.by_index_raw(i).map(|entry| {
            let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("entry {i}"));
            (name, entry.encrypted(), entry.is_dir())
        });
        let (name, encrypted, dir) = match meta {
            Ok(meta) => meta,
            Err(e) => {
                out.push(Problem::new(path, "files", format!("zip entry {i} cannot be read: {e}")));
                continue;
            }
        };
        if encrypted || dir {
            continue;
        }
        let head =
            archive.by_index(i).map_err(|e| e.to_string()).and_then(|mut e| head_of(&mut e).map_err(|e| e.to_string()));
        match head {
            Ok(head) => {
                if let Some(kind) = executable_kind(&head) {
                    out.push(Problem::new(
                        path,
                        "files",
                        format!("holds {name:?}, {kind}, unencrypted: encrypt the zip (password infected)"),
                    ));
                }
            }
            Err(e) => out.push(Problem::new(path, "files", format!("zip entry {name:?} cannot be read: {e}"))),
        }
    }
    out
}

/// Files larger than this are not read for leaks (datasets, captures): their lines are evidence.
const MAX_TEXT: u64 = 16 * 1024 * 1024;

/// What one challenge's answer is known by.
struct Secret<'a> {
    challenge: &'a ChallengeSpec,
}

impl Secret<'_> {
    fn matches(&self, candidate: &str) -> bool {
        let a = &self.challenge.answer;
        let digest = AnswerDigest::of_canonical(&a.salt, &a.rule.canonical(candidate));
        AnswerDigest::is_among(&digest, &a.digests)
    }
}

/// Lines of text files that hash to an answer. In an attachment only a whole line counts (an artefact
/// holds the evidence, with its context); elsewhere (questions, manifests, notes) every value and word
/// counts too.
pub fn leaks(s: &ContestSource) -> Vec<Problem> {
    let secrets: Vec<Secret<'_>> = s.challenges.iter().map(|challenge| Secret { challenge }).collect();
    let mut out = Vec::new();
    let walker = WalkDir::new(&s.dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker.flatten() {
        if !entry.file_type().is_file() || entry.metadata().map(|m| m.len() > MAX_TEXT).unwrap_or(true) {
            continue;
        }
        let path = entry.path();
        let relative = path.strip_prefix(&s.dir).unwrap_or(path);
        if s.contest.demo && relative == Path::new("answers.toml") {
            continue;
        }
        let Some(text) = std::fs::read(path).ok().filter(|b| !b.contains(&0)).and_then(|b| String::from_utf8(b).ok())
        else {
            continue;
        };
        let attachment = relative.components().any(|c| c.as_os_str() == "files");
        for (n, line) in text.lines().enumerate() {
            let candidates = if attachment { vec![line.to_owned()] } else { candidates(line) };
            let leaked: Vec<&Secret<'_>> =
                secrets.iter().filter(|secret| candidates.iter().any(|c| secret.matches(c))).collect();
            for secret in leaked {
                out.push(Problem::new(
                    path,
                    format!("line {}", n + 1),
                    format!(
                        "holds the answer of {}/{} in plaintext: remove it (the sources keep digests only)",
                        secret.challenge.area, secret.challenge.slug
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
    fn executables_are_recognised_by_their_magic() {
        assert!(executable_kind(b"MZ\x90\x00").is_some());
        assert!(executable_kind(b"\x7fELF").is_some());
        assert!(executable_kind(&[0xcf, 0xfa, 0xed, 0xfe]).is_some());
        assert!(executable_kind(b"PK\x03\x04").is_none());
        assert!(executable_kind(b"{\"a").is_none());
        assert!(executable_kind(b"M").is_none());
    }

    #[test]
    fn words_values_and_lines_are_candidates() {
        let c = candidates("answer = \"Mimikatz\" # see **qpkz.exe**.");
        assert!(c.contains(&"Mimikatz".to_owned()), "{c:?}");
        assert!(c.contains(&"qpkz.exe".to_owned()), "{c:?}");
        let c = candidates("C2: evil.example:443");
        assert!(c.contains(&"evil.example:443".to_owned()), "{c:?}");
    }
}
