//! Two instances with separate data folders on one PostgreSQL, behind a real nginx (Debian's package), driven
//! through nginx by a client on its own address (127.0.0.2): files stored once are served by both, a limit
//! holds across them, and the address recorded is the client's, not nginx's.

use std::process::{Child, Command};

use entity::submissions;
use mwscup::domain::role::Role;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::authoring::Source;
use crate::files::load;
use crate::helpers::{Backend, Fixture, PASSWORD, TestApp, csrf_of, start_with};

/// nginx in front of the instances, on a port of its own; stopped when dropped.
struct Nginx {
    binary: &'static str,
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Nginx {
    fn start(upstreams: &[&TestApp]) -> Option<Nginx> {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| std::path::Path::new(p).exists());
        let Some(binary) = binary else {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but nginx is not installed");
            eprintln!("skipped: nginx is not installed (apt-get install nginx)");
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let servers: String =
            upstreams.iter().map(|a| format!("server {};\n", a.address.trim_start_matches("http://"))).collect();
        let d = dir.path().display();
        let conf = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 512; }}\n\
             http {{\n log_format up '$remote_addr $upstream_addr $status $request';\n access_log {d}/access.log up;\n\
             client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;\n\
             uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n upstream mwscup {{\n{servers} }}\n\
             server {{\n  listen 127.0.0.1:{port};\n  client_max_body_size 1100m;\n  location / {{\n\
               proxy_pass http://mwscup; proxy_http_version 1.1; proxy_set_header Host $host;\n\
               proxy_set_header Connection \"\"; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
               proxy_buffering off;\n  }}\n }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        let child = Command::new(binary)
            .args(["-c", &dir.path().join("nginx.conf").display().to_string(), "-g", "daemon off;"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "nginx did not listen");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(Nginx { binary, child, port, dir })
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    /// `-s stop` ends the workers with the master (a killed master would leave them running).
    fn drop(&mut self) {
        let conf = self.dir.path().join("nginx.conf").display().to_string();
        let stopped = Command::new(self.binary)
            .args(["-c", &conf, "-s", "stop"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

fn behind_nginx(settings: &mut mwscup::config::Settings) {
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    settings.blob_store = mwscup::config::BlobBackend::Database;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_behind_nginx_share_files_limits_and_the_clients_address() {
    let Some(fixture) = Fixture::new(Backend::Postgres).await else { return };
    let url = fixture.url.clone();
    let a = start_with(fixture, behind_nginx).await;
    let b =
        start_with(Fixture { url, dir: tempfile::tempdir().unwrap(), backend: Backend::Postgres }, behind_nginx).await;
    let Some(nginx) = Nginx::start(&[&a, &b]) else { return };
    load(&a, Source::valid()).await;
    b.reload().await;

    // A player with a team and the dataset's agreement, on an address of its own.
    let user = a.user("remote", Role::Participant).await;
    let contest = mwscup::store::contests::by_slug(&a.db, "cup").await.unwrap().unwrap();
    let name = mwscup::domain::names::TeamName::parse("Far away").unwrap();
    let new = mwscup::store::teams::NewTeam {
        contest_id: contest.id,
        name: &name,
        affiliation: None,
        captain_id: Some(user.id),
    };
    mwscup::store::teams::create(&a.db, new).await.unwrap();
    let ffri = mwscup::store::datasets::by_key(&a.db, "ffri").await.unwrap().unwrap();
    mwscup::store::datasets::agree(&a.db, user.id, &ffri, None).await.unwrap();
    a.reload().await;
    b.reload().await;
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client.get(nginx.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&login).expect("the login form");
    let res = client
        .post(nginx.url("/login"))
        .form(&[("username", "remote"), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "logged in through nginx");

    // The attachment stored once (in the database) downloads intact through both instances.
    let token = a.token_for(&user).await;
    let challenges = client
        .get(nginx.url("/api/v1/challenges"))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let alpha = challenges["data"].as_array().unwrap().iter().find(|c| c["name"] == "問題 alpha").unwrap()["id"]
        .as_i64()
        .unwrap();
    let one = client
        .get(nginx.url(&format!("/api/v1/challenges/{alpha}")))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let file = &one["data"]["files"][0];
    let (path, sha) = (file["url"].as_str().unwrap().to_owned(), file["sha256"].as_str().unwrap().to_owned());
    for _ in 0..4 {
        let res = client.get(nginx.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let bytes = res.bytes().await.unwrap();
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), sha, "the file arrives intact");
    }
    let log = nginx.access_log();
    for instance in [&a, &b] {
        let upstream = instance.address.trim_start_matches("http://");
        assert!(log.lines().any(|l| l.contains(upstream) && l.contains("/files/")), "{upstream} served a file:\n{log}");
    }

    // 15 wrong answers spread over both instances: exactly 10 judged, each recorded with the client's address.
    let mut statuses = Vec::new();
    for i in 0..15 {
        let res = client
            .post(nginx.url("/api/v1/challenges/attempt"))
            .header("Authorization", format!("Token {token}"))
            .json(&json!({"challenge_id": alpha, "submission": format!("wrong {i}")}))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = res.json().await.unwrap();
        statuses.push(body["data"]["status"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(statuses.iter().filter(|s| *s == "incorrect").count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| *s == "ratelimited").count(), 5, "{statuses:?}");
    let rows =
        submissions::Entity::find().filter(submissions::Column::Outcome.eq("incorrect")).all(&a.db).await.unwrap();
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r.ip == "127.0.0.2"), "{:?}", rows.iter().map(|r| &r.ip).collect::<Vec<_>>());
    let log = nginx.access_log();
    for instance in [&a, &b] {
        let upstream = instance.address.trim_start_matches("http://");
        assert!(log.lines().any(|l| l.contains(upstream) && l.contains("attempt")), "{upstream} judged answers");
    }
}
