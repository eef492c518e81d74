//! What organizers author as files: areas, challenges (answers as salted digests only), hints,
//! attachments, the dataset catalog, and users' agreements to datasets' terms.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Areas::Table)
                    .col(pk_auto(Areas::Id))
                    .col(integer(Areas::ContestId))
                    .col(string_len(Areas::Key, 64))
                    .col(string(Areas::Name))
                    .col(string(Areas::NameEn))
                    .col(boolean(Areas::OnDay))
                    .col(timestamp_with_time_zone_null(Areas::OpensAt))
                    .col(timestamp_with_time_zone_null(Areas::ClosesAt))
                    .col(integer(Areas::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Areas::Table, Areas::ContestId)
                            .to(Contests::Table, Contests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_areas_contest_key")
                    .table(Areas::Table)
                    .col(Areas::ContestId)
                    .col(Areas::Key)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Challenges::Table)
                    .col(pk_auto(Challenges::Id))
                    .col(integer(Challenges::ContestId))
                    .col(integer(Challenges::AreaId))
                    .col(string_len(Challenges::Slug, 64))
                    .col(string(Challenges::Title))
                    .col(string(Challenges::TitleEn))
                    .col(string_len_null(Challenges::GroupName, 64))
                    .col(text(Challenges::Description))
                    .col(text(Challenges::DescriptionEn))
                    .col(string_len(Challenges::ScoringFunction, 16))
                    .col(integer(Challenges::Points))
                    .col(integer(Challenges::Minimum))
                    .col(integer(Challenges::Decay))
                    .col(timestamp_with_time_zone_null(Challenges::OpensAt))
                    .col(timestamp_with_time_zone_null(Challenges::ClosesAt))
                    .col(integer(Challenges::MaxAttempts))
                    .col(text(Challenges::Requires))
                    .col(text(Challenges::Datasets))
                    .col(text(Challenges::Tags))
                    .col(string(Challenges::Author))
                    .col(string_len(Challenges::AnswerRule, 16))
                    .col(string(Challenges::AnswerSalt))
                    .col(text(Challenges::AnswerDigests))
                    .col(string(Challenges::AnswerFormat))
                    .col(boolean(Challenges::Hidden))
                    .col(integer(Challenges::Position))
                    .col(timestamp_with_time_zone(Challenges::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Challenges::Table, Challenges::ContestId)
                            .to(Contests::Table, Contests::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Challenges::Table, Challenges::AreaId)
                            .to(Areas::Table, Areas::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_challenges_contest_slug")
                    .table(Challenges::Table)
                    .col(Challenges::ContestId)
                    .col(Challenges::Slug)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Hints::Table)
                    .col(pk_auto(Hints::Id))
                    .col(integer(Hints::ChallengeId))
                    .col(integer(Hints::Position))
                    .col(text(Hints::Text))
                    .col(text(Hints::TextEn))
                    .col(integer(Hints::Cost))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Hints::Table, Hints::ChallengeId)
                            .to(Challenges::Table, Challenges::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .col(pk_auto(Attachments::Id))
                    .col(integer(Attachments::ChallengeId))
                    .col(string(Attachments::Name))
                    .col(string_len(Attachments::Sha256, 64))
                    .col(big_integer(Attachments::Size))
                    .col(integer(Attachments::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attachments::Table, Attachments::ChallengeId)
                            .to(Challenges::Table, Challenges::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_attachments_sha256")
                    .table(Attachments::Table)
                    .col(Attachments::Sha256)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Datasets::Table)
                    .col(pk_auto(Datasets::Id))
                    .col(string_len_uniq(Datasets::Key, 64))
                    .col(string(Datasets::Name))
                    .col(string_len(Datasets::Kind, 16))
                    .col(string(Datasets::Period))
                    .col(text(Datasets::Summary))
                    .col(text(Datasets::SummaryEn))
                    .col(boolean(Datasets::AgreementRequired))
                    .col(text(Datasets::Terms))
                    .col(text(Datasets::TermsEn))
                    .col(string_len(Datasets::TermsVersion, 64))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DatasetAgreements::Table)
                    .col(pk_auto(DatasetAgreements::Id))
                    .col(integer(DatasetAgreements::UserId))
                    .col(integer(DatasetAgreements::DatasetId))
                    .col(string_len(DatasetAgreements::TermsVersion, 64))
                    .col(timestamp_with_time_zone(DatasetAgreements::AgreedAt))
                    .col(integer_null(DatasetAgreements::RecordedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DatasetAgreements::Table, DatasetAgreements::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(DatasetAgreements::Table, DatasetAgreements::DatasetId)
                            .to(Datasets::Table, Datasets::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_dataset_agreements")
                    .table(DatasetAgreements::Table)
                    .col(DatasetAgreements::UserId)
                    .col(DatasetAgreements::DatasetId)
                    .col(DatasetAgreements::TermsVersion)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contests {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Areas {
    Table,
    Id,
    ContestId,
    Key,
    Name,
    NameEn,
    OnDay,
    OpensAt,
    ClosesAt,
    Position,
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    Id,
    ContestId,
    AreaId,
    Slug,
    Title,
    TitleEn,
    GroupName,
    Description,
    DescriptionEn,
    ScoringFunction,
    Points,
    Minimum,
    Decay,
    OpensAt,
    ClosesAt,
    MaxAttempts,
    Requires,
    Datasets,
    Tags,
    Author,
    AnswerRule,
    AnswerSalt,
    AnswerDigests,
    AnswerFormat,
    Hidden,
    Position,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Hints {
    Table,
    Id,
    ChallengeId,
    Position,
    Text,
    TextEn,
    Cost,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    ChallengeId,
    Name,
    Sha256,
    Size,
    Position,
}

#[derive(DeriveIden)]
enum Datasets {
    Table,
    Id,
    Key,
    Name,
    Kind,
    Period,
    Summary,
    SummaryEn,
    AgreementRequired,
    Terms,
    TermsEn,
    TermsVersion,
}

#[derive(DeriveIden)]
enum DatasetAgreements {
    Table,
    Id,
    UserId,
    DatasetId,
    TermsVersion,
    AgreedAt,
    RecordedBy,
}
