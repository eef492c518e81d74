//! Building the application and starting the HTTP server on a listener the caller chose (tests pass
//! port 0).

use std::net::TcpListener;

use actix_web::cookie::Key;
use actix_web::dev::Server;
use actix_web::middleware::{DefaultHeaders, Logger, from_fn};
use actix_web::web::Data;
use actix_web::{App, HttpServer};
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha512};

use std::sync::Arc;

use crate::blobs::BlobStore;
use crate::config::Settings;
use crate::domain::file_link::LinkKey;
use crate::hashing::Hashing;
use crate::live::{self, Live};
use crate::store::answer_log::AnswerLog;
use crate::web;
use crate::web::kit::streams::StreamBudget;

/// What every request handler shares.
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Settings,
    /// Signs the session and CSRF cookies; derived from the secret key.
    pub cookie_key: Key,
    /// Signs the download links given to scripts; derived from the secret key.
    pub link_key: LinkKey,
    /// The live standings of the contests, shared by every worker.
    pub live: Arc<Live>,
    /// Where answers are written, in batches by one task.
    pub answers: AnswerLog,
    /// This instance's live connections, capped per client address and in all.
    pub streams: StreamBudget,
    /// Where stored files are kept (`blob_store`): the data folder or the database.
    pub blobs: BlobStore,
    /// Password hashing, at most one a core at once.
    pub hashing: Hashing,
}

impl AppState {
    /// Starts the answer log's task: call it within the Tokio runtime that will serve.
    pub fn new(db: DatabaseConnection, settings: Settings) -> Self {
        let mut hasher = Sha512::new();
        hasher.update(b"mwscup-cookie-key-v1\0");
        hasher.update(settings.secret_key.as_bytes());
        let cookie_key = Key::from(&hasher.finalize());
        let link_key = LinkKey::from_secret(&settings.secret_key);
        let live = Arc::new(Live::new(db.clone()));
        let answers = AnswerLog::start(db.clone());
        let streams = StreamBudget::new(settings.sse_per_address, settings.sse_total);
        let blobs = BlobStore::of(&settings, &db);
        let hashing = Hashing::for_this_machine();
        AppState { db, settings, cookie_key, link_key, live, answers, streams, blobs, hashing }
    }
}

/// The server, not yet awaited. SIGINT and SIGTERM stop it gracefully: requests under way finish.
pub fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    live::bus::start(state.live.clone(), state.settings.database_url.clone(), state.settings.reload_every);
    let state = Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(web::configure)
            .default_service(actix_web::web::to(web::not_found))
            .wrap(from_fn(web::refuse_nul_paths))
            .wrap(from_fn(web::kit::error::render_errors))
            .wrap(from_fn(web::kit::csrf::ensure_token))
            .wrap(
                DefaultHeaders::new()
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("Referrer-Policy", "same-origin"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")),
            )
            .wrap(from_fn(web::kit::observe::count_requests))
            .wrap(Logger::new("%a \"%r\" %s %b %Dms"))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}
