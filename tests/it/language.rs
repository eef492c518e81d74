//! Japanese pages speak Japanese: no text of the English table shows on a page asked for in Japanese
//! (names people typed and code aside).

use mwscup::domain::role::Role;
use mwscup::web::kit::i18n::PAIRS;
use regex::Regex;
use sea_orm::EntityTrait;

use crate::both;
use crate::classification::{predictions, source_with_classification};
use crate::files::load;
use crate::helpers::{PASSWORD, TestApp};

both!(japanese_pages_hold_no_english);

/// The words a person reads on a page: its text and its placeholders, without code, scripts and styles.
fn visible_texts(html: &str) -> Vec<String> {
    let hidden = Regex::new(r"(?s)<(code|pre|script|style)[^>]*>.*?</(code|pre|script|style)>").unwrap();
    let html = hidden.replace_all(html, " ");
    let text = Regex::new(r">([^<]+)<").unwrap();
    let placeholder = Regex::new(r#"placeholder="([^"]+)""#).unwrap();
    text.captures_iter(&html)
        .chain(placeholder.captures_iter(&html))
        .map(|c| c[1].trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Values stored in English that a page must show in the reader's language: outcomes and roles.
const STORED: [&str; 8] =
    ["correct", "incorrect", "accepted", "revoked", "already_solved", "participant", "judge", "organizer"];

/// English texts of the table found in `texts`, as whole words; stored values shown as they are stored.
fn english_in(texts: &[String]) -> Vec<String> {
    // Names the same in both languages ("MWS Datasets") hold English words that are not English text.
    let names: Vec<&str> = PAIRS.iter().filter(|(ja, en)| ja == en).map(|(ja, _)| *ja).collect();
    let texts: Vec<String> =
        texts.iter().map(|t| names.iter().fold(t.clone(), |t, name| t.replace(name, " "))).collect();
    let mut found: Vec<String> =
        texts.iter().filter(|t| STORED.contains(&t.as_str())).map(|t| format!("stored value {t:?}")).collect();
    for (ja, en) in PAIRS {
        // A text the same in both languages (a name, a number) or too short to tell is not English here.
        if ja == en || en.chars().filter(char::is_ascii_alphabetic).count() < 4 {
            continue;
        }
        for text in &texts {
            let Some(at) = text.find(en) else { continue };
            let before = text[..at].chars().next_back();
            let after = text[at + en.len()..].chars().next();
            let bounded = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
            if bounded(before) && bounded(after) {
                found.push(format!("{en:?} in {text:?}"));
            }
        }
    }
    found
}

async fn japanese_pages_hold_no_english(app: TestApp) {
    load(&app, source_with_classification("")).await;
    let mut alice = app.browser_in("ja");
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    alice.get("/contests/cup/challenges/alpha").await;
    alice.post("/contests/cup/challenges/alpha", &[("answer", "nope")]).await;
    alice.post("/contests/cup/challenges/alpha", &[("answer", "mimikatz")]).await;
    let token = app.token_named("alice").await;
    let omega = app.challenge_ids(&token, "/api/v1/challenges").await["omega"];
    let upload = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::text(predictions(&["a"])).file_name("p.csv"));
    app.api()
        .post(app.url(&format!("/api/v1/challenges/{omega}/predictions")))
        .header("Authorization", format!("Token {token}"))
        .multipart(upload)
        .send()
        .await
        .unwrap();
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser_in("ja");
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console").await;
    let announce =
        [("title", "お知らせ"), ("title_en", "Notice"), ("body", "昼休みです。"), ("body_en", "Lunch break.")];
    chief.post("/contests/cup/console/announcements", &announce).await;

    let mut problems = Vec::new();
    for (who, path) in [
        ("alice", "/"),
        ("alice", "/contests/cup"),
        ("alice", "/contests/cup/team"),
        ("alice", "/contests/cup/challenges"),
        ("alice", "/contests/cup/challenges/alpha"),
        ("alice", "/contests/cup/challenges/omega"),
        ("alice", "/contests/cup/challenges/omega/board"),
        ("alice", "/contests/cup/scoreboard"),
        ("alice", "/datasets"),
        ("alice", "/datasets/ffri"),
        ("alice", "/account"),
        ("chief", "/contests/cup/console"),
        ("chief", "/contests/cup/console/challenges"),
        ("chief", "/contests/cup/console/submissions"),
        ("chief", "/admin"),
        ("chief", "/admin/audit"),
        ("chief", "/admin/users"),
    ] {
        let browser = if who == "alice" { &mut alice } else { &mut chief };
        let page = browser.get(path).await;
        assert!(page.status.is_success(), "{path}: {}", page.status);
        problems.extend(english_in(&visible_texts(&page.body)).into_iter().map(|p| format!("{path}: {p}")));
    }
    assert!(problems.is_empty(), "English on Japanese pages:\n{}", problems.join("\n"));

    // The audit log tells what changed in words: the logged field and its values in Japanese.
    let username = mwscup::domain::names::Username::parse("alice").unwrap();
    let alice_id = mwscup::store::users::by_username(&app.db, &username).await.unwrap().unwrap().id;
    chief.get("/admin/users").await;
    chief.post(&format!("/admin/users/{alice_id}/role"), &[("role", "judge")]).await;
    let audit = chief.get("/admin/audit").await;
    audit.assert_contains("権限: 参加者 → 審査員");
    let english = english_in(&visible_texts(&audit.body));
    assert!(english.is_empty(), "{english:?}");

    // The closing ceremony, once the contest has ended with a freeze: its page and the venue screen during it.
    let now = chrono::Utc::now();
    entity::contests::Entity::update_many()
        .col_expr(
            entity::contests::Column::FreezeAt,
            sea_orm::sea_query::Expr::value(now - chrono::Duration::minutes(5)),
        )
        .col_expr(entity::contests::Column::EndsAt, sea_orm::sea_query::Expr::value(now))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    let before = chief.get("/contests/cup/ceremony").await;
    chief.post("/contests/cup/ceremony/step", &[("action", "start")]).await;
    let during = chief.get("/contests/cup/ceremony").await;
    let screen = alice.get("/contests/cup/screen").await;
    for (path, page) in [("ceremony", &before), ("ceremony, started", &during), ("screen, ceremony", &screen)] {
        assert!(page.status.is_success(), "{path}: {}", page.status);
        page.assert_contains("表彰式");
        let english = english_in(&visible_texts(&page.body));
        assert!(english.is_empty(), "{path}: {english:?}");
    }
}
