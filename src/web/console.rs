//! The organizers' console: running the day (pause, resume, announcements) and a contest's challenges as
//! `challenges sync` loaded them, with their files (size and SHA-256 beside each link).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::contests;

use serde::Deserialize;

use super::csrf::{CsrfForm, NoFields};
use super::error::{AppError, AppResult, Msg};
use super::extract::{ContestCtx, Organizer, state};
use super::page::{Page, ok, see_other};
use super::routes::{Routes, endpoint};
use crate::domain::names::{optional_text, without_nul};
use crate::domain::standings::{Entry, Points};

/// The title an announcement is pushed with.
fn page_title(a: &entity::announcements::Model) -> String {
    if a.title_en.is_empty() { a.title.clone() } else { format!("{} / {}", a.title, a.title_en) }
}
use crate::store;
use crate::store::challenges::ChallengeView;

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/console").get(home))
        .add(endpoint("/contests/{slug}/console/challenges").get(challenges))
        .add(endpoint("/contests/{slug}/console/pause").post(pause))
        .add(endpoint("/contests/{slug}/console/resume").post(resume))
        .add(endpoint("/contests/{slug}/console/announcements").post(announce))
        .add(endpoint("/contests/{slug}/console/reveal").post(reveal))
        .add(endpoint("/contests/{slug}/console/adjustments").post(adjust))
        .add(endpoint("/contests/{slug}/console/teams/{team}/visibility").post(team_visibility));
}

#[derive(Template)]
#[template(path = "console.html")]
struct HomePage {
    page: Page,
    contest: contests::Model,
    title: String,
    ended: bool,
    teams: Vec<entity::teams::Model>,
    areas: Vec<entity::areas::Model>,
    adjustments: Vec<AdjustmentRow>,
}

/// An adjustment as the console lists it.
pub struct AdjustmentRow {
    pub team: String,
    pub area: String,
    pub points: String,
    pub reason: String,
    pub at: String,
}

async fn home(req: HttpRequest, page: Page, ContestCtx(contest): ContestCtx, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let teams = store::teams::all_of_contest(&state.db, contest.id).await?;
    let areas = store::challenges::areas_of(&state.db, contest.id).await?;
    let adjustments = store::scores::adjustments_of(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|a| AdjustmentRow {
            team: teams.iter().find(|t| t.id == a.team_id).map(|t| t.name.clone()).unwrap_or_default(),
            area: a.area_id.and_then(|id| areas.iter().find(|x| x.id == id)).map(|x| x.key.clone()).unwrap_or_default(),
            points: Points(a.centipoints).to_string(),
            reason: a.reason,
            at: page.time(&a.created_at, &contest.timezone),
        })
        .collect();
    ok(&HomePage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        ended: Utc::now() >= contest.ends_at,
        page,
        contest,
        teams,
        areas,
        adjustments,
    })
}

/// After the end, organizers lift the freeze for everyone.
async fn reveal(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
    _: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    if Utc::now() < contest.ends_at {
        return Err(AppError::Forbidden(Msg::RevealAfterEnd));
    }
    store::contests::set_revealed(&state.db, contest.id, true).await?;
    state.live.changed(contest.id).await?;
    // The revealed standings are the final ones: the archive keeps them.
    let snap = state.live.get(&contest).await?.snapshot();
    let finals: Vec<(i32, i32, i64)> = snap
        .full
        .standings
        .overall
        .iter()
        .map(|r| (r.team_id, i32::try_from(r.pos).unwrap_or(i32::MAX), r.score.0))
        .collect();
    store::teams::set_final(&state.db, &finals).await?;
    Ok(see_other(&format!("/contests/{}/scoreboard", contest.slug)))
}

#[derive(Deserialize, Default)]
pub struct AdjustFields {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
}

/// ± points for a team, with a reason, recorded with who and when.
async fn adjust(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<AdjustFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team_id: i32 = form.team_id.trim().parse().map_err(|_| AppError::field("team_id", Msg::NotANumber))?;
    let team = store::teams::by_id(&state.db, contest.id, team_id).await?.ok_or(AppError::NotFound)?;
    let points = parse_points(&form.points).ok_or(AppError::field("points", Msg::NotANumber))?;
    let reason = optional_text(Some(&form.reason), 500)
        .map_err(|e| AppError::field("reason", e))?
        .ok_or(AppError::field("reason", Msg::Required))?;
    let area_id = match form.area.trim() {
        "" => None,
        key => Some(
            store::challenges::areas_of(&state.db, contest.id)
                .await?
                .into_iter()
                .find(|a| a.key == key)
                .ok_or(AppError::field("area", Msg::BadRequest))?
                .id,
        ),
    };
    let row = store::scores::adjust(
        &state.db,
        store::scores::NewAdjustment {
            contest_id: contest.id,
            team_id: team.id,
            area_id,
            points,
            reason,
            author_id: organizer.id,
        },
    )
    .await?;
    state.live.entry(contest.id, Entry { team_id: team.id, area_id, points, at: row.created_at });
    crate::live::bus::notify(&state.db, contest.id).await;
    Ok(see_other(&format!("/contests/{}/console#adjustments", contest.slug)))
}

/// Points as people type them: `-20`, `14.7`, `+5.25`.
fn parse_points(text: &str) -> Option<Points> {
    let text = text.trim().trim_start_matches('+');
    let value: f64 = text.parse().ok()?;
    (value.is_finite() && value.abs() < 1e9).then(|| Points((value * 100.0).round() as i64))
}

#[derive(Deserialize)]
struct TeamPath {
    team: i32,
}

#[derive(Deserialize, Default)]
pub struct VisibilityFields {
    #[serde(default)]
    hidden: String,
}

/// Hides a team from the standings (organizers' and staff teams), or shows it again.
async fn team_visibility(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
    path: web::Path<TeamPath>,
    CsrfForm(form): CsrfForm<VisibilityFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = store::teams::by_id(&state.db, contest.id, path.team).await?.ok_or(AppError::NotFound)?;
    store::teams::set_hidden(&state.db, team.id, form.hidden == "true").await?;
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}/console#teams", contest.slug)))
}

async fn set_paused(req: &HttpRequest, contest: &contests::Model, paused: bool) -> AppResult<HttpResponse> {
    let state = state(req)?;
    store::play::set_paused(&state.db, contest.id, paused).await?;
    // Answers are judged against the contest in memory: every instance must see the switch at once.
    state.live.changed(contest.id).await?;
    tracing::info!(contest = %contest.slug, paused, "contest pause switched");
    Ok(see_other(&format!("/contests/{}/console", contest.slug)))
}

async fn pause(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
    _: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    set_paused(&req, &contest, true).await
}

async fn resume(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
    _: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    set_paused(&req, &contest, false).await
}

#[derive(Deserialize, Default)]
pub struct AnnouncementFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    title_en: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    body_en: String,
}

async fn announce(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<AnnouncementFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let title = optional_text(Some(&form.title), 200).map_err(|e| AppError::field("title", e))?;
    let Some(title) = title else {
        return Err(AppError::field("title", Msg::Required));
    };
    let title_en =
        optional_text(Some(&form.title_en), 200).map_err(|e| AppError::field("title_en", e))?.unwrap_or_default();
    if form.body.len() > 20_000 || form.body_en.len() > 20_000 {
        return Err(AppError::field("body", Msg::TooLong { max: 20_000 }));
    }
    let row = store::play::announce(
        &state.db,
        store::play::NewAnnouncement {
            contest_id: contest.id,
            title,
            title_en,
            body: without_nul(&form.body),
            body_en: without_nul(&form.body_en),
            author_id: organizer.id,
        },
    )
    .await?;
    let note = serde_json::json!({"id": row.id, "title": page_title(&row), "content": row.body});
    state.live.announce(contest.id, note.to_string());
    Ok(see_other(&format!("/contests/{}#announcements", contest.slug)))
}

/// A challenge as the console lists it.
pub struct Row {
    pub view: ChallengeView,
    pub title: String,
    pub requires: Vec<String>,
    pub datasets: Vec<String>,
    pub tags: Vec<String>,
    pub digests: usize,
}

pub struct AreaRows {
    pub name: String,
    pub key: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "console_challenges.html")]
struct ChallengesPage {
    page: Page,
    contest: contests::Model,
    title: String,
    areas: Vec<AreaRows>,
}

async fn challenges(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let views = store::challenges::of_contest(&state.db, contest.id).await?;
    let mut areas: Vec<AreaRows> = store::challenges::areas_of(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|a| AreaRows { name: page.lang.text(&a.name, &a.name_en).to_owned(), key: a.key, rows: Vec::new() })
        .collect();
    for view in views {
        let c = &view.challenge;
        let row = Row {
            title: page.lang.text(&c.title, &c.title_en).to_owned(),
            requires: ChallengeView::list(&c.requires),
            datasets: ChallengeView::list(&c.datasets),
            tags: ChallengeView::list(&c.tags),
            digests: ChallengeView::list(&c.answer_digests).len(),
            view,
        };
        if let Some(area) = areas.iter_mut().find(|a| a.key == row.view.area.key) {
            area.rows.push(row);
        }
    }
    ok(&ChallengesPage { title: page.lang.text(&contest.title, &contest.title_en).to_owned(), page, contest, areas })
}
