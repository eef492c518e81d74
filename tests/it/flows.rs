//! Flows in a real browser: a reload after a wrong answer, a hint unlock or a prediction upload sends nothing
//! twice (Post/Redirect/Get), and agreeing to a dataset's terms leads back to the challenge and its files.

use std::time::Duration;

use entity::{hint_unlocks, predictions, submissions};
use fantoccini::Locator;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::browser::{body, chromium, fill, register, start_driver, submit, wait_for};
use crate::classification::{predictions as csv_of, source_with_classification};
use crate::files::load;
use crate::helpers::{Backend, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_sends_nothing_twice() {
    let Some(driver) = start_driver() else { return };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    load(&app, source_with_classification("")).await;
    let base = app.address.clone();
    let profiles = tempfile::tempdir().unwrap();
    let c = chromium(&driver, &profiles.path().join("alice")).await;
    register(&c, &base, "alice").await;
    c.goto(&format!("{base}/contests/cup")).await.unwrap();
    fill(&c, "name", "Reloaders").await;
    submit(&c, "name").await;
    assert!(wait_for(&c, "Team: Reloaders", Duration::from_secs(5)).await);

    // A wrong answer: the verdict shows after the redirect, focused, and again after each reload.
    c.goto(&format!("{base}/contests/cup/challenges/alpha")).await.unwrap();
    fill(&c, "answer", "not mimikatz").await;
    submit(&c, "answer").await;
    assert!(wait_for(&c, "Incorrect", Duration::from_secs(5)).await, "{}", body(&c).await);
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/contests/cup/challenges/alpha", "the answer's page is a GET after a redirect");
    let focused = c.active_element().await.unwrap().attr("id").await.unwrap();
    assert_eq!(focused.as_deref(), Some("result"), "focus moves to the verdict");
    let typed = c.find(Locator::Css("[name=answer]")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("not mimikatz"), "what was typed is back in the form");
    for _ in 0..2 {
        c.refresh().await.unwrap();
        assert!(wait_for(&c, "Read the log", Duration::from_secs(5)).await);
    }
    assert_eq!(submissions::Entity::find().count(&app.db).await.unwrap(), 1, "one answer, whatever the reloads");
    assert!(!body(&c).await.contains("id=\"result\""), "a reload shows the page as it is, the verdict once");

    // A hint: confirmed, unlocked, and reloaded.
    c.find(Locator::Css("a[href*='/hints/']")).await.unwrap().click().await.unwrap();
    assert!(wait_for(&c, "deducts", Duration::from_secs(5)).await, "{}", body(&c).await);
    c.find(Locator::Css("form[action$='/unlock'] button")).await.unwrap().click().await.unwrap();
    assert!(wait_for(&c, "A hint", Duration::from_secs(5)).await);
    c.refresh().await.unwrap();
    assert!(wait_for(&c, "A hint", Duration::from_secs(5)).await);
    assert_eq!(hint_unlocks::Entity::find().count(&app.db).await.unwrap(), 1);

    // A prediction upload: scored, then reloaded without spending another of the day's uploads.
    let file = profiles.path().join("predictions.csv");
    std::fs::write(&file, csv_of(&["a", "b"])).unwrap();
    c.goto(&format!("{base}/contests/cup/challenges/omega")).await.unwrap();
    c.find(Locator::Css("input[type=file]")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    submit(&c, "file").await;
    assert!(wait_for(&c, "Scored", Duration::from_secs(5)).await, "{}", body(&c).await);
    c.refresh().await.unwrap();
    assert!(wait_for(&c, "Question omega", Duration::from_secs(5)).await);
    assert_eq!(predictions::Entity::find().count(&app.db).await.unwrap(), 1, "one upload, whatever the reloads");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_terms_flow_returns_to_the_challenge() {
    let Some(driver) = start_driver() else { return };
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    load(&app, crate::authoring::Source::valid()).await;
    let base = app.address.clone();
    let profiles = tempfile::tempdir().unwrap();
    let c = chromium(&driver, &profiles.path().join("alice")).await;
    register(&c, &base, "alice").await;
    c.goto(&format!("{base}/contests/cup")).await.unwrap();
    fill(&c, "name", "Readers").await;
    submit(&c, "name").await;
    assert!(wait_for(&c, "Team: Readers", Duration::from_secs(5)).await);

    // Before agreeing, the file is named but not offered as a link; the terms are.
    c.goto(&format!("{base}/contests/cup/challenges/alpha")).await.unwrap();
    assert!(wait_for(&c, "sysmon.txt", Duration::from_secs(5)).await);
    assert!(c.find(Locator::Css("a[href^='/files/']")).await.is_err(), "no download link before the terms");
    c.find(Locator::Css("#terms a")).await.unwrap().click().await.unwrap();
    assert!(wait_for(&c, "For research only.", Duration::from_secs(5)).await);
    c.find(Locator::Css("form[action$='/agree'] button")).await.unwrap().click().await.unwrap();

    // Back on the challenge, told so, with the file to download.
    assert!(wait_for(&c, "its files are open to you", Duration::from_secs(5)).await, "{}", body(&c).await);
    assert_eq!(c.current_url().await.unwrap().path(), "/contests/cup/challenges/alpha");
    let link = c.find(Locator::Css("a[href^='/files/']")).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(link.ends_with("/sysmon.txt"), "{link}");
    c.close().await.unwrap();
}
