//! Judging the hackathon: judges (and organizers) see every entry and mark it on the rubric; a judge sees
//! only their own marks until organizers publish them, which also puts the scores (the mean of the judges'
//! totals) into the `hackathon` area and the total. Every sheet saved and every publication is audited.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::{contests, hackathon_entries, judge_marks, rubric_criteria, users};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::judging::{self, MarkError};
use crate::startup::AppState;
use crate::store;
use crate::web::kit::csrf::{CsrfForm, NoFields};
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Judge, Organizer, role_of, state};
use crate::web::kit::markdown;
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/judging").get(list))
        .add(endpoint("/contests/{slug}/judging/publish").post(publish))
        .add(endpoint("/contests/{slug}/judging/withdraw").post(withdraw))
        .add(endpoint("/contests/{slug}/judging/entries/{id}").get(entry_page).post(mark));
}

/// Whether `user` sees every judge's marks: organizers always, judges once the marks are published.
fn sees_all(contest: &contests::Model, user: &users::Model) -> bool {
    role_of(user).is_organizer() || contest.marks_published_at.is_some()
}

/// A judge's sheet for one entry: complete, begun, or empty.
fn sheet_state<'t>(page: &'t Page, rubric: &[rubric_criteria::Model], mine: usize) -> &'t str {
    match mine {
        0 => page.t.sheet_empty,
        n if n >= rubric.len() => page.t.sheet_complete,
        _ => page.t.sheet_partial,
    }
}

struct EntryRow {
    id: i32,
    team: String,
    title: String,
    mine: String,
    /// With every judge's marks in sight: the complete sheets and the score.
    sheets: Option<(usize, String)>,
}

#[derive(Template)]
#[template(path = "judging.html")]
struct ListPage {
    page: Page,
    contest: contests::Model,
    title: String,
    rows: Vec<EntryRow>,
    published: Option<String>,
    organizer: bool,
}

async fn list(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    Judge(judge): Judge,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    crate::web::team::hackathon::area(&state, &contest).await?;
    let rubric = store::judging::rubric(&state.db, contest.id).await?;
    let criteria = store::judging::criteria(&rubric);
    let marks = store::judging::marks_of_contest(&state.db, contest.id).await?;
    let teams = store::teams::all_of_contest(&state.db, contest.id).await?;
    let all = sees_all(&contest, &judge);
    let rows = store::judging::entries(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|e| {
            let of_entry: Vec<judge_marks::Model> = marks.iter().filter(|m| m.entry_id == e.id).cloned().collect();
            let mine = of_entry.iter().filter(|m| m.judge_id == judge.id && in_rubric(&rubric, m)).count();
            let marks = store::judging::marks(&of_entry);
            let sheets = all.then(|| {
                let score = judging::score(&criteria, &marks).map(|p| p.to_string()).unwrap_or_else(|| "—".into());
                (judging::complete_totals(&criteria, &marks).len(), score)
            });
            EntryRow {
                id: e.id,
                team: teams.iter().find(|t| t.id == e.team_id).map(|t| t.name.clone()).unwrap_or_default(),
                title: e.title,
                mine: sheet_state(&page, &rubric, mine).to_owned(),
                sheets,
            }
        })
        .collect();
    ok(&ListPage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        published: contest.marks_published_at.map(|at| page.time(&at, &contest.timezone)),
        organizer: role_of(&judge).is_organizer(),
        page,
        contest,
        rows,
    })
}

fn in_rubric(rubric: &[rubric_criteria::Model], m: &judge_marks::Model) -> bool {
    rubric.iter().any(|c| c.id == m.criterion_id)
}

/// A criterion with the viewer's own mark.
struct CriterionRow {
    id: i32,
    name: String,
    max: i32,
    mine: String,
}

/// One judge's sheet as the table of every judge's marks shows it.
struct SheetRow {
    judge: String,
    marks: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "judging_entry.html")]
struct EntryPage {
    page: Page,
    contest: contests::Model,
    title: String,
    entry: hackathon_entries::Model,
    team: String,
    description_html: String,
    criteria: Vec<CriterionRow>,
    /// Every judge's sheet and the score, when the viewer may see them.
    all: Option<(Vec<SheetRow>, String)>,
}

#[derive(Deserialize)]
struct EntryPath {
    id: i32,
}

async fn load_entry(state: &AppState, contest: &contests::Model, id: i32) -> AppResult<hackathon_entries::Model> {
    crate::web::team::hackathon::area(state, contest).await?;
    store::judging::entry(&state.db, contest.id, id).await?.ok_or(AppError::NotFound)
}

async fn entry_page(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    Judge(judge): Judge,
    path: web::Path<EntryPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let entry = load_entry(&state, &contest, path.id).await?;
    render_entry(&state, page, contest, &judge, entry, None).await
}

async fn render_entry(
    state: &AppState,
    page: Page,
    contest: contests::Model,
    judge: &users::Model,
    entry: hackathon_entries::Model,
    typed: Option<&BTreeMap<String, String>>,
) -> AppResult<HttpResponse> {
    let rubric = store::judging::rubric(&state.db, contest.id).await?;
    let marks = store::judging::marks_of_entry(&state.db, entry.id).await?;
    let mark_of = |judge_id: i32, criterion_id: i32| {
        marks.iter().find(|m| m.judge_id == judge_id && m.criterion_id == criterion_id).map(|m| m.value.to_string())
    };
    let criteria = rubric
        .iter()
        .map(|c| CriterionRow {
            id: c.id,
            name: page.lang.text(&c.name, &c.name_en).to_owned(),
            max: c.max,
            mine: typed
                .and_then(|t| t.get(&format!("c{}", c.id)).cloned())
                .or_else(|| mark_of(judge.id, c.id))
                .unwrap_or_default(),
        })
        .collect();
    let all = if sees_all(&contest, judge) {
        let domain_criteria = store::judging::criteria(&rubric);
        let domain_marks = store::judging::marks(&marks);
        let totals = judging::complete_totals(&domain_criteria, &domain_marks);
        let mut judges: Vec<i32> = marks.iter().map(|m| m.judge_id).collect();
        judges.sort_unstable();
        judges.dedup();
        let mut sheets = Vec::new();
        for id in judges {
            let name = store::users::by_id(&state.db, id).await?.map(|u| u.username).unwrap_or_default();
            sheets.push(SheetRow {
                judge: name,
                marks: rubric.iter().map(|c| mark_of(id, c.id).unwrap_or_else(|| "—".into())).collect(),
                total: totals.get(&id).map(|t| t.to_string()).unwrap_or_else(|| "—".into()),
            });
        }
        let score =
            judging::score(&domain_criteria, &domain_marks).map(|p| p.to_string()).unwrap_or_else(|| "—".into());
        Some((sheets, score))
    } else {
        None
    };
    let team = store::teams::by_id(&state.db, contest.id, entry.team_id).await?.map(|t| t.name).unwrap_or_default();
    ok(&EntryPage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        description_html: markdown::to_html(&entry.description),
        page,
        contest,
        entry,
        team,
        criteria,
        all,
    })
}

/// A sheet as the form sends it: `c<criterion id>` = the mark, empty for none yet.
type SheetFields = BTreeMap<String, String>;

/// The judge's marks, checked against the rubric: every field names a criterion, every mark is in range.
fn read_sheet(rubric: &[rubric_criteria::Model], form: &SheetFields) -> AppResult<Vec<(i32, Option<i32>)>> {
    let mut sheet = Vec::new();
    let mut errors = Vec::new();
    for c in rubric {
        match judging::parse_mark(form.get(&format!("c{}", c.id)).map(String::as_str).unwrap_or(""), c.max) {
            Ok(value) => sheet.push((c.id, value)),
            Err(MarkError::NotANumber) => errors.push(("marks", Msg::NotANumber)),
            Err(MarkError::OutOfRange { max }) => errors.push(("marks", Msg::MarkOutOfRange { max })),
        }
    }
    if errors.is_empty() { Ok(sheet) } else { Err(AppError::Invalid(errors)) }
}

/// A judge's sheet as the audit log keeps it: criterion key → mark.
fn sheet_json(rubric: &[rubric_criteria::Model], marks: &[judge_marks::Model], judge_id: i32) -> Value {
    let sheet: serde_json::Map<String, Value> = rubric
        .iter()
        .filter_map(|c| {
            let m = marks.iter().find(|m| m.judge_id == judge_id && m.criterion_id == c.id)?;
            Some((c.key.clone(), json!(m.value)))
        })
        .collect();
    Value::Object(sheet)
}

async fn mark(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    Judge(judge): Judge,
    path: web::Path<EntryPath>,
    CsrfForm(form): CsrfForm<SheetFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let entry = load_entry(&state, &contest, path.id).await?;
    let rubric = store::judging::rubric(&state.db, contest.id).await?;
    let sheet = match read_sheet(&rubric, &form) {
        Ok(sheet) => sheet,
        Err(e) => {
            let page = page.with_error(&e);
            let mut res = render_entry(&state, page, contest, &judge, entry, Some(&form)).await?;
            *res.status_mut() = actix_web::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
    };
    let txn = state.db.begin().await?;
    let before = sheet_json(&rubric, &store::judging::marks_of_entry(&txn, entry.id).await?, judge.id);
    store::judging::set_sheet(&txn, &entry, judge.id, &sheet).await?;
    let after = sheet_json(&rubric, &store::judging::marks_of_entry(&txn, entry.id).await?, judge.id);
    if before != after {
        let target = format!("hackathon entry #{} ({})", entry.id, entry.title);
        trail::record(&txn, Some(contest.id), &judge, "judging.mark", target, before, after).await?;
    }
    txn.commit().await?;
    if contest.marks_published_at.is_some() {
        // Published marks are in the standings: a changed sheet changes the scores.
        state.live.changed(contest.id).await?;
    }
    Ok(see_other(&format!("/contests/{}/judging/entries/{}", contest.slug, entry.id)))
}

async fn set_published(
    req: &HttpRequest,
    contest: &contests::Model,
    organizer: &users::Model,
    publish: bool,
) -> AppResult<HttpResponse> {
    let state = state(req)?;
    crate::web::team::hackathon::area(&state, contest).await?;
    let at = publish.then(Utc::now);
    let txn = state.db.begin().await?;
    store::judging::set_published(&txn, contest.id, at).await?;
    let action = if publish { "judging.publish" } else { "judging.withdraw" };
    let (before, after) = (json!({"published_at": contest.marks_published_at}), json!({"published_at": at}));
    trail::record(&txn, Some(contest.id), organizer, action, trail::contest_target(contest), before, after).await?;
    txn.commit().await?;
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/contests/{}/judging", contest.slug)))
}

async fn publish(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    _: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    set_published(&req, &contest, &organizer, true).await
}

async fn withdraw(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    _: CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    set_published(&req, &contest, &organizer, false).await
}
