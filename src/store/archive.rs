//! The archive: items and their files.

use chrono::Utc;
use entity::{archive_files, archive_items, contests};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use super::StoreResult;

pub struct NewItem {
    pub contest_id: i32,
    pub team_id: i32,
    pub uploader_id: i32,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub areas: Vec<String>,
    pub challenges: Vec<String>,
    pub licence: Option<String>,
    pub link: Option<String>,
    pub visibility: String,
    pub ethics: serde_json::Value,
}

pub struct NewFile {
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
}

/// An item and its files, in one transaction: submitted, waiting for the organizers' review.
pub async fn create(db: &DatabaseConnection, new: NewItem, files: Vec<NewFile>) -> StoreResult<archive_items::Model> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let item = archive_items::ActiveModel {
        contest_id: Set(new.contest_id),
        team_id: Set(new.team_id),
        uploader_id: Set(Some(new.uploader_id)),
        kind: Set(new.kind),
        title: Set(new.title),
        description: Set(new.description),
        areas: Set(serde_json::to_string(&new.areas).unwrap_or_else(|_| "[]".into())),
        challenges: Set(serde_json::to_string(&new.challenges).unwrap_or_else(|_| "[]".into())),
        licence: Set(new.licence),
        link: Set(new.link),
        visibility: Set(new.visibility),
        status: Set("submitted".into()),
        review_comment: Set(String::new()),
        ethics: Set(new.ethics.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for f in files {
        archive_files::ActiveModel {
            item_id: Set(item.id),
            name: Set(f.name),
            sha256: Set(f.sha256),
            size: Set(f.size),
            media_type: Set(f.media_type),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(item)
}

/// Bytes a team has stored in the archive.
pub async fn team_bytes(db: &impl ConnectionTrait, team_id: i32) -> StoreResult<i64> {
    let items = archive_items::Entity::find().filter(archive_items::Column::TeamId.eq(team_id)).all(db).await?;
    let ids: Vec<i32> = items.iter().map(|i| i.id).collect();
    let files = archive_files::Entity::find().filter(archive_files::Column::ItemId.is_in(ids)).all(db).await?;
    Ok(files.iter().map(|f| f.size).sum())
}

/// A contest's items with their files, newest first.
pub async fn of_contest(
    db: &impl ConnectionTrait,
    contest_id: i32,
) -> StoreResult<Vec<(archive_items::Model, Vec<archive_files::Model>)>> {
    let items = archive_items::Entity::find()
        .filter(archive_items::Column::ContestId.eq(contest_id))
        .order_by_desc(archive_items::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = items.iter().map(|i| i.id).collect();
    let files = archive_files::Entity::find()
        .filter(archive_files::Column::ItemId.is_in(ids))
        .order_by_asc(archive_files::Column::Id)
        .all(db)
        .await?;
    Ok(items
        .into_iter()
        .map(|i| {
            let own = files.iter().filter(|f| f.item_id == i.id).cloned().collect();
            (i, own)
        })
        .collect())
}

pub async fn item(
    db: &impl ConnectionTrait,
    id: i32,
) -> StoreResult<Option<(archive_items::Model, Vec<archive_files::Model>)>> {
    let Some(item) = archive_items::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let files = archive_files::Entity::find()
        .filter(archive_files::Column::ItemId.eq(id))
        .order_by_asc(archive_files::Column::Id)
        .all(db)
        .await?;
    Ok(Some((item, files)))
}

pub async fn file(db: &impl ConnectionTrait, id: i32) -> StoreResult<Option<archive_files::Model>> {
    Ok(archive_files::Entity::find_by_id(id).one(db).await?)
}

/// Publishes an item or returns it to its team with a comment.
pub async fn review(db: &impl ConnectionTrait, id: i32, status: &str, comment: &str) -> StoreResult<()> {
    archive_items::Entity::update_many()
        .col_expr(archive_items::Column::Status, Expr::value(status))
        .col_expr(archive_items::Column::ReviewComment, Expr::value(comment))
        .col_expr(archive_items::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(archive_items::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Contests that have ended, latest first: the archive's years.
pub async fn ended_contests(db: &impl ConnectionTrait) -> StoreResult<Vec<contests::Model>> {
    Ok(contests::Entity::find()
        .filter(contests::Column::EndsAt.lte(Utc::now()))
        .order_by_desc(contests::Column::EndsAt)
        .all(db)
        .await?)
}

/// Indexes an item for search: its title; its description, team, files, areas and challenges.
pub async fn reindex(db: &impl ConnectionTrait, item_id: i32) -> StoreResult<()> {
    let Some((item, files)) = item(db, item_id).await? else { return Ok(()) };
    let team = entity::teams::Entity::find_by_id(item.team_id).one(db).await?.map(|t| t.name).unwrap_or_default();
    let slugs: Vec<String> = serde_json::from_str(&item.challenges).unwrap_or_default();
    let titles: Vec<String> = entity::challenges::Entity::find()
        .filter(entity::challenges::Column::ContestId.eq(item.contest_id))
        .filter(entity::challenges::Column::Slug.is_in(slugs.clone()))
        .all(db)
        .await?
        .into_iter()
        .flat_map(|c| [c.title, c.title_en])
        .collect();
    let areas: Vec<String> = serde_json::from_str(&item.areas).unwrap_or_default();
    let body = [
        item.description.clone(),
        team,
        files.iter().map(|f| f.name.clone()).collect::<Vec<_>>().join(" "),
        areas.join(" "),
        slugs.join(" "),
        titles.join(" "),
        item.kind.clone(),
        item.licence.clone().unwrap_or_default(),
    ]
    .join("\n");
    super::search::index(
        db,
        &super::search::Document { item_id: item.id, contest_id: item.contest_id, title: item.title, body },
    )
    .await
}

/// Items by id, in the order given.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i32]) -> StoreResult<Vec<archive_items::Model>> {
    let mut items = archive_items::Entity::find().filter(archive_items::Column::Id.is_in(ids.to_vec())).all(db).await?;
    items.sort_by_key(|i| ids.iter().position(|id| *id == i.id));
    Ok(items)
}
