//! The web layer, by whom it serves: `kit` (what every page uses), `account` (anyone), `team` (the contest
//! day), `organizer` (running it), `archive` (past years) and `api` (scripts). Each folder has one `configure`.

pub mod account;
pub mod api;
pub mod archive;
pub mod kit;
pub mod organizer;
pub mod team;

use actix_web::web::{self, ServiceConfig};

use self::kit::error::{AppError, Msg};
pub use self::kit::routes::RouteInfo;
use self::kit::routes::Routes;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .app_data(web::QueryConfig::default().error_handler(|_, _| AppError::field("query", Msg::BadRequest).into()))
        .app_data(web::FormConfig::default().limit(64 * 1024));
    register(&mut Routes::new(cfg, &mut Vec::new()));
}

/// Every route of the site, in the order actix-web tries them.
fn register(routes: &mut Routes) {
    account::configure(routes);
    organizer::configure(routes);
    api::configure(routes);
    archive::configure(routes);
    team::configure(routes);
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
