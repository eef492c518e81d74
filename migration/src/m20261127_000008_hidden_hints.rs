//! A hint removed from the sources is hidden, not deleted: teams that paid for it keep their unlock (and
//! its cost), as solves are kept for hidden challenges.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Hints::Table).add_column(boolean(Hints::Hidden).default(false)).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Hints {
    Table,
    Hidden,
}
