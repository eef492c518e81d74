//! Paths and headers as an attacker writes them, sent byte for byte (`helpers::raw`): an HTTP client would
//! have normalised `..` and `%2e%2e` away, or refused a NUL, before anything reached the server. Every
//! traversal is refused with a 4xx, and no answer holds anything secret: the secret key file, the database,
//! a challenge's answer, `/etc/passwd`.

use mwscup::domain::role::Role;
use sea_orm::EntityTrait;

use crate::both;
use crate::helpers::{PASSWORD, RawAnswer, TestApp, raw_get};

both!(traversals_are_refused_and_leak_nothing, headers_with_nul_are_refused);

/// What no answer may hold: the secret key file (written into the data folder for the test), the database's
/// header (SQLite's file sits in the data folder too), the challenges' answers (beta's is also a line of
/// alpha's attachment, which must not come under another name either) and `/etc/passwd`.
const SECRET_FILE: &str = "key file content 7f3a9c: never served";
const SECRETS: [&str; 6] = [SECRET_FILE, "SQLite format 3", "mimikatz", "qpkz", "deadbeef", "root:x:0:0"];

fn leaked(answer: &RawAnswer) -> Vec<&'static str> {
    let text = answer.text().to_lowercase();
    SECRETS.iter().copied().filter(|s| text.contains(&s.to_lowercase())).collect()
}

async fn traversals_are_refused_and_leak_nothing(app: TestApp) {
    let mut alice = crate::archive::ended_cup(&app).await;
    std::fs::write(app.fixture.data_dir().join("secret_key"), SECRET_FILE).unwrap();
    let page = alice.get("/archive/cup/upload").await;
    let csrf = crate::helpers::csrf_of(&page.body).unwrap();
    let form = crate::archive::form(&csrf, "public", vec![("notes.txt", b"our notes\n".to_vec())]);
    let res = alice.client.post(app.url("/archive/cup/upload")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let archived = entity::archive_files::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(archived.len(), 1);
    let archived = archived[0].id;
    let attachment = entity::attachments::Entity::find().all(&app.db).await.unwrap();
    let sha = &attachment.iter().find(|a| a.name == "sysmon.txt").unwrap().sha256;

    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let cookie = chief.cookie_header();
    // The organizer, who may read every file, gets the real ones this way: the refusals below are the paths'.
    let file = raw_get(&app.address, format!("/files/{sha}/sysmon.txt").as_bytes(), cookie.as_bytes()).await;
    assert_eq!(file.status, 200, "{}", file.head);
    assert!(file.text().contains("qpkz.exe privilege::debug"), "{}", file.text());
    let path = format!("/archive/files/{archived}/notes.txt");
    let notes = raw_get(&app.address, path.as_bytes(), cookie.as_bytes()).await;
    assert_eq!((notes.status, notes.text().as_str()), (200, "our notes\n"), "{}", notes.head);

    let cases: Vec<String> = [
        "/secret_key",
        "/mwscup.db",
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/files/../secret_key",
        "/files/../../secret_key",
        "/files/..%2F..%2Fsecret_key/x",
        "/files/%2e%2e/secret_key",
        "/files/%2e%2e/%2e%2e/secret_key",
        "/files/%2e%2e%2f%2e%2e%2fsecret_key/x",
        "/files/%252e%252e%252fsecret_key/x",
        "/files/..%5c..%5csecret_key/x",
        "/files/%2Fetc%2Fpasswd/x",
        "/files/{sha}/../../secret_key",
        "/files/{sha}/../../../../../../etc/passwd",
        "/files/{sha}/..%2F..%2F..%2Fsecret_key",
        "/files/{sha}/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/files/{sha}/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret_key",
        "/files/{sha}/%252e%252e%252f%252e%252e%252fsecret_key",
        "/files/{sha}/..\\..\\..\\secret_key",
        "/files/{sha}/..%5c..%5c..%5csecret_key",
        "/files/{sha}/..%c0%af..%c0%afsecret_key",
        "/files/{sha}/sysmon.txt/../notes.txt",
        "/files/{sha}/sysmon.txt%00.png",
        "/files/..%00/x",
        "/assets/../secret_key",
        "/assets/..%2F..%2Fsecret_key",
        "/assets/%2e%2e/%2e%2e/etc/passwd",
        "/assets/style.css/../../secret_key",
        "/assets/..\\..\\secret_key",
        "/assets/%252e%252e%252fsecret_key",
        "/archive/files/{id}/../../secret_key",
        "/archive/files/{id}/..%2F..%2Fsecret_key",
        "/archive/files/{id}/%2e%2e%2f%2e%2e%2fmwscup.db",
        "/archive/files/{id}/..\\..\\mwscup.db",
        "/archive/files/{id}/%252e%252e%252fsecret_key",
        "/archive/files/..%2F..%2Fsecret_key/x",
        "/archive/files/%2e%2e/secret_key",
        "/contests/cup/challenges/..%2F..%2Fsecret_key",
        "/contests/%2e%2e/%2e%2e/secret_key",
        "/contests/%2e%2e/team",
        "/contests/cup/challenges/..%2F..",
        "/files/%00/x",
    ]
    .iter()
    .map(|c| c.replace("{sha}", sha).replace("{id}", &archived.to_string()))
    .collect();
    let mut failures = Vec::new();
    for case in &cases {
        for (who, headers) in [("nobody", String::new()), ("the organizer", cookie.clone())] {
            let answer = raw_get(&app.address, case.as_bytes(), headers.as_bytes()).await;
            let leaks = leaked(&answer);
            // Refused: a 4xx, or (a page, for nobody) led to the login form.
            let to_login = answer.status == 303 && answer.head.contains("\r\nlocation: /login");
            if !((400..500).contains(&answer.status) || to_login) || !leaks.is_empty() {
                failures.push(format!("{case} for {who}: {} leaking {leaks:?}", answer.status));
            }
        }
    }
    assert!(failures.is_empty(), "traversals not refused, or leaking:\n{}", failures.join("\n"));
}

/// A NUL in a header reaches the server (no client refuses it first) and is refused with 400, whatever the
/// header: the token, the session cookie, the language.
async fn headers_with_nul_are_refused(app: TestApp) {
    let organizer = app.user("chief", Role::Organizer).await;
    let token = app.token_for(&organizer).await;
    let auth = format!("Authorization: Token {token}\r\n");
    let fine = raw_get(&app.address, b"/api/v1/users/me", auth.as_bytes()).await;
    assert_eq!(fine.status, 200, "{}", fine.head);
    assert!(fine.text().contains("\"chief\""), "{}", fine.text());
    for header in [
        format!("Authorization: Token {token}\0\r\n"),
        "Authorization: Token \0\r\n".to_owned(),
        "Cookie: mwscup_session=\0AAAA\r\n".to_owned(),
        "Accept-Language: en\0ja\r\n".to_owned(),
        "X-Forwarded-For: 10.0.0.1\0\r\n".to_owned(),
    ] {
        let answer = raw_get(&app.address, b"/api/v1/users/me", header.as_bytes()).await;
        assert_eq!(answer.status, 400, "{header:?}: {}{}", answer.head, answer.text());
        assert!(!answer.text().contains("chief"), "{header:?}: {}", answer.text());
    }
    // And a header the parser takes (no NUL) with a forged token is read as nobody.
    for header in ["Authorization: Bearer\r\n", "Authorization: Token mwscup_' OR 1=1 --\r\n"] {
        let answer = raw_get(&app.address, b"/api/v1/users/me", header.as_bytes()).await;
        assert_eq!(answer.status, 401, "{header:?}: {}{}", answer.head, answer.text());
    }
}
