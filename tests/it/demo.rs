//! The demo contest as a newcomer meets it: loaded by `serve --demo`, every answer in its `answers.toml`
//! accepted, and playable in the browser.

use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, settings_of};

both!(every_demo_answer_is_accepted, after_the_demo_a_team_archives_its_work_and_finds_it);

async fn every_demo_answer_is_accepted(app: TestApp) {
    let outcome = mwscup::cli::demo::ensure(&app.db, &settings_of(&app.fixture)).await.unwrap();
    assert!(outcome.created_contest && outcome.organizer_password.is_some());

    let mut player = app.browser_in("ja");
    player.register("newcomer").await;
    player.create_team("mwscup-demo", "はじめてのチーム").await;
    let board = player.get("/contests/mwscup-demo/challenges").await;
    assert_eq!(board.status, StatusCode::OK);
    board.assert_contains("静的解析").assert_contains("攻撃痕跡ログ分析");
    // Groups read by their titles from `[[groups]]`, never by their keys.
    board.assert_contains("検体 A (Cuckoo レポート)").assert_contains("侵入事例 1 (Sysmon ログ)");
    assert!(!board.body.contains("sample-a") && !board.body.contains(">intrusion-1<"), "a group key on the board");
    let mut visitor = app.browser_in("en");
    visitor.register("visitor").await;
    visitor.create_team("mwscup-demo", "Visitors").await;
    visitor.get("/contests/mwscup-demo/challenges").await.assert_contains("Sample A (Cuckoo report)");

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
    let token = app.token_named("newcomer").await;
    let (_, listed) = crate::helpers::api(&app, &token, "GET", "/contests/mwscup-demo/api/v1/challenges", None).await;
    let listed = listed["data"].as_array().unwrap();
    assert_eq!(listed.len(), 15, "16 challenges, one of which opens an hour after the start: {listed:?}");
    // Those locked behind another are listed as CTFd lists hidden ones.
    let hidden = listed.iter().filter(|c| c["type"] == "hidden").count();
    assert!(hidden > 0 && listed.iter().filter(|c| c["type"] == "hidden").all(|c| c["name"] == "???"), "{listed:?}");
    let ids = app.challenge_ids(&token, "/contests/mwscup-demo/api/v1/challenges").await;
    assert_eq!(ids.len(), 15 - hidden);

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

/// After the demo contest ends, a team uploads its slides and a script; it finds them by search, and so
/// does everyone once the organizers publish them.
async fn after_the_demo_a_team_archives_its_work_and_finds_it(app: TestApp) {
    use reqwest::multipart::{Form, Part};
    mwscup::cli::demo::ensure(&app.db, &settings_of(&app.fixture)).await.unwrap();
    let mut player = app.browser();
    player.register("presenter").await;
    player.create_team("mwscup-demo", "Kuroneko Analysts").await;
    app.end_contests(chrono::Duration::minutes(5), false).await;
    for (kind, title, file, bytes) in [
        ("slides", "How we solved the DFIR questions", "slides.pdf", b"%PDF-1.7\n%demo".to_vec()),
        ("script", "A Cuckoo report parser", "parse_report.py", b"import json\nprint('c2')\n".to_vec()),
    ] {
        let page = player.get("/archive/mwscup-demo/upload").await;
        let csrf = crate::helpers::csrf_of(&page.body).unwrap();
        let mut form = Form::new()
            .text("csrf", csrf)
            .text("kind", kind)
            .text("title", title)
            .text("description", "Our approach.")
            .text("visibility", "public");
        for k in ["no_live_malware", "no_personal_data", "identifiers_redacted", "responsible_disclosure"] {
            form = form.text(k, "yes");
        }
        form = form.part("files", Part::bytes(bytes).file_name(file));
        let res = player.client.post(app.url("/archive/mwscup-demo/upload")).multipart(form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.url().path().starts_with("/archive/items/"));
    }
    let mine = player.get("/archive/search?q=Kuroneko").await;
    mine.assert_contains("How we solved the DFIR questions").assert_contains("A Cuckoo report parser");
    let mut stranger = app.browser();
    stranger.get("/archive/search?q=parse_report").await.assert_contains("Nothing found.");

    app.user("chief", mwscup::domain::role::Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", crate::helpers::PASSWORD).await;
    let review = chief.get("/archive/mwscup-demo/review").await;
    let ids: Vec<String> = regex::Regex::new(r#"/archive/items/(\d+)""#)
        .unwrap()
        .captures_iter(&review.body)
        .map(|c| c[1].to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    for id in ids {
        chief.get(&format!("/archive/items/{id}")).await;
        chief.post(&format!("/archive/items/{id}/review"), &[("decision", "publish"), ("comment", "")]).await;
    }
    let found = stranger.get("/archive/search?q=parse_report").await;
    found.assert_contains("A Cuckoo report parser").assert_contains("MWS Cup demo");
    stranger.get("/archive/search?q=DFIR&kind=slides").await.assert_contains("How we solved the DFIR questions");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_start_at_once_on_an_empty_database() {
    // Twice, each on a fresh database: a race that loses once in a while must show here.
    for _ in 0..2 {
        let Some(fixture) = crate::helpers::Fixture::new(crate::helpers::Backend::Postgres).await else { return };
        let settings = settings_of(&fixture);
        let start = || {
            let (url, settings) = (fixture.url.clone(), settings.clone());
            tokio::spawn(async move {
                let db = mwscup::db::connect_waiting(&url, crate::helpers::TEST_ACQUIRE_TIMEOUT).await?;
                mwscup::db::migrate(&db).await?;
                mwscup::cli::demo::ensure(&db, &settings).await.map(|outcome| outcome.created_contest)
            })
        };
        let instances = [start(), start(), start()];
        let mut created = 0;
        for instance in instances {
            let made = instance.await.unwrap().unwrap_or_else(|e| panic!("an instance failed to start: {e:#}"));
            created += usize::from(made);
        }
        assert_eq!(created, 1, "one instance made the demo, the others found it");
    }
}
