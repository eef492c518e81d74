//! The JSON API for scripts, in CTFd's shapes (`{"success":true,"data":…}`), served both at `/api/v1`
//! (the contest running now, else the latest) and at `/contests/{slug}/api/v1`.

mod accounts;
mod challenges;
mod datasets;
pub mod openapi;
mod teams;
mod users;

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes.scope("/api/v1", endpoints).scope("/contests/{slug}/api/v1", endpoints);
}

fn endpoints(routes: &mut Routes) {
    routes
        .add(endpoint("/challenges").get(challenges::list))
        .add(endpoint("/challenges/attempt").post(challenges::attempt))
        .add(endpoint("/challenges/{id}").get(challenges::one))
        .add(endpoint("/challenges/{id}/solves").get(challenges::solves))
        .add(endpoint("/challenges/{id}/files").get(challenges::files))
        .add(endpoint("/challenges/{id}/hints").get(challenges::hints))
        .add(endpoint("/challenges/{id}/tags").get(challenges::tags))
        .add(endpoint("/hints/{id}").get(challenges::hint))
        .add(
            endpoint("/challenges/{id}/predictions")
                .get(crate::web::team::classification::api_list)
                .post(crate::web::team::classification::api_upload),
        )
        .add(endpoint("/unlocks").post(challenges::unlock))
        .add(endpoint("/datasets").get(datasets::list))
        .add(endpoint("/notifications").get(challenges::notifications))
        .add(endpoint("/scoreboard").get(crate::web::team::scoreboard::api_scoreboard))
        .add(endpoint("/scoreboard/top/{n}").get(crate::web::team::scoreboard::api_top))
        .add(endpoint("/users").post(users::create))
        .add(endpoint("/users/me").get(users::me))
        .add(endpoint("/users/me/solves").get(accounts::my_solves))
        .add(endpoint("/users/me/fails").get(accounts::my_fails))
        .add(endpoint("/users/me/awards").get(accounts::my_awards))
        .add(endpoint("/users/{id}").get(accounts::user))
        .add(endpoint("/users/{id}/solves").get(accounts::user_solves))
        .add(endpoint("/users/{id}/fails").get(accounts::user_fails))
        .add(endpoint("/users/{id}/awards").get(accounts::user_awards))
        .add(endpoint("/teams").post(teams::create))
        .add(endpoint("/teams/me").get(teams::mine))
        .add(endpoint("/teams/me/solves").get(accounts::my_team_solves))
        .add(endpoint("/teams/me/fails").get(accounts::my_team_fails))
        .add(endpoint("/teams/me/awards").get(accounts::my_team_awards))
        .add(endpoint("/teams/{id}").get(accounts::team))
        .add(endpoint("/teams/{id}/solves").get(accounts::team_solves))
        .add(endpoint("/teams/{id}/fails").get(accounts::team_fails))
        .add(endpoint("/teams/{id}/awards").get(accounts::team_awards))
        .add(endpoint("/teams/{id}/members").post(teams::add_member))
        .add(endpoint("/openapi.json").get(openapi::serve));
}

/// CTFd's envelope of an answer: `{"success": true, "data": …}`.
#[derive(Serialize, ToSchema)]
pub struct Success<T> {
    /// Always `true`.
    success: bool,
    data: T,
}

/// An object whose fields the operation's description tells.
// For answers built with `json!`: utoipa takes no `Vec<serde_json::Value>` inside `Success<…>`.
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub struct JsonObject(pub serde_json::Value);

/// `{"success": true, "data": …}`, written straight from `data` (no JSON tree built first: the board is
/// answered this way on every request of a team).
pub fn success(data: impl Serialize) -> HttpResponse {
    HttpResponse::Ok().json(Success { success: true, data })
}

/// CTFd's envelope of a list of solves, fails or awards: `{"success": true, "data": […], "meta": {"count": n}}`.
#[derive(Serialize, ToSchema)]
pub struct Counted<T> {
    /// Always `true`.
    success: bool,
    data: T,
    meta: Count,
}

#[derive(Serialize, ToSchema)]
pub struct Count {
    /// How many there are (for others' fails, the only thing told).
    count: usize,
}

pub fn success_with_count(data: impl Serialize, count: usize) -> HttpResponse {
    HttpResponse::Ok().json(Counted { success: true, data, meta: Count { count } })
}
