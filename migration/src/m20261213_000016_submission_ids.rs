//! Answers that can be retried safely (issue 18): `submissions.submission_id`, the UUIDv7 a client is told
//! of its answer, unique; `submissions.idempotency_key`, the client's `Idempotency-Key`, unique per team.
//!
//! The unique index on `submission_id` is the answer's natural key: a record written again after its batch
//! reported a failed COMMIT that the database did carry out meets its own row instead of a second copy. The
//! index on (team, key) serialises a team's answers under one key in the database itself, so that instances
//! with nothing else in common keep one answer a key.
//!
//! Rows from before this step keep `submission_id` NULL (which a unique index does not compare): an id made
//! up now would name an answer no client was ever told of.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column an ALTER: SQLite takes no more.
        manager
            .alter_table(
                Table::alter()
                    .table(Submissions::Table)
                    .add_column(string_len_null(Submissions::SubmissionId, 36))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Submissions::Table)
                    .add_column(string_len_null(Submissions::IdempotencyKey, 128))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_submissions_submission_id")
                    .table(Submissions::Table)
                    .col(Submissions::SubmissionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Partial: most answers come without a key and need no entry.
        manager
            .create_index(
                Index::create()
                    .name("ux_submissions_team_idempotency_key")
                    .table(Submissions::Table)
                    .col(Submissions::TeamId)
                    .col(Submissions::IdempotencyKey)
                    .unique()
                    .and_where(Expr::col(Submissions::IdempotencyKey).is_not_null())
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    TeamId,
    SubmissionId,
    IdempotencyKey,
}
