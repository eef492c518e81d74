//! Pure logic with no I/O: answers and their digests, names and their folding, roles, passwords,
//! secrets, the contest clock, the login limiter and the keys of answers that can be retried. Everything
//! here is unit-tested in place.

pub mod access;
pub mod answer;
pub mod audit_diff;
pub mod ceremony;
pub mod classification;
pub mod clock;
pub mod file_link;
pub mod forwarded;
pub mod idempotency;
pub mod judging;
pub mod limiter;
pub mod names;
pub mod password;
pub mod play;
pub mod redirect;
pub mod role;
pub mod roster;
pub mod scoring;
pub mod secret;
pub mod spec;
pub mod standings;
