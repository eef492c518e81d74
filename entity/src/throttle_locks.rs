use sea_orm::entity::prelude::*;

/// One row per limited key, written first in a transaction that checks and records against that key: the
/// row lock (PostgreSQL) or the write lock (SQLite) makes contenders for the key take their turns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "throttle_locks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub touched_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
