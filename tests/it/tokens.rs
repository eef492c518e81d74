//! API tokens: created on the account page and shown once, used with `Token` or `Bearer`, revoked;
//! and nothing secret is stored in plaintext.

use entity::{api_tokens, sessions, users};
use reqwest::StatusCode;
use sea_orm::EntityTrait;
use serde_json::Value;

use crate::both;
use crate::helpers::{PASSWORD, TestApp};

both!(
    tokens_are_shown_once_work_and_revoke,
    tokens_authenticate_whatever_the_content_type,
    secrets_are_not_stored_in_plaintext
);

async fn create_token(app: &TestApp, username: &str) -> (crate::helpers::Browser, String) {
    let mut b = app.browser();
    b.register(username).await;
    b.get("/account").await;
    let page = b.post("/account/tokens", &[("name", "my script")]).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("It will not be shown again");
    let token = page.by_id("new-token").expect("the token is on the page");
    assert!(token.starts_with("mwscup_"), "{token}");
    (b, token)
}

async fn tokens_are_shown_once_work_and_revoke(app: TestApp) {
    let (mut b, token) = create_token(&app, "alice").await;
    let account = b.get("/account").await;
    account.assert_contains("my script").assert_lacks(&token).assert_contains(&token[..11]);

    for scheme in ["Token", "Bearer", "token"] {
        let res = app
            .api()
            .get(app.url("/api/v1/users/me"))
            .header("Authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{scheme}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["success"], true);
        assert_eq!(body["data"]["name"], "alice");
    }
    // The token's use is written in the background, off the request's path: it shows soon after.
    let used = std::time::Instant::now();
    while b.get("/account").await.body.contains("Never") {
        assert!(used.elapsed() < crate::helpers::PROMPTLY, "the token's use is not shown");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let id =
        regex::Regex::new(r#"/account/tokens/(\d+)/revoke"#).unwrap().captures(&account.body).unwrap()[1].to_owned();
    let page = b.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    page.assert_contains("Token revoked.").assert_contains("No tokens.");
    let res = app
        .api()
        .get(app.url("/api/v1/users/me"))
        .header("Authorization", format!("Token {token}"))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["message"], "The API token is wrong or revoked.");

    // Another user's token id cannot be revoked.
    let (_, other) = create_token(&app, "bob").await;
    let other_id = api_tokens::Entity::find().all(&app.db).await.unwrap().last().unwrap().id;
    let refused = b.post(&format!("/account/tokens/{other_id}/revoke"), &[]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let res = app
        .api()
        .get(app.url("/api/v1/users/me"))
        .header("Authorization", format!("Token {other}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn tokens_authenticate_whatever_the_content_type(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let token = app.organizer_token().await;
    for (content_type, body) in [
        ("application/json", r#"{"name":"JSON team"}"#),
        ("text/plain", r#"{"name":"Plain team"}"#),
        ("application/x-www-form-urlencoded", "name=Form+team"),
        ("application/x-www-form-urlencoded", r#"{"name":"Curl team"}"#),
        ("application/octet-stream", r#"{"name":"Bytes team"}"#),
    ] {
        let res = app
            .api()
            .post(app.url("/api/v1/teams"))
            .header("Authorization", format!("Token {token}"))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{content_type}");
        let json: Value = res.json().await.unwrap();
        assert!(json["data"]["name"].as_str().unwrap().ends_with("team"), "{json}");
    }
    let res = app
        .api()
        .post(app.url("/api/v1/teams"))
        .header("Authorization", format!("Token {token}"))
        .json(&serde_json::json!({"name": "No type"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn secrets_are_not_stored_in_plaintext(app: TestApp) {
    let (_, token) = create_token(&app, "alice").await;
    let mut other = app.browser();
    other.login("alice", PASSWORD).await;
    let mut dump = String::new();
    for row in users::Entity::find().into_json().all(&app.db).await.unwrap() {
        dump.push_str(&row.to_string());
    }
    for row in api_tokens::Entity::find().into_json().all(&app.db).await.unwrap() {
        dump.push_str(&row.to_string());
    }
    for row in sessions::Entity::find().into_json().all(&app.db).await.unwrap() {
        dump.push_str(&row.to_string());
    }
    assert!(dump.contains("$argon2id$"), "{dump}");
    assert!(!dump.contains(PASSWORD), "a password is stored in plaintext");
    assert!(!dump.contains(&token), "a token is stored in plaintext");

    if app.fixture.backend == crate::helpers::Backend::Sqlite {
        // The file itself, write-ahead log included, holds neither.
        for name in ["mwscup.db", "mwscup.db-wal"] {
            let bytes = std::fs::read(app.fixture.dir.path().join(name)).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(PASSWORD) && !text.contains(&token), "{name} holds a secret");
        }
    }
}
