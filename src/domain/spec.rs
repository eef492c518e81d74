//! A contest as its authors wrote it, in plain values: the contest, its areas, challenges, rubric and datasets.
//! `authoring` reads a folder into these and checks them; `store::sources` writes them into rows. No I/O here.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::domain::answer::{AnswerDigest, Rule};
use crate::domain::classification::{Metric, Sealed};

/// The key of the judged hackathon's area: its entries are marked on the rubric, not answered.
pub const HACKATHON: &str = "hackathon";

#[derive(Debug, Clone)]
pub struct ContestSource {
    pub dir: PathBuf,
    pub contest: ContestSpec,
    pub areas: Vec<AreaSpec>,
    pub challenges: Vec<ChallengeSpec>,
    /// The criteria judges mark the `hackathon` area's entries on (`[[rubric]]`).
    pub rubric: Vec<CriterionSpec>,
    /// The titles of challenge groups (`[[groups]]`); a group not declared is shown by its key.
    pub groups: Vec<GroupSpec>,
    pub datasets: Vec<DatasetSpec>,
    /// `datasets.toml` beside the contest folder, if there is one.
    pub datasets_path: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct ContestSpec {
    pub path: PathBuf,
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
    pub timezone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub freeze_at: Option<DateTime<Utc>>,
    pub max_team_size: i32,
    pub demo: bool,
    /// Wrong answers a team may send per minute (default 10).
    pub wrong_answers_per_minute: i32,
    /// Whether anyone may see the scoreboard and its feeds (default), or members and staff only.
    pub scoreboard_public: bool,
    /// `team_creation = "organizers"` (else `"open"`, the default): only organizers create teams.
    pub teams_by_organizers: bool,
    /// Until when teams add to the archive (default: 30 days after the end).
    pub archive_until: Option<DateTime<Utc>>,
    /// Bytes a single archive file may have, and a team's archive files together.
    pub archive_file_limit: i64,
    pub archive_team_limit: i64,
    /// How many places the closing ceremony's awards name, in each area and overall (`[ceremony] awards`).
    pub ceremony_awards: i32,
}

#[derive(Debug, Clone)]
pub struct AreaSpec {
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub on_day: bool,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// A group of challenges (questions about one sample or log) with the title people read on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    pub key: String,
    pub title: String,
    pub title_en: String,
}

impl ContestSource {
    /// The declared group a challenge belongs to, if any.
    pub fn group_of(&self, challenge: &ChallengeSpec) -> Option<&GroupSpec> {
        let key = challenge.group.as_deref()?;
        self.groups.iter().find(|g| g.key == key)
    }
}

/// A criterion of the hackathon rubric: judges give it a whole mark from 0 to `max`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionSpec {
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub max: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scoring {
    Static { points: i32 },
    Dynamic { function: DynamicFunction, initial: i32, minimum: i32, decay: i32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DynamicFunction {
    Linear,
    Logarithmic,
}

impl DynamicFunction {
    pub fn as_str(self) -> &'static str {
        match self {
            DynamicFunction::Linear => "linear",
            DynamicFunction::Logarithmic => "logarithmic",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AnswerSpec {
    pub rule: Rule,
    pub salt: String,
    pub digests: Vec<AnswerDigest>,
    /// What an answer looks like, in the primary (Japanese) language and in English.
    pub format: String,
    pub format_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HintSpec {
    pub text: String,
    pub text_en: String,
    pub cost: i32,
}

#[derive(Debug, Clone)]
pub struct FileSpec {
    pub name: String,
    pub path: PathBuf,
    pub size: u64,
}

#[derive(Debug, Clone)]
pub struct ChallengeSpec {
    pub dir: PathBuf,
    pub toml_path: PathBuf,
    pub area: String,
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub group: Option<String>,
    pub scoring: Scoring,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub max_attempts: i32,
    pub requires: Vec<String>,
    pub datasets: Vec<String>,
    pub tags: Vec<String>,
    pub author: String,
    pub answer: AnswerSpec,
    pub hints: Vec<HintSpec>,
    pub description: String,
    pub description_en: String,
    pub files: Vec<FileSpec>,
    /// `type = "classification"`: scored from an uploaded prediction file, not a flag.
    pub classification: Option<ClassificationSpec>,
}

/// The `[classification]` table of a challenge and its `sealed.csv`.
#[derive(Debug, Clone)]
pub struct ClassificationSpec {
    pub salt: String,
    pub labels: Vec<String>,
    pub positive: String,
    pub metric: Metric,
    pub public_fraction: f64,
    pub max_submissions_per_day: i32,
    /// What a perfect score is worth.
    pub points: i32,
    pub sealed_path: PathBuf,
    pub sealed: Sealed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetSpec {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub period: String,
    pub summary: String,
    pub summary_en: String,
    pub agreement_required: bool,
    pub terms: String,
    pub terms_en: String,
    pub terms_version: String,
}

/// Lowercase letters, digits and `-`, starting with a letter or digit, at most 64.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}
