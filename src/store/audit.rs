//! The audit log: what organizers and judges did. An action is recorded in the same transaction as the
//! change it describes, so that a change never lands without its trace (nor a trace without its change).

use chrono::{DateTime, Utc};
use entity::{audit_log, users};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;

use super::StoreResult;

/// One action about to be recorded.
pub struct Action<'a> {
    pub contest_id: Option<i32>,
    pub actor: &'a users::Model,
    /// `area.verb`, e.g. `contest.pause`.
    pub action: &'a str,
    /// What it was done to, in words.
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(db: &impl ConnectionTrait, a: Action<'_>) -> StoreResult<audit_log::Model> {
    Ok(audit_log::ActiveModel {
        contest_id: Set(a.contest_id),
        actor_id: Set(Some(a.actor.id)),
        actor_name: Set(a.actor.username.clone()),
        action: Set(a.action.chars().take(64).collect()),
        target: Set(a.target.chars().take(300).collect()),
        before: Set(a.before.map(|v| v.to_string())),
        after: Set(a.after.map(|v| v.to_string())),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> StoreResult<Option<audit_log::Model>> {
    Ok(audit_log::Entity::find_by_id(id).one(db).await?)
}

/// Which entries to list; every part is optional.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub contest_id: Option<i32>,
    pub actor: Option<String>,
    /// An action or the start of one (`contest.` lists every contest action).
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: u64,
}

/// Entries, newest first.
pub async fn list(db: &impl ConnectionTrait, f: &Filter) -> StoreResult<Vec<audit_log::Model>> {
    let mut q = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
    if let Some(c) = f.contest_id {
        q = q.filter(audit_log::Column::ContestId.eq(c));
    }
    if let Some(a) = f.actor.as_deref().filter(|a| !a.is_empty()) {
        q = q.filter(audit_log::Column::ActorName.eq(a));
    }
    if let Some(a) = f.action.as_deref().filter(|a| !a.is_empty()) {
        q = q.filter(audit_log::Column::Action.starts_with(a));
    }
    if let Some(t) = f.since {
        q = q.filter(audit_log::Column::CreatedAt.gte(t));
    }
    if let Some(t) = f.until {
        q = q.filter(audit_log::Column::CreatedAt.lt(t));
    }
    Ok(q.limit(f.limit.max(1)).all(db).await?)
}

/// An entry as exported with the results.
#[derive(Debug, Serialize)]
pub struct Exported {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl From<audit_log::Model> for Exported {
    fn from(m: audit_log::Model) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Exported {
            at: m.created_at,
            actor: m.actor_name,
            action: m.action,
            target: m.target,
            before: parse(m.before),
            after: parse(m.after),
        }
    }
}
