//! Teams adding their scripts, slides and write-ups to the archive after the end, until the deadline:
//! every field and file checked, nothing kept when anything is wrong.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::Utc;
use entity::contests;
use serde_json::json;

use super::{ETHICS, KINDS, VISIBILITIES, archive_until};
use crate::domain::names::optional_text;
use crate::inspect;
use crate::startup::AppState;
use crate::store;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, CurrentUser, state};
use crate::web::kit::page::{Page, render, see_other};
use crate::web::kit::upload;

/// Files one archive item may hold.
const ARCHIVE_FILES: usize = 50;

#[derive(Template)]
#[template(path = "archive_upload.html")]
struct UploadPage {
    page: Page,
    contest: contests::Model,
    title: String,
    areas: Vec<entity::areas::Model>,
    challenges: Vec<(String, String)>,
    file_limit_mib: i64,
    team_limit_mib: i64,
}

/// Teams add to the archive after the end and until the deadline.
async fn upload_team(state: &AppState, contest: &contests::Model, user_id: i32) -> AppResult<entity::teams::Model> {
    let now = Utc::now();
    if now < contest.ends_at {
        return Err(AppError::Forbidden(Msg::ArchiveNotYet));
    }
    if now >= archive_until(contest) {
        return Err(AppError::Forbidden(Msg::ArchiveClosed));
    }
    store::teams::of_user(&state.db, contest.id, user_id).await?.ok_or(AppError::Forbidden(Msg::NotInTeam))
}

async fn upload_page(
    state: &AppState,
    page: Page,
    contest: contests::Model,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let areas = store::challenges::areas_of(&state.db, contest.id).await?;
    let challenges = store::challenges::of_contest(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|v| (v.challenge.slug, page.lang.text(&v.challenge.title, &v.challenge.title_en).to_owned()))
        .collect();
    render(
        status,
        &UploadPage {
            title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
            file_limit_mib: contest.archive_file_limit / (1024 * 1024),
            team_limit_mib: contest.archive_team_limit / (1024 * 1024),
            areas,
            challenges,
            page,
            contest,
        },
    )
}

pub(super) async fn upload_form(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    upload_team(&state, &contest, user.id).await?;
    upload_page(&state, page, contest, StatusCode::OK).await
}

pub(super) async fn upload(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let team = upload_team(&state, &contest, user.id).await?;
    let tmp = upload::temp_dir(&state.settings.data_dir)?;
    let room = contest.archive_team_limit - store::archive::team_bytes(&state.db, team.id).await?;
    let result = async {
        let limits = upload::Limits { file: contest.archive_file_limit, room, files: ARCHIVE_FILES };
        let form = upload::read(payload, &tmp, &["files"], limits).await?;
        form.check_csrf(&req)?;
        store_item(&state, &contest, &team, user.id, form).await
    }
    .await;
    match result {
        Ok(id) => Ok(see_other(&format!("/archive/items/{id}"))),
        Err(e @ (AppError::Invalid(_) | AppError::TooLarge(_) | AppError::Unavailable(_))) => {
            let status = actix_web::ResponseError::status_code(&e);
            upload_page(&state, page.with_error(&e), contest, status).await
        }
        Err(e) => Err(e),
    }
}

/// Checks an upload's fields and files and stores the item; nothing is stored when anything is wrong.
async fn store_item(
    state: &AppState,
    contest: &contests::Model,
    team: &entity::teams::Model,
    user_id: i32,
    form: upload::UploadForm,
) -> AppResult<i32> {
    let mut errors = Vec::new();
    let kind = form.one("kind");
    if !KINDS.contains(&kind.as_str()) {
        errors.push(("kind", Msg::BadRequest));
    }
    let title =
        optional_text(Some(&form.one("title")), 200).map_err(|e| errors.push(("title", e.into()))).ok().flatten();
    if title.is_none() && !errors.iter().any(|(f, _)| *f == "title") {
        errors.push(("title", Msg::Required));
    }
    let visibility = form.one("visibility");
    if !VISIBILITIES.contains(&visibility.as_str()) {
        errors.push(("visibility", Msg::BadRequest));
    }
    let licence =
        optional_text(Some(&form.one("licence")), 64).map_err(|e| errors.push(("licence", e.into()))).ok().flatten();
    let link = optional_text(Some(&form.one("link")), 500).map_err(|e| errors.push(("link", e.into()))).ok().flatten();
    if link.as_deref().is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://"))) {
        errors.push(("link", Msg::BadRequest));
    }
    let ethics: serde_json::Map<String, serde_json::Value> =
        ETHICS.iter().map(|k| ((*k).to_owned(), json!(form.one(k) == "yes"))).collect();
    if ethics.values().any(|v| v != &json!(true)) {
        errors.push(("ethics", Msg::EthicsUnchecked));
    }
    if form.files.is_empty() && link.is_none() {
        errors.push(("files", Msg::FilesOrLink));
    }
    for f in &form.files {
        for why in inspect::refusals(f.temp.path()) {
            errors.push(("files", Msg::FileRefused { name: f.name.clone(), why }));
        }
    }
    let (Some(title), true) = (title, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut files = Vec::new();
    for f in &form.files {
        let stored = state.blobs.put_file(f.temp.path()).await.map_err(|e| {
            tracing::error!(error = %e, "an archive upload could not be stored");
            AppError::Unavailable(Msg::StorageFailed)
        })?;
        files.push(store::archive::NewFile {
            name: f.name.clone(),
            sha256: stored.sha256,
            size: f.size,
            media_type: inspect::media_type(f.temp.path()).to_owned(),
        });
    }
    let item = store::archive::create(
        &state.db,
        store::archive::NewItem {
            contest_id: contest.id,
            team_id: team.id,
            uploader_id: user_id,
            kind,
            title,
            description: crate::domain::names::without_nul(&form.one("description")),
            areas: form.all("areas"),
            challenges: form.all("challenges"),
            licence,
            link,
            visibility,
            ethics: serde_json::Value::Object(ethics),
        },
        files,
    )
    .await?;
    store::archive::reindex(&state.db, item.id).await?;
    Ok(item.id)
}
