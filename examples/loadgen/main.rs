//! The contest-day benchmark. Builds the world (see `world.rs`), starts the real server on it in a process
//! of its own, and measures each scenario at each concurrency against the server's own ceiling on this
//! machine (`GET /healthz`, which asks the database), with the server's CPU and peak memory, and against
//! CTFd's figures for the same workload where there are some (`ctfd.rs`); then 2,000 open scoreboards
//! hearing of solves, the start-up time and the memory at rest. Last, the registration day (see
//! `registration.rs`) on a fresh server of its own.
//!
//! `cargo run --release --example loadgen -- [--seconds 20] [--concurrency 1,50,200] [--sse 2000]
//!  [--only NAME] [--accounts 1000] [--logins 900] [--login-seconds 60] [--out report.json] [--markdown report.md]`
//! SQLite by default; `MWSCUP_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database), and
//! `MWSCUP_REGISTRATION_DATABASE_URL=postgres://…/db2` (another empty one) for the registration day after the
//! world. `--only registration` runs the registration day alone (in `MWSCUP_DATABASE_URL` if set).

#![allow(clippy::unwrap_used)]

mod ctfd;
mod http;
mod registration;
mod scenarios;
mod server;
mod sse;
mod world;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use scenarios::{GZIP, Plan, Stats};
use serde_json::{Value, json};
use server::Server;

/// The scenarios, by the names the report gives them and `--only` picks them by.
mod names {
    pub const BASELINE: &str = "GET /healthz (baseline)";
    pub const SCOREBOARD: &str = "GET scoreboard (API)";
    pub const TOP_TEN: &str = "GET scoreboard top/10 (API)";
    pub const TOKEN_SCOREBOARD: &str = "GET scoreboard with a team's token (API)";
    pub const FEED: &str = "GET scoreboard.json (all areas)";
    pub const PAGE: &str = "GET scoreboard page (HTML)";
    pub const TEAM_BOARD: &str = "GET challenges as a team (API)";
    pub const WRONG_ANSWERS: &str = "wrong answers (50 tokens)";
    pub const RIGHT_ANSWERS: &str = "right answers (unsolved pairs)";
    pub const MIXED_DAY: &str = "mixed day (90% reads, 10% answers)";
    /// The runs of the contest day, in order; the baseline always runs.
    pub const CONTEST_DAY: [&str; 10] = [
        BASELINE,
        SCOREBOARD,
        TOP_TEN,
        TOKEN_SCOREBOARD,
        FEED,
        PAGE,
        TEAM_BOARD,
        WRONG_ANSWERS,
        RIGHT_ANSWERS,
        MIXED_DAY,
    ];
    pub const CLASSIFICATION: &str = "classification";
    pub const REGISTRATION: &str = "registration day";
}

struct Args {
    seconds: f64,
    concurrency: Vec<usize>,
    sse: usize,
    out: Option<String>,
    markdown: Option<String>,
    /// Run only the scenarios whose name holds this (for profiling one); the baseline runs with any of the
    /// contest day's.
    only: Option<String>,
    /// The registration day: accounts registered (half by roster, half by API), logins, over how long.
    accounts: usize,
    logins: usize,
    login_seconds: f64,
}

impl Args {
    fn selects(&self, name: &str) -> bool {
        self.only.as_deref().is_none_or(|o| name.contains(o))
    }

    /// Whether anything that needs the world runs.
    fn needs_world(&self) -> bool {
        names::CONTEST_DAY[1..].iter().any(|n| self.selects(n)) || self.selects(names::CLASSIFICATION)
    }
}

fn args() -> Args {
    let mut a = Args {
        seconds: 20.0,
        concurrency: vec![1, 50, 200],
        sse: 2000,
        out: None,
        markdown: None,
        only: None,
        accounts: 1000,
        logins: 900,
        login_seconds: 60.0,
    };
    let list: Vec<String> = std::env::args().skip(1).collect();
    for pair in list.chunks(2) {
        match (pair[0].as_str(), pair.get(1)) {
            ("--seconds", Some(v)) => a.seconds = v.parse().unwrap(),
            ("--concurrency", Some(v)) => a.concurrency = v.split(',').map(|c| c.parse().unwrap()).collect(),
            ("--sse", Some(v)) => a.sse = v.parse().unwrap(),
            ("--out", Some(v)) => a.out = Some(v.clone()),
            ("--markdown", Some(v)) => a.markdown = Some(v.clone()),
            ("--only", Some(v)) => a.only = Some(v.clone()),
            ("--accounts", Some(v)) => a.accounts = v.parse().unwrap(),
            ("--logins", Some(v)) => a.logins = v.parse().unwrap(),
            ("--login-seconds", Some(v)) => a.login_seconds = v.parse().unwrap(),
            _ => panic!(
                "usage: loadgen [--seconds N] [--concurrency 1,50,200] [--sse N] [--only NAME] [--accounts N] [--logins N] \
                 [--login-seconds N] [--out FILE.json] [--markdown FILE.md]"
            ),
        }
    }
    assert!(
        a.accounts >= 2 && a.logins >= 1 && a.login_seconds > 0.0,
        "the registration day needs accounts and logins"
    );
    a
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores ({cpu})")
}

/// Pairs kept back for each run that gives right answers, so that every run finds unsolved pairs.
struct Pairs {
    next: usize,
    share: usize,
}

impl Pairs {
    fn take(&mut self, world: &world::World) -> Plan {
        let start = self.next.min(world.unsolved.len());
        self.next = (start + self.share).min(world.unsolved.len());
        scenarios::right_answers(world, start..self.next)
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("serve") {
        // The server under test: the real command line, in this same program.
        let code = tokio::runtime::Runtime::new().unwrap().block_on(mwscup::cli::main());
        std::process::exit(if code == std::process::ExitCode::SUCCESS { 0 } else { 1 });
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(bench(args()));
}

async fn bench(args: Args) {
    let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let mut md = String::new();
    let mut report = json!({"date": date, "machine": machine()});
    let world_url = std::env::var("MWSCUP_DATABASE_URL").ok();
    if args.needs_world() {
        let (text, json) = contest_day(&args, world_url.as_deref(), &date).await;
        md.push_str(&text);
        merge(&mut report, json);
    }
    if args.selects(names::REGISTRATION) {
        let data = tempfile::tempdir().unwrap();
        match registration_database(data.path(), args.needs_world()) {
            Some(url) => {
                let options = registration::Options {
                    accounts: args.accounts,
                    logins: args.logins,
                    login_seconds: args.login_seconds,
                };
                let day = registration::run(&url, data.path(), &options).await;
                let backend = backend_of(&url);
                md.push_str(&format!("\n{}", registration::markdown(&day, backend)));
                report["registration"] = json!({"backend": backend, "day": day});
            }
            None => println!(
                "registration day skipped: on PostgreSQL it needs an empty database of its own \
                 (MWSCUP_REGISTRATION_DATABASE_URL), or run it alone with --only registration"
            ),
        }
    }
    println!("\n{md}");
    if let Some(out) = args.out {
        std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap()).unwrap();
        println!("wrote {out}");
    }
    if let Some(path) = args.markdown {
        std::fs::write(&path, md).unwrap();
        println!("wrote {path}");
    }
}

fn backend_of(url: &str) -> &'static str {
    if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" }
}

/// Adds the fields of a JSON object to another.
fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}

/// The registration day's database, which must be empty: `MWSCUP_REGISTRATION_DATABASE_URL` if given; else
/// `MWSCUP_DATABASE_URL` if the world was not built in it; else (SQLite) a file in the day's own folder.
fn registration_database(data: &Path, world_built: bool) -> Option<String> {
    if let Ok(url) = std::env::var("MWSCUP_REGISTRATION_DATABASE_URL") {
        return Some(url);
    }
    match std::env::var("MWSCUP_DATABASE_URL") {
        Ok(url) if !world_built => Some(url),
        Ok(_) => None,
        Err(_) => Some(format!("sqlite://{}?mode=rwc", data.join("mwscup.db").display())),
    }
}

/// What a scenario sends.
fn plan(name: &str, world: &world::World, pairs: &mut Pairs) -> Plan {
    match name {
        names::BASELINE => scenarios::get("/healthz", &[]),
        names::SCOREBOARD => scenarios::get("/contests/bench/api/v1/scoreboard", &[GZIP]),
        names::TOP_TEN => scenarios::get("/contests/bench/api/v1/scoreboard/top/10", &[GZIP]),
        names::TOKEN_SCOREBOARD => scenarios::team_scoreboard(world),
        names::FEED => scenarios::get("/contests/bench/scoreboard.json", &[GZIP]),
        names::PAGE => scenarios::get("/contests/bench/scoreboard", &[GZIP]),
        names::TEAM_BOARD => scenarios::team_board(world),
        names::WRONG_ANSWERS => scenarios::wrong_answers(world),
        names::RIGHT_ANSWERS => pairs.take(world),
        names::MIXED_DAY => scenarios::mixed_day(world, pairs.take(world)),
        other => panic!("no scenario named {other}"),
    }
}

/// The contest day on the world: its report's markdown and JSON.
async fn contest_day(args: &Args, database_url: Option<&str>, date: &str) -> (String, Value) {
    for name in ctfd::scenarios() {
        assert!(names::CONTEST_DAY.contains(&name), "CTFd's figure for {name} names no scenario");
    }
    let data = tempfile::tempdir().unwrap();
    let url = database_url
        .map_or_else(|| format!("sqlite://{}?mode=rwc", data.path().join("mwscup.db").display()), str::to_owned);
    let backend = backend_of(&url);
    let postgres = backend == "PostgreSQL";
    let built = Instant::now();
    let world = {
        let db = mwscup::db::connect(&url).await.unwrap();
        mwscup::db::migrate(&db).await.unwrap();
        let w = world::build(&db, data.path()).await;
        db.close().await.unwrap();
        w
    };
    println!("world built in {:.1} s; starting the server", built.elapsed().as_secs_f64());
    let server = Server::start(&url, data.path(), "/contests/bench/scoreboard.json").await;
    let rest_rss = server.rss_mib();
    println!(
        "server pid {} up in {:.0} ms; RSS at rest {rest_rss:.1} MiB",
        server.pid(),
        server.startup.as_secs_f64() * 1000.0
    );

    let runs_with_right = args.concurrency.len() * 2 + 1;
    let mut pairs = Pairs { next: 0, share: world.unsolved.len() / runs_with_right };
    let mut stats: Vec<Stats> = Vec::new();
    for (i, name) in names::CONTEST_DAY.iter().enumerate() {
        // The baseline always runs: every figure is a ratio to it.
        if i > 0 && !args.selects(name) {
            continue;
        }
        for &c in &args.concurrency {
            let plan = plan(name, &world, &mut pairs);
            stats.push(scenarios::run(name, &server, c, args.seconds, plan).await);
        }
    }
    let classification = if args.selects(names::CLASSIFICATION) {
        Some(scenarios::classification(&world, &server, 10).await)
    } else {
        None
    };
    let sse = sse::run(&server, args.sse, 20, pairs.take(&world)).await;
    let s = args.seconds;

    let baseline = |c: usize| {
        stats.iter().find(|st| st.name == names::BASELINE && st.concurrency == c).map_or(1.0, |st| st.rps.max(1.0))
    };
    let mut md = format!(
        "### {backend}, {date}, {}\n\nWorld: {} teams of 3, {} challenges, {} solves and {} wrong answers; {s} s a scenario. \
         Start-up to the first scoreboard: {:.0} ms. Server RSS at rest with the world loaded: {rest_rss:.1} MiB. \
         × CTFd: our req/s over CTFd 3.8.7's on {backend} for the same workload at concurrency {} (figures from issue 17).\n\n\
         | scenario | conc. | requests | errors | req/s | × `/healthz` | × CTFd | p50 ms | p99 ms | server CPU | peak RSS MiB |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
        machine(),
        world::TEAMS,
        world::CHALLENGES,
        world::SOLVES,
        world::WRONG,
        server.startup.as_secs_f64() * 1000.0,
        ctfd::CONCURRENCY
    );
    for st in &stats {
        let versus_ctfd =
            ctfd::rps(&st.name, st.concurrency, postgres).map_or_else(String::new, |r| format!("{:.1}", st.rps / r));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.0} | {:.2} | {versus_ctfd} | {:.2} | {:.2} | {:.0}% | {:.1} |",
            st.name,
            st.concurrency,
            st.requests,
            st.errors,
            st.rps,
            st.rps / baseline(st.concurrency),
            st.p50_ms,
            st.p99_ms,
            st.server_cpu * 100.0,
            st.server_peak_rss_mib
        );
    }
    for st in stats.iter().filter(|st| !st.by_request.is_empty()) {
        let _ = writeln!(md, "\n{} at c={}, by request:\n", st.name, st.concurrency);
        for part in &st.by_request {
            let _ = writeln!(
                md,
                "- `{}`: {} requests, p50 {:.2} ms, p99 {:.2} ms",
                part.request, part.requests, part.p50_ms, part.p99_ms
            );
        }
    }
    let _ = writeln!(
        md,
        "\nSSE: {} of {} clients connected (server RSS {:.1} MiB with them); {} solves, {} events; from sending the answer to \
         its event at each client: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms.",
        sse.connected, sse.clients, sse.server_rss_mib, sse.solves, sse.events, sse.p50_ms, sse.p99_ms, sse.max_ms
    );
    if let Some(u) = &classification {
        let _ = writeln!(
            md,
            "\nClassification: {} uploads of a {}-row prediction file ({:.1} MiB, `POST …/predictions`, one at a time), each \
             read, checked, scored on both parts, stored and counted in the standings before the answer: first (reading the \
             sealed table) {:.0} ms, p50 {:.0} ms, max {:.0} ms; {} errors; server CPU {:.0}%, peak RSS {:.1} MiB. Baseline in \
             the same run, the same file sent to a challenge that takes flags (read whole, then refused): p50 {:.0} ms, so \
             checking, scoring and keeping an upload costs {:.1}× its transfer.",
            u.uploads,
            u.rows,
            u.bytes as f64 / 1048576.0,
            u.first_ms,
            u.p50_ms,
            u.max_ms,
            u.errors,
            u.server_cpu * 100.0,
            u.server_peak_rss_mib,
            u.transfer_p50_ms,
            u.p50_ms / u.transfer_p50_ms.max(0.001)
        );
    }
    let report = json!({
        "backend": backend,
        "world": {"teams": world::TEAMS, "challenges": world::CHALLENGES, "solves": world::SOLVES, "wrong_answers": world::WRONG},
        "seconds": s, "startup_ms": server.startup.as_secs_f64() * 1000.0, "rest_rss_mib": rest_rss,
        "scenarios": stats.iter().map(|st| {
            let mut v = serde_json::to_value(st).unwrap();
            v["ratio_to_baseline"] = json!(st.rps / baseline(st.concurrency));
            if let Some(r) = ctfd::rps(&st.name, st.concurrency, postgres) {
                v["ctfd_rps"] = json!(r);
                v["ratio_to_ctfd"] = json!(st.rps / r);
            }
            v
        }).collect::<Vec<_>>(),
        "sse": sse,
        "classification": classification,
    });
    (md, report)
}
