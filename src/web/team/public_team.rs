//! `/teams/{id}`, where CTFd's scoreboard points (`account_url`): a team as the scoreboard's readers may see it —
//! its members, place, score and solves, cut at the freeze as the scoreboard is. After the contest the archive's
//! page of the team says more, and this one leads there.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::{contests, teams};
use serde::Deserialize;

use crate::store;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::extract::{caller_if_any, state};
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::team::scoreboard::reader;

pub fn configure(routes: &mut Routes) {
    routes.add(endpoint("/teams/{id}").get(team_page));
}

#[derive(Deserialize)]
struct TeamPath {
    id: i32,
}

pub struct SolveRow {
    pub area: String,
    pub title: String,
    pub points: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "team_public.html")]
struct TeamPublicPage {
    page: Page,
    contest: contests::Model,
    team: teams::Model,
    members: Vec<String>,
    /// Place and score in the reader's view of the standings.
    standing: Option<(usize, String)>,
    solves: Vec<SolveRow>,
}

async fn team_page(req: HttpRequest, page: Page, path: web::Path<TeamPath>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = store::teams::find(&state.db, path.id).await?.ok_or(AppError::NotFound)?;
    let contest = store::contests::by_id(&state.db, team.contest_id).await?.ok_or(AppError::NotFound)?;
    if Utc::now() >= contest.ends_at && !team.hidden {
        return Ok(see_other(&format!("/archive/{}/teams/{}", contest.slug, team.id)));
    }
    let reader = reader(&state, &req, &contest).await?;
    let own = match caller_if_any(&req).await? {
        Some(user) => state.live.identities.team_of(contest.id, user.id).await?.is_some_and(|t| t.id == team.id),
        None => false,
    };
    if (team.hidden || team.disqualified) && !reader.organizer && !own {
        return Err(AppError::NotFound);
    }
    let snapshot = state.live.get(&contest).await?.snapshot();
    let view = snapshot.view(reader.organizer || own);
    let row = view.standings.overall.iter().find(|r| r.team_id == team.id);
    let zone = &contest.timezone;
    let solves = row
        .map(|r| {
            r.solves
                .iter()
                .filter_map(|s| {
                    let v = snapshot.challenges.iter().find(|v| v.challenge.id == s.challenge_id)?;
                    Some(SolveRow {
                        area: page.lang.text(&v.area.name, &v.area.name_en).to_owned(),
                        title: page.lang.text(&v.challenge.title, &v.challenge.title_en).to_owned(),
                        points: s.points.to_string(),
                        at: page.time(&s.at, zone),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let standing = row.map(|r| (r.pos, r.score.to_string()));
    let members = store::teams::view(&state.db, team.clone()).await?.members.into_iter().map(|m| m.username).collect();
    ok(&TeamPublicPage { page, contest, team, members, standing, solves })
}
