//! Hostile names (issue 15, item 11): invisible and bidirectional characters are refused, and so is a
//! name confusable with an existing one (Unicode's skeleton, UTS #39), by the database's unique index even
//! when two registrations race; login with the ordinary spelling and Japanese names keep working; an
//! existing database gets the skeletons by a migration that keeps the older of two confusable names.

use chrono::Utc;
use migration::MigratorTrait;
use mwscup::domain::password;
use reqwest::StatusCode;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

use crate::both;
use crate::helpers::{Backend, Browser, Fixture, PASSWORD, TestApp, start};

both!(
    invisible_characters_are_refused,
    confusable_names_are_refused,
    confusable_names_racing_make_one,
    ordinary_and_japanese_names_still_work
);

async fn post_register(b: &mut Browser, username: &str) -> crate::helpers::Page {
    b.get("/register").await;
    b.post("/register", &[("username", username), ("password", PASSWORD), ("password_confirm", PASSWORD)]).await
}

async fn post_team(b: &mut Browser, slug: &str, name: &str) -> crate::helpers::Page {
    b.get(&format!("/contests/{slug}")).await;
    b.post(&format!("/contests/{slug}/teams"), &[("name", name), ("affiliation", "")]).await
}

async fn invisible_characters_are_refused(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let mut b = app.browser();
    for name in ["ali\u{200B}ce", "\u{FEFF}alice", "ali\u{00AD}ce", "ali\u{200D}ce", "\u{202E}ecila"] {
        let page = post_register(&mut b, name).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{name:?}");
        page.assert_contains("Invisible or text-direction characters");
    }
    b.register("alice").await;
    for name in ["Team \u{202E}rezinagrO", "Team\u{2066}X\u{2069}", "Org\u{200C}anizer", "Bell\u{0007}", "x\u{7F}"] {
        let page = post_team(&mut b, "cup", name).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{name:?}: {}", page.body);
        page.assert_contains("Invisible or text-direction characters");
    }
    let mut ja = app.browser_in("ja");
    ja.get("/register").await;
    let page = ja
        .post("/register", &[("username", "bo\u{2060}b"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    page.assert_contains("見えない文字や文字の向きを変える制御文字");
}

async fn confusable_names_are_refused(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let mut organizer = app.browser();
    organizer.register("organizer").await;
    organizer.create_team("cup", "Organizers").await;

    // A Cyrillic о, then a zero: both look like `organizer`.
    let mut mallory = app.browser();
    for name in ["оrganizer", "0rganizer", "Оrganizer"] {
        let page = post_register(&mut mallory, name).await;
        assert_eq!(page.status, StatusCode::CONFLICT, "{name}: {}", page.body);
        page.assert_contains("That username looks like an existing one");
    }
    mallory.register("mallory").await;
    for name in ["Оrganizers", "0rganizers", "OrganIzers"] {
        let page = post_team(&mut mallory, "cup", name).await;
        assert_eq!(page.status, StatusCode::CONFLICT, "{name}: {}", page.body);
        assert!(
            page.body.contains("A team whose name looks like this one") || page.body.contains("A team of that name"),
            "{name}: {}",
            page.body
        );
    }
    mallory.create_team("cup", "Team I").await;
    let mut eve = app.browser();
    eve.register("eve").await;
    let page = post_team(&mut eve, "cup", "Team l").await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.assert_contains("A team whose name looks like this one");

    // The API says the same about the field.
    let token = app.organizer_token().await;
    let res = app
        .api()
        .post(app.url("/contests/cup/api/v1/teams"))
        .header("Authorization", format!("Token {token}"))
        .header("Accept-Language", "en")
        .json(&serde_json::json!({"name": "Team 1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = res.text().await.unwrap();
    assert!(body.contains("looks like this one"), "{body}");
    let res = app
        .api()
        .post(app.url("/api/v1/users"))
        .header("Authorization", format!("Token {token}"))
        .header("Accept-Language", "en")
        .json(&serde_json::json!({"name": "оrganizer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    let body = res.text().await.unwrap();
    assert!(body.contains("looks like an existing one"), "{body}");
}

async fn confusable_names_racing_make_one(app: TestApp) {
    app.contest("cup", 6, 4).await;
    // Six spellings with six different keys and one skeleton, registered at once.
    let names = ["paypal", "раураl", "pаypal", "paypaI", "рaypal", "paуpal"];
    let mut browsers = Vec::new();
    for _ in names {
        let mut b = app.browser();
        b.get("/register").await;
        browsers.push(b);
    }
    let forms = names.map(|name| [("username", name), ("password", PASSWORD), ("password_confirm", PASSWORD)]);
    let attempts = browsers.iter_mut().zip(&forms).map(|(b, form)| b.post("/register", form));
    let pages = futures_util::future::join_all(attempts).await;
    let statuses: Vec<StatusCode> = pages.iter().map(|p| p.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 5, "{statuses:?}");
    assert_eq!(entity::users::Entity::find().all(&app.db).await.unwrap().len(), 1);

    // Six team names at once, by six people.
    let teams = ["Team I", "Team l", "Team 1", "Team |", "team l", "Теаm I"];
    let mut browsers = Vec::new();
    for i in 0..teams.len() {
        let mut b = app.browser();
        b.register(&format!("racer{i}")).await;
        b.get("/contests/cup").await;
        browsers.push(b);
    }
    let forms = teams.map(|name| [("name", name), ("affiliation", "")]);
    let attempts = browsers.iter_mut().zip(&forms).map(|(b, form)| b.post("/contests/cup/teams", form));
    let pages = futures_util::future::join_all(attempts).await;
    let statuses: Vec<StatusCode> = pages.iter().map(|p| p.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 5, "{statuses:?}");
    assert_eq!(entity::teams::Entity::find().all(&app.db).await.unwrap().len(), 1);
}

async fn ordinary_and_japanese_names_still_work(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let mut alice = app.browser();
    alice.register("Alice").await;
    for spelling in ["alice", "ALICE", "Ａｌｉｃｅ"] {
        let page = app.browser().login(spelling, PASSWORD).await;
        assert_eq!(page.status, StatusCode::OK, "{spelling}");
        page.assert_contains("Signed in as");
    }
    let mut taro = app.browser();
    taro.register("解析太郎").await;
    taro.create_team("cup", "チーム静的解析").await;
    let mut jiro = app.browser();
    jiro.register("解析次郎").await;
    jiro.create_team("cup", "チーム動的解析").await;
    let mut kana = app.browser();
    kana.register("かいせき").await;
    kana.create_team("cup", "マルウェア解析班").await;
    let mut katakana = app.browser();
    katakana.register("カイセキ").await;
    // Half width is the same name as full width.
    let page = post_team(&mut katakana, "cup", "ﾏﾙｳｪｱ解析班").await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    katakana.create_team("cup", "ＭＷＳ解析班").await;
    for (name, spelling) in [("解析太郎", "解析太郎"), ("カイセキ", "ｶｲｾｷ")] {
        let page = app.browser().login(spelling, PASSWORD).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        page.assert_contains(&format!(">{name}</a>"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_gives_the_older_of_two_confusables_the_skeleton_sqlite() {
    migration_gives_the_older_of_two_confusables_the_skeleton(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_gives_the_older_of_two_confusables_the_skeleton_postgres() {
    migration_gives_the_older_of_two_confusables_the_skeleton(Backend::Postgres).await;
}

/// A database of the step before the skeletons, holding confusable names (allowed then), migrated.
async fn migration_gives_the_older_of_two_confusables_the_skeleton(backend: Backend) {
    let Some(fixture) = Fixture::new(backend).await else { return };
    let db = mwscup::db::connect(&fixture.url).await.unwrap();
    migration::Migrator::up(&db, Some(11)).await.unwrap();
    let now = Utc::now();
    let hash = password::hash(PASSWORD);
    for (name, key) in [("organizer", "organizer"), ("оrganizer", "оrganizer"), ("bob", "bob")] {
        let insert = Query::insert()
            .into_table(Alias::new("users"))
            .columns(["username", "username_key", "password_hash", "role", "created_at"].map(Alias::new))
            .values_panic([name.into(), key.into(), hash.clone().into(), "participant".into(), now.into()])
            .to_owned();
        db.execute(&insert).await.unwrap();
    }
    // Contests as the step before had them (the entity of today has columns that step lacks).
    let mut contests = Vec::new();
    for (id, slug) in [(1, "y2024"), (2, "y2025")] {
        let columns = [
            "id",
            "slug",
            "title",
            "title_en",
            "description",
            "description_en",
            "timezone",
            "starts_at",
            "ends_at",
            "max_team_size",
            "demo",
            "created_at",
            "paused",
            "wrong_answers_per_minute",
            "revealed",
            "scoreboard_public",
            "archive_file_limit",
            "archive_team_limit",
        ];
        let insert = Query::insert()
            .into_table(Alias::new("contests"))
            .columns(columns.map(Alias::new))
            .values_panic([
                id.into(),
                slug.into(),
                slug.into(),
                slug.into(),
                "".into(),
                "".into(),
                "Asia/Tokyo".into(),
                now.into(),
                (now + chrono::Duration::hours(4)).into(),
                6.into(),
                false.into(),
                now.into(),
                false.into(),
                10.into(),
                false.into(),
                true.into(),
                (50i64 * 1024 * 1024).into(),
                (500i64 * 1024 * 1024).into(),
            ])
            .to_owned();
        db.execute(&insert).await.unwrap();
        contests.push(id);
    }
    let teams = [(contests[0], "Team I"), (contests[0], "Team l"), (contests[1], "Team l"), (contests[0], "Other")];
    for (i, (contest, name)) in teams.into_iter().enumerate() {
        let insert = Query::insert()
            .into_table(Alias::new("teams"))
            .columns(
                ["contest_id", "name", "name_key", "invite_code", "hidden", "created_at", "updated_at"].map(Alias::new),
            )
            .values_panic([
                contest.into(),
                name.into(),
                name.to_lowercase().into(),
                format!("code{i:08}").into(),
                false.into(),
                now.into(),
                now.into(),
            ])
            .to_owned();
        db.execute(&insert).await.unwrap();
    }
    db.close().await.unwrap();

    let app = start(fixture).await;
    let users = entity::users::Entity::find().order_by_asc(entity::users::Column::Id).all(&app.db).await.unwrap();
    let skeletons: Vec<Option<&str>> = users.iter().map(|u| u.username_skeleton.as_deref()).collect();
    assert_eq!(skeletons, [Some("organizer"), None, Some("bob")], "the later of two confusables keeps none");
    let teams = entity::teams::Entity::find().order_by_asc(entity::teams::Column::Id).all(&app.db).await.unwrap();
    let skeletons: Vec<Option<&str>> = teams.iter().map(|t| t.name_skeleton.as_deref()).collect();
    // (`m` looks like `rn`.)
    assert_eq!(skeletons, [Some("tearn l"), None, Some("tearn l"), Some("other")], "per contest");

    // Both old accounts still log in by their own spelling.
    for name in ["organizer", "оrganizer"] {
        let page = app.browser().login(name, PASSWORD).await;
        assert_eq!(page.status, StatusCode::OK, "{name}");
        page.assert_contains(&format!(">{name}</a>"));
    }
    // A new name confusable with either is refused.
    let page = post_register(&mut app.browser(), "0rganizer").await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    page.assert_contains("That username looks like an existing one");
}
