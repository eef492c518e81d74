//! What a careless or hostile client sends: every answer is a clear 4xx (never a 5xx), nothing changes that
//! should not, and every page carries the security headers.

use mwscup::domain::role::Role;
use reqwest::StatusCode;

use crate::authoring::Source;
use crate::files::load;
use crate::helpers::TestApp;
use crate::{both, both_with};

both!(pages_carry_security_headers, nonsense_gets_a_4xx_never_a_5xx, hidden_executables_are_refused_naming_where);
both_with!(room_for_every_stream; every_route_shrugs_off_nonsense);

/// The nonsense suite opens the live stream hundreds of times from one address, dropping each at once; the
/// server hears of a dropped stream only when it next writes to it, so the address's usual share (20) would
/// answer 503 by design. Here the share is large enough that every request reaches its handler.
fn room_for_every_stream(settings: &mut mwscup::config::Settings) {
    settings.sse_per_address = 100_000;
}

async fn pages_carry_security_headers(app: TestApp) {
    load(&app, Source::valid()).await;
    let mut b = app.browser();
    b.register("alice").await;
    b.create_team("cup", "Finders").await;
    for path in [
        "/",
        "/login",
        "/register",
        "/account",
        "/datasets",
        "/datasets/ffri",
        "/contests/cup",
        "/contests/cup/team",
        "/contests/cup/challenges",
        "/contests/cup/challenges/alpha",
        "/contests/cup/scoreboard",
        "/contests/cup/scoreboard.json",
        "/contests/cup/ctftime.json",
        "/archive",
        "/archive/search?q=x",
        "/api/v1/users/me",
        "/no/such/page",
    ] {
        let res = b.client.get(app.url(path)).send().await.unwrap();
        assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
        if res.headers()["content-type"].to_str().unwrap().starts_with("text/html") {
            let body = res.text().await.unwrap();
            assert!(!body.contains("<script>") && !body.contains(" onclick="), "{path}: no inline script");
        }
    }
}

async fn nonsense_gets_a_4xx_never_a_5xx(app: TestApp) {
    load(&app, Source::valid()).await;
    let organizer = app.user("chief", Role::Organizer).await;
    let token = app.token_for(&organizer).await;
    let client = reqwest::Client::new();
    let auth = format!("Token {token}");
    let posts: Vec<(&str, &str, Vec<u8>)> = vec![
        ("/api/v1/teams", "application/json", vec![b'{'; 300_000]),
        ("/api/v1/teams", "application/json", b"{\"name\": \"\\u0000\"}".to_vec()),
        ("/api/v1/teams", "application/json", vec![0xff, 0xfe, 0x00]),
        ("/api/v1/teams", "application/x-www-form-urlencoded", b"name=%ff%fe".to_vec()),
        ("/api/v1/teams", "application/json", b"{\"name\": 1e400}".to_vec()),
        ("/api/v1/users", "application/json", b"{\"name\": [], \"password\": {}}".to_vec()),
        ("/api/v1/teams/-1/members", "application/json", b"{\"user_id\": -5}".to_vec()),
        ("/api/v1/teams/99999999999999999999/members", "application/json", b"{}".to_vec()),
        (
            "/api/v1/challenges/attempt",
            "application/json",
            b"{\"challenge_id\": \"../1\", \"submission\": null}".to_vec(),
        ),
        ("/api/v1/challenges/attempt", "application/json", b"{\"challenge_id\": 1, \"submission\": 5}".to_vec()),
        ("/api/v1/unlocks", "application/json", b"{\"target\": 2147483648}".to_vec()),
    ];
    for (path, ct, body) in posts {
        let res = client
            .post(app.url(path))
            .header("Authorization", &auth)
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status();
        assert!(status.is_client_error(), "{path} ({ct}): {status}");
        let json: serde_json::Value = res.json().await.unwrap();
        assert_eq!(json["success"], false, "{path}");
    }
    // Nonsense in a path or its query, sent as written (traversals are `traversal.rs`'s): the exact answer.
    for (path, expected) in [
        ("/archive/items/-1", 404),
        ("/archive/files/abc/x", 404),
        ("/lang/xx", 404),
        ("/archive/search?q=%00", 200),
        ("/contests/cup/scoreboard?area=%00", 404),
    ] {
        let answer = crate::helpers::raw_get(&app.address, path.as_bytes(), b"Accept: text/html\r\n").await;
        assert_eq!(answer.status, expected, "{path}: {}", answer.head);
    }
    // A NUL in an answer is kept (as ␀) for disputes, never a server error.
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    alice.get("/contests/cup/challenges/alpha").await;
    let page = alice.post("/contests/cup/challenges/alpha", &[("answer", "mimi\u{0}katz")]).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Incorrect.").assert_contains("mimi\u{2400}katz");
    // An upload that is not multipart, or is cut short, is refused cleanly.
    app.end_contests(chrono::Duration::minutes(1), false).await;
    for (ct, body) in [
        ("application/x-www-form-urlencoded", b"title=x".to_vec()),
        (
            "multipart/form-data; boundary=XYZ",
            b"--XYZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a".to_vec(),
        ),
    ] {
        let res = alice
            .client
            .post(app.url("/archive/cup/upload"))
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{ct}: {}", res.status());
    }
    // A forged session cookie reads as no session.
    let forged = reqwest::Client::new()
        .get(app.url("/account"))
        .header("Cookie", "mwscup_session=AAAA; mwscup_csrf=BBBB")
        .send()
        .await
        .unwrap();
    assert!(forged.url().path().starts_with("/login"), "{}", forged.url());
    // Nothing was created by any of it but Alice's own team.
    let teams = mwscup::store::teams::all_of_contest(&app.db, 1).await.unwrap();
    assert_eq!(teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["Finders"]);
}

/// What each path parameter is given: nonsense of every kind.
const BAD_PARAMS: [&str; 7] = ["-1", "0", "99999999999999999999", "..%2F..%2Fsecret_key", "%00", "%ff%fe", "x%20y"];

/// Bodies no form or script should send.
fn bad_bodies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("application/x-www-form-urlencoded", vec![b'a'; 2 * 1024 * 1024]),
        ("application/x-www-form-urlencoded", vec![0xff, 0xfe, b'=', 0x80]),
        ("application/x-www-form-urlencoded", b"csrf=%00&name=%00%ff&reason=\x00&points=1e999&team_id=-1".to_vec()),
        ("application/json", b"{\"challenge_id\": [], \"submission\": {}, \"name\": 1e400, \"extra\": true}".to_vec()),
        ("application/json", b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".to_vec()),
        (
            "multipart/form-data; boundary=X",
            b"--X\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../a\"\r\n\r\nMZ".to_vec(),
        ),
    ]
}

/// Every route of the router (so a new one is covered the day it is added), called by an organizer (who
/// reaches the deepest code) with nonsense in each path parameter and each body, and with forged cookies:
/// never a 5xx.
async fn every_route_shrugs_off_nonsense(app: TestApp) {
    load(&app, Source::valid()).await;
    let organizer = app.user("chief", Role::Organizer).await;
    let token = app.token_for(&organizer).await;
    let mut chief = app.browser();
    chief.login("chief", crate::helpers::PASSWORD).await;
    chief.get("/account").await;
    let csrf = chief.csrf().unwrap().to_owned();
    let routes = mwscup::web::route_table();
    assert!(routes.len() > 50, "the router lists its routes");
    let param = regex::Regex::new(r"\{[a-z0-9_]+\}").unwrap();
    let forged = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut failures = Vec::new();
    for route in &routes {
        let paths: Vec<String> = BAD_PARAMS
            .iter()
            .map(|bad| {
                param
                    .replace_all(
                        &route.path,
                        |c: &regex::Captures| if &c[0] == "{slug}" { "cup".to_owned() } else { (*bad).to_owned() },
                    )
                    .into_owned()
            })
            .collect();
        // `%2e%2e` as written: an HTTP client would read it as `..` and send another path.
        let dots = param.replace_all(&route.path, "%2e%2e").into_owned();
        let (method, body) =
            if route.method == actix_web::http::Method::GET { ("GET", "") } else { ("POST", "name=x") };
        let headers = format!(
            "{}CSRF-Token: {csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\n",
            chief.cookie_header()
        );
        let answer =
            crate::helpers::raw_request(&app.address, method, dots.as_bytes(), headers.as_bytes(), body.as_bytes())
                .await;
        if answer.status >= 500 {
            failures.push(format!("{} {dots} (as written): {}", route.method, answer.status));
        }
        for path in &paths {
            let url = app.url(path);
            let res = if route.method == actix_web::http::Method::GET {
                chief.client.get(&url).send().await
            } else {
                chief.client.post(&url).form(&[("csrf", csrf.as_str())]).send().await
            };
            let status = res.map(|r| r.status().as_u16()).unwrap_or(0);
            if status >= 500 || status == 0 {
                failures.push(format!("{} {path}: {status}", route.method));
            }
            // Forged and expired cookies, and a forged token, read as nobody.
            for cookie in ["mwscup_session=AAAA.BBBB; mwscup_csrf=CCCC", "mwscup_session=; lang=%ff"] {
                let status =
                    forged.get(&url).header("Cookie", cookie).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
                if status >= 500 || status == 0 {
                    failures.push(format!("{} {path} with cookie {cookie:?}: {status}", route.method));
                }
            }
        }
        if route.method != actix_web::http::Method::POST {
            continue;
        }
        let path = param
            .replace_all(
                &route.path,
                |c: &regex::Captures| if &c[0] == "{slug}" { "cup".to_owned() } else { "1".to_owned() },
            )
            .into_owned();
        for (content_type, body) in bad_bodies() {
            for auth in [None, Some(format!("Token {token}")), Some("Token mwscup_forged".to_owned())] {
                let mut req =
                    chief.client.post(app.url(&path)).header("Content-Type", content_type).header("CSRF-Token", &csrf);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                let status = req.body(body.clone()).send().await.map(|r| r.status().as_u16()).unwrap_or(0);
                if status >= 500 || status == 0 {
                    failures
                        .push(format!("POST {path} ({content_type}, {} bytes, auth {auth:?}): {status}", body.len()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "server errors:\n{}", failures.join("\n"));
}

/// The three ways a team once got an executable accepted (a zip in a zip, a zip after a PDF's first bytes,
/// a gzipped PE), as hackathon slides and as archive files: each refused with a 4xx that says where inside
/// the executable is, and nothing kept.
async fn hidden_executables_are_refused_naming_where(app: TestApp) {
    use std::io::Write;

    use reqwest::multipart::{Form, Part};
    use sea_orm::{EntityTrait, PaginatorTrait};

    let zip_of = |name: &str, bytes: &[u8]| {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    };
    let pe = mwscup::inspect::samples::pe();
    let nested = zip_of("inner.zip", &zip_of("evil.exe", &pe));
    let mut polyglot = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    let zip_at = polyglot.len();
    polyglot.extend(zip_of("evil.exe", &pe));
    polyglot.extend(b"%%EOF\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&pe).unwrap();
    let gzipped = gz.finish().unwrap();
    let cases = [
        (
            "outer.zip",
            nested,
            "outer.zip is refused: it holds a PE (Windows) executable in \"inner.zip\" → \"evil.exe\"",
        ),
        (
            "slides.pdf",
            polyglot,
            &*format!(
                "slides.pdf is refused: it holds a PE (Windows) executable in (zip at byte {zip_at}) → \"evil.exe\""
            ),
        ),
        ("tool.gz", gzipped, "tool.gz is refused: it holds a PE (Windows) executable in (gzip)"),
    ];
    let text = |body: String| body.replace("&#34;", "\"");

    load(&app, crate::judging::judged_cup()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    for (name, bytes, reason) in &cases {
        let page = alice.get("/contests/cup/hackathon").await;
        let form = Form::new()
            .text("csrf", crate::helpers::csrf_of(&page.body).unwrap())
            .text("title", "Our kit")
            .text("description", "")
            .text("link", "")
            .part("slides", Part::bytes(bytes.clone()).file_name(name.to_string()));
        let res = alice.client.post(app.url("/contests/cup/hackathon")).multipart(form).send().await.unwrap();
        let status = res.status();
        let body = text(res.text().await.unwrap());
        assert!(status.is_client_error(), "{name} as slides: {status}");
        assert!(body.contains(reason), "{name} as slides: {reason:?} not in {body}");
    }
    assert_eq!(entity::hackathon_entries::Entity::find().count(&app.db).await.unwrap(), 0, "no entry kept");

    app.end_contests(chrono::Duration::minutes(1), true).await;
    for (name, bytes, reason) in &cases {
        let page = alice.get("/archive/cup/upload").await;
        let csrf = crate::helpers::csrf_of(&page.body).unwrap();
        let form = crate::archive::form(&csrf, "public", vec![(name, bytes.clone())]);
        let res = alice.client.post(app.url("/archive/cup/upload")).multipart(form).send().await.unwrap();
        let status = res.status();
        let body = text(res.text().await.unwrap());
        assert!(status.is_client_error(), "{name} in the archive: {status}");
        assert!(body.contains(reason), "{name} in the archive: {reason:?} not in {body}");
    }
    assert_eq!(entity::archive_items::Entity::find().count(&app.db).await.unwrap(), 0, "no archive item kept");
    assert_eq!(entity::archive_files::Entity::find().count(&app.db).await.unwrap(), 0, "no archive file kept");
    let kept = |dir: &str| std::fs::read_dir(app.fixture.data_dir().join(dir)).map(|d| d.count()).unwrap_or(0);
    assert_eq!(kept("tmp"), 0, "no upload left behind");
    let attachments = entity::attachments::Entity::find().all(&app.db).await.unwrap();
    let distinct: std::collections::HashSet<_> = attachments.iter().map(|a| a.sha256.clone()).collect();
    let blobs: usize = std::fs::read_dir(app.fixture.data_dir().join("files"))
        .map(|d| d.flatten().map(|shard| std::fs::read_dir(shard.path()).map(|f| f.count()).unwrap_or(0)).sum())
        .unwrap_or(0);
    assert_eq!(blobs, distinct.len(), "only the challenges' attachments are stored");
}
