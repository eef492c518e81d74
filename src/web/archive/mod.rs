//! Past participants and later teams: each year's archive to browse (`browse`) and search (`search`), the
//! teams' uploads of their scripts and slides (`uploads`), and the organizers' review of them (`review`).

mod browse;
mod review;
mod search;
mod uploads;

use actix_web::HttpRequest;
use chrono::{DateTime, Duration, Utc};
use entity::{archive_items, contests, users};
use serde::Deserialize;

use crate::domain::access;
use crate::startup::AppState;
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::extract::{MaybeUser, role_of};
use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/archive").get(browse::years))
        .add(endpoint("/archive/search").get(search::search))
        .add(endpoint("/archive/items/{id}").get(browse::item_page))
        .add(endpoint("/archive/items/{id}/review").post(review::review))
        .add(endpoint("/archive/files/{id}/{name}").get(browse::download))
        .add(endpoint("/archive/{slug}").get(browse::year))
        .add(endpoint("/archive/{slug}/upload").get(uploads::upload_form).post(uploads::upload))
        .add(endpoint("/archive/{slug}/review").get(review::review_list))
        .add(endpoint("/archive/{slug}/teams/{team}").get(browse::team_page));
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

fn ended(contest: &contests::Model) -> AppResult<()> {
    if Utc::now() < contest.ends_at { Err(AppError::NotFound) } else { Ok(()) }
}

#[derive(Deserialize)]
struct IdPath {
    id: i32,
}
