//! `mwscup serve [--demo]` and `mwscup migrate`.

use std::net::TcpListener;

use anyhow::Context;

use super::{demo, open};
use crate::config::Overrides;
use crate::db;
use crate::startup::{AppState, run};

pub async fn serve(overrides: &Overrides, with_demo: bool) -> anyhow::Result<()> {
    let (settings, db) = open(overrides).await?;
    raise_open_files(settings.sse_total);
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

/// Every connection holds a file descriptor: take all the system allows (the soft limit raised to the hard
/// one), and say so, with a warning when the live connections' budget could use them up.
fn raise_open_files(sse_total: usize) {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            tracing::info!(open_files = limit, "open-file limit");
            if u64::try_from(sse_total).unwrap_or(u64::MAX) + 256 > limit {
                tracing::warn!(sse_total, open_files = limit, "sse_total leaves too few descriptors for the rest");
            }
        }
        Err(e) => tracing::warn!(error = %e, "the open-file limit could not be raised"),
    }
}
