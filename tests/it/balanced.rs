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
use crate::helpers::{Backend, Browser, Fixture, PASSWORD, PROMPTLY, TestApp, csrf_of, start_with};

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
            crate::helpers::skip(crate::helpers::Half::Nginx, "nginx is not installed: apt-get install nginx");
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
               proxy_buffering off;\n   add_header X-Upstream $upstream_addr always;\n  }}\n }}\n}}\n"
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

    /// Asserts that each instance answered at least one request whose line in the access log has `part`.
    fn assert_both_served(&self, instances: [&TestApp; 2], part: &str) {
        let log = self.access_log();
        for instance in instances {
            let upstream = instance.address.trim_start_matches("http://");
            assert!(log.lines().any(|l| l.contains(upstream) && l.contains(part)), "{upstream} served {part}:\n{log}");
        }
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
    let file = &one["data"]["file_objects"][0];
    let (path, sha) = (file["url"].as_str().unwrap().to_owned(), file["sha256"].as_str().unwrap().to_owned());
    for _ in 0..4 {
        let res = client.get(nginx.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let bytes = res.bytes().await.unwrap();
        use sha2::Digest;
        assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), sha, "the file arrives intact");
    }
    nginx.assert_both_served([&a, &b], "/files/");

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
    nginx.assert_both_served([&a, &b], "attempt");
}

/// The client's own address, distinct from nginx's 127.0.0.1.
const CLIENT: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));

/// The contest of `source` made to run now: every time in its TOML files moved by as much as makes the
/// contest's start half an hour ago.
fn running_now(source: &Source) {
    let start = chrono::DateTime::parse_from_rfc3339("2026-10-20T09:00:00+09:00").unwrap();
    let shift = chrono::Utc::now() - chrono::Duration::minutes(30) - start.with_timezone(&chrono::Utc);
    let re = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00").unwrap();
    let mut folders = vec![source.dir()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let moved = re.replace_all(&text, |c: &regex::Captures| {
                    let at = chrono::DateTime::parse_from_rfc3339(&c[0]).unwrap() + shift;
                    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                });
                std::fs::write(&path, moved.as_ref()).unwrap();
            }
        }
    }
}

/// Waits until `path` answers 200 through nginx several times in a row (both instances know of it).
async fn until_served(client: &reqwest::Client, nginx: &Nginx, path: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut in_a_row = 0;
    while in_a_row < 4 {
        let status = client.get(nginx.url(path)).send().await.unwrap().status();
        in_a_row = if status == StatusCode::OK { in_a_row + 1 } else { 0 };
        assert!(std::time::Instant::now() < deadline, "{path} not served by both instances: {status}");
    }
}

/// The live event stream of `cup` through nginx, opened until one is held by each instance; with the
/// instance (its address) that holds each.
async fn a_stream_on_each(nginx: &Nginx) -> Vec<(String, reqwest::Response)> {
    let mut held: Vec<(String, reqwest::Response)> = Vec::new();
    for _ in 0..8 {
        let res = reqwest::Client::builder()
            .local_address(CLIENT)
            .build()
            .unwrap()
            .get(nginx.url("/contests/cup/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let upstream = res.headers()["x-upstream"].to_str().unwrap().to_owned();
        if !held.iter().any(|(u, _)| *u == upstream) {
            held.push((upstream, res));
        }
        if held.len() == 2 {
            return held;
        }
    }
    panic!("nginx did not spread the streams over both instances");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_nginx_what_one_process_stores_or_announces_every_instance_serves() {
    let Some(fixture) = Fixture::new(Backend::Postgres).await else { return };
    let url = fixture.url.clone();
    let elsewhere = || Fixture { url: url.clone(), dir: tempfile::tempdir().unwrap(), backend: Backend::Postgres };
    let a = start_with(fixture, behind_nginx).await;
    let b = start_with(elsewhere(), behind_nginx).await;
    let Some(nginx) = Nginx::start(&[&a, &b]) else { return };

    // A third process, on a machine of its own (its own data folder), syncs the contest: attachments and the
    // sealed table go into the shared store, and the running instances follow at once.
    let source = crate::classification::source_with_classification("");
    running_now(&source);
    let third = elsewhere();
    let out = crate::cli::mwscup(&third)
        .env("MWSCUP_BLOB_STORE", "database")
        .args(["challenges", "sync", source.dir().to_str().unwrap()])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && said.contains("contest cup: created"), "{said}");
    assert!(!third.data_dir().join("files").exists(), "nothing was kept on the third machine");
    let anyone = reqwest::Client::builder().local_address(CLIENT).build().unwrap();
    until_served(&anyone, &nginx, "/contests/cup").await;

    // A player, entirely through nginx.
    let base = nginx.url("");
    let mut alice = Browser::at(&base, "en", Some(CLIENT));
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    alice.post("/datasets/ffri/agree", &[]).await.assert_contains("You agreed to the terms");

    // The attachment the third process stored downloads intact through both instances.
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&content))
    };
    for _ in 0..4 {
        let res = alice.client.get(nginx.url(&format!("/files/{sha}/sysmon.txt"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), content.as_slice(), "the file arrives intact");
    }
    nginx.assert_both_served([&a, &b], "/files/");

    // Prediction files, scored by both instances against the sealed table the third process stored; the
    // daily limit (3) counts the uploads of both.
    let token = a.token_named("alice").await;
    let omega = crate::classification::omega_id(&a, &token).await;
    let mut statuses = Vec::new();
    for malware in [&["a"][..], &["a", "b"], &["a", "b", "e"], &["e"]] {
        let res = alice
            .client
            .post(nginx.url(&format!("/api/v1/challenges/{omega}/predictions")))
            .header("Authorization", format!("Token {token}"))
            .header("Content-Type", "text/csv")
            .body(crate::classification::predictions(malware))
            .send()
            .await
            .unwrap();
        statuses.push(res.status());
        let body: serde_json::Value = res.json().await.unwrap();
        if statuses.len() <= 3 {
            assert_eq!(body["success"], true, "{body}");
        }
    }
    assert_eq!(statuses, [StatusCode::OK, StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
    nginx.assert_both_served([&a, &b], "/predictions");
    let kept = entity::predictions::Entity::find().all(&a.db).await.unwrap();
    assert_eq!(kept.len(), 3);
    for p in &kept {
        assert_eq!(b.blobs.read_to_bytes(&p.sha256).await.unwrap().map(|v| v.is_empty()), Some(false));
    }

    // An announcement posted through nginx reaches a live client of each instance within a second.
    let streams = a_stream_on_each(&nginx).await;
    a.user("chief", Role::Organizer).await;
    let mut chief = Browser::at(&base, "en", Some(CLIENT));
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console").await;
    let mut waiting = Vec::new();
    for (upstream, res) in streams {
        let events = crate::helpers::Events::connected(res).await;
        waiting.push(tokio::spawn(async move { (upstream, events.wait_for("notification", PROMPTLY).await) }));
    }
    let posted = std::time::Instant::now();
    chief.post("/contests/cup/console/announcements", &[("title", "お知らせ"), ("body", "x")]).await;
    for waiting in waiting {
        let (upstream, heard) = waiting.await.unwrap();
        assert!(heard.is_some(), "the live client on {upstream} heard the announcement");
    }
    assert!(posted.elapsed() < PROMPTLY, "{:?}", posted.elapsed());

    // After the day, the team's slides and script go into the archive through one instance; the item page
    // (with its text shown inline) and the files are read through both.
    a.end_contests(chrono::Duration::minutes(1), true).await;
    b.reload().await;
    let page = alice.get("/archive/cup/upload").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = alice.csrf().unwrap().to_owned();
    let script = b"print('the DFIR answers')\n".to_vec();
    let form = crate::archive::form(
        &csrf,
        "public",
        vec![("slides.pdf", b"%PDF-1.7\n%...".to_vec()), ("solve.py", script.clone())],
    );
    let res = alice.client.post(nginx.url("/archive/cup/upload")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let item = res.url().path().to_owned();
    assert!(item.starts_with("/archive/items/"), "{item}");
    let file_link = regex::Regex::new(r#"href="(/archive/files/\d+/solve.py)""#).unwrap();
    let mut link = None;
    for _ in 0..4 {
        let page = alice.get(&item).await;
        page.assert_contains("slides.pdf").assert_contains("<pre class=\"source\">print(");
        link = file_link.captures(&page.body).map(|c| c[1].to_owned());
    }
    let link = link.expect("a link to the script");
    for _ in 0..4 {
        let res = alice.client.get(nginx.url(&link)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().as_ref(), script.as_slice());
    }
    nginx.assert_both_served([&a, &b], "/archive/items/");
    nginx.assert_both_served([&a, &b], "/archive/files/");
}
