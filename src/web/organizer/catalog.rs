//! The console's changes to a loaded challenge during the day: withdraw it (it leaves the board and its
//! solves count for nothing) or bring it back, and change what it is worth. Each with its reason in the
//! audit log, in force at once. A later `challenges sync` puts the sources' values back and says so.

use actix_web::{HttpRequest, HttpResponse, web};
use entity::challenges;
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::json;

use crate::domain::names::optional_text;
use crate::store;
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Organizer, state};
use crate::web::kit::page::see_other;
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/console/challenges/{challenge}/visibility").post(visibility))
        .add(endpoint("/contests/{slug}/console/challenges/{challenge}/points").post(points));
}

#[derive(Deserialize)]
struct ChallengePath {
    challenge: String,
}

fn target(c: &challenges::Model) -> String {
    format!("challenge {} (#{})", c.slug, c.id)
}

fn reason_of(reason: &str) -> AppResult<String> {
    optional_text(Some(reason), 500)
        .map_err(|e| AppError::field("reason", e))?
        .ok_or(AppError::field("reason", Msg::Required))
}

#[derive(Deserialize, Default)]
pub struct VisibilityFields {
    #[serde(default)]
    hidden: String,
    #[serde(default)]
    reason: String,
}

async fn visibility(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    path: web::Path<ChallengePath>,
    CsrfForm(form): CsrfForm<VisibilityFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reason = reason_of(&form.reason)?;
    let c = store::challenges::by_slug(&state.db, contest.id, &path.challenge).await?.ok_or(AppError::NotFound)?;
    let hidden = form.hidden == "true";
    let txn = state.db.begin().await?;
    store::challenges::set_hidden(&txn, c.id, hidden).await?;
    let action = if hidden { "challenge.withdraw" } else { "challenge.restore" };
    let (before, after) = (json!({"hidden": c.hidden}), json!({"hidden": hidden, "reason": reason}));
    trail::record(&txn, Some(contest.id), &organizer, action, target(&c), before, after).await?;
    txn.commit().await?;
    // The board, the values and the standings all follow the catalog in memory.
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}/console/challenges", contest.slug)))
}

#[derive(Deserialize, Default)]
pub struct PointsFields {
    #[serde(default)]
    points: String,
    /// A dynamic challenge's minimum; a static one's is its points.
    #[serde(default)]
    minimum: String,
    #[serde(default)]
    reason: String,
}

/// A number of points as organizers type it: a whole number from 0 to 100,000.
fn parse_points(field: &'static str, text: &str) -> AppResult<i32> {
    match text.trim().parse::<i32>() {
        Ok(n) if (0..=100_000).contains(&n) => Ok(n),
        _ => Err(AppError::field(field, Msg::NotANumber)),
    }
}

async fn points(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    path: web::Path<ChallengePath>,
    CsrfForm(form): CsrfForm<PointsFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let reason = reason_of(&form.reason)?;
    let points = parse_points("points", &form.points)?;
    let c = store::challenges::by_slug(&state.db, contest.id, &path.challenge).await?.ok_or(AppError::NotFound)?;
    let minimum = if c.scoring_function == "static" {
        points
    } else {
        let minimum = parse_points("minimum", &form.minimum)?;
        if minimum > points {
            return Err(AppError::field("minimum", Msg::MinimumAbovePoints));
        }
        minimum
    };
    let txn = state.db.begin().await?;
    store::challenges::set_points(&txn, c.id, points, minimum).await?;
    let before = json!({"points": c.points, "minimum": c.minimum});
    let after = json!({"points": points, "minimum": minimum, "reason": reason});
    trail::record(&txn, Some(contest.id), &organizer, "challenge.points", target(&c), before, after).await?;
    txn.commit().await?;
    // Every solve is worth the new value: the standings and the chart are recomputed from the events.
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}/console/challenges#challenge-{}", contest.slug, c.slug)))
}
