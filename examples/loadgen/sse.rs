//! Open scoreboards hearing of a solve: `clients` SSE connections stay open while right answers arrive one
//! at a time; for each answer, the time from sending it (which includes committing it) to its
//! `scoreboard` event at every client. Measured from the send, not from the answer's response, since
//! the event may leave the server first: this is the larger of the two.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::http::{self, Conn, request};
use crate::scenarios::{Plan, percentile};
use crate::server::Server;

#[derive(Debug, Clone, serde::Serialize)]
pub struct SseStats {
    pub clients: usize,
    pub connected: usize,
    pub solves: usize,
    pub events: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub server_rss_mib: f64,
}

pub async fn run(server: &Server, clients: usize, solves: usize, right: Plan) -> SseStats {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let connected = Arc::new(AtomicUsize::new(0));
    let req = request("GET", "/contests/bench/events", &[], b"");
    let mut handles = Vec::new();
    for _ in 0..clients {
        let (tx, req, connected, addr) = (tx.clone(), req.clone(), connected.clone(), server.addr);
        handles.push(tokio::spawn(async move {
            let mut first = true;
            let _ = http::stream(addr, &req, |piece| {
                if first {
                    connected.fetch_add(1, Ordering::Relaxed);
                    first = false;
                }
                if piece.windows(17).any(|w| w == b"event: scoreboard") {
                    let _ = tx.send(Instant::now());
                }
            })
            .await;
        }));
    }
    let wait_from = Instant::now();
    while connected.load(Ordering::Relaxed) < clients && wait_from.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connected = connected.load(Ordering::Relaxed);
    let rss = server.rss_mib();
    let mut conn = Conn::new(server.addr);
    let mut latencies = Vec::new();
    let mut sent = 0;
    for seq in 0..solves as u64 * 4 {
        if sent == solves {
            break;
        }
        let Some(answer) = right(0, seq) else { break };
        let sent_at = Instant::now();
        let ok = conn.send(&answer.bytes).await.is_ok_and(|r| r.contains(answer.expect));
        if !ok {
            continue;
        }
        sent += 1;
        for _ in 0..connected {
            match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                Ok(Some(at)) => latencies.push(at.saturating_duration_since(sent_at)),
                _ => break,
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        while rx.try_recv().is_ok() {}
    }
    for h in handles {
        h.abort();
    }
    latencies.sort();
    let stats = SseStats {
        clients,
        connected,
        solves: sent,
        events: latencies.len(),
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        server_rss_mib: rss,
    };
    println!(
        "  SSE: {connected}/{clients} connected, {sent} solves, {} events: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; server RSS {rss:.1} MiB",
        stats.events, stats.p50_ms, stats.p99_ms, stats.max_ms
    );
    stats
}
