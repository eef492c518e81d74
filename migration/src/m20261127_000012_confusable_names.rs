//! Confusable names (issue 15, item 11): `users.username_skeleton` and `teams.name_skeleton` hold the
//! lowercased confusable skeleton (UTS #39) of the name, unique (per contest for teams), so that a name that
//! looks like another (`оrganizer` with a Cyrillic `о` beside `organizer`, `Team I` beside `Team l`) is
//! refused by the database even when two registrations race.
//!
//! Existing rows get their skeleton here, oldest first (by id). When two existing names are confusable, the
//! older keeps the skeleton and the later one is left with none (NULL, which a unique index does not
//! compare): it keeps its name and its login, and any new name confusable with it is still refused, since it
//! is then confusable with the older one too (both share one skeleton).
//!
//! [`skeleton`] is this step's own copy of `domain::names::skeleton`, applied to the stored name (which is
//! already NFKC with its whitespace collapsed); a test in the application checks that both agree. The
//! confusables table comes from the `unicode-security` crate, pinned in the workspace: a new version of it
//! needs a new step that computes the skeletons again.

use sea_orm_migration::sea_orm::{ConnectionTrait, FromQueryResult};
use sea_orm_migration::{prelude::*, schema::*};
use std::collections::HashSet;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The lowercased confusable skeleton of a stored (tidy) name.
pub fn skeleton(name: &str) -> String {
    unicode_security::skeleton(name).collect::<String>().to_lowercase()
}

#[derive(FromQueryResult)]
struct Row {
    id: i32,
    scope: i32,
    name: String,
}

/// Sets the skeleton of every row of `table`, oldest first; a skeleton already given in the same scope
/// (the whole table for users, the contest for teams) is left NULL.
async fn fill(
    db: &impl ConnectionTrait,
    table: impl IntoIden + Copy + 'static,
    name: impl IntoIden + Copy + 'static,
    scope: Option<impl IntoIden + Copy + 'static>,
    column: impl IntoIden + Copy + 'static,
) -> Result<(), DbErr> {
    let mut select = Query::select();
    select
        .from(table)
        .expr_as(Expr::col(Alias::new("id")), Alias::new("id"))
        .expr_as(Expr::col(name), Alias::new("name"));
    match scope {
        Some(s) => select.expr_as(Expr::col(s), Alias::new("scope")),
        None => select.expr_as(Expr::val(0), Alias::new("scope")),
    };
    select.order_by(Alias::new("id"), Order::Asc);
    let rows = Row::find_by_statement(db.get_database_backend().build(&select)).all(db).await?;
    let mut given: HashSet<(i32, String)> = HashSet::new();
    for row in rows {
        let skeleton = skeleton(&row.name);
        if !given.insert((row.scope, skeleton.clone())) {
            continue; // confusable with an older row: left without a skeleton
        }
        let update = Query::update()
            .table(table)
            .value(column, skeleton)
            .and_where(Expr::col(Alias::new("id")).eq(row.id))
            .to_owned();
        db.execute(&update).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Users::Table).add_column(text_null(Users::UsernameSkeleton)).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table(Teams::Table).add_column(text_null(Teams::NameSkeleton)).to_owned())
            .await?;
        let db = manager.get_connection();
        fill(db, Users::Table, Users::Username, None::<Users>, Users::UsernameSkeleton).await?;
        fill(db, Teams::Table, Teams::Name, Some(Teams::ContestId), Teams::NameSkeleton).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_username_skeleton")
                    .table(Users::Table)
                    .col(Users::UsernameSkeleton)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_teams_contest_name_skeleton")
                    .table(Teams::Table)
                    .col(Teams::ContestId)
                    .col(Teams::NameSkeleton)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Username,
    UsernameSkeleton,
}

#[derive(DeriveIden, Clone, Copy)]
enum Teams {
    Table,
    ContestId,
    Name,
    NameSkeleton,
}
