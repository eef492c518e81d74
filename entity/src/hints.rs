use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub challenge_id: i32,
    /// Order in `challenge.toml`; a hint keeps its id while its position stays.
    pub position: i32,
    pub text: String,
    pub text_en: String,
    pub cost: i32,
    /// Removed from the sources: shown to no one, its unlocks (and their costs) kept.
    pub hidden: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
