//! The live standings of each contest, in memory: loaded from the database on first use, updated on
//! every solve, hint unlock or adjustment once it is committed, and pushed to browsers through a
//! broadcast that feeds Server-Sent Events. Reads take a ready snapshot; they never recompute from rows.
//!
//! Each snapshot also carries what a contest's hot paths read besides the standings: the contest itself,
//! its areas and its visible challenges (the catalog), so that serving the board or judging an answer
//! does not read them from the database. They are read again by the same reloads as the events.
//!
//! Two views are kept: the full one (organizers) and the public one, cut at the freeze until the
//! organizers reveal the results. Each has its own broadcast, so a frozen scoreboard's clients learn
//! nothing, not even that something happened.

pub mod bus;
pub mod ceremony;
pub mod identity;
pub mod plays;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use entity::{announcements, areas, contests};
use sea_orm::DatabaseConnection;
use tokio::sync::{broadcast, watch};

use crate::domain::standings::{Entry, Events, Points, Row, Solve, View};
use crate::store::challenges::ChallengeView;
use crate::store::{self, StoreResult};
use bus::Forget;
use identity::Identities;
use plays::{Plays, TeamPlay};

/// Standings overall and per area (by area id).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Standings {
    pub overall: Vec<Row>,
    pub areas: HashMap<i32, Vec<Row>>,
}

/// One view of a contest at one moment.
#[derive(Debug, Clone)]
pub struct ViewSnapshot {
    /// Shared by both views while the freeze has cut nothing.
    pub standings: Arc<Standings>,
    /// Solves per challenge within the view (dynamic values and the board's counts).
    pub solve_counts: HashMap<i32, u32>,
    /// Events after this instant are left out (the freeze), if any.
    pub until: Option<DateTime<Utc>>,
    /// Changes each time these standings change.
    pub version: u64,
}

/// Each charted team's score after each change.
pub type Progression = HashMap<i32, Vec<(DateTime<Utc>, Points)>>;

/// Charts by view (organizer or not) and area.
type Charts = HashMap<(bool, Option<i32>), Arc<Progression>>;

#[derive(Debug)]
pub struct Snapshot {
    pub contest: contests::Model,
    /// The contest's areas, in order (for tabs and per-area feeds).
    pub areas: Vec<areas::Model>,
    /// The visible challenges, in order, with their hints and files.
    pub challenges: Arc<Vec<Arc<ChallengeView>>>,
    /// The slug of every challenge by id, hidden ones too (a solve of a hidden one still meets a requirement).
    pub slugs: Arc<HashMap<i32, String>>,
    /// The contest's announcements, newest first.
    pub announcements: Arc<Vec<announcements::Model>>,
    pub events: Arc<Events>,
    pub full: ViewSnapshot,
    pub public: ViewSnapshot,
    /// Charts already drawn from this snapshot, by view (organizer or not) and area.
    charts: Mutex<Charts>,
    /// Responses already rendered from this snapshot (feeds, tables), by a key naming what they are.
    rendered: Mutex<HashMap<String, Bytes>>,
}

impl Snapshot {
    /// A rendering of this snapshot, made once: every reader until the next change gets the same bytes.
    pub fn rendered<E>(&self, key: String, render: impl FnOnce() -> Result<Bytes, E>) -> Result<Bytes, E> {
        if let Some(bytes) = self.rendered.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key) {
            return Ok(bytes.clone());
        }
        let bytes = render()?;
        self.rendered.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key, bytes.clone());
        Ok(bytes)
    }

    /// The score-over-time of the top ten teams of a view, computed once per snapshot.
    pub fn progression(&self, organizer: bool, area_id: Option<i32>) -> Arc<Progression> {
        let mut charts = self.charts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        charts
            .entry((organizer, area_id))
            .or_insert_with(|| {
                let view = self.view(organizer);
                let rows = match area_id {
                    Some(a) => view.standings.areas.get(&a).map(Vec::as_slice).unwrap_or_default(),
                    None => &view.standings.overall,
                };
                let top: Vec<i32> = rows.iter().take(10).map(|r| r.team_id).collect();
                Arc::new(self.events.progression(View { area_id, until: view.until }, &top))
            })
            .clone()
    }

    /// The view for someone: organizers see everything; everyone else sees the public (frozen) view.
    pub fn view(&self, organizer: bool) -> &ViewSnapshot {
        if organizer { &self.full } else { &self.public }
    }

    /// Whether the public view is cut at the freeze right now.
    pub fn frozen_now(&self, now: DateTime<Utc>) -> bool {
        self.public.until.is_some_and(|f| now >= f)
    }
}

/// How long a writer waits for its change to be in the standings before it answers anyway.
const SETTLE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// What a browser is told when something changes.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Scoreboard {
        version: u64,
    },
    Notification {
        json: String,
    },
    /// The closing ceremony moved to another step (`None`: it is over, or none is under way).
    Ceremony {
        step: Option<i32>,
    },
}

pub struct ContestLive {
    events: Mutex<Events>,
    snapshot: RwLock<Arc<Snapshot>>,
    pub public_tx: broadcast::Sender<LiveEvent>,
    pub staff_tx: broadcast::Sender<LiveEvent>,
    /// The events changed since the snapshot was computed.
    stale: AtomicBool,
    /// A background recomputation is on its way.
    scheduled: AtomicBool,
    /// One recomputation at a time: those who come meanwhile find it done.
    turn: Mutex<()>,
    /// What this instance applied while reloads read the events from the database: a change committed
    /// after a reload's read began may be missing from what it read, and is applied again onto it rather
    /// than lost until the next reload.
    replay: Mutex<Replay>,
    /// How many of the changes applied here the published snapshot holds: a writer waits for its own
    /// before it answers, so that whoever it tells sees the change on their next read.
    published: watch::Sender<u64>,
}

/// The changes applied while at least one reload reads, numbered, so that each reload replays only those
/// applied after it began.
#[derive(Default)]
struct Replay {
    readers: u32,
    next: u64,
    changes: Vec<(u64, Change)>,
}

/// A committed change, as applied in memory.
#[derive(Debug, Clone, Copy)]
enum Change {
    Solve(Solve),
    Entry(Entry),
}

impl Change {
    fn apply(self, events: &mut Events) {
        match self {
            Change::Solve(s) => events.solves.push(s),
            Change::Entry(e) => events.entries.push(e),
        }
    }

    /// Onto events read from the database, unless they hold it already (a solve is one per team and
    /// challenge; an entry the same in every field at the same instant is the same entry).
    fn replay(self, events: &mut Events) {
        let present = match self {
            Change::Solve(s) => {
                events.solves.iter().any(|e| e.team_id == s.team_id && e.challenge_id == s.challenge_id)
            }
            Change::Entry(e) => events.entries.contains(&e),
        };
        if !present {
            self.apply(events);
        }
    }
}

fn view_of(
    events: &Events,
    areas: &[i32],
    until: Option<DateTime<Utc>>,
    previous: Option<&ViewSnapshot>,
) -> ViewSnapshot {
    let (overall, areas) = events.standings_in(until, areas);
    let standings = Arc::new(Standings { overall, areas });
    let version = match previous {
        Some(p) if p.standings == standings && p.until == until => p.version,
        Some(p) => p.version + 1,
        None => 1,
    };
    ViewSnapshot { solve_counts: events.solve_counts(View { area_id: None, until }), standings, until, version }
}

impl ContestLive {
    fn compute(catalog: Catalog, events: Events, previous: Option<&Snapshot>) -> Snapshot {
        let Catalog { contest, areas, challenges, slugs, announcements } = catalog;
        let area_ids: Vec<i32> = events.areas.iter().map(|a| a.id).collect();
        let cut = if contest.revealed { None } else { contest.freeze_at };
        let full = view_of(&events, &area_ids, None, previous.map(|p| &p.full));
        // Before the freeze has cut anything, the public view is the full one: no need to compute it twice.
        let nothing_cut = cut.is_none_or(|c| {
            events.solves.iter().map(|s| s.at).chain(events.entries.iter().map(|e| e.at)).all(|at| at < c)
        });
        let public = if nothing_cut {
            let previous = previous.map(|p| &p.public);
            let version = match previous {
                Some(p) if p.standings == full.standings && p.until == cut => p.version,
                Some(p) => p.version + 1,
                None => 1,
            };
            ViewSnapshot {
                standings: full.standings.clone(),
                solve_counts: full.solve_counts.clone(),
                until: cut,
                version,
            }
        } else {
            view_of(&events, &area_ids, cut, previous.map(|p| &p.public))
        };
        Snapshot {
            contest,
            areas,
            challenges,
            slugs,
            announcements,
            events: Arc::new(events),
            full,
            public,
            charts: Mutex::new(HashMap::new()),
            rendered: Mutex::new(HashMap::new()),
        }
    }

    fn new(catalog: Catalog, events: Events) -> ContestLive {
        let snapshot = Self::compute(catalog, events.clone(), None);
        ContestLive {
            events: Mutex::new(events),
            snapshot: RwLock::new(Arc::new(snapshot)),
            public_tx: broadcast::channel(256).0,
            staff_tx: broadcast::channel(256).0,
            stale: AtomicBool::new(false),
            scheduled: AtomicBool::new(false),
            turn: Mutex::new(()),
            replay: Mutex::new(Replay::default()),
            published: watch::channel(0).0,
        }
    }

    /// The contest as last computed. Readers never wait for a recomputation: every change whose writer has
    /// answered is in it (see [`ContestLive::settled`]); one committed a moment ago may not be yet.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Waits until the published snapshot holds the first `applied` changes applied here, so that a writer
    /// answers only once its change can be seen. Bounded: the change is committed, and a recomputation that
    /// never comes must not hold the answer.
    pub async fn settled(&self, applied: u64) {
        let mut published = self.published.subscribe();
        let wait = published.wait_for(|n| *n >= applied);
        if tokio::time::timeout(SETTLE_WAIT, wait).await.is_err() {
            tracing::warn!(applied, "a change was not in the standings within the wait; answering anyway");
        }
    }

    /// The challenges a team has solved, from the events themselves (never behind).
    pub fn solved_by(&self, team_id: i32) -> Vec<i32> {
        self.solves_of(team_id).iter().map(|s| s.challenge_id).collect()
    }

    /// A team's solves, first first, from the events themselves (never behind).
    pub fn solves_of(&self, team_id: i32) -> Vec<Solve> {
        let events = self.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        events.solves.iter().filter(|s| s.team_id == team_id).copied().collect()
    }

    /// Recomputes if a change is pending (with a new catalog, if given). Changes that arrive while one
    /// recomputation runs are taken by the next: under a burst of solves, one recomputation serves many.
    fn refresh(&self, catalog: Option<Catalog>) {
        let _turn = self.turn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !self.stale.swap(false, Ordering::AcqRel) && catalog.is_none() {
            return;
        }
        let (events, covered) = {
            let events = self.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            (events.clone(), self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner).next)
        };
        let catalog = catalog.unwrap_or_else(|| Catalog::of(&self.snapshot()));
        self.publish(catalog, events);
        self.published.send_if_modified(|n| {
            let newer = covered > *n;
            if newer {
                *n = covered;
            }
            newer
        });
    }

    /// Recomputes soon, off the caller's path, so that open scoreboards hear of the change even if nobody
    /// reads the standings meanwhile.
    fn schedule(self: &Arc<Self>) {
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        // The solves of one committed batch reach here one after another, woken together: a turn of the
        // scheduler first lets the rest of them in, so that one recomputation holds them all.
        tokio::spawn(async move {
            tokio::task::yield_now().await;
            tokio::task::spawn_blocking(move || {
                this.scheduled.store(false, Ordering::Release);
                this.refresh(None);
            });
        });
    }

    /// Recomputes from the events in memory and tells the clients of each view that changed. Called under
    /// `turn`, so the snapshot it starts from is still the newest when it swaps; readers keep the previous
    /// one meanwhile rather than wait for the computation.
    fn publish(&self, catalog: Catalog, events: Events) {
        let previous = self.snapshot();
        // A reload that found nothing new keeps the snapshot, and with it what was rendered from it.
        if previous.contest == catalog.contest
            && previous.areas == catalog.areas
            && previous.challenges == catalog.challenges
            && previous.slugs == catalog.slugs
            && previous.announcements == catalog.announcements
            && *previous.events == events
        {
            return;
        }
        crate::metrics::METRICS.recomputations.inc();
        let next = Self::compute(catalog, events, Some(&previous));
        let (full_changed, public_changed) =
            (next.full.version != previous.full.version, next.public.version != previous.public.version);
        let (full_version, public_version) = (next.full.version, next.public.version);
        let ceremony = next.contest.ceremony_step;
        let ceremony_moved = ceremony != previous.contest.ceremony_step;
        *self.snapshot.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(next);
        // Nobody listening is not an error.
        if full_changed {
            let _ = self.staff_tx.send(LiveEvent::Scoreboard { version: full_version });
        }
        if public_changed {
            let _ = self.public_tx.send(LiveEvent::Scoreboard { version: public_version });
        }
        // The venue screen follows the ceremony through the public stream: the step's number only, what it
        // shows is fetched.
        if ceremony_moved {
            let _ = self.staff_tx.send(LiveEvent::Ceremony { step: ceremony });
            let _ = self.public_tx.send(LiveEvent::Ceremony { step: ceremony });
        }
    }

    /// A committed change: the standings are recomputed soon, in the background. Returns how many changes
    /// have been applied here with this one, for [`ContestLive::settled`].
    fn apply(self: &Arc<Self>, change: Change) -> u64 {
        let applied = {
            let mut events = self.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            change.apply(&mut events);
            let mut replay = self.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if replay.readers > 0 {
                let n = replay.next;
                replay.changes.push((n, change));
            }
            replay.next += 1;
            replay.next
        };
        self.stale.store(true, Ordering::Release);
        self.schedule();
        applied
    }
}

/// What a contest is made of, as the hot paths read it.
struct Catalog {
    contest: contests::Model,
    areas: Vec<areas::Model>,
    challenges: Arc<Vec<Arc<ChallengeView>>>,
    slugs: Arc<HashMap<i32, String>>,
    announcements: Arc<Vec<announcements::Model>>,
}

impl Catalog {
    async fn read(db: &DatabaseConnection, contest: contests::Model) -> StoreResult<Catalog> {
        let areas = store::challenges::areas_of(db, contest.id).await?;
        let list = store::challenges::of_contest(db, contest.id).await?;
        let challenges = Arc::new(list.into_iter().map(Arc::new).collect());
        let slugs = Arc::new(store::challenges::slugs_of(db, contest.id).await?);
        let announcements = Arc::new(store::play::announcements(db, contest.id).await?);
        Ok(Catalog { contest, areas, challenges, slugs, announcements })
    }

    fn of(snapshot: &Snapshot) -> Catalog {
        Catalog {
            contest: snapshot.contest.clone(),
            areas: snapshot.areas.clone(),
            challenges: snapshot.challenges.clone(),
            slugs: snapshot.slugs.clone(),
            announcements: snapshot.announcements.clone(),
        }
    }
}

/// A contest's id, start and end.
type Window = (i32, DateTime<Utc>, DateTime<Utc>);

/// Every loaded contest's live standings.
pub struct Live {
    db: DatabaseConnection,
    contests: RwLock<HashMap<i32, Arc<ContestLive>>>,
    /// Loaded contests by slug, for the requests that name one.
    slugs: RwLock<HashMap<String, i32>>,
    /// This instance's name in the notifications it sends, so that it skips its own.
    instance: u64,
    /// Sessions, tokens, users and their teams, kept in memory.
    pub identities: Identities,
    /// Each team's unlocked hints and wrong answers, kept in memory.
    plays: Plays,
    /// Teams whose play changed here and that the other instances have not been told of yet (see
    /// `bus::tell_plays`): a burst of wrong answers is one notification, not one each.
    untold: Mutex<std::collections::BTreeSet<i32>>,
    /// Every contest's id and times, for the contest running now; read again after any reload.
    schedule: RwLock<Option<Arc<Vec<Window>>>>,
    /// The closing ceremonies' plans, kept while their events stay the same.
    plans: ceremony::Plans,
}

impl Live {
    pub fn new(db: DatabaseConnection) -> Live {
        Live {
            identities: Identities::new(db.clone()),
            plays: Plays::new(db.clone()),
            untold: Mutex::new(std::collections::BTreeSet::new()),
            db,
            contests: RwLock::new(HashMap::new()),
            slugs: RwLock::new(HashMap::new()),
            instance: rand::random(),
            schedule: RwLock::new(None),
            plans: ceremony::Plans::default(),
        }
    }

    /// The contest running at `now` (the latest to start, if several), else the latest to start; `None`
    /// when there is no contest. For the API's routes without a contest in their path.
    pub async fn current(&self, now: DateTime<Utc>) -> StoreResult<Option<Arc<ContestLive>>> {
        let known = self.schedule.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let schedule = match known {
            Some(s) => s,
            None => {
                let all = store::contests::all(&self.db).await?;
                let s = Arc::new(all.iter().map(|c| (c.id, c.starts_at, c.ends_at)).collect::<Vec<_>>());
                *self.schedule.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(s.clone());
                s
            }
        };
        let running = schedule.iter().filter(|(_, starts, ends)| *starts <= now && now < *ends).max_by_key(|c| c.1);
        let Some(&(id, _, _)) = running.or_else(|| schedule.iter().max_by_key(|c| c.1)) else { return Ok(None) };
        if let Some(live) = self.loaded(id) {
            return Ok(Some(live));
        }
        let Some(contest) = store::contests::by_id(&self.db, id).await? else { return Ok(None) };
        Ok(Some(self.get(&contest).await?))
    }

    fn forget_schedule(&self) {
        *self.schedule.write().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// A contest by its slug, loaded the first time it is asked for; `None` if there is none.
    pub async fn by_slug(&self, slug: &str) -> StoreResult<Option<Arc<ContestLive>>> {
        let known = self.slugs.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(slug).copied();
        if let Some(live) = known.and_then(|id| self.loaded(id)) {
            return Ok(Some(live));
        }
        let Some(contest) = store::contests::by_slug(&self.db, slug).await? else { return Ok(None) };
        let live = self.get(&contest).await?;
        self.slugs.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(contest.slug, contest.id);
        Ok(Some(live))
    }

    fn loaded(&self, contest_id: i32) -> Option<Arc<ContestLive>> {
        self.contests.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&contest_id).cloned()
    }

    /// The live standings of a contest, loaded from the database the first time.
    pub async fn get(&self, contest: &contests::Model) -> StoreResult<Arc<ContestLive>> {
        if let Some(live) = self.loaded(contest.id) {
            return Ok(live);
        }
        let events = store::scores::events(&self.db, contest.id).await?;
        let catalog = Catalog::read(&self.db, contest.clone()).await?;
        let mut map = self.contests.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(map.entry(contest.id).or_insert_with(|| Arc::new(ContestLive::new(catalog, events))).clone())
    }

    /// A solve was committed: returns once the standings show it.
    pub async fn solved(&self, contest_id: i32, solve: Solve) {
        self.applied(contest_id, Change::Solve(solve)).await;
    }

    /// Points outside a solve were committed (a hint's cost, an adjustment): returns once the standings
    /// show them.
    pub async fn entry(&self, contest_id: i32, entry: Entry) {
        self.applied(contest_id, Change::Entry(entry)).await;
    }

    async fn applied(&self, contest_id: i32, change: Change) {
        if let Some(live) = self.loaded(contest_id) {
            let applied = live.apply(change);
            live.settled(applied).await;
        }
    }

    /// Something the events or the catalog depend on changed (teams, challenges, the contest's settings,
    /// another instance's writes): reads the contest again and tells the clients if the standings moved.
    pub async fn reload(&self, contest_id: i32) -> StoreResult<()> {
        self.forget_schedule();
        let Some(live) = self.loaded(contest_id) else { return Ok(()) };
        let began = {
            let mut replay = live.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            replay.readers += 1;
            replay.next
        };
        let read = self.read_contest(contest_id).await;
        let applied_meanwhile: Vec<Change> = {
            let mut replay = live.replay.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let list = replay.changes.iter().filter(|(n, _)| *n >= began).map(|(_, c)| *c).collect();
            replay.readers -= 1;
            if replay.readers == 0 {
                replay.changes.clear();
            }
            list
        };
        let Some((mut fresh, catalog)) = read? else { return Ok(()) };
        // A sync may have made the contest's hints anew: what teams unlocked is read again.
        if catalog.challenges != live.snapshot().challenges {
            self.plays.forget_contest(contest_id);
        }
        {
            let mut events = live.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            // Applied here after the read began: in `fresh` or not, depending on when the read saw the table.
            for change in applied_meanwhile {
                change.replay(&mut fresh);
            }
            *events = fresh;
        }
        live.stale.store(true, Ordering::Release);
        live.refresh(Some(catalog));
        Ok(())
    }

    /// A contest's events and catalog as the database has them; `None` if the contest is gone.
    async fn read_contest(&self, contest_id: i32) -> StoreResult<Option<(Events, Catalog)>> {
        let Some(contest) = store::contests::by_id(&self.db, contest_id).await? else { return Ok(None) };
        let events = store::scores::events(&self.db, contest_id).await?;
        let catalog = Catalog::read(&self.db, contest).await?;
        Ok(Some((events, catalog)))
    }

    /// This instance changed something a contest's views depend on: reads it again here, and tells the
    /// other instances to do the same.
    pub async fn changed(&self, contest_id: i32) -> StoreResult<()> {
        self.reload(contest_id).await?;
        bus::notify(&self.db, contest_id, self.instance).await;
        Ok(())
    }

    /// Tells the other instances that a contest changed, off the caller's path: the change is committed,
    /// and they hear of it within moments (or at the periodic reload).
    pub fn notify(&self, contest_id: i32) {
        if self.db.get_database_backend() != sea_orm::DbBackend::Postgres {
            return;
        }
        let (db, instance) = (self.db.clone(), self.instance);
        tokio::spawn(async move { bus::notify(&db, contest_id, instance).await });
    }

    /// Reloads every loaded contest: picks up what other processes wrote (a `challenges sync`).
    pub async fn reload_all(&self) -> StoreResult<()> {
        self.forget_schedule();
        let ids: Vec<i32> =
            self.contests.read().unwrap_or_else(std::sync::PoisonError::into_inner).keys().copied().collect();
        for id in ids {
            self.reload(id).await?;
        }
        Ok(())
    }

    /// An announcement was committed: every live client of the contest hears of it, on this instance at once
    /// and on the others through NOTIFY.
    pub async fn announce(&self, row: &entity::announcements::Model) {
        // The contest's list of announcements is kept with its catalog: read it again first, so that a client
        // that fetches its page on hearing (the venue screen) finds the announcement there.
        if let Err(e) = self.reload(row.contest_id).await {
            tracing::warn!(error = %e, "reload after an announcement failed");
        }
        self.broadcast_announcement(row);
        bus::notify_announcement(&self.db, row.contest_id, self.instance, row.id).await;
    }

    /// A user's sessions, tokens, role or teams changed (committed): forgotten here at once and on the other
    /// instances through NOTIFY.
    pub async fn forget_user(&self, user_id: i32) {
        self.identities.forget_user(user_id);
        bus::notify_forget(&self.db, Forget::User(user_id), self.instance).await;
    }

    /// A team's row changed (hidden, disqualified, left by its last member).
    pub async fn forget_team(&self, team_id: i32) {
        self.identities.forget_team(team_id);
        bus::notify_forget(&self.db, Forget::Team(team_id), self.instance).await;
    }

    /// A session ended (a logout), by its token.
    pub async fn forget_session(&self, token: &str) {
        let digest = crate::domain::secret::token_digest(token);
        self.identities.forget_session(&digest);
        bus::notify_forget(&self.db, Forget::Session(digest), self.instance).await;
    }

    /// A team's unlocked hints and wrong answers in a contest.
    pub async fn play(&self, contest_id: i32, team_id: i32) -> StoreResult<Arc<TeamPlay>> {
        self.plays.of(contest_id, team_id).await
    }

    /// A team's unlocked hints or wrong answers changed (an answer or an unlock committed, an organizer's
    /// ruling): read again here on the next use, and on the other instances once told.
    pub fn play_changed(&self, team_id: i32) {
        self.plays.forget_teams(&[team_id]);
        self.untell(team_id);
    }

    fn untell(&self, team_id: i32) {
        if self.db.get_database_backend() == sea_orm::DbBackend::Postgres {
            self.untold.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(team_id);
        }
    }

    /// The teams whose play changed here since the last call.
    fn take_untold(&self) -> Vec<i32> {
        std::mem::take(&mut *self.untold.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
            .into_iter()
            .collect()
    }

    /// An announcement to this instance's live clients of its contest.
    pub fn broadcast_announcement(&self, row: &entity::announcements::Model) {
        // Each page shows it in its own language (`assets/live.js`).
        let json = serde_json::json!({"id": row.id, "title": row.title, "title_en": row.title_en, "content": row.body,
            "content_en": row.body_en})
        .to_string();
        if let Some(live) = self.loaded(row.contest_id) {
            let _ = live.public_tx.send(LiveEvent::Notification { json: json.clone() });
            let _ = live.staff_tx.send(LiveEvent::Notification { json });
        }
    }
}
