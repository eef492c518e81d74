//! Login sessions, kept server-side so that logging out and changing a password end them for real.

use chrono::{Duration, Utc};
use entity::{sessions, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::StoreResult;
use crate::domain::secret;

/// How long a session lasts without a new login.
pub const LIFETIME_DAYS: i64 = 14;

/// Starts a session and returns its token, which only the cookie holds.
pub async fn start(db: &impl ConnectionTrait, user_id: i32) -> StoreResult<String> {
    let token = secret::session_token();
    let now = Utc::now();
    sessions::ActiveModel {
        token_hash: Set(secret::token_digest(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(LIFETIME_DAYS)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The unexpired session of a token's digest, with its user.
pub async fn find(db: &impl ConnectionTrait, digest: &str) -> StoreResult<Option<(sessions::Model, users::Model)>> {
    let found = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(digest))
        .filter(sessions::Column::ExpiresAt.gt(Utc::now()))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(session, user)| Some((session, user?))))
}

pub async fn end(db: &impl ConnectionTrait, token: &str) -> StoreResult<()> {
    sessions::Entity::delete_many()
        .filter(sessions::Column::TokenHash.eq(secret::token_digest(token)))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a user (after a password change), and expired sessions of anyone.
pub async fn end_all_of(db: &impl ConnectionTrait, user_id: i32) -> StoreResult<()> {
    sessions::Entity::delete_many()
        .filter(
            Condition::any().add(sessions::Column::UserId.eq(user_id)).add(sessions::Column::ExpiresAt.lte(Utc::now())),
        )
        .exec(db)
        .await?;
    Ok(())
}
