use sea_orm::entity::prelude::*;

/// A criterion of a contest's hackathon rubric (`[[rubric]]` in `contest.toml`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rubric_criteria")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub key: String,
    pub name: String,
    pub name_en: String,
    /// The highest mark a judge may give.
    pub max: i32,
    /// Order as in `contest.toml`.
    pub position: i32,
    /// Removed from the sources: its marks are kept and count for nothing.
    pub hidden: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
