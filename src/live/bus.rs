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

/// Tells the other instances that an announcement was posted, so that their live clients hear of it too. The
/// payload carries its id; each instance reads it from the database (a notification holds 8,000 bytes at most).
pub async fn notify_announcement(db: &DatabaseConnection, contest_id: i32, instance: u64, announcement_id: i32) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), format!("announce {contest_id} {instance} {announcement_id}").into()],
    );
    if let Err(e) = db.execute_raw(stmt).await {
        tracing::warn!(error = %e, "could not notify the other instances of an announcement");
    }
}

/// Something kept in `Identities` that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forget {
    User(i32),
    Team(i32),
    /// A session, by its token's digest.
    Session(String),
    /// Teams whose unlocked hints or wrong answers changed.
    Plays(Vec<i32>),
}

/// Team ids in one notification at most: a payload holds 8,000 bytes.
const TEAMS_A_NOTIFICATION: usize = 900;

/// How often the teams whose play changed are told to the other instances.
const TELL_PLAYS_EVERY: Duration = Duration::from_millis(50);

/// Tells the other instances to forget a user, a team or a session they may keep (PostgreSQL only).
pub async fn notify_forget(db: &DatabaseConnection, what: Forget, instance: u64) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let payload = match what {
        Forget::User(id) => format!("forget user {id} {instance}"),
        Forget::Team(id) => format!("forget team {id} {instance}"),
        Forget::Session(digest) => format!("forget session {digest} {instance}"),
        Forget::Plays(ids) => {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            format!("forget plays {} {instance}", ids.join(","))
        }
    };
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    );
    if let Err(e) = db.execute_raw(stmt).await {
        // The others read it again within `identity::KEPT_FOR` anyway.
        tracing::warn!(error = %e, "could not tell the other instances to forget an identity");
    }
}

/// What another process's notification asks of this instance.
#[derive(Debug, PartialEq, Eq)]
enum Heard {
    /// A contest's events changed: reload it.
    Changed(i32),
    /// An announcement was posted: tell the live clients.
    Announced(i32),
    /// A user, team or session changed.
    Forget(Forget),
}

/// What a notification asks, unless this instance sent it.
fn heard(payload: &str, instance: u64) -> Option<Heard> {
    let mine = |from: &str| from.parse::<u64>().ok() == Some(instance);
    let words: Vec<&str> = payload.split(' ').collect();
    match words.as_slice() {
        ["announce", _, from, id] if !mine(from) => id.parse().ok().map(Heard::Announced),
        ["announce", ..] => None,
        ["forget", "user", id, from] if !mine(from) => id.parse().ok().map(|id| Heard::Forget(Forget::User(id))),
        ["forget", "team", id, from] if !mine(from) => id.parse().ok().map(|id| Heard::Forget(Forget::Team(id))),
        ["forget", "session", digest, from] if !mine(from) && crate::blobs::is_sha256(digest) => {
            Some(Heard::Forget(Forget::Session((*digest).to_owned())))
        }
        ["forget", "plays", ids, from] if !mine(from) => {
            ids.split(',').map(str::parse).collect::<Result<_, _>>().ok().map(|ids| Heard::Forget(Forget::Plays(ids)))
        }
        ["forget", ..] => None,
        [contest, from] if !mine(from) => contest.parse().ok().map(Heard::Changed),
        // From an older instance without a name.
        [contest] => contest.parse().ok().map(Heard::Changed),
        _ => None,
    }
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
            periodic.identities.sweep();
        }
    });
    if database_url.starts_with("postgres") {
        tokio::spawn(tell_plays(live.clone()));
        tokio::spawn(listen(live, database_url));
    }
}

/// Tells the other instances, every few milliseconds, which teams' play changed here meanwhile.
async fn tell_plays(live: Arc<Live>) {
    let mut tick = tokio::time::interval(TELL_PLAYS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for ids in live.take_untold().chunks(TEAMS_A_NOTIFICATION) {
            notify_forget(&live.db, Forget::Plays(ids.to_vec()), live.instance).await;
        }
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
        // Whatever was said while this instance was not listening is unknown: read every identity again.
        live.identities.forget_all();
        live.plays.forget_all();
        loop {
            match listener.recv().await {
                Ok(first) => {
                    // A burst of changes elsewhere (a solve each) is one reload per contest here.
                    let mut contests = std::collections::BTreeSet::new();
                    let mut announced = Vec::new();
                    let mut take = |payload: &str| match heard(payload, live.instance) {
                        Some(Heard::Changed(contest)) => {
                            contests.insert(contest);
                        }
                        Some(Heard::Announced(id)) => announced.push(id),
                        Some(Heard::Forget(what)) => match what {
                            Forget::User(id) => live.identities.forget_user(id),
                            Forget::Team(id) => live.identities.forget_team(id),
                            Forget::Session(digest) => live.identities.forget_session(&digest),
                            Forget::Plays(ids) => live.plays.forget_teams(&ids),
                        },
                        None => {}
                    };
                    take(first.payload());
                    while let Some(next) = listener.next_buffered() {
                        take(next.payload());
                    }
                    let mut rows = Vec::new();
                    for id in announced {
                        match crate::store::play::announcement(&live.db, id).await {
                            Ok(Some(row)) => {
                                // Its contest's list of announcements is read again with the contest.
                                contests.insert(row.contest_id);
                                rows.push(row);
                            }
                            Ok(None) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "an announcement from another instance could not be read")
                            }
                        }
                    }
                    for contest_id in contests {
                        if let Err(e) = live.reload(contest_id).await {
                            tracing::warn!(error = %e, "reload after a notification failed");
                        }
                    }
                    // Told once the contest's list holds them, as on the instance that posted them.
                    for row in rows {
                        live.broadcast_announcement(&row);
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
    use super::{Forget, Heard, heard};

    #[test]
    fn an_instance_skips_its_own_notifications() {
        assert_eq!(heard("7 42", 41), Some(Heard::Changed(7)));
        assert_eq!(heard("7 42", 42), None);
        // From an older instance without a name: reloaded.
        assert_eq!(heard("7", 42), Some(Heard::Changed(7)));
        assert_eq!(heard("x 1", 2), None);
        assert_eq!(heard("announce 7 42 99", 41), Some(Heard::Announced(99)));
        assert_eq!(heard("announce 7 42 99", 42), None, "its own announcement went out already");
        assert_eq!(heard("forget user 5 42", 41), Some(Heard::Forget(Forget::User(5))));
        assert_eq!(heard("forget team 6 42", 41), Some(Heard::Forget(Forget::Team(6))));
        assert_eq!(heard("forget user 5 42", 42), None);
        let digest = "ab".repeat(32);
        assert_eq!(heard(&format!("forget session {digest} 1"), 2), Some(Heard::Forget(Forget::Session(digest))));
        assert_eq!(heard("forget session nothex 1", 2), None);
        assert_eq!(heard("forget plays 3,4,5 1", 2), Some(Heard::Forget(Forget::Plays(vec![3, 4, 5]))));
        assert_eq!(heard("forget plays 3,x 1", 2), None);
        assert_eq!(heard("forget plays 3 2", 2), None);
    }
}
