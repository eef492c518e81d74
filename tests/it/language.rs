//! Japanese pages speak Japanese: no text of the English table shows on a page asked for in Japanese
//! (names people typed and code aside).

use mwscup::domain::role::Role;
use mwscup::web::kit::i18n::PAIRS;
use regex::Regex;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::archive::{form_titled, upload};
use crate::both;
use crate::classification::{predictions, source_with_classification};
use crate::files::load;
use crate::helpers::{Browser, PASSWORD, TestApp};
use crate::judging::{criterion_fields, entry_id, hand_in, judged_cup, mark};

both!(japanese_pages_hold_no_english, hackathon_archive_and_organizers_pages_speak_japanese);

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

/// The English found on each of `paths` as `browser` reads them, each line naming its page.
async fn english_on(browser: &mut Browser, paths: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for path in paths {
        let page = browser.get(path).await;
        assert!(page.status.is_success(), "{path}: {}", page.status);
        assert!(page.body.contains("<html lang=\"ja\">"), "{path} was not served in Japanese");
        problems.extend(english_in(&visible_texts(&page.body)).into_iter().map(|p| format!("{path}: {p}")));
    }
    problems
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

    let mut problems = english_on(
        &mut alice,
        &[
            "/",
            "/contests/cup",
            "/contests/cup/team",
            "/contests/cup/challenges",
            "/contests/cup/challenges/alpha",
            "/contests/cup/challenges/omega",
            "/contests/cup/challenges/omega/board",
            "/contests/cup/scoreboard",
            "/datasets",
            "/datasets/ffri",
            "/account",
        ],
    )
    .await;
    let staff = [
        "/contests/cup/console",
        "/contests/cup/console/challenges",
        "/contests/cup/console/submissions",
        "/admin",
        "/admin/audit",
        "/admin/users",
    ];
    problems.extend(english_on(&mut chief, &staff).await);
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

/// The pages around the day: the hackathon entry, judging, the archive, the venue screen, a team's public
/// page and the organizers' forms.
async fn hackathon_archive_and_organizers_pages_speak_japanese(app: TestApp) {
    load(&app, judged_cup()).await;
    let mut alice = app.browser_in("ja");
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let (status, body) = hand_in(&app, &mut alice, "検体仕分けキット", None).await;
    assert!(status.is_success(), "{body}");
    app.user("judge1", Role::Judge).await;
    let mut judge = app.browser_in("ja");
    judge.login("judge1", PASSWORD).await;
    let list = judge.get("/contests/cup/judging").await;
    let entry = entry_id(&list.body, "検体仕分けキット");
    let sheet = judge.get(&format!("/contests/cup/judging/entries/{entry}")).await;
    mark(&mut judge, &entry, ["8", "7", "5"], &criterion_fields(&sheet.body)).await;
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser_in("ja");
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/judging").await;
    chief.post("/contests/cup/judging/publish", &[]).await;
    let team_id = mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let team_id = entity::teams::Entity::find()
        .filter(entity::teams::Column::ContestId.eq(team_id.id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let team_page = format!("/teams/{team_id}");
    let sheet = format!("/contests/cup/judging/entries/{entry}");
    let mut problems = english_on(&mut alice, &["/contests/cup/hackathon", &team_page, "/contests/cup/screen"]).await;
    problems.extend(english_on(&mut judge, &["/contests/cup/judging", &sheet]).await);
    problems
        .extend(english_on(&mut chief, &[&sheet, "/admin/sync", "/admin/register", "/datasets/ffri/agreements"]).await);

    // After the end: the team's upload, the review, the year, the item and the search.
    app.end_contests(chrono::Duration::minutes(1), true).await;
    let (status, url, body) = upload(&app, &mut alice, |csrf| {
        form_titled(csrf, "攻撃痕跡ログ分析の解き方", "public", vec![("solve.py", b"print(1)\n".to_vec())])
    })
    .await;
    assert!(status.is_success(), "{body}");
    let item = url.split("/archive/items/").nth(1).unwrap().to_owned();
    chief.get(&format!("/archive/items/{item}")).await;
    chief.post(&format!("/archive/items/{item}/review"), &[("decision", "publish"), ("comment", "ありがとう")]).await;
    let item_page = format!("/archive/items/{item}");
    problems.extend(english_on(&mut chief, &["/archive/cup/review"]).await);
    let archive =
        ["/archive/cup/upload", "/archive", "/archive/cup", &item_page, "/archive/search?q=Sysmon", &team_page];
    problems.extend(english_on(&mut alice, &archive).await);
    assert!(problems.is_empty(), "English on Japanese pages:\n{}", problems.join("\n"));
}
