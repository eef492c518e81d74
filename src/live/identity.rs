//! Who is asking, from memory: sessions and API tokens (by their SHA-256), the users behind them and each
//! user's team in a contest, loaded on first use and forgotten exactly when they change, so that a team's
//! request (board, challenge, scoreboard, answers) reads none of them from the database.
//!
//! Every change to what is kept here goes through `Live::forget_*` (logout, a revoked token, a password
//! changed or reset, a role, joining, leaving or moving between teams, a team hidden or disqualified), which
//! forgets it on this instance at once and tells the others through NOTIFY. Entries are also dropped after
//! [`KEPT_FOR`], so that what another process changed behind the server's back (the command line on SQLite,
//! a hand-written SQL fix) is read again within that time, and a lost LISTEN connection forgets everything.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entity::{teams, users};
use sea_orm::DatabaseConnection;

use crate::domain::secret;
use crate::store::{self, StoreResult};

/// How long an entry is trusted without being read again.
pub const KEPT_FOR: Duration = Duration::from_secs(60);

/// How often a token's `last_used_at` is written: reads by scripts are not a write each.
const TOKEN_USE_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// A session or an API token: whose, and until when.
#[derive(Clone)]
struct Credential {
    user_id: i32,
    expires_at: Option<DateTime<Utc>>,
    /// The API token's row, to record its use; `None` for a session.
    token_id: Option<i32>,
    last_used: Option<DateTime<Utc>>,
    loaded: Instant,
}

impl Credential {
    fn new(
        user_id: i32,
        expires_at: Option<DateTime<Utc>>,
        token_id: Option<i32>,
        last_used: Option<DateTime<Utc>>,
    ) -> Self {
        Credential { user_id, expires_at, token_id, last_used, loaded: Instant::now() }
    }
}

#[derive(Clone)]
struct Entry<T> {
    value: T,
    loaded: Instant,
}

impl<T> Entry<T> {
    fn new(value: T) -> Self {
        Entry { value, loaded: Instant::now() }
    }

    fn fresh(&self) -> bool {
        self.loaded.elapsed() < KEPT_FOR
    }
}

#[derive(Default)]
struct Kept {
    /// Counts what was forgotten: a value read from the database before a change was forgotten is not kept
    /// after it.
    generation: u64,
    /// `s:<digest>` for sessions, `t:<digest>` for API tokens.
    credentials: HashMap<String, Credential>,
    users: HashMap<i32, Entry<Arc<users::Model>>>,
    /// (contest, user) → the user's team there, or none.
    teams: HashMap<(i32, i32), Entry<Option<Arc<teams::Model>>>>,
}

pub struct Identities {
    db: DatabaseConnection,
    kept: RwLock<Kept>,
}

impl Identities {
    pub fn new(db: DatabaseConnection) -> Self {
        Identities { db, kept: RwLock::new(Kept::default()) }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Kept> {
        self.kept.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Kept> {
        self.kept.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The user of a session token, if the session exists and has not expired.
    pub async fn by_session(&self, token: &str) -> StoreResult<Option<Arc<users::Model>>> {
        let digest = secret::token_digest(token);
        let load = async {
            let found = store::sessions::find(&self.db, &digest).await?;
            Ok(found.map(|(session, user)| (Credential::new(user.id, Some(session.expires_at), None, None), user)))
        };
        self.lookup(format!("s:{digest}"), load).await
    }

    /// The user of an API token; its use is recorded at most once a minute, off the request's path.
    pub async fn by_token(&self, token: &str) -> StoreResult<Option<Arc<users::Model>>> {
        let digest = secret::token_digest(token);
        let load = async {
            let found = store::tokens::find(&self.db, &digest).await?;
            Ok(found.map(|(record, user)| (Credential::new(user.id, None, Some(record.id), record.last_used_at), user)))
        };
        let key = format!("t:{digest}");
        let user = self.lookup(key.clone(), load).await?;
        if user.is_some() {
            self.record_use(&key);
        }
        Ok(user)
    }

    /// The user behind a credential: kept, or read by `load` and then kept.
    async fn lookup(
        &self,
        key: String,
        load: impl Future<Output = StoreResult<Option<(Credential, users::Model)>>>,
    ) -> StoreResult<Option<Arc<users::Model>>> {
        if let Some(user) = self.kept_user(&key) {
            return Ok(Some(user));
        }
        let generation = self.read().generation;
        let Some((credential, user)) = load.await? else { return Ok(None) };
        Ok(Some(self.keep(generation, key, credential, user)))
    }

    /// A user's team in a contest, if any.
    pub async fn team_of(&self, contest_id: i32, user_id: i32) -> StoreResult<Option<Arc<teams::Model>>> {
        if let Some(entry) = self.read().teams.get(&(contest_id, user_id)).filter(|e| e.fresh()) {
            return Ok(entry.value.clone());
        }
        let generation = self.read().generation;
        let team = store::teams::of_user(&self.db, contest_id, user_id).await?.map(Arc::new);
        let mut kept = self.write();
        if kept.generation == generation {
            kept.teams.insert((contest_id, user_id), Entry::new(team.clone()));
        }
        Ok(team)
    }

    /// The user behind a kept, fresh and unexpired credential, if their row is kept too.
    fn kept_user(&self, key: &str) -> Option<Arc<users::Model>> {
        let kept = self.read();
        let credential = kept.credentials.get(key)?;
        let live = credential.loaded.elapsed() < KEPT_FOR && credential.expires_at.is_none_or(|t| t > Utc::now());
        if !live {
            return None;
        }
        kept.users.get(&credential.user_id).filter(|e| e.fresh()).map(|e| e.value.clone())
    }

    fn keep(&self, generation: u64, key: String, credential: Credential, user: users::Model) -> Arc<users::Model> {
        let user = Arc::new(user);
        let mut kept = self.write();
        if kept.generation != generation {
            return user;
        }
        kept.credentials.insert(key, credential);
        kept.users.insert(user.id, Entry::new(user.clone()));
        user
    }

    /// Writes a token's `last_used_at` when the last write is a minute old, in the background.
    fn record_use(&self, key: &str) {
        let now = Utc::now();
        let token_id = {
            let mut kept = self.write();
            let Some(credential) = kept.credentials.get_mut(key) else { return };
            if credential.last_used.is_some_and(|t| now - t < TOKEN_USE_EVERY) {
                return;
            }
            credential.last_used = Some(now);
            credential.token_id
        };
        if let Some(token_id) = token_id {
            let db = self.db.clone();
            tokio::spawn(async move {
                if let Err(e) = store::tokens::touch(&db, token_id, now).await {
                    tracing::warn!(error = %e, "could not record a token's use");
                }
            });
        }
    }

    /// Forgets a user: their row, every session and token of theirs, their teams.
    pub fn forget_user(&self, user_id: i32) {
        let mut kept = self.write();
        kept.generation += 1;
        kept.users.remove(&user_id);
        kept.credentials.retain(|_, c| c.user_id != user_id);
        kept.teams.retain(|(_, user), _| *user != user_id);
    }

    /// Forgets a team (its row changed: hidden, disqualified, renamed, removed) for every member.
    pub fn forget_team(&self, team_id: i32) {
        let mut kept = self.write();
        kept.generation += 1;
        kept.teams.retain(|_, e| e.value.as_ref().is_none_or(|t| t.id != team_id));
    }

    /// Forgets one session, by its token's digest (a logout).
    pub fn forget_session(&self, digest: &str) {
        let mut kept = self.write();
        kept.generation += 1;
        kept.credentials.remove(&format!("s:{digest}"));
    }

    /// Forgets everything (notifications may have been missed).
    pub fn forget_all(&self) {
        let mut kept = self.write();
        let generation = kept.generation + 1;
        *kept = Kept { generation, ..Kept::default() };
    }

    /// Drops what is no longer trusted, so that memory holds only who asked lately.
    pub fn sweep(&self) {
        let mut kept = self.write();
        kept.credentials.retain(|_, c| c.loaded.elapsed() < KEPT_FOR);
        kept.users.retain(|_, e| e.fresh());
        kept.teams.retain(|_, e| e.fresh());
    }

    /// How many credentials, users and memberships are kept (for tests and metrics).
    pub fn counts(&self) -> (usize, usize, usize) {
        let kept = self.read();
        (kept.credentials.len(), kept.users.len(), kept.teams.len())
    }
}
