//! The registration day, on a server of its own (an empty database and data folder). An organizer logs in
//! through the form and registers half the accounts by posting CSV rosters to `/admin/register`; a script
//! registers the other half through `POST /api/v1/users` with the organizer's API token; then participants
//! log in through the `/login` form, evenly paced (900 over 60 s by default), each login a browser of its
//! own: `GET /login` for the CSRF cookie and field, then the form.
//!
//! Everything measured goes over HTTP to the real server. Only what must exist before anyone can register is
//! made through the stores beforehand, as `mwscup admin create` and `mwscup admin token` would make it: the
//! contest (starting tomorrow), and the organizer with an API token.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use mwscup::domain::names::Username;
use mwscup::domain::password;
use mwscup::domain::role::Role;
use mwscup::store;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;

use crate::http::{Conn, Response, request};
use crate::scenarios::{GZIP, percentile};
use crate::server::Server;

/// How much of the day to run: the accounts (half by roster, half by API) and the logins over how long.
pub struct Options {
    pub accounts: usize,
    pub logins: usize,
    pub login_seconds: f64,
}

/// Accounts in each roster posted (a multiple of `TEAM_SIZE`, so that no team is split between two).
const ROSTER_ACCOUNTS: usize = 100;
const TEAM_SIZE: usize = 4;
/// Registration scripts' concurrent clients on `POST /api/v1/users`.
const API_CLIENTS: usize = 4;
/// How long after the last login the memory at rest is read.
const REST: Duration = Duration::from_secs(10);
const ORGANIZER: &str = "organizer";
const ORGANIZER_PASSWORD: &str = "organizer-bench-password";
const SESSION_COOKIE: &str = "mwscup_session";

/// One way of registering: how many accounts, in how many requests, how long it took.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Phase {
    pub accounts: usize,
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub max_ms: f64,
    pub server_cpu: f64,
    pub server_peak_rss_mib: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Logins {
    pub planned: usize,
    pub per_second: f64,
    /// From the first login's start to the last one's answer.
    pub seconds: f64,
    /// Answered 303 with a session cookie.
    pub succeeded: usize,
    /// Every other outcome, by what happened ("POST /login 429", "GET /login: connection reset", …).
    pub failed: BTreeMap<String, usize>,
    /// The whole login as a browser sees it: the form, then its answer.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The `POST /login` alone (where the password is checked).
    pub post_p50_ms: f64,
    pub post_p99_ms: f64,
    pub post_max_ms: f64,
    /// The most logins under way at once.
    pub max_in_flight: usize,
    /// How late the latest login started against its schedule.
    pub max_late_ms: f64,
    pub server_cpu: f64,
    pub server_rss_before_mib: f64,
    pub server_peak_rss_mib: f64,
    /// `VmRSS` `REST` after the last login.
    pub server_rest_rss_mib: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RegistrationDay {
    pub startup_ms: f64,
    pub rosters: Phase,
    pub api: Phase,
    pub logins: Logins,
    pub rest_after_seconds: f64,
}

pub async fn run(database_url: &str, data: &Path, options: &Options) -> RegistrationDay {
    let token = prepare(database_url).await;
    let server = Server::start(database_url, data, "/healthz").await;
    println!(
        "registration day: fresh server pid {} up in {:.0} ms",
        server.pid(),
        server.startup.as_secs_f64() * 1000.0
    );
    let by_roster = options.accounts / 2;
    let (mut accounts, rosters) = register_rosters(&server, by_roster).await;
    let (by_api, api) = register_by_api(&server, &token, options.accounts - by_roster).await;
    accounts.extend(by_api);
    let logins = logins(&server, &accounts, options.logins, options.login_seconds).await;
    RegistrationDay {
        startup_ms: server.startup.as_secs_f64() * 1000.0,
        rosters,
        api,
        logins,
        rest_after_seconds: REST.as_secs_f64(),
    }
}

/// The contest (starting tomorrow: registration comes first) and its organizer, with an API token for the
/// registration script; in an empty database.
async fn prepare(database_url: &str) -> String {
    let db = mwscup::db::connect(database_url).await.unwrap();
    mwscup::db::migrate(&db).await.unwrap();
    let starts_at = Utc::now() + Span::days(1);
    let contest = store::contests::NewContest {
        slug: "bench".into(),
        title: "登録日".into(),
        title_en: "Registration day".into(),
        description: String::new(),
        description_en: String::new(),
        timezone: "Asia/Tokyo".into(),
        starts_at,
        ends_at: starts_at + Span::hours(6),
        freeze_at: None,
        max_team_size: TEAM_SIZE as i32,
        demo: false,
    };
    store::contests::create(&db, contest).await.unwrap();
    let name = Username::parse(ORGANIZER).unwrap();
    let organizer = store::users::NewUser {
        username: &name,
        email: None,
        password_hash: password::hash(ORGANIZER_PASSWORD),
        role: Role::Organizer,
    };
    let organizer = store::users::create(&db, organizer).await.unwrap();
    let token = store::tokens::create(&db, organizer.id, "registration script").await.unwrap().token;
    db.close().await.unwrap();
    token
}

/// An account as registered: its username and password.
type Account = (String, String);

/// What a phase used of the server: its CPU time and peak memory from the start.
struct Meter {
    started: Instant,
    cpu: Duration,
}

impl Meter {
    fn start(server: &Server) -> Meter {
        server.reset_peak();
        Meter { started: Instant::now(), cpu: server.cpu() }
    }

    fn phase(self, server: &Server, accounts: usize, errors: usize, mut times: Vec<Duration>) -> Phase {
        let seconds = self.started.elapsed().as_secs_f64();
        times.sort();
        Phase {
            accounts,
            requests: times.len() + errors,
            errors,
            seconds,
            p50_ms: percentile(&times, 0.5),
            max_ms: percentile(&times, 1.0),
            server_cpu: (server.cpu() - self.cpu).as_secs_f64() / seconds,
            server_peak_rss_mib: server.peak_rss_mib(),
        }
    }
}

/// A browser's cookies, as its `Set-Cookie` headers gave them.
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn keep(&mut self, res: &Response) {
        for cookie in res.set_cookies() {
            let (name, value) = cookie.split_once('=').unwrap_or((cookie, ""));
            self.0.retain(|(n, _)| n != name);
            self.0.push((name.to_owned(), value.to_owned()));
        }
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, v)| n == name && !v.is_empty())
    }

    fn header(&self) -> String {
        self.0.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }
}

/// A page's CSRF token: its form's hidden `csrf` field, or the `csrfNonce` every page carries (the sign-in
/// form names its field `nonce`, as CTFd's does).
fn csrf_field(page: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(page).ok()?;
    let (_, after) =
        text.split_once("name=\"csrf\" value=\"").or_else(|| text.split_once("name=\"csrfNonce\" content=\""))?;
    after.split_once('"').map(|(value, _)| value.to_owned())
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let pairs: Vec<String> =
        fields.iter().map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC))).collect();
    pairs.join("&").into_bytes()
}

/// A browser's `GET`, with its cookies (and keeping those it is given).
async fn browse(conn: &mut Conn, jar: &mut Jar, path: &str) -> Result<Response, String> {
    let cookies = jar.header();
    let req = request("GET", path, &[("Cookie", &cookies)], b"");
    let res = conn.send(&req).await.map_err(|e| format!("GET {path}: {e}"))?;
    jar.keep(&res);
    Ok(res)
}

/// How long a login took: in all, and its `POST` alone.
struct LoginTimes {
    total: Duration,
    post: Duration,
}

/// Logs in through the form as a browser does; on success (303 with a session cookie) the browser holds the
/// session. A failure is described by what went wrong, for counting.
async fn log_in(conn: &mut Conn, jar: &mut Jar, username: &str, password: &str) -> Result<LoginTimes, String> {
    let started = Instant::now();
    let page = browse(conn, jar, "/login").await?;
    if page.status != 200 {
        return Err(format!("GET /login {}", page.status));
    }
    let csrf = csrf_field(&page.body).ok_or("GET /login: no csrf field")?;
    let body = form(&[("csrf", &csrf), ("next", ""), ("username", username), ("password", password)]);
    let cookies = jar.header();
    let headers = [("Cookie", cookies.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
    let req = request("POST", "/login", &headers, &body);
    let posted = Instant::now();
    let res = conn.send(&req).await.map_err(|e| format!("POST /login: {e}"))?;
    let post = posted.elapsed();
    jar.keep(&res);
    match res.status {
        303 if jar.has(SESSION_COOKIE) => Ok(LoginTimes { total: started.elapsed(), post }),
        303 => Err("POST /login 303 without a session cookie".into()),
        status => Err(format!("POST /login {status}")),
    }
}

/// The organizer's browser, logged in, with the CSRF token of the registration form.
async fn organizer_browser(conn: &mut Conn) -> (Jar, String) {
    let mut jar = Jar::default();
    log_in(conn, &mut jar, ORGANIZER, ORGANIZER_PASSWORD).await.unwrap_or_else(|e| panic!("organizer login: {e}"));
    let page = browse(conn, &mut jar, "/admin/register").await.unwrap();
    assert_eq!(page.status, 200, "GET /admin/register as the organizer");
    let csrf = csrf_field(&page.body).expect("the registration form has a csrf field");
    (jar, csrf)
}

/// A roster (`team,affiliation,username,email`) of accounts `range`, in teams of `TEAM_SIZE`.
fn roster(range: std::ops::Range<usize>) -> String {
    let mut csv = String::from("team,affiliation,username,email\n");
    for i in range {
        let team = i / TEAM_SIZE;
        csv.push_str(&format!("Team {team:03},University {:02},r{i:04},\n", team % 40));
    }
    csv
}

/// The registration form as a browser sends it: the roster as an uploaded file, the text box left empty.
fn roster_form(boundary: &str, csrf: &str, roster: &str) -> Vec<u8> {
    let mut body = String::new();
    for (name, value) in [("csrf", csrf), ("contest", "bench")] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"roster\"; filename=\"roster.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{roster}\r\n"
    ));
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n\r\n--{boundary}--\r\n"
    ));
    body.into_bytes()
}

/// The accounts of a credentials CSV (`team,affiliation,username,password,invite_code`).
fn credentials(csv_text: &[u8]) -> Vec<Account> {
    let mut reader = csv::Reader::from_reader(csv_text);
    reader.records().filter_map(Result::ok).filter_map(|r| Some((r.get(2)?.to_owned(), r.get(3)?.to_owned()))).collect()
}

/// `count` accounts registered by the organizer, `ROSTER_ACCOUNTS` a roster, one roster after the other.
async fn register_rosters(server: &Server, count: usize) -> (Vec<Account>, Phase) {
    let mut conn = Conn::new(server.addr);
    let (jar, csrf) = organizer_browser(&mut conn).await;
    let cookies = jar.header();
    let boundary = "----loadgenRosterBoundary7MA4YWxkTrZu0gW";
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let meter = Meter::start(server);
    let (mut accounts, mut times, mut errors) = (Vec::new(), Vec::new(), 0);
    for first in (0..count).step_by(ROSTER_ACCOUNTS) {
        let range = first..(first + ROSTER_ACCOUNTS).min(count);
        let rows = range.len();
        let body = roster_form(boundary, &csrf, &roster(range));
        let headers = [("Cookie", cookies.as_str()), ("Content-Type", content_type.as_str())];
        let req = request("POST", "/admin/register", &headers, &body);
        let t = Instant::now();
        match conn.send(&req).await {
            Ok(res) if res.status == 200 && credentials(&res.body).len() == rows => {
                times.push(t.elapsed());
                accounts.extend(credentials(&res.body));
            }
            Ok(res) => {
                errors += 1;
                let text = String::from_utf8_lossy(&res.body);
                eprintln!("  roster refused: {} {}", res.status, &text[..text.len().min(400)]);
            }
            Err(e) => {
                errors += 1;
                eprintln!("  roster failed: {e}");
            }
        }
    }
    let phase = meter.phase(server, accounts.len(), errors, times);
    println!(
        "  rosters: {} accounts in {} rosters in {:.1} s (p50 {:.0} ms, max {:.0} ms a roster), {} errors, CPU {:.2}, peak RSS {:.1} MiB",
        phase.accounts,
        phase.requests,
        phase.seconds,
        phase.p50_ms,
        phase.max_ms,
        phase.errors,
        phase.server_cpu,
        phase.server_peak_rss_mib
    );
    (accounts, phase)
}

/// `count` accounts registered through `POST /api/v1/users` by `API_CLIENTS` clients with the organizer's token.
async fn register_by_api(server: &Server, token: &str, count: usize) -> (Vec<Account>, Phase) {
    let auth = format!("Token {token}");
    let next = Arc::new(AtomicUsize::new(0));
    let meter = Meter::start(server);
    let tasks: Vec<_> = (0..API_CLIENTS)
        .map(|_| {
            let (auth, next, addr) = (auth.clone(), next.clone(), server.addr);
            tokio::spawn(async move {
                let mut conn = Conn::new(addr);
                let (mut accounts, mut times, mut errors) = (Vec::new(), Vec::new(), 0usize);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let account = (format!("a{i:04}"), format!("api-password-{i:04}"));
                    let body = json!({"name": account.0, "password": account.1}).to_string();
                    let headers = [("Authorization", auth.as_str()), ("Content-Type", "application/json"), GZIP];
                    let req = request("POST", "/api/v1/users", &headers, body.as_bytes());
                    let t = Instant::now();
                    match conn.send(&req).await {
                        Ok(res) if res.status == 200 && res.contains(b"\"success\":true") => {
                            times.push(t.elapsed());
                            accounts.push(account);
                        }
                        Ok(res) => {
                            errors += 1;
                            eprintln!(
                                "  API registration refused: {} {}",
                                res.status,
                                String::from_utf8_lossy(&res.body)
                            );
                        }
                        Err(e) => {
                            errors += 1;
                            eprintln!("  API registration failed: {e}");
                        }
                    }
                }
                (accounts, times, errors)
            })
        })
        .collect();
    let (mut accounts, mut times, mut errors) = (Vec::new(), Vec::new(), 0);
    for task in tasks {
        let (a, t, e) = task.await.unwrap();
        accounts.extend(a);
        times.extend(t);
        errors += e;
    }
    let phase = meter.phase(server, accounts.len(), errors, times);
    println!(
        "  API: {} accounts in {:.1} s by {API_CLIENTS} clients (p50 {:.0} ms, max {:.0} ms), {} errors, CPU {:.2}, peak RSS {:.1} MiB",
        phase.accounts,
        phase.seconds,
        phase.p50_ms,
        phase.max_ms,
        phase.errors,
        phase.server_cpu,
        phase.server_peak_rss_mib
    );
    (accounts, phase)
}

/// One login's outcome: when it should have started and did, and its times or what went wrong.
struct Outcome {
    late: Duration,
    result: Result<LoginTimes, String>,
}

/// `count` logins spread evenly over `seconds`, each from a browser of its own (a new connection, no cookie),
/// started on schedule whatever the others are doing; the accounts taken evenly from both halves.
async fn logins(server: &Server, accounts: &[Account], count: usize, seconds: f64) -> Logins {
    assert!(!accounts.is_empty(), "no account was registered");
    let rss_before = server.rss_mib();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let gap = Duration::from_secs_f64(seconds / count.max(1) as f64);
    let meter = Meter::start(server);
    let start = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..count)
        .map(|k| {
            let (username, password) = accounts[k * accounts.len() / count].clone();
            let (in_flight, most, addr) = (in_flight.clone(), most.clone(), server.addr);
            let at = start + gap * k as u32;
            tokio::spawn(async move {
                tokio::time::sleep_until(at).await;
                let late = at.elapsed();
                most.fetch_max(in_flight.fetch_add(1, Ordering::Relaxed) + 1, Ordering::Relaxed);
                let result = log_in(&mut Conn::new(addr), &mut Jar::default(), &username, &password).await;
                in_flight.fetch_sub(1, Ordering::Relaxed);
                Outcome { late, result }
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(count);
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let wall = meter.started.elapsed().as_secs_f64();
    let server_cpu = (server.cpu() - meter.cpu).as_secs_f64() / wall;
    let server_peak_rss_mib = server.peak_rss_mib();
    tokio::time::sleep(REST).await;
    let stats = Logins {
        seconds: wall,
        max_in_flight: most.load(Ordering::Relaxed),
        server_cpu,
        server_rss_before_mib: rss_before,
        server_peak_rss_mib,
        server_rest_rss_mib: server.rss_mib(),
        ..tally(&outcomes, seconds)
    };
    print_logins(&stats);
    stats
}

/// The logins' outcomes counted and their times; the server's figures are the caller's to fill in.
fn tally(outcomes: &[Outcome], seconds: f64) -> Logins {
    let mut failed = BTreeMap::new();
    let (mut totals, mut posts) = (Vec::new(), Vec::new());
    for outcome in outcomes {
        match &outcome.result {
            Ok(times) => {
                totals.push(times.total);
                posts.push(times.post);
            }
            Err(what) => *failed.entry(what.clone()).or_insert(0) += 1,
        }
    }
    totals.sort();
    posts.sort();
    let max_late = outcomes.iter().map(|o| o.late).max().unwrap_or_default();
    Logins {
        planned: outcomes.len(),
        per_second: outcomes.len() as f64 / seconds,
        seconds: 0.0,
        succeeded: totals.len(),
        failed,
        p50_ms: percentile(&totals, 0.5),
        p99_ms: percentile(&totals, 0.99),
        max_ms: percentile(&totals, 1.0),
        post_p50_ms: percentile(&posts, 0.5),
        post_p99_ms: percentile(&posts, 0.99),
        post_max_ms: percentile(&posts, 1.0),
        max_in_flight: 0,
        max_late_ms: max_late.as_secs_f64() * 1000.0,
        server_cpu: 0.0,
        server_rss_before_mib: 0.0,
        server_peak_rss_mib: 0.0,
        server_rest_rss_mib: 0.0,
    }
}

fn print_logins(l: &Logins) {
    println!(
        "  logins: {} of {} succeeded ({:.1}/s planned, {:.1} s): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (POST alone p50 {:.0} ms, p99 {:.0} ms); \
         at most {} at once, started at most {:.1} ms late; CPU {:.2}; RSS {:.1} MiB before, peak {:.1} MiB, {:.1} MiB at rest",
        l.succeeded,
        l.planned,
        l.per_second,
        l.seconds,
        l.p50_ms,
        l.p99_ms,
        l.max_ms,
        l.post_p50_ms,
        l.post_p99_ms,
        l.max_in_flight,
        l.max_late_ms,
        l.server_cpu,
        l.server_rss_before_mib,
        l.server_peak_rss_mib,
        l.server_rest_rss_mib
    );
    for (what, n) in &l.failed {
        println!("  login NOT successful: {n} × {what}");
    }
}

/// The report's section on the registration day.
pub fn markdown(day: &RegistrationDay, backend: &str) -> String {
    let l = &day.logins;
    let mut md = format!(
        "### Registration day, {backend}\n\nA fresh server (empty database, up in {:.0} ms). Half the accounts registered by an organizer \
         (logged in through the form) posting CSV rosters of {ROSTER_ACCOUNTS} to `/admin/register`, one after the other; half through \
         `POST /api/v1/users` with the organizer's token, {API_CLIENTS} clients at once. Then {} logins through the `/login` form \
         (`GET /login`, then the form), {:.1} a second, each from a new connection.\n\n\
         | phase | accounts | requests | errors | seconds | p50 ms | max ms | server CPU | peak RSS MiB |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        day.startup_ms, l.planned, l.per_second
    );
    for (name, p) in [("rosters (`POST /admin/register`)", &day.rosters), ("API (`POST /api/v1/users`)", &day.api)] {
        md.push_str(&format!(
            "| {name} | {} | {} | {} | {:.1} | {:.0} | {:.0} | {:.0}% | {:.1} |\n",
            p.accounts,
            p.requests,
            p.errors,
            p.seconds,
            p.p50_ms,
            p.max_ms,
            p.server_cpu * 100.0,
            p.server_peak_rss_mib
        ));
    }
    let failed: usize = l.failed.values().sum();
    md.push_str(&format!(
        "\nLogins: {} of {} answered 303 with a session, {failed} otherwise{}, in {:.1} s. The whole login (form and answer): p50 {:.0} ms, \
         p99 {:.0} ms, max {:.0} ms; the `POST` alone: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms. Logins under way at once: at most {}; the latest \
         started {:.1} ms behind its schedule. Server CPU {:.0}%; RSS {:.1} MiB before the logins, peak {:.1} MiB during them, \
         {:.1} MiB at rest {:.0} s after the last.\n",
        l.succeeded,
        l.planned,
        failures(&l.failed),
        l.seconds,
        l.p50_ms,
        l.p99_ms,
        l.max_ms,
        l.post_p50_ms,
        l.post_p99_ms,
        l.post_max_ms,
        l.max_in_flight,
        l.max_late_ms,
        l.server_cpu * 100.0,
        l.server_rss_before_mib,
        l.server_peak_rss_mib,
        l.server_rest_rss_mib,
        day.rest_after_seconds
    ));
    md
}

/// " (3 × POST /login 429, …)", or nothing when none failed.
fn failures(failed: &BTreeMap<String, usize>) -> String {
    if failed.is_empty() {
        return String::new();
    }
    let list: Vec<String> = failed.iter().map(|(what, n)| format!("{n} × {what}")).collect();
    format!(" ({})", list.join(", "))
}
