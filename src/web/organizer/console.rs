//! The organizers' console: running the day (pause, resume, announcements, adjustments, team visibility,
//! reveal; each audited through `trail`) and a contest's challenges as `challenges sync` loaded them, with their
//! files, solves, first solver and most frequent wrong answers.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::{contests, users};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::clock::form_time;
use crate::domain::names::{optional_text, without_nul};
use crate::domain::standings::{Entry, EntryKind, Points};
use crate::web::kit::csrf::{Confirmed, CsrfForm, NoFields};
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Organizer, state};
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;

use crate::store;
use crate::store::challenges::ChallengeView;

/// The title an announcement is pushed with.
pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/console").get(home))
        .add(endpoint("/contests/{slug}/console/challenges").get(challenges))
        .add(endpoint("/contests/{slug}/console/pause").post(pause))
        .add(endpoint("/contests/{slug}/console/resume").post(resume))
        .add(endpoint("/contests/{slug}/console/announcements").post(announce))
        .add(endpoint("/contests/{slug}/console/reveal").post(reveal))
        .add(endpoint("/contests/{slug}/console/adjustments").post(adjust))
        .add(endpoint("/contests/{slug}/console/teams/{team}/visibility").post(team_visibility))
        .add(endpoint("/contests/{slug}/console/teams/{team}/disqualification").post(disqualification));
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
    /// The contest's times as the settings form shows them (in its zone), and each area's window.
    times: [String; 3],
    windows: Vec<WindowRow>,
    /// Whether the contest has a judged `hackathon` area.
    hackathon: bool,
    /// Whether the closing ceremony may reveal the results (a freeze hid some).
    ceremony: bool,
}

/// An area's window as its form shows it: the times in force, and whether each is the contest's own.
struct WindowRow {
    key: String,
    name: String,
    opens: String,
    closes: String,
    opens_follows: bool,
    closes_follows: bool,
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
    let zone = contest.timezone.as_str();
    let times = [
        form_time(Some(contest.starts_at), zone),
        form_time(Some(contest.ends_at), zone),
        form_time(contest.freeze_at, zone),
    ];
    let windows = areas
        .iter()
        .map(|a| WindowRow {
            key: a.key.clone(),
            name: page.lang.text(&a.name, &a.name_en).to_owned(),
            opens: form_time(Some(a.opens_at.unwrap_or(contest.starts_at)), zone),
            closes: form_time(Some(a.closes_at.unwrap_or(contest.ends_at)), zone),
            opens_follows: a.opens_at.is_none(),
            closes_follows: a.closes_at.is_none(),
        })
        .collect();
    ok(&HomePage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        ended: Utc::now() >= contest.ends_at,
        ceremony: crate::domain::ceremony::allowed(contest.ends_at, contest.freeze_at, contest.revealed, Utc::now())
            .is_ok(),
        hackathon: areas.iter().any(|a| a.key == crate::domain::spec::HACKATHON),
        times,
        windows,
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
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<Confirmed>,
) -> AppResult<HttpResponse> {
    form.check()?;
    let state = state(&req)?;
    if Utc::now() < contest.ends_at {
        return Err(AppError::Forbidden(Msg::RevealAfterEnd));
    }
    let txn = state.db.begin().await?;
    store::contests::set_revealed(&txn, contest.id, true).await?;
    trail::record(
        &txn,
        Some(contest.id),
        &organizer,
        "contest.reveal",
        trail::contest_target(&contest),
        json!({"revealed": contest.revealed}),
        json!({"revealed": true}),
    )
    .await?;
    txn.commit().await?;
    revealed(&state, &contest).await?;
    Ok(see_other(&format!("/contests/{}/scoreboard", contest.slug)))
}

/// After a reveal's commit (here, or at the end of the closing ceremony): every view shows the final standings,
/// and the archive keeps them.
pub async fn revealed(state: &crate::startup::AppState, contest: &contests::Model) -> AppResult<()> {
    state.live.changed(contest.id).await?;
    let snap = state.live.get(contest).await?.snapshot();
    let finals: Vec<(i32, i32, i64)> = snap
        .full
        .standings
        .overall
        .iter()
        .map(|r| (r.team_id, i32::try_from(r.pos).unwrap_or(i32::MAX), r.score.0))
        .collect();
    store::teams::set_final(&state.db, &finals).await?;
    for (team_id, _, _) in &finals {
        state.live.forget_team(*team_id).await;
    }
    Ok(())
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
    let txn = state.db.begin().await?;
    let after = json!({"points": points.to_string(), "area": form.area.trim(), "reason": reason});
    let row = store::scores::adjust(
        &txn,
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
    trail::record(&txn, Some(contest.id), &organizer, "scores.adjust", trail::team_target(&team), Value::Null, after)
        .await?;
    txn.commit().await?;
    state.live.notify(contest.id);
    let entry = Entry { team_id: team.id, area_id, points, at: row.created_at, kind: EntryKind::Adjustment };
    state.live.entry(contest.id, entry).await;
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
    Organizer(organizer): Organizer,
    path: web::Path<TeamPath>,
    CsrfForm(form): CsrfForm<VisibilityFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = store::teams::by_id(&state.db, contest.id, path.team).await?.ok_or(AppError::NotFound)?;
    let hidden = form.hidden == "true";
    let txn = state.db.begin().await?;
    store::teams::set_hidden(&txn, team.id, hidden).await?;
    let (before, after) = (json!({"hidden": team.hidden}), json!({"hidden": hidden}));
    trail::record(&txn, Some(contest.id), &organizer, "team.visibility", trail::team_target(&team), before, after)
        .await?;
    txn.commit().await?;
    state.live.forget_team(team.id).await;
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}/console#teams", contest.slug)))
}

#[derive(Deserialize, Default)]
pub struct DisqualificationFields {
    #[serde(default)]
    disqualified: String,
    #[serde(default)]
    reason: String,
}

/// Disqualifies a team, with the reason (it leaves the standings and its answers are refused), or
/// reinstates it.
async fn disqualification(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    path: web::Path<TeamPath>,
    CsrfForm(form): CsrfForm<DisqualificationFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = store::teams::by_id(&state.db, contest.id, path.team).await?.ok_or(AppError::NotFound)?;
    let disqualified = form.disqualified == "true";
    let reason = optional_text(Some(&form.reason), 500).map_err(|e| AppError::field("reason", e))?;
    if disqualified && reason.is_none() {
        return Err(AppError::field("reason", Msg::Required));
    }
    let txn = state.db.begin().await?;
    store::teams::set_disqualified(&txn, team.id, disqualified).await?;
    let action = if disqualified { "team.disqualify" } else { "team.reinstate" };
    let before = json!({"disqualified": team.disqualified});
    let after = json!({"disqualified": disqualified, "reason": reason});
    trail::record(&txn, Some(contest.id), &organizer, action, trail::team_target(&team), before, after).await?;
    txn.commit().await?;
    state.live.forget_team(team.id).await;
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}/console#teams", contest.slug)))
}

async fn set_paused(
    req: &HttpRequest,
    contest: &contests::Model,
    organizer: &users::Model,
    paused: bool,
) -> AppResult<HttpResponse> {
    let state = state(req)?;
    let txn = state.db.begin().await?;
    store::play::set_paused(&txn, contest.id, paused).await?;
    let action = if paused { "contest.pause" } else { "contest.resume" };
    let (before, after) = (json!({"paused": contest.paused}), json!({"paused": paused}));
    trail::record(&txn, Some(contest.id), organizer, action, trail::contest_target(contest), before, after).await?;
    txn.commit().await?;
    // Answers are judged against the contest in memory: every instance must see the switch at once.
    state.live.changed(contest.id).await?;
    tracing::info!(contest = %contest.slug, paused, "contest pause switched");
    Ok(see_other(&format!("/contests/{}/console", contest.slug)))
}

async fn pause(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<Confirmed>,
) -> AppResult<HttpResponse> {
    form.check()?;
    set_paused(&req, &contest, &organizer, true).await
}

async fn resume(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    _: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    set_paused(&req, &contest, &organizer, false).await
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
    let txn = state.db.begin().await?;
    let row = store::play::announce(
        &txn,
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
    let after = json!({"id": row.id, "title": row.title, "title_en": row.title_en});
    trail::record(
        &txn,
        Some(contest.id),
        &organizer,
        "announcement.post",
        trail::contest_target(&contest),
        Value::Null,
        after,
    )
    .await?;
    txn.commit().await?;
    state.live.announce(&row).await;
    Ok(see_other(&format!("/contests/{}#announcements", contest.slug)))
}

/// A challenge as the console lists it.
pub struct Row {
    pub view: ChallengeView,
    pub title: String,
    pub solves: usize,
    /// The first team to solve it and when.
    pub first: Option<(String, String)>,
    pub stats: store::disputes::ChallengeStats,
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
    /// Withdrawn challenges (slug, title), which organizers may bring back.
    withdrawn: Vec<(String, String)>,
}

async fn challenges(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let views = store::challenges::of_contest(&state.db, contest.id).await?;
    let mut stats = store::disputes::challenge_stats(&state.db, contest.id, 5).await?;
    let snap = state.live.get(&contest).await?.snapshot();
    let team_name = |id: i32| snap.events.teams.iter().find(|t| t.id == id).map(|t| t.name.clone()).unwrap_or_default();
    let mut areas: Vec<AreaRows> = store::challenges::areas_of(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|a| AreaRows { name: page.lang.text(&a.name, &a.name_en).to_owned(), key: a.key, rows: Vec::new() })
        .collect();
    for view in views {
        let c = &view.challenge;
        let solves: Vec<_> = snap.events.solves.iter().filter(|s| s.challenge_id == c.id).collect();
        let first =
            solves.iter().min_by_key(|s| s.at).map(|s| (team_name(s.team_id), page.time(&s.at, &contest.timezone)));
        let row = Row {
            title: page.lang.text(&c.title, &c.title_en).to_owned(),
            solves: solves.len(),
            first,
            stats: stats.remove(&c.id).unwrap_or_default(),
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
    let withdrawn = store::challenges::withdrawn_of(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|c| (page.lang.text(&c.title, &c.title_en).to_owned(), c.slug))
        .map(|(title, slug)| (slug, title))
        .collect();
    ok(&ChallengesPage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        page,
        contest,
        areas,
        withdrawn,
    })
}
