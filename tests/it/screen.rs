//! The venue screen: the top teams large and the rest below, first solves, announcements in the reader's
//! language, the countdown, the public (frozen) view for everyone, organizers too, and members-only boards.

use std::time::Duration;

use reqwest::StatusCode;

use crate::both;
use crate::files::load;
use crate::helpers::Browser;
use crate::helpers::{Events, PROMPTLY};
use crate::scoreboard::{cup, organizer, player, solve};

both!(the_screen_shows_the_top_the_rest_first_solves_and_news, the_screen_is_frozen_for_everyone);
both!(a_members_only_screen_refuses_outsiders);

/// The inside of one live part of the screen (`data-part="name"`).
fn part(body: &str, name: &str) -> String {
    let re = regex::Regex::new(&format!(r#"(?s)data-part="{name}"[^>]*>(.*?)</(?:ol|ul|div)>"#)).unwrap();
    re.captures(body).unwrap_or_else(|| panic!("no part {name} in:\n{body}"))[1].to_owned()
}

fn before(text: &str, first: &str, second: &str) -> bool {
    matches!((text.find(first), text.find(second)), (Some(a), Some(b)) if a < b)
}

async fn the_screen_shows_the_top_the_rest_first_solves_and_news(app: crate::helpers::TestApp) {
    load(&app, cup("")).await;
    let (_, finders) = player(&app, "finders").await;
    let (_, bobs) = player(&app, "bobs").await;
    let (_, carols) = player(&app, "carols").await;
    solve(&app, &finders, "alpha", "mimikatz").await;
    solve(&app, &bobs, "zeta", "net view, arp -a").await;
    solve(&app, &finders, "zeta", "net view, arp -a").await;
    solve(&app, &carols, "alpha", "Mimikatz").await;
    let mut chief = organizer(&app).await;
    chief.get("/contests/cup/console").await.assert_contains(r#"href="/contests/cup/screen""#);
    for (title, title_en, body_en) in [("休憩", "Lunch break", "Back at **13:00**."), ("再開", "Resumed", "")] {
        chief.get("/contests/cup/console").await;
        let fields = [("title", title), ("title_en", title_en), ("body", "本文"), ("body_en", body_en)];
        chief.post("/contests/cup/console/announcements", &fields).await;
    }

    // Finders 100 + 200 (zeta, two solvers), Bobs 200, Carols 100: two large, one below.
    let mut visitor = app.browser();
    let page = visitor.get("/contests/cup/screen?top=2").await;
    assert_eq!(page.status, StatusCode::OK);
    let top = part(&page.body, "top");
    assert!(before(&top, "Team finders", "Team bobs"), "{top}");
    assert!(top.contains("300") && !top.contains("Team carols"), "{top}");
    assert!(part(&page.body, "rest").contains("Team carols"));
    // Each challenge's first solve, newest first: zeta by Bobs, then alpha by Finders (not Carols).
    let bloods = part(&page.body, "bloods");
    assert!(before(&bloods, "Question zeta", "Question alpha"), "{bloods}");
    assert!(before(&bloods, "Team bobs", "Team finders") && !bloods.contains("Team carols"), "{bloods}");
    // Announcements newest first, in the reader's language only.
    let news = part(&page.body, "news");
    assert!(before(&news, "Resumed", "Lunch break") && news.contains("<strong>13:00</strong>"), "{news}");
    assert!(!news.contains("休憩"), "{news}");
    // The time left as the server saw it, and the stream it follows: the public one.
    assert!(regex::Regex::new(r#"Time left</span> <span class="digits">\d+:\d\d:\d\d<"#).unwrap().is_match(&page.body));
    page.assert_contains("/contests/cup/events?view=public").assert_contains("/contests/cup/screen/live?top=2");
    // The CSP allows no inline code: none is needed.
    page.assert_lacks("<script>").assert_lacks("style=");

    // The live part alone says the same.
    let live = visitor.get("/contests/cup/screen/live?top=2").await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(part(&live.body, "top"), top);
    // Ten large by default: nobody below.
    let all = visitor.get("/contests/cup/screen").await;
    assert!(part(&all.body, "top").contains("Team carols") && part(&all.body, "rest").is_empty());

    let mut japanese = app.browser_in("ja");
    let page = japanese.get("/contests/cup/screen?top=2").await;
    page.assert_contains("上位 2 チーム").assert_contains("残り時間").assert_contains("問題 zeta");
    let news = part(&page.body, "news");
    assert!(news.contains("休憩") && !news.contains("Lunch break"), "{news}");

    assert_eq!(visitor.get("/contests/cup/screen?top=many").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(visitor.get("/contests/nope/screen").await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get("/contests/nope/screen/live").await.status, StatusCode::NOT_FOUND);
    for (path, kind) in [("/assets/screen.js", "text/javascript"), ("/assets/screen.css", "text/css")] {
        let res = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with(kind));
    }
}

async fn the_screen_is_frozen_for_everyone(app: crate::helpers::TestApp) {
    // Frozen ten minutes after the start, i.e. twenty minutes ago.
    let source = cup("");
    source.edit("cup/contest.toml", "freeze_at = 2026-10-20T12:30:00+09:00", "freeze_at = 2026-10-20T09:10:00+09:00");
    load(&app, source).await;
    let (_, finders) = player(&app, "finders").await;
    let (_, bobs) = player(&app, "bobs").await;
    solve(&app, &finders, "alpha", "mimikatz").await;

    // Organizers see through the freeze on the scoreboard, but the screen is projected in the room.
    let mut chief = organizer(&app).await;
    chief.get("/contests/cup/scoreboard").await.assert_contains("Team finders").assert_lacks("frozen as of");
    let page = chief.get("/contests/cup/screen").await;
    page.assert_contains("The scoreboard is frozen as of");
    assert!(part(&page.body, "top").contains("Team finders"));
    assert!(!part(&page.body, "top").contains("100"), "{}", part(&page.body, "top"));
    let bloods = part(&page.body, "bloods");
    assert!(bloods.contains("No solves yet.") && !bloods.contains("Team finders"), "{bloods}");

    // The screen's stream is the public one: a solve after the freeze moves the organizers' stream only.
    let stream = |path: &str| chief.client.get(app.url(path)).send();
    let staff = Events::connected(stream("/contests/cup/events").await.unwrap()).await;
    let public = Events::connected(stream("/contests/cup/events?view=public").await.unwrap()).await;
    let staff = tokio::spawn(staff.wait_for("scoreboard", PROMPTLY));
    // Silence is heard for as long as the organizers' stream may take to speak, and more.
    let public = tokio::spawn(public.wait_for("scoreboard", Duration::from_secs(2)));
    solve(&app, &bobs, "zeta", "net view, arp -a").await;
    assert!(staff.await.unwrap().is_some(), "the organizers' scoreboard moves");
    assert!(public.await.unwrap().is_none(), "the screen learns nothing during the freeze");
    assert_eq!(stream("/contests/cup/events?view=everything").await.unwrap().status(), StatusCode::BAD_REQUEST);

    // The results revealed, the screen shows them.
    app.end_contests(chrono::Duration::minutes(1), false).await;
    chief.get("/contests/cup/console").await;
    chief.post("/contests/cup/console/reveal", &[("confirm", "yes")]).await;
    let page = chief.get("/contests/cup/screen").await;
    page.assert_lacks("frozen as of").assert_contains("The contest is over");
    let bloods = part(&page.body, "bloods");
    assert!(before(&bloods, "Team bobs", "Team finders"), "{bloods}");
}

async fn a_members_only_screen_refuses_outsiders(app: crate::helpers::TestApp) {
    load(&app, cup("scoreboard_public = false")).await;
    let (mut member, _) = player(&app, "finders").await;
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in ["/contests/cup/screen", "/contests/cup/screen/live"] {
        let res = anonymous.get(app.url(path)).header("Accept", "text/html").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}: to the login form");
    }
    let mut outsider: Browser = app.browser();
    outsider.register("outsider").await;
    assert_eq!(outsider.get("/contests/cup/screen").await.status, StatusCode::FORBIDDEN);
    assert_eq!(outsider.get("/contests/cup/screen/live").await.status, StatusCode::FORBIDDEN);
    member.get("/contests/cup/screen").await.assert_contains("Team finders");
}
