//! Registering, logging in and out, CSRF, the login limit, password changes and the language.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, csrf_of};
use crate::{both, both_with};

both!(register_login_logout, registration_is_checked, forms_need_csrf, failed_logins_are_limited);
both_with!(closed_registration; registration_can_be_closed);
both!(password_change_ends_other_sessions, pages_speak_japanese_and_english, health_and_not_found);
both!(next_never_leaves_the_site);

async fn register_login_logout(app: TestApp) {
    let mut alice = app.browser();
    let home = alice.register("alice").await;
    home.assert_contains("Signed in as").assert_contains(">alice</a>");

    let out = alice.post("/logout", &[]).await;
    out.assert_contains("Log in").assert_lacks("Signed in as");

    let wrong = alice.login("alice", "not-the-password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains("Wrong username or password.").assert_lacks("Signed in as");

    let unknown = alice.login("nobody", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    unknown.assert_contains("Wrong username or password.");

    // Usernames are compared after NFKC and case folding.
    let right = alice.login("ＡＬＩＣＥ", PASSWORD).await;
    assert_eq!(right.status, StatusCode::OK);
    right.assert_contains("Signed in as");

    // A page that needs a login sends a stranger to the form and back.
    let mut stranger = app.browser();
    let page = stranger.get("/account").await;
    assert!(page.url.contains("/login?next=/account"), "{}", page.url);
    let back = stranger.post("/login", &[("username", "alice"), ("password", PASSWORD), ("next", "/account")]).await;
    assert!(back.url.ends_with("/account"), "{}", back.url);
    back.assert_contains("API tokens");
}

async fn registration_is_checked(app: TestApp) {
    let mut b = app.browser();
    b.get("/register").await;
    let differ = b
        .post("/register", &[("username", "carol"), ("password", PASSWORD), ("password_confirm", "something-else")])
        .await;
    assert_eq!(differ.status, StatusCode::BAD_REQUEST);
    differ.assert_contains("The two passwords differ.").assert_contains(r#"value="carol""#);

    let short =
        b.post("/register", &[("username", "carol"), ("password", "short"), ("password_confirm", "short")]).await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    short.assert_contains("Use at least 8 characters.");

    let bad_name = b
        .post("/register", &[("username", "carol smith"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
        .await;
    assert_eq!(bad_name.status, StatusCode::BAD_REQUEST);
    bad_name.assert_contains("Contains characters that are not allowed.");

    b.register("carol").await;
    let mut other = app.browser();
    other.get("/register").await;
    let taken = other
        .post("/register", &[("username", "ＣＡＲＯＬ"), ("password", PASSWORD), ("password_confirm", PASSWORD)])
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    taken.assert_contains("That username is taken.");
}

async fn forms_need_csrf(app: TestApp) {
    let mut b = app.browser();
    b.register("dave").await;
    let mut fresh = app.browser();
    let login = fresh.post_without_csrf("/login", &[("username", "dave"), ("password", PASSWORD)]).await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    login.assert_contains("The form has expired").assert_lacks("Signed in as");

    let forged =
        fresh.post_without_csrf("/login", &[("username", "dave"), ("password", PASSWORD), ("csrf", "x")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // A logged-in user's forms are refused without the token too, and nothing changes.
    let logout = b.post_without_csrf("/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    b.get("/").await.assert_contains("Signed in as");
}

async fn failed_logins_are_limited(app: TestApp) {
    let mut b = app.browser();
    b.register("erin").await;
    b.post("/logout", &[]).await;
    for _ in 0..5 {
        let page = b.login("erin", "wrong-password").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let csrf = csrf_of(&b.get("/login").await.body).unwrap();
    let res = b
        .client
        .post(app.url("/login"))
        .form(&[("username", "erin"), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait > 200 && wait <= 300, "{wait}");
    let body = res.text().await.unwrap();
    assert!(body.contains(&format!("try again in {wait} s")), "{body}");

    // Another account from elsewhere is not affected.
    let mut other = app.browser();
    other.register("frank").await;
}

async fn password_change_ends_other_sessions(app: TestApp) {
    let mut laptop = app.browser();
    laptop.register("grace").await;
    let token = app.token_named("grace").await;
    let me = |token: String| {
        let req = app.api().get(app.url("/api/v1/users/me")).header("Authorization", format!("Token {token}"));
        async move { req.send().await.unwrap().status() }
    };
    assert_eq!(me(token.clone()).await, StatusCode::OK, "the script's token works");
    let mut phone = app.browser();
    phone.login("grace", PASSWORD).await.assert_contains("Signed in as");

    laptop.get("/account").await;
    let wrong = laptop
        .post(
            "/account/password",
            &[("current", "nope-nope"), ("new", "new-password-1"), ("confirm", "new-password-1")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    wrong.assert_contains("The current password is wrong.");

    let done = laptop
        .post("/account/password", &[("current", PASSWORD), ("new", "new-password-1"), ("confirm", "new-password-1")])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    done.assert_contains("Password changed.");
    done.assert_contains("all your API tokens have ended");
    laptop.get("/").await.assert_contains("Signed in as");
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED, "the token made with the old password ended");

    let phone_page = phone.get("/account").await;
    assert!(phone_page.url.contains("/login"), "the phone's session ended: {}", phone_page.url);

    let mut again = app.browser();
    assert_eq!(again.login("grace", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    again.login("grace", "new-password-1").await.assert_contains("Signed in as");
}

async fn pages_speak_japanese_and_english(app: TestApp) {
    let mut ja = app.browser_in("ja-JP,ja;q=0.9");
    ja.get("/login").await.assert_contains("<html lang=\"ja\">").assert_contains("ユーザー名");
    let mut en = app.browser_in("en-US,en;q=0.9,ja;q=0.5");
    en.get("/login").await.assert_contains("<html lang=\"en\">").assert_contains("Username");

    // The switch wins over Accept-Language and is remembered.
    let switched = ja.get("/lang/en?next=/register").await;
    assert!(switched.url.ends_with("/register"));
    switched.assert_contains("Create an account");
    ja.get("/").await.assert_contains("<html lang=\"en\">");
    ja.get("/lang/ja?next=https://evil.example/").await.assert_contains("コンテスト");

    // Errors speak the user's language too.
    let mut jb = app.browser_in("ja");
    let wrong = jb.login("nobody", "whatever-123").await;
    wrong.assert_contains("ユーザー名またはパスワードが違います。");
}

async fn health_and_not_found(app: TestApp) {
    let res = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut b = app.browser();
    let missing = b.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_contains("Not found.");
    let wrong_method = b.get("/logout").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    wrong_method.assert_contains("This address does not take that method.");
    let contest = b.get("/contests/absent").await;
    assert_eq!(contest.status, StatusCode::NOT_FOUND);
    let res = reqwest::get(app.url("/")).await.unwrap();
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
}

fn closed_registration(settings: &mut mwscup::config::Settings) {
    settings.registration = mwscup::config::Registration::Closed;
}

/// With `registration = "closed"`, nobody registers: the links are gone, the form and its POST answer 403
/// with the reason, and no account is made; organizers still create accounts, and people log in.
async fn registration_can_be_closed(app: TestApp) {
    let mut b = app.browser();
    let home = b.get("/").await;
    assert!(!home.body.contains("href=\"/register\""), "no link to a closed form");
    let form = b.get("/register").await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    form.assert_contains("Registration is closed: the organizers create the accounts.");
    let csrf = csrf_of(&b.get("/login").await.body).unwrap();
    let res = b
        .direct()
        .post(app.url("/register"))
        .form(&[("username", "mallory"), ("password", PASSWORD), ("password_confirm", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let name = mwscup::domain::names::Username::parse("mallory").unwrap();
    assert!(mwscup::store::users::by_username(&app.db, &name).await.unwrap().is_none(), "no account was made");
    app.user("invited", mwscup::domain::role::Role::Participant).await;
    b.login("invited", PASSWORD).await.assert_contains("Signed in as");
}

/// Issue 15, item 6: `next` (the language switch's, the login's) is a path on this site or `/`. Browsers drop
/// a tab or a line break inside an address and read `\\` as `/`, so `/%09/evil.example` would leave the
/// site; a control character in `Location` used to be a 500.
async fn next_never_leaves_the_site(app: TestApp) {
    app.user("alice", mwscup::domain::role::Role::Participant).await;
    let raw = [
        "/%09/evil.example",
        "/%09%09/evil.example",
        "/%0d%0a/evil.example",
        "%0d%0aSet-Cookie:%20x=1",
        "/ok%0d%0aSet-Cookie:%20x=1",
        "/%7f",
        "/%c2%85/evil.example",
        "%2F%2Fevil.example",
        "/%5Cevil.example",
        "/%20/evil.example",
        "https://evil.example",
        "%20/x",
    ];
    let mut b = app.browser();
    b.get("/login").await;
    let direct = b.direct();
    for next in raw {
        let res = direct.get(app.url(&format!("/lang/en?next={next}"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(res.headers()["location"], "/", "{next}");

        let form = direct.get(app.url(&format!("/login?next={next}"))).send().await.unwrap();
        assert_eq!(form.status(), StatusCode::OK, "{next}");
        let body = form.text().await.unwrap();
        assert!(body.contains(r#"name="next" value="/""#), "{next}: {body}");
    }
    // Still kept: a path on this site.
    let res = direct.get(app.url("/lang/en?next=/contests%3Fx%3D1")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/contests?x=1");

    // The login's own form field, decoded as a browser would send it.
    let attacks = ["/\t/evil.example", "/\r\n/evil", "/\\evil", "//evil", "/\u{7f}", "https://x", " /x", "/\u{85}x"];
    for (i, next) in attacks.into_iter().enumerate() {
        let mut b = app.browser();
        b.get("/login").await;
        let csrf = b.csrf().unwrap().to_owned();
        let fields = [("username", "alice"), ("password", PASSWORD), ("next", next), ("csrf", csrf.as_str())];
        let res = b.direct().post(app.url("/login")).form(&fields).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
        // A failed login shows the form again, with `next` reset (another name each time: the login limit).
        let nobody = format!("nobody{i}");
        let fields =
            [("username", nobody.as_str()), ("password", "wrong-password"), ("next", next), ("csrf", csrf.as_str())];
        let res = b.direct().post(app.url("/login")).form(&fields).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{next:?}");
        assert!(res.text().await.unwrap().contains(r#"name="next" value="/""#), "{next:?}");
    }
    let mut b = app.browser();
    b.get("/login").await;
    let csrf = b.csrf().unwrap().to_owned();
    let fields = [("username", "alice"), ("password", PASSWORD), ("next", "/account"), ("csrf", csrf.as_str())];
    let res = b.direct().post(app.url("/login")).form(&fields).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/account");
}
