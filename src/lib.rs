//! mwscup: the contest platform for MWS Cup. See `docs/ARCHITECTURE.md` for the map of this crate.

pub mod authoring;
pub mod blobs;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod feeds;
pub mod hashing;
pub mod inspect;
pub mod live;
pub mod metrics;
pub mod play;
pub mod startup;
pub mod store;
pub mod web;
