//! Keeping the live views of several instances in step. Each instance applies its own writes at once;
//! what other processes wrote (another `mwscup serve` on the same PostgreSQL, a `challenges sync`) is
//! picked up by a reload: on PostgreSQL within a second through LISTEN/NOTIFY, and on any backend by a
//! periodic reload.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::Live;

/// The PostgreSQL channel instances tell each other on.
pub const CHANNEL: &str = "mwscup_live";

/// Tells the other instances that a contest's events changed (PostgreSQL only; elsewhere nothing). The
/// payload names this instance, so that it does not reload for its own change.
pub async fn notify(db: &DatabaseConnection, contest_id: i32, instance: u64) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), format!("{contest_id} {instance}").into()],
    );
    if let Err(e) = db.execute_raw(stmt).await {
        tracing::warn!(error = %e, "could not notify the other instances");
    }
}

/// The contest a notification names, unless this instance sent it.
fn foreign_contest(payload: &str, instance: u64) -> Option<i32> {
    let (contest, from) = payload.split_once(' ').unwrap_or((payload, ""));
    (from.parse::<u64>().ok() != Some(instance)).then(|| contest.parse().ok()).flatten()
}

/// Starts the tasks that keep this instance's views current: a periodic reload, and on PostgreSQL a
/// listener that reloads a contest as soon as another instance announces a change.
pub fn start(live: Arc<Live>, database_url: String, every: Duration) {
    let periodic = live.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = periodic.reload_all().await {
                tracing::warn!(error = %e, "periodic reload of the live standings failed");
            }
        }
    });
    if database_url.starts_with("postgres") {
        tokio::spawn(listen(live, database_url));
    }
}

async fn listen(live: Arc<Live>, url: String) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN connection failed; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "LISTEN failed; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(first) => {
                    // A burst of changes elsewhere (a solve each) is one reload per contest here.
                    let mut contests = std::collections::BTreeSet::new();
                    contests.extend(foreign_contest(first.payload(), live.instance));
                    while let Some(next) = listener.next_buffered() {
                        contests.extend(foreign_contest(next.payload(), live.instance));
                    }
                    for contest_id in contests {
                        if let Err(e) = live.reload(contest_id).await {
                            tracing::warn!(error = %e, "reload after a notification failed");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::foreign_contest;

    #[test]
    fn an_instance_skips_its_own_notifications() {
        assert_eq!(foreign_contest("7 42", 41), Some(7));
        assert_eq!(foreign_contest("7 42", 42), None);
        // From an older instance without a name: reloaded.
        assert_eq!(foreign_contest("7", 42), Some(7));
        assert_eq!(foreign_contest("x 1", 2), None);
    }
}
