//! The contest day: every attempt at an answer, the solves, hint unlocks, announcements, and a contest's
//! pause switch and wrong-answer limit.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Contests::Table).add_column(boolean(Contests::Paused).default(false)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Contests::Table)
                    .add_column(integer(Contests::WrongAnswersPerMinute).default(10))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Submissions::Table)
                    .col(pk_auto(Submissions::Id))
                    .col(integer(Submissions::ContestId))
                    .col(integer(Submissions::ChallengeId))
                    .col(integer(Submissions::TeamId))
                    .col(integer(Submissions::UserId))
                    .col(string_len(Submissions::Outcome, 16))
                    .col(string_len_null(Submissions::Text, 256))
                    .col(string_len_null(Submissions::Digest, 80))
                    .col(string_len(Submissions::Ip, 64))
                    .col(timestamp_with_time_zone(Submissions::CreatedAt))
                    .foreign_key(&mut fk(Submissions::Table, Submissions::ContestId, Contests::Table, Contests::Id))
                    .foreign_key(&mut fk(
                        Submissions::Table,
                        Submissions::ChallengeId,
                        Challenges::Table,
                        Challenges::Id,
                    ))
                    .foreign_key(&mut fk(Submissions::Table, Submissions::TeamId, Teams::Table, Teams::Id))
                    .foreign_key(&mut fk(Submissions::Table, Submissions::UserId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_submissions_team_challenge", vec![Submissions::TeamId, Submissions::ChallengeId]),
            ("ix_submissions_contest_time", vec![Submissions::ContestId, Submissions::CreatedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Submissions::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Solves::Table)
                    .col(pk_auto(Solves::Id))
                    .col(integer(Solves::ContestId))
                    .col(integer(Solves::ChallengeId))
                    .col(integer(Solves::TeamId))
                    .col(integer(Solves::UserId))
                    .col(integer(Solves::SubmissionId))
                    .col(timestamp_with_time_zone(Solves::CreatedAt))
                    .foreign_key(&mut fk(Solves::Table, Solves::ContestId, Contests::Table, Contests::Id))
                    .foreign_key(&mut fk(Solves::Table, Solves::ChallengeId, Challenges::Table, Challenges::Id))
                    .foreign_key(&mut fk(Solves::Table, Solves::TeamId, Teams::Table, Teams::Id))
                    .foreign_key(&mut fk(Solves::Table, Solves::UserId, Users::Table, Users::Id))
                    .foreign_key(&mut fk(Solves::Table, Solves::SubmissionId, Submissions::Table, Submissions::Id))
                    .to_owned(),
            )
            .await?;
        // One solve per team and challenge, however many members answer at once.
        manager
            .create_index(
                Index::create()
                    .name("ux_solves_team_challenge")
                    .table(Solves::Table)
                    .col(Solves::TeamId)
                    .col(Solves::ChallengeId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_solves_contest").table(Solves::Table).col(Solves::ContestId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(HintUnlocks::Table)
                    .col(pk_auto(HintUnlocks::Id))
                    .col(integer(HintUnlocks::ContestId))
                    .col(integer(HintUnlocks::HintId))
                    .col(integer(HintUnlocks::TeamId))
                    .col(integer(HintUnlocks::UserId))
                    .col(integer(HintUnlocks::Cost))
                    .col(timestamp_with_time_zone(HintUnlocks::CreatedAt))
                    .foreign_key(&mut fk(HintUnlocks::Table, HintUnlocks::ContestId, Contests::Table, Contests::Id))
                    .foreign_key(&mut fk(HintUnlocks::Table, HintUnlocks::HintId, Hints::Table, Hints::Id))
                    .foreign_key(&mut fk(HintUnlocks::Table, HintUnlocks::TeamId, Teams::Table, Teams::Id))
                    .foreign_key(&mut fk(HintUnlocks::Table, HintUnlocks::UserId, Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        // A hint is paid for once per team, however often it is clicked.
        manager
            .create_index(
                Index::create()
                    .name("ux_hint_unlocks_hint_team")
                    .table(HintUnlocks::Table)
                    .col(HintUnlocks::HintId)
                    .col(HintUnlocks::TeamId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Announcements::Table)
                    .col(pk_auto(Announcements::Id))
                    .col(integer(Announcements::ContestId))
                    .col(string(Announcements::Title))
                    .col(string(Announcements::TitleEn))
                    .col(text(Announcements::Body))
                    .col(text(Announcements::BodyEn))
                    .col(integer_null(Announcements::AuthorId))
                    .col(timestamp_with_time_zone(Announcements::CreatedAt))
                    .foreign_key(&mut fk(Announcements::Table, Announcements::ContestId, Contests::Table, Contests::Id))
                    .to_owned(),
            )
            .await
    }
}

/// A foreign key that goes with its parent row.
fn fk(from: impl IntoIden, col: impl IntoIden, to: impl IntoIden, to_col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, col).to(to, to_col).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Hints {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contests {
    Table,
    Id,
    Paused,
    WrongAnswersPerMinute,
}

#[derive(DeriveIden)]
enum Submissions {
    Table,
    Id,
    ContestId,
    ChallengeId,
    TeamId,
    UserId,
    Outcome,
    Text,
    Digest,
    Ip,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Solves {
    Table,
    Id,
    ContestId,
    ChallengeId,
    TeamId,
    UserId,
    SubmissionId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum HintUnlocks {
    Table,
    Id,
    ContestId,
    HintId,
    TeamId,
    UserId,
    Cost,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Announcements {
    Table,
    Id,
    ContestId,
    Title,
    TitleEn,
    Body,
    BodyEn,
    AuthorId,
    CreatedAt,
}
