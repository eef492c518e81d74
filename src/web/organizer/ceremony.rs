//! The closing ceremony, driven by an organizer: `/contests/{slug}/ceremony` shows the step on show with its
//! controls (keys through `assets/ceremony.js`, plain forms without it), `…/ceremony/step` moves it, and
//! `…/ceremony.json` lists every step for a venue that draws its own display. The step is kept in the
//! database (`contests.ceremony_step`), so every instance shows the same; the venue screen follows it through
//! the public stream. Starting and finishing are audited; finishing is the reveal. Single steps are not audited:
//! they reveal nothing that the finish does not, and a ceremony is hundreds of them.

use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, Utc};
use entity::contests;
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::ceremony::{self, Kind, Placed, Plan, Step};
use crate::store::{self, contests::CeremonyMove};
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Organizer, state};
use crate::web::kit::page::{self, Page, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;
use crate::web::team::ceremony as view;

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/ceremony").get(show))
        .add(endpoint("/contests/{slug}/ceremony/step").post(step))
        .add(endpoint("/contests/{slug}/ceremony.json").get(steps_json));
}

/// The contest as the database has it now (the step may have moved on another instance a moment ago), and its
/// freeze, if it may hold its ceremony.
async fn ceremony_contest(
    state: &crate::startup::AppState,
    contest: &contests::Model,
) -> AppResult<(contests::Model, DateTime<Utc>)> {
    let contest = store::contests::by_id(&state.db, contest.id).await?.ok_or(AppError::NotFound)?;
    let freeze = ceremony::allowed(contest.ends_at, contest.freeze_at, contest.revealed, Utc::now())
        .map_err(|refusal| AppError::Conflict(Msg::NoCeremony(refusal)))?;
    Ok((contest, freeze))
}

/// The plan of a contest's ceremony.
async fn plan_of(
    state: &crate::startup::AppState,
    contest: &contests::Model,
    freeze: DateTime<Utc>,
) -> AppResult<(std::sync::Arc<crate::live::Snapshot>, std::sync::Arc<Plan>)> {
    let snap = state.live.get(contest).await?.snapshot();
    let plan = state.live.ceremony(&snap, freeze).await?;
    Ok((snap, plan))
}

#[derive(Template)]
#[template(path = "ceremony.html")]
struct CeremonyPage {
    page: Page,
    title: String,
    slug: String,
    /// The step on show; `None` before the start.
    step: Option<usize>,
    last: usize,
    /// Results to reveal and award steps, for the start.
    reveals: usize,
    awards: usize,
    /// The step's part, rendered as the venue screen shows it.
    part: String,
}

/// `GET /contests/{slug}/ceremony`: the step on show (or the frozen standings and the start) and the controls.
async fn show(req: HttpRequest, page: Page, ContestCtx(contest): ContestCtx, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let (contest, freeze) = ceremony_contest(&state, &contest).await?;
    let (snap, plan) = plan_of(&state, &contest, freeze).await?;
    let step = contest.ceremony_step.and_then(|s| usize::try_from(s).ok()).map(|s| s.min(plan.last()));
    let part = page::render_bytes(&view::part(&page, &snap, &plan, step.unwrap_or(0), freeze))?;
    let awards = plan.steps.iter().filter(|s| matches!(s, Step::Award(_))).count();
    page::ok(&CeremonyPage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        slug: contest.slug.clone(),
        step,
        last: plan.last(),
        reveals: plan.last() - awards,
        awards,
        part: String::from_utf8_lossy(&part).into_owned(),
        page,
    })
}

#[derive(Deserialize, Default)]
struct StepFields {
    #[serde(default)]
    action: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /contests/{slug}/ceremony/step`: `action` is `start`, `next`, `back`, `end` or `finish` (with
/// `confirm`: finishing reveals the results to everyone).
async fn step(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<StepFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let (contest, freeze) = ceremony_contest(&state, &contest).await?;
    let here = format!("/contests/{}/ceremony", contest.slug);
    let moves = match form.action.as_str() {
        "next" => Some(CeremonyMove::Next),
        "back" => Some(CeremonyMove::Back),
        "end" => Some(CeremonyMove::End),
        _ => None,
    };
    match (form.action.as_str(), moves) {
        ("start", _) => {
            let txn = state.db.begin().await?;
            if store::contests::start_ceremony(&txn, contest.id).await? {
                let target = trail::contest_target(&contest);
                let (before, after) = (json!({"ceremony": false}), json!({"ceremony": true}));
                trail::record(&txn, Some(contest.id), &organizer, "ceremony.start", target, before, after).await?;
            }
            txn.commit().await?;
        }
        (_, Some(to)) => {
            if contest.ceremony_step.is_none() {
                return Err(AppError::Conflict(Msg::CeremonyNotStarted));
            }
            let (_, plan) = plan_of(&state, &contest, freeze).await?;
            let last = i32::try_from(plan.last()).unwrap_or(i32::MAX);
            store::contests::move_ceremony(&state.db, contest.id, to, last).await?;
        }
        ("finish", _) => {
            crate::web::kit::csrf::confirmed(&form.confirm)?;
            let txn = state.db.begin().await?;
            if !store::contests::finish_ceremony(&txn, contest.id).await? {
                return Err(AppError::Conflict(Msg::CeremonyNotStarted));
            }
            let target = trail::contest_target(&contest);
            let (before, after) = (json!({"revealed": false}), json!({"revealed": true}));
            trail::record(&txn, Some(contest.id), &organizer, "ceremony.finish", target, before, after).await?;
            txn.commit().await?;
            crate::web::organizer::console::revealed(&state, &contest).await?;
            return Ok(see_other(&format!("/contests/{}/scoreboard", contest.slug)));
        }
        _ => return Err(AppError::field("action", Msg::BadRequest)),
    }
    state.live.changed(contest.id).await?;
    Ok(see_other(&here))
}

fn placed_json(rows: &[Placed]) -> Vec<Value> {
    rows.iter()
        .map(|p| json!({"pos": p.pos, "team_id": p.team_id, "team": p.name, "score": p.score.to_json()}))
        .collect()
}

/// `GET /contests/{slug}/ceremony.json`: every step, for organizers (it tells what is still to come).
async fn steps_json(req: HttpRequest, ContestCtx(contest): ContestCtx, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let (contest, freeze) = ceremony_contest(&state, &contest).await?;
    let (snap, plan) = plan_of(&state, &contest, freeze).await?;
    let title =
        |id: Option<i32>| id.and_then(|id| snap.events.challenges.iter().find(|c| c.id == id)).map(|c| c.title.clone());
    let area_key = |id: i32| snap.areas.iter().find(|a| a.id == id).map(|a| a.key.clone());
    let steps: Vec<Value> = plan
        .steps
        .iter()
        .zip(1..)
        .map(|(s, n): (&Step, usize)| match s {
            Step::Reveal { reveal: r, standings } => json!({
                "step": n,
                "kind": "reveal",
                "team_id": r.team_id,
                "team": r.name,
                "result": r.kind.key(),
                "challenge_id": r.challenge_id,
                "challenge": title(r.challenge_id).filter(|_| r.kind != Kind::Adjustment),
                "delta": r.delta.to_json(),
                "before": {"pos": r.before.0, "score": r.before.1.to_json()},
                "after": {"pos": r.after.0, "score": r.after.1.to_json()},
                "standings": placed_json(standings),
            }),
            Step::Unranked { results, standings } => json!({
                "step": n,
                "kind": "unranked",
                "results": results,
                "standings": placed_json(standings),
            }),
            Step::Award(a) => json!({
                "step": n,
                "kind": "award",
                "area": a.area_id.and_then(area_key),
                "place": a.place,
                "winners": placed_json(&a.winners),
            }),
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "contest": contest.slug,
        "frozen_at": freeze.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "awards": contest.ceremony_awards,
        "step": contest.ceremony_step,
        "last": plan.last(),
        "start": placed_json(&plan.start),
        "steps": steps,
    })))
}
