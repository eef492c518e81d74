//! The contest-day benchmark. Builds the world (see `world.rs`), starts the real server on it in a process
//! of its own, and measures each scenario at each concurrency against the server's own ceiling on this
//! machine (`GET /healthz`, which asks the database), with the server's CPU and peak memory; then 2,000
//! open scoreboards hearing of solves, the start-up time and the memory at rest.
//!
//! `cargo run --release --example loadgen -- [--seconds 20] [--concurrency 1,50,200] [--sse 2000]
//!  [--out report.json] [--markdown report.md]`
//! SQLite by default; `MWSCUP_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database).

#![allow(clippy::unwrap_used)]

mod http;
mod scenarios;
mod server;
mod sse;
mod world;

use std::fmt::Write as _;
use std::time::Instant;

use scenarios::{Plan, Stats};
use serde_json::json;
use server::Server;

struct Args {
    seconds: f64,
    concurrency: Vec<usize>,
    sse: usize,
    out: Option<String>,
    markdown: Option<String>,
    /// Run only the scenarios whose name holds this (for profiling one).
    only: Option<String>,
}

fn args() -> Args {
    let mut a = Args { seconds: 20.0, concurrency: vec![1, 50, 200], sse: 2000, out: None, markdown: None, only: None };
    let list: Vec<String> = std::env::args().skip(1).collect();
    for pair in list.chunks(2) {
        match (pair[0].as_str(), pair.get(1)) {
            ("--seconds", Some(v)) => a.seconds = v.parse().unwrap(),
            ("--concurrency", Some(v)) => a.concurrency = v.split(',').map(|c| c.parse().unwrap()).collect(),
            ("--sse", Some(v)) => a.sse = v.parse().unwrap(),
            ("--out", Some(v)) => a.out = Some(v.clone()),
            ("--markdown", Some(v)) => a.markdown = Some(v.clone()),
            ("--only", Some(v)) => a.only = Some(v.clone()),
            _ => panic!(
                "usage: loadgen [--seconds N] [--concurrency 1,50,200] [--sse N] [--out FILE.json] [--markdown FILE.md]"
            ),
        }
    }
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
    let data = tempfile::tempdir().unwrap();
    let url = std::env::var("MWSCUP_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", data.path().join("mwscup.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let built = Instant::now();
    let world = {
        let db = mwscup::db::connect(&url).await.unwrap();
        mwscup::db::migrate(&db).await.unwrap();
        let w = world::build(&db, data.path()).await;
        db.close().await.unwrap();
        w
    };
    println!("world built in {:.1} s; starting the server", built.elapsed().as_secs_f64());
    let server = Server::start(&url, data.path()).await;
    let rest_rss = server.rss_mib();
    println!(
        "server pid {} up in {:.0} ms; RSS at rest {rest_rss:.1} MiB",
        server.pid(),
        server.startup.as_secs_f64() * 1000.0
    );

    let runs_with_right = args.concurrency.len() * 2 + 1;
    let mut pairs = Pairs { next: 0, share: world.unsolved.len() / runs_with_right };
    let gzip = [("Accept-Encoding", "gzip")];
    let names = [
        "GET /healthz (baseline)",
        "GET scoreboard (API)",
        "GET scoreboard.json (all areas)",
        "GET scoreboard page (HTML)",
        "GET challenges as a team (API)",
        "wrong answers (50 tokens)",
        "right answers (unsolved pairs)",
        "mixed day (90% reads, 10% answers)",
    ];
    let mut stats: Vec<Stats> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        // The baseline always runs: every figure is a ratio to it.
        if i > 0 && args.only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        for &c in &args.concurrency {
            let plan = match i {
                0 => scenarios::get("/healthz", &[]),
                1 => scenarios::get("/contests/bench/api/v1/scoreboard", &gzip),
                2 => scenarios::get("/contests/bench/scoreboard.json", &gzip),
                3 => scenarios::get("/contests/bench/scoreboard", &gzip),
                4 => scenarios::team_board(&world),
                5 => scenarios::wrong_answers(&world),
                6 => pairs.take(&world),
                _ => scenarios::mixed_day(&world, pairs.take(&world)),
            };
            stats.push(scenarios::run(name, &server, c, args.seconds, plan).await);
        }
    }
    let classification = if args.only.as_deref().is_none_or(|o| "classification".contains(o)) {
        Some(scenarios::classification(&world, &server, 10).await)
    } else {
        None
    };
    let sse = sse::run(&server, args.sse, 20, pairs.take(&world)).await;
    let s = args.seconds;

    let baseline = |c: usize| {
        stats.iter().find(|st| st.name.contains("healthz") && st.concurrency == c).map_or(1.0, |st| st.rps.max(1.0))
    };
    let date = chrono::Utc::now().format("%Y-%m-%d");
    let mut md = format!(
        "### {backend}, {date}, {}\n\nWorld: {} teams of 3, {} challenges, {} solves and {} wrong answers; {s} s a scenario. \
         Start-up to the first scoreboard: {:.0} ms. Server RSS at rest with the world loaded: {rest_rss:.1} MiB.\n\n\
         | scenario | conc. | requests | errors | req/s | × `/healthz` | p50 ms | p99 ms | server CPU | peak RSS MiB |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
        machine(),
        world::TEAMS,
        world::CHALLENGES,
        world::SOLVES,
        world::WRONG,
        server.startup.as_secs_f64() * 1000.0
    );
    for st in &stats {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.0}% | {:.1} |",
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
    println!("\n{md}");
    let report = json!({
        "backend": backend, "date": date.to_string(), "machine": machine(),
        "world": {"teams": world::TEAMS, "challenges": world::CHALLENGES, "solves": world::SOLVES, "wrong_answers": world::WRONG},
        "seconds": s, "startup_ms": server.startup.as_secs_f64() * 1000.0, "rest_rss_mib": rest_rss,
        "scenarios": stats.iter().map(|st| {
            let mut v = serde_json::to_value(st).unwrap();
            v["ratio_to_baseline"] = json!(st.rps / baseline(st.concurrency));
            v
        }).collect::<Vec<_>>(),
        "sse": sse,
        "classification": classification,
    });
    if let Some(out) = args.out {
        std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap()).unwrap();
        println!("wrote {out}");
    }
    if let Some(path) = args.markdown {
        std::fs::write(&path, md).unwrap();
        println!("wrote {path}");
    }
}
