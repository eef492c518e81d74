//! The audit log: every organizer's and judge's action, who, when, what, before and after.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_auto(AuditLog::Id))
                    // Kept when the contest or the person is removed: the trace outlives what it names.
                    .col(integer_null(AuditLog::ContestId))
                    .col(integer_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::ActorName, 64))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::Target, 300))
                    .col(text_null(AuditLog::Before))
                    .col(text_null(AuditLog::After))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_log_contest")
                    .table(AuditLog::Table)
                    .col(AuditLog::ContestId)
                    .col(AuditLog::Id)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    ContestId,
    ActorId,
    ActorName,
    Action,
    Target,
    Before,
    After,
    CreatedAt,
}
