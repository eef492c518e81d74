use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "areas")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    /// `static`, `dynamic`, `surface`, `dfir`, `hackathon`, or any other slug.
    pub key: String,
    pub name: String,
    pub name_en: String,
    /// Whether its points count as on-day points for tie-breaks.
    pub on_day: bool,
    pub opens_at: Option<DateTimeUtc>,
    pub closes_at: Option<DateTimeUtc>,
    /// Order as in `contest.toml`.
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
