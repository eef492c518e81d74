//! API tokens: shown once at creation, stored as a SHA-256 digest, revocable.

use chrono::Utc;
use entity::{api_tokens, users};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::{StoreError, StoreResult};
use crate::domain::secret;

/// A token that was just made: `token` is its only plaintext copy.
pub struct Created {
    pub record: api_tokens::Model,
    pub token: String,
}

pub async fn create(db: &impl ConnectionTrait, user_id: i32, name: &str) -> StoreResult<Created> {
    let token = secret::api_token();
    let prefix: String = token.chars().take(secret::API_TOKEN_PREFIX.len() + 4).collect();
    let record = api_tokens::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(secret::token_digest(&token)),
        prefix: Set(prefix),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Created { record, token })
}

pub async fn of_user(db: &impl ConnectionTrait, user_id: i32) -> StoreResult<Vec<api_tokens::Model>> {
    Ok(api_tokens::Entity::find()
        .filter(api_tokens::Column::UserId.eq(user_id))
        .order_by_asc(api_tokens::Column::Id)
        .all(db)
        .await?)
}

/// Revokes one of the user's own tokens; another user's token id is not found.
pub async fn revoke(db: &impl ConnectionTrait, user_id: i32, token_id: i32) -> StoreResult<()> {
    let result = api_tokens::Entity::delete_many()
        .filter(api_tokens::Column::Id.eq(token_id))
        .filter(api_tokens::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

/// Revokes every token of a user (their password changed).
pub async fn revoke_all_of(db: &impl ConnectionTrait, user_id: i32) -> StoreResult<()> {
    api_tokens::Entity::delete_many().filter(api_tokens::Column::UserId.eq(user_id)).exec(db).await?;
    Ok(())
}

/// The API token of a token's digest, with its user.
pub async fn find(db: &impl ConnectionTrait, digest: &str) -> StoreResult<Option<(api_tokens::Model, users::Model)>> {
    let found = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(digest))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(record, user)| Some((record, user?))))
}

/// Records when a token was last used.
pub async fn touch(db: &impl ConnectionTrait, token_id: i32, at: chrono::DateTime<Utc>) -> StoreResult<()> {
    api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::LastUsedAt, sea_orm::sea_query::Expr::value(at))
        .filter(api_tokens::Column::Id.eq(token_id))
        .exec(db)
        .await?;
    Ok(())
}
