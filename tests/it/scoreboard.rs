//! The scoreboard: scores computed by hand, freeze and reveal, hidden teams, members-only boards, the
//! feeds, a restart, Server-Sent Events, and two instances on one PostgreSQL.

use std::time::Instant;

use mwscup::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{Browser, Events, PASSWORD, PROMPTLY, TestApp, start};

both!(scores_follow_solves_hints_and_adjustments, the_freeze_hides_and_the_reveal_shows, members_only_and_hidden_teams);
both!(standings_survive_a_restart, a_solve_reaches_open_scoreboards_at_once, two_instances_share_the_standings);
both!(feeds_are_compressed_once_and_follow_the_next_solve, the_csv_export_runs_no_formula);

/// The fixture with a dynamic challenge `zeta` (linear 300, −100 a solver, at least 100).
pub(crate) fn cup(extra_contest: &str) -> Source {
    let s = Source::valid().with_dynamic_zeta();
    if !extra_contest.is_empty() {
        s.edit("cup/contest.toml", "max_team_size = 4", &format!("max_team_size = 4\n{extra_contest}"));
    }
    s
}

/// A registered user with a team of the same name, and an API token.
pub(crate) async fn player(app: &TestApp, name: &str) -> (Browser, String) {
    let mut b = app.browser();
    b.register(name).await;
    b.create_team("cup", &format!("Team {name}")).await;
    (b, app.token_named(name).await)
}

async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = app.api().get(app.url(path));
    if let Some(t) = token {
        req = req.header("Authorization", format!("Token {t}"));
    }
    let res = req.send().await.unwrap();
    crate::helpers::json_of(res).await
}

pub(crate) async fn solve(app: &TestApp, token: &str, slug: &str, answer: &str) {
    let (_, list) = get_json(app, "/api/v1/challenges", Some(token)).await;
    let id = list["data"].as_array().unwrap().iter().find(|c| c["slug"] == slug).unwrap()["id"].clone();
    let res = app
        .api()
        .post(app.url("/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .json(&json!({"challenge_id": id, "submission": answer}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["status"], "correct", "{slug}: {body}");
}

fn table(board: &Value, key: &str) -> Vec<(u64, String, Value)> {
    board[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["pos"].as_u64().unwrap(), r["team"].as_str().unwrap().to_owned(), r["score"].clone()))
        .collect()
}

pub(crate) async fn organizer(app: &TestApp) -> Browser {
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief
}

async fn scores_follow_solves_hints_and_adjustments(app: TestApp) {
    load(&app, cup("")).await;
    let (_, finders) = player(&app, "finders").await;
    let (_, bobs) = player(&app, "bobs").await;
    let (_, carols) = player(&app, "carols").await;
    solve(&app, &finders, "alpha", "mimikatz").await;
    solve(&app, &finders, "zeta", "net view, arp -a").await;
    solve(&app, &bobs, "zeta", "arp -a, net view").await;
    solve(&app, &carols, "alpha", "Mimikatz").await;
    let (_, detail) = get_json(&app, "/api/v1/challenges", Some(&finders)).await;
    let alpha =
        detail["data"].as_array().unwrap().iter().find(|c| c["slug"] == "alpha").unwrap()["id"].as_i64().unwrap();
    let (_, alpha_detail) = get_json(&app, &format!("/api/v1/challenges/{alpha}"), Some(&finders)).await;
    let hint = alpha_detail["data"]["hints"][0]["id"].clone();
    app.api()
        .post(app.url("/api/v1/unlocks"))
        .header("Authorization", format!("Token {finders}"))
        .json(&json!({"target": hint, "type": "hints"}))
        .send()
        .await
        .unwrap();
    let mut chief = organizer(&app).await;
    let console = chief.get("/contests/cup/console").await;
    let carols_id =
        regex::Regex::new(r#"<option value="(\d+)">Team carols</option>"#).unwrap().captures(&console.body).unwrap()[1]
            .to_owned();
    chief
        .post(
            "/contests/cup/console/adjustments",
            &[("team_id", &carols_id), ("area", ""), ("points", "+5.5"), ("reason", "judges' bonus")],
        )
        .await
        .assert_contains("bonus");

    // Finders 100 + 200 (zeta, two solvers) − 10 (hint) = 290; Bobs 200; Carols 100 + 5.5.
    let (status, board) = get_json(&app, "/contests/cup/scoreboard.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        table(&board, "standings"),
        vec![
            (1, "Team finders".into(), json!(290)),
            (2, "Team bobs".into(), json!(200)),
            (3, "Team carols".into(), json!(105.5))
        ]
    );
    let static_area: Vec<_> =
        board["by_area"]["static"].as_array().unwrap().iter().map(|r| r["score"].clone()).collect();
    assert_eq!(static_area, vec![json!(290), json!(200), json!(100)], "the adjustment counts in the total only");
    let dfir: Vec<_> = board["by_area"]["dfir"].as_array().unwrap().iter().map(|r| r["pos"].clone()).collect();
    assert_eq!(dfir, vec![json!(1), json!(1), json!(1)], "equal teams share a position");

    let (_, ctfd) = get_json(&app, "/api/v1/scoreboard", Some(&finders)).await;
    assert_eq!(ctfd["data"][0]["name"], "Team finders");
    assert_eq!(ctfd["data"][0]["account_type"], "team");
    // CTFd's clients take whole scores: 105.5 is 106 there, while scoreboard.json keeps it exact.
    let carols = ctfd["data"].as_array().unwrap().iter().find(|r| r["name"] == "Team carols").unwrap().clone();
    assert!(carols["score"].is_i64() && carols["score"] == 106, "{carols}");
    assert!(board.to_string().contains("105.5"), "{board}");
    let (_, top) = get_json(&app, "/api/v1/scoreboard/top/2", Some(&finders)).await;
    assert_eq!(top["data"]["1"]["solves"].as_array().unwrap().len(), 2);
    assert!(top["data"].get("3").is_none());

    // CTFtime's documented fields.
    let (_, feed) = get_json(&app, "/contests/cup/ctftime.json", None).await;
    assert!(feed["tasks"].as_array().unwrap().contains(&json!("問題 zeta")));
    assert!(
        !feed["tasks"].as_array().unwrap().contains(&json!("問題 gamma")),
        "a challenge not open yet is not named to strangers: {feed}"
    );
    let first = &feed["standings"][0];
    assert_eq!(
        (first["pos"].clone(), first["team"].clone(), first["score"].clone()),
        (json!(1), json!("Team finders"), json!(290))
    );
    assert_eq!(first["taskStats"]["問題 zeta"]["points"], 200);
    assert!(first["taskStats"]["問題 zeta"]["time"].as_i64().unwrap() > 1_700_000_000);
    assert!(first["lastAccept"].as_i64().unwrap() > 1_700_000_000);

    // The page: overall and per area, without JavaScript, with the chart.
    let mut visitor = app.browser();
    let page = visitor.get("/contests/cup/scoreboard").await;
    page.assert_contains("Team finders")
        .assert_contains("290")
        .assert_contains("105.5")
        .assert_contains("<svg class=\"chart\"");
    visitor.get("/contests/cup/scoreboard?area=static").await.assert_contains("Team bobs");
    assert_eq!(visitor.get("/contests/cup/scoreboard?area=nope").await.status, StatusCode::NOT_FOUND);

    // The export says the same.
    let out = app.fixture.cli(&["export", "--contest", "cup", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("pos,team_id,team,score,on_day,last_at,\"static\",\"dfir\"\n"), "{csv}");
    assert!(csv.contains("\"Team carols\",105.5,105.5"), "{csv}");
}

async fn the_freeze_hides_and_the_reveal_shows(app: TestApp) {
    // Frozen ten minutes after the start, i.e. twenty minutes ago.
    let source = cup("");
    source.edit("cup/contest.toml", "freeze_at = 2026-10-20T12:30:00+09:00", "freeze_at = 2026-10-20T09:10:00+09:00");
    load(&app, source).await;
    let (mut finders_browser, finders) = player(&app, "finders").await;
    let (_, bobs) = player(&app, "bobs").await;
    solve(&app, &finders, "alpha", "mimikatz").await;
    solve(&app, &bobs, "zeta", "net view, arp -a").await;

    let (_, public) = get_json(&app, "/contests/cup/scoreboard.json", None).await;
    assert!(public["frozen_at"].is_string());
    let frozen = table(&public, "standings");
    assert_eq!(frozen.len(), 2, "both teams are listed: {public}");
    assert!(frozen.iter().all(|(pos, _, s)| *pos == 1 && *s == json!(0)), "{public}");
    let (_, list) = get_json(&app, "/api/v1/challenges", Some(&finders)).await;
    let alpha = list["data"].as_array().unwrap().iter().find(|c| c["slug"] == "alpha").unwrap().clone();
    assert_eq!(alpha["solves"], 0, "solve counts are frozen too");
    assert_eq!(alpha["solved_by_me"], true, "a team still sees its own solves");
    finders_browser.get("/contests/cup/scoreboard").await.assert_contains("The scoreboard is frozen as of");

    let mut chief = organizer(&app).await;
    chief.get("/contests/cup/scoreboard").await.assert_contains("300").assert_lacks("frozen as of");
    let refused = chief.post("/contests/cup/console/reveal", &[("confirm", "yes")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "not before the end");

    // The contest ends; the organizers reveal.
    app.end_contests(chrono::Duration::minutes(1), false).await;
    chief.get("/contests/cup/console").await;
    chief.post("/contests/cup/console/reveal", &[("confirm", "yes")]).await;
    let (_, revealed) = get_json(&app, "/contests/cup/scoreboard.json", None).await;
    assert_eq!(table(&revealed, "standings")[0], (1, "Team bobs".into(), json!(300)));
    assert!(revealed["frozen_at"].is_null());
}

async fn members_only_and_hidden_teams(app: TestApp) {
    load(&app, cup("scoreboard_public = false")).await;
    let (mut member, token) = player(&app, "finders").await;
    player(&app, "staffers").await;
    solve(&app, &token, "alpha", "mimikatz").await;
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    assert_eq!(
        anonymous.get(app.url("/contests/cup/scoreboard")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        anonymous.get(app.url("/contests/cup/scoreboard.json")).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let mut outsider = app.browser();
    outsider.register("outsider").await;
    assert_eq!(outsider.get("/contests/cup/scoreboard").await.status, StatusCode::FORBIDDEN);
    member.get("/contests/cup/scoreboard").await.assert_contains("Team finders").assert_contains("Team staffers");
    // Scripts read a members-only board with their token.
    let (status, body) = get_json(&app, "/api/v1/scoreboard", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(get_json(&app, "/api/v1/scoreboard", None).await.0, StatusCode::FORBIDDEN);

    let mut chief = organizer(&app).await;
    let console = chief.get("/contests/cup/console").await;
    let id = regex::Regex::new(r#"/console/teams/(\d+)/visibility"#)
        .unwrap()
        .captures_iter(&console.body)
        .map(|c| c[1].to_owned())
        .find(|id| console.body.contains(&format!("<option value=\"{id}\">Team staffers</option>")))
        .unwrap();
    chief.post(&format!("/contests/cup/console/teams/{id}/visibility"), &[("hidden", "true")]).await;
    member.get("/contests/cup/scoreboard").await.assert_contains("Team finders").assert_lacks("Team staffers");
}

async fn standings_survive_a_restart(app: TestApp) {
    load(&app, cup("")).await;
    let (_, a) = player(&app, "finders").await;
    let (_, b) = player(&app, "bobs").await;
    solve(&app, &a, "zeta", "net view, arp -a").await;
    solve(&app, &b, "alpha", "mimikatz").await;
    solve(&app, &b, "zeta", "net view, arp -a").await;
    let (_, before) = get_json(&app, "/contests/cup/scoreboard.json", None).await;
    // A second server on the same database starts with nothing in memory.
    let fresh = start(crate::helpers::Fixture {
        url: app.fixture.url.clone(),
        dir: tempfile::tempdir().unwrap(),
        backend: app.fixture.backend,
    })
    .await;
    let (_, after) = get_json(&fresh, "/contests/cup/scoreboard.json", None).await;
    assert_eq!(before["standings"], after["standings"]);
    assert_eq!(before["by_area"], after["by_area"]);
    assert_eq!(table(&after, "standings")[0], (1, "Team bobs".into(), json!(300)));
}

async fn a_solve_reaches_open_scoreboards_at_once(app: TestApp) {
    load(&app, cup("")).await;
    let (_, token) = player(&app, "finders").await;
    let events = app.api().get(app.url("/contests/cup/events")).send().await.unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    let waiting = tokio::spawn(Events::connected(events).await.wait_for("scoreboard", PROMPTLY));
    let solved_at = Instant::now();
    solve(&app, &token, "alpha", "mimikatz").await;
    let seen = waiting.await.unwrap().expect("the event arrived");
    assert!(solved_at.elapsed() < PROMPTLY, "the solve reached the client at once ({seen:?})");

    // Announcements arrive as notifications.
    let events = app.api().get(app.url("/contests/cup/events")).send().await.unwrap();
    let waiting = tokio::spawn(Events::connected(events).await.wait_for("notification", PROMPTLY));
    let mut chief = organizer(&app).await;
    chief.get("/contests/cup/console").await;
    chief.post("/contests/cup/console/announcements", &[("title", "お知らせ"), ("body", "x")]).await;
    assert!(waiting.await.unwrap().is_some());
}

async fn two_instances_share_the_standings(app: TestApp) {
    if app.fixture.backend != crate::helpers::Backend::Postgres {
        // Several instances share a PostgreSQL; on SQLite there is one instance.
        return;
    }
    load(&app, cup("")).await;
    let (_, token) = player(&app, "finders").await;
    let other = crate::helpers::start_with(
        crate::helpers::Fixture {
            url: app.fixture.url.clone(),
            dir: tempfile::tempdir().unwrap(),
            backend: app.fixture.backend,
        },
        crate::helpers::without_periodic_reload,
    )
    .await;
    // The other instance has the contest loaded and a client listening.
    let (_, before) = get_json(&other, "/contests/cup/scoreboard.json", None).await;
    assert_eq!(table(&before, "standings")[0].2, json!(0));
    let events = other.api().get(other.url("/contests/cup/events")).send().await.unwrap();
    let waiting = tokio::spawn(Events::connected(events).await.wait_for("scoreboard", PROMPTLY));
    let solved_at = Instant::now();
    solve(&app, &token, "alpha", "mimikatz").await;
    waiting.await.unwrap().expect("the other instance's client heard of the solve");
    assert!(solved_at.elapsed() < PROMPTLY, "{:?}", solved_at.elapsed());
    let (_, after) = get_json(&other, "/contests/cup/scoreboard.json", None).await;
    let (_, here) = get_json(&app, "/contests/cup/scoreboard.json", None).await;
    assert_eq!(after["standings"], here["standings"]);
    assert_eq!(table(&after, "standings")[0], (1, "Team finders".into(), json!(100)));

    // An announcement posted on this instance reaches the other's live clients too.
    let events = other.api().get(other.url("/contests/cup/events")).send().await.unwrap();
    let waiting = tokio::spawn(Events::connected(events).await.wait_for("notification", PROMPTLY));
    let mut chief = organizer(&app).await;
    chief.get("/contests/cup/console").await;
    let posted_at = Instant::now();
    chief.post("/contests/cup/console/announcements", &[("title", "お知らせ"), ("body", "x")]).await;
    waiting.await.unwrap().expect("the other instance's client heard the announcement");
    assert!(posted_at.elapsed() < PROMPTLY, "{:?}", posted_at.elapsed());
}

/// A client that accepts gzip gets the same feed compressed (made once per change), and the next solve
/// reaches both forms; a signed-in reader's page is their own, an anonymous one is shared.
async fn feeds_are_compressed_once_and_follow_the_next_solve(app: TestApp) {
    load(&app, Source::valid()).await;
    let (_, token) = player(&app, "alice").await;
    let fetch = |path: &'static str, gzip: bool| {
        let mut req = reqwest::Client::new().get(app.url(path)).header("Accept-Language", "en");
        if gzip {
            req = req.header("Accept-Encoding", "gzip, deflate, br");
        }
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            assert_eq!(res.headers()["vary"], "Accept-Encoding", "{path}");
            let encoding = res.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
            let bytes = res.bytes().await.unwrap();
            if gzip {
                assert_eq!(encoding.as_deref(), Some("gzip"), "{path}");
                let mut plain = String::new();
                std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain).unwrap();
                plain
            } else {
                assert_eq!(encoding, None, "{path}");
                String::from_utf8(bytes.to_vec()).unwrap()
            }
        }
    };
    for path in ["/contests/cup/scoreboard.json", "/contests/cup/api/v1/scoreboard", "/contests/cup/scoreboard"] {
        assert_eq!(fetch(path, true).await, fetch(path, false).await, "{path}");
    }
    let before: Value = serde_json::from_str(&fetch("/contests/cup/api/v1/scoreboard", true).await).unwrap();
    assert_eq!(before["data"][0]["score"], 0);
    solve(&app, &token, "alpha", "mimikatz").await;
    let after: Value = serde_json::from_str(&fetch("/contests/cup/api/v1/scoreboard", true).await).unwrap();
    assert_eq!(after["data"][0]["score"], 100, "the cache follows the solve");
    assert!(fetch("/contests/cup/scoreboard", true).await.contains("<td class=\"score\">100</td>"));
    // The shared page names nobody; a signed-in reader sees their own name on theirs.
    let (mut bob, _) = player(&app, "bob").await;
    assert!(!fetch("/contests/cup/scoreboard", false).await.contains("Signed in as"));
    bob.get("/contests/cup/scoreboard").await.assert_contains("Signed in as").assert_contains("bob");
}

/// Issue 15, item 11: a team named like a spreadsheet formula comes out of `mwscup export --format csv` as
/// text (a leading `'`), as the credentials of a bulk registration do.
async fn the_csv_export_runs_no_formula(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let names = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "Plain"];
    for (i, name) in names.iter().enumerate() {
        let mut b = app.browser();
        b.register(&format!("csv{i}")).await;
        b.create_team("cup", name).await;
    }
    app.reload().await;
    let out = app.fixture.cli(&["export", "--contest", "cup", "--format", "csv"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = String::from_utf8_lossy(&out.stdout);
    for cell in ["\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", "\"'+1+1\"", "\"'-2+3\"", "\"'@SUM(A1)\"", "\"Plain\""]
    {
        assert!(csv.contains(cell), "{cell} in {csv}");
    }
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    for record in reader.records() {
        let record = record.unwrap();
        for field in record.iter() {
            assert!(!field.starts_with(['=', '+', '@']), "{field:?} would run as a formula");
        }
    }
}
