//! End to end in a real headless Chromium (Debian's `chromium` and `chromium-driver`), driven over
//! WebDriver: register, create and join a team, answer a challenge, watch another browser's scoreboard
//! change without a reload, and see an organizer's announcement. Screenshots of each step go to
//! `target/screenshots/`. Without chromedriver the test is skipped, except under `CI=true`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use mwscup::domain::role::Role;
use serde_json::json;

use crate::authoring::Source;
use crate::files::load;
use crate::helpers::{Backend, PASSWORD, PROMPTLY, settings_of, spawn_app};

pub(crate) struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_driver() -> Option<Driver> {
    let found = Command::new("chromedriver").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        let why = "chromedriver is not installed: apt-get install chromium chromium-driver";
        crate::helpers::skip(crate::helpers::Half::Browser, why);
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Driver { child, url: format!("http://127.0.0.1:{port}") })
}

pub(crate) async fn chromium(driver: &Driver, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--window-size=1200,1400", "--lang=en-US", format!("--user-data-dir={}", profile.display())],
            "prefs": {"intl.accept_languages": "en-US,en"}
        }),
    );
    // chromedriver listens on plain HTTP on this machine: no TLS stack is needed to talk to it.
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(&driver.url).await.unwrap()
}

struct Shots {
    dir: std::path::PathBuf,
    n: usize,
}

impl Shots {
    async fn take(&mut self, c: &Client, name: &str) {
        self.n += 1;
        let png = c.screenshot().await.unwrap();
        std::fs::write(self.dir.join(format!("{:02}-{name}.png", self.n)), png).unwrap();
    }
}

pub(crate) async fn fill(c: &Client, field: &str, value: &str) {
    let input = c.find(Locator::Css(&format!("[name={field}]"))).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(value).await.unwrap();
}

/// Submits the form that holds the named field.
pub(crate) async fn submit(c: &Client, field: &str) {
    let form = c.find(Locator::XPath(&format!("//*[@name='{field}']/ancestor::form"))).await.unwrap();
    form.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
}

/// The page as it is now (the live DOM, not what was first loaded). Read whole, so that an element
/// replaced by a navigation or by the live update never goes stale under the test.
pub(crate) async fn body(c: &Client) -> String {
    c.source().await.unwrap_or_default()
}

pub(crate) async fn wait_for(c: &Client, text: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if body(c).await.contains(text) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

pub(crate) async fn register(c: &Client, base: &str, name: &str) {
    c.goto(&format!("{base}/register")).await.unwrap();
    fill(c, "username", name).await;
    fill(c, "password", PASSWORD).await;
    fill(c, "password_confirm", PASSWORD).await;
    submit(c, "username").await;
    assert!(wait_for(c, "Signed in as", Duration::from_secs(5)).await, "{name} registered");
}

pub(crate) async fn sign_in(c: &Client, base: &str, name: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "username", name).await;
    fill(c, "password", password).await;
    submit(c, "username").await;
    assert!(wait_for(c, "Signed in as", Duration::from_secs(5)).await, "{name} signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contest_in_a_real_browser() {
    let Some(driver) = start_driver() else { return };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    load(&app, Source::valid()).await;
    app.user("chief", Role::Organizer).await;
    let base = app.address.clone();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let mut shots = Shots { dir, n: 0 };
    let profiles = tempfile::tempdir().unwrap();

    // Alice registers and creates a team.
    let alice = chromium(&driver, &profiles.path().join("alice")).await;
    register(&alice, &base, "alice").await;
    alice.goto(&format!("{base}/contests/cup")).await.unwrap();
    fill(&alice, "name", "Browsers United").await;
    submit(&alice, "name").await;
    assert!(wait_for(&alice, "Team: Browsers United", Duration::from_secs(5)).await);
    let code = alice.find(Locator::Id("invite-code")).await.unwrap().text().await.unwrap();
    shots.take(&alice, "team-created").await;

    // Bob joins with the invite code.
    let bob = chromium(&driver, &profiles.path().join("bob")).await;
    register(&bob, &base, "bob").await;
    bob.goto(&format!("{base}/contests/cup")).await.unwrap();
    fill(&bob, "code", &code).await;
    submit(&bob, "code").await;
    assert!(wait_for(&bob, "(2 / 4)", Duration::from_secs(5)).await, "bob joined");
    shots.take(&bob, "team-joined").await;

    // A visitor watches the scoreboard.
    let screen = chromium(&driver, &profiles.path().join("screen")).await;
    screen.goto(&format!("{base}/contests/cup/scoreboard")).await.unwrap();
    assert!(wait_for(&screen, "Browsers United", Duration::from_secs(5)).await);
    assert!(body(&screen).await.contains("<td class=\"score\">0</td>"));
    shots.take(&screen, "scoreboard-before").await;
    assert!(wait_for(&screen, "data-live=\"open\"", Duration::from_secs(10)).await, "the board listens");

    // Alice answers a challenge from the board.
    alice.goto(&format!("{base}/contests/cup/challenges")).await.unwrap();
    alice.find(Locator::LinkText("Question alpha")).await.unwrap().click().await.unwrap();
    assert!(wait_for(&alice, "Read the log", Duration::from_secs(5)).await);
    fill(&alice, "answer", "ｍｉｍｉｋａｔｚ").await;
    submit(&alice, "answer").await;
    assert!(wait_for(&alice, "Correct!", Duration::from_secs(5)).await);
    shots.take(&alice, "answered").await;

    // The visitor's scoreboard shows the solve without a reload: the first score cell turns to 100.
    assert!(
        wait_for(&screen, "<td class=\"score\">100</td>", Duration::from_secs(8)).await,
        "the scoreboard updated itself without a reload"
    );
    shots.take(&screen, "scoreboard-after").await;

    // An organizer announces; the visitor's page hears of it, and the team's contest page lists it.
    let chief = chromium(&driver, &profiles.path().join("chief")).await;
    sign_in(&chief, &base, "chief", PASSWORD).await;
    chief.goto(&format!("{base}/contests/cup/console")).await.unwrap();
    fill(&chief, "title", "休憩のお知らせ").await;
    fill(&chief, "title_en", "Lunch break").await;
    fill(&chief, "body_en", "Back at **13:00**.").await;
    submit(&chief, "title").await;
    shots.take(&chief, "announced").await;
    assert!(wait_for(&screen, "Lunch break", Duration::from_secs(8)).await, "the live notice arrived");
    bob.goto(&format!("{base}/contests/cup")).await.unwrap();
    assert!(wait_for(&bob, "Lunch break", Duration::from_secs(8)).await);
    shots.take(&bob, "announcement-seen").await;

    for c in [alice, bob, screen, chief] {
        c.close().await.unwrap();
    }
}

/// The demo contest run by its organizer in a real browser: pause and resume, an announcement the teams
/// see, a disputed answer accepted, the contest ended from the console's schedule, and the final results
/// revealed. The team plays over HTTP meanwhile, as a script would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_day_run_by_its_organizer() {
    let Some(driver) = start_driver() else { return };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let outcome = mwscup::cli::demo::ensure(&app.db, &settings_of(&app.fixture)).await.unwrap();
    let password = outcome.organizer_password.expect("the demo's organizer was created");
    let base = app.address.clone();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let mut shots = Shots { dir, n: 20 };
    let profiles = tempfile::tempdir().unwrap();
    let demo = "/contests/mwscup-demo";

    let mut team = app.browser();
    team.register("kuroneko").await;
    team.create_team("mwscup-demo", "Kuroneko Analysts").await;

    let chief = chromium(&driver, &profiles.path().join("organizer")).await;
    sign_in(&chief, &base, mwscup::cli::demo::ORGANIZER, &password).await;

    // Pause: answers wait; resume: they are taken again.
    chief.goto(&format!("{base}{demo}/console")).await.unwrap();
    chief.find(Locator::Css("form[action$='/console/pause'] [name=confirm]")).await.unwrap().click().await.unwrap();
    chief.find(Locator::Css("form[action$='/console/pause'] button")).await.unwrap().click().await.unwrap();
    assert!(wait_for(&chief, "Paused", Duration::from_secs(5)).await);
    shots.take(&chief, "organizer-paused").await;
    answer(&mut team, demo, "anything").await.assert_contains("paused");
    chief.find(Locator::Css("form[action$='/console/resume'] button")).await.unwrap().click().await.unwrap();
    assert!(wait_for(&chief, "Pause the contest", Duration::from_secs(5)).await);

    // An announcement, seen on the contest's page.
    fill(&chief, "title", "フラグ形式の補足").await;
    fill(&chief, "title_en", "About the answer format").await;
    fill(&chief, "body_en", "Registry paths may use **HKCU**.").await;
    submit(&chief, "title").await;
    shots.take(&chief, "organizer-announced").await;
    team.get(demo).await.assert_contains("About the answer format");

    // A disputed answer: the organizer accepts it with a reason, and the scoreboard follows.
    answer(&mut team, demo, "HKCU Run key, as we read it").await.assert_contains("Incorrect");
    chief.goto(&format!("{base}{demo}/console/submissions?outcome=incorrect")).await.unwrap();
    assert!(wait_for(&chief, "HKCU Run key, as we read it", Duration::from_secs(5)).await);
    fill(&chief, "reason", "the question allowed this reading").await;
    submit(&chief, "reason").await;
    assert!(wait_for(&chief, "<td>Accepted by the organizers</td>", Duration::from_secs(5)).await);
    shots.take(&chief, "organizer-accepted").await;
    let board: serde_json::Value =
        reqwest::get(app.url(&format!("{demo}/scoreboard.json"))).await.unwrap().json().await.unwrap();
    assert_eq!(board["standings"][0]["team"], "Kuroneko Analysts");
    assert!(board["standings"][0]["score"].as_i64().unwrap() > 0, "{board}");

    // The day ends (the schedule changed from the console), and the results are revealed.
    chief.goto(&format!("{base}{demo}/console")).await.unwrap();
    let now = chrono::Utc::now();
    fill(&chief, "starts_at", &(now - chrono::Duration::hours(4)).to_rfc3339()).await;
    fill(&chief, "ends_at", &(now - chrono::Duration::minutes(1)).to_rfc3339()).await;
    fill(&chief, "freeze_at", "").await;
    submit(&chief, "ends_at").await;
    chief.goto(&format!("{base}{demo}/console")).await.unwrap();
    let confirm = chief.find(Locator::Css("form[action$='/console/reveal'] [name=confirm]")).await;
    confirm.expect("the reveal form, once the contest has ended").click().await.unwrap();
    let reveal = chief.find(Locator::Css("form[action$='/console/reveal'] button")).await;
    let reveal = reveal.expect("the reveal button, once the contest has ended");
    reveal.click().await.unwrap();
    // The organizer lands on the scoreboard, now the final standings; the console says they are out.
    assert!(wait_for(&chief, "Kuroneko Analysts", Duration::from_secs(5)).await);
    shots.take(&chief, "organizer-revealed").await;
    chief.goto(&format!("{base}{demo}/console")).await.unwrap();
    assert!(wait_for(&chief, "The final standings are revealed.", Duration::from_secs(5)).await);

    let actions = app.audit_actions().await;
    for action in [
        "contest.pause",
        "contest.resume",
        "announcement.post",
        "submission.accept",
        "contest.settings",
        "contest.reveal",
    ] {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }
    chief.close().await.unwrap();
}

/// The team answers the demo's Run-key question from its page.
async fn answer(team: &mut crate::helpers::Browser, demo: &str, text: &str) -> crate::helpers::Page {
    let path = format!("{demo}/challenges/dyn-runkey");
    team.get(&path).await;
    team.post(&path, &[("answer", text)]).await
}

/// The venue screen on a projector-sized window: twenty teams, the top eight large and the rest scrolling,
/// the clock ticking on the server's time, and a solve made by another team through the API on the screen
/// within a second, without a reload; an announcement follows. Saved as `target/screenshots/screen.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_venue_screen_follows_the_day() {
    let Some(driver) = start_driver() else { return };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    load(&app, crate::scoreboard::cup("")).await;
    let names = [
        "kuroneko",
        "sandbox",
        "unpackers",
        "yara",
        "ghidra",
        "volatility",
        "sysmon",
        "pcap",
        "entropy",
        "strings",
        "packers",
        "hooks",
        "beacons",
        "loaders",
        "droppers",
        "registry",
        "prefetch",
        "amcache",
        "shimcache",
        "mft",
    ];
    let mut tokens = Vec::new();
    for name in names {
        tokens.push(crate::scoreboard::player(&app, name).await.1);
    }
    // Scores that differ: two teams in three solve alpha, some of them beta after it; nobody zeta yet.
    for (i, token) in tokens.iter().enumerate().skip(1).filter(|(i, _)| i % 3 != 0) {
        crate::scoreboard::solve(&app, token, "alpha", "mimikatz").await;
        if i % 4 == 1 {
            crate::scoreboard::solve(&app, token, "beta", "C:\\Temp\\qpkz.exe").await;
        }
    }
    let base = app.address.clone();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let profiles = tempfile::tempdir().unwrap();

    let screen = chromium(&driver, &profiles.path().join("projector")).await;
    screen.set_window_size(1920, 1080).await.unwrap();
    screen.goto(&format!("{base}/contests/cup/screen?top=8")).await.unwrap();
    assert!(wait_for(&screen, "Team kuroneko", Duration::from_secs(5)).await);
    // The rest does not fit: it scrolls, the list followed by its copy.
    assert!(wait_for(&screen, "screen-track moving", Duration::from_secs(3)).await, "the rest scrolls");
    // The clock ticks.
    let digits = || async { screen.find(Locator::Css("#screen-clock .digits")).await.unwrap().text().await.unwrap() };
    let first = digits().await;
    let mut second = first.clone();
    // A second passes on the page's clock (given a few, on a busy machine).
    for _ in 0..30 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        second = digits().await;
        if second != first {
            break;
        }
    }
    assert!(first != second && second.starts_with("3:"), "the countdown ticks: {first} then {second}");
    assert!(wait_for(&screen, "data-live=\"open\"", Duration::from_secs(10)).await, "the screen listens");

    // Kuroneko, last with nothing, solves zeta through the API: the first solve of zeta is on the screen
    // at once (the benchmark has the real figures), without a reload.
    let solved_at = Instant::now();
    crate::scoreboard::solve(&app, &tokens[0], "zeta", "net view, arp -a").await;
    let first_blood = "Question zeta</span> <span class=\"team\">Team kuroneko";
    let seen = wait_for(&screen, first_blood, PROMPTLY).await;
    assert!(seen, "the solve reached the screen ({:?})", solved_at.elapsed());
    assert!(body(&screen).await.contains("<span class=\"name\">Team kuroneko</span><span class=\"solves\">1 solved"));

    // An organizer's announcement reaches the screen too.
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console").await;
    let fields = [("title", "休憩"), ("title_en", "Lunch break"), ("body", ""), ("body_en", "Back at **13:00**.")];
    chief.post("/contests/cup/console/announcements", &fields).await;
    assert!(wait_for(&screen, "Lunch break", PROMPTLY).await, "the announcement reached the screen");
    tokio::time::sleep(Duration::from_millis(500)).await;
    std::fs::write(dir.join("screen.png"), screen.screenshot().await.unwrap()).unwrap();

    // In Japanese, through the screen's own language switch.
    screen.find(Locator::Css("a[hreflang=ja]")).await.unwrap().click().await.unwrap();
    assert!(wait_for(&screen, "残り時間", Duration::from_secs(5)).await);
    assert!(wait_for(&screen, "休憩", Duration::from_secs(2)).await && !body(&screen).await.contains("Lunch break"));
    std::fs::write(dir.join("screen-ja.png"), screen.screenshot().await.unwrap()).unwrap();

    // On a phone the screen is one column that never scrolls sideways.
    screen.set_window_size(390, 844).await.unwrap();
    let widths = screen
        .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", vec![])
        .await
        .unwrap();
    assert_eq!(widths[0], widths[1], "no sideways scrolling at 390 px: {widths}");
    std::fs::write(dir.join("screen-phone.png"), screen.screenshot().await.unwrap()).unwrap();
    screen.close().await.unwrap();
}
