use sea_orm::entity::prelude::*;

/// A judge's mark for one criterion of one entry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "judge_marks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub entry_id: i32,
    pub judge_id: i32,
    pub criterion_id: i32,
    /// From 0 to the criterion's `max`.
    pub value: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
