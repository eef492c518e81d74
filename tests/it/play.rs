//! The contest day: answers from the browser and from scripts, their rules and limits, hints, the board,
//! announcements and the pause switch.

use entity::{hint_unlocks, solves, submissions};
use mwscup::domain::role::Role;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::files::load;
use crate::helpers::{PASSWORD, TestApp, api};
use crate::{both, both_with};

both!(answers_get_the_right_statuses, windows_locks_and_membership_refuse_with_reasons, wrong_answers_are_limited);
both!(concurrent_right_answers_make_one_solve, hints_cost_once, the_api_describes_the_day);
both!(a_person_plays_in_the_browser, organizers_pause_and_announce, a_hint_removed_by_a_resync_keeps_its_cost);
both!(a_team_that_scored_outlives_its_last_member, organizers_and_judges_do_not_play);
both!(the_challenge_page_says_its_title_once_with_the_format_and_points_by_the_answer);
both_with!(prometheus_on_localhost; metrics_count_answers_and_requests);

/// The fixture `cup` plus a challenge that closed already, one with two attempts, and a dynamic one,
/// started 30 minutes ago. Alice's team "Finders" is made; her API token is returned.
async fn day(app: &TestApp) -> (Source, String) {
    let source = Source::valid();
    source.challenge(
        "static",
        "delta",
        "casefold",
        "salt-delta",
        "closed answer",
        "points = 50\ncloses_at = 2026-10-20T09:15:00+09:00\n",
    );
    source.challenge(
        "static",
        "epsilon",
        "casefold",
        "salt-epsilon",
        "two tries",
        "points = 50\nmax_attempts = 2\ntags = [\"sysmon\", \"windows\"]\n",
    );
    let source = load(app, source.with_dynamic_zeta()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let token = app.token_named("alice").await;
    (source, token)
}

/// A challenge's id by slug: listed by name once it may be opened, and from the store while it is locked (the
/// API lists it anonymized then).
async fn challenge_id(app: &TestApp, token: &str, slug: &str) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let (_, body) = api(app, token, "GET", "/api/v1/challenges", None).await;
    let listed = body["data"].as_array().unwrap().iter().find(|c| c["name"] == format!("問題 {slug}"));
    if let Some(c) = listed {
        return c["id"].as_i64().unwrap();
    }
    let stored = entity::challenges::Entity::find()
        .filter(entity::challenges::Column::Slug.eq(slug))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no challenge {slug}"));
    let id = i64::from(stored.id);
    let hidden = body["data"].as_array().unwrap().iter().find(|c| c["id"] == id);
    assert_eq!(hidden.map(|c| c["name"].clone()), Some(json!("???")), "{slug} is neither listed nor hidden: {body}");
    id
}

/// Opens the first hint of a challenge through the API, as CTFd's clients do.
pub(crate) async fn unlock_first_hint(app: &TestApp, token: &str, challenge: i64) {
    let (_, detail) = api(app, token, "GET", &format!("/api/v1/challenges/{challenge}"), None).await;
    let hint = detail["data"]["hints"][0]["id"].clone();
    let (status, body) =
        api(app, token, "POST", "/api/v1/unlocks", Some(json!({"target": hint, "type": "hints"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub(crate) async fn attempt(app: &TestApp, token: &str, id: i64, submission: &str) -> (StatusCode, Value) {
    api(app, token, "POST", "/api/v1/challenges/attempt", Some(json!({"challenge_id": id, "submission": submission})))
        .await
}

async fn answers_get_the_right_statuses(app: TestApp) {
    let (_, token) = day(&app).await;
    let alpha = challenge_id(&app, &token, "alpha").await;
    let (status, body) = attempt(&app, &token, alpha, "procdump").await;
    assert_eq!((status, body["data"]["status"].as_str()), (StatusCode::OK, Some("incorrect")), "{body}");
    assert_eq!(body["data"]["message"], "Incorrect.");
    let (status, body) = attempt(&app, &token, alpha, "　ＭＩＭＩＫＡＴＺ ").await;
    assert_eq!((status, body["data"]["status"].as_str()), (StatusCode::OK, Some("correct")), "{body}");
    let (status, body) = attempt(&app, &token, alpha, "mimikatz").await;
    assert_eq!((status, body["data"]["status"].as_str()), (StatusCode::OK, Some("already_solved")), "{body}");

    // What is kept: wrong answers as typed (cut to 256), right ones as their digest only.
    let rows = submissions::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].text.as_deref(), Some("procdump"));
    assert!(rows[1].text.is_none() && rows[1].digest.as_deref().is_some_and(|d| d.starts_with("sha256:")));
    assert!(rows.iter().all(|r| !r.text.as_deref().unwrap_or_default().to_lowercase().contains("mimikatz")));
    let (_, long) = attempt(&app, &token, challenge_id(&app, &token, "zeta").await, &"x".repeat(600)).await;
    assert_eq!(long["data"]["status"], "incorrect");
    let kept =
        submissions::Entity::find().filter(submissions::Column::Outcome.eq("incorrect")).all(&app.db).await.unwrap();
    assert!(kept.iter().any(|r| r.text.as_deref().map(str::len) == Some(256)));

    let (status, body) = attempt(&app, &token, alpha, &"x".repeat(2048)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["submission"].is_array(), "{body}");
    let (status, body) = attempt(&app, &token, 424242, "x").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _) = api(&app, &token, "POST", "/api/v1/challenges/attempt", Some(json!({"submission": "x"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // CTFd's clients may send the answer as a multipart form: read as JSON would be.
    let zeta = challenge_id(&app, &token, "zeta").await;
    let form = reqwest::multipart::Form::new().text("challenge_id", zeta.to_string()).text("submission", "as a form");
    let res = app
        .api()
        .post(app.url("/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body): (StatusCode, Value) = (res.status(), res.json().await.unwrap());
    assert_eq!((status, body["data"]["status"].as_str()), (StatusCode::OK, Some("incorrect")), "{body}");
    let kept =
        submissions::Entity::find().filter(submissions::Column::Text.eq("as a form")).all(&app.db).await.unwrap();
    assert_eq!(kept.len(), 1, "recorded once, as typed");

    // A hidden challenge is as unknown.
    let zeta = challenge_id(&app, &token, "zeta").await;
    entity::challenges::Entity::update_many()
        .col_expr(entity::challenges::Column::Hidden, sea_orm::sea_query::Expr::value(true))
        .filter(entity::challenges::Column::Id.eq(i32::try_from(zeta).unwrap()))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    let (status, _) = attempt(&app, &token, zeta, "net view").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn windows_locks_and_membership_refuse_with_reasons(app: TestApp) {
    let (_, token) = day(&app).await;
    let delta = challenge_id(&app, &token, "delta").await;
    let (status, body) = attempt(&app, &token, delta, "closed answer").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["data"]["status"], "closed", "{body}");
    assert!(body["data"]["closed_at"].as_str().unwrap().ends_with('Z'));
    assert!(body["message"].as_str().unwrap().starts_with("This challenge closed at "), "{body}");

    // gamma (dfir) has not opened: not listed, and refused with its opening time.
    let (_, list) = api(&app, &token, "GET", "/api/v1/challenges", None).await;
    assert!(!list.to_string().contains("問題 gamma"), "{list}");
    let gamma = entity::challenges::Entity::find()
        .filter(entity::challenges::Column::Slug.eq("gamma"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, body) = attempt(&app, &token, i64::from(gamma), "deadbeef").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().starts_with("This challenge opens at "), "{body}");

    // beta requires alpha.
    let beta = challenge_id(&app, &token, "beta").await;
    let (status, body) = attempt(&app, &token, beta, "C:\\Temp\\qpkz.exe").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("Solve these first: alpha"), "{body}");
    let (_, listed) = api(&app, &token, "GET", "/api/v1/challenges", None).await;
    let beta_json = listed["data"].as_array().unwrap().iter().find(|c| c["id"] == beta).unwrap().clone();
    assert_eq!(beta_json["state"], "locked");
    attempt(&app, &token, challenge_id(&app, &token, "alpha").await, "mimikatz").await;
    let (_, body) = attempt(&app, &token, beta, "c:\\temp\\qpkz.exe").await;
    assert_eq!(body["data"]["status"], "incorrect", "exact: case matters");
    let (_, body) = attempt(&app, &token, beta, " C:\\Temp\\qpkz.exe ").await;
    assert_eq!(body["data"]["status"], "correct");

    // Someone without a team sees nothing.
    let bob = app.user("bob", Role::Participant).await;
    let bob_token = app.token_for(&bob).await;
    let (status, body) = attempt(&app, &bob_token, beta, "x").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["message"], "Join a team of this contest to see its challenges.");
    let (status, _) = api(&app, &bob_token, "GET", "/api/v1/challenges", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn wrong_answers_are_limited(app: TestApp) {
    let (_, token) = day(&app).await;
    let zeta = challenge_id(&app, &token, "zeta").await;
    for i in 0..10 {
        let (status, body) = attempt(&app, &token, zeta, &format!("wrong {i}")).await;
        assert_eq!(body["data"]["status"], "incorrect", "{i}: {status} {body}");
    }
    let res = app
        .api()
        .post(app.url("/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .json(&json!({"challenge_id": zeta, "submission": "net view, arp -a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "the 11th within a minute waits, even a right one");
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["status"], "ratelimited");

    let epsilon = challenge_id(&app, &token, "epsilon").await;
    // A fresh team for the attempt limit.
    let mut carol = app.browser();
    carol.register("carol").await;
    carol.create_team("cup", "Carols").await;
    let carol_token = app.token_named("carol").await;
    for _ in 0..2 {
        assert_eq!(attempt(&app, &carol_token, epsilon, "nope").await.1["data"]["status"], "incorrect");
    }
    let (status, body) = attempt(&app, &carol_token, epsilon, "two tries").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["data"]["status"], "ratelimited");
    assert_eq!(body["data"]["message"], "No attempts left for this challenge.");
    let page = carol.get("/contests/cup/challenges/epsilon").await;
    assert!(page.by_id("attempts-left").as_deref() == Some("0"), "{}", page.body);
}

async fn concurrent_right_answers_make_one_solve(app: TestApp) {
    let (_, token) = day(&app).await;
    let code = {
        let mut alice = app.browser();
        alice.login("alice", PASSWORD).await;
        alice.get("/contests/cup/team").await.by_id("invite-code").unwrap()
    };
    let mut tokens = vec![token.clone()];
    for name in ["m1", "m2", "m3"] {
        let mut b = app.browser();
        b.register(name).await;
        assert_eq!(b.join("cup", &code).await.status, StatusCode::OK);
        tokens.push(app.token_named(name).await);
    }
    let alpha = challenge_id(&app, &token, "alpha").await;
    let calls = (0..50).map(|i| {
        let token = tokens[i % tokens.len()].clone();
        let app = &app;
        async move { attempt(app, &token, alpha, "Mimikatz").await }
    });
    let results = futures_util::future::join_all(calls).await;
    let statuses: Vec<String> =
        results.iter().map(|(_, b)| b["data"]["status"].as_str().unwrap_or("?").to_owned()).collect();
    assert!(results.iter().all(|(s, _)| *s == StatusCode::OK), "{results:?}");
    assert_eq!(statuses.iter().filter(|s| *s == "correct").count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| *s == "already_solved").count(), 49, "{statuses:?}");
    assert_eq!(solves::Entity::find().count(&app.db).await.unwrap(), 1);
    assert_eq!(submissions::Entity::find().count(&app.db).await.unwrap(), 50, "every attempt is recorded");
}

async fn hints_cost_once(app: TestApp) {
    let (_, token) = day(&app).await;
    let alpha = challenge_id(&app, &token, "alpha").await;
    let (_, detail) = api(&app, &token, "GET", &format!("/api/v1/challenges/{alpha}"), None).await;
    let hint = detail["data"]["hints"][0].clone();
    assert_eq!(hint["cost"], 10);
    assert!(hint.get("content").is_none(), "locked hints hide their content: {hint}");
    let hint_id = hint["id"].as_i64().unwrap();
    let (status, first) =
        api(&app, &token, "POST", "/api/v1/unlocks", Some(json!({"target": hint_id, "type": "hints"}))).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["data"]["cost"], 10);
    let (_, second) =
        api(&app, &token, "POST", "/api/v1/unlocks", Some(json!({"target": hint_id, "type": "hints"}))).await;
    assert_eq!(second["data"]["cost"], 0);
    assert_eq!(second["data"]["already_unlocked"], true);
    let (_, detail) = api(&app, &token, "GET", &format!("/api/v1/challenges/{alpha}"), None).await;
    assert_eq!(detail["data"]["hints"][0]["content"], "A hint");

    // In the browser: a confirmation first, then the hint; clicking twice still costs once.
    let mut bob = app.browser();
    bob.register("bob").await;
    bob.create_team("cup", "Bobs").await;
    let page = bob.get("/contests/cup/challenges/alpha").await;
    page.assert_contains("Locked hint <span class=\"hint-cost\">(−10 pts)</span>");
    let confirm = bob.get(&format!("/contests/cup/challenges/alpha/hints/{hint_id}/unlock")).await;
    confirm.assert_contains("Unlock this hint?").assert_contains("−10");
    let url = format!("/contests/cup/challenges/alpha/hints/{hint_id}/unlock");
    let shown = bob.post(&url, &[]).await;
    shown.assert_contains("A hint").assert_lacks("Locked hint");
    bob.post(&url, &[]).await;
    let unlocks = hint_unlocks::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(unlocks.len(), 2, "one per team: {unlocks:?}");
    assert!(unlocks.iter().all(|u| u.cost == 10));
}

async fn the_api_describes_the_day(app: TestApp) {
    let (source, token) = day(&app).await;
    let (status, list) = api(&app, &token, "GET", "/contests/cup/api/v1/challenges", None).await;
    assert_eq!(status, StatusCode::OK);
    let alpha = list["data"].as_array().unwrap().iter().find(|c| c["name"] == "問題 alpha").unwrap().clone();
    for key in ["id", "name", "category", "value", "solves", "solved_by_me", "tags", "type"] {
        assert!(alpha.get(key).is_some(), "{key} missing: {alpha}");
    }
    assert_eq!(alpha["category"], "static");
    assert_eq!(alpha["value"], 100);
    assert_eq!(alpha["type"], "standard");
    // Where CTFd sends a player after login: the current contest's board.
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/challenges"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/contests/cup/challenges");
    // Tags as CTFd gives them: objects in the list, plain strings in the challenge itself.
    let epsilon = list["data"].as_array().unwrap().iter().find(|c| c["slug"] == "epsilon").unwrap().clone();
    assert_eq!(epsilon["tags"], json!([{"value": "sysmon"}, {"value": "windows"}]));
    let (_, epsilon) = api(&app, &token, "GET", &format!("/api/v1/challenges/{}", epsilon["id"]), None).await;
    assert_eq!(epsilon["data"]["tags"], json!(["sysmon", "windows"]));
    let id = alpha["id"].as_i64().unwrap();
    let (_, detail) = api(&app, &token, "GET", &format!("/api/v1/challenges/{id}"), None).await;
    let d = &detail["data"];
    assert!(d["description"].as_str().unwrap().contains("Read the log"), "{d}");
    assert_eq!(d["max_attempts"], 0);
    assert_eq!(d["attempts"], 0);
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    assert_eq!(d["file_objects"][0]["size"], content.len());
    assert!(d["files"][0].as_str().unwrap().starts_with("/files/"));
    assert_eq!(d["file_objects"][0]["url"], d["files"][0]);

    // Dynamic value: two solving teams bring zeta from 300 to 200, for both.
    let zeta = challenge_id(&app, &token, "zeta").await;
    assert_eq!(attempt(&app, &token, zeta, "ARP -A\nnet view").await.1["data"]["status"], "correct");
    let mut bob = app.browser();
    bob.register("bob").await;
    bob.create_team("cup", "Bobs").await;
    let bob_token = app.token_named("bob").await;
    assert_eq!(attempt(&app, &bob_token, zeta, "net view,arp -a").await.1["data"]["status"], "correct");
    let (_, detail) = api(&app, &token, "GET", &format!("/api/v1/challenges/{zeta}"), None).await;
    assert_eq!(detail["data"]["value"], 200);
    assert_eq!(detail["data"]["solves"], 2);
    assert_eq!(detail["data"]["type"], "dynamic");
    let (_, solvers) = api(&app, &token, "GET", &format!("/api/v1/challenges/{zeta}/solves"), None).await;
    assert_eq!(solvers["data"][0]["name"], "Finders");
    assert_eq!(solvers["data"][1]["name"], "Bobs");
    assert!(solvers["data"][0]["date"].as_str().unwrap().ends_with('Z'));
    let (_, mine) = api(&app, &token, "GET", "/api/v1/teams/me/solves", None).await;
    assert_eq!(mine["data"][0]["challenge_id"], zeta);
    assert_eq!(mine["data"][0]["challenge"]["value"], 200);
    let (_, notes) = api(&app, &token, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["data"], json!([]));
}

/// The question's first heading is not shown again under the page's title; the answer's format (in the reader's
/// language) and the points a right answer gains stand by the answer field; the API gives both formats.
async fn the_challenge_page_says_its_title_once_with_the_format_and_points_by_the_answer(app: TestApp) {
    let source = Source::valid();
    source.edit(
        "cup/static/alpha/challenge.toml",
        "format = \"text\"",
        "format = \"ツール名\"\nformat_en = \"tool name\"",
    );
    source.write("cup/static/alpha/README.md", "# 問題 alpha\n\n## 問題\n\nログを読んで答えてください。\n");
    source.write("cup/static/alpha/README.en.md", "# Question alpha\n\n## Question\n\nRead the log and answer.\n");
    load(&app, source).await;
    for (lang, title, subhead, format, other, gains) in [
        ("en", "Question alpha", "Question", "Answer format: tool name", "ツール名", "A right answer gains"),
        ("ja", "問題 alpha", "問題", "解答形式: ツール名", "tool name", "正解で得られる点"),
    ] {
        let mut b = app.browser_in(lang);
        b.register(&format!("reader-{lang}")).await;
        b.create_team("cup", &format!("Readers {lang}")).await;
        let page = b.get("/contests/cup/challenges/alpha").await;
        page.assert_contains(&format!("<h1>{title} </h1>"))
            .assert_lacks(&format!("<h2>{title}</h2>"))
            .assert_contains(&format!("<h2>{subhead}</h2>"))
            .assert_contains(format)
            .assert_lacks(other)
            .assert_contains(&format!("{gains}: <strong id=\"gains\">100</strong>"));
        assert_eq!(page.body.matches(format).count(), 1, "the format once: {}", page.body);
        let answer_field = page.body.find("name=\"answer\"").unwrap();
        assert!(page.body.find(format).unwrap() > answer_field, "the format stands by the answer field");
    }
    let token = app.token_named("reader-en").await;
    let id = challenge_id(&app, &token, "alpha").await;
    let (_, detail) = api(&app, &token, "GET", &format!("/api/v1/challenges/{id}"), None).await;
    assert_eq!(detail["data"]["format"], "ツール名");
    assert_eq!(detail["data"]["format_en"], "tool name");
}

async fn a_person_plays_in_the_browser(app: TestApp) {
    day(&app).await;
    for (lang, question, wrong, right, solved) in [
        ("en", "Read the log", "Incorrect.", "Correct!", "Solved"),
        ("ja", "ログを読んで答えてください", "不正解です。", "正解です!", "解答済み"),
    ] {
        let mut b = app.browser_in(lang);
        b.register(&format!("player-{lang}")).await;
        b.create_team("cup", &format!("Team {lang}")).await;
        let contest = b.get("/contests/cup").await;
        contest.assert_contains("/contests/cup/challenges");
        let board = b.get("/contests/cup/challenges").await;
        assert_eq!(board.status, StatusCode::OK);
        board.assert_contains("/contests/cup/challenges/alpha").assert_lacks("/contests/cup/challenges/gamma\"");
        let page = b.get("/contests/cup/challenges/alpha").await;
        page.assert_contains(question).assert_contains("sysmon.txt").assert_contains("/datasets/ffri");
        let miss = b.post("/contests/cup/challenges/alpha", &[("answer", "procdump")]).await;
        assert_eq!(miss.status, StatusCode::OK);
        miss.assert_contains(wrong).assert_contains("<code>procdump</code>");
        let hit = b.post("/contests/cup/challenges/alpha", &[("answer", "Mimikatz")]).await;
        hit.assert_contains(right).assert_contains(solved).assert_lacks("name=\"answer\"");
        b.get("/contests/cup/challenges").await.assert_contains(&format!("✔ {solved}"));
        let locked = b.get("/contests/cup/challenges/gamma").await;
        assert_eq!(locked.status, StatusCode::FORBIDDEN);
    }
    let mut stranger = app.browser();
    stranger.register("stranger").await;
    let page = stranger.get("/contests/cup/challenges").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("Join a team of this contest");
}

async fn organizers_pause_and_announce(app: TestApp) {
    let (_, token) = day(&app).await;
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console").await.assert_contains("Taking answers");
    chief.post("/contests/cup/console/pause", &[("confirm", "yes")]).await.assert_contains("Paused");
    let alpha = challenge_id(&app, &token, "alpha").await;
    let (status, body) = attempt(&app, &token, alpha, "mimikatz").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["data"]["status"], "paused", "{body}");
    chief.post("/contests/cup/console/resume", &[]).await;
    assert_eq!(attempt(&app, &token, alpha, "mimikatz").await.1["data"]["status"], "correct");

    chief.get("/contests/cup/console").await;
    let page = chief
        .post(
            "/contests/cup/console/announcements",
            &[
                ("title", "問題の訂正"),
                ("title_en", "A correction"),
                ("body", "**gamma** の説明を直しました。"),
                ("body_en", "The text of **gamma** was fixed."),
            ],
        )
        .await;
    page.assert_contains("A correction").assert_contains("<strong>gamma</strong>");
    let mut alice = app.browser_in("ja");
    alice.login("alice", PASSWORD).await;
    alice.get("/contests/cup").await.assert_contains("問題の訂正");
    let (_, notes) = api(&app, &token, "GET", "/api/v1/notifications", None).await;
    assert_eq!(notes["data"][0]["title"], "A correction");

    let mut bob = app.browser();
    bob.register("bob").await;
    assert_eq!(bob.get("/contests/cup/console").await.status, StatusCode::FORBIDDEN);
}

/// A hint removed from the sources after a team paid for it: hidden, the unlock and its cost kept.
async fn a_hint_removed_by_a_resync_keeps_its_cost(app: TestApp) {
    let (source, token) = day(&app).await;
    let alpha = challenge_id(&app, &token, "alpha").await;
    let (_, detail) = api(&app, &token, "GET", &format!("/api/v1/challenges/{alpha}"), None).await;
    let hint = detail["data"]["hints"][0]["id"].clone();
    api(&app, &token, "POST", "/api/v1/unlocks", Some(json!({"target": hint, "type": "hints"}))).await;
    source.edit(
        "cup/static/alpha/challenge.toml",
        "\n[[hints]]\ntext = \"ヒント\"\ntext_en = \"A hint\"\ncost = 10\n",
        "\n",
    );
    let checked = mwscup::authoring::load_checked(&source.dir()).unwrap();
    let shift = (chrono::Utc::now() - chrono::Duration::minutes(30)) - checked.contest.starts_at;
    let lines = mwscup::authoring::sync::sync(&app.db, &app.blobs, &checked.shifted(shift)).await.unwrap();
    app.reload().await;
    assert!(lines.iter().any(|l| l.contains("hints[0]: hidden")), "{lines:?}");
    assert_eq!(hint_unlocks::Entity::find().count(&app.db).await.unwrap(), 1, "the unlock is kept");
    let (_, detail) = api(&app, &token, "GET", &format!("/api/v1/challenges/{alpha}"), None).await;
    assert_eq!(detail["data"]["hints"], json!([]), "the hint is shown to no one");
    let (status, _) =
        api(&app, &token, "POST", "/api/v1/unlocks", Some(json!({"target": hint, "type": "hints"}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, board) = api(&app, &token, "GET", "/contests/cup/scoreboard.json", None).await;
    let finders = board["standings"].as_array().unwrap().iter().find(|r| r["team"] == "Finders").unwrap().clone();
    assert_eq!(finders["score"], -10, "the cost paid still counts");
}

/// The last member of a team that scored leaves: the team stays, with its points, and can be joined again.
async fn a_team_that_scored_outlives_its_last_member(app: TestApp) {
    let (_, token) = day(&app).await;
    let alpha = challenge_id(&app, &token, "alpha").await;
    attempt(&app, &token, alpha, "mimikatz").await;
    let mut alice = app.browser();
    alice.login("alice", PASSWORD).await;
    let code = alice.get("/contests/cup/team").await.by_id("invite-code").unwrap();
    alice.post("/contests/cup/team/leave", &[("confirm", "yes")]).await.assert_contains("Create a team");
    let (_, board) = api(&app, &token, "GET", "/contests/cup/scoreboard.json", None).await;
    let finders = board["standings"].as_array().unwrap().iter().find(|r| r["team"] == "Finders").cloned();
    assert_eq!(finders.map(|r| r["score"].clone()), Some(json!(100)), "the team and its points stay");
    assert_eq!(solves::Entity::find().count(&app.db).await.unwrap(), 1);
    // Someone joins the empty team and becomes its captain.
    let mut bob = app.browser();
    bob.register("bob").await;
    let team = bob.join("cup", &code).await;
    assert!(team.body.contains(r#"bob <span class="badge">Captain</span>"#), "{}", team.body);
}

/// Organizers and judges never play: no team of their own or by invite, no answers, no hints; organizers
/// see every challenge (even one not open yet), judges see the contest day as anyone outside a team does, and
/// a member made judge during the day stops answering for the team.
async fn organizers_and_judges_do_not_play(app: TestApp) {
    let (_, token) = day(&app).await;
    let alpha = challenge_id(&app, &token, "alpha").await;
    let mut alice = app.browser();
    alice.login("alice", PASSWORD).await;
    let code = alice.get("/contests/cup/team").await.by_id("invite-code").expect("alice's invite code");
    for (name, role) in [("judy", Role::Judge), ("olga", Role::Organizer)] {
        let user = app.user(name, role).await;
        let mut b = app.browser();
        b.login(name, PASSWORD).await;
        b.get("/contests/cup").await;
        let create = b.post("/contests/cup/teams", &[("name", &format!("Team {name}")), ("affiliation", "")]).await;
        assert_eq!(create.status, StatusCode::FORBIDDEN, "{name} creates no team");
        create.assert_contains("Organizers and judges cannot be in a team or answer.");
        b.get("/contests/cup").await;
        assert_eq!(
            b.post("/contests/cup/join", &[("code", &code)]).await.status,
            StatusCode::FORBIDDEN,
            "{name} joins none"
        );
        let staff_token = app.token_for(&user).await;
        let (status, body) = attempt(&app, &staff_token, alpha, "Mimikatz").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name} answers nothing: {body}");
        let (status, body) =
            api(&app, &staff_token, "POST", "/api/v1/unlocks", Some(json!({"target": 1, "type": "hints"}))).await;
        assert!(status.is_client_error(), "{name} unlocks no hint: {status} {body}");
        let gamma = b.get("/contests/cup/challenges/gamma").await;
        let board = b.get("/contests/cup/challenges").await;
        if role == Role::Organizer {
            assert_eq!(gamma.status, StatusCode::OK, "organizers see ahead");
            gamma.assert_contains("A hint");
            board.assert_contains("Question gamma");
        } else {
            assert!(gamma.status.is_client_error(), "a judge does not see a challenge before it opens");
            assert!(!gamma.body.contains("A hint") && !board.body.contains("Question gamma"), "{}", board.body);
            let (status, _) = api(&app, &staff_token, "GET", "/api/v1/challenges", None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "nor the board");
        }
    }
    let chief_token = app.organizer_token().await;
    let judy = mwscup::store::users::by_username(&app.db, &mwscup::domain::names::Username::parse("judy").unwrap())
        .await
        .unwrap()
        .unwrap();
    let team_id = api(&app, &token, "GET", "/api/v1/teams/me", None).await.1["data"]["id"].as_i64().unwrap();
    let (status, _) =
        api(&app, &chief_token, "POST", &format!("/api/v1/teams/{team_id}/members"), Some(json!({"user_id": judy.id})))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nor can an organizer put a judge into a team");

    // Alice made judge during the day keeps her place, but stops answering.
    let alice_user =
        mwscup::store::users::by_username(&app.db, &mwscup::domain::names::Username::parse("alice").unwrap())
            .await
            .unwrap()
            .unwrap();
    // Through the organizers' page, which tells every instance to read her again.
    let mut boss = app.browser();
    boss.login("boss", PASSWORD).await;
    boss.get("/admin/users").await;
    let made = boss.post(&format!("/admin/users/{}/role", alice_user.id), &[("role", "judge")]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let (status, body) = attempt(&app, &token, alpha, "Mimikatz").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["message"], "Organizers and judges cannot be in a team or answer.");
}

fn prometheus_on_localhost(settings: &mut mwscup::config::Settings) {
    settings.metrics_from = vec!["127.0.0.1/32".parse().unwrap()];
}

/// `/metrics` in Prometheus' text format: answers by verdict, requests by route pattern and status, the live
/// connections and the pool; readable without an account from an address `metrics_from` names.
async fn metrics_count_answers_and_requests(app: TestApp) {
    let (_, token) = day(&app).await;
    let alpha = challenge_id(&app, &token, "alpha").await;
    attempt(&app, &token, alpha, "not it").await;
    attempt(&app, &token, alpha, "Mimikatz").await;
    let res = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = res.text().await.unwrap();
    // The registry is the process's: other tests' servers count in it too, so look for the lines, not values.
    for line in [
        "mwscup_answers_total{verdict=\"incorrect\"}",
        "mwscup_answers_total{verdict=\"correct\"}",
        "mwscup_http_requests_total{method=\"POST\",route=\"/api/v1/challenges/attempt\",status=\"200\"}",
        "mwscup_sse_clients ",
        "mwscup_db_pool_connections ",
        "mwscup_live_recomputations_total ",
        "mwscup_blob_read_bytes_total ",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    // Loading the contest stored its attachments.
    let written = text.lines().find_map(|l| l.strip_prefix("mwscup_blob_written_bytes_total ")).unwrap();
    assert!(written.parse::<u64>().unwrap() > 0, "{written}");
    assert!(!text.contains("Mimikatz"), "an answer never reaches the metrics");
}
