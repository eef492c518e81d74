//! The console's member moves: a participant put into another team of the contest (a team formed wrongly at
//! registration, a member who changed teams before the start). The old team is left as if the member had
//! left it (the captaincy passes on; an empty team with no record is removed), the new one takes them
//! within the contest's team size. Audited, and the scoreboard follows.

use actix_web::{HttpRequest, HttpResponse};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::json;

use crate::domain::names::Username;
use crate::store::{self, StoreError};
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, Organizer, state};
use crate::web::kit::page::see_other;
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;

pub fn configure(routes: &mut Routes) {
    routes.add(endpoint("/contests/{slug}/console/members/move").post(move_member));
}

#[derive(Deserialize, Default)]
pub struct MoveFields {
    #[serde(default)]
    username: String,
    #[serde(default)]
    team_id: String,
}

async fn move_member(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    Organizer(organizer): Organizer,
    CsrfForm(form): CsrfForm<MoveFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let name = Username::parse(&form.username).map_err(|e| AppError::field("username", e))?;
    let user = store::users::by_username(&state.db, &name)
        .await?
        .ok_or_else(|| AppError::field("username", Msg::NoSuchUser))?;
    let from = store::teams::of_user(&state.db, contest.id, user.id)
        .await?
        .ok_or_else(|| AppError::field("username", Msg::NotInTeam))?;
    let to_id: i32 = form.team_id.trim().parse().map_err(|_| AppError::field("team_id", Msg::NotANumber))?;
    let to = store::teams::by_id(&state.db, contest.id, to_id).await?.ok_or(AppError::NotFound)?;
    if from.id != to.id {
        let txn = state.db.begin().await?;
        let left = store::teams::leave_in(&txn, from.id, user.id).await?;
        store::teams::add_member_in(&txn, to.id, user.id, contest.max_team_size).await.map_err(|e| match e {
            StoreError::TeamFull { max } => AppError::field("team_id", Msg::TeamFull { max }),
            other => other.into(),
        })?;
        let before = json!({"team": from.name, "team_id": from.id});
        let after = json!({"team": to.name, "team_id": to.id, "old_team": format!("{left:?}")});
        trail::record(&txn, Some(contest.id), &organizer, "team.move_member", trail::user_target(&user), before, after)
            .await?;
        txn.commit().await?;
        state.live.forget_user(user.id).await;
        state.live.forget_team(from.id).await;
        state.live.changed(contest.id).await?;
    }
    Ok(see_other(&format!("/contests/{}/console#teams", contest.slug)))
}
