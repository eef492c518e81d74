//! Searching the archive across years, ranked, filtered by year, area and kind; only what the asker may see.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Asker, KINDS};
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::web::kit::error::AppResult;
use crate::web::kit::extract::state;
use crate::web::kit::page::{Page, ok};

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    kind: String,
}

pub struct Hit {
    pub id: i32,
    pub title: String,
    pub kind: String,
    pub contest_slug: String,
    pub contest_title: String,
    pub team: String,
}

#[derive(Template)]
#[template(path = "archive_search.html")]
struct SearchPage {
    page: Page,
    q: String,
    /// (slug, title, selected) of each year; (key, selected) of each area and kind.
    years: Vec<(String, String, bool)>,
    areas: Vec<(String, bool)>,
    kinds: Vec<(String, bool)>,
    hits: Vec<Hit>,
    searched: bool,
}

/// Search across years, ranked; filters by year, area and kind; only what the asker may see.
pub(super) async fn search(req: HttpRequest, page: Page, q: web::Query<SearchQuery>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let contests = store::archive::ended_contests(&state.db).await?;
    let years = contests
        .iter()
        .map(|c| (c.slug.clone(), page.lang.text(&c.title, &c.title_en).to_owned(), c.slug == q.year))
        .collect();
    let areas =
        ["static", "dynamic", "surface", "dfir", "hackathon"].iter().map(|a| ((*a).to_owned(), *a == q.area)).collect();
    let kinds = KINDS.iter().map(|k| ((*k).to_owned(), *k == q.kind)).collect();
    let ids = store::search::find(&state.db, &q.q).await?;
    let mut askers: HashMap<i32, Asker> = HashMap::new();
    let mut hits = Vec::new();
    for item in store::archive::by_ids(&state.db, &ids).await? {
        let Some(contest) = contests.iter().find(|c| c.id == item.contest_id) else { continue };
        if (!q.year.is_empty() && contest.slug != q.year) || (!q.kind.is_empty() && item.kind != q.kind) {
            continue;
        }
        if !q.area.is_empty() && !ChallengeView::list(&item.areas).contains(&q.area) {
            continue;
        }
        let asker = match askers.entry(contest.id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(Asker::of(&state, &req, contest).await?),
        };
        if !asker.may_see(&item) {
            continue;
        }
        let team = store::teams::by_id(&state.db, contest.id, item.team_id).await?.map(|t| t.name).unwrap_or_default();
        hits.push(Hit {
            id: item.id,
            title: item.title,
            kind: item.kind,
            contest_slug: contest.slug.clone(),
            contest_title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
            team,
        });
    }
    ok(&SearchPage { searched: !q.q.trim().is_empty(), q: q.q.clone(), years, areas, kinds, hits, page })
}
