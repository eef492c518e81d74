//! The organizers' console: running the day (pause, resume, announcements) and a contest's challenges as
//! `challenges sync` loaded them, with their files (size and SHA-256 beside each link).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use entity::contests;

use serde::Deserialize;

use super::csrf::{CsrfForm, NoFields};
use super::error::{AppError, AppResult, Msg};
use super::extract::{ContestCtx, Organizer, state};
use super::page::{Page, ok, see_other};
use crate::domain::names::optional_text;
use crate::store;
use crate::store::challenges::ChallengeView;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/contests/{slug}/console").route(web::get().to(home)))
        .service(super::resource("/contests/{slug}/console/challenges").route(web::get().to(challenges)))
        .service(super::resource("/contests/{slug}/console/pause").route(web::post().to(pause)))
        .service(super::resource("/contests/{slug}/console/resume").route(web::post().to(resume)))
        .service(super::resource("/contests/{slug}/console/announcements").route(web::post().to(announce)));
}

#[derive(Template)]
#[template(path = "console.html")]
struct HomePage {
    page: Page,
    contest: contests::Model,
    title: String,
}

async fn home(page: Page, ContestCtx(contest): ContestCtx, _: Organizer) -> AppResult<HttpResponse> {
    ok(&HomePage { title: page.lang.text(&contest.title, &contest.title_en).to_owned(), page, contest })
}

async fn set_paused(req: &HttpRequest, contest: &contests::Model, paused: bool) -> AppResult<HttpResponse> {
    let state = state(req)?;
    store::play::set_paused(&state.db, contest.id, paused).await?;
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
    store::play::announce(
        &state.db,
        store::play::NewAnnouncement {
            contest_id: contest.id,
            title,
            title_en,
            body: form.body,
            body_en: form.body_en,
            author_id: organizer.id,
        },
    )
    .await?;
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
