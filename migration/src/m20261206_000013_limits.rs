//! Limits kept where every instance meets: failed logins as rows (per account and per address), a row per
//! limited key to lock so that a check and its record are one step, and an index for counting a team's
//! recent wrong answers inside the answer's own transaction. And a contest whose teams are made by its
//! organizers only (`team_creation = "organizers"`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(pk_auto(LoginFailures::Id))
                    .col(string_len(LoginFailures::Key, 200))
                    .col(timestamp_with_time_zone(LoginFailures::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_login_failures_key_time", vec![LoginFailures::Key, LoginFailures::CreatedAt]),
            ("ix_login_failures_time", vec![LoginFailures::CreatedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(LoginFailures::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ThrottleLocks::Table)
                    .col(string_len(ThrottleLocks::Key, 200).primary_key())
                    .col(timestamp_with_time_zone(ThrottleLocks::TouchedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contests::Table)
                    .add_column(boolean(Contests::TeamsByOrganizers).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_submissions_team_time")
                    .table(Submissions::Table)
                    .col(Submissions::TeamId)
                    .col(Submissions::CreatedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Key,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ThrottleLocks {
    Table,
    Key,
    TouchedAt,
}

#[derive(DeriveIden)]
enum Contests {
    Table,
    TeamsByOrganizers,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    TeamId,
    CreatedAt,
}
