//! `/admin/sync`: `challenges sync` from the browser, for a contest folder of the server's challenges folder
//! (`challenges_dir`) or one uploaded as a zip: checked first (every problem reported and nothing written, as
//! on the command line), then loaded, with the report of what changed. Only the folders listed there can be
//! named, so no path is ever taken from the request; an upload is unpacked into a temporary folder of our own
//! (`authoring::unpack`). The sync is audited and in force at once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use actix_multipart::Multipart;
use entity::users;

use crate::authoring;
use crate::domain::spec::ContestSource;
use crate::startup::AppState;
use crate::store;
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{Organizer, state};
use crate::web::kit::flash::Flash;
use crate::web::kit::page::{Page, ok, render, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;
use crate::web::kit::upload;

pub fn configure(routes: &mut Routes) {
    routes.add(endpoint("/admin/sync").get(form).post(sync)).add(endpoint("/admin/sync/upload").post(upload));
}

const SYNC_ACTION: &str = "challenges.sync";

/// An uploaded contest zip: at most this many bytes, this many entries, and this many bytes unpacked.
const ZIP_LIMIT: i64 = 1024 * 1024 * 1024;
const UNPACK: authoring::unpack::Bounds = authoring::unpack::Bounds { entries: 20_000, bytes: 4 * 1024 * 1024 * 1024 };

#[derive(Template)]
#[template(path = "admin_sync.html")]
struct SyncPage {
    page: Page,
    root: String,
    folders: Vec<String>,
    chosen: String,
    /// The check's problems, or the sync's changes.
    problems: Vec<String>,
    changes: Vec<String>,
    /// Changes the report leaves out (the audit entry keeps the first [`REPORT_LINES`]).
    more: usize,
    synced: bool,
}

impl SyncPage {
    /// The form, before anything was chosen.
    fn new(page: Page, root: &std::path::Path) -> SyncPage {
        SyncPage {
            page,
            root: root.display().to_string(),
            folders: folders(root),
            chosen: String::new(),
            problems: Vec::new(),
            changes: Vec::new(),
            more: 0,
            synced: false,
        }
    }
}

/// The contest folders under the challenges folder, by name.
fn folders(root: &std::path::Path) -> Vec<String> {
    authoring::contest_folders(root)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .collect()
}

/// The lines of a sync's report its audit entry keeps, and the page shows.
const REPORT_LINES: usize = 100;

#[derive(Deserialize)]
struct Shown {
    /// The audit entry of a sync whose report the page shows (where a sync redirects).
    report: Option<i32>,
}

/// The form; after a sync, its report: read from the sync's audit entry (`?report=`), or, when nothing
/// changed and so nothing was logged, from the flash.
async fn form(req: HttpRequest, page: Page, _: Organizer, shown: web::Query<Shown>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let mut view = SyncPage::new(page, &state.settings.challenges_dir);
    if let Some(id) = shown.report {
        let entry = store::audit::by_id(&state.db, id).await?.filter(|e| e.action == SYNC_ACTION);
        let after: Value =
            entry.and_then(|e| e.after).and_then(|a| serde_json::from_str(&a).ok()).ok_or(AppError::NotFound)?;
        view.chosen = after["folder"].as_str().unwrap_or_default().to_owned();
        view.changes =
            after["report"].as_array().into_iter().flatten().filter_map(|l| l.as_str().map(str::to_owned)).collect();
        view.more = (after["changes"].as_u64().unwrap_or(0) as usize).saturating_sub(view.changes.len());
        view.synced = true;
    }
    let flash = Flash::take(&req, &state.cookie_key);
    if let Some(f) = &flash {
        view.chosen = f.typed.clone();
        view.synced = true;
    }
    let mut res = ok(&view)?;
    if flash.is_some() {
        Flash::clear(&mut res);
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct SyncFields {
    #[serde(default)]
    folder: String,
}

/// A failed sync: a database that cannot be reached (or a store error) is answered as the store's errors are
/// (503 with Retry-After); anything else is the server's fault.
fn failure(e: anyhow::Error) -> AppError {
    match e.downcast::<sea_orm::DbErr>() {
        Ok(db) => db.into(),
        Err(e) => match e.downcast::<store::StoreError>() {
            Ok(store) => store.into(),
            Err(e) => AppError::Internal(e),
        },
    }
}

async fn sync(
    req: HttpRequest,
    page: Page,
    Organizer(organizer): Organizer,
    CsrfForm(fields): CsrfForm<SyncFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let root = state.settings.challenges_dir.clone();
    let mut view = SyncPage::new(page, &root);
    view.chosen = view
        .folders
        .iter()
        .find(|f| **f == fields.folder)
        .cloned()
        .ok_or(AppError::field("folder", Msg::BadRequest))?;
    let dir = root.join(&view.chosen);
    let checked = web::block(move || authoring::load_checked(&dir)).await.map_err(|e| AppError::Internal(e.into()))?;
    finish(&state, &organizer, view, checked, None).await
}

/// Loads a checked source (or shows the check's problems, with paths under `strip` shown relative to it),
/// audits the sync and puts it in force.
async fn finish(
    state: &AppState,
    organizer: &users::Model,
    mut view: SyncPage,
    checked: Result<ContestSource, Vec<authoring::Problem>>,
    strip: Option<&std::path::Path>,
) -> AppResult<HttpResponse> {
    let source = match checked {
        Ok(source) => source,
        Err(problems) => {
            let prefix = strip.map(|p| format!("{}/", p.display()));
            view.problems = problems
                .iter()
                .map(|p| match &prefix {
                    Some(prefix) => p.to_string().replace(prefix.as_str(), ""),
                    None => p.to_string(),
                })
                .collect();
            view.page = view.page.with_error(&AppError::field("folder", Msg::SourceRefused));
            return render(StatusCode::BAD_REQUEST, &view);
        }
    };
    let lines = authoring::sync::sync(&state.db, &state.blobs, &source).await.map_err(failure)?;
    let contest = store::contests::by_slug(&state.db, &source.contest.slug).await?.ok_or(AppError::NotFound)?;
    // The report is shown by a redirect (Post/Redirect/Get), so that a reload does not sync again.
    if lines.is_empty() {
        let flash = Flash { typed: view.chosen, ..Flash::new(view.page.t.sync_nothing.to_owned(), true) };
        return flash.redirect(&state.cookie_key, state.settings.cookie_secure, "/admin/sync#report");
    }
    let report: Vec<&String> = lines.iter().take(REPORT_LINES).collect();
    let after = json!({"folder": view.chosen, "changes": lines.len(), "report": report});
    let target = trail::contest_target(&contest);
    // The sync commits its own transaction (it is the same as the command line's): the trace follows it.
    let entry = trail::record(&state.db, Some(contest.id), organizer, SYNC_ACTION, target, Value::Null, after).await?;
    state.live.changed(contest.id).await?;
    Ok(see_other(&format!("/admin/sync?report={}#report", entry.id)))
}

/// A contest folder uploaded as a zip: unpacked into a temporary folder, then checked and loaded as above.
async fn upload(
    req: HttpRequest,
    page: Page,
    Organizer(organizer): Organizer,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let tmp = upload::temp_dir(&state.settings.data_dir)?;
    let form =
        upload::read(payload, &tmp, &["zip"], upload::Limits { file: ZIP_LIMIT, room: ZIP_LIMIT, files: 1 }).await?;
    form.check_csrf(&req)?;
    let mut view = SyncPage::new(page, &state.settings.challenges_dir);
    let Some(zip) = form.files.into_iter().find(|f| f.field == "zip") else {
        return Err(AppError::field("zip", Msg::Required));
    };
    view.chosen = zip.name.clone();
    let unpacked = tempfile::tempdir_in(&tmp).map_err(|e| AppError::Internal(e.into()))?;
    let into = unpacked.path().to_path_buf();
    let checked = web::block(move || {
        let dir = authoring::unpack::contest_zip(zip.temp.path(), &into, UNPACK)?;
        Ok::<_, anyhow::Error>(authoring::load_checked(&dir))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let checked = match checked {
        Ok(checked) => checked,
        Err(e) => {
            view.problems = vec![e.to_string()];
            view.page = view.page.with_error(&AppError::field("zip", Msg::SourceRefused));
            return render(StatusCode::BAD_REQUEST, &view);
        }
    };
    // The unpacked folder is removed when `unpacked` is dropped, after the sync stored its files.
    finish(&state, &organizer, view, checked, Some(unpacked.path())).await
}
