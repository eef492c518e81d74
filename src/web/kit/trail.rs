//! Organizers' and judges' actions into the audit log, inside the transaction of the change they describe, so
//! that a change never lands without its trace (nor a trace without its change).

use entity::{audit_log, contests, teams, users};
use sea_orm::ConnectionTrait;
use serde_json::Value;

use crate::store;
use crate::web::kit::error::AppResult;

/// Records an action (`area.verb`) on `target`, with the state before and after (`Value::Null`: none); the
/// entry is returned for a page that shows it.
pub async fn record(
    txn: &impl ConnectionTrait,
    contest_id: Option<i32>,
    actor: &users::Model,
    action: &str,
    target: String,
    before: Value,
    after: Value,
) -> AppResult<audit_log::Model> {
    let some = |v: Value| (!v.is_null()).then_some(v);
    let entry = store::audit::Action { contest_id, actor, action, target, before: some(before), after: some(after) };
    Ok(store::audit::record(txn, entry).await?)
}

pub fn contest_target(contest: &contests::Model) -> String {
    format!("contest {}", contest.slug)
}

pub fn team_target(team: &teams::Model) -> String {
    format!("team {} (#{})", team.name, team.id)
}

pub fn user_target(user: &users::Model) -> String {
    format!("user {} (#{})", user.username, user.id)
}
