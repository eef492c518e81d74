use sea_orm::entity::prelude::*;

/// How a classification challenge is scored. The truth is only the sealed table (digests of salt, id
/// and label), stored as a file under `sealed_sha256`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "classifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub challenge_id: i32,
    /// JSON array of the labels a prediction may use.
    pub labels: String,
    pub positive: String,
    /// `accuracy`, `f1` or `balanced_accuracy`.
    pub metric: String,
    /// Uploads a team may make per day (in the contest's zone).
    pub max_per_day: i32,
    /// The stored `sealed.csv`.
    pub sealed_sha256: String,
    pub rows: i32,
    pub public_rows: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
