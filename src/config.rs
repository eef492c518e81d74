//! Settings, layered: command-line flags > `MWSCUP_*` environment > `mwscup.toml` > defaults. A value that
//! makes no sense stops the start with a message that names the setting.

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use serde::Deserialize;

/// The settings the server runs with, validated.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub bind: SocketAddr,
    /// Signs cookies; at least 32 characters.
    pub secret_key: String,
    /// Whether cookies carry `Secure` (set it when the site is served over HTTPS).
    pub cookie_secure: bool,
    /// The folder of contest sources that organizers may sync from the browser (`/admin/sync`).
    pub challenges_dir: PathBuf,
    /// Whether anyone may register an account, or only organizers create them (MWS Cup registers its
    /// teams in advance).
    pub registration: Registration,
    /// Live connections (Server-Sent Events) one client address may hold, and this instance in all.
    pub sse_per_address: usize,
    pub sse_total: usize,
    /// How long a request waits for a database connection before it answers 503.
    pub db_acquire_timeout: std::time::Duration,
    /// The load balancers and proxies whose `X-Forwarded-For` / `Forwarded` headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Addresses that may read `/metrics` without an organizer's token (a Prometheus server).
    pub metrics_from: Vec<ipnet::IpNet>,
    /// Where stored files are kept: the data folder or the database.
    pub blob_store: BlobBackend,
    /// How often the live views are read again from the database, to pick up what other processes wrote
    /// (`DEFAULT_RELOAD_EVERY`; not a setting people change, but tests shorten it to see it happen).
    pub reload_every: std::time::Duration,
}

/// How often the live standings are read again from the database (`Settings::reload_every`).
pub const DEFAULT_RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Where stored files (attachments, uploads, slides) are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobBackend {
    /// `<data_dir>/files/`: one instance, or instances that share the folder.
    Folder,
    /// The database's `blobs` and `blob_chunks` tables: instances that share only the database.
    Database,
}

/// Who may create accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Anyone, from `/register` and `POST /register`.
    Open,
    /// Organizers only (`/admin/register`, the API, `mwscup admin create`): the form is hidden and a POST
    /// answers 403.
    Closed,
}

pub const DEFAULT_SSE_PER_ADDRESS: usize = 20;
pub const DEFAULT_SSE_TOTAL: usize = 10_000;

/// Values as given by flags or environment (clap merges those two), before the file and the defaults.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// Folder for the SQLite database, the secret key and stored files.
    #[arg(long, env = "MWSCUP_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: `sqlite://…` or `postgres://…` (default: SQLite `mwscup.db` in the data folder).
    #[arg(long, env = "MWSCUP_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "MWSCUP_BIND", global = true)]
    pub bind: Option<String>,
    /// Key that signs cookies (default: generated once and kept in the data folder).
    #[arg(long, env = "MWSCUP_SECRET_KEY", global = true, hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Mark cookies `Secure` (`true` or `false`; turn on behind HTTPS).
    #[arg(long, env = "MWSCUP_COOKIE_SECURE", global = true)]
    pub cookie_secure: Option<String>,
    /// Folder of contest sources that organizers may sync from `/admin/sync` (default: `challenges`).
    #[arg(long, env = "MWSCUP_CHALLENGES_DIR", global = true)]
    pub challenges_dir: Option<PathBuf>,
    /// `open` (anyone may register) or `closed` (organizers create the accounts).
    #[arg(long, env = "MWSCUP_REGISTRATION", global = true)]
    pub registration: Option<String>,
    /// Live connections one client address may hold (default 20).
    #[arg(long, env = "MWSCUP_SSE_PER_ADDRESS", global = true)]
    pub sse_per_address: Option<String>,
    /// Live connections this instance holds in all (default 10000).
    #[arg(long, env = "MWSCUP_SSE_TOTAL", global = true)]
    pub sse_total: Option<String>,
    /// Seconds a request waits for a database connection before it answers 503 (default 3).
    #[arg(long, env = "MWSCUP_DB_ACQUIRE_TIMEOUT", global = true)]
    pub db_acquire_timeout: Option<String>,
    /// Addresses or networks (CIDR) of the proxies in front, comma-separated: only from these is
    /// `X-Forwarded-For` believed for the client's address.
    #[arg(long, env = "MWSCUP_TRUSTED_PROXIES", global = true)]
    pub trusted_proxies: Option<String>,
    /// Addresses or networks that may read `/metrics` without an organizer's token, comma-separated.
    #[arg(long, env = "MWSCUP_METRICS_FROM", global = true)]
    pub metrics_from: Option<String>,
    /// Logs as `text` (default) or `json` (one object a line).
    #[arg(long, env = "MWSCUP_LOG_FORMAT", global = true)]
    pub log_format: Option<String>,
    /// Where stored files are kept: `folder` (the data folder, default) or `database`.
    #[arg(long, env = "MWSCUP_BLOB_STORE", global = true)]
    pub blob_store: Option<String>,
    /// Configuration file (default: `mwscup.toml` in the working folder, if present).
    #[arg(long, env = "MWSCUP_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

/// `mwscup.toml`: every key optional; an unknown key is an error, so a typo does not pass silently.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    bind: Option<String>,
    secret_key: Option<String>,
    cookie_secure: Option<bool>,
    challenges_dir: Option<PathBuf>,
    registration: Option<String>,
    sse_per_address: Option<usize>,
    sse_total: Option<usize>,
    db_acquire_timeout: Option<usize>,
    trusted_proxies: Option<Vec<String>>,
    metrics_from: Option<Vec<String>>,
    log_format: Option<String>,
    blob_store: Option<String>,
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const MIN_SECRET_LEN: usize = 32;
const SECRET_FILE: &str = "secret_key";

/// How a setting is spelled in each layer, for messages.
fn spellings(key: &str) -> String {
    format!("`{key}` (--{} / MWSCUP_{})", key.replace('_', "-"), key.to_uppercase())
}

fn setting_error(key: &str, what: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("setting {}: {what}", spellings(key))
}

impl Overrides {
    /// Reads the file layer and the defaults under these values; creates the data folder and, if no key
    /// was given, the secret key file.
    pub fn resolve(&self) -> anyhow::Result<Settings> {
        let file = self.read_file()?;

        let data_dir = self.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("./data"));
        if data_dir.as_os_str().is_empty() {
            return Err(setting_error("data_dir", "must not be empty"));
        }
        fs::create_dir_all(&data_dir)
            .map_err(|e| setting_error("data_dir", format!("cannot create {}: {e}", data_dir.display())))?;

        let database_url = match self.database_url.clone().or(file.database_url) {
            Some(url) => parse_database_url(&url)?,
            None => default_sqlite_url(&data_dir),
        };

        let bind_text = self.bind.clone().or(file.bind).unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind_text
            .parse::<SocketAddr>()
            .map_err(|_| setting_error("bind", format!("{bind_text:?} is not an address like 127.0.0.1:8080")))?;

        let cookie_secure = match &self.cookie_secure {
            Some(text) => parse_bool(text)
                .ok_or_else(|| setting_error("cookie_secure", format!("{text:?} is not true or false")))?,
            None => file.cookie_secure.unwrap_or(false),
        };

        let secret_key = match self.secret_key.clone().or(file.secret_key) {
            Some(key) => check_secret(key)?,
            None => load_or_create_secret(&data_dir)?,
        };

        let challenges_dir =
            self.challenges_dir.clone().or(file.challenges_dir).unwrap_or_else(|| PathBuf::from("challenges"));

        let registration = match self.registration.clone().or(file.registration).as_deref().map(str::trim) {
            None | Some("open") => Registration::Open,
            Some("closed") => Registration::Closed,
            Some(other) => return Err(setting_error("registration", format!("{other:?} is not open or closed"))),
        };
        let sse_per_address =
            count("sse_per_address", self.sse_per_address.as_deref(), file.sse_per_address, DEFAULT_SSE_PER_ADDRESS)?;
        let sse_total = count("sse_total", self.sse_total.as_deref(), file.sse_total, DEFAULT_SSE_TOTAL)?;
        let default_wait = usize::try_from(crate::db::DEFAULT_ACQUIRE_TIMEOUT.as_secs()).unwrap_or(3);
        let wait =
            count("db_acquire_timeout", self.db_acquire_timeout.as_deref(), file.db_acquire_timeout, default_wait)?;
        let db_acquire_timeout = std::time::Duration::from_secs(u64::try_from(wait).unwrap_or(3));
        let trusted_proxies = networks("trusted_proxies", self.trusted_proxies.as_deref(), file.trusted_proxies)?;
        let metrics_from = networks("metrics_from", self.metrics_from.as_deref(), file.metrics_from)?;
        let blob_store = match self.blob_store.clone().or(file.blob_store).as_deref().map(str::trim) {
            None | Some("folder") => BlobBackend::Folder,
            Some("database") => BlobBackend::Database,
            Some(other) => return Err(setting_error("blob_store", format!("{other:?} is not folder or database"))),
        };

        Ok(Settings {
            data_dir,
            database_url,
            bind,
            secret_key,
            cookie_secure,
            challenges_dir,
            registration,
            sse_per_address,
            sse_total,
            db_acquire_timeout,
            trusted_proxies,
            metrics_from,
            blob_store,
            reload_every: DEFAULT_RELOAD_EVERY,
        })
    }

    fn read_file(&self) -> anyhow::Result<FileSettings> {
        let (path, required) = match &self.config {
            Some(path) => (path.clone(), true),
            None => (PathBuf::from("mwscup.toml"), false),
        };
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(FileSettings::default()),
            Err(e) => return Err(setting_error("config", format!("cannot read {}: {e}", path.display()))),
        };
        toml::from_str(&text).with_context(|| format!("configuration file {}", path.display()))
    }
}

/// A whole number of at least 1, from a flag or the environment (text) or the file.
fn count(key: &str, given: Option<&str>, file: Option<usize>, default: usize) -> anyhow::Result<usize> {
    let value = match given {
        Some(text) => {
            text.trim().parse::<usize>().map_err(|_| setting_error(key, format!("{text:?} is not a whole number")))?
        }
        None => file.unwrap_or(default),
    };
    if value == 0 {
        return Err(setting_error(key, "must be at least 1"));
    }
    Ok(value)
}

/// A list of addresses (`10.0.0.5`, `::1`) or networks (`10.0.0.0/8`): comma-separated from a flag or the
/// environment, a list in the file.
fn networks(key: &str, given: Option<&str>, file: Option<Vec<String>>) -> anyhow::Result<Vec<ipnet::IpNet>> {
    let items: Vec<String> = match given {
        Some(text) => text.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect(),
        None => file.unwrap_or_default(),
    };
    items
        .iter()
        .map(|text| {
            text.parse::<ipnet::IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| setting_error(key, format!("{text:?} is not an address or a network like 10.0.0.0/8")))
        })
        .collect()
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

impl Overrides {
    /// The log format, read before anything else is (logging starts first): flag or environment, else the
    /// file, else text. Nonsense falls back to text, with the reason to log once logging runs.
    pub fn log_format(&self) -> (LogFormat, Option<String>) {
        let given = self.log_format.clone().or_else(|| self.read_file().ok().and_then(|f| f.log_format));
        match given.as_deref().map(str::trim) {
            None | Some("text") => (LogFormat::Text, None),
            Some("json") => (LogFormat::Json, None),
            Some(other) => (LogFormat::Text, Some(format!("log_format {other:?} is not text or json: text is used"))),
        }
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn parse_database_url(url: &str) -> anyhow::Result<String> {
    let url = url.trim();
    let known = ["sqlite:", "postgres://", "postgresql://"];
    if known.iter().any(|prefix| url.starts_with(prefix)) {
        Ok(url.to_owned())
    } else {
        Err(setting_error("database_url", "must start with sqlite: or postgres://"))
    }
}

fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("mwscup.db").display())
}

fn check_secret(key: String) -> anyhow::Result<String> {
    if key.chars().count() < MIN_SECRET_LEN {
        bail!(setting_error("secret_key", format!("must be at least {MIN_SECRET_LEN} characters")));
    }
    Ok(key)
}

/// The secret kept in the data folder, made on first start and readable by its owner only.
fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join(SECRET_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => return check_secret(text.trim().to_owned()).with_context(|| format!("in {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow!("cannot read the secret key {}: {e}", path.display())),
    }
    let key = hex::encode(rand::random::<[u8; 32]>());
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(key.as_bytes())?;
    file.sync_all()?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(dir: &Path) -> Overrides {
        Overrides { data_dir: Some(dir.to_path_buf()), config: Some(dir.join("absent.toml")), ..Overrides::default() }
    }

    #[test]
    fn defaults_make_a_sqlite_database_and_a_private_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut o = overrides(dir.path());
        o.config = None;
        let s = o.resolve().expect("defaults are valid");
        assert!(s.database_url.starts_with("sqlite://") && s.database_url.contains("mwscup.db"));
        assert_eq!(s.bind.to_string(), DEFAULT_BIND);
        assert!(!s.cookie_secure);
        assert_eq!(s.blob_store, BlobBackend::Folder, "files in the data folder, as before");
        let again = overrides(dir.path());
        let mut again = again;
        again.config = None;
        assert_eq!(again.resolve().expect("valid").secret_key, s.secret_key, "the key is kept");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(SECRET_FILE)).expect("exists").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn nonsense_names_the_setting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut o = overrides(dir.path());
        o.config = None;
        o.bind = Some("localhost".into());
        let e = o.resolve().expect_err("bad bind").to_string();
        assert!(e.contains("MWSCUP_BIND"), "{e}");

        let mut o = overrides(dir.path());
        o.config = None;
        o.cookie_secure = Some("maybe".into());
        assert!(o.resolve().expect_err("bad bool").to_string().contains("MWSCUP_COOKIE_SECURE"));

        let mut o = overrides(dir.path());
        o.config = None;
        o.secret_key = Some("short".into());
        assert!(o.resolve().expect_err("short key").to_string().contains("MWSCUP_SECRET_KEY"));

        let mut o = overrides(dir.path());
        o.config = None;
        o.registration = Some("sometimes".into());
        assert!(o.resolve().expect_err("bad registration").to_string().contains("MWSCUP_REGISTRATION"));

        let mut o = overrides(dir.path());
        o.config = None;
        o.trusted_proxies = Some("10.0.0.0/8, nginx".into());
        assert!(o.resolve().expect_err("bad proxy").to_string().contains("MWSCUP_TRUSTED_PROXIES"));

        let mut o = overrides(dir.path());
        o.config = None;
        o.trusted_proxies = Some("10.0.0.0/8, 127.0.0.1".into());
        assert_eq!(o.resolve().expect("valid").trusted_proxies.len(), 2);

        let mut o = overrides(dir.path());
        o.config = None;
        o.sse_total = Some("0".into());
        assert!(o.resolve().expect_err("no connections").to_string().contains("MWSCUP_SSE_TOTAL"));

        let mut o = overrides(dir.path());
        o.config = None;
        o.blob_store = Some("s3".into());
        assert!(o.resolve().expect_err("bad store").to_string().contains("MWSCUP_BLOB_STORE"));

        let mut o = overrides(dir.path());
        o.config = None;
        o.blob_store = Some("database".into());
        assert_eq!(o.resolve().expect("valid").blob_store, BlobBackend::Database);

        let mut o = overrides(dir.path());
        o.config = None;
        o.database_url = Some("mysql://x".into());
        assert!(o.resolve().expect_err("bad url").to_string().contains("MWSCUP_DATABASE_URL"));
    }

    #[test]
    fn the_file_is_under_flags_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("mwscup.toml");
        fs::write(&file, "bind = \"127.0.0.1:9999\"\ncookie_secure = true\nblob_store = \"database\"\n")
            .expect("write");
        let mut o = overrides(dir.path());
        o.config = Some(file.clone());
        let s = o.resolve().expect("valid");
        assert_eq!(s.bind.port(), 9999);
        assert!(s.cookie_secure);
        assert_eq!(s.blob_store, BlobBackend::Database);
        o.bind = Some("127.0.0.1:7000".into());
        assert_eq!(o.resolve().expect("valid").bind.port(), 7000, "flags win over the file");

        fs::write(&file, "bnid = \"x\"\n").expect("write");
        let e = format!("{:#}", o.resolve().expect_err("typo"));
        assert!(e.contains("bnid"), "{e}");
    }

    #[test]
    fn a_named_config_file_must_exist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let o = overrides(dir.path());
        assert!(o.resolve().expect_err("missing").to_string().contains("config"));
    }
}
