//! Faults: the server killed with SIGKILL while teams submit answers. After a restart, every answer a client
//! was told of is kept as told (a right one with its solve), every solve has its attempt, and the standings
//! equal a recomputation in the test from the rows. The database crashing, restarting and hanging; storage
//! failing.

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
    let (team, token, alpha) = steady_team(&app).await;
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
    // Every verdict given was kept, one by one: each wrong answer answered 200 is in the database as told.
    let kept = entity::submissions::Entity::find().all(&app.db).await.unwrap();
    let answered: Vec<Value> =
        seen.iter().filter(|(s, _)| *s == 200).map(|(_, body)| serde_json::from_str(body).unwrap()).collect();
    assert!(!answered.is_empty(), "the clients were answered before and after the outage");
    for body in &answered {
        let id = body["data"]["submission_id"].as_str().unwrap_or_else(|| panic!("no submission_id: {body}"));
        let row = kept
            .iter()
            .find(|k| k.submission_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{body} was told but not kept"));
        assert_eq!((row.team_id, row.challenge_id, row.outcome.as_str()), (team.id, alpha, "incorrect"));
    }
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

/// The fixture contest with one team, `Steady`, whose wrong answers are not limited (they are load here, not
/// guessing): the team, its captain's API token and the id of the challenge `alpha`.
async fn steady_team(app: &TestApp) -> (entity::teams::Model, String, i32) {
    load(app, Source::valid()).await;
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
    (team, token, alpha)
}

/// A commit is on disk when it is acknowledged. On a PostgreSQL that flushes each commit (`fsync` and
/// `synchronous_commit` on, as production runs; CI's shared server has `fsync=off` for speed), shown in force on
/// every connection of the server's pool, answers are acknowledged; then every process of the database is
/// killed (no checkpoint, no shutdown) and it recovers from its log. Every acknowledged answer is there with its
/// verdict. (A killed process leaves the operating system's cache behind, so this shows the recovery; the
/// settings shown are what carries a commit through a power cut.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_answers_survive_a_database_crash() {
    let Some(pg) = crate::private_pg::PrivatePostgres::start_durable() else { return };
    let app = pg.app().await;
    let pool = app.db.get_postgres_connection_pool();
    let size = pool.options().get_max_connections() as usize;
    let mut connections = Vec::new();
    for _ in 0..size {
        connections.push(pool.acquire().await.unwrap());
    }
    assert_eq!(pool.size() as usize, size, "every connection of the pool is open and held");
    for conn in &mut connections {
        for (show, value) in [("SHOW fsync", "on"), ("SHOW synchronous_commit", "on"), ("SHOW full_page_writes", "on")]
        {
            let shown: String = sea_orm::sqlx::query_scalar(show).fetch_one(&mut **conn).await.unwrap();
            assert_eq!((show, shown.as_str()), (show, value));
        }
    }
    drop(connections);

    let (team, token, alpha) = steady_team(&app).await;
    let client = reqwest::Client::new();
    let mut told = Vec::new();
    for i in 0..30 {
        let answer = if i == 20 { "mimikatz".to_owned() } else { format!("wrong {i}") };
        let res = client
            .post(app.url("/api/v1/challenges/attempt"))
            .header("Authorization", format!("Token {token}"))
            .json(&json!({"challenge_id": alpha, "submission": answer}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        let status = body["data"]["status"].as_str().unwrap().to_owned();
        let submission_id = body["data"]["submission_id"].as_str().expect("a kept answer has its id").to_owned();
        told.push(Acknowledged { team_id: team.id, challenge_id: alpha, status, submission_id });
    }
    let expected: Vec<&str> = (0..30)
        .map(|i| match i {
            20 => "correct",
            i if i > 20 => "already_solved",
            _ => "incorrect",
        })
        .collect();
    assert_eq!(told.iter().map(|a| a.status.as_str()).collect::<Vec<_>>(), expected);

    pg.crash();
    pg.up();
    let log = pg.log();
    assert!(log.contains("automatic recovery in progress"), "a crash, recovered from the log:\n{log}");
    let recovered = std::time::Instant::now();
    let submissions = loop {
        match entity::submissions::Entity::find().all(&app.db).await {
            Ok(rows) => break rows,
            Err(e) => assert!(recovered.elapsed() < Duration::from_secs(20), "no reconnection: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(submissions.len(), told.len(), "{submissions:?}");
    for answer in &told {
        let row = submissions
            .iter()
            .find(|s| s.submission_id.as_deref() == Some(answer.submission_id.as_str()))
            .unwrap_or_else(|| panic!("{answer:?} was acknowledged but is lost after the crash"));
        assert_eq!(
            (row.team_id, row.challenge_id, row.outcome.as_str()),
            (answer.team_id, answer.challenge_id, answer.status.as_str())
        );
    }
    let solves = entity::solves::Entity::find().all(&app.db).await.unwrap();
    let right = submissions.iter().find(|s| s.outcome == "correct").unwrap();
    assert_eq!(
        solves.iter().map(|s| (s.team_id, s.challenge_id, s.submission_id)).collect::<Vec<_>>(),
        [(team.id, alpha, right.id)]
    );
    // The server goes on without a restart, and its board shows the solve.
    let board: Value = reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap();
    assert_eq!((&board["standings"][0]["team"], &board["standings"][0]["score"]), (&json!("Steady"), &json!(100)));
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

/// An answer as its client was told: the team that sent it, the challenge, the verdict and the id given.
#[derive(Debug, Clone)]
struct Acknowledged {
    team_id: i32,
    challenge_id: i32,
    status: String,
    submission_id: String,
}

async fn a_killed_server_loses_no_accepted_answer(app: TestApp) {
    load(&app, Source::valid()).await;
    let contest = store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let hash = mwscup::domain::password::hash("fault-password");
    let mut players = Vec::new();
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
        let team = store::teams::create(
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
        players.push((team.id, store::tokens::create(&app.db, user.id, "fault").await.unwrap().token));
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
            let (client, address) = (client.clone(), address.clone());
            let (team_id, token) = players[k % players.len()].clone();
            let taken = taken.clone();
            tokio::spawn(async move {
                let mut told = Vec::new();
                for round in 0..20 {
                    let (challenge_id, answer) = match round % 4 {
                        0 => (alpha, "Mimikatz".to_owned()),
                        1 => (beta, "C:\\Temp\\qpkz.exe".to_owned()),
                        _ => (alpha, format!("wrong {k} {round}")),
                    };
                    let sent = client
                        .post(format!("{address}/api/v1/challenges/attempt"))
                        .header("Authorization", format!("Token {token}"))
                        .json(&json!({"challenge_id": challenge_id, "submission": answer}))
                        .send()
                        .await;
                    // The server died: whatever was not answered was never acknowledged.
                    let Ok(res) = sent else { break };
                    let Ok(body) = res.json::<Value>().await else { break };
                    let status = body["data"]["status"].as_str().unwrap_or_default().to_owned();
                    match body["data"]["submission_id"].as_str() {
                        Some(submission_id) => {
                            if status == "correct" {
                                taken.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                            let submission_id = submission_id.to_owned();
                            told.push(Acknowledged { team_id, challenge_id, status, submission_id });
                        }
                        // Only a limit, or beta while alpha is not solved yet, keeps nothing (and has no id).
                        None => assert!(status == "ratelimited" || status == "locked", "{body}"),
                    }
                }
                told
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
    let mut told = Vec::new();
    for t in tasks {
        told.extend(t.await.unwrap());
    }

    let (mut restarted, address) = serve(&app);
    let solves = entity::solves::Entity::find().all(&app.db).await.unwrap();
    let submissions = entity::submissions::Entity::find().all(&app.db).await.unwrap();
    // Every answer a client was told of is kept as it was told: its id, team, challenge and outcome; a right
    // answer with its solve.
    let correct = told.iter().filter(|a| a.status == "correct").count();
    assert!(correct > 0, "some right answers were acknowledged before the kill: {told:?}");
    for answer in &told {
        let row = submissions
            .iter()
            .find(|s| s.submission_id.as_deref() == Some(answer.submission_id.as_str()))
            .unwrap_or_else(|| panic!("{answer:?} was acknowledged but is not kept after the crash"));
        assert_eq!(
            (row.team_id, row.challenge_id, row.outcome.as_str()),
            (answer.team_id, answer.challenge_id, answer.status.as_str()),
            "{answer:?}"
        );
        if answer.status == "correct" {
            let solve = solves.iter().find(|s| s.submission_id == row.id);
            assert_eq!(solve.map(|s| (s.team_id, s.challenge_id)), Some((answer.team_id, answer.challenge_id)));
        }
    }
    // And nothing is half-kept: a solve for each right answer kept, an attempt for each solve.
    assert_eq!(solves.len(), submissions.iter().filter(|s| s.outcome == "correct").count());
    for s in &solves {
        let attempt = submissions.iter().find(|x| x.id == s.submission_id).expect("every solve has its attempt");
        assert_eq!(attempt.outcome, "correct");
        assert_eq!((attempt.team_id, attempt.challenge_id), (s.team_id, s.challenge_id));
    }

    // The restarted server's standings equal a recomputation here from the rows: the challenges score
    // statically, nothing else (hints, adjustments) counts, and ties go to the team that got there first.
    let challenges = entity::challenges::Entity::find().all(&app.db).await.unwrap();
    let points = |challenge_id: i32| {
        let c = challenges.iter().find(|c| c.id == challenge_id).unwrap();
        assert_eq!(c.scoring_function, "static", "{}", c.slug);
        i64::from(c.points)
    };
    assert_eq!(entity::hint_unlocks::Entity::find().all(&app.db).await.unwrap().len(), 0);
    assert_eq!(entity::adjustments::Entity::find().all(&app.db).await.unwrap().len(), 0);
    let mut expected: Vec<(i64, _, String, i32, usize)> = players
        .iter()
        .enumerate()
        .map(|(i, (team_id, _))| {
            let own: Vec<_> = solves.iter().filter(|s| s.team_id == *team_id).collect();
            let score = own.iter().map(|s| points(s.challenge_id)).sum();
            let last = own.iter().map(|s| s.created_at).max();
            (score, last, format!("Fault {i}"), *team_id, own.len())
        })
        .collect();
    expected
        .sort_by(|a, b| b.0.cmp(&a.0).then(a.1.is_none().cmp(&b.1.is_none())).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut positions = Vec::new();
    for (i, row) in expected.iter().enumerate() {
        let tied = i > 0 && (expected[i - 1].0, expected[i - 1].1) == (row.0, row.1);
        positions.push(if tied { positions[i - 1] } else { i + 1 });
    }
    let expected: Vec<Value> = expected
        .iter()
        .zip(positions)
        .map(|((score, _, name, team_id, solves), pos)| {
            json!({"pos": pos, "team_id": team_id, "team": name, "score": score, "solves": solves})
        })
        .collect();
    let served: Value =
        reqwest::get(format!("{address}/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap();
    let served: Vec<Value> = served["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"pos": r["pos"], "team_id": r["team_id"], "team": r["team"], "score": r["score"], "solves": r["solves"]}))
        .collect();
    assert_eq!(served, expected);
    eprintln!(
        "{} answers acknowledged ({correct} right), {} solves, {} attempts recorded before the kill",
        told.len(),
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
