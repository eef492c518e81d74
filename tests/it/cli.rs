//! The binary itself: configuration errors, `admin create` and `admin token`, `serve --demo` and a
//! graceful stop on SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Backend, Fixture, start};

pub fn mwscup(fixture: &Fixture) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mwscup"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MWSCUP_DATA_DIR", fixture.data_dir())
        .env("MWSCUP_DATABASE_URL", &fixture.url)
        .current_dir(fixture.dir.path());
    cmd
}

#[tokio::test]
async fn nonsense_settings_stop_the_start_and_name_the_setting() {
    let fixture = Fixture::new(Backend::Sqlite).await.unwrap();
    for (var, value) in [
        ("MWSCUP_BIND", "localhost"),
        ("MWSCUP_COOKIE_SECURE", "maybe"),
        ("MWSCUP_SECRET_KEY", "short"),
        ("MWSCUP_DATABASE_URL", "mysql://x/y"),
    ] {
        let out = mwscup(&fixture).env(var, value).arg("migrate").output().unwrap();
        assert!(!out.status.success(), "{var}={value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{var}: {stderr}");
    }
    std::fs::write(fixture.dir.path().join("mwscup.toml"), "bnid = '1'\n").unwrap();
    let out = mwscup(&fixture).arg("migrate").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bnid"));
}

async fn admin_commands(backend: Backend) {
    let Some(fixture) = Fixture::new(backend).await else { return };
    let out = mwscup(&fixture).args(["admin", "create", "--username", "chief"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password =
        stdout.lines().find_map(|l| l.strip_prefix("password: ")).expect("the password is printed").to_owned();
    assert!(password.len() >= 20);

    let mut child = mwscup(&fixture)
        .args(["admin", "create", "--username", "judge", "--role", "judge", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"judges-own-password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("password:"), "a given password is not echoed");

    let again = mwscup(&fixture).args(["admin", "create", "--username", "CHIEF"]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("taken"));

    let out = mwscup(&fixture).args(["admin", "token", "--username", "chief"]).output().unwrap();
    assert!(out.status.success());
    let token = String::from_utf8_lossy(&out.stdout).lines().last().unwrap().to_owned();
    assert!(token.starts_with("mwscup_"));
    let missing = mwscup(&fixture).args(["admin", "token", "--username", "ghost"]).output().unwrap();
    assert!(!missing.status.success());

    let app = start(fixture).await;
    let res = app
        .api()
        .get(app.url("/api/v1/users/me"))
        .header("Authorization", format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["role"], "organizer");
    let mut b = app.browser();
    b.login("chief", &password).await.assert_contains("Signed in as");
    let mut j = app.browser();
    j.login("judge", "judges-own-password").await.assert_contains("Signed in as");
}

#[tokio::test]
async fn admin_commands_sqlite() {
    admin_commands(Backend::Sqlite).await;
}

#[tokio::test]
async fn admin_commands_postgres() {
    admin_commands(Backend::Postgres).await;
}

#[tokio::test]
async fn serve_demo_then_stop_gracefully() {
    let fixture = Fixture::new(Backend::Sqlite).await.unwrap();
    let mut child = mwscup(&fixture)
        .env_remove("MWSCUP_DATABASE_URL")
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut password = None;
    let address = loop {
        let line = lines.next().expect("the server says where it listens").unwrap();
        if let Some(rest) = line.split("password `").nth(1) {
            password = rest.split('`').next().map(str::to_owned);
        }
        if let Some(rest) = line.strip_prefix("mwscup is serving on ") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let password = password.expect("the organizer's password is printed");
    assert!(fixture.dir.path().join("mwscup.db").exists(), "SQLite file in the data folder");
    assert!(fixture.dir.path().join("secret_key").exists());

    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let home = client.get(format!("{address}/")).header("Accept-Language", "en").send().await.unwrap();
    let body = home.text().await.unwrap();
    assert!(body.contains("/contests/mwscup-demo") && body.contains("Running"), "{body}");

    let login = client.get(format!("{address}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = crate::helpers::csrf_of(&login).unwrap();
    let page = client
        .post(format!("{address}/login"))
        .form(&[("username", "organizer"), ("password", password.as_str()), ("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("organizer"), "{page}");
    let console = client
        .get(format!("{address}/contests/mwscup-demo/console/challenges"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(console.matches("<article class=\"challenge\"").count(), 16, "the demo's challenges are loaded");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "a graceful stop exits 0: {status}");
}
