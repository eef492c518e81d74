//! Attachments, offered at `/files/{sha256}/{name}` to those who may see a challenge that offers them,
//! and who agreed to the terms of the datasets it was built on.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::blobs::is_sha256;
use crate::domain::access::{self, Asker};
use crate::domain::clock;
use crate::domain::play::missing_requirements;
use crate::domain::role::Role;
use crate::play::solved_slugs;
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{CurrentUser, role_of, state};
use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes.add(endpoint("/files/{sha256}/{name}").get(download));
}

#[derive(Deserialize)]
struct FilePath {
    sha256: String,
    name: String,
}

async fn download(
    req: HttpRequest,
    path: web::Path<FilePath>,
    CurrentUser(user): CurrentUser,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    if !is_sha256(&path.sha256) {
        return Err(AppError::NotFound);
    }
    let now = Utc::now();
    let role = role_of(&user);
    let mut offered = None;
    for (challenge, area, contest) in store::challenges::offering(&state.db, &path.sha256, &path.name).await? {
        let team = store::teams::of_user(&state.db, contest.id, user.id).await?;
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
    offered.ok_or(AppError::NotFound)?;

    if access::needs_own_agreement(role) {
        // The agreements of every challenge that offers these bytes, not only of the one seen here.
        let keys = store::challenges::datasets_of_file(&state.db, &path.sha256).await?;
        let mut missing = Vec::new();
        for d in store::datasets::by_keys(&state.db, &keys).await? {
            if d.agreement_required && store::datasets::agreed_at(&state.db, user.id, &d).await?.is_none() {
                missing.push((d.key, d.name));
            }
        }
        if !missing.is_empty() {
            return Err(AppError::Forbidden(Msg::AgreementRequired { datasets: missing }));
        }
    }

    crate::web::kit::download::attachment(&req, &state.blobs, &path.sha256, &path.name).await
}
