//! A contest's overview, and its teams from a member's side: create, join by invite code, leave,
//! renew the code.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use askama::Template;
use chrono::Utc;
use entity::contests;
use serde::Deserialize;

use crate::domain::clock::{Phase, Schedule};
use crate::domain::names::{TeamName, optional_text};
use crate::store;
use crate::store::teams::TeamView;
use crate::web::account::home::phase_label;
use crate::web::kit::csrf::{Confirmed, CsrfForm, NoFields};
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, CurrentUser, state};
use crate::web::kit::page::{Page, ok, render, see_other};
use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}").get(overview))
        .add(endpoint("/contests/{slug}/teams").post(create_team))
        .add(endpoint("/contests/{slug}/join").post(join_team))
        .add(endpoint("/contests/{slug}/team").get(my_team))
        .add(endpoint("/contests/{slug}/team/invite").post(renew_invite))
        .add(endpoint("/contests/{slug}/team/leave").post(leave_team));
}

pub fn schedule_of(contest: &contests::Model) -> Schedule {
    Schedule { starts_at: contest.starts_at, ends_at: contest.ends_at, freeze_at: contest.freeze_at }
}

/// Teams change before and during a contest, not after it.
fn teams_may_change(contest: &contests::Model) -> AppResult<()> {
    if schedule_of(contest).phase(Utc::now()) == Phase::Ended {
        Err(AppError::Forbidden(Msg::ContestEnded))
    } else {
        Ok(())
    }
}

#[derive(Template)]
#[template(path = "contest.html")]
struct ContestPage {
    page: Page,
    contest: contests::Model,
    title: String,
    /// Sanitised HTML.
    description: String,
    phase: &'static str,
    teams: u64,
    my_team: Option<String>,
    /// Whether the viewer may open the board now.
    board_open: bool,
    /// Whether the contest has a judged `hackathon` area (entries and judging).
    hackathon: bool,
    announcements: Vec<AnnouncementRow>,
    team_name: String,
    affiliation: String,
    invite_code: String,
}

/// An announcement as the contest page shows it.
pub struct AnnouncementRow {
    pub title: String,
    /// Sanitised HTML.
    pub body: String,
    pub at: String,
}

struct Draft {
    team_name: String,
    affiliation: String,
    invite_code: String,
}

async fn contest_page(
    req: &HttpRequest,
    page: Page,
    contest: contests::Model,
    draft: Draft,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let state = state(req)?;
    let my_team = match &page.viewer {
        Some(v) => store::teams::of_user(&state.db, contest.id, v.id).await?.map(|t| t.name),
        None => None,
    };
    let teams = store::teams::count_in_contest(&state.db, contest.id).await?;
    let started = Utc::now() >= contest.starts_at;
    let board_open = (my_team.is_some() && started) || page.is_organizer() || page.is_judge();
    // The areas as the live view holds them: the contest page is read often, and needs no query for this.
    let hackathon =
        state.live.get(&contest).await?.snapshot().areas.iter().any(|a| a.key == crate::domain::spec::HACKATHON);
    let announcements = store::play::announcements(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|a| AnnouncementRow {
            title: page.lang.text(&a.title, &a.title_en).to_owned(),
            body: crate::web::kit::markdown::to_html(page.lang.text(&a.body, &a.body_en)),
            at: page.time(&a.created_at, &contest.timezone),
        })
        .collect();
    let phase = phase_label(&page, schedule_of(&contest).phase(Utc::now()));
    render(
        status,
        &ContestPage {
            title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
            description: crate::web::kit::markdown::to_html(
                page.lang.text(&contest.description, &contest.description_en),
            ),
            page,
            phase,
            teams,
            my_team,
            board_open,
            hackathon,
            announcements,
            contest,
            team_name: draft.team_name,
            affiliation: draft.affiliation,
            invite_code: draft.invite_code,
        },
    )
}

async fn overview(req: HttpRequest, page: Page, ContestCtx(contest): ContestCtx) -> AppResult<HttpResponse> {
    let draft = Draft { team_name: String::new(), affiliation: String::new(), invite_code: String::new() };
    contest_page(&req, page, contest, draft, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
pub struct CreateFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    affiliation: String,
}

async fn create_team(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    CsrfForm(form): CsrfForm<CreateFields>,
) -> AppResult<HttpResponse> {
    let result = async {
        teams_may_change(&contest)?;
        if contest.teams_by_organizers {
            return Err(AppError::Forbidden(Msg::TeamsByOrganizers));
        }
        let name = TeamName::parse(&form.name).map_err(|e| AppError::field("name", e))?;
        let affiliation = optional_text(Some(&form.affiliation), 128).map_err(|e| AppError::field("affiliation", e))?;
        let state = state(&req)?;
        let new = store::teams::NewTeam { contest_id: contest.id, name: &name, affiliation, captain_id: Some(user.id) };
        store::teams::create(&state.db, new).await?;
        state.live.forget_user(user.id).await;
        state.live.changed(contest.id).await?;
        Ok(see_other(&format!("/contests/{}/team", contest.slug)))
    }
    .await;
    let draft = Draft { team_name: form.name, affiliation: form.affiliation, invite_code: String::new() };
    form_result(&req, page, contest, draft, result).await
}

#[derive(Deserialize, Default)]
pub struct JoinFields {
    #[serde(default)]
    code: String,
}

async fn join_team(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    CsrfForm(form): CsrfForm<JoinFields>,
) -> AppResult<HttpResponse> {
    let result = async {
        teams_may_change(&contest)?;
        let state = state(&req)?;
        let team = store::teams::by_invite_code(&state.db, contest.id, &form.code)
            .await?
            .ok_or_else(|| AppError::field("code", Msg::NoSuchInviteCode))?;
        store::teams::add_member(&state.db, team.id, user.id, contest.max_team_size).await?;
        state.live.forget_user(user.id).await;
        Ok(see_other(&format!("/contests/{}/team", contest.slug)))
    }
    .await;
    let draft = Draft { team_name: String::new(), affiliation: String::new(), invite_code: form.code };
    form_result(&req, page, contest, draft, result).await
}

/// A refused form comes back as the contest page with the message and what was typed.
async fn form_result(
    req: &HttpRequest,
    page: Page,
    contest: contests::Model,
    draft: Draft,
    result: AppResult<HttpResponse>,
) -> AppResult<HttpResponse> {
    match result {
        Ok(res) => Ok(res),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = e.status_code();
            contest_page(req, page.with_error(&e), contest, draft, status).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    page: Page,
    contest: contests::Model,
    contest_title: String,
    view: TeamView,
    is_captain: bool,
    zone: String,
}

async fn my_team(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let Some(team) = store::teams::of_user(&state.db, contest.id, user.id).await? else {
        return Ok(see_other(&format!("/contests/{}", contest.slug)));
    };
    let view = store::teams::view(&state.db, team).await?;
    ok(&TeamPage {
        contest_title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        zone: contest.timezone.clone(),
        is_captain: view.team.captain_id == Some(user.id),
        page,
        contest,
        view,
    })
}

async fn renew_invite(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team =
        store::teams::of_user(&state.db, contest.id, user.id).await?.ok_or(AppError::Forbidden(Msg::NotInTeam))?;
    if team.captain_id != Some(user.id) {
        return Err(AppError::Forbidden(Msg::CaptainOnly));
    }
    store::teams::renew_invite(&state.db, team.id).await?;
    state.live.forget_team(team.id).await;
    Ok(see_other(&format!("/contests/{}/team", contest.slug)))
}

async fn leave_team(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    CsrfForm(form): CsrfForm<Confirmed>,
) -> AppResult<HttpResponse> {
    form.check()?;
    teams_may_change(&contest)?;
    let state = state(&req)?;
    let team =
        store::teams::of_user(&state.db, contest.id, user.id).await?.ok_or(AppError::Forbidden(Msg::NotInTeam))?;
    store::teams::leave(&state.db, team.id, user.id).await?;
    state.live.forget_user(user.id).await;
    state.live.forget_team(team.id).await;
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}", contest.slug)))
}
