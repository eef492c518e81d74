//! The counts an answer's limits take, inside the answer's transaction, read from an index alone: a team's
//! wrong answers of the last minute (team, outcome, time) and a team's wrong answers to one challenge (team,
//! challenge, outcome). The index on (team, time) of step 13 made the first count read every row of the
//! team's minute to check its outcome; this one replaces it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ix_submissions_team_outcome_time")
                    .table(Submissions::Table)
                    .col(Submissions::TeamId)
                    .col(Submissions::Outcome)
                    .col(Submissions::CreatedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_submissions_team_challenge_outcome")
                    .table(Submissions::Table)
                    .col(Submissions::TeamId)
                    .col(Submissions::ChallengeId)
                    .col(Submissions::Outcome)
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name("ix_submissions_team_time").table(Submissions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    TeamId,
    ChallengeId,
    Outcome,
    CreatedAt,
}
