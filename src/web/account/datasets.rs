//! The dataset catalog (`/datasets`), each dataset's terms and the agreement to them, and the
//! organizers' record of agreements made on paper.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use entity::datasets;
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::access::{self, Asker};
use crate::domain::clock;
use crate::domain::names::Username;
use crate::domain::role::Role;
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::store::datasets::AgreementRow;
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::extract::{CurrentUser, Organizer, state};
use crate::web::kit::flash::Flash;
use crate::web::kit::page::{Page, ok, render, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/datasets").get(catalog))
        .add(endpoint("/datasets/{key}").get(detail))
        .add(endpoint("/datasets/{key}/agree").post(agree))
        .add(endpoint("/datasets/{key}/agreements").get(agreements).post(record_agreements));
}

pub fn kind_label(page: &Page, kind: &str) -> &'static str {
    match kind {
        "observation" => page.t.kind_observation,
        "analysis" => page.t.kind_analysis,
        _ => page.t.kind_other,
    }
}

/// A challenge that cites a dataset, as the catalog lists it.
pub struct Citation {
    pub contest_slug: String,
    pub contest_title: String,
    pub title: String,
}

pub struct DatasetRow {
    pub dataset: datasets::Model,
    pub kind: &'static str,
    pub summary: String,
    pub agreed: Option<String>,
    pub citations: Vec<Citation>,
}

#[derive(Template)]
#[template(path = "datasets.html")]
struct CatalogPage {
    page: Page,
    rows: Vec<DatasetRow>,
}

const ZONE: &str = "Asia/Tokyo";

async fn catalog(req: HttpRequest, page: Page) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let now = Utc::now();
    let role = page.viewer.as_ref().map_or(Role::Participant, |v| v.role);
    // The catalog is public; a challenge is listed once it has opened, so nothing upcoming is revealed.
    let asker = Asker { role, in_team: true };
    let cited: Vec<_> = store::challenges::all_with_contests(&state.db)
        .await?
        .into_iter()
        .filter(|(c, area, contest)| {
            let opens = clock::opens_at(contest.starts_at, area.opens_at, c.opens_at);
            access::may_see_challenge(asker, c.hidden, opens, now)
        })
        .collect();
    let mut rows = Vec::new();
    for dataset in store::datasets::all(&state.db).await? {
        let agreed = match &page.viewer {
            Some(v) => store::datasets::agreed_at(&state.db, v.id, &dataset).await?.map(|at| page.time(&at, ZONE)),
            None => None,
        };
        let citations = cited
            .iter()
            .filter(|(c, _, _)| ChallengeView::list(&c.datasets).contains(&dataset.key))
            .map(|(c, _, contest)| Citation {
                contest_slug: contest.slug.clone(),
                contest_title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
                title: page.lang.text(&c.title, &c.title_en).to_owned(),
            })
            .collect();
        rows.push(DatasetRow {
            kind: kind_label(&page, &dataset.kind),
            summary: page.lang.text(&dataset.summary, &dataset.summary_en).to_owned(),
            agreed,
            citations,
            dataset,
        });
    }
    ok(&CatalogPage { page, rows })
}

#[derive(Template)]
#[template(path = "dataset.html")]
struct DetailPage {
    page: Page,
    dataset: datasets::Model,
    kind: &'static str,
    summary: String,
    terms: String,
    agreed: Option<String>,
    /// Where to go back to once agreed (the challenge that offered the files), a path on this site.
    next: String,
    /// This page, with `next`, for the login link.
    self_path: String,
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
    next: Option<String>,
}

async fn detail(req: HttpRequest, page: Page, key: web::Path<String>, q: web::Query<Done>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let dataset = store::datasets::by_key(&state.db, &key).await?.ok_or(AppError::NotFound)?;
    let agreed = match &page.viewer {
        Some(v) => store::datasets::agreed_at(&state.db, v.id, &dataset).await?.map(|at| page.time(&at, ZONE)),
        None => None,
    };
    let page = if q.done.as_deref() == Some("agreed") {
        let notice = page.t.agreed_notice;
        page.with_notice(notice)
    } else {
        page
    };
    let terms = page.lang.text(&dataset.terms, &dataset.terms_en).to_owned();
    let next = q.next.as_deref().and_then(crate::domain::redirect::same_site_path).unwrap_or("").to_owned();
    let self_path = if next.is_empty() {
        format!("/datasets/{}", dataset.key)
    } else {
        format!("/datasets/{}?next={}", dataset.key, crate::web::kit::page::url_encode(&next))
    };
    ok(&DetailPage {
        next,
        self_path,
        kind: kind_label(&page, &dataset.kind),
        summary: page.lang.text(&dataset.summary, &dataset.summary_en).to_owned(),
        terms,
        agreed,
        page,
        dataset,
    })
}

#[derive(Deserialize, Default)]
struct AgreeFields {
    #[serde(default)]
    next: String,
}

/// Records the agreement, then goes back where the person came from (the challenge whose files wait for it),
/// telling them there; without a `next`, to the dataset's page.
async fn agree(
    req: HttpRequest,
    page: Page,
    key: web::Path<String>,
    CurrentUser(user): CurrentUser,
    CsrfForm(form): CsrfForm<AgreeFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let dataset = store::datasets::by_key(&state.db, &key).await?.ok_or(AppError::NotFound)?;
    store::datasets::agree(&state.db, user.id, &dataset, None).await?;
    match crate::domain::redirect::same_site_path(&form.next) {
        Some(next) => {
            let text = format!("{} {}", dataset.name, page.t.agreed_notice);
            Flash::new(text, true).redirect(&state.cookie_key, state.settings.cookie_secure, next)
        }
        None => Ok(see_other(&format!("/datasets/{}?done=agreed", dataset.key))),
    }
}

#[derive(Template)]
#[template(path = "dataset_agreements.html")]
struct AgreementsPage {
    page: Page,
    dataset: datasets::Model,
    rows: Vec<AgreementRow>,
    zone: &'static str,
    /// The names the last recording did not find, put back into the form to be corrected.
    typed: String,
}

/// The organizers' form and list; after a recording, its result (carried by the flash) above them.
async fn agreements(req: HttpRequest, page: Page, key: web::Path<String>, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let dataset = store::datasets::by_key(&state.db, &key).await?.ok_or(AppError::NotFound)?;
    let rows = store::datasets::agreements(&state.db, dataset.id).await?;
    let flash = Flash::take(&req, &state.cookie_key);
    let mut page = page;
    let mut typed = String::new();
    if let Some(f) = &flash {
        page.notice = Some(f.text.clone());
        page.error = f.lines.first().cloned();
        typed = f.typed.clone();
    }
    let mut res = render(StatusCode::OK, &AgreementsPage { page, dataset, rows, zone: ZONE, typed })?;
    if flash.is_some() {
        Flash::clear(&mut res);
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct RecordFields {
    #[serde(default)]
    usernames: String,
}

/// Records agreements for many users at once; says how many were new and which names are unknown.
async fn record_agreements(
    req: HttpRequest,
    page: Page,
    key: web::Path<String>,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<RecordFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let dataset = store::datasets::by_key(&state.db, &key).await?.ok_or(AppError::NotFound)?;
    let (mut recorded, mut already, mut unknown) = (0, 0, Vec::new());
    for name in form.usernames.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let user = match Username::parse(name) {
            Ok(u) => store::users::by_username(&state.db, &u).await?,
            Err(_) => None,
        };
        let Some(user) = user else {
            unknown.push(name.to_owned());
            continue;
        };
        // Each agreement with its trace, in one transaction; one kept already is left as it is.
        if store::datasets::agreed_at(&state.db, user.id, &dataset).await?.is_some() {
            already += 1;
            continue;
        }
        let txn = state.db.begin().await?;
        if store::datasets::agree(&txn, user.id, &dataset, Some(organizer.id)).await? {
            let after = json!({"dataset": dataset.key, "terms_version": dataset.terms_version});
            let target = trail::user_target(&user);
            trail::record(&txn, None, &organizer, "dataset.agreement", target, Value::Null, after).await?;
            txn.commit().await?;
            recorded += 1;
        } else {
            already += 1;
        }
    }
    // The result goes to the list by a redirect, so that a reload sends nothing again.
    let notice = page.lang.pick(
        format!("{recorded}件を記録しました (記録済み {already}件)。"),
        format!("Recorded {recorded} (already recorded: {already})."),
    );
    let mut flash = Flash::new(notice, unknown.is_empty());
    if !unknown.is_empty() {
        flash.lines.push(page.lang.pick(
            format!("見つからないユーザー: {}", unknown.join("、")),
            format!("No such users: {}", unknown.join(", ")),
        ));
        flash.typed = unknown.join("\n");
    }
    flash.redirect(&state.cookie_key, state.settings.cookie_secure, &format!("/datasets/{}/agreements", dataset.key))
}
