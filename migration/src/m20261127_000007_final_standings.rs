//! A team's final rank and score, kept when the results are revealed or a past year is imported: the
//! archive shows these, not standings recomputed from solves (a past year has none).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Teams::Table).add_column(integer_null(Teams::FinalRank)).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(Teams::Table).add_column(big_integer_null(Teams::FinalCentipoints)).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    FinalRank,
    FinalCentipoints,
}
