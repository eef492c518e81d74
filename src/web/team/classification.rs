//! Classification challenges on the site and in the API: the upload form and the team's uploads on the
//! challenge's page, the choice of finals, the challenge's public (then private) board, and
//! `challenges/{id}/predictions` for scripts.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use entity::{contests, predictions};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::domain::classification::{self, MAX_UPLOAD_BYTES, Metric, Problems, finals};
use crate::play::board::Item;
use crate::play::classification::{Outcome, Upload, UploadError, day_bounds, sealed, submit};
use crate::startup::AppState;
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::store::classification::{metric_of, private_board, private_of, public_of, upload_of};
use crate::web::kit::csrf::{self, CsrfForm};
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ApiCaller, ContestCtx, CurrentUser, role_of, state};
use crate::web::kit::flash::Flash;
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::team::play::{Player, back_to_challenge};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/challenges/{challenge}/predictions").post(upload_page))
        .add(endpoint("/contests/{slug}/challenges/{challenge}/predictions/sample.csv").get(sample_file))
        .add(endpoint("/contests/{slug}/challenges/{challenge}/finals").post(choose_page))
        .add(endpoint("/contests/{slug}/challenges/{challenge}/board").get(board_page));
}

/// A team's line on a challenge's board, as shown.
struct BoardRow {
    pos: usize,
    team: String,
    public: String,
    private: Option<String>,
    uploads: usize,
    at: String,
}

#[derive(Template)]
#[template(path = "classification_board.html")]
struct BoardPage {
    page: Page,
    contest: contests::Model,
    slug: String,
    title: String,
    metric: &'static str,
    rows: Vec<BoardRow>,
    private_shown: bool,
    /// The public view stops at the freeze until the results are revealed.
    frozen: bool,
}

/// A classification challenge's board: each team's best public score (cut at the freeze for everyone but
/// organizers, until the reveal), and once the results are revealed after the end, the private score that
/// decides. Readable by whoever may read the scoreboard.
async fn board_page(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    path: web::Path<ChallengePath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = crate::web::team::scoreboard::reader(&state, &req, &contest).await?;
    let snap = state.live.get(&contest).await?.snapshot();
    let view = snap.challenges.iter().find(|v| v.challenge.slug == path.challenge).ok_or(AppError::NotFound)?;
    let c = &view.challenge;
    let now = Utc::now();
    // Before it opens, a challenge is not named to those who may not see it yet.
    if !reader.organizer && now < crate::play::opens_at(&contest, &view.area, c) {
        return Err(AppError::NotFound);
    }
    let row = store::classification::spec_row(&state.db, c.id)
        .await?
        .ok_or_else(|| AppError::field("challenge", Msg::NotClassification))?;
    let metric = metric_of(&row);
    let private_shown = private_board(&contest, now);
    let frozen = !reader.organizer && !contest.revealed && contest.freeze_at.is_some_and(|f| now >= f);
    let until = if frozen { contest.freeze_at } else { None };
    let teams = &snap.events.teams;
    let uploads: Vec<_> = store::classification::uploads_by_team(&state.db, c.id)
        .await?
        .into_iter()
        .filter(|(id, _)| teams.iter().any(|t| t.id == *id && !t.hidden))
        .collect();
    let rows = classification::board(&uploads, metric, private_shown, until)
        .into_iter()
        .enumerate()
        .map(|(i, line)| BoardRow {
            pos: i + 1,
            team: teams.iter().find(|t| t.id == line.team_id).map(|t| t.name.clone()).unwrap_or_default(),
            public: score_text(line.public),
            private: line.private.map(score_text),
            uploads: line.uploads,
            at: page.time(&line.reached_at, &contest.timezone),
        })
        .collect();
    ok(&BoardPage {
        title: page.lang.text(&c.title, &c.title_en).to_owned(),
        slug: c.slug.clone(),
        metric: metric.as_str(),
        rows,
        private_shown,
        frozen,
        page,
        contest,
    })
}

/// One upload as the team sees it.
pub struct UploadRow {
    pub id: i32,
    pub at: DateTime<Utc>,
    pub who: String,
    pub rows: i64,
    pub public: String,
    /// Shown once the results are revealed after the end.
    pub private: Option<String>,
    pub chosen: bool,
    /// Among the finals (chosen, or by default the best two public).
    pub is_final: bool,
}

/// What the challenge page shows of a classification challenge.
pub struct Panel {
    pub labels: Vec<String>,
    pub metric: &'static str,
    pub per_day: i32,
    pub used_today: u64,
    pub rows: i32,
    pub uploads: Vec<UploadRow>,
    pub private_shown: bool,
    pub can_upload: bool,
    /// The problems of the file just refused.
    pub problems: Vec<String>,
    /// The command that uploads a file through the API, with this site's address and the challenge's id.
    pub curl: String,
}

/// The site's address as the reader reached it (`https` when the cookies are marked secure: the site is
/// served over TLS then, whatever the proxy in front says to us).
pub fn site_of(req: &HttpRequest, state: &AppState) -> String {
    let info = req.connection_info();
    let scheme = if state.settings.cookie_secure { "https" } else { info.scheme() };
    format!("{scheme}://{}", info.host())
}

/// The `curl` line that uploads `predictions.csv` to a challenge through the contest's API.
fn curl_line(site: &str, contest: &contests::Model, challenge_id: i32) -> String {
    format!(
        "curl -H \"Authorization: Token $TOKEN\" -H 'Content-Type: text/csv' --data-binary @predictions.csv \\\n  \
         {site}/contests/{}/api/v1/challenges/{challenge_id}/predictions",
        contest.slug
    )
}

fn score_text(v: f64) -> String {
    format!("{v:.4}")
}

/// The panel of a classification challenge, for this player; `None` for a challenge that takes flags.
pub async fn panel(
    state: &AppState,
    contest: &contests::Model,
    player: &Player,
    item: &Item,
    problems: Vec<String>,
    site: &str,
) -> AppResult<Option<Panel>> {
    let c = &item.view.challenge;
    if c.kind != "classification" {
        return Ok(None);
    }
    let Some(row) = store::classification::spec_row(&state.db, c.id).await? else {
        return Ok(None);
    };
    let metric = metric_of(&row);
    let now = Utc::now();
    let private_shown = private_board(contest, now);
    let (uploads, used_today) = match player.team_id() {
        Some(team_id) => {
            let list = store::classification::uploads_of(&state.db, team_id, c.id).await?;
            let (today, _) = day_bounds(&contest.timezone, now);
            let used = list.iter().filter(|u| u.created_at >= today).count() as u64;
            (rows_of(state, &list, metric, private_shown).await?, used)
        }
        None => (Vec::new(), 0),
    };
    Ok(Some(Panel {
        labels: serde_json::from_str(&row.labels).unwrap_or_default(),
        metric: metric.as_str(),
        per_day: row.max_per_day,
        used_today,
        rows: row.rows,
        uploads,
        private_shown,
        can_upload: player.team.as_ref().is_some_and(|t| !t.disqualified) && !item.closed && !contest.paused,
        problems,
        curl: curl_line(site, contest, c.id),
    }))
}

async fn rows_of(
    state: &AppState,
    list: &[predictions::Model],
    metric: Metric,
    private_shown: bool,
) -> AppResult<Vec<UploadRow>> {
    let uploads: Vec<_> = list.iter().map(upload_of).collect();
    let final_ids: Vec<i32> = finals(&uploads, metric).iter().map(|u| u.id).collect();
    let mut names = std::collections::HashMap::new();
    for id in list.iter().filter_map(|u| u.user_id) {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(id) {
            e.insert(store::users::by_id(&state.db, id).await?.map(|u| u.username).unwrap_or_default());
        }
    }
    Ok(list
        .iter()
        .map(|u| UploadRow {
            id: u.id,
            at: u.created_at,
            who: u.user_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
            rows: u.rows,
            public: score_text(public_of(u).metric(metric)),
            private: private_shown.then(|| score_text(private_of(u).metric(metric))),
            chosen: u.chosen,
            is_final: final_ids.contains(&u.id),
        })
        .collect())
}

/// The file of an upload form (`file`) and its CSRF token, each within its limit.
async fn read_form(mut payload: actix_multipart::Multipart) -> AppResult<(String, Vec<u8>)> {
    let (mut token, mut file) = (String::new(), Vec::new());
    while let Some(field) = payload.next().await {
        let mut field = field.map_err(|_| AppError::field("file", Msg::BadRequest))?;
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" { MAX_UPLOAD_BYTES } else { 4096 };
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| AppError::field("file", Msg::BadRequest))?;
            if value.len() + chunk.len() > limit {
                return Err(too_large());
            }
            value.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => file = value,
            "csrf" => token = String::from_utf8(value).unwrap_or_default(),
            _ => {}
        }
    }
    Ok((token, file))
}

fn too_large() -> AppError {
    AppError::TooLarge(Msg::FileTooLarge { name: "CSV".into(), limit_mib: (MAX_UPLOAD_BYTES / (1024 * 1024)) as i64 })
}

fn upload_error(e: UploadError) -> AppError {
    match e {
        UploadError::NotClassification => AppError::field("file", Msg::NotClassification),
        UploadError::Store(e) => e.into(),
        // A files folder that cannot be read or written: like the rest of the site, 503 and nothing kept.
        UploadError::Files(e) => {
            tracing::warn!(error = %e, "a prediction upload could not be read or stored");
            AppError::Unavailable(Msg::StorageFailed)
        }
        other => AppError::Internal(other.into()),
    }
}

fn problem_lines(problems: &Problems, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = problems
        .first
        .iter()
        .map(|p| Msg::PredictionLine { line: p.line, problem: p.problem.clone() }.text(lang))
        .collect();
    if problems.total > problems.first.len() {
        out.push(Msg::PredictionMore { more: problems.total - problems.first.len() }.text(lang));
    }
    out
}

/// The refusal of a flag sent to a classification challenge.
pub fn refuse_flag(view: &ChallengeView, field: &'static str) -> AppResult<()> {
    if view.challenge.kind == "classification" { Err(AppError::field(field, Msg::NoFlag)) } else { Ok(()) }
}

#[derive(Deserialize)]
struct ChallengePath {
    challenge: String,
}

async fn upload_page(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<ChallengePath>,
    payload: actix_multipart::Multipart,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let (token, bytes) = read_form(payload).await?;
    if !csrf::matches(&req, &token) {
        return Err(AppError::Csrf);
    }
    let player = Player::of(&state, &contest, user).await?;
    let item = player.item_to_answer(&state, &contest, Utc::now(), |v| v.challenge.slug == path.challenge).await?;
    let item = player.check_open(item, &contest)?;
    let team = player.acting_team()?.clone();
    let upload = Upload { contest: &contest, view: &item.view, team: &team, user_id: player.user.id, bytes };
    let outcome = submit(&state.db, &state.blobs, &state.live, upload).await.map_err(upload_error)?;
    let lang = page.lang;
    let (msg, good, problems) = match outcome {
        Outcome::Scored(p) => {
            let metric = match store::classification::spec_row(&state.db, p.challenge_id).await? {
                Some(row) => metric_of(&row),
                None => Metric::Accuracy,
            };
            let value = score_text(public_of(&p).metric(metric));
            (Msg::Scored { metric: metric.as_str().into(), value, rows: p.rows }, true, Vec::new())
        }
        Outcome::Problems(problems) => (Msg::PredictionRefused, false, problem_lines(&problems, lang)),
        Outcome::Refused(refusal) => (Msg::Refused { refusal, zone: contest.timezone.clone() }, false, Vec::new()),
        Outcome::DailyLimit { max, next } => {
            (Msg::DailyLimit { max, next, zone: contest.timezone.clone() }, false, Vec::new())
        }
    };
    // Post/Redirect/Get: a reload shows the result again without spending another of the day's uploads.
    let flash = Flash { lines: problems, ..Flash::new(msg.text(lang), good) };
    back_to_challenge(&state, &contest, &item.view.challenge.slug, flash)
}

/// A prediction file to start from (`id,label`, every test id with the first label), for those who may open the
/// challenge and have agreed to its datasets' terms: the ids name the dataset's files.
async fn sample_file(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<ChallengePath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = Player::of(&state, &contest, user).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.slug == path.challenge)?;
    let c = &item.view.challenge;
    let row = store::classification::spec_row(&state.db, c.id)
        .await?
        .ok_or_else(|| AppError::field("challenge", Msg::NotClassification))?;
    if crate::domain::access::needs_own_agreement(role_of(&player.user)) {
        crate::web::team::files::require_terms(&state, player.user.id, &ChallengeView::list(&c.datasets)).await?;
    }
    let labels: Vec<String> = serde_json::from_str(&row.labels).unwrap_or_default();
    let table = sealed(&state.blobs, &row).await.map_err(upload_error)?;
    let body = classification::sample(&table, labels.first().map_or("", String::as_str));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-sample.csv\"", c.slug)))
        .body(body))
}

#[derive(Deserialize)]
struct ChooseFields {
    #[serde(default)]
    upload: String,
    #[serde(default)]
    chosen: String,
}

async fn choose_page(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<ChallengePath>,
    CsrfForm(form): CsrfForm<ChooseFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = Player::of(&state, &contest, user).await?;
    let item = player.item_to_answer(&state, &contest, Utc::now(), |v| v.challenge.slug == path.challenge).await?;
    let team = player.acting_team()?.clone();
    let upload = form.upload.trim().parse().map_err(|_| AppError::field("upload", Msg::NotANumber))?;
    choose(&state, &contest, &item, team.id, upload, form.chosen == "1").await?;
    Ok(see_other(&format!("/contests/{}/challenges/{}#uploads", contest.slug, item.view.challenge.slug)))
}

/// Adds an upload to the team's finals or takes it out; at most two, and only while uploads are taken.
async fn choose(
    state: &AppState,
    contest: &contests::Model,
    item: &Item,
    team_id: i32,
    upload_id: i32,
    chosen: bool,
) -> AppResult<()> {
    let c = &item.view.challenge;
    if c.kind != "classification" {
        return Err(AppError::field("upload", Msg::NotClassification));
    }
    if let Some(refusal) = crate::play::windows_of(contest, &item.view.area, c).refusal(Utc::now()) {
        return Err(AppError::Forbidden(Msg::Refused { refusal, zone: contest.timezone.clone() }));
    }
    let list = store::classification::uploads_of(&state.db, team_id, c.id).await?;
    if !list.iter().any(|u| u.id == upload_id) {
        return Err(AppError::NotFound);
    }
    let mut ids: Vec<i32> = list.iter().filter(|u| u.chosen && u.id != upload_id).map(|u| u.id).collect();
    if chosen {
        ids.push(upload_id);
    }
    if ids.len() > 2 {
        return Err(AppError::field("upload", Msg::TooManyFinals));
    }
    store::classification::choose(&state.db, team_id, c.id, &ids).await?;
    state.live.changed(contest.id).await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct IdPath {
    id: i32,
}

fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn upload_json(p: &predictions::Model, metric: Metric, private_shown: bool, is_final: bool) -> serde_json::Value {
    let part = |c: crate::domain::classification::Confusion| json!({"score": c.metric(metric), "tp": c.tp, "fp": c.fp, "tn": c.tn, "fn": c.fn_, "rows": c.total()});
    json!({
        "id": p.id,
        "date": rfc3339(&p.created_at),
        "user_id": p.user_id,
        "rows": p.rows,
        "sha256": p.sha256,
        "metric": metric.as_str(),
        "public": part(public_of(p)),
        "private": if private_shown { part(private_of(p)) } else { serde_json::Value::Null },
        "chosen": p.chosen,
        "final": is_final,
    })
}

/// The body of an API upload: a multipart form's `file`, or the whole body as the CSV.
async fn read_api_body(req: &HttpRequest, mut payload: web::Payload) -> AppResult<Vec<u8>> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    if multipart {
        let (_, file) = read_form(actix_multipart::Multipart::new(req.headers(), payload)).await?;
        return Ok(file);
    }
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::field("file", Msg::BadRequest))?;
        if body.len() + chunk.len() > MAX_UPLOAD_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A prediction file as a multipart form.
#[derive(ToSchema)]
#[allow(dead_code, reason = "read_api_body reads the form; this struct only names it in the OpenAPI document")]
struct PredictionForm {
    /// The prediction CSV.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// What the API says of an upload, as `upload_json` writes it.
const UPLOAD_FIELDS: &str = "`id`, `date`, `user_id`, `rows`, `sha256`, `metric`, `public` (`score`, `tp`, `fp`, \
                             `tn`, `fn`, `rows`), `private` (the same, `null` until the results are revealed after \
                             the end), `chosen`, `final`";

/// `POST challenges/{id}/predictions`: a prediction file (the body as `text/csv`, or a multipart `file`),
/// checked and scored at once on the public part.
#[utoipa::path(
    post,
    path = "/challenges/{id}/predictions",
    operation_id = "upload_prediction",
    tag = "challenges",
    summary = "Uploads a prediction file to a classification challenge, scored at once on the public part",
    params(("id" = i32, Path, description = "The classification challenge's id")),
    request_body(
        description = "The prediction CSV, 16 MiB at most: the body itself, or a multipart form's `file`",
        content((String = "text/csv"), (PredictionForm = "multipart/form-data")),
    ),
    responses(
        (status = 200, body = crate::web::api::Success<serde_json::Value>, description = UPLOAD_FIELDS),
        (status = 400, body = serde_json::Value,
            description = "A file with problems: `{\"success\": false, \"message\", \"errors\": {\"file\": \
                           [\"line 3: …\", …]}}`"),
        (status = 429, body = serde_json::Value,
            description = "Today's uploads are used up: `{\"success\": false, \"message\", \"data\": {\"status\": \
                           \"daily_limit\", \"next\"}}`",
            headers(("Retry-After" = u64, description = "Seconds until the next upload is taken"))),
    ),
)]
pub async fn api_upload(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let lang = Lang::of(&req);
    let bytes = read_api_body(&req, payload).await?;
    let player = Player::of(&state, &contest, caller.0).await?;
    let item = player.item_to_answer(&state, &contest, Utc::now(), |v| v.challenge.id == path.id).await?;
    let item = player.check_open(item, &contest)?;
    let team = player.acting_team()?.clone();
    let upload = Upload { contest: &contest, view: &item.view, team: &team, user_id: player.user.id, bytes };
    match submit(&state.db, &state.blobs, &state.live, upload).await.map_err(upload_error)? {
        Outcome::Scored(p) => {
            let metric = match store::classification::spec_row(&state.db, p.challenge_id).await? {
                Some(row) => metric_of(&row),
                None => Metric::Accuracy,
            };
            let list = store::classification::uploads_of(&state.db, team.id, p.challenge_id).await?;
            let uploads: Vec<_> = list.iter().map(upload_of).collect();
            let is_final = finals(&uploads, metric).iter().any(|u| u.id == p.id);
            Ok(crate::web::api::success(upload_json(&p, metric, private_board(&contest, Utc::now()), is_final)))
        }
        Outcome::Problems(problems) => {
            let lines = problem_lines(&problems, lang);
            Ok(HttpResponse::BadRequest().json(json!({
                "success": false,
                "message": Msg::PredictionRefused.text(lang),
                "errors": {"file": lines},
            })))
        }
        Outcome::Refused(refusal) => Err(AppError::Forbidden(Msg::Refused { refusal, zone: contest.timezone.clone() })),
        Outcome::DailyLimit { max, next } => {
            let wait = (next - Utc::now()).num_seconds().max(1);
            let message = Msg::DailyLimit { max, next, zone: contest.timezone.clone() }.text(lang);
            Ok(HttpResponse::TooManyRequests()
                .insert_header((header::RETRY_AFTER, wait.to_string()))
                .json(json!({"success": false, "message": message, "data": {"status": "daily_limit", "next": rfc3339(&next)}})))
        }
    }
}

/// `GET challenges/{id}/predictions`: the team's uploads, newest first, with their public scores (private
/// ones once the results are revealed after the end) and which are final.
#[utoipa::path(
    get,
    path = "/challenges/{id}/predictions",
    operation_id = "list_predictions",
    tag = "challenges",
    summary = "The team's prediction uploads to a classification challenge, newest first",
    params(("id" = i32, Path, description = "The classification challenge's id")),
    responses((status = 200, body = crate::web::api::Success<Vec<crate::web::api::JsonObject>>, description = UPLOAD_FIELDS)),
)]
pub async fn api_list(
    req: HttpRequest,
    caller: ApiCaller,
    ContestCtx(contest): ContestCtx,
    path: web::Path<IdPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = Player::of(&state, &contest, caller.0).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.id == path.id)?;
    let c = &item.view.challenge;
    let team = player.team.as_ref().ok_or(AppError::Forbidden(Msg::JoinTeamFirst))?;
    let row = store::classification::spec_row(&state.db, c.id)
        .await?
        .ok_or_else(|| AppError::field("id", Msg::NotClassification))?;
    let metric = metric_of(&row);
    let list = store::classification::uploads_of(&state.db, team.id, c.id).await?;
    let uploads: Vec<_> = list.iter().map(upload_of).collect();
    let final_ids: Vec<i32> = finals(&uploads, metric).iter().map(|u| u.id).collect();
    let shown = private_board(&contest, Utc::now());
    let data: Vec<_> = list.iter().map(|p| upload_json(p, metric, shown, final_ids.contains(&p.id))).collect();
    Ok(crate::web::api::success(data))
}
