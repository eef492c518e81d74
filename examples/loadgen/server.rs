//! The server under test, in a process of its own (this same program started with `serve`, which runs
//! the real command line), so that its CPU time and memory can be read from `/proc` apart from the load
//! generator's.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::{Conn, request};

pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// From the start of the process to the first answer of its `ready` path (for the world: the first
    /// scoreboard served with the whole world loaded).
    pub startup: Duration,
}

impl Server {
    /// Starts `mwscup serve` on a database and data folder and waits until `ready` answers 200.
    pub async fn start(database_url: &str, data_dir: &Path, ready: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let log = std::fs::File::create(data_dir.join("server.log")).unwrap();
        let started = Instant::now();
        let child = Command::new(std::env::current_exe().unwrap())
            .arg("serve")
            .env("MWSCUP_DATABASE_URL", database_url)
            .env("MWSCUP_DATA_DIR", data_dir)
            .env("MWSCUP_BIND", addr.to_string())
            .env("MWSCUP_SECRET_KEY", "a benchmark secret key that is long enough to sign")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let req = request("GET", ready, &[], b"");
        loop {
            let mut conn = Conn::new(addr);
            if let Ok(res) = conn.send(&req).await
                && res.status == 200
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start: see server.log");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Server { startup: started.elapsed(), child, addr }
    }

    fn proc_file(&self, name: &str) -> String {
        std::fs::read_to_string(format!("/proc/{}/{name}", self.child.id())).unwrap_or_default()
    }

    /// CPU time used so far (user + system).
    pub fn cpu(&self) -> Duration {
        let stat = self.proc_file("stat");
        // Fields after the command name (which may hold spaces) start at the state, field 3.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = [11, 12].iter().filter_map(|&i| fields.get(i)?.parse::<u64>().ok()).sum();
        // /proc reports in USER_HZ, which Linux fixes at 100 for user space.
        Duration::from_millis(ticks * 10)
    }

    fn status_kib(&self, key: &str) -> u64 {
        self.proc_file("status")
            .lines()
            .find_map(|l| l.strip_prefix(key)?.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Resident memory now, in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.status_kib("VmRSS:") as f64 / 1024.0
    }

    /// The most resident memory since the last `reset_peak`, in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        self.status_kib("VmHWM:") as f64 / 1024.0
    }

    /// Starts a new peak (Linux: writing 5 to clear_refs resets VmHWM to the current RSS).
    pub fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
