//! The kit every page and API route uses: errors, languages, the page frame, extractors of the caller,
//! CSRF, cookies, bodies and uploads, route registration, cached responses, Markdown, downloads, the audit trail.

pub mod body;
pub mod cached;
pub mod client;
pub mod cookies;
pub mod csrf;
pub mod download;
pub mod error;
pub mod extract;
pub mod flash;
pub mod i18n;
pub mod markdown;
pub mod observe;
pub mod page;
pub mod routes;
pub mod streams;
pub mod trail;
pub mod upload;
