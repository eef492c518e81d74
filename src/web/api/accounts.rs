//! Teams and users as CTFd's scripts read them: public profiles, and each one's solves, fails and awards
//! (`teams/me/…`, `users/me/…`, `teams/{id}…`, `users/{id}…`). Solves come from the live view; during a
//! freeze others' later solves, fails and awards stay hidden, as on the scoreboard, while a team always
//! sees its own.

use std::collections::HashMap;
use std::rc::Rc;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use entity::{contests, users};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::users::rfc3339;
use super::{Counted, Success, success_with_count};
use crate::domain::scoring::Value;
use crate::domain::standings::TeamInfo;
use crate::live::Snapshot;
use crate::store;
use crate::store::play::Answerer;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::extract::{ApiCaller, ContestCtx, role_of, state};
use crate::web::kit::i18n::Lang;

/// Whose record a request reads.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Team(i32),
    User(i32),
}

/// The caller, as far as what they may see of others goes.
struct Viewer {
    user: Rc<users::Model>,
    team_id: Option<i32>,
    organizer: bool,
}

impl Viewer {
    async fn of(req: &HttpRequest, contest: &contests::Model, user: Rc<users::Model>) -> AppResult<Viewer> {
        let state = state(req)?;
        let team_id = state.live.identities.team_of(contest.id, user.id).await?.map(|t| t.id);
        let organizer = role_of(&user).is_organizer();
        Ok(Viewer { user, team_id, organizer })
    }

    /// Whether the viewer sees all of a team's record, freeze or not.
    fn sees_all_of(&self, team_id: Option<i32>) -> bool {
        self.organizer || (team_id.is_some() && team_id == self.team_id)
    }
}

#[derive(Serialize, Clone, ToSchema)]
struct Named {
    id: i32,
    name: String,
}

#[derive(Serialize, Clone, ToSchema)]
struct ChallengeRef {
    id: i32,
    name: String,
    category: String,
    value: i32,
}

/// A solve or a fail, in CTFd's shape.
#[derive(Serialize, ToSchema)]
struct RecordJson {
    id: i32,
    challenge_id: i32,
    challenge: Option<ChallengeRef>,
    user: Named,
    team: Option<Named>,
    #[schema(format = DateTime)]
    date: String,
    /// `correct` for a solve, `incorrect` for a fail.
    #[serde(rename = "type")]
    kind: &'static str,
}

/// What a record needs to name its challenge, team and user, from the live view.
struct Names<'a> {
    snapshot: &'a Snapshot,
    challenges: HashMap<i32, ChallengeRef>,
    teams: HashMap<i32, &'a TeamInfo>,
}

impl<'a> Names<'a> {
    fn of(snapshot: &'a Snapshot, organizer: bool, lang: Lang) -> Self {
        let counts = &snapshot.view(organizer).solve_counts;
        let challenges = snapshot
            .challenges
            .iter()
            .map(|v| {
                let c = &v.challenge;
                let value = Value::from_columns(&c.scoring_function, c.points, c.minimum, c.decay);
                let at = counts.get(&c.id).copied().unwrap_or(0);
                let name = lang.text(&c.title, &c.title_en).to_owned();
                (c.id, ChallengeRef { id: c.id, name, category: v.area.key.clone(), value: value.at(at) })
            })
            .collect();
        let teams = snapshot.events.teams.iter().map(|t| (t.id, t)).collect();
        Names { snapshot, challenges, teams }
    }

    fn team(&self, id: i32) -> Option<Named> {
        self.teams.get(&id).map(|t| Named { id, name: t.name.clone() })
    }

    fn user(&self, id: i32) -> Named {
        Named { id, name: self.snapshot.events.names.get(&id).cloned().unwrap_or_default() }
    }

    fn record(
        &self,
        id: i32,
        challenge_id: i32,
        user_id: i32,
        team_id: i32,
        at: &DateTime<Utc>,
        kind: &'static str,
    ) -> RecordJson {
        RecordJson {
            id,
            challenge_id,
            challenge: self.challenges.get(&challenge_id).cloned(),
            user: self.user(user_id),
            team: self.team(team_id),
            date: rfc3339(at),
            kind,
        }
    }
}

#[derive(Deserialize)]
pub struct IdPath {
    id: i32,
}

/// The subject's team, or 404 where the viewer may not know of it (a hidden or disqualified team, to others).
async fn team_of_subject(
    req: &HttpRequest,
    contest: &contests::Model,
    viewer: &Viewer,
    subject: Subject,
) -> AppResult<Option<i32>> {
    let state = state(req)?;
    let team_id = match subject {
        Subject::Team(id) => Some(id),
        Subject::User(id) if id == viewer.user.id => viewer.team_id,
        Subject::User(id) => state.live.identities.team_of(contest.id, id).await?.map(|t| t.id),
    };
    let snapshot = state.live.get(contest).await?.snapshot();
    let known = team_id.and_then(|t| snapshot.events.teams.iter().find(|info| info.id == t));
    let visible = known.is_some_and(|t| !t.hidden) || viewer.sees_all_of(team_id);
    match subject {
        Subject::Team(_) if known.is_none() || !visible => Err(AppError::NotFound),
        // A user is known here as a member of a team others may see (or as the viewer themselves).
        Subject::User(id) if id != viewer.user.id && !viewer.organizer && !(known.is_some() && visible) => {
            Err(AppError::NotFound)
        }
        _ => Ok(team_id),
    }
}

/// The instant after which the viewer sees nothing of this team (the freeze), if any.
fn cut_for(snapshot: &Snapshot, viewer: &Viewer, team_id: Option<i32>) -> Option<DateTime<Utc>> {
    if viewer.sees_all_of(team_id) { None } else { snapshot.view(false).until }
}

async fn solves_of(
    req: HttpRequest,
    user: Rc<users::Model>,
    contest: contests::Model,
    subject: Subject,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let viewer = Viewer::of(&req, &contest, user).await?;
    let team_id = team_of_subject(&req, &contest, &viewer, subject).await?;
    let snapshot = state.live.get(&contest).await?.snapshot();
    let until = cut_for(&snapshot, &viewer, team_id);
    let names = Names::of(&snapshot, viewer.organizer, Lang::of(&req));
    let list: Vec<RecordJson> = snapshot
        .events
        .solves
        .iter()
        .filter(|s| match subject {
            Subject::Team(id) => s.team_id == id,
            Subject::User(id) => s.user_id == id,
        })
        .filter(|s| until.is_none_or(|u| s.at < u))
        .map(|s| names.record(s.id, s.challenge_id, s.user_id, s.team_id, &s.at, "correct"))
        .collect();
    let count = list.len();
    Ok(success_with_count(list, count))
}

async fn fails_of(
    req: HttpRequest,
    user: Rc<users::Model>,
    contest: contests::Model,
    subject: Subject,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let viewer = Viewer::of(&req, &contest, user).await?;
    let team_id = team_of_subject(&req, &contest, &viewer, subject).await?;
    let who = match subject {
        Subject::Team(id) => Answerer::Team(id),
        Subject::User(id) => Answerer::User(id),
    };
    let snapshot = state.live.get(&contest).await?.snapshot();
    let until = cut_for(&snapshot, &viewer, team_id);
    let fails: Vec<_> = store::play::wrong_answers(&state.db, contest.id, who)
        .await?
        .into_iter()
        .filter(|f| until.is_none_or(|u| f.created_at < u))
        .collect();
    // As CTFd: others' wrong answers are counted, never listed.
    if !viewer.sees_all_of(team_id) && !matches!(subject, Subject::User(id) if id == viewer.user.id) {
        return Ok(success_with_count(Vec::<RecordJson>::new(), fails.len()));
    }
    let names = Names::of(&snapshot, viewer.organizer, Lang::of(&req));
    let list: Vec<RecordJson> = fails
        .iter()
        .map(|f| names.record(f.id, f.challenge_id, f.user_id, f.team_id, &f.created_at, "incorrect"))
        .collect();
    let count = list.len();
    Ok(success_with_count(list, count))
}

/// An organizer's adjustment of a team's score, as CTFd gives an award.
#[derive(Serialize, ToSchema)]
struct AwardJson {
    id: i32,
    team_id: i32,
    user_id: Option<i32>,
    team: Option<Named>,
    name: String,
    description: String,
    /// Whole points, halves rounded up (CTFd's clients take integers).
    value: i64,
    category: Option<String>,
    icon: Option<String>,
    date: String,
}

async fn awards_of(
    req: HttpRequest,
    user: Rc<users::Model>,
    contest: contests::Model,
    subject: Subject,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let viewer = Viewer::of(&req, &contest, user).await?;
    let team_id = team_of_subject(&req, &contest, &viewer, subject).await?;
    // Adjustments are made to teams; a user has none of their own.
    let Subject::Team(id) = subject else {
        return Ok(success_with_count(Vec::<AwardJson>::new(), 0));
    };
    let snapshot = state.live.get(&contest).await?.snapshot();
    let until = cut_for(&snapshot, &viewer, team_id);
    let names = Names::of(&snapshot, viewer.organizer, Lang::of(&req));
    let list: Vec<AwardJson> = store::scores::adjustments_of_team(&state.db, contest.id, id)
        .await?
        .into_iter()
        .filter(|a| until.is_none_or(|u| a.created_at < u))
        .map(|a| AwardJson {
            id: a.id,
            team_id: a.team_id,
            user_id: None,
            team: names.team(a.team_id),
            name: a.reason.clone(),
            description: a.reason,
            value: crate::domain::standings::Points(a.centipoints).rounded(),
            category: a.area_id.and_then(|area| snapshot.areas.iter().find(|x| x.id == area)).map(|x| x.key.clone()),
            icon: None,
            date: rfc3339(&a.created_at),
        })
        .collect();
    let count = list.len();
    Ok(success_with_count(list, count))
}

/// The caller's team, or 404 for one without a team in this contest.
async fn own_team(req: &HttpRequest, contest: &contests::Model, user: &users::Model) -> AppResult<Subject> {
    let state = state(req)?;
    let team = state.live.identities.team_of(contest.id, user.id).await?.ok_or(AppError::NotFound)?;
    Ok(Subject::Team(team.id))
}

#[utoipa::path(
    get,
    path = "/teams/me/solves",
    operation_id = "list_my_team_solves",
    tag = "teams",
    summary = "The caller's team's solves",
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn my_team_solves(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
) -> AppResult<HttpResponse> {
    let subject = own_team(&req, &c, &u).await?;
    solves_of(req, u, c, subject).await
}

#[utoipa::path(
    get,
    path = "/teams/me/fails",
    operation_id = "list_my_team_fails",
    tag = "teams",
    summary = "The caller's team's wrong answers",
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn my_team_fails(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
) -> AppResult<HttpResponse> {
    let subject = own_team(&req, &c, &u).await?;
    fails_of(req, u, c, subject).await
}

#[utoipa::path(
    get,
    path = "/teams/me/awards",
    operation_id = "list_my_team_awards",
    tag = "teams",
    summary = "The caller's team's awards (organizers' adjustments)",
    responses((status = 200, body = Counted<Vec<AwardJson>>)),
)]
pub async fn my_team_awards(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
) -> AppResult<HttpResponse> {
    let subject = own_team(&req, &c, &u).await?;
    awards_of(req, u, c, subject).await
}

#[utoipa::path(
    get,
    path = "/users/me/solves",
    operation_id = "list_my_solves",
    tag = "users",
    summary = "The caller's own solves",
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn my_solves(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
) -> AppResult<HttpResponse> {
    let subject = Subject::User(u.id);
    solves_of(req, u, c, subject).await
}

#[utoipa::path(
    get,
    path = "/users/me/fails",
    operation_id = "list_my_fails",
    tag = "users",
    summary = "The caller's own wrong answers",
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn my_fails(req: HttpRequest, ApiCaller(u): ApiCaller, ContestCtx(c): ContestCtx) -> AppResult<HttpResponse> {
    let subject = Subject::User(u.id);
    fails_of(req, u, c, subject).await
}

#[utoipa::path(
    get,
    path = "/users/me/awards",
    operation_id = "list_my_awards",
    tag = "users",
    summary = "Awards go to teams: always empty",
    responses((status = 200, body = Counted<Vec<AwardJson>>)),
)]
pub async fn my_awards(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
) -> AppResult<HttpResponse> {
    let subject = Subject::User(u.id);
    awards_of(req, u, c, subject).await
}

#[utoipa::path(
    get,
    path = "/teams/{id}/solves",
    operation_id = "list_team_solves",
    tag = "teams",
    summary = "A team's solves (others' after the freeze stay hidden)",
    params(("id" = i32, Path, description = "The team's id")),
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn team_solves(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    solves_of(req, u, c, Subject::Team(path.id)).await
}

#[utoipa::path(
    get,
    path = "/teams/{id}/fails",
    operation_id = "list_team_fails",
    tag = "teams",
    summary = "A team's wrong answers: listed for the team and organizers, counted for others",
    params(("id" = i32, Path, description = "The team's id")),
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn team_fails(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    fails_of(req, u, c, Subject::Team(path.id)).await
}

#[utoipa::path(
    get,
    path = "/teams/{id}/awards",
    operation_id = "list_team_awards",
    tag = "teams",
    summary = "A team's awards (organizers' adjustments), in whole points",
    params(("id" = i32, Path, description = "The team's id")),
    responses((status = 200, body = Counted<Vec<AwardJson>>)),
)]
pub async fn team_awards(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    awards_of(req, u, c, Subject::Team(path.id)).await
}

#[utoipa::path(
    get,
    path = "/users/{id}/solves",
    operation_id = "list_user_solves",
    tag = "users",
    summary = "A user's solves",
    params(("id" = i32, Path, description = "The user's id")),
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn user_solves(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    solves_of(req, u, c, Subject::User(path.id)).await
}

#[utoipa::path(
    get,
    path = "/users/{id}/fails",
    operation_id = "list_user_fails",
    tag = "users",
    summary = "A user's wrong answers: listed for their team and organizers, counted for others",
    params(("id" = i32, Path, description = "The user's id")),
    responses((status = 200, body = Counted<Vec<RecordJson>>)),
)]
pub async fn user_fails(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    fails_of(req, u, c, Subject::User(path.id)).await
}

#[utoipa::path(
    get,
    path = "/users/{id}/awards",
    operation_id = "list_user_awards",
    tag = "users",
    summary = "Awards go to teams: always empty",
    params(("id" = i32, Path, description = "The user's id")),
    responses((status = 200, body = Counted<Vec<AwardJson>>)),
)]
pub async fn user_awards(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(c): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    awards_of(req, u, c, Subject::User(path.id)).await
}

/// Where a team stands in the viewer's standings: (place, whole points).
fn standing(snapshot: &Snapshot, viewer: &Viewer, team_id: Option<i32>) -> (Option<usize>, i64) {
    let standings = &snapshot.view(viewer.sees_all_of(team_id)).standings;
    match team_id.and_then(|t| standings.overall.iter().find(|r| r.team_id == t)) {
        Some(row) => (Some(row.pos), row.score.rounded()),
        None => (None, 0),
    }
}

#[derive(Serialize, ToSchema)]
struct TeamProfile {
    id: i32,
    name: String,
    affiliation: Option<String>,
    captain_id: Option<i32>,
    /// User ids, as CTFd lists them.
    members: Vec<i32>,
    place: Option<usize>,
    score: i64,
    /// Only for the team's members and organizers.
    #[serde(skip_serializing_if = "Option::is_none")]
    invite_code: Option<String>,
    hidden: bool,
    created: String,
}

/// `GET teams/{id}`: a team as anyone signed in may see it (a hidden one only by its members and organizers).
#[utoipa::path(
    get,
    path = "/teams/{id}",
    operation_id = "get_team",
    tag = "teams",
    summary = "A team others may see: members, place and score",
    params(("id" = i32, Path, description = "The team's id")),
    responses((status = 200, body = Success<TeamProfile>)),
)]
pub async fn team(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let viewer = Viewer::of(&req, &contest, u).await?;
    team_of_subject(&req, &contest, &viewer, Subject::Team(path.id)).await?;
    let team = store::teams::by_id(&state.db, contest.id, path.id).await?.ok_or(AppError::NotFound)?;
    let view = store::teams::view(&state.db, team).await?;
    let snapshot = state.live.get(&contest).await?.snapshot();
    let (place, score) = standing(&snapshot, &viewer, Some(path.id));
    let t = view.team;
    Ok(super::success(TeamProfile {
        id: t.id,
        members: view.members.iter().map(|m| m.user_id).collect(),
        name: t.name,
        affiliation: t.affiliation,
        captain_id: t.captain_id,
        place,
        score,
        invite_code: viewer.sees_all_of(Some(t.id)).then_some(t.invite_code),
        hidden: t.hidden || t.disqualified,
        created: rfc3339(&t.created_at),
    }))
}

#[derive(Serialize, ToSchema)]
struct UserProfile {
    id: i32,
    name: String,
    team_id: Option<i32>,
    /// The team's place and score: the contest is played by teams.
    place: Option<usize>,
    score: i64,
}

/// `GET users/{id}`: a member of a team others may see, by name and team.
#[utoipa::path(
    get,
    path = "/users/{id}",
    operation_id = "get_user",
    tag = "users",
    summary = "A member of a team others may see: name, team, place and score",
    params(("id" = i32, Path, description = "The user's id")),
    responses((status = 200, body = Success<UserProfile>)),
)]
pub async fn user(
    req: HttpRequest,
    ApiCaller(u): ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let viewer = Viewer::of(&req, &contest, u).await?;
    let team_id = team_of_subject(&req, &contest, &viewer, Subject::User(path.id)).await?;
    let user = store::users::by_id(&state.db, path.id).await?.ok_or(AppError::NotFound)?;
    let snapshot = state.live.get(&contest).await?.snapshot();
    let (place, score) = standing(&snapshot, &viewer, team_id);
    Ok(super::success(UserProfile { id: user.id, name: user.username, team_id, place, score }))
}
