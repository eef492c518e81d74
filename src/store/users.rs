//! Accounts.

use chrono::Utc;
use entity::users;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set};

use super::{StoreError, StoreResult, unique_violation};
use crate::domain::names::Username;
use crate::domain::role::Role;

pub struct NewUser<'a> {
    pub username: &'a Username,
    pub email: Option<String>,
    /// An argon2id PHC string, hashed by the caller on a blocking thread.
    pub password_hash: String,
    pub role: Role,
}

/// A new account. A username that is taken, or that looks like one that is (the same skeleton), is refused
/// by the unique indexes, which hold when two registrations race.
pub async fn create(db: &impl ConnectionTrait, new: NewUser<'_>) -> StoreResult<users::Model> {
    let inserted = users::ActiveModel {
        username: Set(new.username.as_str().to_owned()),
        username_key: Set(new.username.key().to_owned()),
        username_skeleton: Set(Some(new.username.skeleton().to_owned())),
        email: Set(new.email),
        password_hash: Set(new.password_hash),
        role: Set(new.role.as_str().to_owned()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await;
    let err = match inserted {
        Ok(user) => return Ok(user),
        Err(e) => e,
    };
    match unique_violation(&err) {
        Some(index) if index.contains("skeleton") => {
            // SQLite names the newer index when both are violated; PostgreSQL checks the older (the key)
            // first. After a failed statement SQLite's transaction goes on, so it can be asked.
            let same = db.get_database_backend() == DbBackend::Sqlite && by_username(db, new.username).await?.is_some();
            Err(if same { StoreError::UsernameTaken } else { StoreError::UsernameConfusable })
        }
        Some(_) => Err(StoreError::UsernameTaken),
        None => Err(err.into()),
    }
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> StoreResult<Option<users::Model>> {
    Ok(users::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_username(db: &impl ConnectionTrait, username: &Username) -> StoreResult<Option<users::Model>> {
    Ok(users::Entity::find().filter(users::Column::UsernameKey.eq(username.key())).one(db).await?)
}

/// Sets a new password and ends every way in that the old one gave: the account's sessions and its API
/// tokens, in the caller's transaction (or at once). Whoever changes it signs in again; scripts need new tokens.
pub async fn set_password_hash(db: &impl ConnectionTrait, user_id: i32, password_hash: String) -> StoreResult<()> {
    let result = users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, sea_orm::sea_query::Expr::value(password_hash))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    super::sessions::end_all_of(db, user_id).await?;
    super::tokens::revoke_all_of(db, user_id).await
}

/// Accounts whose name holds `text` (folded as names are), by name; at most `limit`.
pub async fn search(db: &impl ConnectionTrait, text: &str, limit: u64) -> StoreResult<Vec<users::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let folded = Username::parse(text).map(|u| u.key().to_owned()).unwrap_or_default();
    let mut q = users::Entity::find().order_by_asc(users::Column::UsernameKey);
    if !folded.is_empty() {
        q = q.filter(users::Column::UsernameKey.contains(folded.as_str()));
    }
    Ok(q.limit(limit).all(db).await?)
}

pub async fn set_role(db: &impl ConnectionTrait, user_id: i32, role: Role) -> StoreResult<()> {
    users::Entity::update_many()
        .col_expr(users::Column::Role, sea_orm::sea_query::Expr::value(role.as_str()))
        .filter(users::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
