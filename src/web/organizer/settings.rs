//! The console's settings: a contest's times (start, end, freeze) and wrong-answer limit, and each area's
//! window, changed during the day (a delayed start, an extension) with the same rules as `contest.toml` and an
//! audit entry each. A later `challenges sync` reports the difference from the source, and overwrites it.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::json;

use crate::domain::clock::{Schedule, form_time, parse_time, window_problems};
use crate::store;
use crate::store::contests::DaySettings;
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Organizer, state};
use crate::web::kit::page::see_other;
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail::{self, contest_target};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/console/settings").post(settings))
        .add(endpoint("/contests/{slug}/console/areas/{area}/window").post(area_window));
}

#[derive(Deserialize, Default)]
pub struct SettingsFields {
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    freeze_at: String,
    #[serde(default)]
    wrong_answers_per_minute: String,
}

/// Each problem as the field it belongs to.
fn invalid(problems: Vec<(&'static str, String)>) -> AppError {
    AppError::Invalid(problems.into_iter().map(|(field, detail)| (field, Msg::Schedule { detail })).collect())
}

/// A time from its field. The forms show the times in force to the minute: a field sent back as shown keeps
/// `kept` (the exact time, or an area's "as the contest"), so saving one field leaves the others as they were.
fn time_field(
    field: &'static str,
    text: &str,
    zone: &str,
    (shown, kept): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    problems: &mut Vec<(&'static str, String)>,
) -> Option<DateTime<Utc>> {
    if text.trim() == form_time(shown, zone) {
        return kept;
    }
    parse_time(text, zone).unwrap_or_else(|e| {
        problems.push((field, e));
        None
    })
}

async fn settings(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<SettingsFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let zone = contest.timezone.as_str();
    let mut problems = Vec::new();
    let own = |at: Option<DateTime<Utc>>| (at, at);
    let starts_at = time_field("starts_at", &form.starts_at, zone, own(Some(contest.starts_at)), &mut problems);
    let ends_at = time_field("ends_at", &form.ends_at, zone, own(Some(contest.ends_at)), &mut problems);
    let freeze_at = time_field("freeze_at", &form.freeze_at, zone, own(contest.freeze_at), &mut problems);
    let limit = form.wrong_answers_per_minute.trim().parse::<i32>().ok().filter(|n| (1..=10_000).contains(n));
    if limit.is_none() {
        problems.push(("wrong_answers_per_minute", "a whole number from 1 to 10000".into()));
    }
    for (field, value) in [("starts_at", starts_at), ("ends_at", ends_at)] {
        if value.is_none() && !problems.iter().any(|(f, _)| *f == field) {
            problems.push((field, "required".into()));
        }
    }
    let (Some(starts_at), Some(ends_at), Some(limit)) = (starts_at, ends_at, limit) else {
        return Err(invalid(problems));
    };
    problems.extend(Schedule { starts_at, ends_at, freeze_at }.problems());
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let before = DaySettings::of(&contest);
    let after = DaySettings { starts_at, ends_at, freeze_at, wrong_answers_per_minute: limit };
    if before != after {
        let txn = state.db.begin().await?;
        store::contests::set_day_settings(&txn, contest.id, after).await?;
        let as_json = |s: &DaySettings| {
            json!({"starts_at": s.starts_at, "ends_at": s.ends_at, "freeze_at": s.freeze_at,
                   "wrong_answers_per_minute": s.wrong_answers_per_minute})
        };
        trail::record(
            &txn,
            Some(contest.id),
            &organizer,
            "contest.settings",
            contest_target(&contest),
            as_json(&before),
            as_json(&after),
        )
        .await?;
        txn.commit().await?;
        // Answers are judged against the contest in memory: every instance must see the new times at once.
        state.live.changed(contest.id).await?;
    }
    Ok(see_other(&format!("/contests/{}/console#settings", contest.slug)))
}

#[derive(Deserialize)]
struct AreaPath {
    area: String,
}

#[derive(Deserialize, Default)]
pub struct WindowFields {
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
}

async fn area_window(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    path: web::Path<AreaPath>,
    CsrfForm(form): CsrfForm<WindowFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let areas = store::challenges::areas_of(&state.db, contest.id).await?;
    let area = areas.into_iter().find(|a| a.key == path.area).ok_or(AppError::NotFound)?;
    let zone = contest.timezone.as_str();
    let mut problems = Vec::new();
    // An area without its own time shows the contest's: sent back unchanged, it keeps following the contest.
    let opens_shown = (Some(area.opens_at.unwrap_or(contest.starts_at)), area.opens_at);
    let closes_shown = (Some(area.closes_at.unwrap_or(contest.ends_at)), area.closes_at);
    let opens_at = time_field("opens_at", &form.opens_at, zone, opens_shown, &mut problems);
    let closes_at = time_field("closes_at", &form.closes_at, zone, closes_shown, &mut problems);
    problems.extend(window_problems(opens_at, closes_at, contest.starts_at, contest.ends_at, "the contest"));
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    if (opens_at, closes_at) != (area.opens_at, area.closes_at) {
        let txn = state.db.begin().await?;
        store::contests::set_area_window(&txn, area.id, opens_at, closes_at).await?;
        let before = json!({"opens_at": area.opens_at, "closes_at": area.closes_at});
        let after = json!({"opens_at": opens_at, "closes_at": closes_at});
        trail::record(&txn, Some(contest.id), &organizer, "area.window", format!("area {}", area.key), before, after)
            .await?;
        txn.commit().await?;
        state.live.changed(contest.id).await?;
    }
    Ok(see_other(&format!("/contests/{}/console#settings", contest.slug)))
}
