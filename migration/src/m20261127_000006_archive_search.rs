//! Full-text search over the archive: SQLite FTS5 with the trigram tokenizer (Japanese has no spaces
//! between words, so words cannot be the unit), PostgreSQL `tsvector` with a GIN index. The SQL differs
//! by backend; the application fills both the same way.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE archive_search USING fts5(
                        item_id UNINDEXED, contest_id UNINDEXED, title, body, tokenize = 'trigram')",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE TABLE archive_search (
                        item_id integer PRIMARY KEY REFERENCES archive_items(id) ON DELETE CASCADE,
                        contest_id integer NOT NULL,
                        title text NOT NULL,
                        body text NOT NULL,
                        doc tsvector NOT NULL)",
                )
                .await?;
                db.execute_unprepared("CREATE INDEX ix_archive_search_doc ON archive_search USING GIN (doc)").await?;
            }
        }
        Ok(())
    }
}
