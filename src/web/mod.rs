//! The web layer: one module per area of the site, each with its own `configure`, composed here.

pub mod account;
pub mod admin;
pub mod api;
pub mod archive;
pub mod auth;
pub mod body;
pub mod cached;
pub mod catalog;
pub mod chart;
pub mod classification;
pub mod console;
pub mod contests;
pub mod cookies;
pub mod csrf;
pub mod datasets;
pub mod download;
pub mod error;
pub mod extract;
pub mod files;
pub mod hackathon;
pub mod home;
pub mod i18n;
pub mod judging;
pub mod markdown;
pub mod members;
pub mod page;
pub mod play;
pub mod routes;
pub mod scoreboard;
pub mod settings;
pub mod submissions;
pub mod sync;
pub mod trail;
pub mod upload;
pub mod users;

use actix_web::web::{self, ServiceConfig};

use self::error::{AppError, Msg};
pub use self::routes::RouteInfo;
use self::routes::Routes;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .app_data(web::QueryConfig::default().error_handler(|_, _| AppError::field("query", Msg::BadRequest).into()))
        .app_data(web::FormConfig::default().limit(64 * 1024));
    register(&mut Routes::new(cfg, &mut Vec::new()));
}

/// Every route of the site, in the order actix-web tries them.
fn register(routes: &mut Routes) {
    home::configure(routes);
    auth::configure(routes);
    account::configure(routes);
    admin::configure(routes);
    api::configure(routes);
    archive::configure(routes);
    console::configure(routes);
    catalog::configure(routes);
    contests::configure(routes);
    datasets::configure(routes);
    files::configure(routes);
    play::configure(routes);
    classification::configure(routes);
    scoreboard::configure(routes);
    settings::configure(routes);
    members::configure(routes);
    sync::configure(routes);
    users::configure(routes);
    submissions::configure(routes);
    hackathon::configure(routes);
    judging::configure(routes);
}

/// Every route of the site (method and full path pattern), without a server: `App::configure` runs the
/// registration at once, and the app is then dropped.
pub fn route_table() -> Vec<RouteInfo> {
    let mut table = Vec::new();
    drop(actix_web::App::new().configure(|cfg| register(&mut Routes::new(cfg, &mut table))));
    table
}

/// A NUL (`%00`) in a path names nothing here, and PostgreSQL refuses it in text: 404 before any handler
/// looks it up.
pub async fn refuse_nul_paths(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    if req.path().contains("%00") {
        return Ok(req.error_response(AppError::NotFound));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Whatever no route matched.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
