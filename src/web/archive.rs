//! The archive: after a contest, teams add their slides, scripts and write-ups (checked, reviewed by
//! organizers), and everyone browses each year by what they may see.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Duration, Utc};
use entity::{archive_files, archive_items, contests, users};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::json;

use super::csrf::CsrfForm;
use super::error::{AppError, AppResult, Msg};
use super::extract::{ContestCtx, CurrentUser, MaybeUser, Organizer, role_of, state};
use super::markdown;
use super::page::{Page, ok, render, see_other};
use super::routes::{Routes, endpoint};
use super::trail;
use super::upload;
use crate::blobs::BlobStore;
use crate::domain::access;
use crate::domain::names::optional_text;
use crate::inspect;
use crate::startup::AppState;
use crate::store;
use crate::store::challenges::ChallengeView;

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/archive").get(years))
        .add(endpoint("/archive/search").get(search))
        .add(endpoint("/archive/items/{id}").get(item_page))
        .add(endpoint("/archive/items/{id}/review").post(review))
        .add(endpoint("/archive/files/{id}/{name}").get(download))
        .add(endpoint("/archive/{slug}").get(year))
        .add(endpoint("/archive/{slug}/upload").get(upload_form).post(upload))
        .add(endpoint("/archive/{slug}/review").get(review_list))
        .add(endpoint("/archive/{slug}/teams/{team}").get(team_page));
}

pub const KINDS: [&str; 5] = ["slides", "script", "writeup", "video", "repository"];
pub const VISIBILITIES: [&str; 3] = ["public", "participants", "organizers"];
/// The ethics checklist: every box must be ticked before an item is submitted.
pub const ETHICS: [&str; 4] = ["no_live_malware", "no_personal_data", "identifiers_redacted", "responsible_disclosure"];

/// When a contest stops taking archive items.
pub fn archive_until(contest: &contests::Model) -> DateTime<Utc> {
    contest.archive_until.unwrap_or(contest.ends_at + Duration::days(30))
}

/// Whether a user holds every agreement the contest's datasets require.
async fn holds_agreements(state: &AppState, contest_id: i32, user_id: i32) -> AppResult<bool> {
    let mut keys: Vec<String> = store::challenges::of_contest(&state.db, contest_id)
        .await?
        .iter()
        .flat_map(|v| ChallengeView::list(&v.challenge.datasets))
        .collect();
    keys.sort();
    keys.dedup();
    for d in store::datasets::by_keys(&state.db, &keys).await? {
        if d.agreement_required && store::datasets::agreed_at(&state.db, user_id, &d).await?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The asker, as the archive's rules see them.
struct Asker {
    user: Option<std::rc::Rc<users::Model>>,
    team_id: Option<i32>,
    agreements: bool,
}

impl Asker {
    async fn of(state: &AppState, req: &HttpRequest, contest: &contests::Model) -> AppResult<Asker> {
        let user = MaybeUser::load(req).await?;
        let (team_id, agreements) = match &user {
            Some(u) => (
                store::teams::of_user(&state.db, contest.id, u.id).await?.map(|t| t.id),
                holds_agreements(state, contest.id, u.id).await?,
            ),
            None => (None, false),
        };
        Ok(Asker { user, team_id, agreements })
    }

    fn may_see(&self, item: &archive_items::Model) -> bool {
        let role = self.user.as_deref().map(role_of);
        access::may_see_item(role, self.team_id == Some(item.team_id), self.agreements, &item.status, &item.visibility)
    }

    fn organizer(&self) -> bool {
        self.user.as_deref().is_some_and(|u| role_of(u).is_organizer())
    }
}

// ---- Browsing ----

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

async fn years(req: HttpRequest, page: Page) -> AppResult<HttpResponse> {
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
fn item_rows(
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
struct TeamPath {
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

async fn team_page(
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

fn ended(contest: &contests::Model) -> AppResult<()> {
    if Utc::now() < contest.ends_at { Err(AppError::NotFound) } else { Ok(()) }
}

async fn year(req: HttpRequest, page: Page, ContestCtx(contest): ContestCtx) -> AppResult<HttpResponse> {
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
}

/// Text files up to this size are shown on the item's page.
const INLINE_TEXT: i64 = 256 * 1024;

#[derive(Deserialize)]
struct IdPath {
    id: i32,
}

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

async fn item_page(req: HttpRequest, page: Page, path: web::Path<IdPath>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let (contest, item, files, asker) = visible_item(&state, &req, path.id).await?;
    let blobs = BlobStore::new(&state.settings.data_dir);
    let files = files
        .into_iter()
        .map(|f| {
            let text = (f.media_type == "text/plain" && f.size <= INLINE_TEXT)
                .then(|| blobs.path_of(&f.sha256).and_then(|p| std::fs::read_to_string(p).ok()))
                .flatten();
            FileRow { id: f.id, name: f.name, size: f.size, sha256: f.sha256, media_type: f.media_type, text }
        })
        .collect();
    let team = store::teams::by_id(&state.db, contest.id, item.team_id).await?.map(|t| t.name).unwrap_or_default();
    ok(&ItemPage {
        description: markdown::to_html(&item.description),
        organizer: asker.organizer(),
        team,
        files,
        page,
        contest,
        item,
    })
}

#[derive(Deserialize)]
struct FilePath {
    id: i32,
}

async fn download(req: HttpRequest, path: web::Path<FilePath>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let file = store::archive::file(&state.db, path.id).await?.ok_or(AppError::NotFound)?;
    visible_item(&state, &req, file.item_id).await?;
    let blob = BlobStore::new(&state.settings.data_dir).path_of(&file.sha256).ok_or(AppError::NotFound)?;
    super::download::attachment(&req, &blob, &file.name).await
}

// ---- Searching ----

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    kind: String,
}

pub struct Hit {
    pub id: i32,
    pub title: String,
    pub kind: String,
    pub contest_slug: String,
    pub contest_title: String,
    pub team: String,
}

#[derive(Template)]
#[template(path = "archive_search.html")]
struct SearchPage {
    page: Page,
    q: String,
    /// (slug, title, selected) of each year; (key, selected) of each area and kind.
    years: Vec<(String, String, bool)>,
    areas: Vec<(String, bool)>,
    kinds: Vec<(String, bool)>,
    hits: Vec<Hit>,
    searched: bool,
}

/// Search across years, ranked; filters by year, area and kind; only what the asker may see.
async fn search(req: HttpRequest, page: Page, q: web::Query<SearchQuery>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let contests = store::archive::ended_contests(&state.db).await?;
    let years = contests
        .iter()
        .map(|c| (c.slug.clone(), page.lang.text(&c.title, &c.title_en).to_owned(), c.slug == q.year))
        .collect();
    let areas =
        ["static", "dynamic", "surface", "dfir", "hackathon"].iter().map(|a| ((*a).to_owned(), *a == q.area)).collect();
    let kinds = KINDS.iter().map(|k| ((*k).to_owned(), *k == q.kind)).collect();
    let ids = store::search::find(&state.db, &q.q).await?;
    let mut askers: HashMap<i32, Asker> = HashMap::new();
    let mut hits = Vec::new();
    for item in store::archive::by_ids(&state.db, &ids).await? {
        let Some(contest) = contests.iter().find(|c| c.id == item.contest_id) else { continue };
        if (!q.year.is_empty() && contest.slug != q.year) || (!q.kind.is_empty() && item.kind != q.kind) {
            continue;
        }
        if !q.area.is_empty() && !ChallengeView::list(&item.areas).contains(&q.area) {
            continue;
        }
        let asker = match askers.entry(contest.id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(Asker::of(&state, &req, contest).await?),
        };
        if !asker.may_see(&item) {
            continue;
        }
        let team = store::teams::by_id(&state.db, contest.id, item.team_id).await?.map(|t| t.name).unwrap_or_default();
        hits.push(Hit {
            id: item.id,
            title: item.title,
            kind: item.kind,
            contest_slug: contest.slug.clone(),
            contest_title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
            team,
        });
    }
    ok(&SearchPage { searched: !q.q.trim().is_empty(), q: q.q.clone(), years, areas, kinds, hits, page })
}

// ---- Uploading ----

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

async fn upload_form(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    upload_team(&state, &contest, user.id).await?;
    upload_page(&state, page, contest, StatusCode::OK).await
}

async fn upload(
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
        let limits = upload::Limits { file: contest.archive_file_limit, room };
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
    let blobs = BlobStore::new(&state.settings.data_dir);
    let mut files = Vec::new();
    for f in &form.files {
        let stored = blobs.put_file(f.temp.path()).map_err(|e| {
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

// ---- Review ----

#[derive(Template)]
#[template(path = "archive_review.html")]
struct ReviewPage {
    page: Page,
    contest: contests::Model,
    items: Vec<ItemRow>,
}

async fn review_list(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    _: Organizer,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let teams: HashMap<i32, String> =
        store::teams::all_of_contest(&state.db, contest.id).await?.into_iter().map(|t| (t.id, t.name)).collect();
    let items = item_rows(store::archive::of_contest(&state.db, contest.id).await?, &teams);
    ok(&ReviewPage { page, contest, items })
}

#[derive(Deserialize, Default)]
pub struct ReviewFields {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn review(
    req: HttpRequest,
    path: web::Path<IdPath>,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<ReviewFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let (item, _) = store::archive::item(&state.db, path.id).await?.ok_or(AppError::NotFound)?;
    let status = match form.decision.as_str() {
        "publish" => "published",
        "return" => "returned",
        _ => return Err(AppError::field("decision", Msg::BadRequest)),
    };
    let comment =
        optional_text(Some(&form.comment), 2000).map_err(|e| AppError::field("comment", e))?.unwrap_or_default();
    let txn = state.db.begin().await?;
    store::archive::review(&txn, item.id, status, &comment).await?;
    let target = format!("archive item {} (#{})", item.title, item.id);
    let (before, after) = (json!({"status": item.status}), json!({"status": status, "comment": comment}));
    trail::record(&txn, Some(item.contest_id), &organizer, "archive.review", target, before, after).await?;
    txn.commit().await?;
    Ok(see_other(&format!("/archive/items/{}", item.id)))
}
