//! `users/me`, and `POST users` for organizers.

use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::TransactionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Success, success};
use crate::domain::names::{Username, optional_email};
use crate::domain::password;
use crate::domain::role::Role;
use crate::store;
use crate::web::kit::body::ApiBody;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ApiCaller, ApiOrganizer, state};
use crate::web::kit::trail;

#[derive(Serialize, ToSchema)]
struct UserJson {
    id: i32,
    name: String,
    email: Option<String>,
    /// `participant`, `judge` or `organizer`.
    role: String,
    /// The user's team in the contest, if any.
    team_id: Option<i32>,
    #[schema(format = DateTime)]
    created: String,
}

pub fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The contest of the request if there is one: the slug's (which must exist), or the current one.
async fn contest_of(req: &HttpRequest) -> AppResult<Option<entity::contests::Model>> {
    let state = state(req)?;
    let live = match req.match_info().get("slug") {
        Some(slug) => Some(state.live.by_slug(slug).await?.ok_or(AppError::NotFound)?),
        None => state.live.current(Utc::now()).await?,
    };
    Ok(live.map(|l| l.snapshot().contest.clone()))
}

#[utoipa::path(
    get,
    path = "/users/me",
    operation_id = "get_me",
    tag = "users",
    summary = "The caller's account, and their team in the contest",
    responses((status = 200, body = Success<UserJson>)),
)]
pub async fn me(req: HttpRequest, ApiCaller(user): ApiCaller) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team_id = match contest_of(&req).await? {
        Some(contest) => state.live.identities.team_of(contest.id, user.id).await?.map(|t| t.id),
        None => None,
    };
    Ok(success(UserJson {
        id: user.id,
        name: user.username.clone(),
        email: user.email.clone(),
        role: user.role.clone(),
        team_id,
        created: rfc3339(&user.created_at),
    }))
}

/// A new account.
#[derive(ToSchema)]
#[allow(dead_code, reason = "ApiBody reads these fields; this struct only names them in the OpenAPI document")]
struct NewUserBody {
    name: String,
    password: String,
    email: Option<String>,
    /// `participant` (when left out), `judge` or `organizer`.
    role: Option<String>,
}

/// `{"name", "password", "email"?, "role"?}`: an organizer creates an account (a participant unless
/// `role` says otherwise).
#[utoipa::path(
    post,
    path = "/users",
    operation_id = "create_user",
    tag = "users",
    summary = "Creates an account (organizers)",
    request_body = NewUserBody,
    responses((status = 200, body = Success<UserJson>)),
)]
pub async fn create(req: HttpRequest, ApiOrganizer(organizer): ApiOrganizer, body: ApiBody) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let mut fields = body.fields();
    let name = fields.required("name", Username::parse);
    let password = fields.required("password", |p| password::check_strength(p).map(|()| p.to_owned()));
    let email = fields.optional("email", |e| optional_email(e).map_err(|_| Msg::BadEmail));
    let role = fields.optional("role", |r| r.map_or(Ok(Role::Participant), |r| r.parse().map_err(|_| Msg::BadRequest)));
    fields.finish()?;
    let (Some(name), Some(password), Some(email), Some(role)) = (name, password, email, role) else {
        return Err(AppError::Invalid(Vec::new()));
    };
    let password_hash = state.hashing.hash(password).await?;
    let new = store::users::NewUser { username: &name, email, password_hash, role };
    let txn = state.db.begin().await?;
    let user = store::users::create(&txn, new).await?;
    let after = serde_json::json!({"name": user.username, "role": user.role});
    trail::record(&txn, None, &organizer, "user.create", trail::user_target(&user), serde_json::Value::Null, after)
        .await?;
    txn.commit().await?;
    Ok(success(UserJson {
        id: user.id,
        name: user.username,
        email: user.email,
        role: user.role,
        team_id: None,
        created: rfc3339(&user.created_at),
    }))
}
