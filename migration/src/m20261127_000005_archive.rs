//! The archive: teams' items (slides, scripts, write-ups, videos, repositories) with their files, kept
//! after the contest; and each contest's upload deadline and limits.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Contests::Table)
                    .add_column(timestamp_with_time_zone_null(Contests::ArchiveUntil))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contests::Table)
                    .add_column(big_integer(Contests::ArchiveFileLimit).default(50 * 1024 * 1024))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contests::Table)
                    .add_column(big_integer(Contests::ArchiveTeamLimit).default(500 * 1024 * 1024))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ArchiveItems::Table)
                    .col(pk_auto(ArchiveItems::Id))
                    .col(integer(ArchiveItems::ContestId))
                    .col(integer(ArchiveItems::TeamId))
                    .col(integer_null(ArchiveItems::UploaderId))
                    .col(string_len(ArchiveItems::Kind, 16))
                    .col(string_len(ArchiveItems::Title, 200))
                    .col(text(ArchiveItems::Description))
                    .col(text(ArchiveItems::Areas))
                    .col(text(ArchiveItems::Challenges))
                    .col(string_len_null(ArchiveItems::Licence, 64))
                    .col(string_len_null(ArchiveItems::Link, 500))
                    .col(string_len(ArchiveItems::Visibility, 16))
                    .col(string_len(ArchiveItems::Status, 16))
                    .col(text(ArchiveItems::ReviewComment))
                    .col(text(ArchiveItems::Ethics))
                    .col(timestamp_with_time_zone(ArchiveItems::CreatedAt))
                    .col(timestamp_with_time_zone(ArchiveItems::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArchiveItems::Table, ArchiveItems::ContestId)
                            .to(Contests::Table, Contests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArchiveItems::Table, ArchiveItems::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_archive_items_contest")
                    .table(ArchiveItems::Table)
                    .col(ArchiveItems::ContestId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ArchiveFiles::Table)
                    .col(pk_auto(ArchiveFiles::Id))
                    .col(integer(ArchiveFiles::ItemId))
                    .col(string(ArchiveFiles::Name))
                    .col(string_len(ArchiveFiles::Sha256, 64))
                    .col(big_integer(ArchiveFiles::Size))
                    .col(string_len(ArchiveFiles::MediaType, 100))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArchiveFiles::Table, ArchiveFiles::ItemId)
                            .to(ArchiveItems::Table, ArchiveItems::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_archive_files_item")
                    .table(ArchiveFiles::Table)
                    .col(ArchiveFiles::ItemId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Contests {
    Table,
    Id,
    ArchiveUntil,
    ArchiveFileLimit,
    ArchiveTeamLimit,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ArchiveItems {
    Table,
    Id,
    ContestId,
    TeamId,
    UploaderId,
    Kind,
    Title,
    Description,
    Areas,
    Challenges,
    Licence,
    Link,
    Visibility,
    Status,
    ReviewComment,
    Ethics,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ArchiveFiles {
    Table,
    Id,
    ItemId,
    Name,
    Sha256,
    Size,
    MediaType,
}
