//! `/admin`: the organizers' home across contests, and the audit log of every organizer's and judge's
//! action, filterable by contest, person and kind of action.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use entity::{audit_log, contests};
use serde::Deserialize;

use super::error::AppResult;
use super::extract::{Organizer, state};
use super::page::{Page, ok};
use super::routes::{Routes, endpoint};
use crate::store;

pub fn configure(routes: &mut Routes) {
    routes.add(endpoint("/admin").get(home)).add(endpoint("/admin/audit").get(audit));
}

#[derive(Template)]
#[template(path = "admin.html")]
struct HomePage {
    page: Page,
    contests: Vec<contests::Model>,
}

async fn home(req: HttpRequest, page: Page, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let contests = store::contests::all(&state.db).await?;
    ok(&HomePage { page, contests })
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    contest: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
}

/// One entry as the table shows it.
struct Row {
    at: String,
    contest: String,
    entry: audit_log::Model,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    page: Page,
    contests: Vec<contests::Model>,
    query: AuditQuery,
    rows: Vec<Row>,
    limit: u64,
}

/// The most entries a page lists (newest first); narrower filters reach older ones.
const SHOWN: u64 = 500;

async fn audit(req: HttpRequest, page: Page, _: Organizer, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let query = q.into_inner();
    let contests = store::contests::all(&state.db).await?;
    let contest = contests.iter().find(|c| c.slug == query.contest.trim());
    let filter = store::audit::Filter {
        contest_id: contest.map(|c| c.id),
        actor: Some(query.actor.trim().to_owned()),
        action: Some(query.action.trim().to_owned()),
        limit: SHOWN,
        ..Default::default()
    };
    let rows = store::audit::list(&state.db, &filter)
        .await?
        .into_iter()
        .map(|entry| {
            let of = contests.iter().find(|c| Some(c.id) == entry.contest_id);
            Row {
                at: page.time(&entry.created_at, of.map_or("Asia/Tokyo", |c| c.timezone.as_str())),
                contest: of.map(|c| c.slug.clone()).unwrap_or_default(),
                entry,
            }
        })
        .collect();
    ok(&AuditPage { page, contests, query, rows, limit: SHOWN })
}
