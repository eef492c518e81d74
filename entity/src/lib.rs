//! SeaORM entities of mwscup: one file a table, plain data. Behaviour lives in `mwscup::store` and
//! `mwscup::domain`.

pub mod adjustments;
pub mod announcements;
pub mod api_tokens;
pub mod archive_files;
pub mod archive_items;
pub mod areas;
pub mod attachments;
pub mod audit_log;
pub mod blob_chunks;
pub mod blobs;
pub mod challenges;
pub mod classifications;
pub mod contests;
pub mod dataset_agreements;
pub mod datasets;
pub mod hackathon_entries;
pub mod hint_unlocks;
pub mod hints;
pub mod judge_marks;
pub mod login_failures;
pub mod predictions;
pub mod rubric_criteria;
pub mod sessions;
pub mod solves;
pub mod submissions;
pub mod team_members;
pub mod teams;
pub mod throttle_locks;
pub mod users;
