//! The organizers' side: every action leaves a trace in the audit log (who, when, what, before and after),
//! which organizers read and filter at `/admin/audit` and export with the results; `mwscup backup` copies
//! the database and the files while the server runs.

use std::io::Read;

use mwscup::domain::role::Role;
use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::Value;

use crate::authoring::Source;
use crate::both;
use crate::cli::mwscup;
use crate::files::load;
use crate::helpers::{Backend, PASSWORD, TestApp};

async fn attempt(app: &TestApp, token: &str, challenge_id: i64, answer: &str) -> Value {
    let res = app
        .api()
        .post(app.url("/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .json(&serde_json::json!({"challenge_id": challenge_id, "submission": answer}))
        .send()
        .await
        .unwrap();
    crate::helpers::json_of(res).await.1
}

/// Alice's team `Finders` in `cup`: her browser, her API token and the id of `alpha`.
async fn finders(app: &TestApp) -> (crate::helpers::Browser, String, i64) {
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let token = app.token_named("alice").await;
    let alpha = app.challenge_ids(&token, "/api/v1/challenges").await["alpha"];
    (alice, token, alpha)
}

async fn standings(app: &TestApp) -> Value {
    reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json::<Value>().await.unwrap()["standings"][0]
        .clone()
}

both!(every_console_action_is_in_the_audit_log, a_backup_holds_the_database_and_the_files);
both!(a_disputed_answer_is_accepted_then_revoked, a_roster_registers_teams_all_or_nothing);
both!(the_day_s_times_change_from_the_console, organizers_set_roles_and_reset_passwords, organizers_move_members);
both!(organizers_sync_challenges_from_the_browser, organizers_disqualify_withdraw_and_reprice);
both!(organizers_sync_an_uploaded_zip);

async fn every_console_action_is_in_the_audit_log(app: TestApp) {
    load(&app, Source::valid()).await;
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    let team = mwscup::store::teams::all_of_contest(&app.db, 1).await.unwrap().remove(0);

    chief.get("/contests/cup/console").await;
    chief.post("/contests/cup/console/pause", &[("confirm", "yes")]).await;
    chief.post("/contests/cup/console/resume", &[]).await;
    chief.post("/contests/cup/console/announcements", &[("title", "休憩"), ("title_en", "Break")]).await;
    let team_id = team.id.to_string();
    chief
        .post(
            "/contests/cup/console/adjustments",
            &[("team_id", team_id.as_str()), ("area", ""), ("points", "+5.5"), ("reason", "writeup bonus")],
        )
        .await;
    chief.post(&format!("/contests/cup/console/teams/{}/visibility", team.id), &[("hidden", "true")]).await;

    let page = chief.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    for action in ["contest.pause", "contest.resume", "announcement.post", "scores.adjust", "team.visibility"] {
        page.assert_contains(action);
    }
    page.assert_contains("chief")
        .assert_contains("writeup bonus")
        .assert_contains(&format!("team Finders (#{})", team.id))
        .assert_contains("paused: false → true")
        .assert_contains("hidden: false → true")
        .assert_contains("reason: — → writeup bonus");
    let paused = chief.get("/admin/audit?contest=cup&action=contest.&actor=chief").await;
    paused.assert_contains("contest.pause").assert_contains("contest.resume");
    assert!(!paused.body.contains("scores.adjust"), "the filter keeps contest actions only");
    assert_eq!(entity::audit_log::Entity::find().count(&app.db).await.unwrap(), 5, "one entry an action");
    chief.get("/admin").await.assert_contains("/admin/audit?contest=cup");

    // A participant reads none of it.
    for path in ["/admin", "/admin/audit"] {
        assert_eq!(alice.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }

    // Exported with the results, oldest first.
    let out = mwscup(&app.fixture).args(["export", "--contest", "cup", "--format", "audit"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let entries: Value = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["contest.pause", "contest.resume", "announcement.post", "scores.adjust", "team.visibility"]);
    assert_eq!(entries[3]["after"]["points"], "5.5");
    assert_eq!(entries[0]["actor"], "chief");
}

async fn a_backup_holds_the_database_and_the_files(app: TestApp) {
    load(&app, Source::valid()).await;
    app.user("chief", Role::Organizer).await;
    let out_path = app.fixture.dir.path().join("backup.zip");
    let out = mwscup(&app.fixture).args(["backup", "--out"]).arg(&out_path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    let stored = names.iter().filter(|n| n.starts_with("files/")).count();
    assert!(stored >= 1, "{names:?}");
    assert!(stdout.contains(&format!("files: {stored} stored files")), "{stdout}");
    for name in names.iter().filter(|n| n.starts_with("files/")) {
        let mut copy = Vec::new();
        zip.by_name(name).unwrap().read_to_end(&mut copy).unwrap();
        assert_eq!(std::fs::read(app.fixture.data_dir().join(name)).unwrap(), copy, "{name}");
    }
    match app.fixture.backend {
        Backend::Sqlite => {
            // The copy opens as a database of its own with the same rows.
            let restored = tempfile::tempdir().unwrap();
            let path = restored.path().join("mwscup.db");
            let mut db_file = std::fs::File::create(&path).unwrap();
            std::io::copy(&mut zip.by_name("mwscup.db").unwrap(), &mut db_file).unwrap();
            let copy = mwscup::db::connect(&format!("sqlite://{}", path.display())).await.unwrap();
            assert_eq!(entity::users::Entity::find().count(&copy).await.unwrap(), 1);
            assert_eq!(
                entity::challenges::Entity::find().count(&copy).await.unwrap(),
                entity::challenges::Entity::find().count(&app.db).await.unwrap()
            );
        }
        Backend::Postgres => {
            assert!(!names.iter().any(|n| n == "mwscup.db"));
            assert!(stdout.contains("pg_dump --format=custom"), "{stdout}");
            assert!(!stdout.contains(":***@"), "no password, not even masked, in a command to paste");
        }
    }
}

/// A wrong answer disputed: accepted, it is a solve at the time it was given and the standings follow; revoked,
/// the standings are as if it never happened. Each with its reason in the audit log.
async fn a_disputed_answer_is_accepted_then_revoked(app: TestApp) {
    load(&app, Source::valid()).await;
    app.user("chief", Role::Organizer).await;
    let (mut alice, token, alpha) = finders(&app).await;
    assert_eq!(attempt(&app, &token, alpha, "mimikatz.exe").await["data"]["status"], "incorrect");
    let disputed = entity::submissions::Entity::find().all(&app.db).await.unwrap().remove(0);
    assert_eq!(disputed.text.as_deref(), Some("mimikatz.exe"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    // What organizers watch: the wrong answers of each challenge, most frequent first.
    for typed in ["lsass", "mimikatz.exe", "mimikatz.exe"] {
        attempt(&app, &token, alpha, typed).await;
    }
    chief
        .get("/contests/cup/console/challenges")
        .await
        .assert_contains("<code>mimikatz.exe</code> ×3, <code>lsass</code> ×1");
    let page = chief.get("/contests/cup/console/submissions?outcome=incorrect").await;
    page.assert_contains("mimikatz.exe").assert_contains(&format!("/console/submissions/{}/accept", disputed.id));
    let accept = format!("/contests/cup/console/submissions/{}/accept", disputed.id);
    let refused = chief.post(&accept, &[("reason", "  ")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "a reason is required");
    let done = chief.post(&accept, &[("reason", "the .exe was in the question's example")]).await;
    assert_eq!(done.status, StatusCode::OK);
    done.assert_contains("accepted");

    // A solve at the time of the original answer: the standings and the time of the score follow.
    let row = standings(&app).await;
    assert_eq!(
        (row["team"].as_str(), row["score"].as_i64(), row["solves"].as_i64()),
        (Some("Finders"), Some(100), Some(1))
    );
    assert_eq!(row["last_at"], disputed.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), "{row}");
    assert_eq!(attempt(&app, &token, alpha, "mimikatz").await["data"]["status"], "already_solved");
    let again = chief.post(&accept, &[("reason", "twice")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    again.assert_contains("solved this challenge already");

    // Revoked: as if it never happened; the team may answer again.
    let revoke = format!("/contests/cup/console/submissions/{}/revoke", disputed.id);
    chief.get("/contests/cup/console/submissions").await;
    assert_eq!(chief.post(&revoke, &[("reason", "a mistake of ours")]).await.status, StatusCode::OK);
    let row = standings(&app).await;
    assert_eq!(
        (row["score"].as_i64(), row["solves"].as_i64(), row["last_at"].clone()),
        (Some(0), Some(0), Value::Null)
    );
    assert_eq!(entity::solves::Entity::find().count(&app.db).await.unwrap(), 0);
    assert_eq!(chief.post(&revoke, &[("reason", "twice")]).await.status, StatusCode::CONFLICT);
    assert_eq!(attempt(&app, &token, alpha, "mimikatz").await["data"]["status"], "correct");

    let audit = chief.get("/admin/audit?action=s").await;
    audit
        .assert_contains("submission.accept")
        .assert_contains("solve.revoke")
        .assert_contains("the .exe was in the question&#39;s example")
        .assert_contains("a mistake of ours");
    // The team sees what became of its answer.
    alice.get("/contests/cup/challenges/alpha").await.assert_contains("Revoked by the organizers");
}

async fn post_roster(app: &TestApp, chief: &mut crate::helpers::Browser, roster: &str) -> reqwest::Response {
    chief.get("/admin/register").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", chief.csrf().unwrap().to_owned())
        .text("contest", "cup")
        .part("roster", reqwest::multipart::Part::bytes(roster.as_bytes().to_vec()).file_name("roster.csv"));
    chief.client.post(app.url("/admin/register")).multipart(form).send().await.unwrap()
}

/// Bulk registration: a roster with bad rows is reported line by line and creates nothing; a good one
/// creates every account and team and gives the credentials back once, as a CSV.
async fn a_roster_registers_teams_all_or_nothing(app: TestApp) {
    load(&app, Source::valid()).await;
    app.user("chief", Role::Organizer).await;
    app.user("taken", Role::Participant).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let users_before = entity::users::Entity::find().count(&app.db).await.unwrap();

    let bad = "team,affiliation,username,email\nKuroneko,Univ,neko1,neko1@example.jp\nKuroneko,Univ,taken,\n\
               Shiba,,has space,\nBig,,b1,\nBig,,b2,\nBig,,b3,\nBig,,b4,\nBig,,b5,\nSolo,,сhief,\n";
    let res = post_roster(&app, &mut chief, bad).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body = res.text().await.unwrap();
    for line in [
        "line 3: username: taken is taken",
        "line 4: username:",
        "line 9: team: Big has more than 4 members",
        // A Cyrillic с: it looks like the account `chief`.
        "line 10: username: сhief looks like a username that is taken",
        "Nothing was created.",
    ] {
        assert!(body.contains(line), "{line} in {body}");
    }
    assert_eq!(entity::users::Entity::find().count(&app.db).await.unwrap(), users_before, "nothing half-created");
    assert_eq!(entity::teams::Entity::find().count(&app.db).await.unwrap(), 0);

    let good = "team,affiliation,username,email\nKuroneko,\"Univ, Tokyo\",neko1,neko1@example.jp\nShiba,,shiba1,\n\
                Kuroneko,,neko2,\n";
    let res = post_roster(&app, &mut chief, good).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("credentials-cup.csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "team,affiliation,username,password,invite_code");
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[1].starts_with("Kuroneko,\"Univ, Tokyo\",neko1,"), "{csv}");
    assert!(lines[3].starts_with("Shiba,,shiba1,"), "{csv}");
    // The generated password works, and the account is in its team.
    // The last two fields are the password and the invite code (the affiliation holds a quoted comma).
    let password = lines[2].rsplit(',').nth(1).unwrap();
    let mut neko2 = app.browser();
    neko2.login("neko2", password).await.assert_contains("Signed in as");
    neko2.get("/contests/cup/team").await.assert_contains("Kuroneko").assert_contains("neko1");
    let audit = chief.get("/admin/audit?action=users.").await;
    audit.assert_contains("users.bulk_register").assert_contains("2 teams, 3 accounts");
    // The scoreboard lists the new teams at once.
    let board: Value = reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap();
    assert_eq!(board["standings"].as_array().unwrap().len(), 2, "{board}");
}

/// The day's times changed in the console: refused when they break the contest's rules, else in force at
/// once (answers are judged against them), and in the audit log.
async fn the_day_s_times_change_from_the_console(app: TestApp) {
    load(&app, Source::valid()).await;
    app.user("chief", Role::Organizer).await;
    let (_alice, token, alpha) = finders(&app).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let console = chief.get("/contests/cup/console").await;
    let contest = mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let tz: chrono_tz::Tz = contest.timezone.parse().unwrap();
    let shown = contest.starts_at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    console.assert_contains(&format!("name=\"starts_at\" value=\"{shown}\""));
    // Each area's form shows the window in force: its own times, or the contest's where it has none.
    let local = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    let window = |body: &str, key: &str| {
        let form = body.split(&format!("id=\"window-{key}\"")).nth(1).expect("the area's own form");
        form.split("</form>").next().unwrap().to_owned()
    };
    let areas = mwscup::store::challenges::areas_of(&app.db, contest.id).await.unwrap();
    let dfir_opens = local(areas.iter().find(|a| a.key == "dfir").unwrap().opens_at.expect("dfir opens later"));
    let static_form = window(&console.body, "static");
    assert!(static_form.contains(&format!("name=\"opens_at\" value=\"{shown}\"")), "{static_form}");
    let ends = local(contest.ends_at);
    assert!(static_form.contains(&format!("name=\"closes_at\" value=\"{ends}\"")), "{static_form}");
    let dfir_form = window(&console.body, "dfir");
    assert!(dfir_form.contains(&format!("name=\"opens_at\" value=\"{dfir_opens}\"")), "{dfir_form}");
    assert!(dfir_form.contains(&format!("name=\"closes_at\" value=\"{ends}\"")), "{dfir_form}");
    // Sent back as shown, nothing changes (the area keeps following the contest's end).
    let same = [("opens_at", dfir_opens.as_str()), ("closes_at", ends.as_str())];
    assert_eq!(chief.post("/contests/cup/console/areas/dfir/window", &same).await.status, StatusCode::OK);
    assert_eq!(entity::audit_log::Entity::find().count(&app.db).await.unwrap(), 0, "an unchanged form changes nothing");

    let now = chrono::Utc::now();
    let at = |minutes: i64| (now + chrono::Duration::minutes(minutes)).to_rfc3339();
    let starts = shown.as_str();
    let settings = |ends: String, freeze: String, limit: &'static str| {
        vec![
            ("starts_at", starts.to_owned()),
            ("ends_at", ends),
            ("freeze_at", freeze),
            ("wrong_answers_per_minute", limit.to_owned()),
        ]
    };
    for (fields, expected) in [
        (settings(at(-60), String::new(), "10"), "must be after starts_at"),
        (settings(at(60), at(120), "10"), "must be inside the contest"),
        (settings(at(60), String::new(), "0"), "a whole number from 1 to 10000"),
        (settings("tomorrow".into(), String::new(), "10"), "is not a time"),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        chief.get("/contests/cup/console").await;
        let page = chief.post("/contests/cup/console/settings", &fields).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{expected}");
        page.assert_contains(expected);
    }
    assert_eq!(entity::audit_log::Entity::find().count(&app.db).await.unwrap(), 0, "nothing refused is kept");

    // The contest is ended a minute ago: answers are refused at once, without a restart or a reload.
    let ended = settings(at(-1), String::new(), "10");
    let fields: Vec<(&str, &str)> = ended.iter().map(|(k, v)| (*k, v.as_str())).collect();
    chief.get("/contests/cup/console").await;
    assert_eq!(chief.post("/contests/cup/console/settings", &fields).await.status, StatusCode::OK);
    let refused = attempt(&app, &token, alpha, "mimikatz").await;
    assert_eq!((&refused["success"], &refused["data"]["status"]), (&false.into(), &"ended".into()), "{refused}");
    // Extended by an hour, frozen from now: the answer counts, the public board is frozen.
    let extended = settings(at(60), at(0), "10");
    let fields: Vec<(&str, &str)> = extended.iter().map(|(k, v)| (*k, v.as_str())).collect();
    chief.get("/contests/cup/console").await;
    assert_eq!(chief.post("/contests/cup/console/settings", &fields).await.status, StatusCode::OK);
    assert_eq!(attempt(&app, &token, alpha, "mimikatz").await["data"]["status"], "correct");
    assert_eq!(standings(&app).await["score"], 0, "frozen: the public board does not move");

    // An area closed a minute ago (local time in the contest's zone): its challenges refuse answers.
    let closed = (now - chrono::Duration::minutes(1)).with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    chief.get("/contests/cup/console").await;
    let page =
        chief.post("/contests/cup/console/areas/static/window", &[("opens_at", ""), ("closes_at", &closed)]).await;
    assert_eq!(page.status, StatusCode::OK);
    let beta = app.challenge_ids(&token, "/api/v1/challenges").await["beta"];
    let refused = attempt(&app, &token, beta, "C:\\Temp\\qpkz.exe").await;
    assert_eq!((&refused["success"], &refused["data"]["status"]), (&false.into(), &"closed".into()), "{refused}");

    let audit = chief.get("/admin/audit?contest=cup").await;
    audit.assert_contains("contest.settings").assert_contains("area.window").assert_contains("area static");
    // The audit log shows what changed, in plain words.
    audit.assert_contains("closes_at: — → ").assert_contains("ends_at: ");
    assert!(!audit.body.contains("&#34;closes_at&#34;"), "no raw JSON");
    assert_eq!(entity::audit_log::Entity::find().count(&app.db).await.unwrap(), 3);
}

/// Accounts: found by name; a role set (never an organizer's own away); a password reset shown once, which
/// signs the account out everywhere.
async fn organizers_set_roles_and_reset_passwords(app: TestApp) {
    let chief_user = app.user("chief", Role::Organizer).await;
    let bob_user = app.user("bob", Role::Participant).await;
    let mut bob = app.browser();
    bob.login("bob", PASSWORD).await.assert_contains("Signed in as");
    let bob_token = app.token_for(&bob_user).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let found = chief.get("/admin/users?q=BO").await;
    found.assert_contains(&format!("id=\"user-{}\"", bob_user.id));
    assert!(!found.body.contains(&format!("id=\"user-{}\"", chief_user.id)), "the search narrows");

    let role = format!("/admin/users/{}/role", bob_user.id);
    assert_eq!(chief.post(&role, &[("role", "judge")]).await.status, StatusCode::OK);
    let bob_now = mwscup::store::users::by_id(&app.db, bob_user.id).await.unwrap().unwrap();
    assert_eq!(bob_now.role, "judge");
    assert_eq!(chief.post(&role, &[("role", "wizard")]).await.status, StatusCode::BAD_REQUEST);
    chief.get("/admin/users").await;
    let own = chief.post(&format!("/admin/users/{}/role", chief_user.id), &[("role", "participant")]).await;
    assert_eq!(own.status, StatusCode::CONFLICT);
    own.assert_contains("cannot take away your own organizer role");

    chief.get("/admin/users").await;
    let reset = chief.post(&format!("/admin/users/{}/password", bob_user.id), &[]).await;
    assert_eq!(reset.status, StatusCode::OK);
    let password = regex::Regex::new(r#"<code id="generated-password">([^<]+)</code>"#)
        .unwrap()
        .captures(&reset.body)
        .expect("the new password is shown")[1]
        .to_owned();
    assert!(bob.get("/account").await.url.contains("/login"), "bob's session ended");
    let me = app.api().get(app.url("/api/v1/users/me")).header("Authorization", format!("Token {bob_token}"));
    assert_eq!(me.send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "and so did bob's token");
    let mut again = app.browser();
    assert!(!again.login("bob", PASSWORD).await.body.contains("Signed in as"), "the old password is gone");
    app.browser().login("bob", &password).await.assert_contains("Signed in as");
    assert_eq!(app.audit_actions().await, ["user.role", "user.password_reset"]);
    chief.get("/admin/audit").await.assert_contains("role: participant → judge");
    assert!(!chief.get("/admin/audit").await.body.contains(&password), "a password never reaches the log");
}

/// A member moved to another team: the old team goes on as if they had left (or goes, if empty and without a
/// record), the new one takes them within the team size, and the move is audited.
async fn organizers_move_members(app: TestApp) {
    load(&app, Source::valid()).await;
    app.user("chief", Role::Organizer).await;
    let mut browsers = Vec::new();
    for name in ["alice", "bob", "carol", "dave", "erin", "frank"] {
        let mut b = app.browser();
        b.register(name).await;
        browsers.push(b);
    }
    let code = browsers[0].create_team("cup", "Alpha").await;
    assert_eq!(browsers[1].join("cup", &code).await.status, StatusCode::OK);
    browsers[2].create_team("cup", "Cats").await;
    let code = browsers[3].create_team("cup", "Dogs").await;
    assert_eq!(browsers[4].join("cup", &code).await.status, StatusCode::OK);
    let team_of = |name: &'static str| {
        let db = app.db.clone();
        async move {
            let user = mwscup::store::users::by_username(&db, &mwscup::domain::names::Username::parse(name).unwrap())
                .await
                .unwrap()
                .unwrap();
            let contest = mwscup::store::contests::by_slug(&db, "cup").await.unwrap().unwrap();
            mwscup::store::teams::of_user(&db, contest.id, user.id)
                .await
                .unwrap()
                .map(|t| (t.name, t.captain_id == Some(user.id)))
        }
    };
    let teams = mwscup::store::teams::all_of_contest(&app.db, 1).await.unwrap();
    let cats = teams.iter().find(|t| t.name == "Cats").unwrap().id.to_string();
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let mut mv = async |who: &str, team: &str| {
        chief.get("/contests/cup/console").await;
        chief.post("/contests/cup/console/members/move", &[("username", who), ("team_id", team)]).await
    };
    assert_eq!(mv("bob", &cats).await.status, StatusCode::OK);
    assert_eq!(team_of("bob").await, Some(("Cats".to_owned(), false)));
    assert_eq!(team_of("alice").await, Some(("Alpha".to_owned(), true)), "Alpha goes on with its captain");
    // The captain and last member of a team without a record: the team goes with the move.
    assert_eq!(mv("alice", &cats).await.status, StatusCode::OK);
    let names: Vec<String> =
        mwscup::store::teams::all_of_contest(&app.db, 1).await.unwrap().into_iter().map(|t| t.name).collect();
    assert!(!names.contains(&"Alpha".to_owned()), "{names:?}");
    assert_eq!(mv("dave", &cats).await.status, StatusCode::OK);
    assert_eq!(team_of("erin").await, Some(("Dogs".to_owned(), true)), "the captaincy passed on");
    let full = mv("erin", &cats).await;
    assert_eq!(full.status, StatusCode::BAD_REQUEST);
    assert_eq!(team_of("erin").await, Some(("Dogs".to_owned(), true)), "a refused move changes nothing");
    let nobody = mv("nobody", &cats).await;
    assert_eq!(nobody.status, StatusCode::BAD_REQUEST);
    assert_eq!(mv("frank", &cats).await.status, StatusCode::BAD_REQUEST, "frank is in no team");
    assert_eq!(app.audit_actions().await, ["team.move_member", "team.move_member", "team.move_member"]);
    let board: Value = reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json().await.unwrap();
    assert_eq!(board["standings"].as_array().unwrap().len(), 2, "Alpha left the scoreboard: {board}");
}

/// `challenges sync` from the browser, for a folder of the server's challenges folder: a report of what
/// changed, "nothing changed" the second time, every problem and nothing written for a broken folder, and no
/// path taken from the request.
async fn organizers_sync_challenges_from_the_browser(app: TestApp) {
    let source = Source::valid();
    let root = app.fixture.data_dir().join("challenges");
    std::fs::create_dir_all(&root).unwrap();
    let copied = std::process::Command::new("cp").arg("-r").arg(source.dir()).arg(&root).status().unwrap();
    assert!(copied.success());
    std::fs::copy(source.dir().parent().unwrap().join("datasets.toml"), root.join("datasets.toml")).unwrap();
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/admin/sync").await.assert_contains("<option value=\"cup\"");
    let first = chief.post("/admin/sync", &[("folder", "cup")]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    first.assert_contains("contest cup: created");
    assert_eq!(first.posted, Some(StatusCode::SEE_OTHER));
    assert!(first.url.contains("/admin/sync?report="), "the report is shown after a redirect: {}", first.url);
    assert!(mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().is_some());
    // A reload shows the same report and syncs nothing again.
    let path = first.url.trim_start_matches(&app.url("")).to_owned();
    chief.get(&path).await.assert_contains("contest cup: created");
    assert_eq!(app.audit_actions().await, ["challenges.sync"]);
    let nothing = chief.post("/admin/sync", &[("folder", "cup")]).await;
    nothing.assert_contains("Nothing changed.").assert_contains("<h2>cup</h2>");
    chief.get("/admin/sync").await.assert_lacks("Nothing changed.");
    assert_eq!(chief.get("/admin/sync?report=999999").await.status, StatusCode::NOT_FOUND);

    let toml = root.join("cup/contest.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let ends = regex::Regex::new(r#"(?m)^ends_at = .*$"#).unwrap();
    std::fs::write(&toml, ends.replace(&text, "ends_at = \"2000-01-01T00:00:00Z\"").as_ref()).unwrap();
    let broken = chief.post("/admin/sync", &[("folder", "cup")]).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    broken.assert_contains("ends_at: must be after starts_at").assert_contains("Nothing was loaded.");
    let contest = mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    assert!(contest.ends_at > contest.starts_at, "nothing written");

    assert_eq!(chief.post("/admin/sync", &[("folder", "../cup")]).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.audit_actions().await, ["challenges.sync"], "a sync that changed something leaves a trace");
}

/// A zip of the files under `root` whose names pass `keep`, named relative to `root`.
fn zip_of(root: &std::path::Path, keep: impl Fn(&str) -> bool) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let name = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&name) {
                w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
                w.write_all(&std::fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    w.finish().unwrap().into_inner()
}

async fn upload_zip(app: &TestApp, b: &mut crate::helpers::Browser, bytes: Vec<u8>) -> (StatusCode, String) {
    let csrf = crate::helpers::csrf_of(&b.get("/admin/sync").await.body).unwrap();
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .part("zip", reqwest::multipart::Part::bytes(bytes).file_name("cup.zip"));
    let res = b.client.post(app.url("/admin/sync/upload")).multipart(form).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

async fn organizers_sync_an_uploaded_zip(app: TestApp) {
    let source = Source::valid();
    let root = source.dir().parent().unwrap().to_path_buf();
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;

    let (status, body) = upload_zip(&app, &mut chief, zip_of(&root, |_| true)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("contest cup: created") && body.contains("cup.zip"), "{body}");
    assert!(mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().is_some());
    let (_, again) = upload_zip(&app, &mut chief, zip_of(&root, |_| true)).await;
    assert!(again.contains("Nothing changed."), "{again}");

    // A folder that fails the check: its problems, named inside the archive, and nothing loaded.
    let toml = root.join("cup/contest.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("title_en = \"Test cup\"", "title_en = \"Renamed\"\nbogus = 1")).unwrap();
    let (status, body) = upload_zip(&app, &mut chief, zip_of(&root, |_| true)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body.contains("cup/contest.toml") && body.contains("bogus") && body.contains("Nothing was loaded."),
        "{body}"
    );
    assert!(body.contains("<li><code>cup/contest.toml: bogus: unknown field"), "paths inside the archive: {body}");
    let contest = mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    assert_eq!(contest.title_en, "Test cup", "nothing written");

    // Not a contest folder, or not a zip at all: a clear refusal.
    let (status, body) = upload_zip(&app, &mut chief, zip_of(&root.join("cup"), |_| true)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("zip the contest folder itself"), "{body}");
    let (status, body) = upload_zip(&app, &mut chief, b"not a zip".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("not a zip archive"), "{body}");
    assert_eq!(app.audit_actions().await, ["challenges.sync"], "only the sync that changed something is traced");
}

fn score_of(board: &Value, team: &str) -> Option<Value> {
    board["standings"].as_array().unwrap().iter().find(|r| r["team"] == team).map(|r| r["score"].clone())
}

async fn organizers_disqualify_withdraw_and_reprice(app: TestApp) {
    load(&app, Source::valid()).await;
    let (_alice, token, alpha) = finders(&app).await;
    assert_eq!(attempt(&app, &token, alpha, "mimikatz").await["data"]["status"], "correct");
    let board = || async {
        reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap().json::<Value>().await.unwrap()
    };
    assert_eq!(score_of(&board().await, "Finders"), Some(100.into()));

    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    chief.get("/contests/cup/console/challenges").await.assert_contains("/console/challenges/alpha/points");
    // Submissions by time, typed in the contest's zone or RFC 3339.
    let listed = chief.get("/contests/cup/console/submissions?until=2099-01-01T00:00:00Z").await;
    listed.assert_contains("<td>Correct</td>");
    chief.get("/contests/cup/console/submissions?since=2099-01-01+00:00").await.assert_lacks("<td>Correct</td>");
    let bad = chief.get("/contests/cup/console/submissions?since=yesterday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Points: a reason is required; then every solve is worth the new value.
    let page = chief.post("/contests/cup/console/challenges/alpha/points", &[("points", "150")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let page = chief.post("/contests/cup/console/challenges/alpha/points", &[("points", "-3"), ("reason", "x")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let page = chief
        .post("/contests/cup/console/challenges/alpha/points", &[("points", "150"), ("reason", "harder than planned")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(score_of(&board().await, "Finders"), Some(150.into()));

    // Withdrawn: off the board, its solve counts for nothing; brought back, it counts again.
    chief
        .post("/contests/cup/console/challenges/alpha/visibility", &[("hidden", "true"), ("reason", "broken file")])
        .await;
    assert_eq!(score_of(&board().await, "Finders"), Some(0.into()));
    let listed = app.challenge_ids(&token, "/api/v1/challenges").await;
    assert!(!listed.contains_key("alpha"), "{listed:?}");
    chief.get("/contests/cup/console/challenges").await.assert_contains("withdrawn-alpha");
    chief
        .post("/contests/cup/console/challenges/alpha/visibility", &[("hidden", "false"), ("reason", "file fixed")])
        .await;
    assert_eq!(score_of(&board().await, "Finders"), Some(150.into()));

    // Disqualified: off the standings, answers refused with the reason why; reinstated, back.
    let team = mwscup::store::teams::all_of_contest(&app.db, 1).await.unwrap().remove(0);
    let path = format!("/contests/cup/console/teams/{}/disqualification", team.id);
    assert_eq!(chief.post(&path, &[("disqualified", "true")]).await.status, StatusCode::BAD_REQUEST, "a reason");
    chief.post(&path, &[("disqualified", "true"), ("reason", "shared answers")]).await;
    assert_eq!(score_of(&board().await, "Finders"), None);
    chief.get("/contests/cup/console").await.assert_contains("Disqualified");
    let refused = app
        .api()
        .post(app.url("/api/v1/challenges/attempt"))
        .header("Authorization", format!("Token {token}"))
        .json(&serde_json::json!({"challenge_id": alpha, "submission": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("失格"), "the reason, in Japanese by default");
    chief.post(&path, &[("disqualified", "false")]).await;
    assert_eq!(score_of(&board().await, "Finders"), Some(150.into()));

    let actions = app.audit_actions().await;
    for action in ["challenge.points", "challenge.withdraw", "challenge.restore", "team.disqualify", "team.reinstate"] {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }
}
