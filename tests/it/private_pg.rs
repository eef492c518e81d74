//! A PostgreSQL server of the test's own, which the test may stop and start (the shared one of
//! `MWSCUP_TEST_POSTGRES_URL` must stay up for the other tests). Debian's binaries; as root, run as the
//! `postgres` user, since PostgreSQL refuses to run as root.

use std::path::PathBuf;
use std::process::Command;

pub struct PrivatePostgres {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    /// Whether a commit is flushed to disk before it is acknowledged (`fsync` and `synchronous_commit` on);
    /// otherwise `fsync=off`, for speed, as CI's shared server runs.
    durable: bool,
}

fn bin_dir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl PrivatePostgres {
    /// `None` (the test is skipped) when PostgreSQL is not installed, except under CI, where that fails.
    pub fn start() -> Option<PrivatePostgres> {
        Self::start_as(false)
    }

    /// A server as production runs one: `fsync=on` and `synchronous_commit=on`, so that a commit is on disk
    /// when acknowledged.
    pub fn start_durable() -> Option<PrivatePostgres> {
        Self::start_as(true)
    }

    fn start_as(durable: bool) -> Option<PrivatePostgres> {
        let Some(bin) = bin_dir() else {
            crate::helpers::skip(crate::helpers::Half::PrivatePostgres, "PostgreSQL is not installed");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let ok = Command::new("chown").args(["postgres:postgres"]).arg(dir.path()).status().unwrap();
            assert!(ok.success(), "chown the private cluster's folder");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let pg = PrivatePostgres { bin, dir, port, durable };
        pg.run(&format!(
            "'{}' -D '{}' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8",
            pg.bin.join("initdb").display(),
            pg.data().display()
        ));
        pg.up();
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A server on this PostgreSQL. A request that cannot get a connection gives up after a second, as in
    /// production (3 s) it gives up before a load balancer does: an outage is then seen as 503s however
    /// loaded the machine is.
    pub async fn app(&self) -> crate::helpers::TestApp {
        let fixture = crate::helpers::Fixture {
            url: self.url(),
            dir: tempfile::tempdir().unwrap(),
            backend: crate::helpers::Backend::Postgres,
        };
        crate::helpers::start_with(fixture, |s| s.db_acquire_timeout = std::time::Duration::from_secs(1)).await
    }

    fn run(&self, command: &str) {
        assert!(self.try_run(command), "{command}");
    }

    fn try_run(&self, command: &str) -> bool {
        let status = if is_root() {
            Command::new("su").args(["postgres", "-s", "/bin/sh", "-c", command]).status()
        } else {
            Command::new("sh").args(["-c", command]).status()
        };
        status.is_ok_and(|s| s.success())
    }

    fn pg_ctl(&self, action: &str) -> bool {
        let log = self.dir.path().join("log");
        let flush = if self.durable { "-c fsync=on -c synchronous_commit=on" } else { "-c fsync=off" };
        let options =
            format!("-p {} -k '{}' -c listen_addresses=127.0.0.1 {flush}", self.port, self.dir.path().display());
        self.try_run(&format!(
            "'{}' -D '{}' -l '{}' -w -m fast -o \"{options}\" {action} >/dev/null",
            self.bin.join("pg_ctl").display(),
            self.data().display(),
            log.display()
        ))
    }

    pub fn up(&self) {
        if !self.pg_ctl("start") {
            panic!("the private PostgreSQL does not start; its log:\n{}", self.log());
        }
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    pub fn down(&self) {
        assert!(self.pg_ctl("stop"), "the private PostgreSQL stops");
    }

    /// Stops every process of the server with SIGSTOP: connections stay open and nothing answers, as when
    /// its machine hangs. `thaw` resumes them.
    pub fn freeze(&self) {
        self.signal("STOP");
    }

    /// Kills every process of the server with SIGKILL, as a crash would: no checkpoint, no shutdown; the next
    /// `up` recovers from the write-ahead log.
    pub fn crash(&self) {
        let pids = self.signal("KILL");
        // Gone, or a zombie that its new parent did not reap yet (state `Z` after the command's parenthesis).
        let alive = |pid: &String| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while pids.iter().any(alive) {
            assert!(std::time::Instant::now() < deadline, "a killed process of PostgreSQL is still there: {pids:?}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // A zombie still answers `kill -0`, which `pg_ctl start` would take for a server still running.
        std::fs::remove_file(self.data().join("postmaster.pid")).unwrap();
        std::fs::remove_file(self.dir.path().join(format!(".s.PGSQL.{}.lock", self.port))).unwrap();
    }

    pub fn thaw(&self) {
        self.signal("CONT");
    }

    /// Signals the postmaster and its children; the processes signalled.
    fn signal(&self, signal: &str) -> Vec<String> {
        // None when the server is not running (stopped, or crashed and not started again).
        let Ok(pid) = std::fs::read_to_string(self.data().join("postmaster.pid")) else { return Vec::new() };
        let pid = pid.lines().next().unwrap().trim().to_owned();
        let mut pids = vec![pid.clone()];
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            // pid (comm) state ppid …: the parent is the second field after the command's closing parenthesis.
            let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1));
            if ppid == Some(pid.as_str()) {
                pids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        // The postmaster must take the signal; a backend may have ended since it was listed.
        let ok = Command::new("kill").arg(format!("-{signal}")).arg(&pid).status().unwrap();
        assert!(ok.success(), "kill -{signal} {pid}");
        for child in &pids[1..] {
            let _ =
                Command::new("kill").arg(format!("-{signal}")).arg(child).stderr(std::process::Stdio::null()).status();
        }
        pids
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        // A frozen server could not stop; already stopped is fine.
        self.signal("CONT");
        self.pg_ctl("stop");
    }
}
