//! The archive: uploads after the contest with their checks and limits, review, visibility, browsing.

use entity::archive_items;
use mwscup::domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::authoring::Source;
use crate::both;
use crate::files::load;
use crate::helpers::{Browser, PASSWORD, TestApp, csrf_of};

both!(teams_upload_and_organizers_publish, uploads_are_checked_and_nothing_half_stored, items_follow_their_visibility);
both!(
    search_finds_by_team_title_and_file_name,
    past_years_import_and_export_losslessly,
    many_text_files_show_a_bounded_page
);

/// The fixture `cup`, ended a minute ago; Alice's team "Finders" in it.
pub async fn ended_cup(app: &TestApp) -> Browser {
    load(app, Source::valid()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    app.end_contests(chrono::Duration::minutes(1), true).await;
    alice
}

pub fn form(csrf: &str, visibility: &str, files: Vec<(&str, Vec<u8>)>) -> Form {
    form_titled(csrf, "Our approach to the DFIR questions", visibility, files)
}

pub fn form_titled(csrf: &str, title: &str, visibility: &str, files: Vec<(&str, Vec<u8>)>) -> Form {
    let mut form = Form::new()
        .text("csrf", csrf.to_owned())
        .text("kind", "slides")
        .text("title", title.to_owned())
        .text("description", "How we read the **Sysmon** log.")
        .text("areas", "dfir")
        .text("areas", "static")
        .text("licence", "MIT")
        .text("link", "")
        .text("visibility", visibility.to_owned());
    for k in ["no_live_malware", "no_personal_data", "identifiers_redacted", "responsible_disclosure"] {
        form = form.text(k, "yes");
    }
    for (name, bytes) in files {
        form = form.part("files", Part::bytes(bytes).file_name(name.to_owned()));
    }
    form
}

pub async fn upload(
    app: &TestApp,
    b: &mut Browser,
    form_of: impl FnOnce(&str) -> Form,
) -> (StatusCode, String, String) {
    let page = b.get("/archive/cup/upload").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = csrf_of(&page.body).unwrap();
    let res = b.client.post(app.url("/archive/cup/upload")).multipart(form_of(&csrf)).send().await.unwrap();
    let status = res.status();
    let url = res.url().to_string();
    (status, url, res.text().await.unwrap())
}

async fn teams_upload_and_organizers_publish(app: TestApp) {
    let mut alice = ended_cup(&app).await;
    let script = "import json\nprint('<script>解析</script>')\n".as_bytes().to_vec();
    let (status, url, body) = upload(&app, &mut alice, |csrf| {
        form(csrf, "public", vec![("slides.pdf", b"%PDF-1.7\n%...".to_vec()), ("../../solve.py", script.clone())])
    })
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(url.contains("/archive/items/"), "{url}");
    assert!(
        body.contains("Awaiting review") && body.contains("slides.pdf") && body.contains("application/pdf"),
        "{body}"
    );
    assert!(body.contains(">solve.py</a>"), "the name lost its folders: {body}");
    assert!(body.contains("<pre class=\"source\">import json"), "text shown inline: {body}");
    assert!(body.contains("解析") && !body.contains("<script>解析"), "and escaped: {body}");
    let item_path = url.split("/archive/items/").nth(1).map(|id| format!("/archive/items/{id}")).unwrap();

    // Not published yet: strangers see nothing.
    let mut stranger = app.browser();
    assert_eq!(stranger.get(&item_path).await.status, StatusCode::NOT_FOUND);
    stranger.get("/archive/cup").await.assert_lacks("Our approach");

    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/archive/cup/review").await.assert_contains("Our approach").assert_contains("Awaiting review");
    chief.get(&item_path).await;
    let id = item_path.rsplit('/').next().unwrap().to_owned();
    chief
        .post(&format!("/archive/items/{id}/review"), &[("decision", "publish"), ("comment", "Thanks!")])
        .await
        .assert_contains("Published");
    assert_eq!(app.audit_actions().await, ["archive.review"]);

    let year = stranger.get("/archive/cup").await;
    year.assert_contains("Our approach").assert_contains("Final standings").assert_contains("Read the log");
    stranger.get("/archive").await.assert_contains("/archive/cup");
    let item = stranger.get(&item_path).await;
    item.assert_contains("Thanks!").assert_contains("<strong>Sysmon</strong>");
    let file_link = regex::Regex::new(r#"href="(/archive/files/\d+/solve.py)""#).unwrap().captures(&item.body).unwrap()
        [1]
    .to_owned();
    let res = stranger.client.get(app.url(&file_link)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), script.as_slice());
}

async fn uploads_are_checked_and_nothing_half_stored(app: TestApp) {
    let mut alice = ended_cup(&app).await;
    let (status, _, body) = upload(&app, &mut alice, |csrf| {
        form(csrf, "public", vec![("notes.txt", b"fine".to_vec()), ("tool.exe", mwscup::inspect::samples::pe())])
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("tool.exe is refused: it is a PE (Windows) executable"), "{body}");

    let mut zipped = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(&mut zipped));
        zip.start_file(
            "payload",
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        std::io::Write::write_all(&mut zip, &mwscup::inspect::samples::elf()).unwrap();
        zip.finish().unwrap();
    }
    let (status, _, body) =
        upload(&app, &mut alice, |csrf| form(csrf, "public", vec![("tools.zip", zipped.clone())])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("holds an ELF executable in &#34;payload&#34;"), "{body}");

    let (status, _, body) = upload(&app, &mut alice, |csrf| {
        Form::new()
            .text("csrf", csrf.to_owned())
            .text("kind", "script")
            .text("title", "No ethics")
            .text("visibility", "public")
            .part("files", Part::bytes(b"x".to_vec()).file_name("x.txt"))
    })
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Confirm every point of the ethics checklist."), "{body}");

    entity::contests::Entity::update_many()
        .col_expr(entity::contests::Column::ArchiveFileLimit, Expr::value(1024i64))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    let (status, _, body) =
        upload(&app, &mut alice, |csrf| form(csrf, "public", vec![("big.txt", vec![b'a'; 4096])])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        body.contains("big.txt is too large (0 MiB a file at most)") || body.contains("big.txt is too large"),
        "{body}"
    );

    // Without the CSRF token nothing happens either.
    let res = alice
        .client
        .post(app.url("/archive/cup/upload"))
        .multipart(form("wrong", "public", vec![("a.txt", b"a".to_vec())]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    assert_eq!(archive_items::Entity::find().count(&app.db).await.unwrap(), 0, "nothing was stored");
    let blobs = app.fixture.data_dir().join("files");
    let stored = walk(&blobs)
        .into_iter()
        .filter(|p| p.extension().is_none() && p.file_name().is_some_and(|n| n.len() == 64))
        .count();
    let attachments = entity::attachments::Entity::find().all(&app.db).await.unwrap();
    let distinct: std::collections::HashSet<_> = attachments.iter().map(|a| a.sha256.clone()).collect();
    assert_eq!(stored, distinct.len(), "only the challenges' attachments are stored");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out
}

async fn items_follow_their_visibility(app: TestApp) {
    // Before the end: not yet.
    load(&app, Source::valid()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let early = alice.get("/archive/cup/upload").await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    early.assert_contains("once the contest has ended");
    app.end_contests(chrono::Duration::minutes(1), false).await;

    let mut ids = Vec::new();
    for visibility in ["participants", "organizers"] {
        let (status, url, _) =
            upload(&app, &mut alice, |csrf| form(csrf, visibility, vec![("w.txt", visibility.as_bytes().to_vec())]))
                .await;
        assert_eq!(status, StatusCode::OK);
        ids.push(url.rsplit('/').next().unwrap().to_owned());
    }
    archive_items::Entity::update_many()
        .col_expr(archive_items::Column::Status, Expr::value("published"))
        .filter(archive_items::Column::ContestId.is_not_null())
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    let (participants, organizers) = (format!("/archive/items/{}", ids[0]), format!("/archive/items/{}", ids[1]));

    let mut anonymous = app.browser();
    assert_eq!(anonymous.get(&participants).await.status, StatusCode::NOT_FOUND);
    let mut bob = app.browser();
    bob.register("bob").await;
    assert_eq!(bob.get(&participants).await.status, StatusCode::NOT_FOUND, "no agreement to the FFRI Dataset");
    bob.get("/datasets/ffri").await;
    bob.post("/datasets/ffri/agree", &[]).await;
    assert_eq!(bob.get(&participants).await.status, StatusCode::OK, "with the agreement");
    assert_eq!(bob.get(&organizers).await.status, StatusCode::NOT_FOUND);
    assert_eq!(alice.get(&organizers).await.status, StatusCode::OK, "a team sees its own");
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    assert_eq!(chief.get(&organizers).await.status, StatusCode::OK);

    // After the end the questions' files are for anyone with the agreement, team or not.
    let year = bob.get("/archive/cup").await;
    let file = regex::Regex::new(r#"href="(/files/[0-9a-f]{64}/sysmon.txt)""#).unwrap().captures(&year.body).unwrap()
        [1]
    .to_owned();
    assert_eq!(bob.get(&file).await.status, StatusCode::OK);
}

async fn search_finds_by_team_title_and_file_name(app: TestApp) {
    let mut alice = ended_cup(&app).await;
    upload(&app, &mut alice, |csrf| form(csrf, "public", vec![("timeline.pdf", b"%PDF-1.4".to_vec())])).await;
    upload(&app, &mut alice, |csrf| {
        Form::new()
            .text("csrf", csrf.to_owned())
            .text("kind", "script")
            .text("title", "動的解析の自動化ツール")
            .text("description", "Cuckoo レポートから C2 を抜き出す")
            .text("areas", "dynamic")
            .text("visibility", "public")
            .text("no_live_malware", "yes")
            .text("no_personal_data", "yes")
            .text("identifiers_redacted", "yes")
            .text("responsible_disclosure", "yes")
            .part("files", Part::bytes(b"print(1)\n".to_vec()).file_name("extract_c2.py"))
    })
    .await;
    archive_items::Entity::update_many()
        .col_expr(archive_items::Column::Status, Expr::value("published"))
        .filter(archive_items::Column::Id.gt(0))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    let mut visitor = app.browser();
    let found = |page: &crate::helpers::Page, title: &str| page.body.contains(title);
    let by_title = visitor.get("/archive/search?q=approach").await;
    assert!(
        found(&by_title, "Our approach to the DFIR questions") && !found(&by_title, "動的解析の自動化ツール"),
        "{}",
        by_title.body
    );
    let by_team = visitor.get("/archive/search?q=Finders").await;
    assert!(found(&by_team, "Our approach") && found(&by_team, "動的解析の自動化ツール"));
    let by_file = visitor.get("/archive/search?q=extract_c2").await;
    assert!(found(&by_file, "動的解析の自動化ツール") && !found(&by_file, "Our approach"), "{}", by_file.body);
    let japanese = visitor.get(&format!("/archive/search?q={}", "自動化")).await;
    assert!(found(&japanese, "動的解析の自動化ツール"), "a part of a Japanese title: {}", japanese.body);
    let filtered = visitor.get("/archive/search?q=Finders&kind=script").await;
    assert!(!found(&filtered, "Our approach") && found(&filtered, "動的解析の自動化ツール"));
    let by_area = visitor.get("/archive/search?q=Finders&area=dfir").await;
    assert!(found(&by_area, "Our approach") && !found(&by_area, "動的解析の自動化ツール"));
    let other_year = visitor.get("/archive/search?q=Finders&year=another").await;
    assert!(!found(&other_year, "Our approach"));
    visitor.get("/archive/search?q=nothing-like-this").await.assert_contains("Nothing found.");
    // Query syntax never reaches the engine.
    assert_eq!(visitor.get("/archive/search?q=%22%29%20OR%20*").await.status, StatusCode::OK);
}

async fn past_years_import_and_export_losslessly(app: TestApp) {
    let out = app.fixture.cli(&["archive", "import", "archive/example-2019"]);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let again = app.fixture.cli(&["archive", "import", "archive/example-2019"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "archive/example-2019: nothing changed");

    // Browsing what was imported.
    let mut visitor = app.browser();
    visitor.get("/archive").await.assert_contains("MWS Cup 2019 (example)");
    let year = visitor.get("/archive/example-2019").await;
    year.assert_contains("Team Kuroneko")
        .assert_contains("1234.5")
        .assert_contains("count_discovery.py")
        .assert_lacks("XOR key finder");
    let team = regex::Regex::new(r#"href="(/archive/example-2019/teams/\d+)">Team Kuroneko"#)
        .unwrap()
        .captures(&year.body)
        .unwrap()[1]
        .to_owned();
    visitor.get(&team).await.assert_contains("#1").assert_contains("Sysmon ログから侵入の足跡をたどる");
    visitor.get("/archive/search?q=count_discovery").await.assert_contains("count_discovery.py");
    visitor.get("/archive/search?q=足跡をたどる").await.assert_contains("Sysmon ログから侵入の足跡をたどる");

    // Export, import into another database, export again: the same folder.
    let first = tempfile::tempdir().unwrap();
    let out = app.fixture.cli(&["archive", "export", "--contest", "example-2019", first.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let other = crate::helpers::Fixture::new(app.fixture.backend).await.unwrap();
    let out = other.cli(&["archive", "import", first.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let second = tempfile::tempdir().unwrap();
    other.cli(&["archive", "export", "--contest", "example-2019", second.path().to_str().unwrap()]);
    let read = |dir: &std::path::Path| std::fs::read_to_string(dir.join("archive.toml")).unwrap();
    assert_eq!(read(first.path()), read(second.path()));
    let files = |dir: &std::path::Path| {
        let mut list: Vec<(String, Vec<u8>)> = walk(&dir.join("files"))
            .into_iter()
            .map(|p| (p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()))
            .collect();
        list.sort();
        list
    };
    assert_eq!(files(first.path()), files(second.path()));
    assert_eq!(files(first.path()).len(), 2);
}

#[tokio::test]
async fn a_broken_archive_folder_is_reported_and_nothing_is_written() {
    let fixture = crate::helpers::Fixture::new(crate::helpers::Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("files")).unwrap();
    std::fs::write(dir.path().join("files/tool.exe"), mwscup::inspect::samples::pe()).unwrap();
    std::fs::write(
        dir.path().join("archive.toml"),
        "[contest]\nslug = \"past\"\ntitle = \"Past\"\nstarts_at = \"2019-10-21T09:00:00+09:00\"\nends_at = \"2019-10-21T13:00:00+09:00\"\n\n[[teams]]\nname = \"A\"\nrank = \"first\"\nscore = 1\n\n[[teams]]\nname = \"Team I\"\nrank = 2\nscore = 1\n\n[[teams]]\nname = \"Team l\"\nrank = 3\nscore = 1\n\n[[items]]\nteam = \"B\"\nkind = \"poster\"\ntitle = \"x\"\nfiles = [\"../secret\", \"files/tool.exe\"]\n",
    )
    .unwrap();
    let out = fixture.cli(&["archive", "import", dir.path().to_str().unwrap()]);
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    let root = dir.path().display().to_string();
    for expected in [
        format!("{root}/archive.toml: teams[0].rank: must be an integer"),
        format!("{root}/archive.toml: items[0].team: unknown team \"B\""),
        format!("{root}/archive.toml: teams[2].name: \"Team l\" looks like \"Team I\""),
        format!("{root}/archive.toml: items[0].kind: \"poster\" is not one of"),
        format!("{root}/archive.toml: items[0].files[0]: \"../secret\" must be a path inside the folder"),
        format!("{root}/files/tool.exe: files: is a PE (Windows) executable"),
    ] {
        assert!(report.contains(&expected), "missing {expected:?} in:\n{report}");
    }
    let db = mwscup::db::connect(&fixture.url).await.unwrap();
    mwscup::db::migrate(&db).await.unwrap();
    assert!(mwscup::store::contests::by_slug(&db, "past").await.unwrap().is_none(), "nothing was written");
}

/// An item of many large text files: the page shows at most 1 MiB of their text and says that the rest is
/// to be downloaded, so one view cannot cost hundreds of MiB.
async fn many_text_files_show_a_bounded_page(app: TestApp) {
    let mut alice = ended_cup(&app).await;
    let line = "event=4688 image=C:\\Windows\\System32\\cmd.exe\n";
    let text = line.repeat(250 * 1024 / line.len());
    let files: Vec<(String, Vec<u8>)> =
        (0..12).map(|i| (format!("log{i:02}.txt"), text.clone().into_bytes())).collect();
    let (status, _, body) = upload(&app, &mut alice, |csrf| {
        form(csrf, "public", files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect())
    })
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown = body.matches("<pre class=\"source\">").count();
    assert!((1..=4).contains(&shown), "{shown} files shown inline of 12");
    assert!(body.len() < 2 * 1024 * 1024, "the page is {} bytes", body.len());
    assert!(body.contains("id=\"inline-cut\""), "the page says some files are only downloads");
    assert_eq!(body.matches("/archive/files/").count(), 12, "every file is still a download");
}
