//! The closing ceremony: a contest with a freeze, solves, a hint's cost and the hackathon's published marks
//! after it; an organizer steps through the whole ceremony, the venue screen's stream hears every step and its
//! page shows each one (and nothing ahead), the public scoreboard stays frozen until the finish, and the finish
//! is the reveal: the final standings are the ceremony's last and those of `mwscup export`. On PostgreSQL, a
//! step taken on one instance reaches a screen served by another.

use std::time::Duration;

use futures_util::StreamExt;
use mwscup::domain::role::Role;
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use sea_orm::sea_query::Expr;
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{Backend, Browser, Fixture, TestApp, start};
use crate::judging::{criterion_fields, entry_id, hand_in, judged_cup, mark, signed_in};
use crate::play::unlock_first_hint;
use crate::scoreboard::{player, solve};

both!(an_organizer_steps_through_the_ceremony_and_the_screen_follows);

/// The judged cup with the dynamic `zeta` (linear 300, −100 a solver) and two places awarded.
fn ceremony_cup() -> Source {
    let s = judged_cup().with_dynamic_zeta();
    let path = s.dir().join("contest.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("\n[ceremony]\nawards = 2\n");
    std::fs::write(&path, text).unwrap();
    s
}

/// Sets a contest column behind the server's back, as another process would, and lets the server see it.
async fn set_contest(app: &TestApp, column: entity::contests::Column, value: chrono::DateTime<chrono::Utc>) {
    entity::contests::Entity::update_many().col_expr(column, Expr::value(value)).exec(&app.db).await.unwrap();
    app.reload().await;
}

/// The day: Finders solve alpha and zeta, Seekers alpha, before the freeze; after it, Carols solve zeta (which
/// lowers it to 200 for Finders too), Seekers pay 10 for a hint and solve beta, and the hackathon's marks (Carols
/// 20, Finders 15) are published. Then the contest ends. Returns the organizer, signed in.
async fn day_with_a_freeze(app: &TestApp) -> Browser {
    load(app, ceremony_cup()).await;
    let (mut finders_b, finders) = player(app, "finders").await;
    let (_, seekers) = player(app, "seekers").await;
    let (mut carols_b, carols) = player(app, "carols").await;
    solve(app, &finders, "alpha", "mimikatz").await;
    solve(app, &finders, "zeta", "net view, arp -a").await;
    solve(app, &seekers, "alpha", "mimikatz").await;
    set_contest(app, entity::contests::Column::FreezeAt, chrono::Utc::now()).await;

    solve(app, &carols, "zeta", "arp -a, net view").await;
    let alpha = app.challenge_ids(&seekers, "/api/v1/challenges").await["alpha"];
    unlock_first_hint(app, &seekers, alpha).await;
    solve(app, &seekers, "beta", "C:\\Temp\\qpkz.exe").await;

    assert_eq!(hand_in(app, &mut carols_b, "Log lens", None).await.0, StatusCode::OK);
    assert_eq!(hand_in(app, &mut finders_b, "Triage kit", None).await.0, StatusCode::OK);
    let mut judge = signed_in(app, "judge1", Role::Judge).await;
    let list = judge.get("/contests/cup/judging").await;
    let (lens, kit) = (entry_id(&list.body, "Log lens"), entry_id(&list.body, "Triage kit"));
    let criteria = criterion_fields(&judge.get(&format!("/contests/cup/judging/entries/{lens}")).await.body);
    mark(&mut judge, &lens, ["8", "7", "5"], &criteria).await;
    mark(&mut judge, &kit, ["5", "5", "5"], &criteria).await;
    let mut chief = signed_in(app, "chief", Role::Organizer).await;
    chief.get("/contests/cup/judging").await;
    assert_eq!(chief.post("/contests/cup/judging/publish", &[]).await.status, StatusCode::OK);
    chief
}

/// The public board: (team, score) in order.
async fn public_board(app: &TestApp) -> Vec<(String, Value)> {
    let board: Value = reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap();
    board["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["team"].as_str().unwrap().into(), r["score"].clone()))
        .collect()
}

/// Every `event: ceremony` of a stream, until the one that ends it (`{"step":null}`) or `limit`.
async fn ceremony_events(res: reqwest::Response, limit: Duration) -> Vec<Value> {
    let started = std::time::Instant::now();
    let mut stream = res.bytes_stream();
    let mut seen = String::new();
    let mut steps = Vec::new();
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout(limit.saturating_sub(started.elapsed()), stream.next()).await {
        seen.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = seen.find("\n\n") {
            let frame: String = seen.drain(..end + 2).collect();
            if let Some(data) = frame.strip_prefix("event: ceremony\ndata: ") {
                let step: Value = serde_json::from_str(data.trim()).unwrap();
                let over = step["step"].is_null();
                steps.push(step["step"].clone());
                if over {
                    return steps;
                }
            }
        }
    }
    steps
}

/// The headline of the ceremony's step on a page.
fn headline(body: &str) -> String {
    let re = regex::Regex::new(r#"class="ceremony-headline">([^<]*)<"#).unwrap();
    re.captures(body).map(|c| html_unescape(&c[1])).unwrap_or_else(|| panic!("no step shown:\n{body}"))
}

fn html_unescape(text: &str) -> String {
    text.replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
}

async fn step(chief: &mut Browser, action: &str) -> crate::helpers::Page {
    chief.post("/contests/cup/ceremony/step", &[("action", action)]).await
}

async fn an_organizer_steps_through_the_ceremony_and_the_screen_follows(app: TestApp) {
    let mut chief = day_with_a_freeze(&app).await;
    // Not before the end.
    let early = chief.get("/contests/cup/ceremony").await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    early.assert_contains("after the end of the contest");
    set_contest(&app, entity::contests::Column::EndsAt, chrono::Utc::now()).await;

    // The frozen board: Finders 100 + 300, Seekers 100, Carols nothing.
    let frozen = vec![
        ("Team finders".into(), json!(400)),
        ("Team seekers".into(), json!(100)),
        ("Team carols".into(), json!(0)),
    ];
    assert_eq!(public_board(&app).await, frozen);

    let page = chief.get("/contests/cup/ceremony").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Start the ceremony").assert_contains("The scoreboard as it froze").assert_lacks("<script>");
    assert_eq!(step(&mut chief, "next").await.status, StatusCode::CONFLICT, "not started");

    // The steps, for organizers only.
    let plan: Value =
        chief.client.get(app.url("/contests/cup/ceremony.json")).send().await.unwrap().json().await.unwrap();
    let kinds: Vec<(String, String)> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["team"].as_str().unwrap_or_default().to_owned(),
                s["result"].as_str().or(s["area"].as_str()).unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Team carols", "solve"),
            ("Team seekers", "hint"),
            ("Team seekers", "solve"),
            ("Team carols", "mark"),
            ("Team finders", "mark"),
            ("", "static"),
            ("", "hackathon"),
            ("", ""),
            ("", ""),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(plan["steps"][2]["before"], json!({"pos": 3, "score": 90}));
    assert_eq!(plan["steps"][2]["after"], json!({"pos": 2, "score": 290}));
    assert_eq!(plan["steps"][0]["challenge"], "問題 zeta");
    assert_eq!(plan["steps"][5]["winners"].as_array().unwrap().len(), 2, "two places awarded");
    assert_eq!(plan["steps"][7]["place"], 2);
    let mut participant = app.browser();
    participant.register("stranger").await;
    for path in ["/contests/cup/ceremony.json", "/contests/cup/ceremony"] {
        assert_eq!(participant.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(reqwest::get(app.url("/contests/cup/ceremony.json")).await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // The venue screen, anonymous, listens on the public stream.
    let listening = app.api().get(app.url("/contests/cup/events?view=public")).send().await.unwrap();
    let heard = tokio::spawn(ceremony_events(listening, Duration::from_secs(60)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut screen = app.browser();

    step(&mut chief, "start").await.assert_contains("Team carols").assert_contains("Step 0 / 9");
    let shown = screen.get("/contests/cup/screen/live").await;
    assert!(headline(&shown.body).starts_with("The scoreboard as it froze at"), "{}", shown.body);
    shown.assert_lacks("Team carols: ");

    let expected = [
        "Team carols: “Question zeta” solved, +200 → 2nd",
        "Team seekers: a hint for “Question alpha”, -10 → 3rd",
        "Team seekers: “Question beta” solved, +200 → 2nd",
    ];
    for (n, words) in expected.iter().enumerate() {
        let page = step(&mut chief, "next").await;
        assert_eq!(headline(&page.body), *words);
        page.assert_contains(&format!("Step {} / 9", n + 1));
        let shown = screen.get("/contests/cup/screen/live").await;
        assert_eq!(headline(&shown.body), *words, "the screen shows the step");
        // Nothing ahead: the screen and the public board still hold the frozen standings' secrets.
        if let Some(next) = expected.get(n + 1) {
            shown.assert_lacks(next);
        }
        assert_eq!(public_board(&app).await, frozen, "the public scoreboard stays frozen during the ceremony");
    }
    // Back a step, then on.
    assert_eq!(headline(&step(&mut chief, "back").await.body), expected[1]);
    assert_eq!(headline(&screen.get("/contests/cup/screen/live").await.body), expected[1]);
    step(&mut chief, "next").await;
    let page = step(&mut chief, "next").await;
    assert_eq!(headline(&page.body), "Team carols: the hackathon's score, +20 → 3rd");
    // The standings around the team that moved, its row lit with where it came from.
    page.assert_contains(r#"class="focus"><span class="pos">3</span><span class="name">Team carols</span><span class="moved">→ 3</span>"#);

    // To the end: the last award, the winner.
    let page = step(&mut chief, "end").await;
    assert_eq!(headline(&page.body), "Overall: 1st");
    page.assert_contains("Step 9 / 9");
    let shown = screen.get("/contests/cup/screen/live").await;
    assert_eq!(headline(&shown.body), "Overall: 1st");
    shown.assert_contains(r#"<span class="place">1st</span><span class="name">Team finders</span>"#);
    step(&mut chief, "next").await.assert_contains("Step 9 / 9");
    assert_eq!(public_board(&app).await, frozen);

    // Finishing is the reveal, confirmed first, and audited.
    assert_eq!(step(&mut chief, "finish").await.status, StatusCode::BAD_REQUEST);
    let done = chief.post("/contests/cup/ceremony/step", &[("action", "finish"), ("confirm", "yes")]).await;
    assert!(done.url.ends_with("/contests/cup/scoreboard"), "{}", done.url);
    let last: Vec<(String, Value)> = plan["steps"][4]["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["team"].as_str().unwrap().into(), r["score"].clone()))
        .collect();
    let fin = vec![
        ("Team finders".into(), json!(315)),
        ("Team seekers".into(), json!(290)),
        ("Team carols".into(), json!(220)),
    ];
    assert_eq!(last, fin, "the last reveal shows the final standings");
    assert_eq!(public_board(&app).await, fin, "the public board shows them once finished");
    let actions = app.audit_actions().await;
    assert!(
        actions.contains(&"ceremony.start".to_owned()) && actions.contains(&"ceremony.finish".to_owned()),
        "{actions:?}"
    );
    let over = chief.get("/contests/cup/ceremony").await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    over.assert_contains("revealed already");
    screen.get("/contests/cup/screen/live").await.assert_lacks("ceremony-headline").assert_contains("Team finders");

    // The screen's stream heard every step, in order, and the end.
    let steps = heard.await.unwrap();
    assert_eq!(steps, [json!(0), json!(1), json!(2), json!(3), json!(2), json!(3), json!(4), json!(9), Value::Null]);

    // The export computes the same final standings from the database.
    let out = app.fixture.cli(&["export", "--contest", "cup", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let exported: Value = serde_json::from_slice(&out.stdout).unwrap();
    let exported: Vec<(String, Value)> = exported["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["team"].as_str().unwrap().into(), r["score"].clone()))
        .collect();
    assert_eq!(exported, fin);
}

/// Two instances on one PostgreSQL: the organizer drives on one, the venue screen is served by the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_on_one_instance_reaches_a_screen_on_another() {
    let Some(fixture) = Fixture::new(Backend::Postgres).await else { return };
    let url = fixture.url.clone();
    let a = start(fixture).await;
    let b = start(Fixture { url, dir: tempfile::tempdir().unwrap(), backend: Backend::Postgres }).await;
    let mut chief = day_with_a_freeze(&a).await;
    set_contest(&a, entity::contests::Column::EndsAt, chrono::Utc::now()).await;
    b.reload().await;
    let mut screen = b.browser();
    screen.get("/contests/cup/screen/live").await.assert_lacks("ceremony-headline");

    let listening = b.api().get(b.url("/contests/cup/events?view=public")).send().await.unwrap();
    let heard = tokio::spawn(ceremony_events(listening, Duration::from_secs(20)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    step(&mut chief, "start").await;
    until_shown(&mut screen, "The scoreboard as it froze").await;
    step(&mut chief, "next").await;
    until_shown(&mut screen, "Team carols: “Question zeta” solved, +200 → 2nd").await;
    chief.post("/contests/cup/ceremony/step", &[("action", "finish"), ("confirm", "yes")]).await;
    assert_eq!(heard.await.unwrap(), [json!(0), json!(1), Value::Null], "instance b's screen heard each step");
    let shown = screen.get("/contests/cup/screen/live").await;
    shown.assert_lacks("ceremony-headline").assert_contains("Team finders");
}

/// Waits (a few seconds at most) until the screen's live part shows `text` in its headline.
async fn until_shown(screen: &mut Browser, text: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    loop {
        let body = screen.get("/contests/cup/screen/live").await.body;
        if body.contains("ceremony-headline") && headline(&body).starts_with(text) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "the screen did not show {text:?}:\n{body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const RIGHT: &str = "\u{E014}";
const LEFT: &str = "\u{E012}";
const END: &str = "\u{E010}";
const ENTER: &str = "\u{E007}";

/// Makes the page's viewport (not the window, which has a frame even headless) `width` × `height`.
async fn viewport(c: &fantoccini::Client, width: u32, height: u32) {
    c.set_window_size(width, height).await.unwrap();
    let inner = c.execute("return [window.innerWidth, window.innerHeight];", vec![]).await.unwrap();
    let (w, h) = (inner[0].as_u64().unwrap() as u32, inner[1].as_u64().unwrap() as u32);
    c.set_window_size(2 * width - w, 2 * height - h).await.unwrap();
}

/// Presses a key on the page, as someone at the laptop would.
async fn press(c: &fantoccini::Client, key: &str) {
    c.find(fantoccini::Locator::Css("body")).await.unwrap().send_keys(key).await.unwrap();
}

/// Whether the page's content fits its viewport (a projector has no scroll bar to use).
async fn fits(c: &fantoccini::Client) -> bool {
    let fit = c
        .execute(
            "const d = document.documentElement; return d.scrollHeight <= window.innerHeight + 1 && \
             d.scrollWidth <= window.innerWidth + 1;",
            vec![],
        )
        .await
        .unwrap();
    fit == json!(true)
}

/// The ceremony in Chromium, with the keyboard only: the organizer's page and the venue screen, at a projector's
/// 1920 × 1080 and 1280 × 720, in English and Japanese. Screenshots in `target/screenshots/ceremony-*.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ceremony_with_the_keyboard_in_a_real_browser() {
    use crate::browser::{body, chromium, sign_in, start_driver, wait_for};
    let Some(driver) = start_driver() else { return };
    let app = crate::helpers::spawn_app(Backend::Sqlite).await.unwrap();
    day_with_a_freeze(&app).await;
    // More teams than the window of rows a step shows; none of them has a result after the freeze.
    for n in 1..=9 {
        player(&app, &format!("quiet{n}")).await;
    }
    set_contest(&app, entity::contests::Column::EndsAt, chrono::Utc::now()).await;
    let base = app.address.clone();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = |c: &fantoccini::Client, name: &str| {
        let (c, path) = (c.clone(), dir.join(format!("ceremony-{name}.png")));
        async move { std::fs::write(path, c.screenshot().await.unwrap()).unwrap() }
    };
    let profiles = tempfile::tempdir().unwrap();
    let chief = chromium(&driver, &profiles.path().join("chief")).await;
    sign_in(&chief, &base, "chief", crate::helpers::PASSWORD).await;
    let screen = chromium(&driver, &profiles.path().join("screen")).await;
    for c in [&chief, &screen] {
        viewport(c, 1920, 1080).await;
    }
    screen.goto(&format!("{base}/contests/cup/screen")).await.unwrap();
    chief.goto(&format!("{base}/contests/cup/ceremony")).await.unwrap();
    assert!(wait_for(&chief, "Start the ceremony", Duration::from_secs(5)).await);
    shot(&chief, "1920-en-page-before").await;

    // → starts, then each → reveals one result; the screen follows through its stream, without a reload.
    let second = Duration::from_secs(5);
    press(&chief, RIGHT).await;
    assert!(wait_for(&chief, "data-action=\"next\"", second).await, "{}", body(&chief).await);
    assert!(wait_for(&screen, "The scoreboard as it froze", second).await, "the screen shows the ceremony");
    press(&chief, RIGHT).await;
    let first = "Team carols: “Question zeta” solved, +200 → 2nd";
    assert!(wait_for(&chief, first, second).await, "{}", body(&chief).await);
    assert!(wait_for(&screen, first, second).await, "the screen followed");
    shot(&chief, "1920-en-page-reveal").await;
    shot(&screen, "1920-en-screen-reveal").await;
    assert!(fits(&chief).await && fits(&screen).await, "the ceremony fits the projector at 1920 × 1080");
    press(&chief, " ").await;
    assert!(wait_for(&chief, "Step 2 / 9", second).await);
    press(&chief, LEFT).await;
    assert!(wait_for(&chief, "Step 1 / 9", second).await);
    assert!(wait_for(&screen, first, second).await);
    press(&chief, END).await;
    assert!(wait_for(&chief, "Step 9 / 9", second).await);
    assert!(wait_for(&screen, "Overall: 1st", second).await);
    shot(&chief, "1920-en-page-winner").await;
    shot(&screen, "1920-en-screen-winner").await;
    for c in [&chief, &screen] {
        viewport(c, 1280, 720).await;
    }
    assert!(fits(&chief).await && fits(&screen).await, "the ceremony fits the projector at 1280 × 720");
    shot(&chief, "1280-en-page-winner").await;
    shot(&screen, "1280-en-screen-winner").await;

    // In Japanese, a step back: the hackathon's award card.
    for c in [&chief, &screen] {
        c.goto(&format!("{base}/lang/ja?next=/")).await.unwrap();
        viewport(c, 1920, 1080).await;
    }
    screen.goto(&format!("{base}/contests/cup/screen")).await.unwrap();
    chief.goto(&format!("{base}/contests/cup/ceremony")).await.unwrap();
    for n in [8, 7] {
        press(&chief, LEFT).await;
        assert!(wait_for(&chief, &format!("ステップ {n} / 9"), second).await, "{}", body(&chief).await);
    }
    assert!(wait_for(&screen, "部門賞: ハッカソン", second).await);
    shot(&chief, "1920-ja-page-award").await;
    shot(&screen, "1920-ja-screen-award").await;
    for n in [6, 5] {
        press(&chief, LEFT).await;
        assert!(wait_for(&chief, &format!("ステップ {n} / 9"), second).await, "{}", body(&chief).await);
    }
    assert!(wait_for(&screen, "Team finders: ハッカソンの得点 +15点 → 1位", second).await);
    shot(&screen, "1920-ja-screen-reveal").await;

    // Finishing with the keyboard: tick the box, then the button.
    let tick = chief.find(fantoccini::Locator::Css("input[name=confirm]")).await.unwrap();
    tick.send_keys(" ").await.unwrap();
    let finish = chief.find(fantoccini::Locator::Css("form[data-action=finish] button")).await.unwrap();
    finish.send_keys(ENTER).await.unwrap();
    assert!(wait_for(&chief, "スコアボード", second).await);
    assert!(chief.current_url().await.unwrap().as_str().ends_with("/contests/cup/scoreboard"));
    let deadline = std::time::Instant::now() + second;
    while body(&screen).await.contains("ceremony-headline") {
        assert!(std::time::Instant::now() < deadline, "the screen shows the final board again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(wait_for(&screen, "screen-top", second).await);
    shot(&screen, "1920-ja-screen-final").await;
    assert_eq!(public_board(&app).await[0], ("Team finders".into(), json!(315)));
    for c in [chief, screen] {
        c.close().await.unwrap();
    }
}
