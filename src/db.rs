//! Opening the database (SQLite with WAL, or PostgreSQL) and running the migrations. The only place that
//! knows which backend is in use.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use sha2::{Digest, Sha256};

/// How long a request waits for a connection of the pool before it gives up with 503 (the setting
/// `db_acquire_timeout`): shorter than a load balancer's own timeout, so the client hears why.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Connections of a SQLite pool: readers in parallel under WAL, writers queued on the busy timeout.
pub const SQLITE_POOL_SIZE: u32 = 8;

/// Opens a pool on `url` with the default wait for a connection.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_waiting(url, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// Opens a pool on `url`. SQLite gets WAL, foreign keys, a busy timeout and a real pool (readers run in
/// parallel under WAL; writers queue on the busy timeout instead of failing).
pub async fn connect_waiting(url: &str, acquire_timeout: Duration) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        // Statements are not logged: a submitted answer must never reach a log.
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(acquire_timeout);
    if url.starts_with("sqlite:") {
        // A file of this machine's never drops a connection: no ping before each use (it cost the answer
        // log's every batch a round trip to the connection's thread).
        options.max_connections(SQLITE_POOL_SIZE).min_connections(1).test_before_acquire(false).map_sqlx_sqlite_opts(
            |o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // A commit is on disk before the server answers: an accepted answer survives a crash.
                    .synchronous(SqliteSynchronous::Full)
                    .create_if_missing(true)
            },
        );
    } else {
        options.max_connections(20).min_connections(1);
    }
    Database::connect(options).await.with_context(|| format!("cannot open the database {}", redact(url)))
}

/// Brings the schema up to date; instances starting at once take turns, and the later ones find nothing to do.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    exclusively(db, "migrate", async { Migrator::up(db, None).await.context("migrating the database") }).await
}

/// Runs `work` while this process holds the PostgreSQL advisory lock named `name`: instances that start or
/// sync at once (migrations, the demo, `challenges sync`) take turns instead of racing to create the same rows.
/// The lock is held by a transaction of its own and ends with it, whatever `work` did. SQLite serves one
/// process and needs none.
pub async fn exclusively<T>(
    db: &DatabaseConnection,
    name: &str,
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    if db.get_database_backend() != DbBackend::Postgres {
        return work.await;
    }
    let digest = Sha256::digest(format!("mwscup-lock-v1\0{name}").as_bytes());
    let key = i64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
    let holder = db.begin().await?;
    let lock = Statement::from_sql_and_values(DbBackend::Postgres, "SELECT pg_advisory_xact_lock($1)", [key.into()]);
    holder.execute_raw(lock).await.with_context(|| format!("waiting for the lock {name:?}"))?;
    let result = work.await;
    holder.commit().await?;
    result
}

/// A database URL fit for a message: the password, if any, replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{SQLITE_POOL_SIZE, connect, redact};

    /// Every connection of the pool (all held at once, so that none is asked twice) flushes each commit to
    /// disk (`synchronous = FULL`, 2) and writes ahead (`journal_mode = wal`): an accepted answer survives a
    /// crash of the machine, not only of the process.
    #[tokio::test]
    async fn every_sqlite_connection_is_durable() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
        let db = connect(&url).await.expect("opens");
        let pool = db.get_sqlite_connection_pool();
        let mut held = Vec::new();
        for _ in 0..SQLITE_POOL_SIZE {
            held.push(pool.acquire().await.expect("a connection"));
        }
        assert_eq!(pool.size(), SQLITE_POOL_SIZE, "every connection of the pool is open and held");
        for conn in &mut held {
            let synchronous: i64 =
                sea_orm::sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut **conn).await.expect("asked");
            let journal: String =
                sea_orm::sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut **conn).await.expect("asked");
            assert_eq!((synchronous, journal.as_str()), (2, "wal"));
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact("sqlite://data/mwscup.db"), "sqlite://data/mwscup.db");
    }
}
