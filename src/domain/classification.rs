//! Classification challenges (surface analysis as malware/cleanware labelling): the sealed truth, a
//! team's prediction file read line by line, its score on the public and private parts, and what the
//! scores are worth. Pure: no I/O.
//!
//! The truth is never held in plaintext. `sealed.csv` keeps, per test id, the digest
//! `SHA-256("mwscup-label-v1" 0x00 salt 0x00 id 0x00 label)` (lowercase hex; the label trimmed, the id
//! exact) and whether the row belongs to the public or the private board. A predicted row is right when
//! the digest of its (id, label) equals the sealed one. With a named positive label, "predicted positive
//! and right" is a true positive, "predicted positive and wrong" a false positive, and so on: with two
//! labels that is the whole confusion matrix, so F1 and balanced accuracy are exact.
//!
//! The public/private draw is seeded and needs no random-number generator whose algorithm might change:
//! the ids are ordered by `SHA-256("mwscup-split-v1" 0x00 seed 0x00 id)` and the first
//! `round(fraction × n)` are public.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::standings::Points;

/// Bytes an uploaded prediction file may have.
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;
/// Line problems reported at most; the rest are counted.
pub const MAX_REPORTED: usize = 20;

/// The digest of a (salt, id, label) triple: the **contract** of `sealed.csv`.
pub fn label_digest(salt: &str, id: &str, label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"mwscup-label-v1\0");
    h.update(salt.as_bytes());
    h.update(b"\0");
    h.update(id.as_bytes());
    h.update(b"\0");
    h.update(label.trim().as_bytes());
    h.finalize().into()
}

/// The metric a classification challenge is scored by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Accuracy,
    F1,
    BalancedAccuracy,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::F1 => "f1",
            Metric::BalancedAccuracy => "balanced_accuracy",
        }
    }
}

impl std::str::FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Metric, String> {
        match s {
            "accuracy" => Ok(Metric::Accuracy),
            "f1" => Ok(Metric::F1),
            "balanced_accuracy" => Ok(Metric::BalancedAccuracy),
            other => Err(format!("{other:?} is not accuracy, f1 or balanced_accuracy")),
        }
    }
}

/// Counts of one scored part: `tp` predicted positive and right, `fp` predicted positive and wrong, `tn`
/// predicted another label and right, `fn_` predicted another label and wrong.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Confusion {
    pub tp: i64,
    pub fp: i64,
    pub tn: i64,
    pub fn_: i64,
}

impl Confusion {
    pub fn total(&self) -> i64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// The metric in `0.0..=1.0`; 0 for an empty part. F1 is 0 when nothing positive was predicted or
    /// present; balanced accuracy is the mean of the recalls of the classes present.
    pub fn metric(&self, metric: Metric) -> f64 {
        let ratio = |a: i64, b: i64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        match metric {
            Metric::Accuracy => ratio(self.tp + self.tn, self.total()),
            Metric::F1 => ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_),
            Metric::BalancedAccuracy => {
                let (pos, neg) = (self.tp + self.fn_, self.tn + self.fp);
                match (pos > 0, neg > 0) {
                    (true, true) => (ratio(self.tp, pos) + ratio(self.tn, neg)) / 2.0,
                    (true, false) => ratio(self.tp, pos),
                    (false, true) => ratio(self.tn, neg),
                    (false, false) => 0.0,
                }
            }
        }
    }
}

/// `points × metric`, in hundredths (rounded to the nearest).
pub fn worth(points: i32, metric: f64) -> Points {
    Points((f64::from(points) * 100.0 * metric.clamp(0.0, 1.0)).round() as i64)
}

/// What a line of a file got wrong. Line 0 is the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Empty,
    NotUtf8,
    Header {
        expected: &'static str,
    },
    Columns {
        expected: usize,
        found: usize,
    },
    BlankId,
    UnknownId {
        id: String,
    },
    DuplicateId {
        id: String,
        first: usize,
    },
    UnknownLabel {
        label: String,
    },
    BadDigest,
    BadBoard {
        board: String,
    },
    /// Ids of the sealed table with no row: how many, and the first few in id order (never in the order
    /// of `sealed.csv`, which must not leak).
    Missing {
        count: usize,
        first: Vec<String>,
    },
    NoPart {
        board: &'static str,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub problem: Problem,
}

/// The problems of a file: the first [`MAX_REPORTED`], and how many there were.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problems {
    pub first: Vec<LineProblem>,
    pub total: usize,
}

impl Problems {
    fn push(&mut self, line: usize, problem: Problem) {
        self.total += 1;
        if self.first.len() < MAX_REPORTED {
            self.first.push(LineProblem { line, problem });
        }
    }
    fn is_empty(&self) -> bool {
        self.total == 0
    }
}

impl std::fmt::Display for Problem {
    /// English, for the command line and `challenges check`; the web gives each its own two languages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Empty => write!(f, "the file is empty"),
            Problem::NotUtf8 => write!(f, "is not UTF-8 text"),
            Problem::Header { expected } => write!(f, "the first line must be the header {expected}"),
            Problem::Columns { expected, found } => write!(f, "has {found} columns, not {expected}"),
            Problem::BlankId => write!(f, "the id is empty"),
            Problem::UnknownId { id } => write!(f, "unknown id {id:?}"),
            Problem::DuplicateId { id, first } => write!(f, "id {id:?} again (first on line {first})"),
            Problem::UnknownLabel { label } => write!(f, "unknown label {label:?}"),
            Problem::BadDigest => write!(f, "the digest is not 64 lowercase hex digits"),
            Problem::BadBoard { board } => write!(f, "board {board:?} is not public or private"),
            Problem::Missing { count, first } => {
                write!(f, "{count} ids have no row (the first in id order: {})", missing_list(first, *count))
            }
            Problem::NoPart { board } => write!(f, "no row is on the {board} board"),
        }
    }
}

/// The rows of a CSV text after its header, with their line numbers; `None` rows could not be read.
fn csv_rows(
    bytes: &[u8],
    header: &'static [&'static str],
    problems: &mut Problems,
) -> Vec<(usize, Option<csv::StringRecord>)> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        problems.push(0, Problem::Empty);
        return Vec::new();
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut out = Vec::new();
    let mut first = true;
    let mut record = csv::StringRecord::new();
    let mut lines = Lines { bytes, at: 0, line: 1 };
    loop {
        let before = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.of(record.position().map_or(before, csv::Position::byte));
                if first {
                    first = false;
                    let names: Vec<String> = record.iter().map(|f| f.trim().to_ascii_lowercase()).collect();
                    if names != header {
                        problems.push(line, Problem::Header { expected: header_text(header) });
                    }
                    continue;
                }
                if record.len() == 1 && record[0].trim().is_empty() {
                    continue; // a blank line
                }
                out.push((line, Some(record.clone())));
            }
            Err(e) => {
                let line = lines.of(e.position().map_or(before, csv::Position::byte));
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    problems.push(line, Problem::NotUtf8);
                    first = false;
                    out.push((line, None));
                } else {
                    problems.push(line, Problem::NotUtf8);
                    break;
                }
            }
        }
    }
    out
}

/// The line a record starts on, counted here: the CSV reader's own count is one short after a CRLF (it puts a
/// record at the `\n` that ends the line before), and Windows tools write CRLF. Records come in order, so the
/// count goes on from the last one.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line of the record at byte `offset`: past the line breaks the reader may place it on.
    fn of(&mut self, offset: u64) -> usize {
        let mut start = usize::try_from(offset).unwrap_or(usize::MAX).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.at {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.at..start]).count();
            self.at = start;
        }
        self.line
    }
}

fn header_text(header: &[&str]) -> &'static str {
    if header.len() == 2 { "id,label" } else { "id,digest,board" }
}

/// One sealed test row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedRow {
    pub digest: [u8; 32],
    pub public: bool,
}

/// The sealed truth of a challenge, by id, as read from `sealed.csv`.
#[derive(Debug, Clone, Default)]
pub struct Sealed {
    pub rows: HashMap<String, SealedRow>,
}

impl Sealed {
    pub fn public_count(&self) -> usize {
        self.rows.values().filter(|r| r.public).count()
    }

    /// Reads `sealed.csv` (`id,digest,board`).
    pub fn read(bytes: &[u8]) -> Result<Sealed, Problems> {
        let mut problems = Problems::default();
        let rows = csv_rows(bytes, &["id", "digest", "board"], &mut problems);
        let mut sealed = Sealed::default();
        let mut lines: HashMap<String, usize> = HashMap::new();
        for (line, record) in rows {
            let Some(record) = record else { continue };
            if record.len() != 3 {
                problems.push(line, Problem::Columns { expected: 3, found: record.len() });
                continue;
            }
            let (id, digest, board) = (&record[0], record[1].trim(), record[2].trim());
            if id.is_empty() {
                problems.push(line, Problem::BlankId);
                continue;
            }
            let mut bytes = [0u8; 32];
            if digest.len() != 64
                || digest.bytes().any(|b| b.is_ascii_uppercase())
                || hex::decode_to_slice(digest, &mut bytes).is_err()
            {
                problems.push(line, Problem::BadDigest);
                continue;
            }
            let public = match board {
                "public" => true,
                "private" => false,
                other => {
                    problems.push(line, Problem::BadBoard { board: other.to_owned() });
                    continue;
                }
            };
            if let Some(first) = lines.get(id) {
                problems.push(line, Problem::DuplicateId { id: id.to_owned(), first: *first });
                continue;
            }
            lines.insert(id.to_owned(), line);
            sealed.rows.insert(id.to_owned(), SealedRow { digest: bytes, public });
        }
        if problems.is_empty() {
            let public = sealed.public_count();
            if sealed.rows.is_empty() {
                problems.push(0, Problem::Empty);
            } else if public == 0 {
                problems.push(0, Problem::NoPart { board: "public" });
            } else if public == sealed.rows.len() {
                problems.push(0, Problem::NoPart { board: "private" });
            }
        }
        if problems.is_empty() { Ok(sealed) } else { Err(problems) }
    }
}

/// How a challenge is scored.
#[derive(Debug, Clone)]
pub struct Spec {
    pub salt: String,
    pub labels: Vec<String>,
    pub positive: String,
    pub metric: Metric,
}

/// A prediction file's score: its rows and the counts of each part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scored {
    pub rows: i64,
    pub public: Confusion,
    pub private: Confusion,
}

/// A prediction file to start from: the header and every test id, each with `label`. The ids go in their own
/// order, never in that of `sealed.csv`, which must not leak.
pub fn sample(sealed: &Sealed, label: &str) -> String {
    let mut ids: Vec<&str> = sealed.rows.keys().map(String::as_str).collect();
    ids.sort_unstable();
    let mut out = String::with_capacity(ids.iter().map(|id| id.len() + label.len() + 2).sum::<usize>() + 9);
    out.push_str("id,label\n");
    for id in ids {
        out.push_str(id);
        out.push(',');
        out.push_str(label);
        out.push('\n');
    }
    out
}

/// Reads a prediction file (`id,label`, every sealed id once, known labels) and scores it; every problem
/// is reported with its line, and nothing is scored then.
pub fn score(spec: &Spec, sealed: &Sealed, bytes: &[u8]) -> Result<Scored, Problems> {
    let mut problems = Problems::default();
    let rows = csv_rows(bytes, &["id", "label"], &mut problems);
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(sealed.rows.len());
    let mut scored = Scored::default();
    for (line, record) in &rows {
        let Some(record) = record else { continue };
        if record.len() != 2 {
            problems.push(*line, Problem::Columns { expected: 2, found: record.len() });
            continue;
        }
        let (id, label) = (&record[0], record[1].trim());
        let Some((known, truth)) = sealed.rows.get_key_value(id) else {
            problems
                .push(*line, if id.is_empty() { Problem::BlankId } else { Problem::UnknownId { id: id.to_owned() } });
            continue;
        };
        if let Some(first) = seen.get(known.as_str()) {
            problems.push(*line, Problem::DuplicateId { id: id.to_owned(), first: *first });
            continue;
        }
        seen.insert(known.as_str(), *line);
        if !spec.labels.iter().any(|l| l == label) {
            problems.push(*line, Problem::UnknownLabel { label: label.to_owned() });
            continue;
        }
        if !problems.is_empty() {
            continue; // nothing is scored once something is wrong; keep looking for problems only
        }
        let right: bool = label_digest(&spec.salt, id, label).ct_eq(&truth.digest).into();
        let part = if truth.public { &mut scored.public } else { &mut scored.private };
        match (label == spec.positive, right) {
            (true, true) => part.tp += 1,
            (true, false) => part.fp += 1,
            (false, true) => part.tn += 1,
            (false, false) => part.fn_ += 1,
        }
        scored.rows += 1;
    }
    if problems.is_empty() && rows.is_empty() {
        problems.push(0, Problem::Empty);
    }
    if seen.len() < sealed.rows.len() {
        let mut missing: Vec<&String> = sealed.rows.keys().filter(|id| !seen.contains_key(id.as_str())).collect();
        missing.sort_by(|a, b| id_order(a, b));
        let first: Vec<String> = missing.iter().take(MISSING_NAMED).map(|id| (*id).clone()).collect();
        problems.push(0, Problem::Missing { count: missing.len(), first });
    }
    if problems.is_empty() { Ok(scored) } else { Err(problems) }
}

/// How many missing ids a refusal names.
pub const MISSING_NAMED: usize = 5;

/// Ids in the order people sort them: runs of digits by their value (`x2` before `x10`), the rest by
/// character, then the text itself (so `x02` and `x2` keep a fixed order).
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut digits = None;
        for (i, c) in s.char_indices() {
            let d = c.is_ascii_digit();
            if digits.is_some_and(|was| was != d) {
                out.push((digits.unwrap_or(false), &s[start..i]));
                start = i;
            }
            digits = Some(d);
        }
        if let Some(d) = digits {
            out.push((d, &s[start..]));
        }
        out
    }
    let key = |s| {
        runs(s)
            .into_iter()
            .map(|(digits, run)| {
                if digits {
                    let n = run.trim_start_matches('0');
                    (0, n.len(), n.to_owned())
                } else {
                    (1, 0, run.to_owned())
                }
            })
            .collect::<Vec<_>>()
    };
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// Missing ids as a message lists them: quoted, with `…` when there are more.
pub fn missing_list(first: &[String], count: usize) -> String {
    let mut list = first.iter().map(|id| format!("{id:?}")).collect::<Vec<_>>().join(", ");
    if count > first.len() {
        list.push_str(", …");
    }
    list
}

/// The public ids of a seeded draw: ordered by `SHA-256("mwscup-split-v1" 0x00 seed 0x00 id)`, the first
/// `round(fraction × n)` (at least one and at most n − 1 when n ≥ 2).
pub fn public_ids<'a>(seed: &str, ids: &[&'a str], fraction: f64) -> std::collections::HashSet<&'a str> {
    let mut keyed: Vec<([u8; 32], &str)> = ids
        .iter()
        .map(|id| {
            let mut h = Sha256::new();
            h.update(b"mwscup-split-v1\0");
            h.update(seed.as_bytes());
            h.update(b"\0");
            h.update(id.as_bytes());
            (h.finalize().into(), *id)
        })
        .collect();
    keyed.sort();
    let n = ids.len();
    let mut take = (fraction.clamp(0.0, 1.0) * n as f64).round() as usize;
    if n >= 2 {
        take = take.clamp(1, n - 1);
    }
    keyed.into_iter().take(take).map(|(_, id)| id).collect()
}

/// `mwscup classification seal`: the truth (`id,label`) into the text of `sealed.csv`, rows in the
/// truth's order. Labels must be among `labels` when given.
pub fn seal(salt: &str, seed: &str, fraction: f64, labels: &[String], truth: &[u8]) -> Result<String, Problems> {
    let mut problems = Problems::default();
    let rows = csv_rows(truth, &["id", "label"], &mut problems);
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(rows.len());
    let mut lines: HashMap<String, usize> = HashMap::new();
    for (line, record) in rows {
        let Some(record) = record else { continue };
        if record.len() != 2 {
            problems.push(line, Problem::Columns { expected: 2, found: record.len() });
            continue;
        }
        let (id, label) = (&record[0], record[1].trim());
        if id.is_empty() {
            problems.push(line, Problem::BlankId);
        } else if !labels.is_empty() && !labels.iter().any(|l| l == label) {
            problems.push(line, Problem::UnknownLabel { label: label.to_owned() });
        } else if let Some(first) = lines.get(id) {
            problems.push(line, Problem::DuplicateId { id: id.to_owned(), first: *first });
        } else {
            lines.insert(id.to_owned(), line);
            pairs.push((id.to_owned(), label.to_owned()));
        }
    }
    if problems.is_empty() && pairs.len() < 2 {
        problems.push(0, Problem::Empty);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let ids: Vec<&str> = pairs.iter().map(|(id, _)| id.as_str()).collect();
    let public = public_ids(seed, &ids, fraction);
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |fields: [&str; 3]| out.write_record(fields).map_err(|_| ());
    let mut ok = write(["id", "digest", "board"]).is_ok();
    for (id, label) in &pairs {
        let digest = hex::encode(label_digest(salt, id, label));
        let board = if public.contains(id.as_str()) { "public" } else { "private" };
        ok &= write([id, &digest, board]).is_ok();
    }
    let text = out.into_inner().ok().and_then(|b| String::from_utf8(b).ok()).filter(|_| ok);
    text.ok_or(Problems { first: vec![LineProblem { line: 0, problem: Problem::NotUtf8 }], total: 1 })
}

/// One stored upload of a team, as standings need it.
#[derive(Debug, Clone)]
pub struct Upload {
    pub id: i32,
    pub at: DateTime<Utc>,
    pub public: Confusion,
    pub private: Confusion,
    /// Chosen by the team as one of its (at most two) finals.
    pub chosen: bool,
}

/// The uploads that decide a team's private score: those it chose, or else its best two on the public
/// board (ties to the earlier).
pub fn finals(uploads: &[Upload], metric: Metric) -> Vec<&Upload> {
    let chosen: Vec<&Upload> = uploads.iter().filter(|u| u.chosen).collect();
    if !chosen.is_empty() {
        return chosen;
    }
    let mut all: Vec<&Upload> = uploads.iter().collect();
    all.sort_by(|a, b| {
        b.public.metric(metric).total_cmp(&a.public.metric(metric)).then(a.at.cmp(&b.at)).then(a.id.cmp(&b.id))
    });
    all.truncate(2);
    all
}

/// The uploads the live (public) board counts, oldest first: every one, whether chosen as final or not, as
/// on a public leaderboard. So a choice of finals, which has no time of its own, can never move a board cut
/// at the freeze; finals matter only to the private part.
fn counted(uploads: &[Upload]) -> Vec<&Upload> {
    let mut counted: Vec<&Upload> = uploads.iter().collect();
    counted.sort_by_key(|u| (u.at, u.id));
    counted
}

/// A team's line on a classification challenge's board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardLine {
    pub team_id: i32,
    /// The best public metric of the team's uploads.
    pub public: f64,
    /// Once the private part decides: the best private metric of the finals.
    pub private: Option<f64>,
    pub uploads: usize,
    /// When the team reached its public score (ties go to the earlier).
    pub reached_at: DateTime<Utc>,
}

/// The board of one challenge from each team's uploads, counting only those made before `until` (the
/// freeze, for the public view). Ordered by the private metric once it decides, else by the public one;
/// then by the earlier time the public score was reached.
pub fn board(
    teams: &[(i32, Vec<Upload>)],
    metric: Metric,
    private: bool,
    until: Option<DateTime<Utc>>,
) -> Vec<BoardLine> {
    let mut lines: Vec<BoardLine> = teams
        .iter()
        .filter_map(|(team_id, all)| {
            let uploads: Vec<Upload> = all.iter().filter(|u| until.is_none_or(|t| u.at < t)).cloned().collect();
            let mut best: Option<(f64, DateTime<Utc>)> = None;
            for u in counted(&uploads) {
                let m = u.public.metric(metric);
                if best.is_none_or(|(b, _)| m > b) {
                    best = Some((m, u.at));
                }
            }
            let (public, reached_at) = best?;
            let private =
                private.then(|| finals(&uploads, metric).iter().map(|u| u.private.metric(metric)).fold(0.0, f64::max));
            Some(BoardLine { team_id: *team_id, public, private, uploads: uploads.len(), reached_at })
        })
        .collect();
    lines.sort_by(|a, b| {
        let key = |l: &BoardLine| l.private.unwrap_or(l.public);
        key(b).total_cmp(&key(a)).then(b.public.total_cmp(&a.public)).then(a.reached_at.cmp(&b.reached_at))
    });
    lines
}

/// A team's points for a challenge as standings entries, each a change at a time, so that a cut at the
/// freeze shows what was reached by then. Live (`private` false): the best public metric of all the team's
/// uploads, as it rose upload by upload. Final (`private` true): the best private metric of the finals, at
/// the time of the upload that gives it.
pub fn contributions(uploads: &[Upload], metric: Metric, points: i32, private: bool) -> Vec<(DateTime<Utc>, Points)> {
    let mut out = Vec::new();
    if private {
        let best = finals(uploads, metric)
            .into_iter()
            .max_by(|a, b| a.private.metric(metric).total_cmp(&b.private.metric(metric)).then(b.at.cmp(&a.at)));
        if let Some(u) = best {
            let value = worth(points, u.private.metric(metric));
            if value.0 != 0 {
                out.push((u.at, value));
            }
        }
        return out;
    }
    let mut so_far = Points(0);
    for u in counted(uploads) {
        let value = worth(points, u.public.metric(metric));
        if value > so_far {
            out.push((u.at, Points(value.0 - so_far.0)));
            so_far = value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec {
            salt: "s1".into(),
            labels: vec!["malware".into(), "cleanware".into()],
            positive: "malware".into(),
            metric: Metric::F1,
        }
    }

    #[test]
    fn the_board_ranks_by_public_then_private_and_keeps_the_freeze() {
        let (good, half, bad) = ((2, 0), (1, 1), (0, 2));
        let teams = vec![
            // Team 1: perfect in public, poor in private. Team 2: half in public, perfect in private.
            (1, vec![upload(1, 10, good, bad, false)]),
            (2, vec![upload(2, 5, half, good, false), upload(3, 30, bad, bad, false)]),
            (3, vec![]),
        ];
        let live = board(&teams, Metric::Accuracy, false, None);
        let order: Vec<(i32, f64)> = live.iter().map(|l| (l.team_id, l.public)).collect();
        assert_eq!(order, vec![(1, 1.0), (2, 0.5)], "a team without uploads has no line");
        assert_eq!(live[1].uploads, 2);
        let revealed = board(&teams, Metric::Accuracy, true, None);
        assert_eq!(
            revealed.iter().map(|l| (l.team_id, l.private)).collect::<Vec<_>>(),
            vec![(2, Some(1.0)), (1, Some(0.0))]
        );
        let frozen = board(&teams, Metric::Accuracy, false, Some(upload(0, 8, bad, bad, false).at));
        assert_eq!(frozen.iter().map(|l| (l.team_id, l.uploads)).collect::<Vec<_>>(), vec![(2, 1)]);
    }

    const TRUTH: &str = "id,label\na,malware\nb,malware\nc,cleanware\nd,cleanware\ne,malware\nf,cleanware\n";

    fn sealed(fraction: f64) -> Sealed {
        let truth: Vec<(String, String)> = TRUTH
            .lines()
            .skip(1)
            .map(|l| l.split_once(',').map(|(i, l)| (i.to_owned(), l.to_owned())).expect("id,label"))
            .collect();
        Sealed::read(sealed_by_hand("s1", "seed", fraction, &truth).as_bytes()).expect("reads back")
    }

    /// The key the documented draw orders ids by: `SHA-256("mwscup-split-v1" 0x00 seed 0x00 id)`, written out
    /// here rather than taken from the code under test.
    fn split_key(seed: &str, id: &str) -> [u8; 32] {
        Sha256::digest(format!("mwscup-split-v1\0{seed}\0{id}").as_bytes()).into()
    }

    /// The public ids by the documentation: ordered by `split_key`, the first `round(fraction × n)`, at least
    /// one and at most n − 1.
    fn documented_draw(seed: &str, ids: &[&str], fraction: f64) -> std::collections::HashSet<String> {
        let mut keyed: Vec<([u8; 32], &str)> = ids.iter().map(|id| (split_key(seed, id), *id)).collect();
        keyed.sort();
        let n = ids.len();
        let take = ((fraction * n as f64).round() as usize).clamp(1, n - 1);
        keyed.iter().take(take).map(|(_, id)| (*id).to_owned()).collect()
    }

    /// `sealed.csv` as the documentation describes it, computed here: each row's
    /// `SHA-256("mwscup-label-v1" 0x00 salt 0x00 id 0x00 label)` and its board by the documented draw.
    fn sealed_by_hand(salt: &str, seed: &str, fraction: f64, truth: &[(String, String)]) -> String {
        let ids: Vec<&str> = truth.iter().map(|(id, _)| id.as_str()).collect();
        let public = documented_draw(seed, &ids, fraction);
        let mut out = "id,digest,board\n".to_owned();
        for (id, label) in truth {
            let digest = hex::encode(Sha256::digest(format!("mwscup-label-v1\0{salt}\0{id}\0{label}").as_bytes()));
            let board = if public.contains(id) { "public" } else { "private" };
            out.push_str(&format!("{id},{digest},{board}\n"));
        }
        out
    }

    #[test]
    fn the_sample_lists_every_id_in_order_with_one_label_and_is_taken() {
        let table = sealed(0.5);
        let text = sample(&table, "malware");
        assert_eq!(text, "id,label\na,malware\nb,malware\nc,malware\nd,malware\ne,malware\nf,malware\n");
        assert!(score(&spec(), &table, text.as_bytes()).is_ok(), "the sample is a valid upload");
    }

    #[test]
    fn the_digest_is_the_documented_one() {
        // printf 'mwscup-label-v1\0s1\0a\0malware' | sha256sum
        let mut h = Sha256::new();
        h.update(b"mwscup-label-v1\0s1\0a\0malware");
        let expected: [u8; 32] = h.finalize().into();
        assert_eq!(hex::encode(expected), "0004a879cc1fa114d2389726f65509ff74a968538cc1988eca516c5a1bf9701e");
        assert_eq!(label_digest("s1", "a", " malware "), expected, "labels are trimmed");
        assert_ne!(label_digest("s1", "a ", "malware"), expected, "ids are exact");
        assert_ne!(label_digest("s2", "a", "malware"), expected);
    }

    #[test]
    fn metrics_by_hand() {
        // 3 true positives, 1 false positive, 4 true negatives, 2 false negatives.
        let c = Confusion { tp: 3, fp: 1, tn: 4, fn_: 2 };
        assert!((c.metric(Metric::Accuracy) - 0.7).abs() < 1e-12);
        // F1 = 2·3 / (2·3 + 1 + 2) = 6/9
        assert!((c.metric(Metric::F1) - 6.0 / 9.0).abs() < 1e-12);
        // recall of positives 3/5, of negatives 4/5: mean 0.7
        assert!((c.metric(Metric::BalancedAccuracy) - 0.7).abs() < 1e-12);
        let skewed = Confusion { tp: 0, fp: 0, tn: 90, fn_: 10 };
        assert!((skewed.metric(Metric::Accuracy) - 0.9).abs() < 1e-12);
        assert_eq!(skewed.metric(Metric::F1), 0.0);
        assert!((skewed.metric(Metric::BalancedAccuracy) - 0.5).abs() < 1e-12);
        assert_eq!(Confusion::default().metric(Metric::Accuracy), 0.0);
        assert_eq!(worth(200, 6.0 / 9.0), Points(13333));
        assert_eq!(worth(100, 1.0), Points::whole(100));
    }

    #[test]
    fn a_prediction_is_scored_from_digests_only() {
        let s = sealed(0.5);
        assert_eq!(s.public_count(), 3);
        let all_right = score(&spec(), &s, TRUTH.as_bytes()).expect("scored");
        assert_eq!(all_right.rows, 6);
        let total = Confusion {
            tp: all_right.public.tp + all_right.private.tp,
            fp: all_right.public.fp + all_right.private.fp,
            tn: all_right.public.tn + all_right.private.tn,
            fn_: all_right.public.fn_ + all_right.private.fn_,
        };
        assert_eq!(total, Confusion { tp: 3, fp: 0, tn: 3, fn_: 0 });
        // Everything called malware: 3 right positives, 3 wrong ones.
        let lazy = "id,label\na,malware\nb,malware\nc,malware\nd,malware\ne,malware\nf,malware\n";
        let scored = score(&spec(), &s, lazy.as_bytes()).expect("scored");
        assert_eq!(scored.public.tp + scored.private.tp, 3);
        assert_eq!(scored.public.fp + scored.private.fp, 3);
        assert_eq!(scored.public.tn + scored.private.tn + scored.public.fn_ + scored.private.fn_, 0);
        // Header case, spaces around labels, a BOM, CRLF and any order are fine.
        let loose = "\u{feff}ID, Label\r\nf, cleanware\r\ne,malware \r\nd,cleanware\r\nc,cleanware\r\nb,malware\r\na,malware\r\n";
        assert_eq!(score(&spec(), &s, loose.as_bytes()), Ok(all_right));
    }

    #[test]
    fn malformed_files_name_their_lines() {
        let s = sealed(0.5);
        let bad = "id,label\na,malware\na,cleanware\nzz,malware\nc,goodware\nd\n,malware\n";
        let problems = score(&spec(), &s, bad.as_bytes()).expect_err("refused");
        let lines: Vec<(usize, Problem)> = problems.first.iter().map(|p| (p.line, p.problem.clone())).collect();
        assert_eq!(
            lines,
            vec![
                (3, Problem::DuplicateId { id: "a".into(), first: 2 }),
                (4, Problem::UnknownId { id: "zz".into() }),
                (5, Problem::UnknownLabel { label: "goodware".into() }),
                (6, Problem::Columns { expected: 2, found: 1 }),
                (7, Problem::BlankId),
                (0, Problem::Missing { count: 4, first: vec!["b".into(), "d".into(), "e".into(), "f".into()] }),
            ]
        );
        // A file from Windows names the same lines (the CSV reader's own count is one short after a CRLF).
        let crlf = bad.replace('\n', "\r\n");
        assert_eq!(score(&spec(), &s, crlf.as_bytes()), Err(problems.clone()));
        let header = score(&spec(), &s, b"a,malware\n").expect_err("no header");
        assert_eq!(header.first[0], LineProblem { line: 1, problem: Problem::Header { expected: "id,label" } });
        assert_eq!(score(&spec(), &s, b"").expect_err("empty").first[0].problem, Problem::Empty);
        assert_eq!(score(&spec(), &s, b"id,label\n").expect_err("no rows").first[0].problem, Problem::Empty);
        let latin1 = b"id,label\na,malw\xe4re\n";
        assert_eq!(score(&spec(), &s, latin1).expect_err("not utf-8").first[0].problem, Problem::NotUtf8);
        let many: String = (0..100).fold("id,label\n".to_owned(), |t, i| t + &format!("x{i},malware\n"));
        let lots = score(&spec(), &s, many.as_bytes()).expect_err("many");
        assert_eq!(lots.first.len(), MAX_REPORTED);
        assert_eq!(lots.total, 101, "a hundred unknown ids, and every sealed id missing");
    }

    #[test]
    fn missing_ids_are_named_in_id_order_never_in_sealed_order() {
        // Issue 15, item 12: the sealed table's order is the organizers' secret (it may follow the labels).
        let truth =
            "id,label\nz9,malware\nx10,malware\nm,cleanware\nx2,cleanware\na,malware\nx1,cleanware\nb7,malware\n";
        let text = seal("s1", "seed", 0.5, &spec().labels, truth.as_bytes()).expect("sealed");
        let s = Sealed::read(text.as_bytes()).expect("reads back");
        let upload = "id,label\nm,cleanware\n";
        let problems = score(&spec(), &s, upload.as_bytes()).expect_err("refused");
        let first: Vec<String> = ["a", "b7", "x1", "x2", "x10"].map(String::from).to_vec();
        assert_eq!(problems.first, vec![LineProblem { line: 0, problem: Problem::Missing { count: 6, first } }]);
        assert_eq!(
            problems.first[0].problem.to_string(),
            r#"6 ids have no row (the first in id order: "a", "b7", "x1", "x2", "x10", …)"#
        );
        let upload = "id,label\nm,cleanware\nz9,malware\nx10,malware\nx1,malware\nb7,malware\n";
        let problems = score(&spec(), &s, upload.as_bytes()).expect_err("refused");
        let first: Vec<String> = ["a", "x2"].map(String::from).to_vec();
        assert_eq!(problems.first[0].problem, Problem::Missing { count: 2, first });
    }

    #[test]
    fn ids_sort_as_people_sort_them() {
        let mut ids = ["x10", "x2", "b", "x02", "a10b", "a9b", "", "10", "9", "x1y"];
        ids.sort_by(|a, b| id_order(a, b));
        assert_eq!(ids, ["", "9", "10", "a9b", "a10b", "b", "x1y", "x02", "x2", "x10"]);
    }

    #[test]
    fn the_sealed_file_is_checked() {
        let problems = Sealed::read(b"id,digest,board\na,xyz,public\nb,0000000000000000000000000000000000000000000000000000000000000000,secret\n")
            .expect_err("bad");
        assert_eq!(problems.first[0].problem, Problem::BadDigest);
        assert_eq!(problems.first[1].problem, Problem::BadBoard { board: "secret".into() });
        let one_board = seal("s", "x", 1.0, &[], b"id,label\na,m\nb,c\n").expect("sealed");
        assert!(Sealed::read(one_board.as_bytes()).is_ok(), "the draw keeps one row private");
    }

    #[test]
    fn the_draw_is_seeded_and_exact() {
        let ids: Vec<String> = (0..1000).map(|i| format!("id{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let a = public_ids("seed", &refs, 0.3);
        assert_eq!(a.len(), 300);
        // The documented order, computed here: `printf 'mwscup-split-v1\0seed\0id0' | sha256sum` is a known vector.
        assert_eq!(
            hex::encode(split_key("seed", "id0")),
            "71d0eb88dc9f2f1da5677daac7abe26031530c14e32fbf51c3bbe9859f8de043"
        );
        let expected = documented_draw("seed", &refs, 0.3);
        assert_eq!(a.iter().map(|id| (*id).to_owned()).collect::<std::collections::HashSet<_>>(), expected);
        assert_eq!(a, public_ids("seed", &refs, 0.3), "the same seed draws the same rows");
        assert_ne!(a, public_ids("other", &refs, 0.3));
        // The ends: at least one public row, at least one private.
        assert_eq!(public_ids("seed", &refs[..2], 0.01).len(), 1);
        assert_eq!(public_ids("seed", &refs[..2], 0.99).len(), 1);
    }

    fn upload(id: i32, minute: i64, public: (i64, i64), private: (i64, i64), chosen: bool) -> Upload {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000 + minute * 60, 0).expect("time");
        Upload {
            id,
            at,
            public: Confusion { tp: public.0, fp: 0, tn: 0, fn_: public.1 },
            private: Confusion { tp: private.0, fp: 0, tn: 0, fn_: private.1 },
            chosen,
        }
    }

    #[test]
    fn live_points_rise_with_the_best_public_and_the_end_takes_the_private() {
        let m = Metric::Accuracy;
        let ups = vec![
            upload(1, 0, (5, 5), (9, 1), false),  // public 0.5, private 0.9
            upload(2, 10, (8, 2), (6, 4), false), // public 0.8, private 0.6
            upload(3, 20, (7, 3), (7, 3), false), // public 0.7, private 0.7
        ];
        let live = contributions(&ups, m, 100, false);
        assert_eq!(live.iter().map(|(_, p)| p.0).collect::<Vec<_>>(), vec![5000, 3000]);
        // Default finals: the best two public (2 and 3); the better private of them is 3's 0.7.
        let fin = contributions(&ups, m, 100, true);
        assert_eq!(fin, vec![(ups[2].at, Points(7000))]);
        // Chosen finals decide the end (upload 1 alone); the live points stay the best public of all.
        let mut chosen = ups.clone();
        chosen[0].chosen = true;
        assert_eq!(contributions(&chosen, m, 100, false), live);
        assert_eq!(contributions(&chosen, m, 100, true), vec![(ups[0].at, Points(9000))]);
        assert!(contributions(&[], m, 100, true).is_empty());
    }

    /// A truth (distinct ids, each with a label of the challenge's), a seed and a public fraction; then a team's
    /// prediction for every id (malware or not), in an order of its own, and how the file is written: a BOM,
    /// CRLF, the header's case, spaces around labels, blank lines.
    #[derive(Debug, Clone)]
    struct Case {
        truth: Vec<(String, String)>,
        seed: String,
        fraction: f64,
        predicted: Vec<(String, String)>,
        bom: bool,
        crlf: bool,
        shouted_header: bool,
        padded: Vec<bool>,
        blank_after: Vec<bool>,
    }

    fn label(malware: bool) -> String {
        if malware { "malware" } else { "cleanware" }.to_owned()
    }

    fn cases() -> impl proptest::strategy::Strategy<Value = Case> {
        use proptest::prelude::*;
        (proptest::collection::btree_set("[a-z0-9]{1,6}", 2..40), "[a-z0-9]{0,8}", 0.01f64..0.99)
            .prop_flat_map(|(ids, seed, fraction)| {
                let ids: Vec<String> = ids.into_iter().collect();
                let n = ids.len();
                (
                    Just(ids),
                    Just(seed),
                    Just(fraction),
                    proptest::collection::vec(any::<bool>(), n),
                    proptest::collection::vec(any::<bool>(), n),
                    Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                    (any::<bool>(), any::<bool>(), any::<bool>()),
                    proptest::collection::vec(any::<bool>(), n),
                    proptest::collection::vec(proptest::bool::weighted(0.1), n),
                )
            })
            .prop_map(|(ids, seed, fraction, truly, guess, order, (bom, crlf, shouted_header), padded, blank_after)| {
                let truth = ids.iter().zip(&truly).map(|(id, m)| (id.clone(), label(*m))).collect();
                let predicted = order.iter().map(|&i| (ids[i].clone(), label(guess[i]))).collect();
                Case { truth, seed, fraction, predicted, bom, crlf, shouted_header, padded, blank_after }
            })
    }

    /// The file of a case with its rows as `rows` gives them (`None`: the row left out), and the line each row
    /// is on.
    fn write(case: &Case, rows: &[Option<String>]) -> (String, Vec<usize>) {
        let end = if case.crlf { "\r\n" } else { "\n" };
        let mut text = if case.bom { "\u{feff}".to_owned() } else { String::new() };
        text.push_str(if case.shouted_header { "ID, Label" } else { "id,label" });
        text.push_str(end);
        let (mut line, mut lines) = (1, Vec::new());
        for (i, row) in rows.iter().enumerate() {
            line += 1;
            lines.push(line);
            match row {
                Some(row) => text.push_str(row),
                None => line -= 1,
            }
            if row.is_some() {
                text.push_str(end);
            }
            if case.blank_after[i] {
                text.push_str(end);
                line += 1;
            }
        }
        (text, lines)
    }

    /// The rows of a case's prediction as a team writes them.
    fn rows(case: &Case) -> Vec<Option<String>> {
        case.predicted
            .iter()
            .zip(&case.padded)
            .map(|((id, label), pad)| Some(if *pad { format!("{id}, {label} ") } else { format!("{id},{label}") }))
            .collect()
    }

    fn spec_and_sealed(case: &Case) -> (Spec, Sealed) {
        let sealed = sealed_by_hand("s1", &case.seed, case.fraction, &case.truth);
        (spec(), Sealed::read(sealed.as_bytes()).expect("the hand-made sealed file reads"))
    }

    proptest::proptest! {
        /// `seal` writes the documented digests and the documented draw, in the truth's order.
        #[test]
        fn seal_writes_the_documented_file(case in cases()) {
            let truth: String = case.truth.iter().map(|(id, l)| format!("{id},{l}\n")).collect();
            let sealed = seal("s1", &case.seed, case.fraction, &spec().labels, format!("id,label\n{truth}").as_bytes());
            proptest::prop_assert_eq!(sealed, Ok(sealed_by_hand("s1", &case.seed, case.fraction, &case.truth)));
        }

        /// A valid file, however written, is scored exactly: each row on its board, right or wrong, positive or not,
        /// as counted here from the truth and the documented draw.
        #[test]
        fn a_valid_upload_is_scored_exactly(case in cases()) {
            let (spec, sealed) = spec_and_sealed(&case);
            let (text, _) = write(&case, &rows(&case));
            let ids: Vec<&str> = case.truth.iter().map(|(id, _)| id.as_str()).collect();
            let public = documented_draw(&case.seed, &ids, case.fraction);
            let mut expected = Scored { rows: ids.len() as i64, ..Scored::default() };
            for (id, guess) in &case.predicted {
                let truth = &case.truth.iter().find(|(i, _)| i == id).expect("every id has a truth").1;
                let part = if public.contains(id) { &mut expected.public } else { &mut expected.private };
                match (guess == "malware", guess == truth) {
                    (true, true) => part.tp += 1,
                    (true, false) => part.fp += 1,
                    (false, true) => part.tn += 1,
                    (false, false) => part.fn_ += 1,
                }
            }
            proptest::prop_assert_eq!(score(&spec, &sealed, text.as_bytes()), Ok(expected), "{}", text);
        }

        /// The same file with one row spoiled (an unknown id, an unknown label, an id twice, a column too few or
        /// too many, no id, the row left out) is refused, naming that row's line and the problem, and the ids
        /// left without a row.
        #[test]
        fn a_spoiled_upload_names_its_line(case in cases(), how in 0usize..7, k in 0usize..1000, j in 0usize..1000) {
            let mut rows = rows(&case);
            let n = rows.len();
            let (k, j) = (k % n, (k + 1 + j % (n - 1)) % n);
            let (id, guess) = case.predicted[k].clone();
            let other = case.predicted[j].0.clone();
            let missing = |id: &str| LineProblem { line: 0, problem: Problem::Missing { count: 1, first: vec![id.to_owned()] } };
            let (text, lines) = {
                rows[k] = match how {
                    0 => Some(format!("{id}-x,{guess}")),
                    1 => Some(format!("{id},goodware")),
                    2 => Some(format!("{other},{guess}")),
                    3 => Some(id.clone()),
                    4 => Some(format!("{id},{guess},extra")),
                    5 => Some(format!(",{guess}")),
                    _ => None,
                };
                write(&case, &rows)
            };
            let at = |line: usize, problem: Problem| LineProblem { line, problem };
            let expected = match how {
                0 => vec![at(lines[k], Problem::UnknownId { id: format!("{id}-x") }), missing(&id)],
                1 => vec![at(lines[k], Problem::UnknownLabel { label: "goodware".into() })],
                2 => {
                    let (first, again) = (lines[k].min(lines[j]), lines[k].max(lines[j]));
                    vec![at(again, Problem::DuplicateId { id: other, first }), missing(&id)]
                }
                3 => vec![at(lines[k], Problem::Columns { expected: 2, found: 1 }), missing(&id)],
                4 => vec![at(lines[k], Problem::Columns { expected: 2, found: 3 }), missing(&id)],
                5 => vec![at(lines[k], Problem::BlankId), missing(&id)],
                _ => vec![missing(&id)],
            };
            let (spec, sealed) = spec_and_sealed(&case);
            let total = expected.len();
            proptest::prop_assert_eq!(score(&spec, &sealed, text.as_bytes()), Err(Problems { first: expected, total }), "{}", text);
        }

        /// Whatever a file holds, scoring reports problems or a score, never panics: a score covers every row,
        /// and a refusal names at least one problem, on a line of the file.
        #[test]
        fn any_upload_is_read_without_panic(text in "\\PC{0,300}") {
            let s = sealed(0.5);
            match score(&spec(), &s, text.as_bytes()) {
                Ok(scored) => proptest::prop_assert_eq!(scored.public.total() + scored.private.total(), 6),
                Err(problems) => {
                    proptest::prop_assert!(!problems.first.is_empty() && problems.total >= problems.first.len());
                    let lines = text.lines().count().max(1);
                    for p in &problems.first {
                        proptest::prop_assert!(p.line <= lines, "{:?} beyond line {}", p, lines);
                    }
                }
            }
        }

        /// Metrics stay within 0..=1 for any counts.
        #[test]
        fn metrics_are_fractions(tp in 0i64..1000, fp in 0i64..1000, tn in 0i64..1000, fn_ in 0i64..1000) {
            let c = Confusion { tp, fp, tn, fn_ };
            for m in [Metric::Accuracy, Metric::F1, Metric::BalancedAccuracy] {
                let v = c.metric(m);
                proptest::prop_assert!((0.0..=1.0).contains(&v), "{m:?} {v}");
            }
        }
    }
}
