//! The organizers' console. For now: a contest's challenges as `challenges sync` loaded them, with their
//! files (size and SHA-256 beside each link), to check an import before the day.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use entity::contests;

use super::error::AppResult;
use super::extract::{ContestCtx, Organizer, state};
use super::page::{Page, ok};
use crate::store;
use crate::store::challenges::ChallengeView;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(super::resource("/contests/{slug}/console/challenges").route(web::get().to(challenges)));
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
