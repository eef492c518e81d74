//! The JSON API for scripts, in CTFd's shapes (`{"success":true,"data":…}`), served both at `/api/v1`
//! (the contest running now, else the latest) and at `/contests/{slug}/api/v1`.

mod challenges;
mod teams;
mod users;

use actix_web::{HttpResponse, Scope, web};
use serde::Serialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(routes(web::scope("/api/v1"))).service(routes(web::scope("/contests/{slug}/api/v1")));
}

fn routes(scope: Scope) -> Scope {
    scope
        .service(crate::web::resource("/challenges").route(web::get().to(challenges::list)))
        .service(crate::web::resource("/challenges/attempt").route(web::post().to(challenges::attempt)))
        .service(crate::web::resource("/challenges/{id}").route(web::get().to(challenges::one)))
        .service(crate::web::resource("/challenges/{id}/solves").route(web::get().to(challenges::solves)))
        .service(crate::web::resource("/unlocks").route(web::post().to(challenges::unlock)))
        .service(crate::web::resource("/notifications").route(web::get().to(challenges::notifications)))
        .service(crate::web::resource("/scoreboard").route(web::get().to(crate::web::scoreboard::api_scoreboard)))
        .service(crate::web::resource("/scoreboard/top/{n}").route(web::get().to(crate::web::scoreboard::api_top)))
        .service(crate::web::resource("/users").route(web::post().to(users::create)))
        .service(crate::web::resource("/users/me").route(web::get().to(users::me)))
        .service(crate::web::resource("/teams").route(web::post().to(teams::create)))
        .service(crate::web::resource("/teams/me").route(web::get().to(teams::mine)))
        .service(crate::web::resource("/teams/me/solves").route(web::get().to(challenges::my_solves)))
        .service(crate::web::resource("/teams/{id}").route(web::get().to(teams::one)))
        .service(crate::web::resource("/teams/{id}/members").route(web::post().to(teams::add_member)))
}

/// `{"success": true, "data": …}`.
pub fn success(data: impl Serialize) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"success": true, "data": data}))
}
