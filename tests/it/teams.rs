//! Teams from the members' side: create, join by invite code, the size limit (also under concurrent
//! joins), leave, renew the code.

use entity::team_members;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::both;
use crate::helpers::TestApp;

both!(
    create_and_join_by_code,
    names_and_memberships_are_unique,
    a_full_team_refuses,
    concurrent_joins_respect_the_limit
);
both!(leaving_and_renewing, teams_freeze_when_the_contest_ends, organizers_alone_make_teams_when_the_contest_says_so);

async fn create_and_join_by_code(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    let code = alice.create_team("cup", "Team Rocket").await;
    assert_eq!(code.len(), 12);

    let mut bob = app.browser();
    bob.register("bob").await;
    let wrong = bob.join("cup", "not-a-code").await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    wrong.assert_contains("No team has that invite code.");

    let team = bob.join("cup", &format!("  {}  ", code.to_uppercase())).await;
    assert_eq!(team.status, StatusCode::OK);
    team.assert_contains("Team: Team Rocket")
        .assert_contains("bob")
        .assert_contains("alice")
        .assert_contains("(2 / 6)");
    assert!(team.body.contains(r#"alice <span class="badge">Captain</span>"#), "{}", team.body);
    team.assert_contains(&code);

    bob.get("/contests/cup").await.assert_contains("<strong>Team Rocket</strong>");

    // Japanese pages too.
    let mut ja = app.browser_in("ja");
    ja.login("bob", crate::helpers::PASSWORD).await;
    ja.get("/contests/cup/team").await.assert_contains("チーム: Team Rocket").assert_contains("キャプテン");
}

async fn names_and_memberships_are_unique(app: TestApp) {
    app.contest("cup", 6, 4).await;
    app.contest("other", 6, 4).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.create_team("cup", "Rocket").await;

    let mut bob = app.browser();
    bob.register("bob").await;
    bob.get("/contests/cup").await;
    let taken = bob.post("/contests/cup/teams", &[("name", "ＲＯＣＫＥＴ")]).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    taken.assert_contains("A team of that name exists in this contest.");
    // The same name in another contest is fine.
    bob.create_team("other", "Rocket").await;

    alice.get("/contests/cup").await;
    let second = alice.post("/contests/cup/teams", &[("name", "Another")]).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    second.assert_contains("Already in a team in this contest.");
    let mut carol = app.browser();
    carol.register("carol").await;
    let code = carol.create_team("cup", "Carol's").await;
    let join = alice.join("cup", &code).await;
    // Alice is in a team already: the contest page shows her team, and the join is refused.
    assert_eq!(join.status, StatusCode::CONFLICT);
    join.assert_contains("Already in a team in this contest.");
}

async fn a_full_team_refuses(app: TestApp) {
    app.contest("cup", 2, 4).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    let code = alice.create_team("cup", "Pair").await;
    let mut bob = app.browser();
    bob.register("bob").await;
    assert_eq!(bob.join("cup", &code).await.status, StatusCode::OK);
    let mut carol = app.browser();
    carol.register("carol").await;
    let full = carol.join("cup", &code).await;
    assert_eq!(full.status, StatusCode::CONFLICT);
    full.assert_contains("The team is full (2 members at most).");
}

async fn concurrent_joins_respect_the_limit(app: TestApp) {
    let contest = app.contest("cup", 4, 4).await;
    let mut captain = app.browser();
    captain.register("captain").await;
    let code = captain.create_team("cup", "Crowded").await;

    let mut joiners = Vec::new();
    for i in 0..10 {
        let mut b = app.browser();
        b.register(&format!("joiner{i}")).await;
        b.get("/contests/cup").await;
        joiners.push(b);
    }
    let fields = [("code", code.as_str())];
    let attempts = joiners.iter_mut().map(|b| b.post("/contests/cup/join", &fields));
    let pages = futures_util::future::join_all(attempts).await;
    let joined = pages.iter().filter(|p| p.status == StatusCode::OK).count();
    let refused = pages.iter().filter(|p| p.status == StatusCode::CONFLICT).count();
    assert_eq!((joined, refused), (3, 7), "{:?}", pages.iter().map(|p| p.status).collect::<Vec<_>>());
    for page in pages.iter().filter(|p| p.status == StatusCode::CONFLICT) {
        page.assert_contains("The team is full (4 members at most).");
    }
    let members = team_members::Entity::find()
        .filter(team_members::Column::ContestId.eq(contest.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(members, 4);
    captain.get("/contests/cup/team").await.assert_contains("(4 / 4)");
}

async fn leaving_and_renewing(app: TestApp) {
    app.contest("cup", 6, 4).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    let old = alice.create_team("cup", "Movers").await;
    let mut bob = app.browser();
    bob.register("bob").await;
    bob.join("cup", &old).await;

    // Only the captain renews the code; the old code stops working.
    let page = bob.get("/contests/cup/team").await;
    page.assert_lacks("Renew invite code");
    let refused = bob.post("/contests/cup/team/invite", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("Only the captain can do that.");
    alice.get("/contests/cup/team").await;
    let renewed = alice.post("/contests/cup/team/invite", &[]).await;
    let new = renewed.by_id("invite-code").unwrap();
    assert_ne!(new, old);
    let mut carol = app.browser();
    carol.register("carol").await;
    assert_eq!(carol.join("cup", &old).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(carol.join("cup", &new).await.status, StatusCode::OK);

    // The captain leaves: the earliest remaining member becomes captain.
    alice.get("/contests/cup/team").await;
    let refused = alice.post("/contests/cup/team/leave", &[]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "leaving takes the confirmation box");
    refused.assert_contains("tick the confirmation box first");
    alice.get("/contests/cup/team").await.assert_contains("bob");
    let left = alice.post("/contests/cup/team/leave", &[("confirm", "yes")]).await;
    left.assert_contains("Create a team");
    let team = bob.get("/contests/cup/team").await;
    assert!(team.body.contains(r#"bob <span class="badge">Captain</span>"#), "{}", team.body);
    team.assert_lacks("alice");

    // The last one out removes the team, and its name is free again.
    bob.post("/contests/cup/team/leave", &[("confirm", "yes")]).await;
    carol.get("/contests/cup/team").await;
    carol.post("/contests/cup/team/leave", &[("confirm", "yes")]).await;
    alice.create_team("cup", "Movers").await;
}

async fn teams_freeze_when_the_contest_ends(app: TestApp) {
    app.contest("past", 6, -1).await;
    let mut alice = app.browser();
    alice.register("alice").await;
    alice.get("/contests/past").await.assert_contains("Ended");
    let page = alice.post("/contests/past/teams", &[("name", "Late")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    page.assert_contains("The contest has ended");
}

/// `team_creation = "organizers"`: teams are registered in advance; a participant creates none (403 with the
/// reason, and the form is not offered) but joins the team an organizer made, with its invite code.
async fn organizers_alone_make_teams_when_the_contest_says_so(app: TestApp) {
    let source = crate::authoring::Source::valid();
    source.edit("cup/contest.toml", "max_team_size = 4\n", "max_team_size = 4\nteam_creation = \"organizers\"\n");
    crate::files::load(&app, source).await;
    let mut dora = app.browser();
    dora.register("dora").await;
    let overview = dora.get("/contests/cup").await;
    overview.assert_contains("the organizers create the teams");
    assert!(!overview.body.contains("action=\"/contests/cup/teams\""), "no form to create a team");
    let refused = dora.post("/contests/cup/teams", &[("name", "Rogue"), ("affiliation", "")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let token = app.organizer_token().await;
    let res = app
        .api()
        .post(app.url("/contests/cup/api/v1/teams"))
        .header("Authorization", format!("Token {token}"))
        .json(&serde_json::json!({"name": "Registered"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let team: serde_json::Value = res.json().await.unwrap();
    let code = team["data"]["invite_code"].as_str().expect("organizers see the invite code").to_owned();
    let joined = dora.join("cup", &code).await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    joined.assert_contains("Registered");
}
