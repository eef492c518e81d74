//! Attachments, offered at `/files/{sha256}/{name}` to those who may see a challenge that offers them,
//! and who agreed to the terms of the datasets it was built on. The asker is the holder of a signed link
//! (`?token=`, as the API's `files` give them), else whoever the request's API token or session names.

use std::rc::Rc;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DurationRound, Utc};
use entity::users;
use serde::Deserialize;

use crate::blobs::is_sha256;
use crate::domain::access::{self, Asker};
use crate::domain::clock;
use crate::domain::file_link::{Holder, LINK_LIFETIME, LinkKey};
use crate::domain::play::missing_requirements;
use crate::domain::role::Role;
use crate::play::solved_slugs;
use crate::startup::AppState;
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::web::kit::error::{AppError, AppResult, Msg, TermsToAgree};
use crate::web::kit::extract::{caller_if_any, role_of, state};
use crate::web::kit::page::url_encode;
use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes.add(endpoint("/files/{sha256}/{name}").get(download));
}

/// The link to a file that works without any other credential for an hour or more, for `holder`. It expires at
/// the top of an hour, so that the same holder is given the same link all hour long (a page or an API answer
/// does not change from one second to the next).
pub fn signed_link(key: &LinkKey, holder: Holder, sha256: &str, name: &str) -> String {
    let hour = chrono::TimeDelta::hours(1);
    let expires = (Utc::now() + LINK_LIFETIME).duration_trunc(hour).map_or(Utc::now() + LINK_LIFETIME, |t| t + hour);
    let token = key.sign(holder, sha256, name, expires);
    format!("/files/{sha256}/{}?token={token}", url_encode(name))
}

#[derive(Deserialize)]
struct FilePath {
    sha256: String,
    name: String,
}

#[derive(Deserialize)]
struct LinkQuery {
    token: Option<String>,
}

/// Who asks for a file, and the team a signed link binds them to (`None` when no link was used).
async fn asker(
    req: &HttpRequest,
    state: &AppState,
    path: &FilePath,
    link: Option<&str>,
) -> AppResult<(Rc<users::Model>, Option<Option<i32>>)> {
    let Some(token) = link else {
        let user = caller_if_any(req).await?.ok_or(AppError::LoginRequired)?;
        return Ok((user, None));
    };
    let holder = state
        .link_key
        .verify(token, &path.sha256, &path.name, Utc::now())
        .map_err(|_| AppError::Forbidden(Msg::FileLinkInvalid))?;
    let user =
        store::users::by_id(&state.db, holder.user_id).await?.ok_or(AppError::Forbidden(Msg::FileLinkInvalid))?;
    Ok((Rc::new(user), Some(holder.team_id)))
}

async fn download(
    req: HttpRequest,
    path: web::Path<FilePath>,
    query: web::Query<LinkQuery>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    if !is_sha256(&path.sha256) {
        return Err(AppError::NotFound);
    }
    let (user, bound_team) = asker(&req, &state, &path, query.token.as_deref()).await?;
    let now = Utc::now();
    let role = role_of(&user);
    let mut offered = None;
    let mut left_team = false;
    for (challenge, area, contest) in store::challenges::offering(&state.db, &path.sha256, &path.name).await? {
        let team = store::teams::of_user(&state.db, contest.id, user.id).await?;
        // A link serves the team it was made for, in its contest: one who left it keeps nothing by it.
        if let Some(bound) = bound_team
            && team.as_ref().map(|t| t.id) != bound
        {
            left_team |= bound.is_some();
            continue;
        }
        let opens = clock::opens_at(contest.starts_at, area.opens_at, challenge.opens_at);
        // After the end, the archive shows every challenge to everyone (files still need the agreements).
        let in_team = team.is_some() || now >= contest.ends_at;
        if !access::may_see_challenge(Asker { role, in_team }, challenge.hidden, opens, now) {
            continue;
        }
        // A locked challenge (its `requires` unsolved) keeps its files too.
        if let Some(team) = team.filter(|_| role == Role::Participant && now < contest.ends_at) {
            let solved: Vec<i32> =
                store::play::solves_of_team(&state.db, team.id).await?.iter().map(|s| s.challenge_id).collect();
            let slugs = store::challenges::slugs_of(&state.db, contest.id).await?;
            let requires = ChallengeView::list(&challenge.requires);
            if !missing_requirements(&requires, &solved_slugs(&solved, &slugs)).is_empty() {
                continue;
            }
        }
        offered = Some(challenge);
        break;
    }
    // Someone who may not see the challenge learns nothing, not even that the file exists.
    if offered.is_none() {
        return Err(if left_team { AppError::Forbidden(Msg::FileLinkStale) } else { AppError::NotFound });
    }

    if access::needs_own_agreement(role) {
        // The agreements of every challenge that offers these bytes, not only of the one seen here.
        let keys = store::challenges::datasets_of_file(&state.db, &path.sha256).await?;
        require_terms(&state, user.id, &keys).await?;
    }

    crate::web::kit::download::attachment(&req, &state.blobs, &path.sha256, &path.name).await
}

/// Refuses (403, naming them) while the user has not agreed to the terms of these datasets.
pub async fn require_terms(state: &AppState, user_id: i32, keys: &[String]) -> AppResult<()> {
    let mut missing = Vec::new();
    for d in store::datasets::by_keys(&state.db, keys).await? {
        if d.agreement_required && store::datasets::agreed_at(&state.db, user_id, &d).await?.is_none() {
            missing.push(TermsToAgree::of(&d));
        }
    }
    if missing.is_empty() { Ok(()) } else { Err(AppError::Forbidden(Msg::AgreementRequired { datasets: missing })) }
}
