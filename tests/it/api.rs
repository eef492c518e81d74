//! The first API endpoints, with CTFd's shapes, at `/api/v1` and `/contests/{slug}/api/v1`.

use mwscup::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::TestApp;

both!(users_me_and_teams_me, organizers_create_users, organizers_create_and_fill_teams, the_api_refuses_clearly);
both!(contest_scoped_routes, session_callers_need_the_csrf_header);

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let client = app.api();
    let mut req = match method {
        "GET" => client.get(app.url(path)),
        _ => client.post(app.url(path)),
    };
    if let Some(token) = token {
        req = req.header("Authorization", format!("Token {token}"));
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
    (status, res.json().await.unwrap())
}

async fn users_me_and_teams_me(app: TestApp) {
    let contest = app.contest("cup", 6, 4).await;
    let alice = app.user("alice", Role::Participant).await;
    let token = app.token_for(&alice).await;

    let (status, body) = call(&app, "GET", "/api/v1/users/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["success"], true);
    assert_eq!(body["data"]["id"], alice.id);
    assert_eq!(body["data"]["name"], "alice");
    assert_eq!(body["data"]["role"], "participant");
    assert_eq!(body["data"]["team_id"], Value::Null);
    assert!(body["data"]["created"].as_str().unwrap().ends_with('Z'));

    let (status, body) = call(&app, "GET", "/api/v1/teams/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"success": false, "message": "見つかりません。"}));

    let organizer = app.organizer_token().await;
    let (_, team) = call(&app, "POST", "/api/v1/teams", Some(&organizer), Some(json!({"name": "Blue"}))).await;
    let team_id = team["data"]["id"].as_i64().unwrap();
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/teams/{team_id}/members"),
        Some(&organizer),
        Some(json!({"user_id": alice.id})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (_, me) = call(&app, "GET", "/api/v1/users/me", Some(&token), None).await;
    assert_eq!(me["data"]["team_id"], team_id);
    let (status, mine) = call(&app, "GET", "/api/v1/teams/me", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["data"]["name"], "Blue");
    assert_eq!(mine["data"]["members"], json!([alice.id]));
    assert_eq!(mine["data"]["captain_id"], alice.id, "the first member of an organizer's team is its captain");
    assert_eq!(mine["data"]["invite_code"].as_str().unwrap().len(), 12);
    let _ = contest;
}

async fn organizers_create_users(app: TestApp) {
    let organizer = app.organizer_token().await;
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/users",
        Some(&organizer),
        Some(json!({"name": "player1", "password": "long-enough-pw", "email": "p1@example.jp"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["name"], "player1");
    assert_eq!(body["data"]["email"], "p1@example.jp");
    assert_eq!(body["data"]["role"], "participant");

    // The new account logs in with its password.
    let mut b = app.browser();
    b.login("player1", "long-enough-pw").await.assert_contains("Signed in as");

    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/users",
        Some(&organizer),
        Some(json!({"name": "PLAYER1", "password": "long-enough-pw"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"success": false, "errors": {"name": ["このユーザー名は使われています。"]}}));

    let (status, body) =
        call(&app, "POST", "/api/v1/users", Some(&organizer), Some(json!({"name": "a b", "email": "nope"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let errors = body["errors"].as_object().unwrap();
    assert!(errors.contains_key("name") && errors.contains_key("password") && errors.contains_key("email"), "{body}");

    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/users",
        Some(&organizer),
        Some(json!({"name": "judge1", "password": "long-enough-pw", "role": "judge"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["role"], "judge");
    // Each account created is in the audit log; the refused ones are not.
    assert_eq!(app.audit_actions().await, ["user.create", "user.create"]);
}

async fn organizers_create_and_fill_teams(app: TestApp) {
    app.contest("cup", 2, 4).await;
    let organizer = app.organizer_token().await;
    let (status, body) =
        call(&app, "POST", "/api/v1/teams", Some(&organizer), Some(json!({"name": "Red", "affiliation": "NICT"})))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["affiliation"], "NICT");
    assert_eq!(body["data"]["members"], json!([]));
    let id = body["data"]["id"].as_i64().unwrap();

    let (status, body) = call(&app, "POST", "/api/v1/teams", Some(&organizer), Some(json!({"name": " red "}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["name"].is_array(), "{body}");

    let a = app.user("a1", Role::Participant).await;
    let b = app.user("b1", Role::Participant).await;
    let c = app.user("c1", Role::Participant).await;
    let members = format!("/api/v1/teams/{id}/members");
    let (status, body) = call(&app, "POST", &members, Some(&organizer), Some(json!({"user_id": a.id}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["members"], json!([a.id]));
    // Forms send numbers as text.
    let res = app
        .api()
        .post(app.url(&members))
        .header("Authorization", format!("Token {organizer}"))
        .form(&[("user_id", b.id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let (status, body) = call(&app, "POST", &members, Some(&organizer), Some(json!({"user_id": c.id}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["user_id"][0].as_str().unwrap().contains("満員"), "{body}");
    let (status, body) = call(&app, "POST", &members, Some(&organizer), Some(json!({"user_id": 999_999}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"]["user_id"], json!(["そのユーザーはいません。"]));
    let (status, body) = call(&app, "POST", &members, Some(&organizer), Some(json!({"user_id": "x"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["user_id"].is_array());

    let (_, other) = call(&app, "POST", "/api/v1/teams", Some(&organizer), Some(json!({"name": "Green"}))).await;
    let other_id = other["data"]["id"].as_i64().unwrap();
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/teams/{other_id}/members"),
        Some(&organizer),
        Some(json!({"user_id": a.id})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a is in Red already");
    assert!(body["errors"]["user_id"].is_array());

    let (status, body) = call(&app, "GET", &format!("/api/v1/teams/{id}"), Some(&organizer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["members"], json!([a.id, b.id]));
    assert_eq!(body["data"]["captain_id"], a.id);
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "team.create").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "team.add_member").count(), 2, "{actions:?}");
}

async fn the_api_refuses_clearly(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let alice = app.user("alice", Role::Participant).await;
    let participant = app.token_for(&alice).await;
    let organizer = app.organizer_token().await;

    let (status, body) = call(&app, "GET", "/api/v1/users/me", None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "anonymous, as CTFd answers it");
    assert_eq!(body["success"], false);
    assert!(body["message"].is_string());
    let (status, _) = call(&app, "GET", "/api/v1/users/me", Some("mwscup_forged"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = app.api().get(app.url("/api/v1/users/me")).header("Authorization", "Basic YTpi").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    for (method, path) in [("POST", "/api/v1/users"), ("POST", "/api/v1/teams"), ("POST", "/api/v1/teams/1/members")] {
        let (status, body) = call(&app, method, path, Some(&participant), Some(json!({}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        assert_eq!(body, json!({"success": false, "message": "運営者だけができる操作です。"}));
    }

    let (status, _) = call(&app, "GET", "/api/v1/teams/424242", Some(&organizer), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, "GET", "/api/v1/teams/abc", Some(&organizer), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&app, "GET", "/api/v1/nothing", Some(&organizer), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = call(&app, "GET", "/api/v1/users", Some(&organizer), None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["success"], false);

    let res = app
        .api()
        .post(app.url("/api/v1/teams"))
        .header("Authorization", format!("Token {organizer}"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"]["body"].is_array(), "{body}");
    let (status, body) = call(&app, "POST", "/api/v1/teams", Some(&organizer), Some(json!({"name": ["x"]}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["errors"]["name"].is_array());

    // English when asked for.
    let res = app.api().get(app.url("/api/v1/users/me")).header("Accept-Language", "en").send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "Please log in (a script sends its API token as Authorization: Token <token>).");
}

async fn contest_scoped_routes(app: TestApp) {
    app.contest("first", 6, 4).await;
    app.contest("second", 6, 4).await;
    let organizer = app.organizer_token().await;
    let (status, body) =
        call(&app, "POST", "/contests/first/api/v1/teams", Some(&organizer), Some(json!({"name": "Shared"}))).await;
    assert_eq!(status, StatusCode::OK);
    let first_id = body["data"]["id"].as_i64().unwrap();
    let (status, _) =
        call(&app, "POST", "/contests/second/api/v1/teams", Some(&organizer), Some(json!({"name": "Shared"}))).await;
    assert_eq!(status, StatusCode::OK, "names are unique per contest only");

    let (status, _) =
        call(&app, "GET", &format!("/contests/first/api/v1/teams/{first_id}"), Some(&organizer), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) =
        call(&app, "GET", &format!("/contests/second/api/v1/teams/{first_id}"), Some(&organizer), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a team of another contest");
    let (status, body) = call(&app, "GET", "/contests/absent/api/v1/users/me", Some(&organizer), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["success"], false);
    let (status, body) = call(&app, "GET", "/contests/first/api/v1/users/me", Some(&organizer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["role"], "organizer");
}

async fn session_callers_need_the_csrf_header(app: TestApp) {
    app.contest("cup", 6, 4).await;
    app.user("boss2", Role::Organizer).await;
    let mut b = app.browser();
    let page = b.login("boss2", crate::helpers::PASSWORD).await;
    page.assert_contains("Signed in as");
    let csrf = crate::helpers::csrf_of(&page.body).unwrap();

    let res = b.client.get(app.url("/api/v1/users/me")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a session reads the API");
    let res = b.client.post(app.url("/api/v1/teams")).json(&json!({"name": "Via page"})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a session's write needs the CSRF header");
    let res = b
        .client
        .post(app.url("/api/v1/teams"))
        .header("CSRF-Token", csrf)
        .json(&json!({"name": "Via page"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
