//! The scoreboard: the page (overall and per area, with the score chart; it works without JavaScript and
//! updates itself through Server-Sent Events), its JSON, CTFtime's feed, the events, and CTFd's
//! scoreboard API. Every read takes the live snapshot; none recomputes from the database.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::{areas, contests};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::domain::role::Role;
use crate::domain::standings::Row;
use crate::feeds;
use crate::live::{LiveEvent, Snapshot};
use crate::play::opens_at;
use crate::startup::AppState;
use crate::web::kit::cached;
use crate::web::kit::client::client_ip;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ApiCaller, ContestCtx, caller_if_any, role_of, state};
use crate::web::kit::page::{self, Page};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::team::chart::{self, Series};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/scoreboard").get(page))
        .add(endpoint("/contests/{slug}/scoreboard/table").get(fragment))
        .add(endpoint("/contests/{slug}/scoreboard.json").get(json_feed))
        .add(endpoint("/contests/{slug}/ctftime.json").get(ctftime))
        .add(endpoint("/contests/{slug}/events").get(events));
}

/// Who reads the scoreboard: organizers see through the freeze.
pub struct Reader {
    pub organizer: bool,
}

/// The scoreboard is public unless the contest says members only; then only its teams' members and staff.
pub async fn reader(state: &AppState, req: &HttpRequest, contest: &contests::Model) -> AppResult<Reader> {
    let user = caller_if_any(req).await?;
    let role = user.as_deref().map(role_of);
    let organizer = role.is_some_and(Role::is_organizer);
    if !contest.scoreboard_public && !organizer && role != Some(Role::Judge) {
        let user = user.ok_or(AppError::LoginRequired)?;
        if state.live.identities.team_of(contest.id, user.id).await?.is_none() {
            return Err(AppError::Forbidden(Msg::JoinTeamFirst));
        }
    }
    Ok(Reader { organizer })
}

async fn snapshot(state: &AppState, contest: &contests::Model) -> AppResult<Arc<Snapshot>> {
    Ok(state.live.get(contest).await?.snapshot())
}

#[derive(Deserialize)]
struct AreaQuery {
    area: Option<String>,
}

/// One row as the table shows it.
pub struct RowView {
    pub pos: usize,
    pub team_id: i32,
    pub name: String,
    pub score: String,
    pub on_day: String,
    pub solves: usize,
    pub last: String,
}

pub struct Tab {
    pub key: String,
    pub name: String,
    pub active: bool,
}

/// What the page and its live fragment show.
struct Board {
    rows: Vec<RowView>,
    chart: String,
    /// For screen readers: each charted team's score after each change.
    chart_table: Vec<(String, Vec<(String, String)>)>,
    frozen_note: Option<String>,
}

fn board(page: &Page, snap: &Snapshot, reader: &Reader, area: Option<&areas::Model>) -> Board {
    let view = snap.view(reader.organizer);
    let rows: &[Row] = match area {
        Some(a) => view.standings.areas.get(&a.id).map(Vec::as_slice).unwrap_or_default(),
        None => &view.standings.overall,
    };
    let zone = &snap.contest.timezone;
    let now = Utc::now();
    let rows_view = rows
        .iter()
        .map(|r| RowView {
            pos: r.pos,
            team_id: r.team_id,
            name: r.name.clone(),
            score: r.score.to_string(),
            on_day: r.on_day.to_string(),
            solves: r.solves.len(),
            last: r.reached_at.map(|at| page.time(&at, zone)).unwrap_or_default(),
        })
        .collect();
    let progression = snap.progression(reader.organizer, area.map(|a| a.id));
    let series: Vec<Series> = rows
        .iter()
        .take(10)
        .map(|r| Series { name: r.name.clone(), points: progression.get(&r.team_id).cloned().unwrap_or_default() })
        .collect();
    let start = snap.contest.starts_at;
    let end = [Some(snap.contest.ends_at), view.until, Some(now.max(start))].into_iter().flatten().min().unwrap_or(now);
    let label = |at: &chrono::DateTime<Utc>| page.time(at, zone);
    let chart_table = series
        .iter()
        .map(|s| (s.name.clone(), s.points.iter().map(|(at, p)| (label(at), p.to_string())).collect()))
        .collect();
    let frozen_note = (!reader.organizer && snap.frozen_now(now))
        .then(|| {
            view.until.map(|f| {
                page.lang.pick(
                    format!("スコアボードは {} で凍結されています。", label(&f)),
                    format!("The scoreboard is frozen as of {}.", label(&f)),
                )
            })
        })
        .flatten();
    Board { rows: rows_view, chart: chart::svg(&series, start, end, label), chart_table, frozen_note }
}

fn tabs(page: &Page, areas: &[areas::Model], active: Option<&areas::Model>) -> Vec<Tab> {
    let mut out = vec![Tab { key: String::new(), name: page.t.overall.to_owned(), active: active.is_none() }];
    out.extend(areas.iter().map(|a| Tab {
        key: a.key.clone(),
        name: page.lang.text(&a.name, &a.name_en).to_owned(),
        active: active.is_some_and(|x| x.id == a.id),
    }));
    out
}

#[derive(Template)]
#[template(path = "scoreboard.html")]
struct ScoreboardPage {
    page: Page,
    contest: contests::Model,
    title: String,
    tabs: Vec<Tab>,
    area_key: String,
    /// The rendered table and chart (cached per snapshot).
    table: String,
    /// The reader's own team, whose row the page marks (the table itself is shared by every reader).
    mine: Option<i32>,
}

#[derive(Template)]
#[template(path = "partials/scoreboard_table.html")]
struct ScoreboardFragment<'a> {
    page: &'a Page,
    board: Board,
}

fn area_of<'s>(snap: &'s Snapshot, key: Option<&str>) -> AppResult<Option<&'s areas::Model>> {
    match key.filter(|k| !k.is_empty()) {
        Some(k) => Ok(Some(snap.areas.iter().find(|a| a.key == k).ok_or(AppError::NotFound)?)),
        None => Ok(None),
    }
}

fn table_key(page: &Page, reader: &Reader, area: Option<&areas::Model>) -> String {
    format!("table:{}:{}:{}", reader.organizer, area.map_or("", |a| a.key.as_str()), page.lang.code())
}

fn render_table(page: &Page, snap: &Snapshot, reader: &Reader, area: Option<&areas::Model>) -> AppResult<Bytes> {
    let board = board(page, snap, reader, area);
    let html = ScoreboardFragment { page, board }
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok(Bytes::from(html))
}

/// The table and chart of a view, rendered once per snapshot, view, area and language.
fn table_html(page: &Page, snap: &Snapshot, reader: &Reader, area: Option<&areas::Model>) -> AppResult<Bytes> {
    snap.rendered(table_key(page, reader, area), || render_table(page, snap, reader, area))
}

async fn page(
    req: HttpRequest,
    mut page: Page,
    ContestCtx(contest): ContestCtx,
    q: web::Query<AreaQuery>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = reader(&state, &req, &contest).await?;
    let snap = snapshot(&state, &contest).await?;
    let area = area_of(&snap, q.area.as_deref())?;
    let mine = match &page.viewer {
        Some(v) => state.live.identities.team_of(contest.id, v.id).await?.map(|t| t.id),
        None => None,
    };
    let render = |page: Page| {
        let table = String::from_utf8_lossy(&table_html(&page, &snap, &reader, area)?).into_owned();
        page::render_bytes(&ScoreboardPage {
            title: page.lang.text(&snap.contest.title, &snap.contest.title_en).to_owned(),
            tabs: tabs(&page, &snap.areas, area),
            area_key: area.map(|a| a.key.clone()).unwrap_or_default(),
            page,
            table,
            contest: snap.contest.clone(),
            mine,
        })
    };
    // Nobody signed in: the whole page is the same for every such reader, so it is made once per snapshot.
    if page.viewer.is_none() && page.notice.is_none() && page.error.is_none() {
        page.here = format!(
            "/contests/{}/scoreboard{}",
            contest.slug,
            area.map(|a| format!("?area={}", a.key)).unwrap_or_default()
        );
        let key = format!("page:{}:{}:{}", reader.organizer, area.map_or("", |a| a.key.as_str()), page.lang.code());
        return cached::respond(&req, &snap, key, "text/html; charset=utf-8", || render(page));
    }
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(render(page)?))
}

async fn fragment(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    q: web::Query<AreaQuery>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = reader(&state, &req, &contest).await?;
    let snap = snapshot(&state, &contest).await?;
    let area = area_of(&snap, q.area.as_deref())?;
    let key = table_key(&page, &reader, area);
    cached::respond(&req, &snap, key, "text/html; charset=utf-8", || render_table(&page, &snap, &reader, area))
}

/// A JSON feed of a view, serialised once per snapshot.
fn json_bytes(
    req: &HttpRequest,
    snap: &Snapshot,
    key: String,
    make: impl FnOnce() -> serde_json::Value,
) -> AppResult<HttpResponse> {
    cached::respond(req, snap, key, "application/json", || {
        serde_json::to_vec(&make()).map(Bytes::from).map_err(|e| AppError::Internal(e.into()))
    })
}

async fn json_feed(req: HttpRequest, ContestCtx(contest): ContestCtx) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = reader(&state, &req, &contest).await?;
    let snap = snapshot(&state, &contest).await?;
    let frozen_now = snap.frozen_now(Utc::now());
    json_bytes(&req, &snap, format!("json:{}:{frozen_now}", reader.organizer), || {
        let view = snap.view(reader.organizer);
        let frozen = view.until.filter(|_| frozen_now);
        feeds::scoreboard(&snap.contest, &snap.areas, &view.standings.overall, &view.standings.areas, frozen)
    })
}

async fn ctftime(req: HttpRequest, ContestCtx(contest): ContestCtx) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = reader(&state, &req, &contest).await?;
    let snap = snapshot(&state, &contest).await?;
    // Organizers know every challenge; anyone else only those open now, which time alone changes.
    let now = Utc::now();
    let open: HashSet<i32> = snap
        .challenges
        .iter()
        .filter(|v| reader.organizer || opens_at(&snap.contest, &v.area, &v.challenge) <= now)
        .map(|v| v.challenge.id)
        .collect();
    json_bytes(&req, &snap, format!("ctftime:{}:{}", reader.organizer, open.len()), || {
        feeds::ctftime(&snap.events, &snap.view(reader.organizer).standings.overall, |id| open.contains(&id))
    })
}

/// How long one live connection lasts: then it ends and the browser reconnects (`retry`), so that a
/// connection nobody reads any more does not hold its place for ever.
const STREAM_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Which standings a stream follows: the reader's (organizers see through the freeze), or `?view=public`,
/// the public ones whoever reads (the venue screen, projected in the room).
#[derive(Deserialize)]
struct StreamQuery {
    view: Option<StreamView>,
}

#[derive(Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum StreamView {
    Public,
}

/// `GET /contests/{slug}/events`: `event: scoreboard` when the reader's standings change,
/// `event: notification` for announcements, `event: ceremony` (the step's number only) when the closing
/// ceremony moves, and a comment every 15 s to keep proxies from closing it. Each
/// connection takes a place in the instance's budget (per address and in all): past it, 503 and `Retry-After`.
async fn events(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    q: web::Query<StreamQuery>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = reader(&state, &req, &contest).await?;
    let permit = state.streams.try_acquire(client_ip(&req)).ok_or(AppError::Unavailable(Msg::TooManyStreams))?;
    let live = state.live.get(&contest).await?;
    let full = reader.organizer && q.view != Some(StreamView::Public);
    let rx = if full { live.staff_tx.subscribe() } else { live.public_tx.subscribe() };
    let mut tick = tokio::time::interval(Duration::from_secs(15));
    tick.reset();
    let ends = tokio::time::Instant::now() + STREAM_LIFETIME;
    let start = (rx, tick, true, permit);
    let stream = futures_util::stream::unfold(start, move |(mut rx, mut tick, first, permit)| async move {
        if first {
            return Some((
                Ok::<_, actix_web::Error>(Bytes::from_static(b"retry: 3000\n: connected\n\n")),
                (rx, tick, false, permit),
            ));
        }
        let frame = tokio::select! {
            _ = tokio::time::sleep_until(ends) => return None,
            msg = rx.recv() => match msg {
                Ok(LiveEvent::Scoreboard { version }) => format!("event: scoreboard\ndata: {{\"version\":{version}}}\n\n"),
                Ok(LiveEvent::Notification { json }) => format!("event: notification\ndata: {json}\n\n"),
                Ok(LiveEvent::Ceremony { step }) => {
                    format!("event: ceremony\ndata: {}\n\n", serde_json::json!({ "step": step }))
                }
                // A slow client missed some: one scoreboard event makes it fetch the latest.
                Err(RecvError::Lagged(_)) => "event: scoreboard\ndata: {\"version\":0}\n\n".to_owned(),
                Err(RecvError::Closed) => return None,
            },
            _ = tick.tick() => ": keep-alive\n\n".to_owned(),
        };
        Some((Ok(Bytes::from(frame)), (rx, tick, false, permit)))
    });
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/event-stream"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream))
}

/// CTFd's `GET scoreboard`.
#[utoipa::path(
    get,
    path = "/scoreboard",
    operation_id = "get_scoreboard",
    tag = "scoreboard",
    summary = "The standings in CTFd's shape, whole points (halves rounded up)",
    description = "Anyone may read it unless the contest keeps its scoreboard to members; the freeze holds.",
    security((), ("token" = []), ("bearer" = []), ("session" = [])),
    responses((status = 200, body = crate::web::api::Success<Vec<crate::web::api::JsonObject>>,
        description = "Each team: `pos`, `account_id`, `account_url`, `account_type` (`team`), `oauth_id` (`null`), \
                       `name`, `score`")),
)]
pub async fn api_scoreboard(
    req: HttpRequest,
    _caller: Option<ApiCaller>,
    ContestCtx(contest): ContestCtx,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = reader(&state, &req, &contest).await?;
    let snap = snapshot(&state, &contest).await?;
    json_bytes(
        &req,
        &snap,
        format!("ctfd:{}", reader.organizer),
        || json!({"success": true, "data": feeds::ctfd_scoreboard(&snap.view(reader.organizer).standings.overall)}),
    )
}

#[derive(Deserialize)]
pub struct TopPath {
    n: usize,
}

/// CTFd's `GET scoreboard/top/{n}`.
#[utoipa::path(
    get,
    path = "/scoreboard/top/{n}",
    operation_id = "get_scoreboard_top",
    tag = "scoreboard",
    summary = "The top n teams with their solves, in CTFd's shape",
    description = "Read as `GET scoreboard` is.",
    params(("n" = usize, Path, description = "How many teams, 100 at most")),
    security((), ("token" = []), ("bearer" = []), ("session" = [])),
    responses((status = 200, body = crate::web::api::Success<serde_json::Value>,
        description = "By position (`\"1\"`, `\"2\"`, …): `id`, `account_url`, `name`, `score`, and `solves` \
                       (`challenge_id`, `account_id`, `team_id`, `user_id`, `value`, `date`)")),
)]
pub async fn api_top(
    req: HttpRequest,
    _caller: Option<ApiCaller>,
    ContestCtx(contest): ContestCtx,
    path: web::Path<TopPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reader = reader(&state, &req, &contest).await?;
    let snap = snapshot(&state, &contest).await?;
    let n = path.n.min(100);
    json_bytes(
        &req,
        &snap,
        format!("ctfd-top:{}:{n}", reader.organizer),
        || json!({"success": true, "data": feeds::ctfd_top(&snap.view(reader.organizer).standings.overall, n)}),
    )
}
