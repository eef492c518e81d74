//! The periodic reload, as it runs in the server (not `TestApp::reload`): what another process wrote to the
//! database, without telling anyone, reaches the live views within the reload interval.

use std::time::{Duration, Instant};

use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;

use crate::authoring::Source;
use crate::both_with;
use crate::files::load;
use crate::helpers::TestApp;

both_with!(quick_reload; a_change_behind_the_servers_back_reaches_the_board);

/// A reload every 200 ms instead of every 5 s, so that the test sees several.
fn quick_reload(settings: &mut mwscup::config::Settings) {
    settings.reload_every = Duration::from_millis(200);
}

async fn board_score(app: &TestApp, team: &str) -> Value {
    let res = reqwest::get(app.url("/contests/cup/scoreboard.json")).await.unwrap();
    let (_, board) = crate::helpers::json_of(res).await;
    let row = board["standings"].as_array().unwrap().iter().find(|r| r["team"] == team).cloned();
    row.map(|r| r["score"].clone()).unwrap_or_else(|| panic!("{team} is not on the board: {board}"))
}

/// An adjustment written straight into the database (as another instance or a script would, with no
/// notification): the board shows it by the periodic reload alone.
async fn a_change_behind_the_servers_back_reaches_the_board(app: TestApp) {
    load(&app, Source::valid()).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Finders").await;
    assert_eq!(board_score(&app, "Finders").await, 0);
    let contest = mwscup::store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
    let team = mwscup::store::teams::all_of_contest(&app.db, contest.id).await.unwrap().remove(0);
    entity::adjustments::ActiveModel {
        contest_id: Set(contest.id),
        team_id: Set(team.id),
        area_id: Set(None),
        centipoints: Set(4200),
        reason: Set("written behind the server's back".into()),
        author_id: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let written = Instant::now();
    loop {
        let score = board_score(&app, "Finders").await;
        if score == 42 {
            break;
        }
        // Generous: the interval is 200 ms, but a loaded machine may run a reload late.
        assert!(written.elapsed() < Duration::from_secs(15), "the board still shows {score} after 15 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
