use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "archive_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub team_id: i32,
    pub uploader_id: Option<i32>,
    /// `slides`, `script`, `writeup`, `video` or `repository`.
    pub kind: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// JSON list of area keys it concerns.
    pub areas: String,
    /// JSON list of challenge slugs it concerns.
    pub challenges: String,
    /// An SPDX licence id.
    pub licence: Option<String>,
    pub link: Option<String>,
    /// `public`, `participants` (holders of the dataset agreements) or `organizers`.
    pub visibility: String,
    /// `submitted`, `published` or `returned`.
    pub status: String,
    pub review_comment: String,
    /// JSON object: the uploader's answers to the ethics checklist.
    pub ethics: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
