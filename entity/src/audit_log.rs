use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub contest_id: Option<i32>,
    pub actor_id: Option<i32>,
    /// The actor's name at the time (kept if the account is renamed or removed).
    pub actor_name: String,
    /// What was done, as `area.verb` (`contest.pause`, `scores.adjust`, …).
    pub action: String,
    /// What it was done to, in words (`team Finders (#3)`).
    pub target: String,
    /// The state before and after, as JSON, where there is one.
    #[sea_orm(column_type = "Text", nullable)]
    pub before: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub after: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
