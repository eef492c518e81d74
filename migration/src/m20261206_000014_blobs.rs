//! Files in the database, for instances that share one PostgreSQL and nothing else (`blob_store =
//! "database"`): a file is a row of `blobs` (its SHA-256, size and time) and its content the rows of
//! `blob_chunks` (about 1 MiB each, numbered from 0). The chunks and the row are written in one
//! transaction, so a reader that finds the row finds every chunk.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Blobs::Table)
                    .col(string_len(Blobs::Sha256, 64).primary_key())
                    .col(big_integer(Blobs::Size))
                    .col(timestamp_with_time_zone(Blobs::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BlobChunks::Table)
                    .col(string_len(BlobChunks::Sha256, 64))
                    .col(integer(BlobChunks::Seq))
                    .col(blob(BlobChunks::Bytes))
                    .primary_key(Index::create().col(BlobChunks::Sha256).col(BlobChunks::Seq))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Blobs {
    Table,
    Sha256,
    Size,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BlobChunks {
    Table,
    Sha256,
    Seq,
    Bytes,
}
