//! The venue screen: the scoreboard made for the projector in the room. Large type, the top teams and the
//! rest scrolling, the time left, each challenge's first solve and the announcements, kept current by the
//! scoreboard's stream. It always shows the public view, frozen like the public scoreboard, organizers'
//! screens too: the whole room reads it. While the closing ceremony is under way it shows the ceremony's step
//! instead (`team::ceremony`), and follows it through the same stream.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use entity::contests;
use serde::Deserialize;

use std::sync::Arc;

use crate::domain::ceremony::Plan;
use crate::domain::clock::Phase;
use crate::live::Snapshot;
use crate::web::kit::cached;
use crate::web::kit::error::AppResult;
use crate::web::kit::extract::{ContestCtx, state};
use crate::web::kit::markdown;
use crate::web::kit::page::{self, Page};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::team::ceremony;
use crate::web::team::contests::schedule_of;
use crate::web::team::scoreboard::reader;

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/screen").get(screen))
        .add(endpoint("/contests/{slug}/screen/live").get(fragment));
}

/// How many teams are shown large unless `?top=` says otherwise, and at most.
const DEFAULT_TOP: usize = 10;
const MAX_TOP: usize = 50;
/// What the side column has room for.
const FIRST_BLOODS: usize = 12;
const ANNOUNCEMENTS: usize = 4;

#[derive(Deserialize)]
struct TopQuery {
    top: Option<usize>,
}

impl TopQuery {
    fn n(&self) -> usize {
        self.top.unwrap_or(DEFAULT_TOP).clamp(1, MAX_TOP)
    }
}

pub struct Standing {
    pub pos: usize,
    pub name: String,
    pub score: String,
    pub solves: usize,
}

pub struct FirstBlood {
    pub at: String,
    pub team: String,
    pub challenge: String,
}

pub struct News {
    pub at: String,
    pub title: String,
    /// Sanitised HTML.
    pub body: String,
}

/// What the screen's live part shows: made once per snapshot, number of top teams, language and phase.
#[derive(Template)]
#[template(path = "partials/screen_live.html")]
struct LivePart<'a> {
    page: &'a Page,
    /// The contest's start and end in milliseconds since the epoch, for the countdown.
    starts_ms: i64,
    ends_ms: i64,
    /// The start (before it) or the end, with the zone named: "終了 13:00 (JST)".
    schedule: String,
    paused: bool,
    frozen_note: Option<String>,
    top_heading: String,
    top: Vec<Standing>,
    rest: Vec<Standing>,
    first_bloods: Vec<FirstBlood>,
    news: Vec<News>,
}

#[derive(Template)]
#[template(path = "screen.html")]
struct ScreenPage {
    page: Page,
    title: String,
    slug: String,
    top: usize,
    /// The server's time when the page was made: the countdown's reference, whatever the projector's clock says.
    now_ms: i64,
    clock_label: &'static str,
    clock_digits: String,
    live: String,
}

fn zone_of(contest: &contests::Model) -> Tz {
    contest.timezone.parse().unwrap_or(Tz::UTC)
}

/// A time on the screen: hours and minutes in the contest's zone, with the date when it is not the contest's
/// first day (an announcement made the day before).
fn clock_time(at: &DateTime<Utc>, zone: Tz, day: NaiveDate) -> String {
    let local = at.with_timezone(&zone);
    if local.date_naive() == day { local.format("%H:%M").to_string() } else { local.format("%m/%d %H:%M").to_string() }
}

/// A duration as the countdown shows it, `H:MM:SS`, seconds rounded up (as `screen.js` does): it reads 0:00:00
/// only once the time has come.
fn countdown_digits(millis: i64) -> String {
    let secs = u64::try_from(millis).unwrap_or(0).div_ceil(1000);
    format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// The countdown's label and digits at `now`: until the start, until the end, or over.
fn countdown(page: &Page, contest: &contests::Model, now: DateTime<Utc>) -> (&'static str, String) {
    match schedule_of(contest).phase(now) {
        Phase::Upcoming => (page.t.screen_starts_in, countdown_digits((contest.starts_at - now).num_milliseconds())),
        Phase::Running | Phase::Frozen => {
            (page.t.time_left, countdown_digits((contest.ends_at - now).num_milliseconds()))
        }
        Phase::Ended => (page.t.screen_over, String::new()),
    }
}

fn live_part<'a>(page: &'a Page, snap: &Snapshot, top: usize, now: DateTime<Utc>) -> LivePart<'a> {
    let contest = &snap.contest;
    let view = snap.view(false);
    let zone = zone_of(contest);
    let day = contest.starts_at.with_timezone(&zone).date_naive();
    let at = |t: &DateTime<Utc>| clock_time(t, zone, day);
    let named = |t: &DateTime<Utc>| format!("{} ({})", at(t), t.with_timezone(&zone).format("%Z"));
    let schedule = match schedule_of(contest).phase(now) {
        Phase::Upcoming => format!("{} {}", page.t.starts_at, named(&contest.starts_at)),
        _ => format!("{} {}", page.t.ends_at, named(&contest.ends_at)),
    };
    let frozen_note = view.until.filter(|_| snap.frozen_now(now)).map(|f| {
        page.lang.pick(
            format!("スコアボードは {} で凍結されています。それ以降の正解は結果の公開まで表示されません。", named(&f)),
            format!(
                "The scoreboard is frozen as of {}: solves after it are shown once the results are revealed.",
                named(&f)
            ),
        )
    });
    let standing = |r: &crate::domain::standings::Row| Standing {
        pos: r.pos,
        name: r.name.clone(),
        score: r.score.to_string(),
        solves: r.solves.len(),
    };
    let rows = &view.standings.overall;
    let team_name = |id: i32| snap.events.teams.iter().find(|t| t.id == id).map(|t| t.name.clone());
    let first_bloods = snap
        .events
        .first_solves(view.until)
        .iter()
        .filter_map(|s| {
            let challenge = snap.challenges.iter().find(|c| c.challenge.id == s.challenge_id)?;
            Some(FirstBlood {
                at: at(&s.at),
                team: team_name(s.team_id)?,
                challenge: page.lang.text(&challenge.challenge.title, &challenge.challenge.title_en).to_owned(),
            })
        })
        .take(FIRST_BLOODS)
        .collect();
    let news = snap
        .announcements
        .iter()
        .take(ANNOUNCEMENTS)
        .map(|a| News {
            at: at(&a.created_at),
            title: page.lang.text(&a.title, &a.title_en).to_owned(),
            body: markdown::to_html(page.lang.text(&a.body, &a.body_en)),
        })
        .collect();
    LivePart {
        page,
        starts_ms: contest.starts_at.timestamp_millis(),
        ends_ms: contest.ends_at.timestamp_millis(),
        schedule,
        paused: contest.paused,
        frozen_note,
        top_heading: page.lang.pick(format!("上位 {top} チーム"), format!("Top {top}")),
        top: rows.iter().take(top).map(standing).collect(),
        rest: rows.iter().skip(top).map(standing).collect(),
        first_bloods,
        news,
    }
}

/// What the live part depends on besides the snapshot: the phase and the freeze move with time alone.
fn live_key(page: &Page, snap: &Snapshot, top: usize, now: DateTime<Utc>) -> String {
    let phase = schedule_of(&snap.contest).phase(now);
    format!("screen:{top}:{}:{phase:?}:{}", page.lang.code(), snap.frozen_now(now))
}

fn render_live(page: &Page, snap: &Snapshot, top: usize, now: DateTime<Utc>) -> AppResult<Bytes> {
    page::render_bytes(&live_part(page, snap, top, now))
}

/// The ceremony's step on show, if one is under way: its plan, freeze and step.
async fn ceremony_on_show(
    state: &crate::startup::AppState,
    snap: &Snapshot,
    now: DateTime<Utc>,
) -> AppResult<Option<(Arc<Plan>, DateTime<Utc>, usize)>> {
    let Some((freeze, step)) = ceremony::on_show(&snap.contest, now) else { return Ok(None) };
    Ok(Some((state.live.ceremony(snap, freeze).await?, freeze, step)))
}

/// The live part's key and how to render it: the ceremony's step while one is under way, else the board.
fn live_of<'a>(
    page: &'a Page,
    snap: &'a Snapshot,
    top: usize,
    now: DateTime<Utc>,
    shown: Option<&'a (Arc<Plan>, DateTime<Utc>, usize)>,
) -> (String, impl FnOnce() -> AppResult<Bytes> + 'a) {
    let key = match shown {
        Some((_, _, step)) => format!("screen-ceremony:{step}:{}", page.lang.code()),
        None => live_key(page, snap, top, now),
    };
    (key, move || match shown {
        Some((plan, freeze, step)) => page::render_bytes(&ceremony::part(page, snap, plan, *step, *freeze)),
        None => render_live(page, snap, top, now),
    })
}

async fn screen(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    q: web::Query<TopQuery>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    reader(&state, &req, &contest).await?;
    let snap = state.live.get(&contest).await?.snapshot();
    let (top, now) = (q.n(), Utc::now());
    let shown = ceremony_on_show(&state, &snap, now).await?;
    let (key, render) = live_of(&page, &snap, top, now, shown.as_ref());
    let live = snap.rendered(key, render)?;
    let (clock_label, clock_digits) = countdown(&page, &snap.contest, now);
    page::ok(&ScreenPage {
        title: page.lang.text(&snap.contest.title, &snap.contest.title_en).to_owned(),
        slug: snap.contest.slug.clone(),
        top,
        now_ms: now.timestamp_millis(),
        clock_label,
        clock_digits,
        live: String::from_utf8_lossy(&live).into_owned(),
        page,
    })
}

/// `GET /contests/{slug}/screen/live`: the live part alone, fetched again on each event of the stream.
async fn fragment(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    q: web::Query<TopQuery>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    reader(&state, &req, &contest).await?;
    let snap = state.live.get(&contest).await?.snapshot();
    let (top, now) = (q.n(), Utc::now());
    let shown = ceremony_on_show(&state, &snap, now).await?;
    let (key, render) = live_of(&page, &snap, top, now, shown.as_ref());
    cached::respond(&req, &snap, key, "text/html; charset=utf-8", render)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_countdown_rounds_up_and_never_goes_below_zero() {
        assert_eq!(countdown_digits(3 * 3600 * 1000 + 25 * 60 * 1000 + 7 * 1000), "3:25:07");
        assert_eq!(countdown_digits(59_001), "0:01:00");
        assert_eq!(countdown_digits(1), "0:00:01");
        assert_eq!(countdown_digits(0), "0:00:00");
        assert_eq!(countdown_digits(-5_000), "0:00:00");
        assert_eq!(countdown_digits(30 * 3600 * 1000), "30:00:00");
    }

    #[test]
    fn times_name_the_date_only_off_the_contest_day() {
        let zone: Tz = "Asia/Tokyo".parse().expect("a zone");
        let day = NaiveDate::from_ymd_opt(2026, 10, 20).expect("a date");
        let at = |d, h| Utc.with_ymd_and_hms(2026, 10, d, h, 5, 0).single().expect("valid");
        assert_eq!(clock_time(&at(20, 4), zone, day), "13:05");
        assert_eq!(clock_time(&at(19, 14), zone, day), "10/19 23:05", "the evening before, in Tokyo");
    }

    #[test]
    fn top_is_bounded() {
        assert_eq!(TopQuery { top: None }.n(), DEFAULT_TOP);
        assert_eq!(TopQuery { top: Some(0) }.n(), 1);
        assert_eq!(TopQuery { top: Some(3) }.n(), 3);
        assert_eq!(TopQuery { top: Some(10_000) }.n(), MAX_TOP);
    }
}
