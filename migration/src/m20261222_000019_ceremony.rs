//! The closing ceremony (issue 20): `contests.ceremony_step`, the step the ceremony shows (NULL while none is
//! under way), kept in the database so that every instance serving the venue screen shows the same one; and
//! `contests.ceremony_awards`, how many places its awards name in each area and overall (`[ceremony] awards`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column an ALTER: SQLite takes no more.
        manager
            .alter_table(
                Table::alter().table(Contests::Table).add_column(integer_null(Contests::CeremonyStep)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contests::Table)
                    .add_column(integer(Contests::CeremonyAwards).default(3))
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Contests {
    Table,
    CeremonyStep,
    CeremonyAwards,
}
