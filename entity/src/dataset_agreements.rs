use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dataset_agreements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub dataset_id: i32,
    /// The version of the terms agreed to; new terms need a new agreement.
    pub terms_version: String,
    pub agreed_at: DateTimeUtc,
    /// The organizer who recorded it, when it was not the user.
    pub recorded_by: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
