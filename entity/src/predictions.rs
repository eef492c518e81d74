use sea_orm::entity::prelude::*;

/// A team's prediction file for a classification challenge: the stored file and its counts on the
/// public and private parts (never the truth).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "predictions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub challenge_id: i32,
    pub team_id: i32,
    pub user_id: Option<i32>,
    pub created_at: DateTimeUtc,
    /// The uploaded file in the blob store, so that organizers can score it again.
    pub sha256: String,
    pub size: i64,
    pub rows: i64,
    /// One of the team's (at most two) chosen finals.
    pub chosen: bool,
    pub public_tp: i64,
    pub public_fp: i64,
    pub public_tn: i64,
    pub public_fn: i64,
    pub private_tp: i64,
    pub private_fp: i64,
    pub private_tn: i64,
    pub private_fn: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
