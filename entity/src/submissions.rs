use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: i32,
    pub challenge_id: i32,
    pub team_id: i32,
    pub user_id: i32,
    /// `correct`, `incorrect` or `already_solved`.
    pub outcome: String,
    /// What was typed, cut to 256 characters: only for wrong answers (kept for disputes).
    pub text: Option<String>,
    /// The digest a right answer matched: a right answer is never stored in plaintext.
    pub digest: Option<String>,
    pub ip: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
