//! Classification challenges: a challenge's `kind`, its scoring (labels, metric, the sealed table as a
//! stored file of digests, never labels) and the teams' prediction uploads with their counts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Challenges::Table)
                    .add_column(string_len(Challenges::Kind, 32).default("standard"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Classifications::Table)
                    .col(integer(Classifications::ChallengeId).primary_key())
                    .col(text(Classifications::Labels))
                    .col(string_len(Classifications::Positive, 200))
                    .col(string_len(Classifications::Metric, 32))
                    .col(integer(Classifications::MaxPerDay))
                    .col(string_len(Classifications::SealedSha256, 64))
                    .col(integer(Classifications::Rows))
                    .col(integer(Classifications::PublicRows))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Classifications::Table, Classifications::ChallengeId)
                            .to(Challenges::Table, Challenges::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        let mut predictions = Table::create();
        predictions
            .table(Predictions::Table)
            .col(pk_auto(Predictions::Id))
            .col(integer(Predictions::ContestId))
            .col(integer(Predictions::ChallengeId))
            .col(integer(Predictions::TeamId))
            .col(integer_null(Predictions::UserId))
            .col(timestamp_with_time_zone(Predictions::CreatedAt))
            .col(string_len(Predictions::Sha256, 64))
            .col(big_integer(Predictions::Size))
            .col(big_integer(Predictions::Rows))
            .col(boolean(Predictions::Chosen).default(false));
        for c in [
            Predictions::PublicTp,
            Predictions::PublicFp,
            Predictions::PublicTn,
            Predictions::PublicFn,
            Predictions::PrivateTp,
            Predictions::PrivateFp,
            Predictions::PrivateTn,
            Predictions::PrivateFn,
        ] {
            predictions.col(big_integer(c));
        }
        predictions
            .foreign_key(
                ForeignKey::create()
                    .from(Predictions::Table, Predictions::ChallengeId)
                    .to(Challenges::Table, Challenges::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .foreign_key(
                ForeignKey::create()
                    .from(Predictions::Table, Predictions::TeamId)
                    .to(Teams::Table, Teams::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(predictions.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_predictions_team_challenge")
                    .table(Predictions::Table)
                    .col(Predictions::TeamId)
                    .col(Predictions::ChallengeId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_predictions_contest")
                    .table(Predictions::Table)
                    .col(Predictions::ContestId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    Id,
    Kind,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Classifications {
    Table,
    ChallengeId,
    Labels,
    Positive,
    Metric,
    MaxPerDay,
    SealedSha256,
    Rows,
    PublicRows,
}

#[derive(DeriveIden)]
enum Predictions {
    Table,
    Id,
    ContestId,
    ChallengeId,
    TeamId,
    UserId,
    CreatedAt,
    Sha256,
    Size,
    Rows,
    Chosen,
    PublicTp,
    PublicFp,
    PublicTn,
    PublicFn,
    PrivateTp,
    PrivateFp,
    PrivateTn,
    PrivateFn,
}
