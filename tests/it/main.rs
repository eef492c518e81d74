//! Integration tests: the real server on a random port, driven over HTTP, on SQLite and (when
//! `MWSCUP_TEST_POSTGRES_URL` is set, and always under `CI=true`) on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod helpers;
mod private_pg;

mod hostile;

mod admin;
mod api;
mod archive;
mod auth;
mod authoring;
mod authz;
mod balanced;
mod blobs;
mod browser;
mod bursts;
mod ceremony;
mod classification;
mod cli;
mod ctfd;
mod demo;
mod faults;
mod files;
mod flows;
mod freeze;
mod identity;
mod judging;
mod language;
mod layout;
mod names;
mod openapi;
mod play;
mod reload;
mod retries;
mod scoreboard;
mod screen;
mod teams;
mod tokens;
mod traversal;
