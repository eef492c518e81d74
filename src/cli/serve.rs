//! `mwscup serve [--demo]` and `mwscup migrate`.

use std::net::TcpListener;

use anyhow::Context;

use super::{demo, open};
use crate::config::Overrides;
use crate::db;
use crate::startup::{AppState, run};

pub async fn serve(overrides: &Overrides, with_demo: bool) -> anyhow::Result<()> {
    let (settings, db) = open(overrides).await?;
    if with_demo {
        demo::ensure(&db, &settings).await?.print();
    }
    let listener = TcpListener::bind(settings.bind)
        .with_context(|| format!("cannot listen on {} (setting `bind`)", settings.bind))?;
    let address = listener.local_addr()?;
    tracing::info!("mwscup listening on http://{address}");
    println!("mwscup is serving on http://{address}  (Ctrl-C stops it)");
    run(listener, AppState::new(db, settings))?.await?;
    Ok(())
}

pub async fn migrate(overrides: &Overrides) -> anyhow::Result<()> {
    let (settings, _db) = open(overrides).await?;
    println!("database is up to date ({})", db::redact(&settings.database_url));
    Ok(())
}
