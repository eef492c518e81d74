//! Answers that can be retried (issue 18): every answer's `submission_id`, shown to its team and to
//! organizers, and `Idempotency-Key`: a retry under the same key, one after another or all at once, on one
//! instance or two, is told the first verdict and recorded once.

use entity::{solves, submissions};
use futures_util::future::join_all;
use mwscup::domain::role::Role;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{Backend, Browser, Fixture, PASSWORD, TestApp, start};

both!(a_retried_wrong_answer_is_told_its_first_verdict, a_retried_right_answer_is_correct_again);
both!(a_burst_under_one_key_is_recorded_once, keys_that_are_no_keys_are_refused);

/// The fixture `cup`, plus `zeta`, open like `alpha`.
async fn day(app: &TestApp) {
    let source = Source::valid();
    source.challenge("static", "zeta", "casefold", "salt-zeta", "net view", "points = 50\n");
    load(app, source).await;
}

/// A member of a new team, signed in, with a token.
async fn player(app: &TestApp, name: &str) -> (Browser, String) {
    let mut b = app.browser();
    b.register(name).await;
    b.create_team("cup", &format!("Team {name}")).await;
    (b, app.token_named(name).await)
}

/// What an attempt was told.
#[derive(Debug)]
struct Told {
    status: StatusCode,
    /// `Idempotent-Replayed: true`: an answer under the key was judged before.
    replayed: bool,
    body: Value,
}

impl Told {
    fn id(&self) -> String {
        self.body["data"]["submission_id"].as_str().unwrap_or_else(|| panic!("a submission_id: {self:?}")).to_owned()
    }
}

async fn send(base: &str, token: &str, challenge: i64, answer: &str, key: Option<&[u8]>) -> Told {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .header("Accept-Language", "en")
        .json(&json!({"challenge_id": challenge, "submission": answer}));
    if let Some(key) = key {
        req = req.header("Idempotency-Key", reqwest::header::HeaderValue::from_bytes(key).unwrap());
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let replayed = res.headers().get("Idempotent-Replayed").is_some_and(|v| v == "true");
    Told { status, replayed, body: res.json().await.unwrap() }
}

/// The team's wrong answers to a challenge, as `GET challenges/{id}` counts them.
async fn attempts(app: &TestApp, token: &str, challenge: i64) -> Value {
    let res = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/challenges/{challenge}")))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    res.json::<Value>().await.unwrap()["data"]["attempts"].clone()
}

async fn rows(app: &TestApp, challenge: i64) -> Vec<submissions::Model> {
    submissions::Entity::find()
        .filter(submissions::Column::ChallengeId.eq(i32::try_from(challenge).unwrap()))
        .all(&app.db)
        .await
        .unwrap()
}

fn is_uuid_v7(id: &str) -> bool {
    regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$").unwrap().is_match(id)
}

async fn a_retried_wrong_answer_is_told_its_first_verdict(app: TestApp) {
    day(&app).await;
    let (mut alice, token) = player(&app, "alice").await;
    let ids = app.challenge_ids(&token, "/api/v1/challenges").await;
    let (alpha, zeta) = (ids["alpha"], ids["zeta"]);
    let base = app.url("");

    let first = send(&base, &token, alpha, "procdump", Some(b"retry-1")).await;
    assert_eq!((first.status, first.body["data"]["status"].as_str()), (StatusCode::OK, Some("incorrect")), "{first:?}");
    assert!(!first.replayed);
    let id = first.id();
    assert!(is_uuid_v7(&id), "{id}");
    for _ in 0..3 {
        let again = send(&base, &token, alpha, "procdump", Some(b"retry-1")).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body, first.body, "the same status, message and submission_id");
        assert!(again.replayed, "{again:?}");
    }
    assert_eq!(rows(&app, alpha).await.len(), 1, "recorded once");
    assert_eq!(attempts(&app, &token, alpha).await, 1, "counted once");

    // A key names one answer: another answer or another challenge under it is refused, and nothing is kept.
    for (challenge, answer) in [(alpha, "lsass"), (zeta, "procdump")] {
        let reused = send(&base, &token, challenge, answer, Some(b"retry-1")).await;
        assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY, "{reused:?}");
        assert_eq!(reused.body["success"], false);
        assert!(reused.body["message"].as_str().unwrap().contains("Idempotency-Key was used for another answer"));
    }
    assert_eq!(rows(&app, zeta).await.len(), 0);

    // A new key, or none, is a new answer with an id of its own; so is another team's answer under the key.
    let second = send(&base, &token, alpha, "procdump", Some(b"retry-2")).await;
    let third = send(&base, &token, alpha, "procdump", None).await;
    let (_, bob_token) = player(&app, "bob").await;
    let bobs = send(&base, &bob_token, alpha, "procdump", Some(b"retry-1")).await;
    for told in [&second, &third, &bobs] {
        assert_eq!(told.body["data"]["status"], "incorrect", "{told:?}");
        assert!(!told.replayed && is_uuid_v7(&told.id()), "{told:?}");
    }
    let all = [id.clone(), second.id(), third.id(), bobs.id()];
    assert_eq!(all.iter().collect::<std::collections::HashSet<_>>().len(), 4, "{all:?}");
    assert_eq!(attempts(&app, &token, alpha).await, 3);
    let kept: Vec<Option<String>> = rows(&app, alpha).await.into_iter().map(|s| s.submission_id).collect();
    assert_eq!(kept.len(), 4);
    assert!(all.iter().all(|id| kept.contains(&Some(id.clone()))), "{kept:?}");

    // The team sees each answer's id with its attempts; organizers with the submissions, and find one by it.
    let page = alice.get("/contests/cup/challenges/alpha").await;
    page.assert_contains(&id).assert_contains(&second.id()).assert_contains(&third.id()).assert_lacks(&bobs.id());
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console/submissions").await.assert_contains(&id).assert_contains(&bobs.id());
    let found = chief.get(&format!("/contests/cup/console/submissions?submission={id}")).await;
    found.assert_contains(&id).assert_lacks(&second.id()).assert_lacks(&bobs.id());
}

async fn a_retried_right_answer_is_correct_again(app: TestApp) {
    day(&app).await;
    let (_, token) = player(&app, "alice").await;
    let alpha = app.challenge_ids(&token, "/api/v1/challenges").await["alpha"];
    let base = app.url("");

    let first = send(&base, &token, alpha, "Mimikatz", Some(b"flag-1")).await;
    assert_eq!((first.status, first.body["data"]["status"].as_str()), (StatusCode::OK, Some("correct")), "{first:?}");
    // The same answer under the challenge's rule (casefold), retried: correct again, not already_solved.
    let again = send(&base, &token, alpha, " MIMIKATZ ", Some(b"flag-1")).await;
    assert_eq!(again.body, first.body, "{again:?}");
    assert!(again.replayed);
    // Without the key, the same answer is a new one, to a solved challenge.
    let plain = send(&base, &token, alpha, "Mimikatz", None).await;
    assert_eq!(plain.body["data"]["status"], "already_solved", "{plain:?}");
    assert_ne!(plain.id(), first.id());

    let kept = rows(&app, alpha).await;
    let outcomes: Vec<&str> = kept.iter().map(|s| s.outcome.as_str()).collect();
    assert_eq!(outcomes, ["correct", "already_solved"]);
    assert_eq!(kept[0].submission_id.as_deref(), Some(first.id().as_str()));
    assert_eq!(solves::Entity::find().count(&app.db).await.unwrap(), 1);
}

/// Sends `n` answers at once, under one key; returns what each was told.
async fn burst(base: &str, token: &str, challenge: i64, answer: &str, key: &[u8], n: usize) -> Vec<Told> {
    join_all((0..n).map(|_| send(base, token, challenge, answer, Some(key)))).await
}

/// All told the same, and all but one told it again.
fn one_verdict(told: &[Told], status: &str) {
    let first = &told[0];
    assert_eq!(first.body["data"]["status"], status, "{first:?}");
    assert!(told.iter().all(|t| t.status == StatusCode::OK && t.body == first.body), "{told:?}");
    assert_eq!(told.iter().filter(|t| !t.replayed).count(), 1, "one judged: {told:?}");
}

async fn a_burst_under_one_key_is_recorded_once(app: TestApp) {
    day(&app).await;
    let (_, token) = player(&app, "alice").await;
    let ids = app.challenge_ids(&token, "/api/v1/challenges").await;
    let (alpha, zeta) = (ids["alpha"], ids["zeta"]);
    let base = app.url("");

    one_verdict(&burst(&base, &token, zeta, "NET VIEW", b"burst-right", 20).await, "correct");
    let kept = rows(&app, zeta).await;
    assert_eq!(kept.iter().map(|s| s.outcome.as_str()).collect::<Vec<_>>(), ["correct"]);
    assert_eq!(solves::Entity::find().count(&app.db).await.unwrap(), 1);

    one_verdict(&burst(&base, &token, alpha, "procdump", b"burst-wrong", 20).await, "incorrect");
    assert_eq!(rows(&app, alpha).await.len(), 1);
    assert_eq!(attempts(&app, &token, alpha).await, 1);
    // The retries took none of the team's 10 wrong answers a minute: 9 more are judged, the next is not.
    for i in 0..9 {
        assert_eq!(send(&base, &token, alpha, &format!("guess {i}"), None).await.body["data"]["status"], "incorrect");
    }
    let limited = send(&base, &token, alpha, "one too many", None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{limited:?}");
    assert!(limited.body["data"].get("submission_id").is_none(), "nothing kept, no id: {limited:?}");
}

async fn keys_that_are_no_keys_are_refused(app: TestApp) {
    day(&app).await;
    let (_, token) = player(&app, "alice").await;
    let alpha = app.challenge_ids(&token, "/api/v1/challenges").await["alpha"];
    let base = app.url("");
    let too_long = "k".repeat(129);
    for key in [too_long.as_bytes(), b"with space", "キー".as_bytes()] {
        let told = send(&base, &token, alpha, "procdump", Some(key)).await;
        assert_eq!(told.status, StatusCode::BAD_REQUEST, "{told:?}");
        let errors = &told.body["errors"]["Idempotency-Key"];
        assert_eq!(errors[0], "An Idempotency-Key is 1 to 128 bytes of visible ASCII, without spaces.", "{told:?}");
    }
    assert!(rows(&app, alpha).await.is_empty(), "nothing judged or kept");
    let longest = "k".repeat(128);
    let told = send(&base, &token, alpha, "procdump", Some(longest.as_bytes())).await;
    assert_eq!(told.body["data"]["status"], "incorrect", "{told:?}");
}

/// Two instances with data folders of their own share only PostgreSQL: a burst under one key split between
/// them is still judged once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_judge_a_key_once() {
    let Some(fixture) = Fixture::new(Backend::Postgres).await else { return };
    let url = fixture.url.clone();
    let a = start(fixture).await;
    let b = start(Fixture { url, dir: tempfile::tempdir().unwrap(), backend: Backend::Postgres }).await;
    day(&a).await;
    b.reload().await;
    let (_, token) = player(&a, "alice").await;
    let alpha = a.challenge_ids(&token, "/api/v1/challenges").await["alpha"];
    let (base_a, base_b) = (a.url(""), b.url(""));
    let sends = (0..20).map(|i| {
        let base = if i % 2 == 0 { &base_a } else { &base_b };
        send(base, &token, alpha, "procdump", Some(b"across"))
    });
    one_verdict(&join_all(sends).await, "incorrect");
    assert_eq!(rows(&a, alpha).await.len(), 1);
}
