//! The main pages of a contest day at a phone's width (390 × 844) and a laptop's (1366 × 900), in Japanese
//! and in English, in a real headless Chromium: at the phone's width no page is wider than the screen (a
//! wide table scrolls inside its own box, the page never sideways). Every page is saved to
//! `target/screenshots/` as `{phone,laptop}-{ja,en}-{page}.png`, the whole length of the page, to be
//! looked at by eye.

use fantoccini::{Client, Locator};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::browser::{chromium, sign_in, start_driver};
use crate::helpers::{Backend, PASSWORD, TestApp, settings_of, spawn_app};

const DEMO: &str = "/contests/mwscup-demo";

/// Screens to lay the pages out on: a name for the files, and the window's width and height.
const SCREENS: [(&str, u32, u32); 2] = [("laptop", 1366, 900), ("phone", 390, 844)];

/// The longest page kept in a screenshot, in screen heights.
const MAX_SCREENS_LONG: u64 = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_fit_a_phone() {
    let Some(driver) = start_driver() else { return };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let organizer = day_under_way(&app).await;
    let base = app.address.clone();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let profiles = tempfile::tempdir().unwrap();

    let player = chromium(&driver, &profiles.path().join("player")).await;
    sign_in(&player, &base, "kuroneko", PASSWORD).await;
    let chief = chromium(&driver, &profiles.path().join("chief")).await;
    sign_in(&chief, &base, mwscup::cli::demo::ORGANIZER, &organizer).await;
    let pages: [(&str, &Client, String); 9] = [
        ("contest", &player, DEMO.to_owned()),
        ("board", &player, format!("{DEMO}/challenges")),
        ("challenge", &player, format!("{DEMO}/challenges/dyn-runkey")),
        ("scoreboard", &player, format!("{DEMO}/scoreboard")),
        ("classification", &player, format!("{DEMO}/challenges/surf-classify")),
        ("classification-board", &player, format!("{DEMO}/challenges/surf-classify/board")),
        ("console", &chief, format!("{DEMO}/console")),
        ("submissions", &chief, format!("{DEMO}/console/submissions")),
        ("audit", &chief, "/admin/audit".to_owned()),
    ];

    let mut problems = Vec::new();
    for lang in ["ja", "en"] {
        for c in [&player, &chief] {
            c.goto(&format!("{base}/lang/{lang}?next=/")).await.unwrap();
        }
        for (screen, width, height) in SCREENS {
            for (name, c, path) in &pages {
                c.set_window_size(width, height).await.unwrap();
                c.goto(&format!("{base}{path}")).await.unwrap();
                let fit = measure(c).await;
                let number = |key: &str| fit[key].as_u64().unwrap();
                assert!(number("client") <= u64::from(width), "the window is {width} wide: {fit}");
                let at = format!("{screen} {lang} {name} ({path})");
                if number("scroll") > number("client") {
                    problems.push(format!("{at} is wider than the screen: {fit}"));
                }
                let headings = fit["headings"].as_str().unwrap();
                if !headings.starts_with('1') || headings.matches('1').count() != 1 || skips_a_level(headings) {
                    problems.push(format!("{at}: headings out of order (one h1, no level skipped): {headings}"));
                }
                if fit["first_focus"] != "#main" || fit["has_main"] != true {
                    problems.push(format!("{at}: the first thing to focus is not the skip link to #main: {fit}"));
                }
                // The whole length of the page in one picture (the window's height counts some of the
                // browser's own frame, even headless).
                let frame = u64::from(height) - number("inner");
                let long = number("height").clamp(number("inner"), number("inner") * MAX_SCREENS_LONG);
                c.set_window_size(width, (long + frame) as u32).await.unwrap();
                let png = c.screenshot().await.unwrap();
                std::fs::write(dir.join(format!("{screen}-{lang}-{name}.png")), png).unwrap();
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // From the keyboard: the first Tab shows the skip link with a focus ring; Enter goes to the content.
    player.set_window_size(390, 844).await.unwrap();
    player.goto(&format!("{base}{DEMO}/challenges")).await.unwrap();
    player.find(Locator::Css("body")).await.unwrap().send_keys(TAB).await.unwrap();
    let focused: Value = player
        .execute(
            r#"const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
               return { class: e.className, top: r.top, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };"#,
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused["class"], "skip", "{focused}");
    assert!(focused["top"].as_f64().unwrap() >= 0.0, "the focused skip link is on the screen: {focused}");
    assert!(focused["outline"] != "none" && focused["width"].as_f64().unwrap() >= 2.0, "{focused}");
    player.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    assert!(player.current_url().await.unwrap().as_str().ends_with("#main"));
    for c in [player, chief] {
        c.close().await.unwrap();
    }
}

/// WebDriver's keys.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

/// Whether heading levels (as "12232") ever go down more than one level at a time.
fn skips_a_level(levels: &str) -> bool {
    levels.as_bytes().windows(2).any(|w| w[1] > w[0] + 1)
}

/// How wide the page is against its viewport, how long it is, and which elements stick out on the right
/// (the outermost ones: what to fix); its heading levels in order, and where the first focusable element
/// leads.
async fn measure(c: &Client) -> Value {
    let script = r##"
        const d = document.documentElement, edge = d.clientWidth + 1;
        const right = e => e.getBoundingClientRect().right;
        const clipped = e => {
            for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                if (getComputedStyle(p).overflowX !== "visible") return true;
            }
            return false;
        };
        const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
            + (typeof e.className === "string" && e.className ? "." + e.className.split(" ").join(".") : "");
        const out = [...document.body.querySelectorAll("*")]
            .filter(e => right(e) > edge && right(e.parentElement) <= edge && !clipped(e))
            .slice(0, 6)
            .map(e => name(e.parentElement) + " > " + name(e) + " " + Math.round(right(e)) + "px");
        const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].map(h => h.tagName[1]).join("");
        const first = document.querySelector("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]");
        return { scroll: d.scrollWidth, client: d.clientWidth, height: d.scrollHeight, inner: window.innerHeight,
                 sticking_out: out, headings, first_focus: first && first.getAttribute("href"),
                 has_main: document.querySelector("main#main") !== null };
    "##;
    c.execute(script, vec![]).await.unwrap()
}

/// The demo contest part way through its day, with something in every table: two teams (one with a long
/// name), wrong and right answers, prediction uploads, an adjustment, an announcement, a changed setting
/// and an accepted answer in the audit log. Returns the organizer's password.
async fn day_under_way(app: &TestApp) -> String {
    let outcome = mwscup::cli::demo::ensure(&app.db, &settings_of(&app.fixture)).await.unwrap();
    let password = outcome.organizer_password.expect("the demo's organizer was created");

    let mut team = app.browser();
    team.register("kuroneko").await;
    team.create_team("mwscup-demo", "黒猫マルウェア解析同好会 Kuroneko Malware Analysts").await;
    let runkey = format!("{DEMO}/challenges/dyn-runkey");
    team.get(&runkey).await;
    team.post(&runkey, &[("answer", r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run\SyncHostUpdaterService")])
        .await;
    team.post(&runkey, &[("answer", "SyncHostUpdater")]).await;
    let c2 = format!("{DEMO}/challenges/dyn-c2");
    team.get(&c2).await;
    team.post(&c2, &[("answer", "sync.kuroneko-cdn.test port 8443, seen in the beacon of the second stage")]).await;
    let token = app.token_named("kuroneko").await;
    let id = app.challenge_ids(&token, &format!("{DEMO}/api/v1/challenges")).await["surf-classify"];
    let tests = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("challenges/mwscup-demo/surface/surf-classify/files/test.jsonl"),
    )
    .unwrap();
    for guess in ["malware", "cleanware"] {
        let mut csv = "id,label\n".to_owned();
        for line in tests.lines() {
            let row: Value = serde_json::from_str(line).unwrap();
            csv.push_str(&format!("{},{guess}\n", row["sha256"].as_str().unwrap()));
        }
        let res = app
            .api()
            .post(app.url(&format!("{DEMO}/api/v1/challenges/{id}/predictions")))
            .header("Authorization", format!("Token {token}"))
            .body(csv)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }

    let mut rival = app.browser();
    rival.register("hoshizora").await;
    rival.create_team("mwscup-demo", "Hoshizora").await;
    let xor = format!("{DEMO}/challenges/static-xor-key");
    rival.get(&xor).await;
    rival.post(&xor, &[("answer", "a7")]).await;

    let mut chief = app.browser();
    chief.login(mwscup::cli::demo::ORGANIZER, &password).await;
    let contest = mwscup::store::contests::by_slug(&app.db, "mwscup-demo").await.unwrap().unwrap();
    let console = format!("{DEMO}/console");
    chief.get(&console).await;
    let freeze = contest.freeze_at.map(|at| at.to_rfc3339()).unwrap_or_default();
    chief
        .post(
            &format!("{console}/settings"),
            &[
                ("starts_at", &contest.starts_at.to_rfc3339()),
                ("ends_at", &contest.ends_at.to_rfc3339()),
                ("freeze_at", &freeze),
                ("wrong_answers_per_minute", "7"),
            ],
        )
        .await;
    let kuroneko = entity::teams::Entity::find()
        .filter(entity::teams::Column::ContestId.eq(contest.id))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name.starts_with("黒猫"))
        .unwrap();
    chief.get(&console).await;
    chief
        .post(
            &format!("{console}/adjustments"),
            &[
                ("team_id", &kuroneko.id.to_string()),
                ("area", ""),
                ("points", "-10"),
                ("reason", "ネットワークの規則に反する通信 (traffic against the network rules)"),
            ],
        )
        .await;
    chief.get(&console).await;
    chief
        .post(
            &format!("{console}/announcements"),
            &[("title", "フラグ形式の補足"), ("title_en", "About the answer format"), ("body", ""), ("body_en", "")],
        )
        .await;
    let wrong = entity::submissions::Entity::find()
        .filter(entity::submissions::Column::Text.contains("second stage"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    chief.get(&format!("{console}/submissions")).await;
    chief
        .post(
            &format!("{console}/submissions/{}/accept", wrong.id),
            &[("reason", "the question allowed the host and port in words")],
        )
        .await;
    let actions = app.audit_actions().await;
    for action in ["contest.settings", "announcement.post", "submission.accept"] {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }
    password
}
