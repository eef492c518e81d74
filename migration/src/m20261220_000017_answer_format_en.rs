//! `challenges.answer_format_en`: the answer's format in English (issue 19), shown on English pages beside the
//! answer field; empty where none was authored, and then the primary one is shown.

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
                    .add_column(string(Challenges::AnswerFormatEn).default(""))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    AnswerFormatEn,
}
