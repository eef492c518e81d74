//! The web layer: one module per area of the site, each with its own `configure`, composed here.

pub mod account;
pub mod api;
pub mod archive;
pub mod auth;
pub mod body;
pub mod cached;
pub mod chart;
pub mod console;
pub mod contests;
pub mod cookies;
pub mod csrf;
pub mod datasets;
pub mod download;
pub mod error;
pub mod extract;
pub mod files;
pub mod home;
pub mod i18n;
pub mod markdown;
pub mod page;
pub mod play;
pub mod scoreboard;

use actix_web::web::{self, ServiceConfig};

use self::error::{AppError, Msg};

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .app_data(web::QueryConfig::default().error_handler(|_, _| AppError::field("query", Msg::BadRequest).into()))
        .app_data(web::FormConfig::default().limit(64 * 1024));
    home::configure(cfg);
    auth::configure(cfg);
    account::configure(cfg);
    api::configure(cfg);
    archive::configure(cfg);
    console::configure(cfg);
    contests::configure(cfg);
    datasets::configure(cfg);
    files::configure(cfg);
    play::configure(cfg);
    scoreboard::configure(cfg);
}

/// A resource that answers 405 with a message to a method it does not take (actix-web would fall through
/// to the 404 of the whole site).
pub fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn method_not_allowed() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::Status(actix_web::http::StatusCode::METHOD_NOT_ALLOWED))
}

/// Whatever no route matched.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
