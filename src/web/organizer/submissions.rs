//! The console's submissions: every answer of a contest, filtered by team, challenge and outcome; a
//! disputed wrong answer accepted (a solve at the time it was given) or a solve revoked, each with its
//! reason in the audit log, and the scoreboard following at once.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use entity::{contests, submissions};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::clock;
use crate::domain::names::optional_text;
use crate::store;
use crate::store::disputes::{Accepted, Filter};
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Organizer, state};
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail::{self, team_target};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/console/submissions").get(list))
        .add(endpoint("/contests/{slug}/console/submissions/{id}/accept").post(accept))
        .add(endpoint("/contests/{slug}/console/submissions/{id}/revoke").post(revoke));
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    team: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    outcome: String,
    /// Times as people type them (`YYYY-MM-DD HH:MM` in the contest's zone, or RFC 3339).
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    /// A `submission_id`, as a team quotes it.
    #[serde(default)]
    submission: String,
}

/// One submission as the console lists it.
struct Row {
    s: submissions::Model,
    at: String,
    team: String,
    challenge: String,
}

#[derive(Template)]
#[template(path = "console_submissions.html")]
struct ListPage {
    page: Page,
    contest: contests::Model,
    title: String,
    teams: Vec<entity::teams::Model>,
    challenges: Vec<(String, String)>,
    query: ListQuery,
    rows: Vec<Row>,
    limit: u64,
}

/// The most submissions a page lists (newest first); filters reach older ones.
const SHOWN: u64 = 500;

const OUTCOMES: [&str; 5] = ["incorrect", "correct", "accepted", "revoked", "already_solved"];

async fn list(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let query = q.into_inner();
    let teams = store::teams::all_of_contest(&state.db, contest.id).await?;
    let views = store::challenges::of_contest(&state.db, contest.id).await?;
    let slugs = store::challenges::slugs_of(&state.db, contest.id).await?;
    let team = teams.iter().find(|t| t.id.to_string() == query.team.trim());
    let challenge = slugs.iter().find(|(_, slug)| **slug == query.challenge.trim()).map(|(id, _)| *id);
    let time = |field: &'static str, text: &str| {
        clock::parse_time(text, &contest.timezone).map_err(|why| AppError::field(field, Msg::Schedule { detail: why }))
    };
    let (since, until) = (time("since", &query.since)?, time("until", &query.until)?);
    let filter = Filter {
        since,
        until,
        team_id: team.map(|t| t.id),
        challenge_id: challenge,
        outcome: OUTCOMES.iter().find(|o| **o == query.outcome.trim()).map(|o| (*o).to_owned()),
        submission_id: Some(query.submission.trim().to_owned()).filter(|id| !id.is_empty()),
        limit: SHOWN,
    };
    let rows = store::disputes::submissions(&state.db, contest.id, &filter)
        .await?
        .into_iter()
        .map(|s| Row {
            at: page.time(&s.created_at, &contest.timezone),
            team: teams.iter().find(|t| t.id == s.team_id).map(|t| t.name.clone()).unwrap_or_default(),
            challenge: slugs.get(&s.challenge_id).cloned().unwrap_or_default(),
            s,
        })
        .collect();
    let challenges = views
        .iter()
        .map(|v| (v.challenge.slug.clone(), page.lang.text(&v.challenge.title, &v.challenge.title_en).to_owned()))
        .collect();
    ok(&ListPage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        page,
        contest,
        teams,
        challenges,
        query,
        rows,
        limit: SHOWN,
    })
}

#[derive(Deserialize)]
struct SubmissionPath {
    id: i32,
}

#[derive(Deserialize, Default)]
pub struct ReasonFields {
    #[serde(default)]
    reason: String,
}

fn reason_of(form: &ReasonFields) -> AppResult<String> {
    optional_text(Some(&form.reason), 500)
        .map_err(|e| AppError::field("reason", e))?
        .ok_or(AppError::field("reason", Msg::Required))
}

/// What the audit log says of a submission.
fn submission_json(s: &submissions::Model, slug: &str) -> Value {
    json!({"submission": s.id, "challenge": slug, "outcome": s.outcome, "text": s.text, "at": s.created_at})
}

async fn settle(
    req: &HttpRequest,
    contest: &contests::Model,
    organizer: &entity::users::Model,
    id: i32,
    form: &ReasonFields,
    accepting: bool,
) -> AppResult<HttpResponse> {
    let state = state(req)?;
    let reason = reason_of(form)?;
    let s = store::disputes::submission(&state.db, contest.id, id).await?.ok_or(AppError::NotFound)?;
    let team = store::teams::by_id(&state.db, contest.id, s.team_id).await?.ok_or(AppError::NotFound)?;
    let slug = store::challenges::slugs_of(&state.db, contest.id).await?.remove(&s.challenge_id).unwrap_or_default();
    let txn = state.db.begin().await?;
    let (action, outcome) = if accepting {
        match store::disputes::accept(&txn, &s).await? {
            Accepted::Solved(_) => ("submission.accept", "accepted"),
            Accepted::AlreadySolved => return Err(AppError::Conflict(Msg::SolvedAlready)),
        }
    } else {
        match store::disputes::revoke(&txn, &s).await? {
            Some(_) => ("solve.revoke", "revoked"),
            None => return Err(AppError::Conflict(Msg::NoSolveToRevoke)),
        }
    };
    let before = submission_json(&s, &slug);
    let mut after = before.clone();
    after["outcome"] = json!(outcome);
    after["reason"] = json!(reason);
    trail::record(&txn, Some(contest.id), organizer, action, team_target(&team), before, after).await?;
    txn.commit().await?;
    // The solve's time is the answer's: every view (and the chart) is recomputed from the events; the
    // team's count of wrong answers moved too.
    state.live.play_changed(team.id);
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}/console/submissions?team={}", contest.slug, team.id)))
}

async fn accept(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    path: web::Path<SubmissionPath>,
    CsrfForm(form): CsrfForm<ReasonFields>,
) -> AppResult<HttpResponse> {
    settle(&req, &contest, &organizer, path.id, &form, true).await
}

async fn revoke(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    path: web::Path<SubmissionPath>,
    CsrfForm(form): CsrfForm<ReasonFields>,
) -> AppResult<HttpResponse> {
    settle(&req, &contest, &organizer, path.id, &form, false).await
}
