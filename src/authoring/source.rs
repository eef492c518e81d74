//! A contest folder read into typed values. Every problem met on the way is collected; a challenge
//! whose own files are broken is left out of the result, so that the checks across challenges still run
//! on the rest.

use std::path::{Path, PathBuf};

use toml::Table;

use super::Problem;
use super::reader::{Reader, parse_file};
use crate::domain::answer::{AnswerDigest, Rule};
use crate::domain::classification::{Metric, Sealed};
use crate::domain::spec::{
    AnswerSpec, AreaSpec, ChallengeSpec, ClassificationSpec, ContestSource, ContestSpec, CriterionSpec, DatasetSpec,
    DynamicFunction, FileSpec, GroupSpec, HintSpec, Scoring, is_slug,
};

const CONTEST_FIELDS: &[&str] = &[
    "slug",
    "title",
    "title_en",
    "description",
    "description_en",
    "timezone",
    "starts_at",
    "ends_at",
    "freeze_at",
    "max_team_size",
    "demo",
    "wrong_answers_per_minute",
    "scoreboard_public",
    "team_creation",
    "archive_until",
    "archive_file_limit_mib",
    "archive_team_limit_mib",
    "areas",
    "rubric",
    "groups",
    "ceremony",
];
const CEREMONY_FIELDS: &[&str] = &["awards"];
const AREA_FIELDS: &[&str] = &["key", "name", "name_en", "on_day", "opens_at", "closes_at"];
const RUBRIC_FIELDS: &[&str] = &["key", "name", "name_en", "max"];
const GROUP_FIELDS: &[&str] = &["key", "title", "title_en"];
const CHALLENGE_FIELDS: &[&str] = &[
    "title",
    "title_en",
    "group",
    "points",
    "scoring",
    "opens_at",
    "closes_at",
    "max_attempts",
    "requires",
    "datasets",
    "tags",
    "author",
    "answer",
    "hints",
    "type",
    "classification",
];
const CLASSIFICATION_FIELDS: &[&str] =
    &["salt", "labels", "positive", "metric", "public_fraction", "max_submissions_per_day", "points"];
const SCORING_FIELDS: &[&str] = &["function", "initial", "minimum", "decay"];
const ANSWER_FIELDS: &[&str] = &["rule", "salt", "digests", "format", "format_en"];
const HINT_FIELDS: &[&str] = &["text", "text_en", "cost"];
const DATASET_FIELDS: &[&str] = &[
    "key",
    "name",
    "kind",
    "period",
    "summary",
    "summary_en",
    "agreement_required",
    "terms",
    "terms_en",
    "terms_version",
];

const MAX_POINTS: i64 = 100_000;
const DEFAULT_AWARDS: i32 = 3;

/// Reads a contest folder. `None` when `contest.toml` itself cannot be used.
pub fn read(dir: &Path) -> (Option<ContestSource>, Vec<Problem>) {
    let mut problems = Vec::new();
    let contest_path = dir.join("contest.toml");
    let Some(table) = parse_file(&contest_path, &mut problems) else {
        return (None, problems);
    };
    let mut r = Reader::new(&contest_path);
    let contest = read_contest(&mut r, &table);
    let areas = read_areas(&mut r, &table);
    let rubric = read_rubric(&mut r, &table);
    let groups = read_groups(&mut r, &table);
    problems.append(&mut r.problems);
    let Some(contest) = contest else {
        return (None, problems);
    };

    let (datasets, datasets_path) = read_datasets(dir, &mut problems);
    let challenges = read_challenges(dir, &areas, &mut problems);
    (
        Some(ContestSource {
            dir: dir.to_path_buf(),
            contest,
            areas,
            challenges,
            rubric,
            groups,
            datasets,
            datasets_path,
        }),
        problems,
    )
}

fn read_contest(r: &mut Reader, t: &Table) -> Option<ContestSpec> {
    r.unknown_keys(t, "", CONTEST_FIELDS);
    let slug = r.string(t, "", "slug");
    let title = r.string(t, "", "title");
    let title_en = r.opt_string(t, "", "title_en");
    let description = r.opt_string(t, "", "description").unwrap_or_default();
    let description_en = r.opt_string(t, "", "description_en").unwrap_or_default();
    let timezone = r.opt_string(t, "", "timezone").unwrap_or_else(|| "Asia/Tokyo".into());
    let starts_at = r.time(t, "", "starts_at", true);
    let ends_at = r.time(t, "", "ends_at", true);
    let freeze_at = r.time(t, "", "freeze_at", false);
    let max_team_size = r.integer(t, "", "max_team_size", Some(6), 1, 100);
    let demo = r.boolean(t, "", "demo", false);
    let wrong_per_minute = r.integer(t, "", "wrong_answers_per_minute", Some(10), 1, 10_000);
    let scoreboard_public = r.boolean(t, "", "scoreboard_public", true);
    let teams_by_organizers = match r.opt_string(t, "", "team_creation").as_deref() {
        None | Some("open") => false,
        Some("organizers") => true,
        Some(_) => {
            r.problem("team_creation", "must be \"open\" (teams create themselves) or \"organizers\"");
            false
        }
    };
    let archive_until = r.time(t, "", "archive_until", false);
    let file_mib = r.integer(t, "", "archive_file_limit_mib", Some(50), 1, 10_240).unwrap_or(50);
    let team_mib = r.integer(t, "", "archive_team_limit_mib", Some(500), 1, 102_400).unwrap_or(500);
    let ceremony_awards = read_ceremony(r, t);
    let (slug, title, starts_at, ends_at, max_team_size) = (slug?, title?, starts_at?, ends_at?, max_team_size?);
    Some(ContestSpec {
        path: r.path.clone(),
        title_en: title_en.unwrap_or_else(|| title.clone()),
        slug,
        title,
        description,
        description_en,
        timezone,
        starts_at,
        ends_at,
        freeze_at,
        max_team_size: i32::try_from(max_team_size).unwrap_or(6),
        demo,
        wrong_answers_per_minute: i32::try_from(wrong_per_minute?).unwrap_or(10),
        scoreboard_public,
        teams_by_organizers,
        archive_until,
        archive_file_limit: file_mib * 1024 * 1024,
        archive_team_limit: team_mib * 1024 * 1024,
        ceremony_awards,
    })
}

/// `[ceremony]`: how many places the closing ceremony's awards name, in each area and overall (default 3).
fn read_ceremony(r: &mut Reader, t: &Table) -> i32 {
    let Some(c) = r.table(t, "", "ceremony") else { return DEFAULT_AWARDS };
    r.unknown_keys(c, "ceremony", CEREMONY_FIELDS);
    let awards = r.integer(c, "ceremony", "awards", Some(i64::from(DEFAULT_AWARDS)), 1, 20);
    awards.and_then(|n| i32::try_from(n).ok()).unwrap_or(DEFAULT_AWARDS)
}

fn read_areas(r: &mut Reader, t: &Table) -> Vec<AreaSpec> {
    let tables = r.tables(t, "", "areas");
    if tables.is_empty() && !t.contains_key("areas") {
        r.problem("areas", "is missing: declare at least one [[areas]]");
    }
    let mut areas = Vec::new();
    for (i, a) in tables.into_iter().enumerate() {
        let prefix = format!("areas[{i}]");
        r.unknown_keys(a, &prefix, AREA_FIELDS);
        let key = r.string(a, &prefix, "key");
        let name = r.string(a, &prefix, "name");
        let name_en = r.opt_string(a, &prefix, "name_en");
        let on_day = r.boolean(a, &prefix, "on_day", true);
        let opens_at = r.time(a, &prefix, "opens_at", false);
        let closes_at = r.time(a, &prefix, "closes_at", false);
        if let (Some(key), Some(name)) = (key, name) {
            if !is_slug(&key) {
                r.problem(format!("{prefix}.key"), format!("{key:?} is not a slug (a-z, 0-9, -)"));
            }
            areas.push(AreaSpec {
                key,
                name_en: name_en.unwrap_or_else(|| name.clone()),
                name,
                on_day,
                opens_at,
                closes_at,
            });
        }
    }
    areas
}

fn read_rubric(r: &mut Reader, t: &Table) -> Vec<CriterionSpec> {
    let mut rubric = Vec::new();
    for (i, c) in r.tables(t, "", "rubric").into_iter().enumerate() {
        let prefix = format!("rubric[{i}]");
        r.unknown_keys(c, &prefix, RUBRIC_FIELDS);
        let key = r.string(c, &prefix, "key");
        let name = r.string(c, &prefix, "name");
        let name_en = r.opt_string(c, &prefix, "name_en");
        let max = r.integer(c, &prefix, "max", None, 1, 1000);
        if let (Some(key), Some(name), Some(max)) = (key, name, max) {
            if !is_slug(&key) {
                r.problem(format!("{prefix}.key"), format!("{key:?} is not a slug (a-z, 0-9, -)"));
            }
            rubric.push(CriterionSpec {
                key,
                name_en: name_en.unwrap_or_else(|| name.clone()),
                name,
                max: i32::try_from(max).unwrap_or(1),
            });
        }
    }
    rubric
}

fn read_groups(r: &mut Reader, t: &Table) -> Vec<GroupSpec> {
    let mut groups = Vec::new();
    for (i, g) in r.tables(t, "", "groups").into_iter().enumerate() {
        let prefix = format!("groups[{i}]");
        r.unknown_keys(g, &prefix, GROUP_FIELDS);
        let key = r.string(g, &prefix, "key");
        let title = r.string(g, &prefix, "title");
        let title_en = r.opt_string(g, &prefix, "title_en");
        if let (Some(key), Some(title)) = (key, title) {
            groups.push(GroupSpec { key, title_en: title_en.unwrap_or_else(|| title.clone()), title });
        }
    }
    groups
}

fn read_datasets(dir: &Path, problems: &mut Vec<Problem>) -> (Vec<DatasetSpec>, Option<PathBuf>) {
    let Some(parent) = dir.parent() else {
        return (Vec::new(), None);
    };
    let path = parent.join("datasets.toml");
    if !path.exists() {
        return (Vec::new(), None);
    }
    let Some(table) = parse_file(&path, problems) else {
        return (Vec::new(), Some(path));
    };
    let mut r = Reader::new(&path);
    r.unknown_keys(&table, "", &["dataset"]);
    let mut out = Vec::new();
    for (i, d) in r.tables(&table, "", "dataset").into_iter().enumerate() {
        let prefix = format!("dataset[{i}]");
        r.unknown_keys(d, &prefix, DATASET_FIELDS);
        let key = r.string(d, &prefix, "key");
        let name = r.string(d, &prefix, "name");
        let kind = r.string(d, &prefix, "kind");
        let period = r.opt_string(d, &prefix, "period").unwrap_or_default();
        let summary = r.opt_string(d, &prefix, "summary").unwrap_or_default();
        let summary_en = r.opt_string(d, &prefix, "summary_en").unwrap_or_default();
        let agreement_required = r.boolean(d, &prefix, "agreement_required", false);
        let terms = r.opt_string(d, &prefix, "terms").unwrap_or_default();
        let terms_en = r.opt_string(d, &prefix, "terms_en").unwrap_or_default();
        let terms_version = r.opt_string(d, &prefix, "terms_version").unwrap_or_else(|| "1".into());
        if let Some(k) = &kind
            && !["observation", "analysis", "other"].contains(&k.as_str())
        {
            r.problem(format!("{prefix}.kind"), format!("{k:?} is not observation, analysis or other"));
        }
        if let (Some(key), Some(name), Some(kind)) = (key, name, kind) {
            if !is_slug(&key) {
                r.problem(format!("{prefix}.key"), format!("{key:?} is not a slug (a-z, 0-9, -)"));
            }
            out.push(DatasetSpec {
                key,
                name,
                kind,
                period,
                summary,
                summary_en,
                agreement_required,
                terms,
                terms_en,
                terms_version,
            });
        }
    }
    problems.append(&mut r.problems);
    (out, Some(path))
}

/// Sub-folders in a stable order, hidden ones (`.git`) left out.
fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !file_name(p).starts_with('.'))
        .collect();
    out.sort();
    out
}

pub fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn read_challenges(dir: &Path, areas: &[AreaSpec], problems: &mut Vec<Problem>) -> Vec<ChallengeSpec> {
    let mut out = Vec::new();
    for area_dir in subfolders(dir) {
        let area = file_name(&area_dir);
        if !areas.iter().any(|a| a.key == area) {
            problems.push(Problem::new(
                &area_dir,
                "area",
                format!("unknown area {area:?}: not among the [[areas]] of contest.toml"),
            ));
            continue;
        }
        for challenge_dir in subfolders(&area_dir) {
            if let Some(c) = read_challenge(&challenge_dir, &area, problems) {
                out.push(c);
            }
        }
    }
    out
}

fn read_challenge(dir: &Path, area: &str, problems: &mut Vec<Problem>) -> Option<ChallengeSpec> {
    let slug = file_name(dir);
    let toml_path = dir.join("challenge.toml");
    let table = parse_file(&toml_path, problems)?;
    let mut r = Reader::new(&toml_path);
    if !is_slug(&slug) {
        r.problem("slug", format!("the folder name {slug:?} is not a slug (a-z, 0-9, -)"));
    }
    r.unknown_keys(&table, "", CHALLENGE_FIELDS);
    let title = r.string(&table, "", "title");
    let title_en = r.opt_string(&table, "", "title_en");
    let group = r.opt_string(&table, "", "group");
    let kind = r.opt_string(&table, "", "type").unwrap_or_else(|| "standard".into());
    let classification = match kind.as_str() {
        "standard" => {
            if table.contains_key("classification") {
                r.problem("classification", "belongs only to a challenge with type = \"classification\"");
            }
            None
        }
        "classification" => read_classification(&mut r, &table, dir),
        other => {
            r.problem("type", format!("{other:?} is not standard or classification"));
            None
        }
    };
    let scoring = match &classification {
        Some(c) => Some(Scoring::Static { points: c.points }),
        None if kind == "classification" => None,
        None => read_scoring(&mut r, &table),
    };
    let opens_at = r.time(&table, "", "opens_at", false);
    let closes_at = r.time(&table, "", "closes_at", false);
    let max_attempts = r.integer(&table, "", "max_attempts", Some(0), 0, 1_000_000);
    let requires = r.strings(&table, "", "requires");
    let datasets = r.strings(&table, "", "datasets");
    let tags = r.strings(&table, "", "tags");
    let author = r.opt_string(&table, "", "author").unwrap_or_default();
    let answer = match &classification {
        // No flag: the salt is the sealed table's, so that the check keeps salts unique across challenges.
        Some(c) => Some(AnswerSpec {
            rule: Rule::Exact,
            salt: c.salt.clone(),
            digests: Vec::new(),
            format: String::new(),
            format_en: String::new(),
        }),
        None if kind == "classification" => None,
        None => read_answer(&mut r, &table),
    };
    let hints = read_hints(&mut r, &table);
    problems.append(&mut r.problems);

    let description = match std::fs::read_to_string(dir.join("README.md")) {
        Ok(text) => Some(text),
        Err(_) => {
            problems.push(Problem::new(&dir.join("README.md"), "-", "is missing: the question, in Japanese"));
            None
        }
    };
    let description_en = std::fs::read_to_string(dir.join("README.en.md")).unwrap_or_default();
    let files = read_files(&dir.join("files"), problems);

    let (title, scoring, max_attempts, answer, description) = (title?, scoring?, max_attempts?, answer?, description?);
    Some(ChallengeSpec {
        dir: dir.to_path_buf(),
        toml_path,
        area: area.to_owned(),
        slug,
        title_en: title_en.unwrap_or_else(|| title.clone()),
        title,
        group,
        scoring,
        opens_at,
        closes_at,
        max_attempts: i32::try_from(max_attempts).unwrap_or(0),
        requires,
        datasets,
        tags,
        author,
        answer,
        hints,
        description,
        description_en,
        files,
        classification,
    })
}

/// The `[classification]` table (a challenge of that type has no flag, points or `[scoring]` of its own)
/// and the `sealed.csv` beside `challenge.toml`.
fn read_classification(r: &mut Reader, t: &Table, dir: &Path) -> Option<ClassificationSpec> {
    for key in ["answer", "points", "scoring", "max_attempts"] {
        if t.contains_key(key) {
            r.problem(key, "a classification challenge has none: see its [classification] table");
        }
    }
    let Some(c) = r.table(t, "", "classification") else {
        if !t.contains_key("classification") {
            r.problem("classification", "is missing: a [classification] table (salt, labels, positive, metric, …)");
        }
        return None;
    };
    let p = "classification";
    r.unknown_keys(c, p, CLASSIFICATION_FIELDS);
    let salt = r.string(c, p, "salt");
    let labels = r.strings(c, p, "labels");
    let positive = r.string(c, p, "positive");
    let metric = match r.string(c, p, "metric").map(|m| m.parse::<Metric>()) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            r.problem("classification.metric", e);
            None
        }
        None => None,
    };
    let public_fraction = match c.get("public_fraction") {
        None => Some(0.3),
        Some(toml::Value::Float(f)) if *f > 0.0 && *f < 1.0 => Some(*f),
        Some(other) => {
            r.problem("classification.public_fraction", format!("must be a number between 0 and 1 (0.3), not {other}"));
            None
        }
    };
    let per_day = r.integer(c, p, "max_submissions_per_day", Some(5), 1, 1000);
    let points = r.integer(c, p, "points", None, 1, MAX_POINTS);
    let mut seen = std::collections::HashSet::new();
    let trimmed = labels.iter().all(|l| !l.trim().is_empty() && l.trim() == l && !l.contains(','));
    if labels.len() < 2 || !trimmed || !labels.iter().all(|l| seen.insert(l.as_str())) {
        r.problem("classification.labels", "must be two or more distinct labels without spaces around them or commas");
    }
    if let (Some(positive), Some(metric)) = (&positive, metric) {
        if !labels.contains(positive) {
            r.problem("classification.positive", format!("{positive:?} is not among the labels"));
        }
        if metric != Metric::Accuracy && labels.len() != 2 {
            r.problem("classification.metric", format!("{} needs exactly two labels", metric.as_str()));
        }
    }
    let sealed_path = dir.join("sealed.csv");
    let sealed = match std::fs::read(&sealed_path) {
        Err(_) => {
            r.problems.push(Problem::new(
                &sealed_path,
                "-",
                "is missing: write it with `mwscup classification seal --salt SALT truth.csv`",
            ));
            None
        }
        Ok(bytes) => match Sealed::read(&bytes) {
            Ok(sealed) => Some(sealed),
            Err(problems) => {
                for lp in &problems.first {
                    r.problems.push(Problem::new(&sealed_path, format!("line {}", lp.line), lp.problem.to_string()));
                }
                None
            }
        },
    };
    if let (Some(sealed), Some(f)) = (&sealed, public_fraction) {
        let n = sealed.rows.len();
        let expected = (f * n as f64).round() as usize;
        if sealed.public_count().abs_diff(expected) > 1 {
            r.problems.push(Problem::new(
                &sealed_path,
                "board",
                format!(
                    "{} of {n} rows are public, but public_fraction {f} makes {expected}: seal again with --public-fraction {f}",
                    sealed.public_count()
                ),
            ));
        }
    }
    Some(ClassificationSpec {
        salt: salt?,
        positive: positive?,
        metric: metric?,
        public_fraction: public_fraction?,
        max_submissions_per_day: i32::try_from(per_day?).unwrap_or(5),
        points: to_i32(points?),
        sealed: sealed?,
        sealed_path,
        labels,
    })
}

fn to_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn read_scoring(r: &mut Reader, t: &Table) -> Option<Scoring> {
    let scoring = r.table(t, "", "scoring");
    match (t.contains_key("points"), scoring) {
        (true, Some(_)) => {
            r.problem("points", "give either points or a [scoring] table, not both");
            None
        }
        (true, None) => r.integer(t, "", "points", None, 0, MAX_POINTS).map(|p| Scoring::Static { points: to_i32(p) }),
        (false, Some(s)) => {
            r.unknown_keys(s, "scoring", SCORING_FIELDS);
            let function = match r.string(s, "scoring", "function").as_deref() {
                Some("linear") => Some(DynamicFunction::Linear),
                Some("logarithmic") => Some(DynamicFunction::Logarithmic),
                Some(other) => {
                    r.problem("scoring.function", format!("{other:?} is not linear or logarithmic"));
                    None
                }
                None => None,
            };
            let initial = r.integer(s, "scoring", "initial", None, 1, MAX_POINTS);
            let minimum = r.integer(s, "scoring", "minimum", Some(0), 0, MAX_POINTS);
            let decay = r.integer(s, "scoring", "decay", None, 1, MAX_POINTS);
            if let (Some(initial), Some(minimum)) = (initial, minimum)
                && minimum > initial
            {
                r.problem("scoring.minimum", format!("{minimum} is above the initial value {initial}"));
                return None;
            }
            Some(Scoring::Dynamic {
                function: function?,
                initial: to_i32(initial?),
                minimum: to_i32(minimum?),
                decay: to_i32(decay?),
            })
        }
        (false, None) => {
            if !t.contains_key("scoring") {
                r.problem("points", "is missing (or give a [scoring] table)");
            }
            None
        }
    }
}

fn read_answer(r: &mut Reader, t: &Table) -> Option<AnswerSpec> {
    let Some(a) = r.table(t, "", "answer") else {
        if !t.contains_key("answer") {
            r.problem("answer", "is missing: an [answer] table with salt and digests");
        }
        return None;
    };
    r.unknown_keys(a, "answer", ANSWER_FIELDS);
    let rule = match r.opt_string(a, "answer", "rule") {
        None => Some(Rule::default()),
        Some(text) => match text.parse::<Rule>() {
            Ok(rule) => Some(rule),
            Err(e) => {
                r.problem("answer.rule", e);
                None
            }
        },
    };
    let salt = r.string(a, "answer", "salt");
    if a.get("digests").is_none() {
        r.problem("answer.digests", "is missing: one or more sha256:<hex> digests");
    }
    let mut digests = Vec::new();
    let texts = r.strings(a, "answer", "digests");
    if texts.is_empty() && a.contains_key("digests") {
        r.problem("answer.digests", "must hold at least one digest");
    }
    for (i, text) in texts.iter().enumerate() {
        match text.parse::<AnswerDigest>() {
            Ok(d) => digests.push(d),
            Err(e) => r.problem(format!("answer.digests[{i}]"), format!("{text:?}: {e}")),
        }
    }
    let format = r.opt_string(a, "answer", "format").unwrap_or_default();
    let format_en = r.opt_string(a, "answer", "format_en").unwrap_or_default();
    let (rule, salt) = (rule?, salt?);
    if digests.len() != texts.len() || digests.is_empty() {
        return None;
    }
    Some(AnswerSpec { rule, salt, digests, format, format_en })
}

fn read_hints(r: &mut Reader, t: &Table) -> Vec<HintSpec> {
    let mut out = Vec::new();
    for (i, h) in r.tables(t, "", "hints").into_iter().enumerate() {
        let prefix = format!("hints[{i}]");
        r.unknown_keys(h, &prefix, HINT_FIELDS);
        let text = r.string(h, &prefix, "text");
        let text_en = r.opt_string(h, &prefix, "text_en");
        let cost = r.integer(h, &prefix, "cost", Some(0), 0, MAX_POINTS);
        if let (Some(text), Some(cost)) = (text, cost) {
            out.push(HintSpec { text_en: text_en.unwrap_or_else(|| text.clone()), text, cost: to_i32(cost) });
        }
    }
    out
}

/// The files directly in `files/`, in name order.
fn read_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<FileSpec> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = file_name(&path);
        if name.starts_with('.') {
            continue;
        }
        match entry.metadata() {
            Ok(meta) if meta.is_file() => out.push(FileSpec { name, path, size: meta.len() }),
            Ok(_) => problems.push(Problem::new(&path, "files", "attachments must be files directly in files/")),
            Err(e) => problems.push(Problem::new(&path, "files", format!("cannot be read: {e}"))),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn contest_with(text: &str) -> (Option<ContestSource>, Vec<Problem>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("cup");
        std::fs::create_dir_all(folder.join("static/alpha")).expect("mkdir");
        std::fs::write(folder.join("contest.toml"), text).expect("write");
        std::fs::write(folder.join("static/alpha/challenge.toml"), text).expect("write");
        read(&folder)
    }

    #[test]
    fn the_ceremony_names_three_places_unless_told() {
        let contest = |extra: &str| {
            let dir = tempfile::tempdir().expect("tempdir");
            let folder = dir.path().join("cup");
            std::fs::create_dir_all(&folder).expect("mkdir");
            let text = format!(
                "slug = \"cup\"\ntitle = \"杯\"\nstarts_at = 2026-10-20T09:00:00+09:00\nends_at = \
                 2026-10-20T13:00:00+09:00\nmax_team_size = 4\n[[areas]]\nkey = \"static\"\nname = \"静的\"\n{extra}"
            );
            std::fs::write(folder.join("contest.toml"), text).expect("write");
            let (source, problems) = read(&folder);
            (source.map(|s| s.contest.ceremony_awards), problems.iter().map(|p| p.to_string()).collect::<Vec<_>>())
        };
        assert_eq!(contest(""), (Some(3), vec![]));
        assert_eq!(contest("[ceremony]\nawards = 5\n"), (Some(5), vec![]));
        let (_, problems) = contest("[ceremony]\nawards = 0\nprizes = 1\n");
        assert!(
            problems.iter().any(|p| p.contains("ceremony.awards: must be between 1 and 20, not 0")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("ceremony.prizes: unknown field")), "{problems:?}");
    }

    /// A contest that reads without a problem, with `extra` at the top of its contest.toml.
    fn valid_contest(extra: &str) -> (Option<ContestSource>, Vec<Problem>, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        let folder = dir.path().join("cup");
        let challenge = folder.join("static/alpha");
        std::fs::create_dir_all(&challenge).expect("mkdir");
        let contest = format!(
            "{extra}slug = \"cup\"\ntitle = \"杯\"\nstarts_at = 2026-10-20T09:00:00+09:00\n\
             ends_at = 2026-10-20T13:00:00+09:00\n\n[[areas]]\nkey = \"static\"\nname = \"静的解析\"\n"
        );
        std::fs::write(folder.join("contest.toml"), contest).expect("write");
        let digest = format!("sha256:{}", "ab".repeat(32));
        std::fs::write(
            challenge.join("challenge.toml"),
            format!("title = \"問\"\npoints = 100\n\n[answer]\nsalt = \"s\"\ndigests = [\"{digest}\"]\n"),
        )
        .expect("write");
        std::fs::write(challenge.join("README.md"), "# alpha\n").expect("write");
        let (source, problems) = read(&folder);
        (source, problems, dir)
    }

    #[test]
    fn the_valid_contest_reads_without_a_problem() {
        let (source, problems, _dir) = valid_contest("");
        assert_eq!(problems, Vec::new());
        let source = source.expect("read");
        assert_eq!((source.contest.slug.as_str(), source.challenges.len()), ("cup", 1));
    }

    proptest::proptest! {
        /// Whatever a manifest holds, reading it never panics; text that is not a contest is refused with
        /// problems, all in contest.toml (nothing further is read).
        #[test]
        fn any_manifest_text_is_read_without_panic(text in "\\PC{0,400}") {
            let (source, problems) = contest_with(&text);
            proptest::prop_assert!(source.is_none() && !problems.is_empty(), "{:?}", problems);
            for p in &problems {
                proptest::prop_assert!(p.path.ends_with("contest.toml"), "{:?}", p);
            }
        }

        /// A valid contest with fields of any name and any type added: it still reads, and each added field,
        /// and nothing else, is reported as unknown by its name.
        #[test]
        fn unknown_fields_of_any_type_are_each_reported(
            fields in proptest::collection::btree_map("x_[a-z_]{1,12}", proptest::prop_oneof![
                "\\PC{0,20}".prop_map(|s| toml::Value::String(s).to_string()),
                proptest::num::i64::ANY.prop_map(|n| n.to_string()),
                proptest::bool::ANY.prop_map(|b| b.to_string()),
                proptest::strategy::Just("2026-10-20T09:00:00+09:00".to_owned()),
                proptest::strategy::Just("[1, \"a\", true]".to_owned()),
                proptest::strategy::Just("{ a = 1 }".to_owned()),
            ], 0..12),
        ) {
            let extra: String = fields.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
            let (source, problems, _dir) = valid_contest(&extra);
            proptest::prop_assert!(source.is_some(), "{:?}", problems);
            let mut reported: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
            reported.sort_unstable();
            proptest::prop_assert_eq!(reported, fields.keys().map(String::as_str).collect::<Vec<_>>());
            for p in &problems {
                proptest::prop_assert!(p.message.starts_with("unknown field") && p.path.ends_with("contest.toml"), "{:?}", p);
            }
        }
    }
}
