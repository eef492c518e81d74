//! Limits against a hostile team with nothing but its accounts and concurrency: a burst of answers or of
//! password guesses sent at once gets exactly as many judged as the limit allows, no more.

use entity::{login_failures, submissions};
use futures_util::future::join_all;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{PASSWORD, TestApp, csrf_of};

both!(a_burst_of_wrong_answers_keeps_max_attempts, a_burst_of_wrong_answers_keeps_the_minute_limit);
both!(a_burst_of_guessed_passwords_gets_five_checks);

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
    // 39 guesses and the right password among them, all at once.
    let client = erin.direct();
    let sends = (0..BURST).map(|i| {
        let password = if i == BURST / 2 { PASSWORD.to_owned() } else { format!("guess-{i}-wrong") };
        let form = [("username", "erin".to_owned()), ("password", password), ("csrf", csrf.clone())];
        client.post(app.url("/login")).form(&form).send()
    });
    let statuses: Vec<StatusCode> = join_all(sends).await.into_iter().map(|r| r.expect("answered").status()).collect();
    let checked = statuses.iter().filter(|s| **s != StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 5, "at most five passwords checked: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS, StatusCode::SEE_OTHER].contains(s)),
        "{statuses:?}"
    );
    let kept = login_failures::Entity::find()
        .filter(login_failures::Column::Key.eq("account:erin"))
        .count(&app.db)
        .await
        .unwrap();
    assert!(kept <= 5, "{kept} failures counted for the account");
}
