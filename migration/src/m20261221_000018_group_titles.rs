//! `challenges.group_title` and `group_title_en`: the title of the challenge's group as `[[groups]]` in
//! `contest.toml` declares it (issue 19), so the board reads "検体 A" rather than the key `sample-a`. Empty
//! where the group is not declared; the key is shown then.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column a statement: SQLite adds a single column per ALTER TABLE.
        for column in [Challenges::GroupTitle, Challenges::GroupTitleEn] {
            manager
                .alter_table(Table::alter().table(Challenges::Table).add_column(string(column).default("")).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    GroupTitle,
    GroupTitleEn,
}
