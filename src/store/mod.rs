//! Every query, grouped by aggregate. Handlers call these and never build a query themselves.

pub mod answer_log;
pub mod archive;
pub mod audit;
pub mod blobs;
pub mod challenges;
pub mod classification;
pub mod contests;
pub mod datasets;
pub mod disputes;
pub mod judging;
pub mod limits;
pub mod play;
pub mod roster;
pub mod scores;
pub mod search;
pub mod sessions;
pub mod sources;
pub mod teams;
pub mod tokens;
pub mod users;

use sea_orm::{DbErr, SqlErr};

/// What a store call can answer besides success: outcomes a person causes, and database failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("that username is taken")]
    UsernameTaken,
    #[error("a team of that name exists in this contest")]
    TeamNameTaken,
    /// The username looks like one that exists (the same confusable skeleton).
    #[error("that username looks like one that exists")]
    UsernameConfusable,
    /// The team name looks like one that exists in the contest (the same confusable skeleton).
    #[error("a team whose name looks like this one exists in this contest")]
    TeamNameConfusable,
    #[error("the user is already in a team of this contest")]
    AlreadyInTeam,
    #[error("organizers and judges do not play in teams")]
    StaffCannotPlay,
    #[error("the team is full ({max} members)")]
    TeamFull { max: i32 },
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] DbErr),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Whether a database error is the violation of a unique index.
fn is_unique_violation(err: &DbErr) -> bool {
    unique_violation(err).is_some()
}

/// The database's words for a violated unique index, which name its index (PostgreSQL) or columns
/// (SQLite); `None` for any other error.
fn unique_violation(err: &DbErr) -> Option<String> {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(what)) => Some(what),
        _ => None,
    }
}
