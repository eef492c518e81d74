use sea_orm::entity::prelude::*;

/// A team's hackathon entry: what judges mark.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hackathon_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    #[sea_orm(unique)]
    pub team_id: i32,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// The repository or the video.
    pub link: Option<String>,
    pub slides_name: Option<String>,
    /// The slides in the blob store.
    pub slides_sha256: Option<String>,
    pub slides_size: Option<i64>,
    pub submitted_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
