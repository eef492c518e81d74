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
        .service(crate::web::resource("/users").route(web::post().to(users::create)))
        .service(crate::web::resource("/users/me").route(web::get().to(users::me)))
        .service(crate::web::resource("/teams").route(web::post().to(teams::create)))
        .service(crate::web::resource("/teams/me").route(web::get().to(teams::mine)))
        .service(crate::web::resource("/teams/{id}").route(web::get().to(teams::one)))
        .service(crate::web::resource("/teams/{id}/members").route(web::post().to(teams::add_member)))
}

/// `{"success": true, "data": …}`.
pub fn success(data: impl Serialize) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"success": true, "data": data}))
}
