//! `spawn_app()` and a small browser: one fresh database per test, the server on port 0.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, Utc};
use mwscup::config::Settings;
use mwscup::domain::names::Username;
use mwscup::domain::{password, role::Role};
use mwscup::startup::{AppState, run};
use mwscup::store;
use regex::Regex;
use reqwest::StatusCode;
use reqwest::cookie::Jar;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct-horse-42";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database (and data folder) for one test.
pub struct Fixture {
    pub url: String,
    pub dir: TempDir,
    pub backend: Backend,
}

impl Fixture {
    /// Runs the `mwscup` command on this fixture's database and data folder, from the repository's folder.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_mwscup"))
            .args(args)
            .env("MWSCUP_DATA_DIR", self.data_dir())
            .env("MWSCUP_DATABASE_URL", &self.url)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap()
    }

    /// `None` when PostgreSQL is asked for but not configured (never under CI, where that fails).
    pub async fn new(backend: Backend) -> Option<Fixture> {
        let dir = tempfile::tempdir().unwrap();
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("mwscup.db").display()),
            Backend::Postgres => match std::env::var("MWSCUP_TEST_POSTGRES_URL") {
                Ok(admin) if !admin.is_empty() => fresh_postgres_database(&admin).await,
                _ => {
                    skip(Half::Postgres, "MWSCUP_TEST_POSTGRES_URL is not set");
                    return None;
                }
            },
        };
        Some(Fixture { url, dir, backend })
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

/// The parts of the suite that need something a machine may lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// Every `::postgres` test: the shared server of `MWSCUP_TEST_POSTGRES_URL`.
    Postgres,
    /// The tests that start a PostgreSQL of their own (restart, hang, crash).
    PrivatePostgres,
    /// The tests in Chromium.
    Browser,
    /// The tests behind nginx.
    Nginx,
}

impl Half {
    fn said(self) -> &'static str {
        match self {
            Half::Postgres => {
                "the PostgreSQL half: every ::postgres test passed without running, SQLite only was tested"
            }
            Half::PrivatePostgres => "the tests on a PostgreSQL of their own (restart, hang, crash)",
            Half::Browser => "the browser tests: no page was tried in Chromium",
            Half::Nginx => "the load-balanced tests behind nginx",
        }
    }
}

/// A test that cannot run here for want of `why`: under `CI=true`, where nothing may be skipped, the test
/// fails; otherwise it is skipped, and the run says so loudly: one line on stderr for each half skipped, the
/// first time, written past `cargo test`'s capture of a passing test's output.
pub fn skip(half: Half, why: &str) {
    use std::io::Write;
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {why}: {} cannot be skipped", half.said());
    static SAID: std::sync::Mutex<Vec<Half>> = std::sync::Mutex::new(Vec::new());
    let mut said = SAID.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !said.contains(&half) {
        said.push(half);
        writeln!(std::io::stderr(), "\nSKIPPED: {} ({why})", half.said()).ok();
    }
}

async fn fresh_postgres_database(admin_url: &str) -> String {
    let name = format!("mwscup_test_{}", hex::encode(rand::random::<[u8; 8]>()));
    let admin = Database::connect(admin_url).await.expect("connect to MWSCUP_TEST_POSTGRES_URL");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.unwrap();
    admin.close().await.ok();
    let (base, _) = admin_url.rsplit_once('/').expect("the URL names a database");
    format!("{base}/{name}")
}

pub struct TestApp {
    pub address: String,
    pub db: DatabaseConnection,
    pub fixture: Fixture,
    /// The server's live views, which it keeps current by reloads like those `reload` makes.
    pub live: std::sync::Arc<mwscup::live::Live>,
    /// The server's blob store (`blob_store`), to store files as the server would.
    pub blobs: mwscup::blobs::BlobStore,
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let fixture = Fixture::new(backend).await?;
    Some(start(fixture).await)
}

/// Starts the server on a database that may already hold data (put there by the CLI, say).
pub async fn start(fixture: Fixture) -> TestApp {
    start_with(fixture, |_| {}).await
}

/// A server whose settings differ from the tests' usual ones.
pub async fn spawn_with(backend: Backend, change: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    let fixture = Fixture::new(backend).await?;
    Some(start_with(fixture, change).await)
}

pub async fn start_with(fixture: Fixture, change: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = settings_of(&fixture);
    change(&mut settings);
    let db = mwscup::db::connect_waiting(&fixture.url, settings.db_acquire_timeout).await.unwrap();
    mwscup::db::migrate(&db).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::new(db.clone(), settings);
    let live = state.live.clone();
    let blobs = state.blobs.clone();
    tokio::spawn(run(listener, state).unwrap());
    TestApp { address, db, fixture, live, blobs }
}

/// A loaded two-core CI machine runs many servers at once: a request there may wait longer for a connection
/// than the production default allows, without anything being wrong.
pub const TEST_ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The settings a test server runs with.
pub fn settings_of(fixture: &Fixture) -> Settings {
    Settings {
        data_dir: fixture.data_dir(),
        database_url: fixture.url.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        secret_key: "a test secret key that is long enough to sign cookies".into(),
        cookie_secure: false,
        challenges_dir: fixture.data_dir().join("challenges"),
        registration: mwscup::config::Registration::Open,
        sse_per_address: mwscup::config::DEFAULT_SSE_PER_ADDRESS,
        sse_total: mwscup::config::DEFAULT_SSE_TOTAL,
        db_acquire_timeout: TEST_ACQUIRE_TIMEOUT,
        trusted_proxies: Vec::new(),
        metrics_from: Vec::new(),
        blob_store: mwscup::config::BlobBackend::Folder,
        reload_every: mwscup::config::DEFAULT_RELOAD_EVERY,
    }
}

/// Runs a test on SQLite and on PostgreSQL: `both!(name)` makes `name::sqlite` and `name::postgres`
/// from `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::{Backend, spawn_app};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = spawn_app(Backend::Sqlite).await { super::$name(app).await }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = spawn_app(Backend::Postgres).await { super::$name(app).await }
            }
        }
    )*};
}

/// As `both!`, on servers whose settings `change` (a `fn(&mut Settings)`) alters:
/// `both_with!(closed_registration; name)`.
#[macro_export]
macro_rules! both_with {
    ($change:ident; $($name:ident),* $(,)?) => {$(
        mod $name {
            use $crate::helpers::{Backend, spawn_with};
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = spawn_with(Backend::Sqlite, super::$change).await { super::$name(app).await }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = spawn_with(Backend::Postgres, super::$change).await { super::$name(app).await }
            }
        }
    )*};
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// What the test wrote to the database behind the server's back (as another process would) reaches
    /// the server now, as the periodic reload (contests) and the identities' expiry would bring it within
    /// seconds.
    pub async fn reload(&self) {
        self.live.reload_all().await.unwrap();
        // Identities are read again after `identity::KEPT_FOR` when changed behind the server's back.
        self.live.identities.forget_all();
    }

    /// Every contest ended `ago` before now (as if its day were over), with its freeze dropped if asked;
    /// written behind the server's back, then reloaded.
    pub async fn end_contests(&self, ago: chrono::Duration, drop_freeze: bool) {
        use sea_orm::EntityTrait;
        let mut update = entity::contests::Entity::update_many()
            .col_expr(entity::contests::Column::EndsAt, sea_orm::sea_query::Expr::value(Utc::now() - ago));
        if drop_freeze {
            update = update.col_expr(
                entity::contests::Column::FreezeAt,
                sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<Utc>>::None),
            );
        }
        update.exec(&self.db).await.unwrap();
        self.reload().await;
    }

    /// A new browser with its own cookies, asking for English pages.
    pub fn browser(&self) -> Browser {
        self.browser_in("en")
    }

    pub fn browser_in(&self, lang: &str) -> Browser {
        Browser::at(&self.address, lang, None)
    }

    /// A contest that runs from an hour ago for `hours` more hours (negative: it has ended).
    pub async fn contest(&self, slug: &str, max_team_size: i32, hours: i64) -> entity::contests::Model {
        let now = Utc::now();
        store::contests::create(
            &self.db,
            store::contests::NewContest {
                slug: slug.into(),
                title: format!("{slug} 日本語"),
                title_en: format!("{slug} English"),
                description: "説明".into(),
                description_en: "About".into(),
                timezone: "Asia/Tokyo".into(),
                starts_at: now - Duration::hours(1),
                ends_at: now + Duration::hours(hours),
                freeze_at: None,
                max_team_size,
                demo: false,
            },
        )
        .await
        .unwrap()
    }

    /// A user made directly in the store, with the password `PASSWORD`.
    pub async fn user(&self, name: &str, role: Role) -> entity::users::Model {
        let username = Username::parse(name).unwrap();
        let password_hash = password::hash(PASSWORD);
        let new = store::users::NewUser { username: &username, email: None, password_hash, role };
        store::users::create(&self.db, new).await.unwrap()
    }

    pub async fn token_for(&self, user: &entity::users::Model) -> String {
        store::tokens::create(&self.db, user.id, "test").await.unwrap().token
    }

    /// The actions of the audit log, oldest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        use sea_orm::{EntityTrait, QueryOrder};
        entity::audit_log::Entity::find()
            .order_by_asc(entity::audit_log::Column::Id)
            .all(&self.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }

    /// An API token for an existing account, by name.
    pub async fn token_named(&self, name: &str) -> String {
        let user = store::users::by_username(&self.db, &Username::parse(name).unwrap()).await.unwrap().unwrap();
        self.token_for(&user).await
    }

    /// The challenges a token's team may open through the API (`path`: `/api/v1/challenges` or a contest's), by slug.
    pub async fn challenge_ids(&self, token: &str, path: &str) -> std::collections::HashMap<String, i64> {
        let (_, list) = api(self, token, "GET", path, None).await;
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            // A locked challenge is listed anonymized, without its slug.
            .filter_map(|c| Some((c["slug"].as_str()?.to_owned(), c["id"].as_i64()?)))
            .collect()
    }

    pub async fn organizer_token(&self) -> String {
        let organizer = self.user("boss", Role::Organizer).await;
        self.token_for(&organizer).await
    }

    pub fn api(&self) -> reqwest::Client {
        reqwest::Client::new()
    }
}

/// An answer's status and its body as JSON; a body that is not JSON (an HTML error page, say) fails the test
/// here, naming the status, the address and the first bytes of the body, rather than reading as `null`.
pub async fn json_of(res: reqwest::Response) -> (StatusCode, serde_json::Value) {
    let (status, url) = (res.status(), res.url().to_string());
    let body = res.text().await.unwrap();
    match serde_json::from_str(&body) {
        Ok(json) => (status, json),
        Err(e) => {
            let start: String = body.chars().take(300).collect();
            panic!("{url} answered {status} with a body that is not JSON ({e}):\n{start}")
        }
    }
}

/// Calls the API with a token, in English (`GET` or `POST` with a JSON body); the answer must be JSON.
pub async fn api(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let client = app.api();
    let mut req = if method == "GET" { client.get(app.url(path)) } else { client.post(app.url(path)) };
    req = req.header("Authorization", format!("Token {token}")).header("Accept-Language", "en");
    if let Some(body) = body {
        req = req.json(&body);
    }
    json_of(req.send().await.unwrap()).await
}

/// A browser session: cookies kept, the CSRF token of the last page remembered for the next form.
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
    csrf: Option<String>,
    jar: Arc<Jar>,
    headers: reqwest::header::HeaderMap,
    local: Option<std::net::IpAddr>,
}

pub struct Page {
    pub status: StatusCode,
    pub body: String,
    pub url: String,
    /// For a form's answer: the POST's own status (a 303 when it redirected to this page).
    pub posted: Option<StatusCode>,
}

impl Page {
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(self.body.contains(text), "expected {text:?} on {} ({}):\n{}", self.url, self.status, self.body);
        self
    }

    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(!self.body.contains(text), "did not expect {text:?} on {} ({}):\n{}", self.url, self.status, self.body);
        self
    }

    /// The text of the first element with this id.
    pub fn by_id(&self, id: &str) -> Option<String> {
        let re = Regex::new(&format!(r#"id="{id}"[^>]*>([^<]*)<"#)).unwrap();
        re.captures(&self.body).map(|c| c[1].to_owned())
    }
}

/// The CSRF token of a page: in its forms' `csrf` (or CTFd's `nonce`) field, and in its `csrfNonce` meta tag.
pub fn csrf_of(body: &str) -> Option<String> {
    let re =
        Regex::new(r#"name="(?:csrf|nonce)"(?: type="hidden")? value="([^"]+)"|name="csrfNonce" content="([^"]+)""#)
            .unwrap();
    re.captures(body).map(|c| c.get(1).or(c.get(2)).unwrap().as_str().to_owned())
}

impl Browser {
    /// A new browser with its own cookies for the server at `base`, asking for pages in `lang`, connecting
    /// from `local` if given (a client on an address of its own, as behind a proxy).
    pub fn at(base: &str, lang: &str, local: Option<std::net::IpAddr>) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ACCEPT_LANGUAGE, lang.parse().unwrap());
        // As browsers ask for pages (a script asks for `*/*`, and is answered in JSON where it would be led on).
        headers.insert(reqwest::header::ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8".parse().unwrap());
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .default_headers(headers.clone())
            .redirect(reqwest::redirect::Policy::limited(5))
            .local_address(local)
            .build()
            .unwrap();
        Browser { client, base: base.to_owned(), csrf: None, jar, headers, local }
    }

    /// A client with this browser's cookies that does not follow redirects: to see a 303 and where it points.
    pub fn direct(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_provider(self.jar.clone())
            .local_address(self.local)
            .default_headers(self.headers.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// This browser's cookies for its server, as a `Cookie` header line (for a request sent as written, `raw`).
    pub fn cookie_header(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().unwrap();
        let cookies = self.jar.cookies(&url).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        format!("Cookie: {cookies}\r\n")
    }

    /// The CSRF token of the last page with a form, as `post` sends it.
    pub fn csrf(&self) -> Option<&str> {
        self.csrf.as_deref()
    }

    async fn page(&mut self, res: reqwest::Response) -> Page {
        let status = res.status();
        let url = res.url().to_string();
        let body = res.text().await.unwrap();
        if let Some(token) = csrf_of(&body) {
            self.csrf = Some(token);
        }
        Page { status, body, url, posted: None }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let res = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        self.page(res).await
    }

    /// Submits a form with the CSRF token of the last page this browser saw. A form that changes something
    /// answers with a redirect (Post/Redirect/Get), which is checked and then followed as a browser does; a
    /// refusal (4xx) is the page itself. A form answered 200 with a page fails here: a reload would send it
    /// again. `Page::posted` keeps the POST's own status.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone().expect("a page with a form was loaded first");
        form.push(("csrf", &csrf));
        let res = self.direct().post(format!("{}{path}", self.base)).form(&form).send().await.unwrap();
        let posted = res.status();
        if !posted.is_redirection() {
            assert!(
                !posted.is_success(),
                "POST {path} answered {posted} with a page instead of a redirect (Post/Redirect/Get)"
            );
            return Page { posted: Some(posted), ..self.page(res).await };
        }
        let location = res.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned();
        let target = if location.starts_with('/') { format!("{}{location}", self.base) } else { location };
        let res = self.client.get(target).send().await.unwrap();
        Page { posted: Some(posted), ..self.page(res).await }
    }

    /// Submits a form without any CSRF token.
    pub async fn post_without_csrf(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let res = self.client.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap();
        self.page(res).await
    }

    pub async fn register(&mut self, username: &str) -> Page {
        self.get("/register").await;
        let page = self
            .post(
                "/register",
                &[("username", username), ("password", PASSWORD), ("password_confirm", PASSWORD), ("email", "")],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post("/login", &[("username", username), ("password", password)]).await
    }

    /// Creates a team in a contest and returns its invite code.
    pub async fn create_team(&mut self, slug: &str, name: &str) -> String {
        self.get(&format!("/contests/{slug}")).await;
        let page = self.post(&format!("/contests/{slug}/teams"), &[("name", name), ("affiliation", "")]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.by_id("invite-code").expect("the team page shows the invite code")
    }

    pub async fn join(&mut self, slug: &str, code: &str) -> Page {
        self.get(&format!("/contests/{slug}")).await;
        self.post(&format!("/contests/{slug}/join"), &[("code", code)]).await
    }
}

/// Every text value of every row of every table: for asserting what the database does not hold. The tables
/// and columns are read from the schema (SQLite's `sqlite_master` and `pragma_table_info`, PostgreSQL's
/// `information_schema`), so that a new table is covered the day it is added.
pub async fn database_texts(db: &DatabaseConnection) -> Vec<String> {
    use sea_orm::{DbBackend, Statement};
    let backend = db.get_database_backend();
    let columns = match backend {
        // Any column may hold text in SQLite, whatever it was declared as; virtual tables (the archive's search)
        // and their shadow tables too.
        DbBackend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        _ => {
            "SELECT c.table_name::text AS t, c.column_name::text AS c FROM information_schema.columns c \
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'tsvector')"
        }
    };
    let columns = db.query_all_raw(Statement::from_string(backend, columns)).await.unwrap();
    let mut tables = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for column in columns {
        let (table, column): (String, String) = (column.try_get("", "t").unwrap(), column.try_get("", "c").unwrap());
        tables.insert(table.clone());
        let sql = match backend {
            DbBackend::Sqlite => format!(r#"SELECT "{column}" AS v FROM "{table}" WHERE typeof("{column}") = 'text'"#),
            _ => format!(r#"SELECT "{column}"::text AS v FROM "{table}" WHERE "{column}" IS NOT NULL"#),
        };
        for row in db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap() {
            out.push(row.try_get::<String>("", "v").unwrap());
        }
    }
    // The schema was read: the tables that hold what people typed are among those covered.
    for table in ["users", "submissions", "audit_log", "archive_items", "hackathon_entries", "predictions"] {
        assert!(tables.contains(table), "{table} is not among the tables read: {tables:?}");
    }
    out
}

/// A server's answer to a request sent as written (`raw`).
pub struct RawAnswer {
    pub status: u16,
    /// The status line and the headers, as sent.
    pub head: String,
    /// The body, chunks joined.
    pub body: Vec<u8>,
}

impl RawAnswer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `request` byte for byte on a new connection to the server at `address` (`http://host:port`) and reads
/// the answer until the server closes the connection. No HTTP client stands between: `..`, `%2e%2e`, a
/// backslash or a NUL in a header reach the server as written, where a client would normalise or refuse them.
pub async fn raw(address: &str, request: &[u8]) -> RawAnswer {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    tokio::time::timeout(std::time::Duration::from_secs(30), read)
        .await
        .expect("the server answers and closes the connection")
        .unwrap();
    let split =
        headers_end(&answer).unwrap_or_else(|| panic!("no HTTP answer: {:?}", String::from_utf8_lossy(&answer)));
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status =
        head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status line: {head:?}"));
    let mut body = answer[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("\r\ntransfer-encoding: chunked") {
        body = dechunk(&body);
    }
    RawAnswer { status, head, body }
}

/// `GET target` as written, with `headers` (each ending in `\r\n`) after `Host` and `Connection: close`.
pub async fn raw_get(address: &str, target: &[u8], headers: &[u8]) -> RawAnswer {
    raw_request(address, "GET", target, headers, b"").await
}

/// A request as written: `method target`, `headers` (each ending in `\r\n`) after `Host` and
/// `Connection: close`, and `body` with its length.
pub async fn raw_request(address: &str, method: &str, target: &[u8], headers: &[u8], body: &[u8]) -> RawAnswer {
    let host = address.trim_start_matches("http://");
    let mut request = format!("{method} ").into_bytes();
    request.extend_from_slice(target);
    request.extend_from_slice(format!(" HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n").as_bytes());
    request.extend_from_slice(headers);
    if !body.is_empty() {
        request.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body);
    raw(address, &request).await
}

fn headers_end(answer: &[u8]) -> Option<usize> {
    answer.windows(4).position(|w| w == b"\r\n\r\n")
}

fn dechunk(mut chunked: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = chunked.windows(2).position(|w| w == b"\r\n").expect("a chunk's size line");
        let size_text = String::from_utf8_lossy(&chunked[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).expect("a chunk size");
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&chunked[start..start + size]);
        chunked = &chunked[start + size + 2..];
    }
}

/// How long a test gives what the README promises "within a second": a loaded two-core CI machine runs many
/// servers, fsyncs included, at once. The real figures (p99 in tens of milliseconds) are the benchmark's
/// (`docs/PERFORMANCE.md`); a test proves that it happens, by itself and soon.
pub const PROMPTLY: std::time::Duration = std::time::Duration::from_secs(5);

/// Settings for an instance that hears of other processes' changes only through PostgreSQL's NOTIFY, its
/// periodic reload pushed out of the test's time: a test that waits `PROMPTLY` for another instance then
/// proves the notification, not the reload.
pub fn without_periodic_reload(settings: &mut Settings) {
    settings.reload_every = std::time::Duration::from_secs(24 * 3600);
}

/// A live event stream (`/contests/{slug}/events`) as a client reads it, once the server said it is
/// connected: from then on, nothing sent is missed (no sleep and hope).
pub struct Events {
    stream: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    seen: String,
}

impl Events {
    /// Reads the stream's first bytes, `: connected`, which the server sends once the stream is subscribed.
    pub async fn connected(res: reqwest::Response) -> Events {
        assert_eq!(res.status(), StatusCode::OK, "the stream opens");
        let mut events = Events { stream: Box::pin(res.bytes_stream()), seen: String::new() };
        assert!(events.read_until(": connected\n", TEST_ACQUIRE_TIMEOUT).await, "no `: connected`: {}", events.seen);
        events
    }

    /// Reads until `event: <name>` arrives; how long that took, or `None` after `limit`.
    pub async fn wait_for(mut self, name: &str, limit: std::time::Duration) -> Option<std::time::Duration> {
        let started = std::time::Instant::now();
        self.read_until(&format!("event: {name}\n"), limit).await.then(|| started.elapsed())
    }

    async fn read_until(&mut self, text: &str, limit: std::time::Duration) -> bool {
        use futures_util::StreamExt;
        let started = std::time::Instant::now();
        while !self.seen.contains(text) {
            match tokio::time::timeout(limit.saturating_sub(started.elapsed()), self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.seen.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return false,
            }
        }
        // What was read is kept past the match only: the next wait starts after it.
        let at = self.seen.find(text).unwrap_or_default() + text.len();
        self.seen.drain(..at);
        true
    }
}
