//! The home page (contests), the language switch and the health check.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;

use crate::domain::clock::Phase;
use crate::store;
use crate::web::kit::cookies::preference;
use crate::web::kit::error::AppResult;
use crate::web::kit::extract::state;
use crate::web::kit::i18n::{LANG_COOKIE, Lang};
use crate::web::kit::page::{Page, ok, safe_next};
use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/").get(home))
        .add(endpoint("/healthz").get(healthz))
        .add(endpoint("/lang/{code}").get(switch_language))
        .add(endpoint("/assets/style.css").get(stylesheet))
        .add(endpoint("/assets/live.js").get(live_script))
        .add(endpoint("/assets/screen.css").get(screen_stylesheet))
        .add(endpoint("/assets/screen.js").get(screen_script))
        .add(endpoint("/assets/ceremony.js").get(ceremony_script))
        .add(endpoint("/assets/countdown.js").get(countdown_script));
}

/// A contest as the lists show it.
pub struct ContestRow {
    pub slug: String,
    pub title: String,
    pub starts: String,
    pub ends: String,
    pub phase: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    sections: Vec<Section>,
}

/// Running, upcoming or past contests under their heading.
pub struct Section {
    pub heading: &'static str,
    pub rows: Vec<ContestRow>,
}

pub fn phase_label(page: &Page, phase: Phase) -> &'static str {
    match phase {
        Phase::Upcoming => page.t.phase_upcoming,
        Phase::Running => page.t.phase_running,
        Phase::Frozen => page.t.phase_frozen,
        Phase::Ended => page.t.phase_ended,
    }
}

async fn home(req: HttpRequest, page: Page) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let now = Utc::now();
    let (mut running, mut upcoming, mut past) = (Vec::new(), Vec::new(), Vec::new());
    for contest in store::contests::all(&state.db).await? {
        let phase = crate::web::team::contests::schedule_of(&contest).phase(now);
        let row = ContestRow {
            title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
            starts: page.time(&contest.starts_at, &contest.timezone),
            ends: page.time(&contest.ends_at, &contest.timezone),
            phase: phase_label(&page, phase),
            slug: contest.slug,
        };
        match phase {
            Phase::Running | Phase::Frozen => running.push(row),
            Phase::Upcoming => upcoming.push(row),
            Phase::Ended => past.push(row),
        }
    }
    upcoming.reverse();
    let sections = [(page.t.running, running), (page.t.upcoming, upcoming), (page.t.past, past)]
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(heading, rows)| Section { heading, rows })
        .collect();
    ok(&HomePage { page, sections })
}

/// How long the health check waits for the database: a load balancer asks often and wants an answer.
const HEALTH_WAIT: std::time::Duration = std::time::Duration::from_millis(900);

/// 200 when the database answers, 503 with the reason when it does not, always within a second.
async fn healthz(req: HttpRequest) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let unavailable = |why: &str| {
        tracing::warn!(why, "health check: database does not answer");
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .insert_header((actix_web::http::header::RETRY_AFTER, "5"))
            .body(format!("database unavailable: {why}\n"))
    };
    Ok(match tokio::time::timeout(HEALTH_WAIT, state.db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().content_type("text/plain").body("ok\n"),
        Ok(Err(e)) => unavailable(&e.to_string()),
        Err(_) => unavailable("no answer within a second"),
    })
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

async fn switch_language(
    req: HttpRequest,
    code: web::Path<String>,
    query: web::Query<Next>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let lang = Lang::parse(&code).ok_or(crate::web::kit::error::AppError::NotFound)?;
    Ok(HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, safe_next(query.next.as_deref())))
        .cookie(preference(LANG_COOKIE, lang.code(), state.settings.cookie_secure))
        .finish())
}

/// A file of `assets/`, built into the binary (the CSP allows no inline styles or scripts).
fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

/// The site's stylesheet.
async fn stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", include_str!("../../../assets/style.css"))
}

/// Live updates of the scoreboard and the venue screen (the pages work without it).
async fn live_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", include_str!("../../../assets/live.js"))
}

/// The venue screen's own stylesheet: made for a projector, apart from the site's.
async fn screen_stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", include_str!("../../../assets/screen.css"))
}

/// The venue screen's clock and scrolling list.
async fn countdown_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", include_str!("../../../assets/countdown.js"))
}

async fn screen_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", include_str!("../../../assets/screen.js"))
}

/// The closing ceremony's keys and controls (the page works without it, by its forms).
async fn ceremony_script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", include_str!("../../../assets/ceremony.js"))
}
