//! Classification challenges: a prediction file scored against the sealed truth, from the page and the
//! API; malformed files, the daily limit, finals, public then private points after the reveal, the
//! freeze; the demo's test set and its sealed table; no plaintext label in the repository or the
//! database.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

use mwscup::domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{Browser, PASSWORD, TestApp, database_texts};

#[path = "../../examples/surface_synth/synth.rs"]
#[allow(dead_code)]
mod synth;

both!(uploads_are_checked_scored_limited_and_revealed, the_freeze_holds_for_uploads);
both!(the_demo_is_sealed_and_no_label_is_kept, uploads_at_once_keep_the_daily_limit);
both!(the_board_shows_public_scores_then_the_private_ones, the_page_offers_a_sample_file_and_the_real_curl_line);

/// Six test rows; a, b, e are malware.
const TRUTH: &str = "id,label\na,malware\nb,malware\nc,cleanware\nd,cleanware\ne,malware\nf,cleanware\n";
const SALT: &str = "salt-classify";

fn mwscup(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mwscup")).args(args).current_dir(cwd).output().unwrap()
}

/// The fixture `cup` plus the classification challenge `omega` (static area), sealed with the CLI at
/// public fraction 0.5; `extra` goes into contest.toml.
pub(crate) fn source_with_classification(extra: &str) -> Source {
    let s = Source::valid();
    if !extra.is_empty() {
        s.edit("cup/contest.toml", "max_team_size = 4", &format!("max_team_size = 4\n{extra}"));
    }
    s.write(
        "cup/static/omega/challenge.toml",
        &format!(
            "title = \"問題 omega\"\ntitle_en = \"Question omega\"\ntype = \"classification\"\n\n[classification]\nsalt = \"{SALT}\"\nlabels = [\"malware\", \"cleanware\"]\npositive = \"malware\"\nmetric = \"f1\"\npublic_fraction = 0.5\nmax_submissions_per_day = 3\npoints = 200\n"
        ),
    );
    s.write("cup/static/omega/README.md", "# omega\n\n各ファイルを分類してください。\n");
    s.write(
        "cup/static/omega/files/test.jsonl",
        "{\"id\": \"a\"}\n{\"id\": \"b\"}\n{\"id\": \"c\"}\n{\"id\": \"d\"}\n{\"id\": \"e\"}\n{\"id\": \"f\"}\n",
    );
    let truth = s.root.path().join("truth.csv");
    std::fs::write(&truth, TRUTH).unwrap();
    let sealed = s.dir().join("static/omega/sealed.csv");
    let out = mwscup(
        &[
            "classification",
            "seal",
            "--salt",
            SALT,
            "--public-fraction",
            "0.5",
            "--out",
            sealed.to_str().unwrap(),
            truth.to_str().unwrap(),
        ],
        s.root.path(),
    );
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("6 rows, 3 public, 3 private"));
    std::fs::remove_file(&truth).unwrap();
    s
}

/// `challenges check` reads the sealed table and refuses a plaintext truth anywhere in the folder, in any
/// shape that pairs an id with its label on a line; a classification challenge has no flag or points of its
/// own.
#[test]
fn check_refuses_a_plaintext_truth_and_a_broken_sealed_table() {
    let s = source_with_classification("");
    let (ok, out) = s.check();
    assert!(ok, "{out}");
    assert!(out.contains("ok (2 areas, 4 challenges)"), "{out}");
    let root = s.root.path().display().to_string();

    s.write("cup/static/omega/truth.csv", TRUTH);
    s.write("cup/notes.md", "remember: c is cleanware\n");
    s.write(
        "cup/static/omega/files/labelled.jsonl",
        "{\"id\": \"e\", \"label\": \"malware\"}\n{\"id\": \"e\", \"label\": \"cleanware\"}\n",
    );
    let (ok, out) = s.check();
    assert!(!ok);
    for expected in [
        format!(
            "{root}/cup/static/omega/truth.csv: line 2: holds the true label of 6 test rows of static/omega in plaintext"
        ),
        format!("{root}/cup/notes.md: line 1: holds the true label of 1 test row of static/omega in plaintext"),
        format!("{root}/cup/static/omega/files/labelled.jsonl: line 1: holds the true label of 1 test row"),
    ] {
        assert!(out.contains(&expected), "missing {expected:?} in:\n{out}");
    }
    std::fs::remove_file(s.dir().join("static/omega/truth.csv")).unwrap();
    std::fs::remove_file(s.dir().join("notes.md")).unwrap();
    std::fs::remove_file(s.dir().join("static/omega/files/labelled.jsonl")).unwrap();

    // A wrong label is no leak; a broken sealed table and stray fields are problems with their lines.
    s.write("cup/static/omega/files/guess.csv", "id,label\na,cleanware\n");
    let (ok, out) = s.check();
    assert!(ok, "{out}");
    s.edit("cup/static/omega/sealed.csv", ",public", ",secret");
    s.edit("cup/static/omega/challenge.toml", "points = 200", "points = 200\nmetric_x = 1");
    s.edit("cup/static/omega/challenge.toml", "type = \"classification\"", "type = \"classification\"\npoints = 5");
    let (ok, out) = s.check();
    assert!(!ok);
    for expected in [
        "board \"secret\" is not public or private",
        "omega/challenge.toml: classification.metric_x: unknown field",
        "omega/challenge.toml: points: a classification challenge has none",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    std::fs::remove_file(s.dir().join("static/omega/sealed.csv")).unwrap();
    let (_, out) = s.check();
    assert!(out.contains("omega/sealed.csv: -: is missing: write it with `mwscup classification seal"), "{out}");
}

/// The ids on the public board, read from the sealed table.
fn public_ids(s: &Source) -> HashSet<String> {
    std::fs::read_to_string(s.dir().join("static/omega/sealed.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| l.ends_with(",public"))
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect()
}

/// F1 of `predicted` (malware ids) over `ids`, by hand: 2·TP / (2·TP + FP + FN).
fn f1_by_hand(ids: &HashSet<String>, predicted: &[&str]) -> f64 {
    let truth = ["a", "b", "e"];
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for id in ids {
        match (predicted.contains(&id.as_str()), truth.contains(&id.as_str())) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fn_ += 1.0,
            _ => {}
        }
    }
    if tp == 0.0 { 0.0 } else { 2.0 * tp / (2.0 * tp + fp + fn_) }
}

pub(crate) fn predictions(malware: &[&str]) -> String {
    let mut text = "id,label\n".to_owned();
    for id in ["a", "b", "c", "d", "e", "f"] {
        text.push_str(&format!("{id},{}\n", if malware.contains(&id) { "malware" } else { "cleanware" }));
    }
    text
}

pub(crate) async fn player(app: &TestApp, name: &str) -> (Browser, String) {
    let mut b = app.browser();
    b.register(name).await;
    b.create_team("cup", &format!("Team {name}")).await;
    (b, app.token_named(name).await)
}

pub(crate) async fn omega_id(app: &TestApp, token: &str) -> i64 {
    let ids = app.challenge_ids(token, "/api/v1/challenges").await;
    ids["omega"]
}

pub(crate) async fn upload_api(app: &TestApp, token: &str, id: i64, csv: &str) -> (StatusCode, Value) {
    let res = app
        .api()
        .post(app.url(&format!("/api/v1/challenges/{id}/predictions")))
        .header("Authorization", format!("Token {token}"))
        .header("Accept-Language", "en")
        .header("Content-Type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    crate::helpers::json_of(res).await
}

async fn list_api(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app
        .api()
        .get(app.url(&format!("/api/v1/challenges/{id}/predictions")))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn score_of(app: &TestApp, team: &str, path: &str) -> Value {
    let board: Value = app.api().get(app.url(path)).send().await.unwrap().json().await.unwrap();
    board["standings"].as_array().unwrap().iter().find(|r| r["team"] == team).unwrap()["score"].clone()
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-9
}

async fn end_and_reveal(app: &TestApp) {
    app.end_contests(chrono::Duration::minutes(1), false).await;
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console").await;
    let page = chief.post("/contests/cup/console/reveal", &[("confirm", "yes")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

/// The challenge's page links a sample prediction file (the header and every test id with the first label, a valid
/// upload as it is) and gives the `curl` line with this site's address and the challenge's real id; those who may
/// not open the challenge get neither. A chosen final reads as a state, beside the button that changes it.
async fn the_page_offers_a_sample_file_and_the_real_curl_line(app: TestApp) {
    load(&app, source_with_classification("")).await;
    let (mut browser, token) = player(&app, "samplers").await;
    let id = omega_id(&app, &token).await;
    let sample_link = "/contests/cup/challenges/omega/predictions/sample.csv";
    let page = browser.get("/contests/cup/challenges/omega").await;
    page.assert_contains(&format!("href=\"{sample_link}\""))
        .assert_contains(&app.url(&format!("/contests/cup/api/v1/challenges/{id}/predictions")))
        .assert_contains("--data-binary @predictions.csv")
        .assert_lacks("&lt;id&gt;");

    let sample = browser.get(sample_link).await;
    assert_eq!(sample.status, StatusCode::OK, "{}", sample.body);
    assert_eq!(sample.body, predictions(&["a", "b", "c", "d", "e", "f"]));
    let (status, body) = upload_api(&app, &token, id, &sample.body).await;
    assert_eq!(status, StatusCode::OK, "the sample is a valid upload: {body}");

    let page = browser.get("/contests/cup/challenges/omega").await;
    page.assert_contains("<span class=\"badge final\">Final</span>").assert_contains(">Make final</button>");

    // Like the page: no team, 403; an unknown challenge, 404; one that takes a flag has no sample.
    let mut stranger = app.browser();
    stranger.register("stranger").await;
    assert_eq!(stranger.get(sample_link).await.status, StatusCode::FORBIDDEN);
    assert_eq!(stranger.get("/contests/cup/challenges/omega").await.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/contests/cup/challenges/nope/predictions/sample.csv").await.status, StatusCode::NOT_FOUND);
    let flag = browser.get("/contests/cup/challenges/alpha/predictions/sample.csv").await;
    assert_eq!(flag.status, StatusCode::BAD_REQUEST, "{}", flag.body);
}

async fn uploads_are_checked_scored_limited_and_revealed(app: TestApp) {
    let source = load(&app, source_with_classification("")).await;
    let public = public_ids(&source);
    let all: HashSet<String> = ["a", "b", "c", "d", "e", "f"].iter().map(|s| s.to_string()).collect();
    let private: HashSet<String> = all.difference(&public).cloned().collect();
    let (mut browser, token) = player(&app, "finders").await;
    let id = omega_id(&app, &token).await;

    // The board marks it, and its page has the upload form instead of the answer box.
    browser.get("/contests/cup/challenges").await.assert_contains("Prediction file");
    let page = browser.get("/contests/cup/challenges/omega").await;
    page.assert_contains("enctype=\"multipart/form-data\"")
        .assert_contains("Uploads a day")
        .assert_lacks("name=\"answer\"");

    // A flag is refused with the reason, on the page and in the API.
    let flag = browser.post("/contests/cup/challenges/omega", &[("answer", "malware")]).await;
    assert_eq!(flag.status, StatusCode::BAD_REQUEST);
    flag.assert_contains("takes a prediction file");
    let res = app
        .api()
        .post(app.url("/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .header("Accept-Language", "en")
        .json(&json!({"challenge_id": id, "submission": "malware"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("takes a prediction file"));

    // A malformed file: every problem with its line, nothing kept, nothing counted against the day.
    let bad = "id,label\na,malware\na,cleanware\nzz,malware\nc,goodware\nd\n";
    let (status, body) = upload_api(&app, &token, id, bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let errors: Vec<&str> = body["errors"]["file"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert_eq!(
        errors,
        vec![
            "line 3: id \"a\" again (first on line 2).",
            "line 4: unknown id \"zz\".",
            "line 5: \"goodware\" is not one of the labels.",
            "line 6: has 1 columns, not 2.",
            "4 ids have no row (the first in id order: \"b\", \"d\", \"e\", \"f\"): give every id once.",
        ],
        "{body}"
    );
    let (status, _) = upload_api(&app, &token, id, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = upload_api(&app, &token, id, &"x".repeat(17 * 1024 * 1024)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(list_api(&app, &token, id).await["data"].as_array().unwrap().is_empty());

    // The page: a perfect file scores 1 on the public part.
    let csrf = crate::helpers::csrf_of(&page.body).unwrap();
    let form = Form::new().text("csrf", csrf).part("file", Part::bytes(TRUTH.as_bytes().to_vec()).file_name("p.csv"));
    let res = browser
        .client
        .post(app.url("/contests/cup/challenges/omega/predictions"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(text.contains("Scored (6 rows): f1 on the public part = 1.0000"), "{text}");
    assert!(!text.contains("class=\"private-score\""), "no private score before the reveal");
    assert_eq!(score_of(&app, "Team finders", "/contests/cup/scoreboard.json").await, json!(200));

    // Through the API: everything called malware.
    let lazy = ["a", "b", "c", "d", "e", "f"];
    let (status, body) = upload_api(&app, &token, id, &predictions(&lazy)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(close(&body["data"]["public"]["score"], f1_by_hand(&public, &lazy)), "{body}");
    assert!(body["data"]["private"].is_null(), "the private score is not shown before the reveal");
    assert_eq!(body["data"]["final"], true, "two uploads: both are the default finals");
    // A third, then the daily limit.
    let guess = ["a", "c"];
    assert_eq!(upload_api(&app, &token, id, &predictions(&guess)).await.0, StatusCode::OK);
    let (status, body) = upload_api(&app, &token, id, &predictions(&guess)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap().contains("used today's 3 uploads"), "{body}");
    assert_eq!(body["data"]["status"], "daily_limit");

    let list = list_api(&app, &token, id).await;
    let uploads = list["data"].as_array().unwrap();
    assert_eq!(uploads.len(), 3);
    assert!(uploads.iter().all(|u| u["private"].is_null()));
    let guess_id = uploads[0]["id"].as_i64().unwrap();
    // Finals: the team picks the guess alone.
    let page = browser.get("/contests/cup/challenges/omega").await;
    page.assert_contains("Make final");
    let chosen = browser
        .post("/contests/cup/challenges/omega/finals", &[("upload", &guess_id.to_string()), ("chosen", "1")])
        .await;
    assert_eq!(chosen.status, StatusCode::OK);
    // The live points stay the best public score of all the uploads (the perfect one): finals decide the end.
    assert_eq!(score_of(&app, "Team finders", "/contests/cup/scoreboard.json").await, json!(200));
    // No third final.
    let others: Vec<i64> = uploads.iter().map(|u| u["id"].as_i64().unwrap()).filter(|u| *u != guess_id).collect();
    browser.get("/contests/cup/challenges/omega").await;
    browser.post("/contests/cup/challenges/omega/finals", &[("upload", &others[0].to_string()), ("chosen", "1")]).await;
    browser.get("/contests/cup/challenges/omega").await;
    let third = browser
        .post("/contests/cup/challenges/omega/finals", &[("upload", &others[1].to_string()), ("chosen", "1")])
        .await;
    assert_eq!(third.status, StatusCode::BAD_REQUEST);
    third.assert_contains("At most two uploads can be final");
    // Back to the guess alone.
    browser.get("/contests/cup/challenges/omega").await;
    browser.post("/contests/cup/challenges/omega/finals", &[("upload", &others[0].to_string()), ("chosen", "0")]).await;

    // After the end and the reveal, the private part decides, and the private scores are shown.
    end_and_reveal(&app).await;
    let final_points = (200.0 * f1_by_hand(&private, &guess) * 100.0).round() / 100.0;
    let score = score_of(&app, "Team finders", "/contests/cup/scoreboard.json").await;
    assert!(close(&score, final_points), "{score} vs {final_points}");
    let list = list_api(&app, &token, id).await;
    let guess_row = list["data"].as_array().unwrap().iter().find(|u| u["id"] == guess_id).unwrap().clone();
    assert!(close(&guess_row["private"]["score"], f1_by_hand(&private, &guess)), "{guess_row}");
    assert_eq!(guess_row["final"], true);
    browser
        .get("/contests/cup/challenges/omega")
        .await
        .assert_contains("class=\"private-score\"")
        .assert_lacks("Make final");
    // The points count in the challenge's area too.
    let board: Value =
        app.api().get(app.url("/contests/cup/scoreboard.json")).send().await.unwrap().json().await.unwrap();
    let area =
        board["by_area"]["static"].as_array().unwrap().iter().find(|r| r["team"] == "Team finders").unwrap().clone();
    assert!(close(&area["score"], final_points), "{area}");
}

/// The truth with the label of every id in `wrong` swapped.
fn wrong_on(wrong: &HashSet<String>) -> String {
    let malware = ["a", "b", "e"];
    let mut text = "id,label\n".to_owned();
    for id in ["a", "b", "c", "d", "e", "f"] {
        let right = malware.contains(&id);
        let said = if wrong.contains(id) { !right } else { right };
        text.push_str(&format!("{id},{}\n", if said { "malware" } else { "cleanware" }));
    }
    text
}

/// The challenge's board, as anyone reads it.
async fn board_rows(app: &TestApp) -> Vec<(String, String)> {
    let body =
        app.api().get(app.url("/contests/cup/challenges/omega/board")).send().await.unwrap().text().await.unwrap();
    let re = regex::Regex::new(r#"<td class="team">([^<]*)</td>(?:<td class="num private-score">([^<]*)</td>)?<td class="num public-score">([^<]*)</td>"#).unwrap();
    re.captures_iter(&body)
        .map(|c| {
            (
                c[1].to_owned(),
                c.get(2).map_or_else(|| format!("public {}", &c[3]), |p| format!("private {}", p.as_str())),
            )
        })
        .collect()
}

/// The board ranks teams by their best public score during the contest; once the results are revealed,
/// by the private score of their finals, which here reverses the order.
async fn the_board_shows_public_scores_then_the_private_ones(app: TestApp) {
    let source = load(&app, source_with_classification("")).await;
    let public = public_ids(&source);
    let all: HashSet<String> = ["a", "b", "c", "d", "e", "f"].iter().map(|s| s.to_string()).collect();
    let private: HashSet<String> = all.difference(&public).cloned().collect();
    let (_, overfit) = player(&app, "overfit").await;
    let (_, steady) = player(&app, "steady").await;
    let id = omega_id(&app, &overfit).await;
    // Right on the public part only, and right on the private part only.
    assert_eq!(upload_api(&app, &overfit, id, &wrong_on(&private)).await.0, StatusCode::OK);
    assert_eq!(upload_api(&app, &steady, id, &wrong_on(&public)).await.0, StatusCode::OK);

    let live = board_rows(&app).await;
    assert_eq!(
        live,
        vec![("Team overfit".into(), "public 1.0000".into()), ("Team steady".into(), "public 0.0000".into())]
    );
    let flag = app.api().get(app.url("/contests/cup/challenges/alpha/board")).send().await.unwrap();
    assert_eq!(flag.status(), StatusCode::BAD_REQUEST, "a challenge that takes a flag has no board");

    end_and_reveal(&app).await;
    let revealed = board_rows(&app).await;
    assert_eq!(
        revealed,
        vec![("Team steady".into(), "private 1.0000".into()), ("Team overfit".into(), "private 0.0000".into())]
    );
}

/// Six uploads sent at once against a limit of three: exactly three are scored, the others are told the limit.
async fn uploads_at_once_keep_the_daily_limit(app: TestApp) {
    load(&app, source_with_classification("")).await;
    let (_, token) = player(&app, "finders").await;
    let id = omega_id(&app, &token).await;
    let sends = (0..6).map(|_| upload_api(&app, &token, id, TRUTH));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(sends).await.into_iter().map(|(s, _)| s).collect();
    let scored = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let limited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((scored, limited), (3, 3), "{statuses:?}");
    assert_eq!(list_api(&app, &token, id).await["data"].as_array().unwrap().len(), 3);
}

/// Uploads after the freeze stay off the public board until the reveal; the organizers see them.
async fn the_freeze_holds_for_uploads(app: TestApp) {
    let source = source_with_classification("");
    source.edit("cup/contest.toml", "freeze_at = 2026-10-20T12:30:00+09:00", "freeze_at = 2026-10-20T09:10:00+09:00");
    load(&app, source).await;
    let (_, token) = player(&app, "finders").await;
    let id = omega_id(&app, &token).await;
    assert_eq!(upload_api(&app, &token, id, TRUTH).await.0, StatusCode::OK);
    assert_eq!(score_of(&app, "Team finders", "/contests/cup/scoreboard.json").await, json!(0), "frozen");
    let organizer = app.user("boss", Role::Organizer).await;
    let boss = app.token_for(&organizer).await;
    let (_, board) = crate::helpers::api(&app, &boss, "GET", "/contests/cup/api/v1/scoreboard", None).await;
    let row = board["data"].as_array().unwrap().iter().find(|r| r["name"] == "Team finders").unwrap().clone();
    assert_eq!(row["score"], json!(200), "organizers see past the freeze: {board}");
    // The challenge's board too: frozen for everyone else, whole for organizers.
    let public =
        app.api().get(app.url("/contests/cup/challenges/omega/board")).send().await.unwrap().text().await.unwrap();
    assert!(public.contains("id=\"frozen\"") && !public.contains("Team finders"), "{public}");
    let mut chief = app.browser();
    chief.login("boss", PASSWORD).await;
    chief
        .get("/contests/cup/challenges/omega/board")
        .await
        .assert_contains("Team finders")
        .assert_lacks("id=\"frozen\"");
}

/// The demo's sealed table matches its seeded generator (a perfect upload scores 1 on both parts), and
/// no file of the repository nor any row of the database pairs a test id with its label.
async fn the_demo_is_sealed_and_no_label_is_kept(app: TestApp) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rows = synth::generate(synth::DEMO_SEED, synth::DEMO_ROWS);
    let truth: HashMap<&str, &str> = rows.iter().map(|r| (r.id.as_str(), r.label)).collect();
    // The committed test set is the generator's, without labels.
    let committed =
        std::fs::read_to_string(repo.join("challenges/mwscup-demo/surface/surf-classify/files/test.jsonl")).unwrap();
    let generated: Vec<&str> = rows.iter().map(|r| r.features.as_str()).collect();
    assert_eq!(committed.lines().collect::<Vec<_>>(), generated, "run the generator again");

    // No file the repository tracks pairs an id with its label on a line.
    let listed = Command::new("git").args(["ls-files", "-z"]).current_dir(repo).output();
    let files: Vec<std::path::PathBuf> = match listed {
        Ok(out) if out.status.success() => out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| repo.join(String::from_utf8_lossy(p).into_owned()))
            .collect(),
        _ => walkdir::WalkDir::new(repo.join("challenges")).into_iter().flatten().map(|e| e.into_path()).collect(),
    };
    let mut leaks = Vec::new();
    for path in files.iter().filter(|p| p.is_file()) {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        for line in text.lines() {
            if !(line.contains("malware") || line.contains("cleanware")) {
                continue;
            }
            for token in line.split(|c: char| !c.is_ascii_hexdigit()).filter(|t| t.len() == 64) {
                if let Some(label) = truth.get(token)
                    && line.contains(label)
                {
                    leaks.push(format!("{}: {line}", path.display()));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "labels in plaintext: {leaks:#?}");

    // The demo loads; a perfect upload scores 1 on the public part, and the database keeps counts only.
    mwscup::cli::demo::ensure(&app.db, &crate::helpers::settings_of(&app.fixture)).await.unwrap();
    let mut b = app.browser();
    b.register("perfect").await;
    b.create_team("mwscup-demo", "Perfect").await;
    let token = app.token_named("perfect").await;
    let id = app.challenge_ids(&token, "/contests/mwscup-demo/api/v1/challenges").await["surf-classify"];
    let mut csv = "id,label\n".to_owned();
    for r in &rows {
        csv.push_str(&format!("{},{}\n", r.id, r.label));
    }
    let started = std::time::Instant::now();
    let res = app
        .api()
        .post(app.url(&format!("/contests/mwscup-demo/api/v1/challenges/{id}/predictions")))
        .header("Authorization", format!("Token {token}"))
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["public"]["score"], json!(1.0), "{body}");
    assert_eq!(body["data"]["public"]["rows"], json!(900));
    assert!(started.elapsed().as_secs() < 10);
    let texts = database_texts(&app.db).await;
    let held: Vec<&String> = texts.iter().filter(|t| truth.keys().any(|id| t.contains(id))).collect();
    assert!(held.is_empty(), "the database holds test ids: {held:?}");
}
