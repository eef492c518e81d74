//! Who is asking, from memory: a team's requests are answered without the database once its session or
//! token was seen, and what ends or changes an identity (a revoked token, a logout, a role) takes effect at
//! once on this instance and promptly (by NOTIFY, not the periodic reload) on the others.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{Backend, Browser, Fixture, PASSWORD, TestApp, start, start_with, without_periodic_reload};

both!(a_revoked_token_and_an_ended_session_are_refused_at_once);

/// A team's member with a token, on `app`.
async fn player(app: &TestApp, name: &str) -> (Browser, String) {
    let mut b = app.browser();
    b.register(name).await;
    b.create_team("cup", &format!("Team {name}")).await;
    (b, app.token_named(name).await)
}

/// A request sent with a team's token: its status and body.
async fn with_token(req: reqwest::RequestBuilder, token: &str) -> (StatusCode, String) {
    let res =
        req.header("Authorization", format!("Token {token}")).timeout(Duration::from_secs(5)).send().await.unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

async fn get(app_url: String, token: &str) -> (StatusCode, String) {
    with_token(reqwest::Client::new().get(app_url), token).await
}

async fn post(app_url: String, token: &str, body: serde_json::Value) -> (StatusCode, String) {
    with_token(reqwest::Client::new().post(app_url).json(&body), token).await
}

/// A challenge's `data` as `GET challenges/{id}` gives it.
async fn detail(app_url: String, token: &str) -> serde_json::Value {
    let (status, body) = get(app_url, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["data"].clone()
}

/// The token's id, as the account page lists it (the newest).
async fn newest_token_id(b: &mut Browser) -> String {
    let page = b.get("/account").await;
    let ids: Vec<String> = regex::Regex::new(r#"/account/tokens/(\d+)/revoke"#)
        .unwrap()
        .captures_iter(&page.body)
        .map(|c| c[1].to_owned())
        .collect();
    ids.last().cloned().expect("a token on the account page")
}

async fn a_revoked_token_and_an_ended_session_are_refused_at_once(app: TestApp) {
    load(&app, Source::valid()).await;
    let (mut alice, token) = player(&app, "alice").await;
    assert_eq!(get(app.url("/api/v1/challenges"), &token).await.0, StatusCode::OK);
    let id = newest_token_id(&mut alice).await;
    alice.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(get(app.url("/api/v1/challenges"), &token).await.0, StatusCode::UNAUTHORIZED, "refused at once");

    // A session seen a moment ago, then ended: the next request is a stranger's.
    alice.get("/contests/cup/challenges").await.assert_contains("Question alpha");
    let kept = alice.direct();
    alice.post("/logout", &[]).await;
    let res = kept.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed out");
}

/// Waits until `check` holds, for at most `PROMPTLY` (a NOTIFY's round trip takes milliseconds; a loaded CI
/// machine may take longer, and without NOTIFY only the 5 s reload would bring it).
async fn promptly(what: &str, check: impl AsyncFn() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < crate::helpers::PROMPTLY,
            "{what}: the other instance did not follow within {:?}",
            crate::helpers::PROMPTLY
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two instances on one PostgreSQL: a token revoked and a session ended on one are refused by the other within
/// a second, an announcement is in the other's list, and a player made judge stops answering there too,
/// although each instance keeps identities and announcements in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_instance_forgets_within_a_second() {
    let Some(fixture) = Fixture::new(Backend::Postgres).await else { return };
    let url = fixture.url.clone();
    let a = start(fixture).await;
    let fixture = Fixture { url, dir: tempfile::tempdir().unwrap(), backend: Backend::Postgres };
    let b = start_with(fixture, without_periodic_reload).await;
    load(&a, Source::valid()).await;
    b.reload().await;
    let (mut alice, token) = player(&a, "alice").await;
    // B has seen the token and the session.
    assert_eq!(get(b.url("/api/v1/challenges"), &token).await.0, StatusCode::OK);
    let session = alice.direct();
    assert_eq!(session.get(b.url("/account")).send().await.unwrap().status(), StatusCode::OK);

    let id = newest_token_id(&mut alice).await;
    alice.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    promptly("the revoked token", async || {
        get(b.url("/api/v1/challenges"), &token).await.0 == StatusCode::UNAUTHORIZED
    })
    .await;

    alice.post("/logout", &[]).await;
    promptly("the ended session", async || {
        session.get(b.url("/account")).send().await.unwrap().status() == StatusCode::SEE_OTHER
    })
    .await;

    // An announcement posted on A is in B's list within a second.
    let (_, bob_token) = player(&a, "bob").await;
    assert!(!get(b.url("/api/v1/notifications"), &bob_token).await.1.contains("お知らせ"));
    a.user("chief", mwscup::domain::role::Role::Organizer).await;
    let mut chief = a.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console").await;
    chief.post("/contests/cup/console/announcements", &[("title", "お知らせ"), ("body", "x")]).await;
    promptly("the announcement", async || get(b.url("/api/v1/notifications"), &bob_token).await.1.contains("お知らせ"))
        .await;

    // Bob's wrong answer and his hint, on A, are in the challenge as B shows it within a second.
    let alpha = b.challenge_ids(&bob_token, "/api/v1/challenges").await["alpha"];
    let seen = detail(b.url(&format!("/api/v1/challenges/{alpha}")), &bob_token).await;
    assert_eq!(seen["attempts"], 0);
    assert!(seen["hints"][0].get("content").is_none(), "locked: {seen}");
    let hint = seen["hints"][0]["id"].clone();
    let wrong = serde_json::json!({"challenge_id": alpha, "submission": "not it"});
    assert!(post(a.url("/api/v1/challenges/attempt"), &bob_token, wrong).await.1.contains("incorrect"));
    assert_eq!(post(a.url("/api/v1/unlocks"), &bob_token, serde_json::json!({"target": hint})).await.0, StatusCode::OK);
    promptly("the wrong answer and the hint", async || {
        let now = detail(b.url(&format!("/api/v1/challenges/{alpha}")), &bob_token).await;
        now["attempts"] == 1 && now["hints"][0]["content"] == "ヒント"
    })
    .await;

    // An organizer on A makes Bob a judge; B stops taking his answers within a second.
    chief.get("/admin/users").await;
    let bob = mwscup::store::users::by_username(&a.db, &mwscup::domain::names::Username::parse("bob").unwrap())
        .await
        .unwrap()
        .unwrap();
    chief.post(&format!("/admin/users/{}/role", bob.id), &[("role", "judge")]).await;
    promptly("the judge's answer", async || {
        let res = reqwest::Client::new()
            .post(b.url("/api/v1/challenges/attempt"))
            .header("Authorization", format!("Token {bob_token}"))
            .json(&serde_json::json!({"challenge_id": alpha, "submission": "not it"}))
            .send()
            .await
            .unwrap();
        res.status() == StatusCode::FORBIDDEN
    })
    .await;
}

/// Once a team's token was seen, its day's reads need no database: with PostgreSQL hung (its processes
/// stopped), the board, a challenge with the team's attempts and hints, the solves, the scoreboard, the
/// announcements and the team's own account still answer at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_reads_its_day_while_the_database_hangs() {
    let Some(pg) = crate::private_pg::PrivatePostgres::start() else { return };
    let app = pg.app().await;
    load(&app, Source::valid()).await;
    let (_, token) = player(&app, "alice").await;
    app.user("chief", mwscup::domain::role::Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console").await;
    chief.post("/contests/cup/console/announcements", &[("title", "休憩"), ("title_en", "Break"), ("body", "x")]).await;
    let (status, notes) = get(app.url("/api/v1/notifications"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(notes.contains("休憩"), "the announcement is listed at once: {notes}");
    // Alice's wrong answer, hint and solve, then every read of her day.
    let alpha = app.challenge_ids(&token, "/api/v1/challenges").await["alpha"];
    let wrong = serde_json::json!({"challenge_id": alpha, "submission": "not it"});
    assert!(post(app.url("/api/v1/challenges/attempt"), &token, wrong).await.1.contains("incorrect"));
    let hint = detail(app.url(&format!("/api/v1/challenges/{alpha}")), &token).await["hints"][0]["id"].clone();
    assert_eq!(post(app.url("/api/v1/unlocks"), &token, serde_json::json!({"target": hint})).await.0, StatusCode::OK);
    let right = serde_json::json!({"challenge_id": alpha, "submission": "Mimikatz"});
    assert!(post(app.url("/api/v1/challenges/attempt"), &token, right).await.1.contains("\"correct\""));
    let seen = detail(app.url(&format!("/api/v1/challenges/{alpha}")), &token).await;
    assert_eq!(
        (&seen["attempts"], &seen["hints"][0]["content"], &seen["solved_by_me"]),
        (&1.into(), &"ヒント".into(), &true.into())
    );
    let paths = [
        format!("/api/v1/challenges/{alpha}"),
        format!("/api/v1/challenges/{alpha}/solves"),
        "/api/v1/teams/me/solves".to_owned(),
        "/api/v1/notifications".to_owned(),
        "/api/v1/challenges".to_owned(),
        "/api/v1/scoreboard".to_owned(),
        "/api/v1/scoreboard/top/10".to_owned(),
        "/api/v1/users/me".to_owned(),
        "/contests/cup/api/v1/challenges".to_owned(),
        "/contests/cup/scoreboard.json".to_owned(),
    ];
    let mut before = Vec::new();
    for path in &paths {
        let (status, body) = get(app.url(path), &token).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        before.push(body);
    }
    pg.freeze();
    for (path, body) in paths.iter().zip(&before) {
        let asked = Instant::now();
        let (status, now) = get(app.url(path), &token).await;
        assert_eq!((status, &now), (StatusCode::OK, body), "{path} with the database hung");
        assert!(asked.elapsed() < Duration::from_millis(500), "{path} took {:?}", asked.elapsed());
    }
    pg.thaw();
}
