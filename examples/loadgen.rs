//! The scoreboard benchmark: builds a contest day's world (300 teams of 3, 40 challenges in 4 areas, a
//! quarter dynamic, 3,000 solves and 10,000 wrong answers), starts the real server on it, and measures,
//! against the server's own ceiling on this machine (`GET /healthz`):
//! the scoreboard as JSON and as the HTML page (requests/s, p50/p99 latency), and the time from a solve's
//! answer to its `scoreboard` event at open SSE clients.
//!
//! `cargo run --release --example loadgen -- [--seconds 10] [--concurrency 50] [--sse 200] [--out FILE]`
//! SQLite by default; `MWSCUP_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database).
//!
//! The world is built through the product's own paths where it matters (the challenges by `challenges
//! sync`, teams through the team store); solves and wrong answers are inserted directly in bulk, since
//! going through the answer path would take minutes and measure nothing of the scoreboard.

#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};
use entity::{solves, submissions, users};
use futures_util::StreamExt;
use mwscup::blobs::BlobStore;
use mwscup::config::Settings;
use mwscup::domain::answer::{AnswerDigest, Rule};
use mwscup::domain::names::{TeamName, Username};
use mwscup::startup::{AppState, run};
use mwscup::store;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::json;

const TEAMS: usize = 300;
const CHALLENGES: usize = 40;
const SOLVES: usize = 3_000;
const WRONG: usize = 10_000;

struct Args {
    seconds: u64,
    concurrency: usize,
    sse: usize,
    out: Option<String>,
}

fn args() -> Args {
    let mut a = Args { seconds: 10, concurrency: 50, sse: 200, out: None };
    let list: Vec<String> = std::env::args().skip(1).collect();
    for pair in list.chunks(2) {
        match (pair[0].as_str(), pair.get(1)) {
            ("--seconds", Some(v)) => a.seconds = v.parse().unwrap(),
            ("--concurrency", Some(v)) => a.concurrency = v.parse().unwrap(),
            ("--sse", Some(v)) => a.sse = v.parse().unwrap(),
            ("--out", Some(v)) => a.out = Some(v.clone()),
            _ => panic!("usage: loadgen [--seconds N] [--concurrency N] [--sse N] [--out FILE]"),
        }
    }
    a
}

/// The contest's sources, written to a folder and loaded by `challenges sync`.
fn write_sources(root: &std::path::Path) -> std::path::PathBuf {
    let dir = root.join("bench");
    let start = Utc::now() - Span::hours(2);
    let areas = ["static", "dynamic", "surface", "dfir"];
    let mut contest = format!(
        "slug = \"bench\"\ntitle = \"ベンチマーク\"\ntitle_en = \"Benchmark\"\nstarts_at = \"{}\"\nends_at = \"{}\"\nwrong_answers_per_minute = 10000\n",
        start.to_rfc3339(),
        (start + Span::hours(4)).to_rfc3339()
    );
    for a in areas {
        let _ = write!(contest, "\n[[areas]]\nkey = \"{a}\"\nname = \"{a}\"\non_day = true\n");
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("contest.toml"), contest).unwrap();
    for i in 0..CHALLENGES {
        let area = areas[i % areas.len()];
        let folder = dir.join(area).join(format!("c{i:02}"));
        std::fs::create_dir_all(&folder).unwrap();
        let salt = format!("bench-salt-{i}");
        let digest = AnswerDigest::of_typed(Rule::Casefold, &salt, &format!("answer-{i}"));
        let scoring = if i % 4 == 0 {
            "[scoring]\nfunction = \"linear\"\ninitial = 500\nminimum = 100\ndecay = 2\n".to_owned()
        } else {
            format!("points = {}\n", 100 + 10 * i)
        };
        std::fs::write(
            folder.join("challenge.toml"),
            format!("title = \"Challenge {i}\"\n{scoring}\n[answer]\nsalt = \"{salt}\"\ndigests = [\"{digest}\"]\n"),
        )
        .unwrap();
        std::fs::write(folder.join("README.md"), "A question.\n").unwrap();
    }
    dir
}

struct World {
    contest: entity::contests::Model,
    teams: Vec<(i32, i32, String)>,
    challenges: Vec<i32>,
    /// The answer of each challenge, by id (`answer-N` for the folder `cNN`).
    answers: std::collections::HashMap<i32, String>,
}

async fn build_world(db: &DatabaseConnection, data: &std::path::Path) -> World {
    let sources = write_sources(data);
    let source = mwscup::authoring::load_checked(&sources).unwrap_or_else(|p| panic!("{p:?}"));
    mwscup::authoring::sync::sync(db, &BlobStore::new(data), &source).await.unwrap();
    let contest = store::contests::by_slug(db, "bench").await.unwrap().unwrap();
    let views = store::challenges::of_contest(db, contest.id).await.unwrap();
    let challenges: Vec<i32> = views.iter().map(|v| v.challenge.id).collect();
    let answers = views
        .iter()
        .map(|v| {
            (v.challenge.id, format!("answer-{}", v.challenge.slug.trim_start_matches('c').parse::<usize>().unwrap()))
        })
        .collect();

    // One argon2 hash for every account: the benchmark logs nobody in.
    let hash = mwscup::domain::password::hash("bench-password");
    let now = Utc::now();
    let rows: Vec<users::ActiveModel> = (0..TEAMS * 3)
        .map(|i| {
            let name = Username::parse(&format!("u{i}")).unwrap();
            users::ActiveModel {
                username: Set(name.as_str().to_owned()),
                username_key: Set(name.key().to_owned()),
                email: Set(None),
                password_hash: Set(hash.clone()),
                role: Set("participant".into()),
                created_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(300) {
        users::Entity::insert_many(chunk.to_vec()).exec(db).await.unwrap();
    }
    let mut teams = Vec::new();
    for t in 0..TEAMS {
        let captain =
            store::users::by_username(db, &Username::parse(&format!("u{}", t * 3)).unwrap()).await.unwrap().unwrap();
        let name = TeamName::parse(&format!("Team {t:03}")).unwrap();
        let team = store::teams::create(
            db,
            store::teams::NewTeam {
                contest_id: contest.id,
                name: &name,
                affiliation: None,
                captain_id: Some(captain.id),
            },
        )
        .await
        .unwrap();
        for m in 1..3 {
            let member = store::users::by_username(db, &Username::parse(&format!("u{}", t * 3 + m)).unwrap())
                .await
                .unwrap()
                .unwrap();
            store::teams::add_member(db, team.id, member.id, 6).await.unwrap();
        }
        let token = store::tokens::create(db, captain.id, "bench").await.unwrap().token;
        teams.push((team.id, captain.id, token));
    }

    // 3,000 solves (pairs spread over the teams) and 10,000 wrong answers over the first two hours.
    let start = contest.starts_at;
    let mut subs = Vec::new();
    let mut solved = Vec::new();
    for k in 0..SOLVES {
        let (team, user, _) = &teams[k % TEAMS];
        let challenge = challenges[(k / TEAMS * 7 + k) % CHALLENGES];
        if solved.contains(&(*team, challenge)) {
            continue;
        }
        solved.push((*team, challenge));
        let at = start + Span::seconds((k as i64 * 7200) / SOLVES as i64);
        subs.push((submission(contest.id, challenge, *team, *user, "correct", at), Some(challenge)));
    }
    for k in 0..WRONG {
        let (team, user, _) = &teams[(k * 13) % TEAMS];
        let at = start + Span::seconds((k as i64 * 7200) / WRONG as i64);
        subs.push((submission(contest.id, challenges[k % CHALLENGES], *team, *user, "incorrect", at), None));
    }
    for chunk in subs.chunks(500) {
        let first = submissions::Entity::insert_many(chunk.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>())
            .exec(db)
            .await
            .unwrap();
        let _ = first;
    }
    let all = submissions::Entity::find().all(db).await.unwrap();
    let rows: Vec<solves::ActiveModel> = all
        .iter()
        .filter(|s| s.outcome == "correct")
        .map(|s| solves::ActiveModel {
            contest_id: Set(s.contest_id),
            challenge_id: Set(s.challenge_id),
            team_id: Set(s.team_id),
            user_id: Set(s.user_id),
            submission_id: Set(s.id),
            created_at: Set(s.created_at),
            ..Default::default()
        })
        .collect();
    println!(
        "world: {TEAMS} teams of 3, {} challenges, {} solves, {} submissions",
        challenges.len(),
        rows.len(),
        all.len()
    );
    for chunk in rows.chunks(500) {
        solves::Entity::insert_many(chunk.to_vec()).exec(db).await.unwrap();
    }
    World { contest, teams, challenges, answers }
}

fn submission(
    contest: i32,
    challenge: i32,
    team: i32,
    user: i32,
    outcome: &str,
    at: chrono::DateTime<Utc>,
) -> submissions::ActiveModel {
    submissions::ActiveModel {
        contest_id: Set(contest),
        challenge_id: Set(challenge),
        team_id: Set(team),
        user_id: Set(user),
        outcome: Set(outcome.into()),
        text: Set((outcome == "incorrect").then(|| "wrong".to_owned())),
        digest: Set(None),
        ip: Set("127.0.0.1".into()),
        created_at: Set(at),
        ..Default::default()
    }
}

struct Stats {
    name: String,
    requests: usize,
    errors: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// `concurrency` clients fetch `url` in a loop for `seconds`.
async fn hammer(name: &str, url: String, concurrency: usize, seconds: u64) -> Stats {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let (mut times, mut errors) = (Vec::new(), 0usize);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match client.get(&url).send().await {
                        Ok(res) if res.status().is_success() => {
                            let _ = res.bytes().await;
                            times.push(t.elapsed());
                        }
                        _ => errors += 1,
                    }
                }
                (times, errors)
            })
        })
        .collect();
    let started = Instant::now();
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (times, e) = t.await.unwrap();
        all.extend(times);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    Stats {
        name: name.into(),
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
    }
}

/// Opens `clients` SSE connections, then sends right answers for pairs no team solved, one at a time,
/// and measures from the moment each answer is sent to its event at every client (the event leaves the
/// server before the answer's response does).
async fn sse_latency(base: &str, world: &World, clients: usize, solves: usize) -> (usize, f64, f64, f64) {
    let url = format!("{base}/contests/bench/events");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let mut handles = Vec::new();
    for _ in 0..clients {
        let (url, tx) = (url.clone(), tx.clone());
        handles.push(tokio::spawn(async move {
            let res = reqwest::get(&url).await.unwrap();
            let mut stream = res.bytes_stream();
            while let Some(Ok(chunk)) = stream.next().await {
                if chunk.windows(17).any(|w| w == b"event: scoreboard") {
                    let _ = tx.send(Instant::now());
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = reqwest::Client::new();
    let mut latencies = Vec::new();
    let mut used = std::collections::HashSet::new();
    let mut sent = 0;
    'outer: for (t, (_, _, token)) in world.teams.iter().enumerate().rev() {
        for (i, challenge) in world.challenges.iter().enumerate().rev() {
            if sent == solves {
                break 'outer;
            }
            if !used.insert((t, i)) {
                continue;
            }
            let sent_at = Instant::now();
            let res = client
                .post(format!("{base}/api/v1/challenges/attempt"))
                .header("Authorization", format!("Token {token}"))
                .json(&json!({"challenge_id": challenge, "submission": world.answers[challenge]}))
                .send()
                .await
                .unwrap();
            let body: serde_json::Value = res.json().await.unwrap();
            if body["data"]["status"] != "correct" {
                continue;
            }
            sent += 1;
            for _ in 0..clients {
                match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                    Ok(Some(at)) => latencies.push(at.saturating_duration_since(sent_at)),
                    _ => break,
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            while rx.try_recv().is_ok() {}
            continue 'outer;
        }
    }
    for h in handles {
        h.abort();
    }
    latencies.sort();
    (
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    )
}

#[tokio::main]
async fn main() {
    let args = args();
    let data = tempfile::tempdir().unwrap();
    let url = std::env::var("MWSCUP_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}?mode=rwc", data.path().join("mwscup.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let db = mwscup::db::connect(&url).await.unwrap();
    mwscup::db::migrate(&db).await.unwrap();
    let built = Instant::now();
    let world = build_world(&db, data.path()).await;
    println!("built in {:.1} s", built.elapsed().as_secs_f64());

    let settings = Settings {
        data_dir: data.path().to_path_buf(),
        database_url: url.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        secret_key: "a benchmark secret key that is long enough to sign".into(),
        cookie_secure: false,
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let started = Instant::now();
    tokio::spawn(run(listener, AppState::new(db.clone(), settings)).unwrap());
    // The first scoreboard read loads the contest into memory.
    reqwest::get(format!("{base}/contests/bench/scoreboard.json")).await.unwrap().bytes().await.unwrap();
    let warm = started.elapsed();
    let _ = &world.contest;

    let (s, c) = (args.seconds, args.concurrency);
    let stats = vec![
        hammer("GET /healthz (baseline)", format!("{base}/healthz"), c, s).await,
        hammer("GET /contests/bench/scoreboard.json", format!("{base}/contests/bench/scoreboard.json"), c, s).await,
        hammer("GET /contests/bench/scoreboard (HTML)", format!("{base}/contests/bench/scoreboard"), c, s).await,
    ];
    let (events, p50, p99, max) = sse_latency(&base, &world, args.sse, 20).await;

    let baseline = stats[0].rps.max(1.0);
    let mut md = format!(
        "Scoreboard benchmark on {backend}: {TEAMS} teams, {CHALLENGES} challenges, {SOLVES} solves and {WRONG} wrong answers; \
         concurrency {c}, {s} s a scenario; server started and the contest loaded in {:.0} ms.\n\n\
         | scenario | requests | errors | req/s | × baseline | p50 ms | p99 ms |\n|---|---|---|---|---|---|---|\n",
        warm.as_secs_f64() * 1000.0
    );
    for st in &stats {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
            st.name,
            st.requests,
            st.errors,
            st.rps,
            st.rps / baseline,
            st.p50_ms,
            st.p99_ms
        );
    }
    let _ = writeln!(
        md,
        "\nSSE: {} clients, 20 solves: {events} events received; from sending the answer to the event at each client: p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms.",
        args.sse
    );
    println!("{md}");
    let report = json!({
        "backend": backend, "teams": TEAMS, "challenges": CHALLENGES, "solves": SOLVES, "wrong_answers": WRONG,
        "concurrency": c, "seconds": s, "startup_ms": warm.as_secs_f64() * 1000.0,
        "scenarios": stats.iter().map(|st| json!({"name": st.name, "requests": st.requests, "errors": st.errors, "rps": st.rps,
            "ratio_to_baseline": st.rps / baseline, "p50_ms": st.p50_ms, "p99_ms": st.p99_ms})).collect::<Vec<_>>(),
        "sse": {"clients": args.sse, "events": events, "p50_ms": p50, "p99_ms": p99, "max_ms": max},
    });
    if let Some(out) = args.out {
        std::fs::write(&out, serde_json::to_string_pretty(&report).unwrap()).unwrap();
        println!("wrote {out}");
    }
}
