//! `GET datasets`: the dataset catalog as the caller stands with it — which terms need an agreement, which
//! version is current, whether the caller agreed to it, and where a person does.

use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::users::rfc3339;
use super::{Success, success};
use crate::store;
use crate::web::kit::error::{AppResult, TermsToAgree};
use crate::web::kit::extract::{ApiCaller, state};
use crate::web::kit::i18n::Lang;

#[derive(Serialize, ToSchema)]
struct DatasetJson {
    #[serde(flatten)]
    terms: TermsToAgree,
    kind: String,
    summary: String,
    /// Files of challenges built on it are given only to those who agreed to its current terms.
    agreement_required: bool,
    /// When the caller agreed to the current terms (an agreement to older terms does not count).
    agreed_at: Option<String>,
}

#[utoipa::path(
    get,
    path = "/datasets",
    operation_id = "list_datasets",
    tag = "datasets",
    summary = "The datasets, their terms and the caller's agreement to each (files of a dataset need it)",
    responses((status = 200, body = Success<Vec<DatasetJson>>)),
)]
pub async fn list(req: HttpRequest, ApiCaller(user): ApiCaller) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let lang = Lang::of(&req);
    let mut list = Vec::new();
    for dataset in store::datasets::all(&state.db).await? {
        let agreed_at = store::datasets::agreed_at(&state.db, user.id, &dataset).await?;
        list.push(DatasetJson {
            terms: TermsToAgree::of(&dataset),
            kind: dataset.kind.clone(),
            summary: lang.text(&dataset.summary, &dataset.summary_en).to_owned(),
            agreement_required: dataset.agreement_required,
            agreed_at: agreed_at.as_ref().map(rfc3339),
        });
    }
    Ok(success(list))
}
