//! The judged hackathon: the rubric of a contest, each team's entry, judges' marks and when organizers
//! published them; and a team disqualified by organizers.

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
                    .add_column(timestamp_with_time_zone_null(Contests::MarksPublishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Teams::Table).add_column(boolean(Teams::Disqualified).default(false)).to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RubricCriteria::Table)
                    .col(pk_auto(RubricCriteria::Id))
                    .col(integer(RubricCriteria::ContestId))
                    .col(string_len(RubricCriteria::Key, 64))
                    .col(string_len(RubricCriteria::Name, 200))
                    .col(string_len(RubricCriteria::NameEn, 200))
                    .col(integer(RubricCriteria::Max))
                    .col(integer(RubricCriteria::Position))
                    // A criterion removed from the sources keeps its marks, counted for nothing.
                    .col(boolean(RubricCriteria::Hidden).default(false))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RubricCriteria::Table, RubricCriteria::ContestId)
                            .to(Contests::Table, Contests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_rubric_criteria_contest_key")
                    .table(RubricCriteria::Table)
                    .col(RubricCriteria::ContestId)
                    .col(RubricCriteria::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HackathonEntries::Table)
                    .col(pk_auto(HackathonEntries::Id))
                    .col(integer(HackathonEntries::ContestId))
                    .col(integer(HackathonEntries::TeamId))
                    .col(string_len(HackathonEntries::Title, 200))
                    .col(text(HackathonEntries::Description))
                    .col(string_len_null(HackathonEntries::Link, 500))
                    .col(string_len_null(HackathonEntries::SlidesName, 200))
                    .col(string_len_null(HackathonEntries::SlidesSha256, 64))
                    .col(big_integer_null(HackathonEntries::SlidesSize))
                    .col(integer_null(HackathonEntries::SubmittedBy))
                    .col(timestamp_with_time_zone(HackathonEntries::CreatedAt))
                    .col(timestamp_with_time_zone(HackathonEntries::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(HackathonEntries::Table, HackathonEntries::ContestId)
                            .to(Contests::Table, Contests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(HackathonEntries::Table, HackathonEntries::TeamId)
                            .to(Teams::Table, Teams::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_hackathon_entries_team")
                    .table(HackathonEntries::Table)
                    .col(HackathonEntries::TeamId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JudgeMarks::Table)
                    .col(pk_auto(JudgeMarks::Id))
                    .col(integer(JudgeMarks::ContestId))
                    .col(integer(JudgeMarks::EntryId))
                    .col(integer(JudgeMarks::JudgeId))
                    .col(integer(JudgeMarks::CriterionId))
                    .col(integer(JudgeMarks::Value))
                    .col(timestamp_with_time_zone(JudgeMarks::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(JudgeMarks::Table, JudgeMarks::EntryId)
                            .to(HackathonEntries::Table, HackathonEntries::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(JudgeMarks::Table, JudgeMarks::CriterionId)
                            .to(RubricCriteria::Table, RubricCriteria::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(JudgeMarks::Table, JudgeMarks::JudgeId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_judge_marks_sheet")
                    .table(JudgeMarks::Table)
                    .col(JudgeMarks::EntryId)
                    .col(JudgeMarks::JudgeId)
                    .col(JudgeMarks::CriterionId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_judge_marks_contest")
                    .table(JudgeMarks::Table)
                    .col(JudgeMarks::ContestId)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Contests {
    Table,
    Id,
    MarksPublishedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    Disqualified,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RubricCriteria {
    Table,
    Id,
    ContestId,
    Key,
    Name,
    NameEn,
    Max,
    Position,
    Hidden,
}

#[derive(DeriveIden)]
enum HackathonEntries {
    Table,
    Id,
    ContestId,
    TeamId,
    Title,
    Description,
    Link,
    SlidesName,
    SlidesSha256,
    SlidesSize,
    SubmittedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JudgeMarks {
    Table,
    Id,
    ContestId,
    EntryId,
    JudgeId,
    CriterionId,
    Value,
    UpdatedAt,
}
