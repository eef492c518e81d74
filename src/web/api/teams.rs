//! `teams/me`, and for organizers `POST teams`, `GET teams/{id}`, `POST teams/{id}/members`.

use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::users::rfc3339;
use super::{Success, success};
use crate::domain::names::{TeamName, optional_text};
use crate::store::{self, StoreError, teams::TeamView};
use crate::web::kit::body::ApiBody;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ApiCaller, ApiOrganizer, ContestCtx, role_of, state};
use crate::web::kit::trail;

#[derive(Serialize, ToSchema)]
struct TeamJson {
    id: i32,
    name: String,
    affiliation: Option<String>,
    captain_id: Option<i32>,
    /// User ids, as CTFd lists them.
    members: Vec<i32>,
    /// Only for the team's members and organizers.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    invite_code: Option<String>,
    hidden: bool,
    #[schema(format = DateTime)]
    created: String,
}

fn team_json(view: TeamView, show_code: bool) -> TeamJson {
    TeamJson {
        id: view.team.id,
        members: view.members.iter().map(|m| m.user_id).collect(),
        name: view.team.name,
        affiliation: view.team.affiliation,
        captain_id: view.team.captain_id,
        invite_code: show_code.then_some(view.team.invite_code),
        hidden: view.team.hidden,
        created: rfc3339(&view.team.created_at),
    }
}

#[utoipa::path(
    get,
    path = "/teams/me",
    operation_id = "get_my_team",
    tag = "teams",
    summary = "The caller's team in the contest (404 if none)",
    responses((status = 200, body = Success<TeamJson>)),
)]
pub async fn mine(
    req: HttpRequest,
    ApiCaller(user): ApiCaller,
    ContestCtx(contest): ContestCtx,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = store::teams::of_user(&state.db, contest.id, user.id).await?.ok_or(AppError::NotFound)?;
    Ok(success(team_json(store::teams::view(&state.db, team).await?, true)))
}

/// The `{id}` of the path; the contest's `{slug}` may stand before it and is left to `ContestCtx`.
#[derive(Deserialize)]
pub struct TeamPath {
    id: i32,
}

/// A new team.
#[derive(ToSchema)]
#[allow(dead_code, reason = "ApiBody reads these fields; this struct only names them in the OpenAPI document")]
struct NewTeamBody {
    name: String,
    affiliation: Option<String>,
}

/// `{"name", "affiliation"?}`: a team with no members yet; its first member becomes captain.
#[utoipa::path(
    post,
    path = "/teams",
    operation_id = "create_team",
    tag = "teams",
    summary = "Creates a team with no members yet; its first member becomes captain (organizers)",
    request_body = NewTeamBody,
    responses((status = 200, body = Success<TeamJson>)),
)]
pub async fn create(
    req: HttpRequest,
    ApiOrganizer(organizer): ApiOrganizer,
    ContestCtx(contest): ContestCtx,
    body: ApiBody,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let mut fields = body.fields();
    let name = fields.required("name", TeamName::parse);
    let affiliation = fields.optional("affiliation", |a| optional_text(a, 128));
    fields.finish()?;
    let (Some(name), Some(affiliation)) = (name, affiliation) else {
        return Err(AppError::Invalid(Vec::new()));
    };
    let new = store::teams::NewTeam { contest_id: contest.id, name: &name, affiliation, captain_id: None };
    let txn = state.db.begin().await?;
    let team = store::teams::create_in(&txn, new).await.map_err(|e| match e {
        StoreError::TeamNameTaken => AppError::field("name", Msg::TeamNameTaken),
        StoreError::TeamNameConfusable => AppError::field("name", Msg::TeamNameConfusable),
        other => other.into(),
    })?;
    let after = json!({"name": team.name, "affiliation": team.affiliation});
    trail::record(&txn, Some(contest.id), &organizer, "team.create", trail::team_target(&team), Value::Null, after)
        .await?;
    txn.commit().await?;
    state.live.changed(contest.id).await?;
    Ok(success(team_json(TeamView { team, members: Vec::new() }, true)))
}

/// The user to put into the team.
#[derive(ToSchema)]
#[allow(dead_code, reason = "ApiBody reads these fields; this struct only names them in the OpenAPI document")]
struct NewMemberBody {
    user_id: i32,
}

/// `{"user_id"}`: puts a user into a team, within the contest's team size.
#[utoipa::path(
    post,
    path = "/teams/{id}/members",
    operation_id = "add_team_member",
    tag = "teams",
    summary = "Puts a user into a team, within the contest's team size (organizers)",
    params(("id" = i32, Path, description = "The team's id")),
    request_body = NewMemberBody,
    responses((status = 200, body = Success<TeamJson>, description = "The team, with the user added")),
)]
pub async fn add_member(
    req: HttpRequest,
    ApiOrganizer(organizer): ApiOrganizer,
    ContestCtx(contest): ContestCtx,
    path: web::Path<TeamPath>,
    body: ApiBody,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = store::teams::by_id(&state.db, contest.id, path.id).await?.ok_or(AppError::NotFound)?;
    let user_id = body.int("user_id").map_err(|e| AppError::Invalid(vec![e]))?;
    let user =
        store::users::by_id(&state.db, user_id).await?.ok_or_else(|| AppError::field("user_id", Msg::NoSuchUser))?;
    let txn = state.db.begin().await?;
    store::teams::add_member_in(&txn, team.id, user_id, contest.max_team_size).await.map_err(|e| match e {
        StoreError::AlreadyInTeam => AppError::field("user_id", Msg::AlreadyInTeam),
        StoreError::TeamFull { max } => AppError::field("user_id", Msg::TeamFull { max }),
        other => other.into(),
    })?;
    let after = json!({"team": team.id, "user": user.username});
    trail::record(&txn, Some(contest.id), &organizer, "team.add_member", trail::team_target(&team), Value::Null, after)
        .await?;
    txn.commit().await?;
    state.live.forget_user(user_id).await;
    state.live.changed(contest.id).await?;
    let team = store::teams::by_id(&state.db, contest.id, team.id).await?.ok_or(AppError::NotFound)?;
    let show_code = role_of(&organizer).is_organizer();
    Ok(success(team_json(store::teams::view(&state.db, team).await?, show_code)))
}
