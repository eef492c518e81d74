//! Running one scenario: `concurrency` clients, each on its own keep-alive connection, send what the
//! scenario's plan gives them until the time is up or the plan runs out, and every answer is checked.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::http::{Conn, request};
use crate::server::Server;
use crate::world::World;

/// One request and what its answer must hold to count as a success.
pub struct Req {
    pub bytes: Vec<u8>,
    pub expect: &'static [u8],
}

/// What a client sends next (`None`: nothing left to send). Given the client's number and its count.
pub type Plan = Arc<dyn Fn(usize, u64) -> Option<Req> + Send + Sync>;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Stats {
    pub name: String,
    pub concurrency: usize,
    pub requests: usize,
    pub errors: usize,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The server's CPU time over the wall time (2.0 = both cores).
    pub server_cpu: f64,
    pub server_peak_rss_mib: f64,
    /// The same by request (method and path), when a scenario mixes several: which of them makes its p99.
    pub by_request: Vec<Part>,
}

/// One kind of request within a scenario.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Part {
    pub request: String,
    pub requests: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// A request's method and path, which name its kind.
fn kind_of(bytes: &[u8]) -> String {
    let line = bytes.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    line.rsplit_once(' ').map_or(line.to_string(), |(head, _)| head.to_string())
}

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

pub async fn run(name: &str, server: &Server, concurrency: usize, seconds: f64, plan: Plan) -> Stats {
    server.reset_peak();
    let cpu_before = server.cpu();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|client| {
            let (plan, addr) = (plan.clone(), server.addr);
            tokio::spawn(async move {
                let mut conn = Conn::new(addr);
                let (mut times, mut errors, mut seq) = (Vec::new(), 0usize, 0u64);
                let mut kinds: HashMap<String, Vec<Duration>> = HashMap::new();
                while Instant::now() < deadline {
                    let Some(req) = plan(client, seq) else { break };
                    seq += 1;
                    let t = Instant::now();
                    match conn.send(&req.bytes).await {
                        Ok(res) if res.status == 200 && res.contains(req.expect) => {
                            times.push(t.elapsed());
                            kinds.entry(kind_of(&req.bytes)).or_default().push(t.elapsed());
                        }
                        Ok(res) => {
                            if errors == 0 {
                                eprintln!("unexpected answer {}: {}", res.status, String::from_utf8_lossy(&res.body));
                            }
                            errors += 1;
                        }
                        Err(e) => {
                            if errors == 0 {
                                eprintln!("request failed: {e}");
                            }
                            errors += 1;
                        }
                    }
                }
                (times, errors, kinds)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    let mut kinds: HashMap<String, Vec<Duration>> = HashMap::new();
    for t in tasks {
        let (times, e, k) = t.await.unwrap();
        all.extend(times);
        errors += e;
        for (kind, times) in k {
            kinds.entry(kind).or_default().extend(times);
        }
    }
    let mut by_request: Vec<Part> = if kinds.len() > 1 {
        kinds
            .into_iter()
            .map(|(request, mut times)| {
                times.sort();
                Part {
                    request,
                    requests: times.len(),
                    p50_ms: percentile(&times, 0.5),
                    p99_ms: percentile(&times, 0.99),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    by_request.sort_by_key(|p| std::cmp::Reverse(p.requests));
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = (server.cpu() - cpu_before).as_secs_f64() / elapsed;
    all.sort();
    let stats = Stats {
        name: name.into(),
        concurrency,
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
        server_cpu: cpu,
        server_peak_rss_mib: server.peak_rss_mib(),
        by_request,
    };
    println!(
        "  {name} c={concurrency}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors, CPU {:.2}, peak RSS {:.1} MiB",
        stats.rps, stats.p50_ms, stats.p99_ms, stats.errors, stats.server_cpu, stats.server_peak_rss_mib
    );
    for part in &stats.by_request {
        println!(
            "    {}: {} requests, p50 {:.2} ms, p99 {:.2} ms",
            part.request, part.requests, part.p50_ms, part.p99_ms
        );
    }
    stats
}

/// The same request again and again.
pub fn get(path: &str, headers: &[(&str, &str)]) -> Plan {
    let bytes = request("GET", path, headers, b"");
    Arc::new(move |_, _| Some(Req { bytes: bytes.clone(), expect: b"" }))
}

/// The header Python `requests` sends with every request (browsers too): the answer may come gzip-compressed.
pub const GZIP: (&str, &str) = ("Accept-Encoding", "gzip");

fn attempt(token: &str, challenge: i32, submission: &str) -> Vec<u8> {
    let body = json!({"challenge_id": challenge, "submission": submission}).to_string();
    let auth = format!("Token {token}");
    request(
        "POST",
        "/contests/bench/api/v1/challenges/attempt",
        &[("Authorization", &auth), ("Content-Type", "application/json"), GZIP],
        body.as_bytes(),
    )
}

/// Wrong answers from the 50 teams kept for them (see `World::wrong_pairs`), each to a challenge that team
/// has not solved, so that every one is judged in full.
pub fn wrong_answers(world: &World) -> Plan {
    let pairs: Vec<(String, i32)> = world.wrong_pairs.iter().map(|(t, c)| (world.teams[*t].1.clone(), *c)).collect();
    Arc::new(move |client, seq| {
        let (token, challenge) = &pairs[(client + seq as usize * 61) % pairs.len()];
        Some(Req { bytes: attempt(token, *challenge, &format!("wrong-{client}-{seq}")), expect: b"\"incorrect\"" })
    })
}

/// Right answers for a range of the pairs no team has solved, each pair once.
pub fn right_answers(world: &World, range: std::ops::Range<usize>) -> Plan {
    let pairs: Vec<(String, i32, String)> =
        world.unsolved[range].iter().map(|(t, c)| (world.teams[*t].1.clone(), *c, world.answers[c].clone())).collect();
    let next = AtomicUsize::new(0);
    Arc::new(move |_, _| {
        let (token, challenge, answer) = pairs.get(next.fetch_add(1, Ordering::Relaxed))?;
        Some(Req { bytes: attempt(token, *challenge, answer), expect: b"\"correct\"" })
    })
}

/// A contest day: 90% reads (the scoreboard's feed and page, the board as a team) and 10% answers (three
/// wrong for each right one while unsolved pairs last).
pub fn mixed_day(world: &World, right: Plan) -> Plan {
    let feed = get("/contests/bench/api/v1/scoreboard", &[GZIP]);
    let page = get("/contests/bench/scoreboard", &[GZIP]);
    let board = team_board(world);
    let wrong = wrong_answers(world);
    Arc::new(move |client, seq| {
        let pick = (client as u64 * 7 + seq) % 40;
        match pick {
            0..=11 => feed(client, seq),
            12..=17 => page(client, seq),
            18..=35 => board(client, seq),
            36..=38 => wrong(client, seq),
            _ => right(client, seq).or_else(|| wrong(client, seq)),
        }
    })
}

/// `GET /api/v1/challenges` with a team's token, as Python `requests` sends it (gzip accepted).
pub fn team_board(world: &World) -> Plan {
    as_teams(world, "/contests/bench/api/v1/challenges", b"\"success\":true")
}

/// `GET /api/v1/scoreboard` with a team's token, as Python `requests` sends it (gzip accepted; the answer is
/// compressed, so only its status is checked).
pub fn team_scoreboard(world: &World) -> Plan {
    as_teams(world, "/contests/bench/api/v1/scoreboard", b"")
}

/// `GET path` with `Authorization: Token` and `Accept-Encoding: gzip`, each request with the token of another
/// team in turn, over all the world's teams: each client starts at a team of its own and takes the next one
/// for each request.
fn as_teams(world: &World, path: &str, expect: &'static [u8]) -> Plan {
    let reqs: Vec<Vec<u8>> = world
        .teams
        .iter()
        .map(|(_, token)| {
            let auth = format!("Token {token}");
            request("GET", path, &[("Authorization", &auth), GZIP], b"")
        })
        .collect();
    Arc::new(move |client, seq| {
        let team = (client * 31 + seq as usize) % reqs.len();
        Some(Req { bytes: reqs[team].clone(), expect })
    })
}

/// Uploads of a 100,000-row prediction file, one at a time, each from another team.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Uploads {
    pub rows: usize,
    pub bytes: usize,
    pub uploads: usize,
    pub errors: usize,
    /// The first upload, which reads the sealed table into memory.
    pub first_ms: f64,
    pub p50_ms: f64,
    pub max_ms: f64,
    pub server_cpu: f64,
    pub server_peak_rss_mib: f64,
    /// The baseline: the same file sent to a challenge that takes flags, read whole and refused (400).
    pub transfer_p50_ms: f64,
}

pub async fn classification(world: &World, server: &Server, uploads: usize) -> Uploads {
    let body = crate::world::classify_predictions();
    server.reset_peak();
    let cpu_before = server.cpu();
    let started = Instant::now();
    let (mut times, mut errors) = (Vec::new(), 0);
    let path = format!("/contests/bench/api/v1/challenges/{}/predictions", world.classify);
    for (token_of, _) in (0..uploads).map(|i| (&world.teams[i % world.teams.len()].1, i)) {
        let auth = format!("Token {token_of}");
        let req = request("POST", &path, &[("Authorization", &auth), ("Content-Type", "text/csv")], &body);
        let mut conn = Conn::new(server.addr);
        let t = Instant::now();
        match conn.send(&req).await {
            Ok(res) if res.status == 200 && res.contains(b"\"success\":true") => times.push(t.elapsed()),
            Ok(res) => {
                errors += 1;
                eprintln!(
                    "  upload refused: {} {}",
                    res.status,
                    String::from_utf8_lossy(&res.body[..res.body.len().min(300)])
                );
            }
            Err(e) => {
                errors += 1;
                eprintln!("  upload failed: {e}");
            }
        }
    }
    let wall = started.elapsed();
    let (cpu_after, peak) = (server.cpu(), server.peak_rss_mib());
    let flag_challenge = world.answers.keys().min().copied().unwrap_or(1);
    let refused_path = format!("/contests/bench/api/v1/challenges/{flag_challenge}/predictions");
    let mut transfers = Vec::new();
    for i in 0..uploads {
        let auth = format!("Token {}", world.teams[i % world.teams.len()].1);
        let req = request("POST", &refused_path, &[("Authorization", &auth), ("Content-Type", "text/csv")], &body);
        let mut conn = Conn::new(server.addr);
        let t = Instant::now();
        if let Ok(res) = conn.send(&req).await
            && res.status == 400
        {
            transfers.push(t.elapsed());
        }
    }
    transfers.sort();
    let first_ms = times.first().map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    times.sort();
    let stats = Uploads {
        rows: crate::world::CLASSIFY_ROWS,
        bytes: body.len(),
        uploads,
        errors,
        first_ms,
        p50_ms: percentile(&times, 0.5),
        max_ms: percentile(&times, 1.0),
        server_cpu: (cpu_after - cpu_before).as_secs_f64() / wall.as_secs_f64(),
        server_peak_rss_mib: peak,
        transfer_p50_ms: percentile(&transfers, 0.5),
    };
    println!(
        "  classification: {} uploads of {} rows ({:.1} MiB): first {:.0} ms, p50 {:.0} ms, max {:.0} ms, {} errors; the same file read and refused: p50 {:.0} ms",
        stats.uploads,
        stats.rows,
        stats.bytes as f64 / 1048576.0,
        stats.first_ms,
        stats.p50_ms,
        stats.max_ms,
        stats.errors,
        stats.transfer_p50_ms
    );
    stats
}
