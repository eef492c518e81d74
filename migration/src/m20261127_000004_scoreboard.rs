//! Scoring beyond solves: organizers' adjustments; and the scoreboard's switches (members only, revealed
//! after a freeze).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Contests::Table).add_column(boolean(Contests::Revealed).default(false)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contests::Table)
                    .add_column(boolean(Contests::ScoreboardPublic).default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Adjustments::Table)
                    .col(pk_auto(Adjustments::Id))
                    .col(integer(Adjustments::ContestId))
                    .col(integer(Adjustments::TeamId))
                    .col(integer_null(Adjustments::AreaId))
                    .col(big_integer(Adjustments::Centipoints))
                    .col(string_len(Adjustments::Reason, 500))
                    .col(integer_null(Adjustments::AuthorId))
                    .col(timestamp_with_time_zone(Adjustments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Adjustments::Table, Adjustments::ContestId)
                            .to(Contests::Table, Contests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Adjustments::Table, Adjustments::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_adjustments_contest")
                    .table(Adjustments::Table)
                    .col(Adjustments::ContestId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Contests {
    Table,
    Id,
    Revealed,
    ScoreboardPublic,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Adjustments {
    Table,
    Id,
    ContestId,
    TeamId,
    AreaId,
    Centipoints,
    Reason,
    AuthorId,
    CreatedAt,
}
