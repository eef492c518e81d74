//! The archive: items and their files.

use chrono::Utc;
use entity::{archive_files, archive_items, contests};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionTrait,
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

/// A past year's team, found by name or made (without members), with its final standing. Returns its id
/// and what changed.
pub async fn import_team(
    db: &impl ConnectionTrait,
    contest_id: i32,
    name: &crate::domain::names::TeamName,
    affiliation: Option<String>,
    rank: i32,
    centipoints: i64,
) -> StoreResult<(i32, Vec<String>)> {
    let mut changes = Vec::new();
    let existing = entity::teams::Entity::find()
        .filter(entity::teams::Column::ContestId.eq(contest_id))
        .filter(entity::teams::Column::NameKey.eq(name.key()))
        .one(db)
        .await?;
    let team = match existing {
        Some(team) => team,
        None => {
            changes.push("created".to_owned());
            let new = super::teams::NewTeam { contest_id, name, affiliation: None, captain_id: None };
            super::teams::insert(db, new).await?
        }
    };
    if team.affiliation != affiliation || team.final_rank != Some(rank) || team.final_centipoints != Some(centipoints) {
        let mut a = team.clone().into_active_model();
        a.affiliation = Set(affiliation);
        a.final_rank = Set(Some(rank));
        a.final_centipoints = Set(Some(centipoints));
        a.update(db).await?;
        changes.push(format!("final standing {rank} ({})", crate::domain::standings::Points(centipoints)));
    }
    Ok((team.id, changes))
}

/// An item as a past year's folder gives it.
pub struct ImportedItem {
    pub contest_id: i32,
    pub team_id: i32,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub areas: Vec<String>,
    pub challenges: Vec<String>,
    pub licence: Option<String>,
    pub link: Option<String>,
    pub visibility: String,
    pub status: String,
}

/// An imported item, found by team and title or made, its fields and files made those given. Returns its
/// id and what changed.
pub async fn import_item(
    db: &impl ConnectionTrait,
    item: ImportedItem,
    files: Vec<NewFile>,
) -> StoreResult<(i32, Vec<String>)> {
    let mut changes = Vec::new();
    let existing = archive_items::Entity::find()
        .filter(archive_items::Column::TeamId.eq(item.team_id))
        .filter(archive_items::Column::Title.eq(&item.title))
        .one(db)
        .await?;
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let now = Utc::now();
    let mut a =
        existing.clone().map(IntoActiveModel::into_active_model).unwrap_or_else(|| archive_items::ActiveModel {
            contest_id: Set(item.contest_id),
            team_id: Set(item.team_id),
            uploader_id: Set(None),
            review_comment: Set(String::new()),
            ethics: Set("{}".into()),
            created_at: Set(now),
            ..Default::default()
        });
    let mut changed = Vec::new();
    macro_rules! assign {
        ($($field:ident = $value:expr),*) => {$(
            a.$field.set_if_not_equals($value);
            if a.$field.is_set() { changed.push(stringify!($field)); }
        )*};
    }
    assign!(
        kind = item.kind.clone(),
        title = item.title.clone(),
        description = item.description.clone(),
        areas = json(&item.areas),
        challenges = json(&item.challenges),
        licence = item.licence.clone(),
        link = item.link.clone(),
        visibility = item.visibility.clone(),
        status = item.status.clone()
    );
    let row = match existing {
        None => {
            a.updated_at = Set(now);
            changes.push("created".to_owned());
            a.insert(db).await?
        }
        Some(row) if changed.is_empty() => row,
        Some(_) => {
            a.updated_at = Set(now);
            changes.push(format!("updated {}", changed.join(", ")));
            a.update(db).await?
        }
    };
    let current = archive_files::Entity::find()
        .filter(archive_files::Column::ItemId.eq(row.id))
        .order_by_asc(archive_files::Column::Id)
        .all(db)
        .await?;
    let same = current.len() == files.len()
        && current.iter().zip(&files).all(|(c, w)| c.name == w.name && c.sha256 == w.sha256);
    if !same {
        archive_files::Entity::delete_many().filter(archive_files::Column::ItemId.eq(row.id)).exec(db).await?;
        for f in files {
            archive_files::ActiveModel {
                item_id: Set(row.id),
                name: Set(f.name),
                sha256: Set(f.sha256),
                size: Set(f.size),
                media_type: Set(f.media_type),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        if !changes.iter().any(|c| c == "created") {
            changes.push("files replaced".to_owned());
        }
    }
    Ok((row.id, changes))
}
