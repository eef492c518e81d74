//! A team's hackathon entry (title, description, repository or video link, slides), handed in and changed
//! until the deadline (the `hackathon` area's closing time, else the contest's end); once organizers
//! publish the judges' marks, the team sees its score and the mean mark of each criterion.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::{areas, contests, hackathon_entries, teams, users};
use serde::Deserialize;

use crate::domain::judging;
use crate::domain::names::{optional_text, without_nul};
use crate::domain::role::Role;
use crate::domain::spec::HACKATHON;
use crate::inspect;
use crate::startup::AppState;
use crate::store;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, CurrentUser, role_of, state};
use crate::web::kit::page::{Page, render, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::upload::{self, UploadForm};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/contests/{slug}/hackathon").get(show).post(hand_in))
        .add(endpoint("/contests/{slug}/hackathon/entries/{id}/slides").get(slides));
}

/// The contest's `hackathon` area; a contest without one has no entries.
pub async fn area(state: &AppState, contest: &contests::Model) -> AppResult<areas::Model> {
    let live = state.live.get(contest).await?;
    live.snapshot().areas.iter().find(|a| a.key == HACKATHON).cloned().ok_or(AppError::NotFound)
}

/// A criterion as the team sees it after publication: its name, maximum and mean mark.
pub struct CriterionRow {
    pub name: String,
    pub max: i32,
    pub mean: String,
}

#[derive(Template)]
#[template(path = "hackathon.html")]
struct EntryPage {
    page: Page,
    contest: contests::Model,
    title: String,
    team: teams::Model,
    entry: Option<hackathon_entries::Model>,
    /// What the form shows: the entry, or what was just refused.
    form: EntryFields,
    open: bool,
    deadline: String,
    file_limit_mib: i64,
    /// After publication: each criterion's mean and the score out of the maximum.
    marks: Option<(Vec<CriterionRow>, String, String)>,
}

#[derive(Default)]
struct EntryFields {
    title: String,
    description: String,
    link: String,
}

async fn team_of(state: &AppState, contest: &contests::Model, user: &users::Model) -> AppResult<teams::Model> {
    store::teams::of_user(&state.db, contest.id, user.id).await?.ok_or(AppError::Forbidden(Msg::NotInTeam))
}

async fn entry_page(
    state: &AppState,
    page: Page,
    contest: contests::Model,
    team: teams::Model,
    refused: Option<EntryFields>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let area = area(state, &contest).await?;
    let entry = store::judging::entry_of_team(&state.db, team.id).await?;
    let form = refused.unwrap_or_else(|| match &entry {
        Some(e) => EntryFields {
            title: e.title.clone(),
            description: e.description.clone(),
            link: e.link.clone().unwrap_or_default(),
        },
        None => EntryFields::default(),
    });
    let marks = match (&entry, contest.marks_published_at) {
        (Some(e), Some(_)) => Some(published_marks(state, &page, contest.id, e).await?),
        _ => None,
    };
    let deadline = judging::deadline(area.closes_at, contest.ends_at);
    render(
        status,
        &EntryPage {
            title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
            open: judging::entries_open(Utc::now(), area.opens_at, area.closes_at, contest.ends_at),
            deadline: page.time(&deadline, &contest.timezone),
            file_limit_mib: contest.archive_file_limit / (1024 * 1024),
            page,
            contest,
            team,
            entry,
            form,
            marks,
        },
    )
}

/// What a team is shown of its marks once they are published: means over the complete sheets.
async fn published_marks(
    state: &AppState,
    page: &Page,
    contest_id: i32,
    entry: &hackathon_entries::Model,
) -> AppResult<(Vec<CriterionRow>, String, String)> {
    let rubric = store::judging::rubric(&state.db, contest_id).await?;
    let criteria = store::judging::criteria(&rubric);
    let marks = store::judging::marks(&store::judging::marks_of_entry(&state.db, entry.id).await?);
    let means = judging::criterion_means(&criteria, &marks);
    let rows = rubric
        .iter()
        .zip(means)
        .map(|(c, (_, mean))| CriterionRow {
            name: page.lang.text(&c.name, &c.name_en).to_owned(),
            max: c.max,
            mean: mean.map(|m| m.to_string()).unwrap_or_else(|| "—".into()),
        })
        .collect();
    let score = judging::score(&criteria, &marks).map(|p| p.to_string()).unwrap_or_else(|| "—".into());
    Ok((rows, score, judging::maximum(&criteria).to_string()))
}

async fn show(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = team_of(&state, &contest, &user).await?;
    entry_page(&state, page, contest, team, None, StatusCode::OK).await
}

async fn hand_in(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = team_of(&state, &contest, &user).await?;
    let area = area(&state, &contest).await?;
    if team.disqualified {
        return Err(AppError::Forbidden(Msg::Disqualified));
    }
    if !judging::entries_open(Utc::now(), area.opens_at, area.closes_at, contest.ends_at) {
        return Err(AppError::Forbidden(Msg::EntriesClosed));
    }
    let tmp = upload::temp_dir(&state.settings.data_dir)?;
    let limits = upload::Limits { file: contest.archive_file_limit, room: contest.archive_file_limit, files: 1 };
    let form = upload::read(payload, &tmp, &["slides"], limits).await?;
    form.check_csrf(&req)?;
    match store_entry(&state, &contest, &team, &user, &form).await {
        Ok(()) => Ok(see_other(&format!("/contests/{}/hackathon", contest.slug))),
        Err(e @ AppError::Invalid(_)) => {
            let refused =
                EntryFields { title: form.one("title"), description: form.one("description"), link: form.one("link") };
            entry_page(&state, page.with_error(&e), contest, team, Some(refused), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => Err(e),
    }
}

/// Checks the form and keeps the entry; nothing is kept when anything is wrong.
async fn store_entry(
    state: &AppState,
    contest: &contests::Model,
    team: &teams::Model,
    user: &users::Model,
    form: &UploadForm,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let title = match optional_text(Some(&form.one("title")), 200) {
        Ok(Some(title)) => Some(title),
        Ok(None) => {
            errors.push(("title", Msg::Required));
            None
        }
        Err(e) => {
            errors.push(("title", e.into()));
            None
        }
    };
    let description = without_nul(&form.one("description"));
    if description.chars().count() > 20_000 {
        errors.push(("description", Msg::TooLong { max: 20_000 }));
    }
    let link = optional_text(Some(&form.one("link")), 500).map_err(|e| errors.push(("link", e.into()))).ok().flatten();
    if link.as_deref().is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://"))) {
        errors.push(("link", Msg::BadRequest));
    }
    let slides = form.files.iter().find(|f| f.field == "slides");
    for why in slides.map(|f| inspect::refusals(f.temp.path())).unwrap_or_default() {
        errors.push(("slides", Msg::FileRefused { name: slides.map(|f| f.name.clone()).unwrap_or_default(), why }));
    }
    let (Some(title), true) = (title, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let slides = match slides {
        Some(f) => {
            let stored = state.blobs.put_file(f.temp.path()).await.map_err(|e| {
                tracing::error!(error = %e, "hackathon slides could not be stored");
                AppError::Unavailable(Msg::StorageFailed)
            })?;
            Some((f.name.clone(), stored.sha256, f.size))
        }
        None => None,
    };
    let fields = store::judging::EntryFields { title, description, link, slides };
    store::judging::save_entry(&state.db, contest.id, team.id, user.id, fields).await?;
    Ok(())
}

#[derive(Deserialize)]
struct EntryPath {
    id: i32,
}

/// An entry's slides: for its team, judges and organizers.
async fn slides(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<EntryPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let entry = store::judging::entry(&state.db, contest.id, path.id).await?.ok_or(AppError::NotFound)?;
    if role_of(&user) < Role::Judge {
        let team = store::teams::of_user(&state.db, contest.id, user.id).await?;
        if team.is_none_or(|t| t.id != entry.team_id) {
            return Err(AppError::NotFound);
        }
    }
    let (Some(name), Some(sha256)) = (&entry.slides_name, &entry.slides_sha256) else {
        return Err(AppError::NotFound);
    };
    crate::web::kit::download::attachment(&req, &state.blobs, sha256, name).await
}
