//! CTFd's clients, as teams run them: a downloader with only a token, a login through CTFd's form, and the
//! shapes CTFd's client libraries validate.

use regex::Regex;
use reqwest::header::AUTHORIZATION;
use reqwest::{StatusCode, Url};
use serde_json::{Value, json};
use sha2::Digest;

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{PASSWORD, TestApp};

both!(
    a_downloader_with_only_a_token_fetches_every_file,
    a_ctfd_form_login_lands_on_the_board_and_answers,
    ctfd_shapes_hold
);

/// The fixture contest with a challenge of its own files (no dataset terms), beside alpha's (FFRI's terms).
fn source_with_files() -> Source {
    let source = Source::valid();
    source.challenge("static", "delta", "exact", "salt-delta", "d", "points = 50\n");
    source.write("cup/static/delta/files/notes with space.txt", "delta's notes\n");
    source.write("cup/static/delta/files/サンプル.csv", "a,b\n1,2\n");
    source
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// What CTFd downloaders do: list, get each challenge, `urljoin(base, file)` each of its `files`, and fetch it
/// with a plain session that follows redirects (and, as most of them do, without the token).
async fn a_downloader_with_only_a_token_fetches_every_file(app: TestApp) {
    load(&app, source_with_files()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let token = app.token_named("alice").await;
    let auth = format!("Token {token}");
    let base = Url::parse(&app.url("/")).unwrap();
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(base.join(path).unwrap()).header(AUTHORIZATION, &auth).send();

    let list: Value = get("/api/v1/challenges").await.unwrap().json().await.unwrap();
    let mut fetched = Vec::new();
    let mut refused = Vec::new();
    for challenge in list["data"].as_array().unwrap() {
        let id = challenge["id"].as_i64().unwrap();
        // A locked challenge is listed as CTFd lists a hidden one: nothing to fetch yet.
        if challenge["type"] == "hidden" {
            assert_eq!(challenge["name"], "???");
            continue;
        }
        let detail: Value = get(&format!("/api/v1/challenges/{id}")).await.unwrap().json().await.unwrap();
        let files = detail["data"]["files"].as_array().unwrap();
        let objects = detail["data"]["file_objects"].as_array().unwrap();
        assert_eq!(files.len(), objects.len());
        for (file, object) in files.iter().zip(objects) {
            let file = file.as_str().expect("files are URL strings, as CTFd gives them");
            assert!(file.starts_with("/files/") && file.contains("?token="), "{file}");
            let res = client.get(base.join(file).unwrap()).send().await.unwrap();
            let status = res.status();
            if status == StatusCode::OK {
                let bytes = res.bytes().await.unwrap();
                assert_eq!(sha256_hex(&bytes), object["sha256"].as_str().unwrap(), "{file}");
                assert_eq!(bytes.len() as i64, object["size"].as_i64().unwrap());
                fetched.push(object["name"].as_str().unwrap().to_owned());
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{file}");
                assert_eq!(res.headers()["content-type"], "application/json");
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["success"], false);
                assert_eq!(body["datasets"][0]["key"], "ffri");
                assert_eq!(body["datasets"][0]["terms_version"], "2026-1");
                assert_eq!(body["datasets"][0]["agree_url"], "/datasets/ffri");
                assert!(body["message"].as_str().unwrap().contains("FFRI Dataset"), "{body}");
                refused.push(object["name"].as_str().unwrap().to_owned());
            }
        }
    }
    fetched.sort();
    assert_eq!(fetched, ["notes with space.txt", "サンプル.csv"]);
    assert_eq!(refused, ["sysmon.txt"], "alpha's file waits for FFRI's terms");

    // The caller's standing with each dataset, and after agreeing, the file.
    let datasets: Value = get("/api/v1/datasets").await.unwrap().json().await.unwrap();
    let ffri = &datasets["data"][0];
    assert_eq!(
        (&ffri["key"], &ffri["agreement_required"], &ffri["agreed_at"]),
        (&"ffri".into(), &true.into(), &Value::Null)
    );
    alice.get("/datasets/ffri").await;
    alice.post("/datasets/ffri/agree", &[]).await.assert_contains("You agreed to the terms");
    let datasets: Value = get("/api/v1/datasets").await.unwrap().json().await.unwrap();
    assert!(datasets["data"][0]["agreed_at"].is_string(), "{datasets}");
    let ids = app.challenge_ids(&token, "/api/v1/challenges").await;
    let alpha: Value = get(&format!("/api/v1/challenges/{}", ids["alpha"])).await.unwrap().json().await.unwrap();
    let link = alpha["data"]["files"][0].as_str().unwrap().to_owned();
    let res = client.get(base.join(&link).unwrap()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sha256_hex(&res.bytes().await.unwrap()), alpha["data"]["file_objects"][0]["sha256"].as_str().unwrap());

    // The token in the header works as well as the link; an altered link or none at all is refused in JSON,
    // never led to the login page.
    let bare = link.split('?').next().unwrap();
    let res = client.get(base.join(bare).unwrap()).header(AUTHORIZATION, &auth).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = no_redirects.get(base.join(bare).unwrap()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["content-type"], "application/json");
    let forged = link.replacen("?token=", "?token=9", 1);
    let res = no_redirects.get(base.join(&forged).unwrap()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("期限切れ"), "{body}");
    let other_file = link.replacen("sysmon.txt", "other.txt", 1);
    let res = no_redirects.get(base.join(&other_file).unwrap()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a link serves the one file it was made for");

    // A person in a browser who is not signed in is still led to the login form.
    let browser = app.browser();
    let res = browser.direct().get(app.url(bare)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// CTFd's login form as its scripts fill it: `name`, `password` and the `nonce` scraped from the page.
async fn ctfd_login(base: &Url, path: &str, name: &str, password: &str) -> (reqwest::Client, reqwest::Response) {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let form = client.get(base.join(path).unwrap()).send().await.unwrap().text().await.unwrap();
    let nonce =
        Regex::new(r#"name="nonce"(?:[^<>]+)?value="([0-9a-f]{64})""#).unwrap().captures(&form).unwrap()[1].to_owned();
    let fields = [("name", name), ("password", password), ("_submit", "Submit"), ("nonce", nonce.as_str())];
    let res = client.post(base.join(path).unwrap()).form(&fields).send().await.unwrap();
    (client, res)
}

async fn a_ctfd_form_login_lands_on_the_board_and_answers(app: TestApp) {
    load(&app, source_with_files()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let base = Url::parse(&app.url("/")).unwrap();

    let (client, res) = ctfd_login(&base, "/login", "alice", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.url().path(), "/contests/cup/challenges", "as CTFd, on to the challenges");
    let board = res.text().await.unwrap();
    assert!(board.contains("問題 delta"), "{board}");
    // The token for the API, as CTFd's pages give it to scripts (no inline script: a meta tag).
    let csrf =
        Regex::new(r#"name="csrfNonce" content="([0-9a-f]{64})""#).unwrap().captures(&board).unwrap()[1].to_owned();
    let list: Value = client.get(base.join("/api/v1/challenges").unwrap()).send().await.unwrap().json().await.unwrap();
    let delta = list["data"].as_array().unwrap().iter().find(|c| c["slug"] == "delta").unwrap()["id"].clone();
    let answer = json!({"challenge_id": delta, "submission": "d"});
    let url = base.join("/api/v1/challenges/attempt").unwrap();
    let refused = client.post(url.clone()).json(&answer).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "a session's change needs the CSRF token");
    let res = client.post(url).header("CSRF-Token", &csrf).json(&answer).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["status"], "correct", "{body}");

    // A contest's own login, where CTFd's scripts look for one.
    let (_, res) = ctfd_login(&base, "/contests/cup/login", "ALICE", PASSWORD).await;
    assert_eq!((res.status(), res.url().path()), (StatusCode::OK, "/contests/cup/challenges"));
    let form = reqwest::get(app.url("/contests/cup/login")).await.unwrap().text().await.unwrap();
    assert!(form.contains(r#"action="/contests/cup/login""#), "{form}");
    assert_eq!(reqwest::get(app.url("/contests/nope/login")).await.unwrap().status(), StatusCode::NOT_FOUND);

    // A wrong password stays on the form, told so.
    let (_, res) = ctfd_login(&base, "/login", "alice", "not the password").await;
    assert_eq!((res.status(), res.url().path()), (StatusCode::UNAUTHORIZED, "/login"));
}

fn is_int(v: &Value) -> bool {
    v.is_i64()
}

/// Every CTFd-shaped answer, with CTFd's field names and types (whole-number scores and values).
async fn ctfd_shapes_hold(app: TestApp) {
    load(&app, source_with_files()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let mut bob = app.browser();
    bob.register("bob").await;
    bob.create_team("cup", "Seekers").await;
    let token = app.token_named("alice").await;
    let bob_token = app.token_named("bob").await;
    let client = reqwest::Client::new();
    let get = |path: String, token: &str| {
        let request = client.get(app.url(&path)).header(AUTHORIZATION, format!("Token {token}"));
        async move {
            let res = request.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["success"], true, "{path}: {body}");
            body
        }
    };
    let post = |path: &str, body: Value| {
        client.post(app.url(path)).header(AUTHORIZATION, format!("Token {token}")).json(&body).send()
    };

    // The list: open challenges as CTFd lists them, a locked one as CTFd lists a hidden one.
    let list = get("/api/v1/challenges".into(), &token).await;
    for c in list["data"].as_array().unwrap() {
        assert!(is_int(&c["id"]) && is_int(&c["value"]) && c["name"].is_string() && c["category"].is_string(), "{c}");
        assert!(c["solved_by_me"].is_boolean() && c["type"].is_string() && c["tags"].is_array(), "{c}");
    }
    let ids = app.challenge_ids(&token, "/api/v1/challenges").await;
    let (alpha, delta) = (ids["alpha"], ids["delta"]);
    let beta = list["data"].as_array().unwrap().iter().find(|c| c["type"] == "hidden").unwrap();
    let expected = json!({"id": beta["id"], "type": "hidden", "name": "???", "value": 0, "solves": null,
        "solved_by_me": false, "category": "???", "tags": [], "template": "", "script": "", "state": "locked"});
    assert_eq!(beta, &expected);

    // A challenge and its parts.
    let detail = get(format!("/api/v1/challenges/{delta}"), &token).await;
    let d = &detail["data"];
    assert!(d["files"].as_array().unwrap().iter().all(Value::is_string), "{d}");
    assert!(d["tags"].as_array().unwrap().iter().all(Value::is_string), "{d}");
    assert!(is_int(&d["value"]) && is_int(&d["attempts"]) && is_int(&d["max_attempts"]), "{d}");
    let hint = &d["hints"][0];
    assert!(is_int(&hint["id"]) && is_int(&hint["cost"]) && hint["title"].is_string() && hint.get("content").is_none());
    let files = get(format!("/api/v1/challenges/{delta}/files"), &token).await;
    assert_eq!(files["data"].as_array().unwrap().len(), 2);
    assert_eq!(files["data"][0]["url"], d["files"][0]);
    let hints = get(format!("/api/v1/challenges/{delta}/hints"), &token).await;
    assert_eq!(hints["data"][0]["id"], hint["id"]);
    let one_hint = get(format!("/api/v1/hints/{}", hint["id"]), &token).await;
    assert_eq!((&one_hint["data"]["challenge_id"], &one_hint["data"]["view"]), (&json!(delta), &json!("locked")));
    let tags = get(format!("/api/v1/challenges/{delta}/tags"), &token).await;
    assert_eq!(tags["data"], json!([]));

    // A wrong answer, an unlocked hint, a solve.
    let res: Value = post("/api/v1/challenges/attempt", json!({"challenge_id": alpha, "submission": "no"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["data"]["status"], "incorrect");
    let res: Value =
        post("/api/v1/unlocks", json!({"target": hint["id"], "type": "hints"})).await.unwrap().json().await.unwrap();
    assert_eq!(res["data"]["content"], "ヒント");
    let one_hint = get(format!("/api/v1/hints/{}", hint["id"]), &token).await;
    assert_eq!(one_hint["data"]["content"], "ヒント");
    let res: Value = post("/api/v1/challenges/attempt", json!({"challenge_id": delta, "submission": "d"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["data"]["status"], "correct");

    // The team's and the user's solves and fails.
    let me: Value = get("/api/v1/users/me".into(), &token).await;
    let (user_id, team_id) = (me["data"]["id"].clone(), me["data"]["team_id"].clone());
    for path in ["/api/v1/teams/me/solves", "/api/v1/users/me/solves"] {
        let solves = get(path.into(), &token).await;
        assert_eq!(solves["meta"]["count"], 1, "{path}: {solves}");
        let s = &solves["data"][0];
        assert!(is_int(&s["id"]) && s["date"].is_string(), "{s}");
        assert_eq!(s["type"], "correct");
        assert_eq!(s["challenge_id"], delta);
        assert_eq!(s["challenge"]["name"], "問題 delta");
        assert_eq!((&s["challenge"]["category"], &s["challenge"]["value"]), (&json!("static"), &json!(50)));
        assert_eq!(s["user"], json!({"id": user_id, "name": "alice"}));
        assert_eq!(s["team"], json!({"id": team_id, "name": "Finders"}));
    }
    for path in ["/api/v1/teams/me/fails", "/api/v1/users/me/fails"] {
        let fails = get(path.into(), &token).await;
        assert_eq!(fails["meta"]["count"], 1, "{path}: {fails}");
        assert_eq!(
            (&fails["data"][0]["type"], &fails["data"][0]["challenge_id"]),
            (&json!("incorrect"), &json!(alpha))
        );
    }
    // Another team sees how many, not what.
    let fails = get(format!("/api/v1/teams/{team_id}/fails"), &bob_token).await;
    assert_eq!((&fails["data"], &fails["meta"]["count"]), (&json!([]), &json!(1)));
    let solves = get(format!("/api/v1/users/{user_id}/solves"), &bob_token).await;
    assert_eq!(solves["data"][0]["user"]["name"], "alice");

    // An organizer's adjustment is an award, in whole points.
    let contest = mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let chief = app.user("chief", mwscup::domain::role::Role::Organizer).await;
    let new = mwscup::store::scores::NewAdjustment {
        contest_id: contest.id,
        team_id: team_id.as_i64().unwrap() as i32,
        area_id: None,
        points: mwscup::domain::standings::Points(1250),
        reason: "Best write-up".into(),
        author_id: chief.id,
    };
    mwscup::store::scores::adjust(&app.db, new).await.unwrap();
    let awards = get(format!("/api/v1/teams/{team_id}/awards"), &bob_token).await;
    assert_eq!((&awards["data"][0]["name"], &awards["data"][0]["value"]), (&json!("Best write-up"), &json!(13)));
    assert_eq!(get("/api/v1/users/me/awards".into(), &token).await["meta"]["count"], 0);

    // Profiles, and the scoreboard in whole points with a page at each account_url.
    app.reload().await;
    let team = get(format!("/api/v1/teams/{team_id}"), &bob_token).await;
    let t = &team["data"];
    assert_eq!((&t["name"], &t["members"], &t["place"]), (&json!("Finders"), &json!([user_id]), &json!(1)));
    assert!(is_int(&t["score"]) && t.get("invite_code").is_none(), "{t}");
    let user = get(format!("/api/v1/users/{user_id}"), &bob_token).await;
    assert_eq!((&user["data"]["name"], &user["data"]["team_id"]), (&json!("alice"), &team_id));
    let board = get("/api/v1/scoreboard".into(), &token).await;
    let first = &board["data"][0];
    assert!(is_int(&first["pos"]) && is_int(&first["account_id"]) && is_int(&first["score"]), "{first}");
    assert_eq!((&first["account_type"], &first["name"]), (&json!("team"), &json!("Finders")));
    let top = get("/api/v1/scoreboard/top/10".into(), &token).await;
    let solve = &top["data"]["1"]["solves"][0];
    assert!(is_int(&solve["value"]) && is_int(&solve["challenge_id"]) && is_int(&top["data"]["1"]["score"]), "{top}");
    // The board tells the team where it stands; the scoreboard links each team's page and marks the reader's.
    let board = alice.get("/contests/cup/challenges").await;
    board.assert_contains(&format!(r#"Your team: <a href="/teams/{team_id}"><strong>#1</strong></a>"#));
    let scoreboard = alice.get("/contests/cup/scoreboard").await;
    scoreboard.assert_contains(&format!(r#"data-mine="{team_id}""#));
    scoreboard.assert_contains(&format!(
        r#"<tr data-team="{team_id}"><td class="pos">1</td><td class="team"><a href="/teams/{team_id}">Finders</a>"#
    ));
    let account = bob.get(first["account_url"].as_str().unwrap()).await;
    assert_eq!(account.status, StatusCode::OK);
    account.assert_contains("Finders").assert_contains("alice").assert_contains("Question delta");

    // Anonymous: 403, as CTFd answers.
    let res = client.get(app.url("/api/v1/challenges")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.json::<Value>().await.unwrap()["success"], false);
}
