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
use crate::domain::file_link::{Holder, LinkKey};
use crate::domain::idempotency::IdempotencyKey;
use crate::domain::play::{MAX_ANSWER_BYTES, Refusal};
use crate::domain::standings::TeamInfo;
use crate::play::attempt::{self, Answer, Judged, Verdict};
use crate::play::board::{Access, Item};
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::web::kit::body::ApiBody;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ApiCaller, ContestCtx, state};
use crate::web::kit::i18n::Lang;
use crate::web::team::files::signed_link;
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
    /// `visible` (a locked challenge is listed as CTFd lists a hidden one, `HiddenJson`).
    state: &'static str,
    group: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct TagJson {
    value: String,
}

/// A locked challenge (its `requires` unsolved) as CTFd lists an anonymized one: nothing of it but its id.
#[derive(Serialize, ToSchema)]
struct HiddenJson {
    id: i32,
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    value: i32,
    solves: Option<u32>,
    solved_by_me: bool,
    category: &'static str,
    tags: [TagJson; 0],
    template: &'static str,
    script: &'static str,
    state: &'static str,
}

impl HiddenJson {
    fn of(item: &Item) -> Self {
        HiddenJson {
            id: item.view.challenge.id,
            kind: "hidden",
            name: "???",
            value: 0,
            solves: None,
            solved_by_me: false,
            category: "???",
            tags: [],
            template: "",
            script: "",
            state: "locked",
        }
    }
}

/// A challenge of the list: open, or locked and anonymized.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum Listed {
    Open(ChallengeJson),
    Hidden(HiddenJson),
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
    responses((status = 200, body = Success<Vec<Listed>>)),
)]
pub async fn list(req: HttpRequest, caller: ApiCaller, ContestCtx(contest): ContestCtx) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = player(&req, &contest, caller).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let items: Vec<Listed> = board
        .items()
        .filter_map(|i| match i.access {
            Access::Open => Some(Listed::Open(challenge_json(i))),
            Access::Locked { .. } => Some(Listed::Hidden(HiddenJson::of(i))),
            Access::NotYet { .. } => None,
        })
        .collect();
    Ok(success(items))
}

#[derive(Deserialize)]
pub struct IdPath {
    id: i32,
}

/// A challenge the caller may open, with what they have done in it.
struct Opened {
    player: Player,
    board: crate::play::board::Board,
    play: std::sync::Arc<crate::live::plays::TeamPlay>,
}

impl Opened {
    async fn of(req: &HttpRequest, contest: &entity::contests::Model, caller: ApiCaller) -> AppResult<Opened> {
        let state = state(req)?;
        let player = player(req, contest, caller).await?;
        let board = player.board(&state, contest, Utc::now()).await?;
        let play = match player.team_id() {
            Some(t) => state.live.play(contest.id, t).await?,
            None => Default::default(),
        };
        Ok(Opened { player, board, play })
    }

    fn item(&self, contest: &entity::contests::Model, id: i32) -> AppResult<&Item> {
        self.player.open_item(&self.board, contest, |i| i.view.challenge.id == id)
    }

    /// A hint as CTFd gives it: its content only once unlocked (or to organizers).
    fn hint_json(&self, hint: &entity::hints::Model, lang: Lang) -> serde_json::Value {
        let mut json = json!({"id": hint.id, "type": "standard", "challenge_id": hint.challenge_id,
            "challenge": hint.challenge_id, "cost": hint.cost, "title": format!("Hint {}", hint.position + 1)});
        if self.player.staff || self.play.has_unlocked(hint.id) {
            json["content"] = json!(lang.text(&hint.text, &hint.text_en));
        } else {
            json["view"] = json!("locked");
        }
        json
    }

    /// The challenge's files: CTFd's link strings, and the same links with their names, sizes and digests.
    fn files(&self, key: &LinkKey, item: &Item) -> (Vec<String>, Vec<serde_json::Value>) {
        // Links that work alone for an hour: downloaders fetch them without the token.
        let holder = Holder { user_id: self.player.user.id, team_id: self.player.team_id() };
        item.view
            .attachments
            .iter()
            .map(|f| {
                let url = signed_link(key, holder, &f.sha256, &f.name);
                let object = json!({"id": f.id, "type": "challenge", "location": format!("{}/{}", f.sha256, f.name),
                    "name": f.name, "url": url, "size": f.size, "sha256": f.sha256});
                (url, object)
            })
            .unzip()
    }
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
                       (Markdown), `format` (the answer's format as authored), `format_en` (in English, empty if not given), `files` (CTFd's link strings, signed: each works alone for an hour), \
                       `file_objects` (`name`, `url`, `size`, `sha256`), `hints` (`id`, `cost`, `title`, `content` \
                       once unlocked), `max_attempts`, `attempts` (the team's wrong answers), \
                       `datasets`, `opens_at` (or `null`), `closes_at`")),
)]
pub async fn one(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let opened = Opened::of(&req, &contest, caller).await?;
    let item = opened.item(&contest, path.id)?;
    let c = &item.view.challenge;
    let lang = Lang::of(&req);
    let hints: Vec<serde_json::Value> = item.view.hints.iter().map(|h| opened.hint_json(h, lang)).collect();
    let (files, file_objects) = opened.files(&state.link_key, item);
    let attempts = opened.play.wrong_answers(c.id);
    let mut data = serde_json::to_value(challenge_json(item)).map_err(anyhow::Error::from)?;
    data["tags"] = json!(ChallengeView::list(&c.tags));
    data["description"] = json!(lang.text(&c.description, &c.description_en));
    data["format"] = json!(c.answer_format);
    data["format_en"] = json!(c.answer_format_en);
    data["files"] = json!(files);
    data["file_objects"] = json!(file_objects);
    data["hints"] = json!(hints);
    data["max_attempts"] = json!(c.max_attempts);
    data["attempts"] = json!(attempts);
    data["datasets"] = json!(ChallengeView::list(&c.datasets));
    data["opens_at"] = json!(c.opens_at.as_ref().map(rfc3339));
    data["closes_at"] = json!(rfc3339(&item.closes_at));
    Ok(success(data))
}

/// `GET challenges/{id}/files`: the files with their links, names, sizes and digests.
#[utoipa::path(
    get,
    path = "/challenges/{id}/files",
    operation_id = "list_challenge_files",
    tag = "challenges",
    summary = "A challenge's files: signed links that work alone for an hour, with names, sizes and SHA-256",
    params(("id" = i32, Path, description = "The challenge's id")),
    responses((status = 200, body = Success<Vec<super::JsonObject>>,
        description = "Each file: `id`, `type` (`challenge`), `location`, `name`, `url` (the signed link), `size`, `sha256`")),
)]
pub async fn files(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let opened = Opened::of(&req, &contest, caller).await?;
    let (_, objects) = opened.files(&state.link_key, opened.item(&contest, path.id)?);
    Ok(success(objects))
}

/// `GET challenges/{id}/hints`: the hints, with content once unlocked.
#[utoipa::path(
    get,
    path = "/challenges/{id}/hints",
    operation_id = "list_challenge_hints",
    tag = "challenges",
    summary = "A challenge's hints, with content once unlocked",
    params(("id" = i32, Path, description = "The challenge's id")),
    responses((status = 200, body = Success<Vec<super::JsonObject>>,
        description = "Each hint: `id`, `type`, `challenge_id`, `cost`, `title`, and `content` once unlocked (else `view` = `locked`)")),
)]
pub async fn hints(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let opened = Opened::of(&req, &contest, caller).await?;
    let lang = Lang::of(&req);
    let item = opened.item(&contest, path.id)?;
    Ok(success(item.view.hints.iter().map(|h| opened.hint_json(h, lang)).collect::<Vec<_>>()))
}

/// `GET challenges/{id}/tags`: as CTFd's tag objects.
#[utoipa::path(
    get,
    path = "/challenges/{id}/tags",
    operation_id = "list_challenge_tags",
    tag = "challenges",
    summary = "A challenge's tags, as CTFd's tag objects",
    params(("id" = i32, Path, description = "The challenge's id")),
    responses((status = 200, body = Success<Vec<super::JsonObject>>, description = "Each tag: `challenge_id`, `value`")),
)]
pub async fn tags(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let opened = Opened::of(&req, &contest, caller).await?;
    let c = &opened.item(&contest, path.id)?.view.challenge;
    let tags: Vec<serde_json::Value> = ChallengeView::list(&c.tags)
        .into_iter()
        .map(|value| json!({"challenge_id": c.id, "challenge": c.id, "value": value}))
        .collect();
    Ok(success(tags))
}

/// `GET hints/{id}`: one hint of a challenge the caller may open, with content once unlocked.
#[utoipa::path(
    get,
    path = "/hints/{id}",
    operation_id = "get_hint",
    tag = "challenges",
    summary = "One hint of a challenge the caller may open, with content once unlocked",
    params(("id" = i32, Path, description = "The hint's id")),
    responses((status = 200, body = Success<super::JsonObject>,
        description = "`id`, `type`, `challenge_id`, `cost`, `title`, and `content` once unlocked (else `view` = `locked`)")),
)]
pub async fn hint(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let opened = Opened::of(&req, &contest, caller).await?;
    // Found among the challenges this contest shows, so a hint of another contest is not found here.
    let hint =
        opened.board.items().flat_map(|i| i.view.hints.iter()).find(|h| h.id == path.id).ok_or(AppError::NotFound)?;
    opened.item(&contest, hint.challenge_id)?;
    Ok(success(opened.hint_json(hint, Lang::of(&req))))
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
    /// The kept answer's id (a UUIDv7): none when nothing was kept (a limit, a pause).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    submission_id: Option<String>,
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

/// The header a client names an answer with, so that it may send it again safely.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The client's `Idempotency-Key`, if it sent one; 400 naming the header if it is no key.
fn idempotency_key(req: &HttpRequest) -> AppResult<Option<IdempotencyKey>> {
    req.headers()
        .get(IDEMPOTENCY_KEY)
        .map(|value| {
            IdempotencyKey::parse(value.as_bytes())
                .map_err(|_| AppError::field(IDEMPOTENCY_KEY, Msg::BadIdempotencyKey))
        })
        .transpose()
}

/// `POST challenges/attempt` with `{"challenge_id", "submission"}`, and optionally an `Idempotency-Key`
/// header: a retry under the same key within 24 hours is told the first verdict again (with the same
/// `submission_id`, and `Idempotent-Replayed: true`) without being judged or counted.
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
    let key = idempotency_key(&req)?;
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
    let judged = match refusal_of(&item) {
        Some(refusal) => Judged::unkept(Verdict::Refused(refusal)),
        None => {
            let ip = client_ip(&req);
            let answer = Answer {
                contest: &contest,
                view: &item.view,
                team,
                user_id: player.user.id,
                typed: &typed,
                ip: &ip,
                key: key.as_ref(),
            };
            attempt::submit(&state.answers, &state.live, answer).await?
        }
    };
    let Judged { verdict, submission_id, replayed } = judged;
    let (msg, status) = verdict_message(&verdict, &contest.timezone);
    let message = msg.text(lang);
    let data = |status| AttemptJson {
        status,
        message: message.clone(),
        submission_id: submission_id.clone(),
        retry_after: None,
        attempts_left: None,
    };
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
        Verdict::KeyReused => return Err(AppError::Unprocessable(msg)),
    };
    if let Verdict::RateLimited { wait_secs } = verdict {
        res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, wait_secs.into());
    }
    if replayed {
        let name = actix_web::http::header::HeaderName::from_static("idempotent-replayed");
        res.headers_mut().insert(name, actix_web::http::header::HeaderValue::from_static("true"));
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
