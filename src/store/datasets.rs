//! The dataset catalog and users' agreements to datasets' terms.

use chrono::{DateTime, Utc};
use entity::{dataset_agreements, datasets, users};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{StoreResult, is_unique_violation};

pub async fn all(db: &impl ConnectionTrait) -> StoreResult<Vec<datasets::Model>> {
    Ok(datasets::Entity::find().order_by_asc(datasets::Column::Id).all(db).await?)
}

pub async fn by_key(db: &impl ConnectionTrait, key: &str) -> StoreResult<Option<datasets::Model>> {
    Ok(datasets::Entity::find().filter(datasets::Column::Key.eq(key)).one(db).await?)
}

pub async fn by_keys(db: &impl ConnectionTrait, keys: &[String]) -> StoreResult<Vec<datasets::Model>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    Ok(datasets::Entity::find().filter(datasets::Column::Key.is_in(keys.to_vec())).all(db).await?)
}

/// When the user agreed to the dataset's current terms, if they did.
pub async fn agreed_at(
    db: &impl ConnectionTrait,
    user_id: i32,
    dataset: &datasets::Model,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(dataset_agreements::Entity::find()
        .filter(dataset_agreements::Column::UserId.eq(user_id))
        .filter(dataset_agreements::Column::DatasetId.eq(dataset.id))
        .filter(dataset_agreements::Column::TermsVersion.eq(&dataset.terms_version))
        .one(db)
        .await?
        .map(|a| a.agreed_at))
}

/// Records an agreement to the current terms; agreeing twice keeps the first. Returns whether it was new.
pub async fn agree(
    db: &impl ConnectionTrait,
    user_id: i32,
    dataset: &datasets::Model,
    recorded_by: Option<i32>,
) -> StoreResult<bool> {
    let result = dataset_agreements::ActiveModel {
        user_id: Set(user_id),
        dataset_id: Set(dataset.id),
        terms_version: Set(dataset.terms_version.clone()),
        agreed_at: Set(Utc::now()),
        recorded_by: Set(recorded_by),
        ..Default::default()
    }
    .insert(db)
    .await;
    match result {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// An agreement as the organizers' list shows it.
pub struct AgreementRow {
    pub username: String,
    pub terms_version: String,
    pub agreed_at: DateTime<Utc>,
    pub recorded_by: Option<String>,
}

pub async fn agreements(db: &impl ConnectionTrait, dataset_id: i32) -> StoreResult<Vec<AgreementRow>> {
    let rows = dataset_agreements::Entity::find()
        .filter(dataset_agreements::Column::DatasetId.eq(dataset_id))
        .order_by_desc(dataset_agreements::Column::AgreedAt)
        .all(db)
        .await?;
    let mut ids: Vec<i32> = rows.iter().map(|r| r.user_id).chain(rows.iter().filter_map(|r| r.recorded_by)).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = users::Entity::find().filter(users::Column::Id.is_in(ids)).all(db).await?;
    let name = |id: i32| people.iter().find(|u| u.id == id).map(|u| u.username.clone());
    Ok(rows
        .into_iter()
        .map(|r| AgreementRow {
            username: name(r.user_id).unwrap_or_default(),
            terms_version: r.terms_version,
            agreed_at: r.agreed_at,
            recorded_by: r.recorded_by.and_then(name),
        })
        .collect())
}
