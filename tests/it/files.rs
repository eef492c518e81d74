//! What was authored, as people see it: attachments for those who may see their challenge (and agreed
//! to the datasets' terms), the dataset catalog, agreements, and the organizers' list of challenges.

use chrono::{Duration, Utc};
use mwscup::domain::role::Role;
use reqwest::StatusCode;

use crate::authoring::Source;
use crate::both;
use crate::helpers::{PASSWORD, TestApp};

both!(attachments_follow_visibility_and_agreements, the_catalog_and_bulk_agreements, organizers_review_what_was_loaded);
both!(a_locked_challenge_keeps_its_files, a_file_needs_the_agreements_of_every_challenge_offering_it);

/// Loads the fixture contest `cup` so that it started half an hour ago (its dfir area opens in 30 min).
pub async fn load_cup(app: &TestApp) -> Source {
    load(app, Source::valid()).await
}

/// Loads a source so that its contest started half an hour ago.
pub async fn load(app: &TestApp, source: Source) -> Source {
    let checked = mwscup::authoring::load_checked(&source.dir()).expect("the fixture is valid");
    let shift = (Utc::now() - Duration::minutes(30)) - checked.contest.starts_at;
    let lines = mwscup::authoring::sync::sync(&app.db, &app.blobs, &checked.shifted(shift)).await.unwrap();
    assert!(lines.iter().any(|l| l == "contest cup: created"), "{lines:?}");
    source
}

fn sha256_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn attachments_follow_visibility_and_agreements(app: TestApp) {
    let source = load_cup(&app).await;
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    let url = format!("/files/{}/sysmon.txt", sha256_of(&content));

    let res = app.browser().direct().get(app.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "log in first");
    let script = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = script.get(app.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a script is told, not led to a form");

    let mut stranger = app.browser();
    stranger.register("stranger").await;
    assert_eq!(stranger.get(&url).await.status, StatusCode::NOT_FOUND, "not in a team of the contest");

    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let refused = alice.get(&url).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("first agree to the terms of: FFRI Dataset (/datasets/ffri)");

    let terms = alice.get("/datasets/ffri").await;
    terms
        .assert_contains("For research only.")
        .assert_contains("Version 2026-1")
        .assert_contains("I agree to these terms");
    let agreed = alice.post("/datasets/ffri/agree", &[]).await;
    agreed.assert_contains("You agreed to the terms").assert_lacks("I agree to these terms");

    let res = alice.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment") && disposition.contains("sysmon.txt"), "{disposition}");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert_eq!(res.bytes().await.unwrap().as_ref(), content.as_slice());

    // The same file under another name, a malformed digest: nothing (traversals: `traversal.rs`).
    assert_eq!(alice.get(&format!("/files/{}/other.txt", sha256_of(&content))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(alice.get("/files/abc/sysmon.txt").await.status, StatusCode::NOT_FOUND);

    // gamma's area opens later: its README is not an attachment, so give it one and reload.
    source.write("cup/dfir/gamma/files/later.txt", "opens later\n");
    let checked = mwscup::authoring::load_checked(&source.dir()).unwrap();
    let shift = (Utc::now() - Duration::minutes(30)) - checked.contest.starts_at;
    let lines = mwscup::authoring::sync::sync(&app.db, &app.blobs, &checked.shifted(shift)).await.unwrap();
    assert!(lines.iter().any(|l| l.contains("file later.txt: added")), "{lines:?}");
    let later = format!("/files/{}/later.txt", sha256_of(b"opens later\n"));
    assert_eq!(alice.get(&later).await.status, StatusCode::NOT_FOUND, "not open yet");
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let page = chief.get(&later).await;
    assert_eq!(page.status, StatusCode::OK, "organizers see everything");
    assert_eq!(page.body, "opens later\n");
}

async fn the_catalog_and_bulk_agreements(app: TestApp) {
    let source = load_cup(&app).await;
    let mut visitor = app.browser();
    let catalog = visitor.get("/datasets").await;
    catalog
        .assert_contains("FFRI Dataset")
        .assert_contains("Behaviour logs")
        .assert_contains("Analysis")
        .assert_contains("Test cup</a> › Question alpha");
    let ja = app.browser_in("ja").get("/datasets").await;
    ja.assert_contains("解析系").assert_contains("テスト杯</a> › 問題 alpha");
    visitor.get("/datasets/nope").await;
    assert_eq!(visitor.get("/datasets/nope").await.status, StatusCode::NOT_FOUND);

    app.user("bob", Role::Participant).await;
    app.user("carol", Role::Participant).await;
    let mut bob = app.browser();
    bob.login("bob", PASSWORD).await;
    assert_eq!(bob.get("/datasets/ffri/agreements").await.status, StatusCode::FORBIDDEN);

    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/datasets/ffri/agreements").await;
    let page = chief.post("/datasets/ffri/agreements", &[("usernames", "bob\n ＣＡＲＯＬ \n\nnobody\nbob\n")]).await;
    assert_eq!(page.posted, Some(StatusCode::SEE_OTHER));
    assert_eq!(page.url, app.url("/datasets/ffri/agreements"), "the form redirects to the list");
    page.assert_contains("Recorded 2 (already recorded: 1).").assert_contains("No such users: nobody");
    page.assert_contains("<td>bob</td><td>2026-1</td>").assert_contains("<td>chief</td>");
    page.assert_contains(">nobody</textarea>");
    assert_eq!(app.audit_actions().await, ["dataset.agreement", "dataset.agreement"], "one entry an agreement kept");
    // A reload shows the list alone and records nothing again.
    let again = chief.get("/datasets/ffri/agreements").await;
    again.assert_lacks("Recorded 2").assert_lacks("No such users");
    assert_eq!(app.audit_actions().await.len(), 2);

    // Bob's agreement counts: with a team he receives the file.
    bob.create_team("cup", "Bobs").await;
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    let file = bob.get(&format!("/files/{}/sysmon.txt", sha256_of(&content))).await;
    assert_eq!(file.status, StatusCode::OK);
    bob.get("/datasets").await.assert_contains("Agreed");
}

async fn organizers_review_what_was_loaded(app: TestApp) {
    let source = load_cup(&app).await;
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup").await.assert_contains("/contests/cup/console/challenges");
    let page = chief.get("/contests/cup/console/challenges").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Question alpha")
        .assert_contains("Question gamma")
        .assert_contains("500 → 100 (dynamic: <code>linear</code>, <code>decay 50</code>)")
        .assert_contains(&format!("/files/{}/sysmon.txt", sha256_of(&content)))
        .assert_contains(&format!("sha256:{}", sha256_of(&content)))
        .assert_contains(&format!("{} bytes", content.len()))
        .assert_contains("A hint (cost 10)")
        .assert_lacks("Mimikatz");

    let mut alice = app.browser();
    alice.register("alice").await;
    assert_eq!(alice.get("/contests/cup/console/challenges").await.status, StatusCode::FORBIDDEN);
    alice.get("/contests/cup").await.assert_lacks("console");
}

async fn a_locked_challenge_keeps_its_files(app: TestApp) {
    let source = Source::valid();
    source.write("cup/static/beta/files/notes.txt", "beta's evidence\n");
    load(&app, source).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let url = format!("/files/{}/notes.txt", sha256_of(b"beta's evidence\n"));
    assert_eq!(alice.get(&url).await.status, StatusCode::NOT_FOUND, "beta requires alpha");
    alice.get("/contests/cup/challenges/alpha").await;
    alice.post("/contests/cup/challenges/alpha", &[("answer", "mimikatz")]).await.assert_contains("Correct!");
    let file = alice.get(&url).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, "beta's evidence\n");
}

/// Issue 15, item 12: the same bytes offered by alpha (built on the FFRI Dataset) and by delta (no dataset),
/// under alpha's name and under another: going through delta does not skip the FFRI Dataset's terms.
async fn a_file_needs_the_agreements_of_every_challenge_offering_it(app: TestApp) {
    let source = Source::valid();
    source.challenge("static", "delta", "exact", "salt-delta", "answer-delta", "points = 50\n");
    let content = std::fs::read(source.dir().join("static/alpha/files/sysmon.txt")).unwrap();
    let text = String::from_utf8(content.clone()).unwrap();
    source.write("cup/static/delta/files/sysmon.txt", &text);
    source.write("cup/static/delta/files/copy.txt", &text);
    source.write("cup/static/delta/files/own.txt", "delta's own notes\n");
    load(&app, source).await;
    let sha = sha256_of(&content);

    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    for name in ["sysmon.txt", "copy.txt"] {
        let refused = alice.get(&format!("/files/{sha}/{name}")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{name}");
        refused.assert_contains("first agree to the terms of: FFRI Dataset (/datasets/ffri)");
    }
    // A file that only delta offers needs no agreement.
    let own = alice.get(&format!("/files/{}/own.txt", sha256_of(b"delta's own notes\n"))).await;
    assert_eq!(own.status, StatusCode::OK);

    alice.get("/datasets/ffri").await;
    alice.post("/datasets/ffri/agree", &[]).await.assert_contains("You agreed to the terms");
    for name in ["sysmon.txt", "copy.txt"] {
        let page = alice.get(&format!("/files/{sha}/{name}")).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        assert_eq!(page.body.as_bytes(), content.as_slice());
    }
}
