//! Full-text search of the archive. Each item has one document: its title, and a body of its
//! description, team, files, areas and challenges. SQLite ranks with FTS5's bm25 over trigrams (so that
//! Japanese, written without spaces, is found by any part of three characters or more); PostgreSQL with
//! `ts_rank` over a `simple` tsvector. Queries too short for either fall back to a substring match.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use super::StoreResult;

/// What an item is found by.
pub struct Document {
    pub item_id: i32,
    pub contest_id: i32,
    pub title: String,
    pub body: String,
}

/// Replaces an item's document.
pub async fn index(db: &impl ConnectionTrait, doc: &Document) -> StoreResult<()> {
    let backend = db.get_database_backend();
    let delete = match backend {
        DbBackend::Sqlite => "DELETE FROM archive_search WHERE item_id = ?",
        _ => "DELETE FROM archive_search WHERE item_id = $1",
    };
    db.execute_raw(Statement::from_sql_and_values(backend, delete, [doc.item_id.into()])).await?;
    let (sql, values): (&str, Vec<Value>) = match backend {
        DbBackend::Sqlite => (
            "INSERT INTO archive_search (item_id, contest_id, title, body) VALUES (?, ?, ?, ?)",
            vec![doc.item_id.into(), doc.contest_id.into(), doc.title.clone().into(), doc.body.clone().into()],
        ),
        _ => (
            "INSERT INTO archive_search (item_id, contest_id, title, body, doc)
             VALUES ($1, $2, $3, $4, setweight(to_tsvector('simple', $3), 'A') || setweight(to_tsvector('simple', $4), 'B'))",
            vec![doc.item_id.into(), doc.contest_id.into(), doc.title.clone().into(), doc.body.clone().into()],
        ),
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

/// Item ids matching a query, best first.
pub async fn find(db: &impl ConnectionTrait, query: &str) -> StoreResult<Vec<i32>> {
    let cleaned: String = query.chars().filter(|c| !c.is_control()).collect();
    let query = cleaned.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let short = query.chars().count() < 3;
    let (sql, values): (String, Vec<Value>) = match backend {
        DbBackend::Sqlite if !short => {
            // Each word becomes a quoted FTS5 string, so that no query syntax reaches the engine.
            let phrase = query
                .split_whitespace()
                .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" ");
            ("SELECT item_id FROM archive_search WHERE archive_search MATCH ? ORDER BY bm25(archive_search, 0.0, 0.0, 10.0, 1.0) LIMIT 200".into(), vec![phrase.into()])
        }
        DbBackend::Sqlite => (
            "SELECT item_id FROM archive_search WHERE title LIKE ? OR body LIKE ? LIMIT 200".into(),
            vec![format!("%{query}%").into(), format!("%{query}%").into()],
        ),
        _ => (
            "SELECT item_id FROM archive_search
             WHERE doc @@ plainto_tsquery('simple', $1) OR title ILIKE $2 OR body ILIKE $2
             ORDER BY ts_rank(doc, plainto_tsquery('simple', $1)) DESC, (title ILIKE $2) DESC LIMIT 200"
                .into(),
            vec![query.into(), format!("%{}%", query.replace('%', "\\%").replace('_', "\\_")).into()],
        ),
    };
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    let mut ids = Vec::new();
    for row in rows {
        let id: i32 = row.try_get("", "item_id")?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}
