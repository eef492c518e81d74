//! The judged hackathon: teams hand in entries before the deadline, judges mark them on the rubric without
//! seeing each other's marks, and once organizers publish, the mean of the judges' totals counts in the
//! `hackathon` area and the total; every judge's and organizer's action is in the audit log.

use mwscup::domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{Browser, PASSWORD, TestApp, csrf_of};

both!(judges_mark_hidden_from_each_other_until_published, entries_close_at_the_deadline);

/// The test cup with a `hackathon` area and a rubric of three criteria (10, 10 and 5 at most).
pub fn judged_cup() -> Source {
    let source = Source::valid();
    let path = source.dir().join("contest.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        r#"
[[areas]]
key = "hackathon"
name = "ハッカソン"
name_en = "Hackathon"
on_day = false

[[rubric]]
key = "originality"
name = "独創性"
name_en = "Originality"
max = 10

[[rubric]]
key = "usefulness"
name = "有用性"
name_en = "Usefulness"
max = 10

[[rubric]]
key = "presentation"
name = "発表"
name_en = "Presentation"
max = 5
"#,
    );
    std::fs::write(&path, text).unwrap();
    source
}

/// Hands in an entry from the team page's form; returns the status and the page.
pub(crate) async fn hand_in(
    app: &TestApp,
    b: &mut Browser,
    title: &str,
    slides: Option<&[u8]>,
) -> (StatusCode, String) {
    let page = b.get("/contests/cup/hackathon").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = csrf_of(&page.body).expect("the entry form");
    let mut form = Form::new()
        .text("csrf", csrf)
        .text("title", title.to_owned())
        .text("description", "**YARA** rules from the FFRI Dataset")
        .text("link", "https://example.com/repo");
    if let Some(bytes) = slides {
        form = form.part("slides", Part::bytes(bytes.to_vec()).file_name("../slides.pdf"));
    }
    let res = b.client.post(app.url("/contests/cup/hackathon")).multipart(form).send().await.unwrap();
    let status = res.status();
    (status, res.text().await.unwrap())
}

pub(crate) async fn signed_in(app: &TestApp, name: &str, role: Role) -> Browser {
    app.user(name, role).await;
    let mut b = app.browser();
    assert_eq!(b.login(name, PASSWORD).await.status, StatusCode::OK);
    b
}

/// The entry ids on the judging page, by title.
pub(crate) fn entry_id(body: &str, title: &str) -> String {
    let at = body.find(&format!(">{title}</a>")).unwrap_or_else(|| panic!("{title} listed: {body}"));
    let before = &body[..at];
    let start = before.rfind("/judging/entries/").expect("a link") + "/judging/entries/".len();
    before[start..].trim_end_matches('"').to_owned()
}

async fn scoreboard(app: &TestApp) -> Value {
    reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap()
}

fn score_of(board: &Value, list: &str, team: &str) -> Value {
    let rows = if list == "total" { &board["standings"] } else { &board["by_area"][list] };
    rows.as_array().unwrap().iter().find(|r| r["team"] == team).map(|r| r["score"].clone()).unwrap_or(Value::Null)
}

pub(crate) async fn mark(b: &mut Browser, entry: &str, marks: [&str; 3], criteria: &[String]) -> crate::helpers::Page {
    let path = format!("/contests/cup/judging/entries/{entry}");
    b.get(&path).await;
    let fields: Vec<(&str, &str)> = criteria.iter().map(String::as_str).zip(marks).collect();
    b.post(&path, &fields).await
}

/// The form's field names for the criteria (`c<id>`), in the rubric's order.
pub(crate) fn criterion_fields(body: &str) -> Vec<String> {
    body.match_indices("name=\"c")
        .map(|(i, _)| body[i + 6..].split('"').next().unwrap().to_owned())
        .filter(|name| name[1..].bytes().all(|b| b.is_ascii_digit()))
        .collect()
}

/// A judge's view of an entry before publication: the judge's own marks in the form and nothing of anyone
/// else's: no other judge's name, no table of sheets (other judges' marks and totals), no score.
fn assert_blind(page: &crate::helpers::Page, own: [&str; 3], others: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let values: Vec<&str> = page
        .body
        .match_indices(" value=\"")
        .map(|(i, _)| page.body[i + 8..].split('"').next().unwrap())
        .filter(|v| v.is_empty() || v.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    assert_eq!(values, own, "the form holds the judge's own marks only");
    page.assert_contains("Other judges&#39; marks are hidden")
        .assert_lacks("id=\"entry-score\"")
        .assert_lacks("class=\"num\"")
        .assert_lacks("<tfoot>");
    for other in others {
        page.assert_lacks(other);
    }
}

/// A judge's list of entries before publication: the judge's own progress only, no count of sheets, no score,
/// no other judge's name.
fn assert_blind_list(page: &crate::helpers::Page, others: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_lacks("class=\"num\"").assert_lacks("Judges done");
    for other in others {
        page.assert_lacks(other);
    }
}

async fn judges_mark_hidden_from_each_other_until_published(app: TestApp) {
    load(&app, judged_cup()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let mut bob = app.browser();
    bob.register("bob").await;
    bob.create_team("cup", "Seekers").await;

    let page = alice.get("/contests/cup").await;
    page.assert_contains("/contests/cup/hackathon");
    let (status, body) = hand_in(&app, &mut alice, "Sample triage kit", Some(b"%PDF-1.7\n%slides")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Sample triage kit") && body.contains(">slides.pdf</a>"), "{body}");
    let (status, body) = hand_in(&app, &mut bob, "", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a title is required: {body}");
    let (status, _) = hand_in(&app, &mut bob, "Log lens", None).await;
    assert_eq!(status, StatusCode::OK);

    let mut judge1 = signed_in(&app, "judge1", Role::Judge).await;
    let mut judge2 = signed_in(&app, "judge2", Role::Judge).await;
    let mut chief = signed_in(&app, "chief", Role::Organizer).await;
    let list = judge1.get("/contests/cup/judging").await;
    assert_eq!(list.status, StatusCode::OK);
    let (finders, seekers) = (entry_id(&list.body, "Sample triage kit"), entry_id(&list.body, "Log lens"));

    // Slides: the team and judges may download them, another team may not learn they exist.
    let slides = format!("/contests/cup/hackathon/entries/{finders}/slides");
    assert_eq!(judge1.get(&slides).await.body, "%PDF-1.7\n%slides");
    assert_eq!(alice.get(&slides).await.status, StatusCode::OK);
    assert_eq!(bob.get(&slides).await.status, StatusCode::NOT_FOUND);
    assert_eq!(alice.get("/contests/cup/judging").await.status, StatusCode::FORBIDDEN, "teams do not judge");

    let entry = judge1.get(&format!("/contests/cup/judging/entries/{finders}")).await;
    let criteria = criterion_fields(&entry.body);
    assert_eq!(criteria.len(), 3, "{}", entry.body);
    // A mark out of range is refused with the range, and nothing is kept.
    let refused = mark(&mut judge1, &finders, ["11", "7", "5"], &criteria).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("from 0 to 10");
    assert!(!app.audit_actions().await.contains(&"judging.mark".to_owned()));

    // Totals 20 and 21: the mean is 20.5. Judge 2 leaves the Seekers' sheet unfinished.
    mark(&mut judge1, &finders, ["8", "7", "5"], &criteria).await;
    mark(&mut judge2, &finders, ["9", "8", "4"], &criteria).await;
    mark(&mut judge1, &seekers, ["5", "5", "5"], &criteria).await;
    mark(&mut judge2, &seekers, ["10", "", ""], &criteria).await;

    // Each judge sees their own sheets and nothing of the other's: names, marks, totals (20, 21; 15), means.
    let (on_finders, on_seekers) =
        (format!("/contests/cup/judging/entries/{finders}"), format!("/contests/cup/judging/entries/{seekers}"));
    // (the judge, their marks on each entry, the other judge's name and totals on each entry)
    for (judge, own_finders, own_seekers, other, other_finders, other_seekers) in [
        (&mut judge1, ["8", "7", "5"], ["5", "5", "5"], "judge2", ">21<", ">10<"),
        (&mut judge2, ["9", "8", "4"], ["10", "", ""], "judge1", ">20<", ">15<"),
    ] {
        assert_blind(&judge.get(&on_finders).await, own_finders, &[other, other_finders, "20.5"]);
        assert_blind(&judge.get(&on_seekers).await, own_seekers, &[other, other_seekers]);
        let list = judge.get("/contests/cup/judging").await;
        assert_blind_list(&list, &[other, other_finders, other_seekers, "20.5"]);
    }
    judge2.get("/contests/cup/judging").await.assert_contains("Incomplete");
    let organizer_view = chief.get(&format!("/contests/cup/judging/entries/{finders}")).await;
    organizer_view.assert_contains("judge1").assert_contains("judge2").assert_contains(">20.5<");
    alice.get("/contests/cup/hackathon").await.assert_lacks("hackathon-score");
    assert_eq!(score_of(&scoreboard(&app).await, "total", "Finders"), 0, "nothing counts before publication");

    let published = chief.post("/contests/cup/judging/publish", &[]).await;
    assert_eq!(published.status, StatusCode::OK);
    published.assert_contains("Marks are published");
    let board = scoreboard(&app).await;
    assert_eq!(score_of(&board, "total", "Finders"), 20.5);
    assert_eq!(score_of(&board, "hackathon", "Finders"), 20.5);
    assert_eq!(score_of(&board, "hackathon", "Seekers"), 15, "only judge 1's complete sheet counts");
    assert_eq!(score_of(&board, "static", "Finders"), 0);
    assert_eq!(board["standings"][0]["team"], "Finders");

    let seen = judge1.get(&format!("/contests/cup/judging/entries/{finders}")).await;
    seen.assert_contains("judge2").assert_contains(">20.5<");
    let team_view = alice.get("/contests/cup/hackathon").await;
    assert_eq!(team_view.by_id("hackathon-score").as_deref(), Some("20.5 / 25"));
    team_view.assert_contains("8.5 / 10").assert_contains("7.5 / 10").assert_contains("4.5 / 5");

    // A sheet changed after publication moves the standings at once: 20 and 25 → 22.5.
    mark(&mut judge2, &finders, ["10", "10", "5"], &criteria).await;
    assert_eq!(score_of(&scoreboard(&app).await, "total", "Finders"), 22.5);

    chief.post("/contests/cup/judging/withdraw", &[]).await;
    assert_eq!(score_of(&scoreboard(&app).await, "total", "Finders"), 0, "withdrawn marks count for nothing");
    assert_blind(&judge1.get(&on_finders).await, ["8", "7", "5"], &["judge2", "22.5", ">25<"]);
    assert_blind_list(&judge1.get("/contests/cup/judging").await, &["judge2", "22.5"]);

    let actions = app.audit_actions().await;
    for action in ["judging.mark", "judging.publish", "judging.withdraw"] {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }
    let log = chief.get("/admin/audit?action=judging.mark").await;
    log.assert_contains("judge2").assert_contains("originality: 9 → 10").assert_contains("presentation: 4 → 5");
}

async fn entries_close_at_the_deadline(app: TestApp) {
    load(&app, judged_cup()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let (status, _) = hand_in(&app, &mut alice, "Draft", None).await;
    assert_eq!(status, StatusCode::OK);

    // Organizers close the hackathon area's window a minute ago: the deadline has passed.
    let mut chief = signed_in(&app, "chief", Role::Organizer).await;
    chief.get("/contests/cup/console").await;
    let closes = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let page = chief
        .post("/contests/cup/console/areas/hackathon/window", &[("opens_at", ""), ("closes_at", closes.as_str())])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);

    let page = alice.get("/contests/cup/hackathon").await;
    page.assert_contains("Draft").assert_contains("entries-closed").assert_lacks("name=\"title\"");
    let csrf = csrf_of(&page.body).unwrap_or_default();
    let form = Form::new().text("csrf", csrf).text("title", "Final");
    let res = alice.client.post(app.url("/contests/cup/hackathon")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("not being taken now"));
    alice.get("/contests/cup/hackathon").await.assert_contains("Draft").assert_lacks("Final");
}
