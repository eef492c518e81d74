use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "solves")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub challenge_id: i32,
    /// One solve per team and challenge (a unique index holds it).
    pub team_id: i32,
    pub user_id: i32,
    pub submission_id: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
