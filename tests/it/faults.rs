//! Faults: the server killed with SIGKILL while teams submit answers. After a restart, every answer that
//! was answered `correct` is a solve, every solve has its attempt, and the standings equal a recomputation
//! from the database.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mwscup::domain::names::{TeamName, Username};
use mwscup::domain::role::Role;
use mwscup::store;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::TestApp;

both!(a_killed_server_loses_no_accepted_answer, a_storage_failure_keeps_nothing, a_lost_database_answers_503);

/// PostgreSQL restarts while teams answer: meanwhile every answer is a 503 with a message (never a 500, never
/// a verdict that was not kept), `/healthz` answers 503 within a second, and service resumes without
/// restarting mwscup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_mid_load() {
    let Some(pg) = crate::private_pg::PrivatePostgres::start() else { return };
    let app = pg.app().await;
    load(&app, Source::valid()).await;
    // Limits raised for the run: the wrong answers here are load, not guessing.
    entity::contests::Entity::update_many()
        .col_expr(entity::contests::Column::WrongAnswersPerMinute, sea_orm::sea_query::Expr::value(10_000))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    let user = app.user("steady", Role::Participant).await;
    let contest = store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let name = TeamName::parse("Steady").unwrap();
    let team = store::teams::create(
        &app.db,
        store::teams::NewTeam { contest_id: contest.id, name: &name, affiliation: None, captain_id: Some(user.id) },
    )
    .await
    .unwrap();
    let token = app.token_for(&user).await;
    let alpha = store::challenges::of_contest(&app.db, contest.id)
        .await
        .unwrap()
        .into_iter()
        .find(|v| v.challenge.slug == "alpha")
        .unwrap()
        .challenge
        .id;
    let attempt = |answer: &'static str| {
        reqwest::Client::new()
            .post(app.url("/api/v1/challenges/attempt"))
            .header("Authorization", format!("Token {token}"))
            .header("Accept-Language", "en")
            .json(&json!({"challenge_id": alpha, "submission": answer}))
            .send()
    };

    // 10 clients answer wrongly, without pause, across the outage.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..10)
        .map(|_| {
            let stop = stop.clone();
            let (url, token) = (app.url("/api/v1/challenges/attempt"), token.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut seen = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let res = client
                        .post(&url)
                        .header("Authorization", format!("Token {token}"))
                        .header("Accept-Language", "en")
                        .json(&json!({"challenge_id": alpha, "submission": "wrong"}))
                        .send()
                        .await
                        .unwrap();
                    let status = res.status().as_u16();
                    let body = res.text().await.unwrap();
                    seen.push((status, body));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                seen
            })
        })
        .collect();
    // Meanwhile a load balancer's health check asks every 100 ms, and must have its answer within a second.
    let health = {
        let (stop, url) = (stop.clone(), app.url("/healthz"));
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut seen = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let asked = std::time::Instant::now();
                let res = client.get(&url).timeout(Duration::from_secs(5)).send().await.unwrap();
                let status = res.status().as_u16();
                let body = res.text().await.unwrap();
                seen.push((asked.elapsed(), status, body));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            seen
        })
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    pg.down();
    tokio::time::sleep(Duration::from_secs(2)).await;
    pg.up();
    // Service resumes by itself: the pool reconnects.
    let resumed = std::time::Instant::now();
    loop {
        let res = attempt("still wrong").await.unwrap();
        if res.status() == reqwest::StatusCode::OK {
            break;
        }
        assert!(resumed.elapsed() < Duration::from_secs(20), "service did not resume: {}", res.status());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut seen = Vec::new();
    for c in clients {
        seen.extend(c.await.unwrap());
    }
    let checks = health.await.unwrap();
    assert!(checks.iter().any(|(_, s, _)| *s == 503), "the health check saw the outage: {checks:?}");
    assert_eq!(checks.last().map(|(_, s, _)| *s), Some(200), "and the recovery: {checks:?}");
    for (took, status, body) in &checks {
        assert!(*status == 200 || *status == 503, "{status}: {body}");
        assert!(*took < Duration::from_secs(1), "/healthz took {took:?} ({status} {body})");
    }
    let unavailable: Vec<_> = seen.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!unavailable.is_empty(), "the outage was seen");
    for (status, body) in &seen {
        assert!(*status == 200 || *status == 503, "{status}: {body}");
        if *status == 503 {
            assert!(body.contains("database cannot be reached"), "{body}");
        } else {
            assert!(body.contains("\"incorrect\""), "{body}");
        }
    }
    // Every verdict given was kept: the wrong answers answered 200 are all in the database.
    let answered = seen.iter().filter(|(s, _)| *s == 200).count();
    let kept = entity::submissions::Entity::find().all(&app.db).await.unwrap();
    assert!(kept.len() > answered, "{} kept, {answered} answered by the clients (plus the probes)", kept.len());
    // And a right answer after the restart is a solve on the scoreboard.
    let res = attempt("mimikatz").await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["status"], "correct", "{body}");
    let board: Value = reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap();
    assert_eq!(board["standings"][0]["team"], "Steady", "{board}");
    assert_eq!(board["standings"][0]["team_id"], team.id, "{board}");
}

/// PostgreSQL hangs (its processes stopped, connections open): `/healthz` still answers 503 within a second,
/// every time, and 200 again once the database answers, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_database_still_gets_a_health_answer() {
    let Some(pg) = crate::private_pg::PrivatePostgres::start() else { return };
    let app = pg.app().await;
    let health = || async {
        let asked = std::time::Instant::now();
        let res =
            reqwest::Client::new().get(app.url("/healthz")).timeout(Duration::from_secs(10)).send().await.unwrap();
        let status = res.status();
        (asked.elapsed(), status, res.text().await.unwrap())
    };
    assert_eq!(health().await.1, reqwest::StatusCode::OK);
    pg.freeze();
    for _ in 0..3 {
        let (took, status, body) = health().await;
        assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.starts_with("database unavailable"), "{body}");
        assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
    }
    pg.thaw();
    let thawed = std::time::Instant::now();
    loop {
        let (took, status, body) = health().await;
        assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
        if status == reqwest::StatusCode::OK {
            break;
        }
        assert!(thawed.elapsed() < Duration::from_secs(10), "no recovery: {status} {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn serve(app: &TestApp) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mwscup"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("MWSCUP_DATA_DIR", app.fixture.data_dir())
        .env("MWSCUP_DATABASE_URL", &app.fixture.url)
        .env("MWSCUP_SECRET_KEY", "a fault test secret key that is long enough to sign")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("the server starts").unwrap();
        if let Some(rest) = line.strip_prefix("mwscup is serving on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    (child, address)
}

async fn a_killed_server_loses_no_accepted_answer(app: TestApp) {
    load(&app, Source::valid()).await;
    let contest = store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let hash = mwscup::domain::password::hash("fault-password");
    let mut tokens = Vec::new();
    for i in 0..10 {
        let name = Username::parse(&format!("f{i}")).unwrap();
        let user = store::users::create(
            &app.db,
            store::users::NewUser {
                username: &name,
                email: None,
                password_hash: hash.clone(),
                role: Role::Participant,
            },
        )
        .await
        .unwrap();
        let team_name = TeamName::parse(&format!("Fault {i}")).unwrap();
        store::teams::create(
            &app.db,
            store::teams::NewTeam {
                contest_id: contest.id,
                name: &team_name,
                affiliation: None,
                captain_id: Some(user.id),
            },
        )
        .await
        .unwrap();
        tokens.push(store::tokens::create(&app.db, user.id, "fault").await.unwrap().token);
    }
    let ids: Vec<(String, i32)> = store::challenges::of_contest(&app.db, contest.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.challenge.slug, v.challenge.id))
        .collect();
    let id = |slug: &str| ids.iter().find(|(s, _)| s == slug).unwrap().1;
    let (alpha, beta) = (id("alpha"), id("beta"));

    let (mut server, address) = serve(&app);
    // 50 clients: five per team, each answering alpha then beta, with wrong answers between.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let taken = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|k| {
            let (client, address, token) = (client.clone(), address.clone(), tokens[k % tokens.len()].clone());
            let taken = taken.clone();
            tokio::spawn(async move {
                let mut accepted = Vec::new();
                for round in 0..20 {
                    let (challenge, answer) = match round % 4 {
                        0 => (alpha, "Mimikatz".to_owned()),
                        1 => (beta, "C:\\Temp\\qpkz.exe".to_owned()),
                        _ => (alpha, format!("wrong {k} {round}")),
                    };
                    let sent = client
                        .post(format!("{address}/api/v1/challenges/attempt"))
                        .header("Authorization", format!("Token {token}"))
                        .json(&json!({"challenge_id": challenge, "submission": answer}))
                        .send()
                        .await;
                    let Ok(res) = sent else { break };
                    let Ok(body) = res.json::<Value>().await else { break };
                    if body["data"]["status"] == "correct" {
                        accepted.push((token.clone(), challenge));
                        taken.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                accepted
            })
        })
        .collect();
    // Kill while answers are being taken: once a few were accepted, others are in flight.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while taken.load(std::sync::atomic::Ordering::SeqCst) < 6 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // SIGKILL: no chance to finish anything.
    server.kill().unwrap();
    server.wait().unwrap();
    let mut accepted = Vec::new();
    for t in tasks {
        accepted.extend(t.await.unwrap());
    }

    let (mut restarted, address) = serve(&app);
    let solves = entity::solves::Entity::find().all(&app.db).await.unwrap();
    let submissions = entity::submissions::Entity::find().all(&app.db).await.unwrap();
    let solved: HashSet<(i32, i32)> = solves.iter().map(|s| (s.team_id, s.challenge_id)).collect();
    for (token, challenge) in &accepted {
        let digest = mwscup::domain::secret::token_digest(token);
        let (_, user) = store::tokens::find(&app.db, &digest).await.unwrap().unwrap();
        let team = store::teams::of_user(&app.db, contest.id, user.id).await.unwrap().unwrap();
        assert!(solved.contains(&(team.id, *challenge)), "an answer told `correct` has no solve after the crash");
    }
    for s in &solves {
        let attempt = submissions.iter().find(|x| x.id == s.submission_id).expect("every solve has its attempt");
        assert_eq!(attempt.outcome, "correct");
        assert_eq!((attempt.team_id, attempt.challenge_id), (s.team_id, s.challenge_id));
    }
    // The restarted server's standings are a recomputation from the database.
    let served: Value =
        reqwest::get(format!("{address}/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mwscup"))
        .args(["export", "--contest", "cup", "--format", "json"])
        .env("MWSCUP_DATA_DIR", app.fixture.data_dir())
        .env("MWSCUP_DATABASE_URL", &app.fixture.url)
        .output()
        .unwrap();
    let recomputed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(served["standings"], recomputed["standings"]);
    assert!(!solves.is_empty(), "some answers were taken before the kill");
    eprintln!(
        "{} answers accepted, {} solves, {} attempts recorded before the kill",
        accepted.len(),
        solves.len(),
        submissions.len()
    );
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}

/// The files folder cannot be written during an upload: a clear 503, and nothing is half-kept.
async fn a_storage_failure_keeps_nothing(app: TestApp) {
    let mut alice = crate::archive::ended_cup(&app).await;
    let files = app.fixture.data_dir().join("files");
    let moved = app.fixture.data_dir().join("files.moved");
    std::fs::rename(&files, &moved).unwrap();
    // A plain file where the folder should be: every write below it fails, even for root.
    std::fs::write(&files, b"not a folder").unwrap();
    let page = alice.get("/archive/cup/upload").await;
    let csrf = crate::helpers::csrf_of(&page.body).unwrap();
    let res = alice
        .client
        .post(app.url("/archive/cup/upload"))
        .multipart(crate::archive::form(&csrf, "public", vec![("notes.txt", b"our notes".to_vec())]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text().await.unwrap().contains("could not store the files. Nothing was kept"));
    assert_eq!(entity::archive_items::Entity::find().all(&app.db).await.unwrap().len(), 0);
    let leftovers = std::fs::read_dir(app.fixture.data_dir().join("tmp")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "no temporary file is left behind");
    std::fs::remove_file(&files).unwrap();
    std::fs::rename(&moved, &files).unwrap();
}

/// The database goes away: pages and the API answer 503 with a message and Retry-After, never a 500.
async fn a_lost_database_answers_503(app: TestApp) {
    load(&app, Source::valid()).await;
    let organizer = app.user("chief", Role::Organizer).await;
    let token = app.token_for(&organizer).await;
    app.db.clone().close().await.unwrap();
    let res =
        reqwest::Client::new().get(app.url("/contests/cup")).header("Accept-Language", "en").send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("The database cannot be reached for the moment"));
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/users/me"))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], false);
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
}
