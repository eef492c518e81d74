use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "adjustments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub team_id: i32,
    /// The area it counts in; none counts in the total only.
    pub area_id: Option<i32>,
    /// Points in hundredths (judges' averages are fractional), positive or negative.
    pub centipoints: i64,
    pub reason: String,
    pub author_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
