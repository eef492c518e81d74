//! The contest day for scripts, in CTFd's shapes: challenges, attempts, unlocks, notifications, solves.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use std::collections::HashMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::users::rfc3339;
use super::{Success, success};
use crate::domain::play::{MAX_ANSWER_BYTES, Refusal};
use crate::domain::standings::TeamInfo;
use crate::play::attempt::{self, Answer, Verdict};
use crate::play::board::{Access, Item};
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::web::kit::body::ApiBody;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ApiCaller, ContestCtx, state};
use crate::web::kit::i18n::Lang;
use crate::web::team::play::{Player, client_ip, refusal_of, verdict_message};

/// A challenge as the list gives it.
#[derive(Serialize, ToSchema)]
struct ChallengeJson {
    id: i32,
    /// The folder name in the contest's sources.
    slug: String,
    name: String,
    category: String,
    value: i32,
    solves: u32,
    solved_by_me: bool,
    /// As CTFd's list gives them, `[{"value": …}]`; a challenge's own `GET` gives plain strings, as CTFd does.
    tags: Vec<TagJson>,
    /// `standard`, `dynamic` or `classification`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// `visible`, or `locked` (listed, but `requires` must be solved first).
    state: &'static str,
    group: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct TagJson {
    value: String,
}

fn challenge_json(item: &Item) -> ChallengeJson {
    let c = &item.view.challenge;
    ChallengeJson {
        id: c.id,
        slug: c.slug.clone(),
        name: c.title.clone(),
        category: item.view.area.key.clone(),
        value: item.value,
        solves: item.solves,
        solved_by_me: item.solved,
        tags: ChallengeView::list(&c.tags).into_iter().map(|value| TagJson { value }).collect(),
        kind: if c.kind == "classification" {
            "classification"
        } else if item.dynamic {
            "dynamic"
        } else {
            "standard"
        },
        state: if matches!(item.access, Access::Locked { .. }) { "locked" } else { "visible" },
        group: c.group_name.clone(),
    }
}

async fn player(req: &HttpRequest, contest: &entity::contests::Model, caller: ApiCaller) -> AppResult<Player> {
    let state = state(req)?;
    Player::of(&state, contest, caller.0).await
}

/// `GET challenges`: the challenges that have opened (locked ones marked so).
#[utoipa::path(
    get,
    path = "/challenges",
    operation_id = "list_challenges",
    tag = "challenges",
    summary = "The challenges that have opened, locked ones marked so",
    responses((status = 200, body = Success<Vec<ChallengeJson>>)),
)]
pub async fn list(req: HttpRequest, caller: ApiCaller, ContestCtx(contest): ContestCtx) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = player(&req, &contest, caller).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let items: Vec<ChallengeJson> =
        board.items().filter(|i| !matches!(i.access, Access::NotYet { .. })).map(challenge_json).collect();
    Ok(success(items))
}

#[derive(Deserialize)]
pub struct IdPath {
    id: i32,
}

/// `GET challenges/{id}`: the question, files, hints (content once unlocked), attempts.
#[utoipa::path(
    get,
    path = "/challenges/{id}",
    operation_id = "get_challenge",
    tag = "challenges",
    summary = "A challenge: its question, files, hints and the team's attempts",
    params(("id" = i32, Path, description = "The challenge's id")),
    responses((status = 200, body = Success<serde_json::Value>,
        description = "The fields of the list (`tags` as plain strings here, as CTFd gives them), and `description` \
                       (Markdown), `format`, `files` (`name`, `url`, `size`, `sha256`), `hints` (`id`, `cost`, \
                       `title`, `content` once unlocked), `max_attempts`, `attempts` (the team's wrong answers), \
                       `datasets`, `opens_at` (or `null`), `closes_at`")),
)]
pub async fn one(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = player(&req, &contest, caller).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.id == path.id)?;
    let c = &item.view.challenge;
    let lang = Lang::of(&req);
    let play = match player.team_id() {
        Some(t) => state.live.play(contest.id, t).await?,
        None => Default::default(),
    };
    let hints: Vec<serde_json::Value> = item
        .view
        .hints
        .iter()
        .map(|h| {
            let open = player.staff || play.has_unlocked(h.id);
            let mut hint = json!({"id": h.id, "cost": h.cost, "title": format!("Hint {}", h.position + 1)});
            if open {
                hint["content"] = json!(lang.text(&h.text, &h.text_en));
            }
            hint
        })
        .collect();
    let files: Vec<serde_json::Value> = item
        .view
        .attachments
        .iter()
        .map(|f| json!({"name": f.name, "url": format!("/files/{}/{}", f.sha256, f.name), "size": f.size, "sha256": f.sha256}))
        .collect();
    let attempts = play.wrong_answers(c.id);
    let mut data = serde_json::to_value(challenge_json(item)).map_err(anyhow::Error::from)?;
    data["tags"] = json!(ChallengeView::list(&c.tags));
    data["description"] = json!(lang.text(&c.description, &c.description_en));
    data["format"] = json!(c.answer_format);
    data["files"] = json!(files);
    data["hints"] = json!(hints);
    data["max_attempts"] = json!(c.max_attempts);
    data["attempts"] = json!(attempts);
    data["datasets"] = json!(ChallengeView::list(&c.datasets));
    data["opens_at"] = json!(c.opens_at.as_ref().map(rfc3339));
    data["closes_at"] = json!(rfc3339(&item.closes_at));
    Ok(success(data))
}

#[derive(Serialize, ToSchema)]
struct SolveJson {
    /// The team's id.
    account_id: i32,
    name: String,
    #[schema(format = DateTime)]
    date: String,
}

/// `GET challenges/{id}/solves`: the teams that solved it, first first.
#[utoipa::path(
    get,
    path = "/challenges/{id}/solves",
    operation_id = "list_challenge_solves",
    tag = "challenges",
    summary = "The teams that solved a challenge, first first (later ones hidden during a freeze)",
    params(("id" = i32, Path, description = "The challenge's id")),
    responses((status = 200, body = Success<Vec<SolveJson>>)),
)]
pub async fn solves(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = player(&req, &contest, caller).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.id == path.id)?;
    // During a freeze others' later solves stay hidden; a team always sees its own.
    let snapshot = state.live.get(&contest).await?.snapshot();
    let until = snapshot.view(player.organizer()).until;
    let own = player.team_id();
    let teams: HashMap<i32, &TeamInfo> = snapshot.events.teams.iter().map(|t| (t.id, t)).collect();
    let list: Vec<SolveJson> = snapshot
        .events
        .solves
        .iter()
        .filter(|s| s.challenge_id == item.view.challenge.id)
        .filter_map(|s| Some((s, *teams.get(&s.team_id)?)))
        .filter(|(s, team)| !team.hidden && (Some(team.id) == own || until.is_none_or(|u| s.at < u)))
        .map(|(s, team)| SolveJson { account_id: team.id, name: team.name.clone(), date: rfc3339(&s.at) })
        .collect();
    Ok(success(list))
}

/// The verdict on an answer, in CTFd's shape.
#[derive(Serialize, ToSchema)]
struct AttemptJson {
    /// `correct`, `incorrect`, `already_solved`, `ratelimited` or `paused`.
    status: &'static str,
    message: String,
    /// Seconds to wait before answering again, after too many wrong answers in a minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    retry_after: Option<u64>,
    /// `0` once the challenge's `max_attempts` wrong answers were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    attempts_left: Option<u32>,
}

fn attempt_response(status: StatusCode, data: AttemptJson) -> HttpResponse {
    HttpResponse::build(status).json(Success { success: true, data })
}

/// An answer to a challenge.
#[derive(ToSchema)]
#[allow(dead_code, reason = "ApiBody reads these fields; this struct only names them in the OpenAPI document")]
struct AttemptBody {
    challenge_id: i32,
    /// The answer as typed.
    submission: String,
}

/// `POST challenges/attempt` with `{"challenge_id", "submission"}`.
#[utoipa::path(
    post,
    path = "/challenges/attempt",
    operation_id = "attempt_challenge",
    tag = "challenges",
    summary = "Answers a challenge for the caller's team",
    request_body = AttemptBody,
    responses(
        (status = 200, body = Success<AttemptJson>, description = "`correct`, `incorrect` or `already_solved`"),
        (status = 403, body = serde_json::Value,
            description = "No attempts left (`success: true`, `status` `ratelimited`, `attempts_left: 0`), the \
                           contest paused (`success: true`, `status` `paused`), or the challenge not open, closed or \
                           locked: `{\"success\": false, \"message\", \"data\": {\"status\": \"not_started\" | \
                           \"ended\" | \"not_open\" | \"closed\" | \"locked\", \"opens_at\" | \"closed_at\" | \
                           \"requires\"}}`"),
        (status = 429, body = Success<AttemptJson>, description = "`ratelimited`: too many wrong answers this minute",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
pub async fn attempt(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    body: ApiBody,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let lang = Lang::of(&req);
    let challenge_id = body.int("challenge_id").map_err(|e| AppError::Invalid(vec![e]))?;
    let typed = body.text("submission").map_err(|e| AppError::Invalid(vec![e]))?.unwrap_or_default();
    if typed.len() > MAX_ANSWER_BYTES {
        return Err(AppError::field("submission", Msg::AnswerTooLong));
    }
    if typed.trim().is_empty() {
        return Err(AppError::field("submission", Msg::Required));
    }
    let player = player(&req, &contest, caller).await?;
    let item = player.item_to_answer(&state, &contest, Utc::now(), |v| v.challenge.id == challenge_id).await?;
    crate::web::team::classification::refuse_flag(&item.view, "submission")?;
    let team = player.acting_team()?;
    // A challenge not open yet or locked is refused like a closed one: with its reason, in the same shape.
    let verdict = match refusal_of(&item) {
        Some(refusal) => Verdict::Refused(refusal),
        None => {
            let ip = client_ip(&req);
            let answer =
                Answer { contest: &contest, view: &item.view, team, user_id: player.user.id, typed: &typed, ip: &ip };
            attempt::submit(&state.answers, &state.live, answer).await?
        }
    };
    let (msg, status) = verdict_message(&verdict, &contest.timezone);
    let message = msg.text(lang);
    let data = |status| AttemptJson { status, message: message.clone(), retry_after: None, attempts_left: None };
    let mut res = match &verdict {
        Verdict::Correct => attempt_response(status, data("correct")),
        Verdict::Incorrect => attempt_response(status, data("incorrect")),
        Verdict::AlreadySolved => attempt_response(status, data("already_solved")),
        Verdict::RateLimited { wait_secs } => {
            attempt_response(status, AttemptJson { retry_after: Some(*wait_secs), ..data("ratelimited") })
        }
        Verdict::Exhausted => attempt_response(status, AttemptJson { attempts_left: Some(0), ..data("ratelimited") }),
        Verdict::Refused(Refusal::Paused) => attempt_response(status, data("paused")),
        Verdict::Refused(refusal) => HttpResponse::build(status)
            .json(json!({"success": false, "message": message, "data": refusal_json(refusal)})),
    };
    if let Verdict::RateLimited { wait_secs } = verdict {
        res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, wait_secs.into());
    }
    Ok(res)
}

/// The reason and the time that matters, for a script.
fn refusal_json(refusal: &Refusal) -> serde_json::Value {
    match refusal {
        Refusal::Paused => json!({"status": "paused"}),
        Refusal::NotStarted { opens_at } => json!({"status": "not_started", "opens_at": rfc3339(opens_at)}),
        Refusal::Ended { closed_at } => json!({"status": "ended", "closed_at": rfc3339(closed_at)}),
        Refusal::AreaNotOpen { opens_at } | Refusal::NotOpen { opens_at } => {
            json!({"status": "not_open", "opens_at": rfc3339(opens_at)})
        }
        Refusal::AreaClosed { closed_at } | Refusal::Closed { closed_at } => {
            json!({"status": "closed", "closed_at": rfc3339(closed_at)})
        }
        Refusal::Locked { requires } => json!({"status": "locked", "requires": requires}),
    }
}

/// A hint to unlock.
#[derive(ToSchema)]
#[allow(dead_code, reason = "ApiBody reads these fields; this struct only names them in the OpenAPI document")]
struct UnlockBody {
    /// The hint's id.
    target: i32,
    /// `hints`, or left out.
    #[schema(rename = "type")]
    kind: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct UnlockJson {
    /// The hint's id.
    id: i32,
    target: i32,
    /// `hints`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// The points paid now: 0 when the hint was unlocked before.
    cost: i32,
    already_unlocked: bool,
    content: String,
}

/// `POST unlocks` with `{"target": hint_id, "type": "hints"}`: pays a hint's cost once.
#[utoipa::path(
    post,
    path = "/unlocks",
    operation_id = "unlock_hint",
    tag = "challenges",
    summary = "Unlocks a hint for the caller's team, paying its cost once",
    request_body = UnlockBody,
    responses((status = 200, body = Success<UnlockJson>)),
)]
pub async fn unlock(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    body: ApiBody,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let lang = Lang::of(&req);
    let target = body.int("target").map_err(|e| AppError::Invalid(vec![e]))?;
    match body.text("type").map_err(|e| AppError::Invalid(vec![e]))?.as_deref() {
        None | Some("hints") => {}
        Some(_) => return Err(AppError::field("type", Msg::BadRequest)),
    }
    let player = player(&req, &contest, caller).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let hint = store::play::hint_by_id(&state.db, target).await?.ok_or(AppError::NotFound)?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.id == hint.challenge_id)?;
    let team = player.acting_team()?;
    let new =
        crate::play::unlock_hint(&state.db, &state.live, &contest, item.view.area.id, &hint, team.id, player.user.id)
            .await?;
    Ok(success(UnlockJson {
        id: hint.id,
        target: hint.id,
        kind: "hints",
        cost: if new { hint.cost } else { 0 },
        already_unlocked: !new,
        content: lang.text(&hint.text, &hint.text_en).to_owned(),
    }))
}

#[derive(Serialize, ToSchema)]
struct NotificationJson {
    id: i32,
    title: String,
    /// Markdown.
    content: String,
    #[schema(format = DateTime)]
    date: String,
}

/// `GET notifications`: the contest's announcements, newest first.
#[utoipa::path(
    get,
    path = "/notifications",
    operation_id = "list_notifications",
    tag = "notifications",
    summary = "The contest's announcements, newest first",
    responses((status = 200, body = Success<Vec<NotificationJson>>)),
)]
pub async fn notifications(
    req: HttpRequest,
    _caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let lang = Lang::of(&req);
    let snapshot = state.live.get(&contest).await?.snapshot();
    let list: Vec<NotificationJson> = snapshot
        .announcements
        .iter()
        .map(|a| NotificationJson {
            id: a.id,
            title: lang.text(&a.title, &a.title_en).to_owned(),
            content: lang.text(&a.body, &a.body_en).to_owned(),
            date: rfc3339(&a.created_at),
        })
        .collect();
    Ok(success(list))
}

/// `GET teams/me/solves`: the caller's team's solves.
#[utoipa::path(
    get,
    path = "/teams/me/solves",
    operation_id = "list_my_team_solves",
    tag = "teams",
    summary = "The caller's team's solves",
    responses((status = 200, body = Success<Vec<super::JsonObject>>,
        description = "Each solve: `challenge_id`, `challenge` (`id`, `name`, `category`, `value`), `user` (who \
                       answered), `team`, `date`")),
)]
pub async fn my_solves(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = player(&req, &contest, caller).await?;
    let team = player.team.as_ref().ok_or(AppError::NotFound)?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let live = state.live.get(&contest).await?;
    let list: Vec<serde_json::Value> = live
        .solves_of(team.id)
        .into_iter()
        .filter_map(|s| {
            let item = board.items().find(|i| i.view.challenge.id == s.challenge_id)?;
            Some(json!({
                "challenge_id": s.challenge_id,
                "challenge": {"id": s.challenge_id, "name": item.view.challenge.title, "category": item.view.area.key, "value": item.value},
                "user": s.user_id,
                "team": team.id,
                "date": rfc3339(&s.at),
            }))
        })
        .collect();
    Ok(success(list))
}
