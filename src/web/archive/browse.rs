//! Browsing the archive: the years, a year (final standings, items, questions), a team, an item with its
//! files inline, and downloads.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::{archive_files, archive_items, contests};
use serde::Deserialize;

use super::{Asker, IdPath, archive_until, ended};
use crate::startup::AppState;
use crate::store;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::extract::{ContestCtx, state};
use crate::web::kit::markdown;
use crate::web::kit::page::{Page, ok};

pub struct YearRow {
    pub slug: String,
    pub title: String,
    pub ended: String,
}

#[derive(Template)]
#[template(path = "archive.html")]
struct YearsPage {
    page: Page,
    years: Vec<YearRow>,
}

pub(super) async fn years(req: HttpRequest, page: Page) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let years = store::archive::ended_contests(&state.db)
        .await?
        .into_iter()
        .map(|c| YearRow {
            title: page.lang.text(&c.title, &c.title_en).to_owned(),
            ended: page.time(&c.ends_at, &c.timezone),
            slug: c.slug,
        })
        .collect();
    ok(&YearsPage { page, years })
}

/// Items as the lists show them, with their teams' names.
pub(super) fn item_rows(
    items: Vec<(archive_items::Model, Vec<archive_files::Model>)>,
    teams: &HashMap<i32, String>,
) -> Vec<ItemRow> {
    items
        .into_iter()
        .map(|(i, files)| ItemRow {
            id: i.id,
            team: teams.get(&i.team_id).cloned().unwrap_or_default(),
            kind: i.kind,
            title: i.title,
            status: i.status,
            files: files.len(),
        })
        .collect()
}

pub struct ItemRow {
    pub id: i32,
    pub kind: String,
    pub title: String,
    pub team: String,
    pub status: String,
    pub files: usize,
}

pub struct QuestionRow {
    pub area: String,
    pub title: String,
    pub html: String,
    pub attachments: Vec<entity::attachments::Model>,
}

pub struct StandingRow {
    pub pos: usize,
    pub team_id: i32,
    pub team: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "archive_year.html")]
struct YearPage {
    page: Page,
    contest: contests::Model,
    title: String,
    standings: Vec<StandingRow>,
    items: Vec<ItemRow>,
    questions: Vec<QuestionRow>,
    can_upload: bool,
    until: String,
}

/// The final standings: as kept at the reveal (or imported with a past year), else as they stand now in
/// the reader's view (frozen until the reveal).
async fn final_standings(
    state: &AppState,
    contest: &contests::Model,
    teams: &[entity::teams::Model],
    organizer: bool,
) -> AppResult<Vec<StandingRow>> {
    let mut kept: Vec<&entity::teams::Model> = teams.iter().filter(|t| t.final_rank.is_some() && !t.hidden).collect();
    if !kept.is_empty() {
        kept.sort_by_key(|t| (t.final_rank, t.name_key.clone()));
        return Ok(kept
            .into_iter()
            .map(|t| StandingRow {
                pos: usize::try_from(t.final_rank.unwrap_or(0)).unwrap_or(0),
                team_id: t.id,
                team: t.name.clone(),
                score: crate::domain::standings::Points(t.final_centipoints.unwrap_or(0)).to_string(),
            })
            .collect());
    }
    let snap = state.live.get(contest).await?.snapshot();
    Ok(snap
        .view(organizer)
        .standings
        .overall
        .iter()
        .map(|r| StandingRow { pos: r.pos, team_id: r.team_id, team: r.name.clone(), score: r.score.to_string() })
        .collect())
}

#[derive(Deserialize)]
pub(super) struct TeamPath {
    team: i32,
}

#[derive(Template)]
#[template(path = "archive_team.html")]
struct TeamPage {
    page: Page,
    contest: contests::Model,
    team: entity::teams::Model,
    members: Vec<String>,
    standing: Option<StandingRow>,
    items: Vec<ItemRow>,
}

pub(super) async fn team_page(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    path: web::Path<TeamPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    ended(&contest)?;
    let team =
        store::teams::by_id(&state.db, contest.id, path.team).await?.filter(|t| !t.hidden).ok_or(AppError::NotFound)?;
    let asker = Asker::of(&state, &req, &contest).await?;
    let all_teams = store::teams::all_of_contest(&state.db, contest.id).await?;
    let standing = final_standings(&state, &contest, &all_teams, asker.organizer())
        .await?
        .into_iter()
        .find(|r| r.team_id == team.id);
    let members = store::teams::view(&state.db, team.clone()).await?.members.into_iter().map(|m| m.username).collect();
    let items = store::archive::of_contest(&state.db, contest.id)
        .await?
        .into_iter()
        .filter(|(i, _)| i.team_id == team.id && asker.may_see(i))
        .map(|(i, files)| ItemRow {
            id: i.id,
            kind: i.kind,
            title: i.title,
            team: team.name.clone(),
            status: i.status,
            files: files.len(),
        })
        .collect();
    ok(&TeamPage { page, contest, team, members, standing, items })
}

pub(super) async fn year(req: HttpRequest, page: Page, ContestCtx(contest): ContestCtx) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    ended(&contest)?;
    let asker = Asker::of(&state, &req, &contest).await?;
    let all_teams = store::teams::all_of_contest(&state.db, contest.id).await?;
    let standings = final_standings(&state, &contest, &all_teams, asker.organizer()).await?;
    let teams: HashMap<i32, String> = all_teams.into_iter().map(|t| (t.id, t.name)).collect();
    let visible = store::archive::of_contest(&state.db, contest.id)
        .await?
        .into_iter()
        .filter(|(i, _)| asker.may_see(i))
        .collect();
    let items = item_rows(visible, &teams);
    let questions = store::challenges::of_contest(&state.db, contest.id)
        .await?
        .into_iter()
        .map(|v| QuestionRow {
            area: page.lang.text(&v.area.name, &v.area.name_en).to_owned(),
            title: page.lang.text(&v.challenge.title, &v.challenge.title_en).to_owned(),
            html: markdown::to_html(page.lang.text(&v.challenge.description, &v.challenge.description_en)),
            attachments: v.attachments,
        })
        .collect();
    let can_upload = asker.team_id.is_some() && Utc::now() < archive_until(&contest);
    ok(&YearPage {
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        until: page.time(&archive_until(&contest), &contest.timezone),
        standings,
        items,
        questions,
        can_upload,
        page,
        contest,
    })
}

pub struct FileRow {
    pub id: i32,
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub media_type: String,
    /// The content of a text file, shown inline (escaped by the template).
    pub text: Option<String>,
}

#[derive(Template)]
#[template(path = "archive_item.html")]
struct ItemPage {
    page: Page,
    contest: contests::Model,
    item: archive_items::Model,
    team: String,
    description: String,
    files: Vec<FileRow>,
    organizer: bool,
    /// Some text files were left out of the page: their text is only a download away.
    inline_cut: bool,
}

/// Text files up to this size are shown on the item's page...
const INLINE_TEXT: i64 = 256 * 1024;
/// ...and this much text in all: an item of many text files costs a page of bounded size and memory.
const INLINE_TOTAL: i64 = 1024 * 1024;

async fn visible_item(
    state: &AppState,
    req: &HttpRequest,
    id: i32,
) -> AppResult<(contests::Model, archive_items::Model, Vec<archive_files::Model>, Asker)> {
    let (item, files) = store::archive::item(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let contest = store::contests::by_id(&state.db, item.contest_id).await?.ok_or(AppError::NotFound)?;
    let asker = Asker::of(state, req, &contest).await?;
    if !asker.may_see(&item) {
        return Err(AppError::NotFound);
    }
    Ok((contest, item, files, asker))
}

pub(super) async fn item_page(req: HttpRequest, page: Page, path: web::Path<IdPath>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let (contest, item, files, asker) = visible_item(&state, &req, path.id).await?;
    let mut room = INLINE_TOTAL;
    let mut inline_cut = false;
    let mut rows = Vec::with_capacity(files.len());
    for f in files {
        let inline = f.media_type == "text/plain" && f.size <= INLINE_TEXT;
        let fits = inline && f.size <= room;
        inline_cut |= inline && !fits;
        let text = if fits {
            match state.blobs.read_to_bytes(&f.sha256).await {
                Ok(bytes) => bytes.and_then(|b| String::from_utf8(b).ok()),
                Err(e) => {
                    tracing::error!(sha256 = %f.sha256, error = %e, "an archive file could not be read");
                    None
                }
            }
        } else {
            None
        };
        if text.is_some() {
            room -= f.size;
        }
        rows.push(FileRow { id: f.id, name: f.name, size: f.size, sha256: f.sha256, media_type: f.media_type, text });
    }
    let files = rows;
    let team = store::teams::by_id(&state.db, contest.id, item.team_id).await?.map(|t| t.name).unwrap_or_default();
    ok(&ItemPage {
        description: markdown::to_html(&item.description),
        organizer: asker.organizer(),
        team,
        files,
        inline_cut,
        page,
        contest,
        item,
    })
}

#[derive(Deserialize)]
pub(super) struct FilePath {
    id: i32,
    name: String,
}

pub(super) async fn download(req: HttpRequest, path: web::Path<FilePath>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let file = store::archive::file(&state.db, path.id).await?.ok_or(AppError::NotFound)?;
    // Under its own name only, as an attachment: a link names one file, not "file 7 under any name".
    if file.name != path.name {
        return Err(AppError::NotFound);
    }
    visible_item(&state, &req, file.item_id).await?;
    crate::web::kit::download::attachment(&req, &state.blobs, &file.sha256, &file.name).await
}
