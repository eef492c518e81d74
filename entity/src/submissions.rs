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
    /// `correct`, `incorrect` or `already_solved`; organizers may make it `accepted` or `revoked`.
    pub outcome: String,
    /// What was typed, cut to 256 characters: only for wrong answers (kept for disputes).
    pub text: Option<String>,
    /// The digest a right answer matched: a right answer is never stored in plaintext.
    pub digest: Option<String>,
    pub ip: String,
    pub created_at: DateTimeUtc,
    /// The answer's id as its client was told (a UUIDv7), unique; NULL for answers from before it existed.
    pub submission_id: Option<String>,
    /// The client's `Idempotency-Key`, unique per team: a retry under it within 24 hours is told this answer's
    /// verdict again rather than being judged.
    pub idempotency_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
