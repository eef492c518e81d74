//! `/admin/sync`: `challenges sync` from the browser, for a contest folder of the server's challenges folder
//! (`challenges_dir`): checked first (every problem reported and nothing written, as on the command line),
//! then loaded, with the report of what changed. Only the folders listed there can be named, so no path is
//! ever taken from the request. The sync is audited and in force at once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::csrf::CsrfForm;
use super::error::{AppError, AppResult, Msg};
use super::extract::{Organizer, state};
use super::page::{Page, ok, render};
use super::routes::{Routes, endpoint};
use super::trail;
use crate::authoring;
use crate::blobs::BlobStore;
use crate::store;

pub fn configure(routes: &mut Routes) {
    routes.add(endpoint("/admin/sync").get(form).post(sync));
}

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
    synced: bool,
}

/// The contest folders under the challenges folder, by name.
fn folders(root: &std::path::Path) -> Vec<String> {
    authoring::contest_folders(root)
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .collect()
}

async fn form(req: HttpRequest, page: Page, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let root = &state.settings.challenges_dir;
    ok(&SyncPage {
        page,
        root: root.display().to_string(),
        folders: folders(root),
        chosen: String::new(),
        problems: Vec::new(),
        changes: Vec::new(),
        synced: false,
    })
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
    let listed = folders(&root);
    let chosen =
        listed.iter().find(|f| **f == fields.folder).cloned().ok_or(AppError::field("folder", Msg::BadRequest))?;
    let dir = root.join(&chosen);
    let checked = web::block(move || authoring::load_checked(&dir)).await.map_err(|e| AppError::Internal(e.into()))?;
    let mut view = SyncPage {
        page,
        root: root.display().to_string(),
        folders: listed,
        chosen,
        problems: Vec::new(),
        changes: Vec::new(),
        synced: false,
    };
    let source = match checked {
        Ok(source) => source,
        Err(problems) => {
            view.problems = problems.iter().map(ToString::to_string).collect();
            view.page = view.page.with_error(&AppError::field("folder", Msg::SourceRefused));
            return render(StatusCode::BAD_REQUEST, &view);
        }
    };
    let lines =
        authoring::sync::sync(&state.db, &BlobStore::new(&state.settings.data_dir), &source).await.map_err(failure)?;
    let contest = store::contests::by_slug(&state.db, &source.contest.slug).await?.ok_or(AppError::NotFound)?;
    if !lines.is_empty() {
        let after = json!({"folder": view.chosen, "changes": lines.len(), "report": lines.iter().take(100).collect::<Vec<_>>()});
        let target = trail::contest_target(&contest);
        // The sync commits its own transaction (it is the same as the command line's): the trace follows it.
        trail::record(&state.db, Some(contest.id), &organizer, "challenges.sync", target, Value::Null, after).await?;
        state.live.changed(contest.id).await?;
    }
    view.changes = lines;
    view.synced = true;
    ok(&view)
}
