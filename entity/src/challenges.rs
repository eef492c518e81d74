use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "challenges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub area_id: i32,
    pub slug: String,
    pub title: String,
    pub title_en: String,
    /// Questions about the same sample share a group.
    pub group_name: Option<String>,
    /// The group's title from `[[groups]]` (and in English), empty where the group is not declared.
    pub group_title: String,
    pub group_title_en: String,
    /// The question, Markdown (`README.md`).
    pub description: String,
    /// `README.en.md`, or empty.
    pub description_en: String,
    /// `static`, `linear` or `logarithmic`.
    pub scoring_function: String,
    /// Static points, or the initial value of a dynamic challenge.
    pub points: i32,
    pub minimum: i32,
    pub decay: i32,
    pub opens_at: Option<DateTimeUtc>,
    pub closes_at: Option<DateTimeUtc>,
    /// 0 is unlimited.
    pub max_attempts: i32,
    /// JSON array of challenge slugs that must be solved first.
    pub requires: String,
    /// JSON array of dataset keys.
    pub datasets: String,
    /// JSON array of tags.
    pub tags: String,
    pub author: String,
    /// `exact`, `casefold`, `hex` or `list`.
    pub answer_rule: String,
    pub answer_salt: String,
    /// JSON array of `sha256:<hex>` digests: never an answer.
    pub answer_digests: String,
    /// What an answer looks like, shown to players (`host:port`).
    pub answer_format: String,
    /// The same in English (empty: the primary one is shown).
    pub answer_format_en: String,
    /// Removed from the sources: kept with its solves, shown to no one.
    pub hidden: bool,
    pub position: i32,
    pub updated_at: DateTimeUtc,
    /// `standard` (a flag) or `classification` (a prediction file, see `classifications`).
    pub kind: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
