use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "teams")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub name: String,
    /// The name folded for uniqueness within the contest.
    pub name_key: String,
    /// The name's confusable skeleton (UTS #39), unique within the contest. NULL only for a team that was
    /// confusable with an older one when the column came.
    pub name_skeleton: Option<String>,
    pub affiliation: Option<String>,
    #[sea_orm(unique)]
    pub invite_code: String,
    pub captain_id: Option<i32>,
    pub hidden: bool,
    pub created_at: DateTimeUtc,
    /// Touched by every change of membership, which also serialises concurrent joins.
    pub updated_at: DateTimeUtc,
    /// The final position, kept at the reveal or by an archive import.
    pub final_rank: Option<i32>,
    /// The final score in hundredths of a point.
    pub final_centipoints: Option<i64>,
    /// Disqualified by organizers: off the scoreboard, and its answers refused.
    pub disqualified: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
