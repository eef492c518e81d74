//! Files kept in the database (`blob_store = "database"`): a row of `blobs` per file, its content in
//! `blob_chunks` rows of about 1 MiB. `crate::blobs` reads and writes them a chunk at a time.

use chrono::Utc;
use entity::{blob_chunks, blobs};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};

use super::StoreResult;

/// The size of a stored file, if it is stored (all its chunks written).
pub async fn size(db: &DatabaseConnection, sha256: &str) -> StoreResult<Option<u64>> {
    let row = blobs::Entity::find_by_id(sha256.to_owned()).one(db).await?;
    Ok(row.map(|b| u64::try_from(b.size).unwrap_or(0)))
}

/// One chunk of a file's content; `None` past its last.
pub async fn chunk(db: &DatabaseConnection, sha256: &str, seq: i32) -> StoreResult<Option<Vec<u8>>> {
    let row = blob_chunks::Entity::find()
        .select_only()
        .column(blob_chunks::Column::Bytes)
        .filter(blob_chunks::Column::Sha256.eq(sha256))
        .filter(blob_chunks::Column::Seq.eq(seq))
        .into_tuple::<Vec<u8>>()
        .one(db)
        .await?;
    Ok(row)
}

/// Writes one chunk (inside the transaction that will write the file's row); a chunk already there (the
/// same content, written by a concurrent store of the same file) is left as it is.
pub async fn put_chunk(db: &impl ConnectionTrait, sha256: &str, seq: i32, bytes: Vec<u8>) -> StoreResult<()> {
    let row = blob_chunks::ActiveModel { sha256: Set(sha256.to_owned()), seq: Set(seq), bytes: Set(bytes) };
    blob_chunks::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([blob_chunks::Column::Sha256, blob_chunks::Column::Seq]).do_nothing().to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Writes a file's row, after all its chunks; whether this call added it (not a concurrent one).
pub async fn put_row(db: &impl ConnectionTrait, sha256: &str, size: u64) -> StoreResult<bool> {
    let row = blobs::ActiveModel {
        sha256: Set(sha256.to_owned()),
        size: Set(i64::try_from(size).unwrap_or(i64::MAX)),
        created_at: Set(Utc::now()),
    };
    let added = blobs::Entity::insert(row)
        .on_conflict(OnConflict::column(blobs::Column::Sha256).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(added > 0)
}

/// How many files are stored, and their chunks.
pub async fn counts(db: &DatabaseConnection) -> StoreResult<(u64, u64)> {
    Ok((blobs::Entity::find().count(db).await?, blob_chunks::Entity::find().count(db).await?))
}
