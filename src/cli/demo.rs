//! The demo contest `mwscup-demo`, so that a newcomer's first `serve --demo` shows a live contest.

use chrono::{Duration, Timelike, Utc};
use sea_orm::DatabaseConnection;

use std::path::{Path, PathBuf};

use crate::authoring;
use crate::blobs::BlobStore;
use crate::config::Settings;
use crate::domain::names::Username;
use crate::domain::{password, role::Role, secret};
use crate::store;

pub const SLUG: &str = "mwscup-demo";
pub const ORGANIZER: &str = "organizer";

/// What `ensure` did, for the start-up message.
pub struct Outcome {
    pub created_contest: bool,
    /// The organizer's password, when this run created the organizer.
    pub organizer_password: Option<String>,
}

impl Outcome {
    pub fn print(&self) {
        if self.created_contest {
            println!("demo: created the contest {SLUG} from its sources, running now and ending in 4 hours");
        } else {
            println!("demo: the contest {SLUG} exists already; left as it is");
        }
        match &self.organizer_password {
            Some(pw) => println!("demo: log in as organizer: username `{ORGANIZER}`, password `{pw}` (shown once)"),
            None => println!(
                "demo: the organizer `{ORGANIZER}` exists already (its password was printed when it was made; \
                 `mwscup admin create --username NAME` makes another)"
            ),
        }
    }
}

/// Where the demo's sources are: `challenges/mwscup-demo` under the working folder, else in the source
/// tree this binary was built from.
fn demo_folder() -> Option<PathBuf> {
    [PathBuf::from("challenges").join(SLUG), Path::new(env!("CARGO_MANIFEST_DIR")).join("challenges").join(SLUG)]
        .into_iter()
        .find(|p| p.join("contest.toml").is_file())
}

/// Loads the demo's sources with every time moved so that it starts now.
async fn load_demo(db: &DatabaseConnection, settings: &Settings, folder: &Path) -> anyhow::Result<()> {
    let source = authoring::load_checked(folder).map_err(|problems| {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the demo contest has problems:\n{}", list.join("\n"))
    })?;
    let now = Utc::now();
    let start = now.with_nanosecond(0).unwrap_or(now);
    let shift = start - source.contest.starts_at;
    authoring::sync::sync(db, &BlobStore::of(settings, db), &source.shifted(shift)).await?;
    Ok(())
}

/// Creates the demo contest, running from now for four hours, and its organizer, unless they exist.
pub async fn ensure(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<Outcome> {
    // Instances started together with `--demo` take turns: one creates, the others find it made.
    crate::db::exclusively(db, "demo", ensure_now(db, settings)).await
}

async fn ensure_now(db: &DatabaseConnection, settings: &Settings) -> anyhow::Result<Outcome> {
    let created_contest = if store::contests::by_slug(db, SLUG).await?.is_some() {
        false
    } else if let Some(folder) = demo_folder() {
        load_demo(db, settings, &folder).await?;
        true
    } else {
        tracing::warn!(
            "the demo's sources (challenges/{SLUG}) are not here: creating the demo contest without challenges"
        );
        let now = Utc::now();
        store::contests::create(
            db,
            store::contests::NewContest {
                slug: SLUG.into(),
                title: "MWS Cup デモ".into(),
                title_en: "MWS Cup demo".into(),
                description: "mwscup を試すためのデモコンテストです。チームを作り、仲間を招待してみましょう。".into(),
                description_en: "A demo contest to try mwscup: create a team and invite your teammates.".into(),
                timezone: "Asia/Tokyo".into(),
                starts_at: now,
                ends_at: now + Duration::hours(4),
                freeze_at: Some(now + Duration::hours(4) - Duration::minutes(30)),
                max_team_size: 6,
                demo: true,
            },
        )
        .await?;
        true
    };

    let username = Username::parse(ORGANIZER).map_err(|e| anyhow::anyhow!("{e}"))?;
    let organizer_password = if store::users::by_username(db, &username).await?.is_some() {
        None
    } else {
        let plain = secret::generated_password();
        let to_hash = plain.clone();
        let hash = tokio::task::spawn_blocking(move || password::hash(&to_hash)).await?;
        let new =
            store::users::NewUser { username: &username, email: None, password_hash: hash, role: Role::Organizer };
        store::users::create(db, new).await?;
        Some(plain)
    };
    Ok(Outcome { created_contest, organizer_password })
}
