//! The JSON API for scripts, in CTFd's shapes (`{"success":true,"data":…}`), served both at `/api/v1`
//! (the contest running now, else the latest) and at `/contests/{slug}/api/v1`.

mod teams;
mod users;

use actix_web::{HttpResponse, Scope, web};
use serde::Serialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(routes(web::scope("/api/v1"))).service(routes(web::scope("/contests/{slug}/api/v1")));
}

fn routes(scope: Scope) -> Scope {
    scope
        .route("/users", web::post().to(users::create))
        .route("/users/me", web::get().to(users::me))
        .route("/teams", web::post().to(teams::create))
        .route("/teams/me", web::get().to(teams::mine))
        .route("/teams/{id}", web::get().to(teams::one))
        .route("/teams/{id}/members", web::post().to(teams::add_member))
}

/// `{"success": true, "data": …}`.
pub fn success(data: impl Serialize) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"success": true, "data": data}))
}
