//! Limits against a hostile team with nothing but its accounts and concurrency: a burst of answers or of
//! password guesses sent at once gets exactly as many judged as the limit allows, no more.

use entity::{login_failures, submissions};
use futures_util::future::join_all;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::files::load;
use crate::helpers::{PASSWORD, TestApp, csrf_of};
use crate::{both, both_with};

both!(a_burst_of_wrong_answers_keeps_max_attempts, a_burst_of_wrong_answers_keeps_the_minute_limit);
both!(a_burst_of_guessed_passwords_gets_five_checks, one_address_holds_its_share_of_live_connections);
both!(uploads_are_bounded_in_parts_files_and_text, forwarded_addresses_are_ignored_from_strangers);
both!(a_crowd_signing_in_at_once_is_all_let_in);
both_with!(behind_a_local_proxy; a_trusted_proxy_names_the_client);

const BURST: usize = 40;

/// A team "Burst" with a token, in the fixture contest with a challenge `theta` of three attempts.
async fn team_with_theta(app: &TestApp) -> (String, i64) {
    let source = Source::valid();
    source.challenge("static", "theta", "casefold", "salt-theta", "three tries", "points = 50\nmax_attempts = 3\n");
    load(app, source).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Burst").await;
    let token = app.token_named("alice").await;
    let ids = app.challenge_ids(&token, "/api/v1/challenges").await;
    let theta = ids.iter().find(|(name, _)| name.ends_with("theta")).map(|(_, id)| *id).expect("theta is listed");
    (token, theta)
}

/// Sends `BURST` answers at once; returns each response's status and `data.status`.
async fn burst(
    app: &TestApp,
    token: &str,
    challenge: i64,
    answer: impl Fn(usize) -> String,
) -> Vec<(StatusCode, String)> {
    let client = app.api();
    let sends = (0..BURST).map(|i| {
        client
            .post(app.url("/api/v1/challenges/attempt"))
            .header("Authorization", format!("Token {token}"))
            .json(&json!({"challenge_id": challenge, "submission": answer(i)}))
            .send()
    });
    let mut out = Vec::new();
    for res in join_all(sends).await {
        let res = res.expect("the server answers");
        let status = res.status();
        let body: Value = res.json().await.expect("JSON");
        out.push((status, body["data"]["status"].as_str().unwrap_or_default().to_owned()));
    }
    out
}

fn count(results: &[(StatusCode, String)], status: &str) -> usize {
    results.iter().filter(|(_, s)| s == status).count()
}

async fn wrong_rows(app: &TestApp, challenge: i64) -> u64 {
    submissions::Entity::find()
        .filter(submissions::Column::ChallengeId.eq(i32::try_from(challenge).unwrap()))
        .filter(submissions::Column::Outcome.eq("incorrect"))
        .count(&app.db)
        .await
        .unwrap()
}

async fn a_burst_of_wrong_answers_keeps_max_attempts(app: TestApp) {
    let (token, theta) = team_with_theta(&app).await;
    let results = burst(&app, &token, theta, |i| format!("guess {i}")).await;
    assert_eq!(count(&results, "incorrect"), 3, "exactly max_attempts judged: {results:?}");
    assert_eq!(count(&results, "ratelimited"), BURST - 3, "{results:?}");
    assert!(results.iter().all(|(s, _)| s.is_success() || *s == StatusCode::FORBIDDEN), "{results:?}");
    assert_eq!(wrong_rows(&app, theta).await, 3, "three wrong answers kept, no more");
    // And the right answer, now, is refused too: the attempts are spent.
    let results = burst(&app, &token, theta, |_| "three tries".into()).await;
    assert_eq!(count(&results, "ratelimited"), BURST, "{results:?}");
}

async fn a_burst_of_wrong_answers_keeps_the_minute_limit(app: TestApp) {
    let (token, _) = team_with_theta(&app).await;
    let ids = app.challenge_ids(&token, "/api/v1/challenges").await;
    let alpha = ids.iter().find(|(name, _)| name.ends_with("alpha")).map(|(_, id)| *id).expect("alpha");
    let results = burst(&app, &token, alpha, |i| format!("guess {i}")).await;
    assert_eq!(count(&results, "incorrect"), 10, "the contest's 10 a minute, exactly: {results:?}");
    let limited: Vec<_> = results.iter().filter(|(_, s)| s == "ratelimited").collect();
    assert_eq!(limited.len(), BURST - 10);
    assert!(limited.iter().all(|(code, _)| *code == StatusCode::TOO_MANY_REQUESTS), "{limited:?}");
    assert_eq!(wrong_rows(&app, alpha).await, 10);
}

async fn a_burst_of_guessed_passwords_gets_five_checks(app: TestApp) {
    let mut erin = app.browser();
    erin.register("erin").await;
    erin.post("/logout", &[]).await;
    let csrf = csrf_of(&erin.get("/login").await.body).unwrap();
    // 40 guesses, all at once. (The right password among them would forgive the failures before it, as a
    // successful login does, and give the guesses after it five more checks.)
    let client = erin.direct();
    let sends = (0..BURST).map(|i| {
        let form = [("username", "erin".to_owned()), ("password", format!("guess-{i}-wrong")), ("csrf", csrf.clone())];
        client.post(app.url("/login")).form(&form).send()
    });
    let statuses: Vec<StatusCode> = join_all(sends).await.into_iter().map(|r| r.expect("answered").status()).collect();
    let checked = statuses.iter().filter(|s| **s != StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 5, "at most five passwords checked: {statuses:?}");
    assert!(
        statuses.iter().all(|s| [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s)),
        "{statuses:?}"
    );
    let kept = login_failures::Entity::find()
        .filter(login_failures::Column::Key.eq("account:erin"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(kept <= 5, "{kept} failures counted for the account");
    // The account is locked for the window, to its owner too.
    let form = [("username", "erin"), ("password", PASSWORD), ("csrf", csrf.as_str())];
    let res = client.post(app.url("/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Forty players sign in at the same moment: their password checks queue for the hashing workers (one a
/// core) and every one of them is let in; none is lost or refused.
async fn a_crowd_signing_in_at_once_is_all_let_in(app: TestApp) {
    let mut crowd = Vec::new();
    for i in 0..BURST {
        let name = format!("crowd{i}");
        app.user(&name, mwscup::domain::role::Role::Participant).await;
        let b = app.browser();
        let csrf = csrf_of(&b.client.get(app.url("/login")).send().await.unwrap().text().await.unwrap()).unwrap();
        crowd.push((name, b.direct(), csrf));
    }
    let sends = crowd.iter().map(|(name, client, csrf)| {
        let form = [("username", name.as_str()), ("password", PASSWORD), ("csrf", csrf.as_str())];
        client.post(app.url("/login")).form(&form).send()
    });
    let statuses: Vec<StatusCode> = join_all(sends).await.into_iter().map(|r| r.expect("answered").status()).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::SEE_OTHER), "{statuses:?}");
    // Each is signed in.
    for (name, client, _) in &crowd {
        let page = client.get(app.url("/account")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(name.as_str()), "{name} is signed in");
    }
}

/// One client opening live connections (Server-Sent Events) gets its share, 20, and then 503 with
/// `Retry-After`; the health check and the pages still answer at once, and a closed connection gives its
/// place back.
async fn one_address_holds_its_share_of_live_connections(app: TestApp) {
    load(&app, Source::valid()).await;
    let cap = mwscup::config::DEFAULT_SSE_PER_ADDRESS;
    let client = app.api();
    let opens = (0..2 * cap).map(|_| client.get(app.url("/contests/cup/events")).send());
    let mut held = Vec::new();
    let mut refused = 0;
    for res in join_all(opens).await {
        let res = res.expect("answered");
        match res.status() {
            StatusCode::OK => held.push(res),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(res.headers().contains_key("retry-after"));
                refused += 1;
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!((held.len(), refused), (cap, cap), "the address's share, then refusals");
    let started = std::time::Instant::now();
    let health = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "healthz took {:?}", started.elapsed());
    assert_eq!(reqwest::get(app.url("/contests/cup")).await.unwrap().status(), StatusCode::OK);
    held.truncate(cap - 1);
    // The server learns of a closed connection when it next writes to it: an announcement makes it write.
    let contest = mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        app.live.broadcast_announcement(&entity::announcements::Model {
            id: 0,
            contest_id: contest.id,
            title: "ping".into(),
            title_en: String::new(),
            body: String::new(),
            body_en: String::new(),
            author_id: None,
            created_at: chrono::Utc::now(),
        });
        let again = client.get(app.url("/contests/cup/events")).send().await.unwrap();
        if again.status() == StatusCode::OK {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "a closed connection's place never came back");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// A multipart body written out by hand: the CSRF token, then `parts` as (field, file name or none, content).
/// (A client library's form of 20,000 parts nests its streams too deep to send.)
fn multipart(csrf: &str, parts: impl Iterator<Item = (String, Option<String>, Vec<u8>)>) -> (String, Vec<u8>) {
    let boundary = "mwscup-hostile-boundary";
    let mut body =
        format!("--{boundary}\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").into_bytes();
    for (field, file, content) in parts {
        let file = file.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
        body.extend(format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{field}\"{file}\r\n\r\n").bytes());
        body.extend(content);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A team member's upload cannot exhaust the server: 20,000 empty file parts, 51 files or 5,000 empty text
/// fields are refused with the reason (413), and nothing is kept, not even a temporary file.
async fn uploads_are_bounded_in_parts_files_and_text(app: TestApp) {
    let mut alice = crate::archive::ended_cup(&app).await;
    let csrf = csrf_of(&alice.get("/archive/cup/upload").await.body).unwrap();
    let file = |i: usize, content: &[u8]| ("files".to_owned(), Some(format!("f{i}.txt")), content.to_vec());
    let cases = [
        ("empty file parts", multipart(&csrf, (0..20_000).map(|i| file(i, b""))), "Too many files (50 at most)"),
        ("files", multipart(&csrf, (0..51).map(|i| file(i, b"notes"))), "Too many files (50 at most)"),
        (
            "empty text fields",
            multipart(&csrf, (0..5_000).map(|_| ("areas".to_owned(), None, Vec::new()))),
            "too many parts (200 at most)",
        ),
    ];
    for (what, (content_type, body), reason) in cases {
        let res = alice
            .client
            .post(app.url("/archive/cup/upload"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await;
        // The server may stop reading a refused body: what the client gets is the refusal, or a closed line.
        if let Ok(res) = res {
            assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE, "{what}");
            let body = res.text().await.unwrap();
            assert!(body.contains(reason), "{what}: {body}");
        }
    }
    let items = entity::archive_items::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(items, 0, "nothing was kept");
    let left: Vec<_> = std::fs::read_dir(app.fixture.data_dir().join("tmp"))
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
    // And an ordinary upload still goes through.
    let ok = alice
        .client
        .post(app.url("/archive/cup/upload"))
        .multipart(crate::archive::form(&csrf, "public", vec![("notes.txt", b"how we did it".to_vec())]))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

fn behind_a_local_proxy(settings: &mut mwscup::config::Settings) {
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
}

async fn recorded_address(app: &TestApp, forwarded_for: &str) -> String {
    let (token, theta) = team_with_theta(app).await;
    let res = app
        .api()
        .post(app.url("/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"challenge_id": theta, "submission": "a guess"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    submissions::Entity::find().one(&app.db).await.unwrap().expect("recorded").ip
}

/// Behind a proxy named in `trusted_proxies`, the answer records the client the proxy forwards for (the last
/// address it appended, not one the client wrote itself).
async fn a_trusted_proxy_names_the_client(app: TestApp) {
    assert_eq!(recorded_address(&app, "6.6.6.6, 198.51.100.7").await, "198.51.100.7");
}

/// Without `trusted_proxies`, anyone's `X-Forwarded-For` is just a header: the peer is the client.
async fn forwarded_addresses_are_ignored_from_strangers(app: TestApp) {
    assert_eq!(recorded_address(&app, "198.51.100.7").await, "127.0.0.1");
}
