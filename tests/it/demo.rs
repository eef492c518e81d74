//! The demo contest as a newcomer meets it: loaded by `serve --demo`, every answer in its `answers.toml`
//! accepted, and playable in the browser.

use std::collections::HashMap;
use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, settings_of};

both!(every_demo_answer_is_accepted);

async fn every_demo_answer_is_accepted(app: TestApp) {
    let outcome = mwscup::demo::ensure(&app.db, &settings_of(&app.fixture)).await.unwrap();
    assert!(outcome.created_contest && outcome.organizer_password.is_some());

    let mut player = app.browser_in("ja");
    player.register("newcomer").await;
    player.create_team("mwscup-demo", "はじめてのチーム").await;
    let board = player.get("/contests/mwscup-demo/challenges").await;
    assert_eq!(board.status, StatusCode::OK);
    board.assert_contains("静的解析").assert_contains("攻撃痕跡ログ分析");

    // Play one challenge in the browser, from the board to a solve.
    let page = player.get("/contests/mwscup-demo/challenges/dyn-runkey").await;
    page.assert_contains("report.json");
    let answers: toml::Table =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("challenges/mwscup-demo/answers.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let runkey = answers["dyn-runkey"].as_str().unwrap();
    player
        .post("/contests/mwscup-demo/challenges/dyn-runkey", &[("answer", runkey)])
        .await
        .assert_contains("正解です!");

    // Every other answer through the API, in an order that unlocks what requires another.
    let user = mwscup::store::users::by_username(&app.db, &mwscup::domain::names::Username::parse("newcomer").unwrap())
        .await
        .unwrap()
        .unwrap();
    let token = app.token_for(&user).await;
    let list: Value = app
        .api()
        .get(app.url("/contests/mwscup-demo/api/v1/challenges"))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: HashMap<String, i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["slug"].as_str().unwrap().to_owned(), c["id"].as_i64().unwrap()))
        .collect();
    assert_eq!(ids.len(), 14, "15 challenges, one of which opens an hour after the start: {list}");

    let demo_id = mwscup::store::contests::by_slug(&app.db, "mwscup-demo").await.unwrap().unwrap().id;
    let mut pending: Vec<(&String, &str)> = answers.iter().map(|(slug, a)| (slug, a.as_str().unwrap())).collect();
    let mut solved = vec!["dyn-runkey".to_owned()];
    for _round in 0..3 {
        let mut still = Vec::new();
        for (slug, answer) in pending {
            if solved.contains(slug) {
                continue;
            }
            let id = match ids.get(slug) {
                Some(id) => *id,
                None => mwscup::store::challenges::slugs_of(&app.db, demo_id)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|(_, s)| s == slug)
                    .map(|(id, _)| i64::from(id))
                    .unwrap(),
            };
            let res = app
                .api()
                .post(app.url("/contests/mwscup-demo/api/v1/challenges/attempt"))
                .header("Authorization", format!("Token {token}"))
                .json(&json!({"challenge_id": id, "submission": answer}))
                .send()
                .await
                .unwrap();
            let body: Value = res.json().await.unwrap();
            match body["data"]["status"].as_str() {
                Some("not_open") if slug == "static-api-hash" => still.push((slug, answer)),
                Some("correct") => solved.push(slug.clone()),
                Some("locked") => still.push((slug, answer)),
                other => panic!("{slug}: the answer in answers.toml got {other:?}: {body}"),
            }
        }
        pending = still;
    }
    let not_yet: Vec<&String> = pending.iter().map(|(s, _)| *s).collect();
    assert_eq!(not_yet, vec!["static-api-hash"], "only the challenge that opens later is left");
    assert_eq!(solved.len(), 14);
}
