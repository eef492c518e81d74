//! The organizers' review of archive items: publish or return each, with a comment, audited.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use entity::contests;
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::json;

use super::IdPath;
use crate::domain::names::optional_text;
use crate::store;
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Organizer, state};
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::trail;

use super::browse::{ItemRow, item_rows};

#[derive(Template)]
#[template(path = "archive_review.html")]
struct ReviewPage {
    page: Page,
    contest: contests::Model,
    items: Vec<ItemRow>,
}

pub(super) async fn review_list(
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

pub(super) async fn review(
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
