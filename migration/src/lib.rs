//! The schema of mwscup, one migration a step. A step that has landed is never edited: change the schema
//! with a new step.

pub use sea_orm_migration::prelude::*;

mod m20261127_000001_accounts_and_teams;
mod m20261127_000002_challenges;
mod m20261127_000003_playing;
mod m20261127_000004_scoreboard;
mod m20261127_000005_archive;
mod m20261127_000006_archive_search;
mod m20261127_000007_final_standings;
mod m20261127_000008_hidden_hints;
mod m20261127_000009_audit_log;
mod m20261127_000010_judging;
mod m20261127_000011_classification;
mod m20261127_000012_confusable_names;
mod m20261206_000013_limits;
mod m20261206_000014_blobs;
mod m20261206_000015_answer_counts;
mod m20261213_000016_submission_ids;
mod m20261220_000017_answer_format_en;
mod m20261221_000018_group_titles;
mod m20261222_000019_ceremony;

/// The skeleton the step `m20261127_000012_confusable_names` gave existing names, for the application's test
/// that its own `domain::names::skeleton` agrees.
pub use m20261127_000012_confusable_names::skeleton as name_skeleton;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_accounts_and_teams::Migration),
            Box::new(m20261127_000002_challenges::Migration),
            Box::new(m20261127_000003_playing::Migration),
            Box::new(m20261127_000004_scoreboard::Migration),
            Box::new(m20261127_000005_archive::Migration),
            Box::new(m20261127_000006_archive_search::Migration),
            Box::new(m20261127_000007_final_standings::Migration),
            Box::new(m20261127_000008_hidden_hints::Migration),
            Box::new(m20261127_000009_audit_log::Migration),
            Box::new(m20261127_000010_judging::Migration),
            Box::new(m20261127_000011_classification::Migration),
            Box::new(m20261127_000012_confusable_names::Migration),
            Box::new(m20261206_000013_limits::Migration),
            Box::new(m20261206_000014_blobs::Migration),
            Box::new(m20261206_000015_answer_counts::Migration),
            Box::new(m20261213_000016_submission_ids::Migration),
            Box::new(m20261220_000017_answer_format_en::Migration),
            Box::new(m20261221_000018_group_titles::Migration),
            Box::new(m20261222_000019_ceremony::Migration),
        ]
    }
}
