use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub title_en: String,
    pub description: String,
    pub description_en: String,
    /// An IANA zone name, e.g. `Asia/Tokyo`: times are shown in it.
    pub timezone: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub freeze_at: Option<DateTimeUtc>,
    pub max_team_size: i32,
    pub demo: bool,
    pub created_at: DateTimeUtc,
    /// Organizers pause a contest: no answers are taken until they resume it.
    pub paused: bool,
    /// Wrong answers a team may send per minute before it must wait.
    pub wrong_answers_per_minute: i32,
    /// After the end, organizers reveal the final standings hidden by the freeze.
    pub revealed: bool,
    /// Whether the scoreboard and its feeds are open to anyone, or to members and staff only.
    pub scoreboard_public: bool,
    /// `team_creation = "organizers"`: teams are made by organizers (registered in advance); members
    /// join them by invite code, and nobody else creates one.
    pub teams_by_organizers: bool,
    /// Teams add to the archive from the end until this time (default: 30 days after the end).
    pub archive_until: Option<DateTimeUtc>,
    /// Bytes a single archive file may have.
    pub archive_file_limit: i64,
    /// Bytes a team's archive files may have together.
    pub archive_team_limit: i64,
    /// When organizers published the judges' marks: from then on they count in the standings, and judges
    /// see one another's.
    pub marks_published_at: Option<DateTimeUtc>,
    /// The closing ceremony's step on show (0: the frozen standings); `None` while no ceremony is under way.
    pub ceremony_step: Option<i32>,
    /// How many places the ceremony's awards name, in each area and overall.
    pub ceremony_awards: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
