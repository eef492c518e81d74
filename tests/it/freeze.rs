//! The freeze, output by output. One solve, one hint, one adjustment, one wrong answer and one classification
//! upload land before the cut and the same after it; then every output that shows standings, counts, values,
//! solves, charts, feeds or the archive must show exactly the state before the cut to strangers and teams, and
//! the state after it to organizers; once the results are revealed, to everyone.
//!
//! The list of outputs is held to the router, as the authorization matrix is: every GET route is either read
//! here or named with the reason it shows nothing the freeze hides, so a new output fails this test until
//! someone says which.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::Utc;
use mwscup::domain::role::Role;
use regex::Regex;
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use crate::both;
use crate::classification::{predictions, source_with_classification, upload_api};
use crate::files::load;
use crate::helpers::{Browser, Events, PASSWORD, TestApp};
use crate::play::{attempt, unlock_first_hint};
use crate::scoreboard::{player, solve};

both!(every_output_holds_the_freeze);

const A: &str = "Team able";
const B: &str = "Team baker";

/// What an output may tell of the day; each output reads the parts it shows.
#[derive(Debug, Default, Clone, PartialEq)]
struct Facts {
    /// Total scores of teams A and B.
    scores: Option<BTreeMap<String, f64>>,
    /// The same in the static area (the hint's, the solve's and the upload's area; adjustments count in totals).
    static_scores: Option<BTreeMap<String, f64>>,
    /// The last point of each of A's and B's lines on the score chart.
    chart: Option<BTreeMap<String, f64>>,
    /// The dynamic challenge `zeta`: solves and points now.
    zeta: Option<(u64, i64)>,
    zeta_solvers: Option<BTreeSet<String>>,
    /// Team B's score, and its solves.
    b_score: Option<f64>,
    b_solves: Option<u64>,
    /// Team A's wrong answers, counted, and its awards (adjustments), summed.
    a_fails: Option<u64>,
    a_awards: Option<i64>,
    /// The teams on the classification challenge's board.
    cls_teams: Option<BTreeSet<String>>,
}

impl Facts {
    /// `self` as read, against `expected`: every part read must agree, and something must have been read.
    fn check(&self, expected: &Facts, what: &str) {
        assert!(*self != Facts::default(), "{what}: the output showed none of the facts it should");
        let mut wrong = Vec::new();
        macro_rules! part {
            ($($field:ident),*) => {$(
                if let Some(read) = &self.$field {
                    let want = expected.$field.as_ref().expect("the expected state has every part");
                    if read != want {
                        wrong.push(format!("{}: read {read:?}, expected {want:?}", stringify!($field)));
                    }
                }
            )*};
        }
        part!(scores, static_scores, chart, zeta, zeta_solvers, b_score, b_solves, a_fails, a_awards, cls_teams);
        assert!(wrong.is_empty(), "{what}:\n{}", wrong.join("\n"));
    }
}

fn pair(a: f64, b: f64) -> Option<BTreeMap<String, f64>> {
    Some(BTreeMap::from([(A.to_owned(), a), (B.to_owned(), b)]))
}

fn teams(names: &[&str]) -> Option<BTreeSet<String>> {
    Some(names.iter().map(|n| (*n).to_owned()).collect())
}

/// Before the cut: A solved zeta alone (300) and paid a hint (−10); B has an adjustment (+50) and a perfect
/// upload (200); A sent one wrong answer.
fn before() -> Facts {
    Facts {
        scores: pair(290.0, 250.0),
        static_scores: pair(290.0, 200.0),
        chart: pair(290.0, 250.0),
        zeta: Some((1, 300)),
        zeta_solvers: teams(&[A]),
        b_score: Some(250.0),
        b_solves: Some(0),
        a_fails: Some(1),
        a_awards: Some(0),
        cls_teams: teams(&[B]),
    }
}

/// After it: B solved zeta too (zeta falls to 200 for both) and paid a hint; A has an adjustment (+30), a
/// perfect upload (200) and a second wrong answer. A: 200 − 10 + 30 + 200; B: 200 − 10 + 50 + 200.
fn after() -> Facts {
    Facts {
        scores: pair(420.0, 440.0),
        static_scores: pair(390.0, 390.0),
        chart: pair(420.0, 440.0),
        zeta: Some((2, 200)),
        zeta_solvers: teams(&[A, B]),
        b_score: Some(440.0),
        b_solves: Some(1),
        a_fails: Some(2),
        a_awards: Some(30),
        cls_teams: teams(&[A, B]),
    }
}

/// Who reads an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// Nobody signed in.
    Anonymous,
    /// Signed in, in no team (the API refuses anonymous callers).
    Walker,
    /// A member of team C, which did nothing all day.
    Observer,
    Organizer,
}

/// An output the freeze applies to: its route as the router names it, the path it is read at, who reads it,
/// and how its facts are read from its body.
struct Output {
    route: String,
    path: String,
    readers: &'static [Who],
    read: fn(&str) -> Facts,
    /// The venue screen shows the public view to organizers too: it is what the room sees.
    public_for_all: bool,
}

/// The ids that fill the paths.
struct Ids {
    zeta: i64,
    omega_slug: &'static str,
    team_a: i32,
    team_b: i32,
    user_a: i32,
    user_b: i32,
}

const PUBLIC: &[Who] = &[Who::Anonymous, Who::Observer, Who::Organizer];
const SIGNED_IN: &[Who] = &[Who::Walker, Who::Observer, Who::Organizer];
const PLAYERS: &[Who] = &[Who::Observer, Who::Organizer];

fn parsed(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", &body[..body.len().min(300)]))
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// A and B's scores from rows of `(team, score)`; both must be there.
fn scores_of(rows: impl Iterator<Item = (String, f64)>) -> Option<BTreeMap<String, f64>> {
    let map: BTreeMap<String, f64> = rows.filter(|(t, _)| t == A || t == B).collect();
    assert_eq!(map.len(), 2, "both teams are listed: {map:?}");
    Some(map)
}

fn json_scores(rows: &Value, name: &str) -> Option<BTreeMap<String, f64>> {
    let rows = rows.as_array().unwrap_or_else(|| panic!("a list of rows: {rows}"));
    scores_of(rows.iter().map(|r| (r[name].as_str().unwrap().to_owned(), number(&r["score"]))))
}

fn html_scores(body: &str, row: &str) -> Option<BTreeMap<String, f64>> {
    let re = Regex::new(row).unwrap();
    scores_of(re.captures_iter(body).map(|c| (c[1].to_owned(), c[2].parse().unwrap())))
}

fn scoreboard_page(body: &str) -> Facts {
    // The chart's table for screen readers: each team's score after each change, the last one last.
    let point = Regex::new(r"<tr><td>([^<]+)</td><td>[^<]*</td><td>([-\d.]+)</td></tr>").unwrap();
    let mut last = BTreeMap::new();
    for c in point.captures_iter(body) {
        if &c[1] == A || &c[1] == B {
            last.insert(c[1].to_owned(), c[2].parse::<f64>().unwrap());
        }
    }
    Facts {
        scores: html_scores(
            body,
            r#"<td class="team"><a href="/teams/\d+">([^<]+)</a></td><td class="score">([-\d.]+)<"#,
        ),
        chart: Some(last),
        ..Facts::default()
    }
}

fn scoreboard_json(body: &str) -> Facts {
    let v = parsed(body);
    Facts {
        scores: json_scores(&v["standings"], "team"),
        static_scores: json_scores(&v["by_area"]["static"], "team"),
        ..Facts::default()
    }
}

fn ctftime(body: &str) -> Facts {
    Facts { scores: json_scores(&parsed(body)["standings"], "team"), ..Facts::default() }
}

fn screen(body: &str) -> Facts {
    let row = r#"<span class="name">([^<]+)</span><span class="solves">[^<]*</span><span class="score">([-\d.]+)<"#;
    Facts { scores: html_scores(body, row), ..Facts::default() }
}

/// A team's public page: its place, score and solves during the contest; after the end, the archive's page.
fn team_page(body: &str) -> Facts {
    let score = Regex::new(r"#\d+ · [^<]+<strong>([-\d.]+)</strong>").unwrap();
    let Some(c) = score.captures(body) else { return archive_team(body) };
    let solves = body.matches(" › ").count() as u64;
    Facts { b_score: Some(c[1].parse().unwrap()), b_solves: Some(solves), ..Facts::default() }
}

fn board_page(body: &str) -> Facts {
    let row = Regex::new(
        r#"(?s)<tr id="challenge-zeta".*?<td data-label="[^"]*">(\d+)\*?</td>\s*<td data-label="[^"]*">(\d+)</td>"#,
    )
    .unwrap();
    let c = row.captures(body).unwrap_or_else(|| panic!("zeta on the board: {body}"));
    Facts { zeta: Some((c[2].parse().unwrap(), c[1].parse().unwrap())), ..Facts::default() }
}

fn challenge_page(body: &str) -> Facts {
    let re = Regex::new(r#"(?s)<strong id="points">(\d+)</strong>.*?·\s*[^<\d]+ (\d+) ·"#).unwrap();
    let c = re.captures(body).unwrap_or_else(|| panic!("points and solves: {body}"));
    Facts { zeta: Some((c[2].parse().unwrap(), c[1].parse().unwrap())), ..Facts::default() }
}

fn cls_board(body: &str) -> Facts {
    let re = Regex::new(r#"<td class="team">([^<]+)</td>"#).unwrap();
    Facts { cls_teams: Some(re.captures_iter(body).map(|c| c[1].to_owned()).collect()), ..Facts::default() }
}

fn archive_year(body: &str) -> Facts {
    let row = r#"<a href="/archive/cup/teams/\d+">([^<]+)</a></td><td[^>]*>([-\d.]+)<"#;
    Facts { scores: html_scores(body, row), ..Facts::default() }
}

fn archive_team(body: &str) -> Facts {
    let score = Regex::new(r"<strong>#\d+</strong> · ([-\d.]+)</p>").unwrap();
    Facts { b_score: score.captures(body).map(|c| c[1].parse().unwrap()), ..Facts::default() }
}

fn api_challenges(body: &str) -> Facts {
    let v = parsed(body);
    let zeta = v["data"].as_array().unwrap().iter().find(|c| c["slug"] == "zeta").expect("zeta listed").clone();
    Facts { zeta: Some((zeta["solves"].as_u64().unwrap(), zeta["value"].as_i64().unwrap())), ..Facts::default() }
}

fn api_challenge(body: &str) -> Facts {
    let d = &parsed(body)["data"];
    Facts { zeta: Some((d["solves"].as_u64().unwrap(), d["value"].as_i64().unwrap())), ..Facts::default() }
}

fn api_solvers(body: &str) -> Facts {
    let v = parsed(body);
    let names = v["data"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect();
    Facts { zeta_solvers: Some(names), ..Facts::default() }
}

fn api_scoreboard(body: &str) -> Facts {
    Facts { scores: json_scores(&parsed(body)["data"], "name"), ..Facts::default() }
}

/// CTFd's top teams: each with its solves; zeta's solvers are those with a solve of it.
fn api_top(body: &str, zeta: i64) -> Facts {
    let v = parsed(body);
    let solvers = v["data"]
        .as_object()
        .unwrap()
        .values()
        .filter(|t| t["solves"].as_array().unwrap().iter().any(|s| s["challenge_id"] == zeta))
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    Facts { zeta_solvers: Some(solvers), ..Facts::default() }
}

fn api_profile(body: &str) -> Facts {
    Facts { b_score: Some(number(&parsed(body)["data"]["score"])), ..Facts::default() }
}

fn api_solves(body: &str) -> Facts {
    Facts { b_solves: parsed(body)["meta"]["count"].as_u64(), ..Facts::default() }
}

fn api_fails(body: &str) -> Facts {
    Facts { a_fails: parsed(body)["meta"]["count"].as_u64(), ..Facts::default() }
}

fn api_awards(body: &str) -> Facts {
    let v = parsed(body);
    Facts {
        a_awards: Some(v["data"].as_array().unwrap().iter().map(|a| a["value"].as_i64().unwrap()).sum()),
        ..Facts::default()
    }
}

/// The outputs read while the contest runs, and after it until the reveal.
fn outputs(ids: &Ids) -> Vec<Output> {
    let out = |route: &str, path: String, readers, read| Output {
        route: format!("GET {route}"),
        path,
        readers,
        read,
        public_for_all: route.contains("/screen"),
    };
    let (a, b, ua, ub, zeta, omega) = (ids.team_a, ids.team_b, ids.user_a, ids.user_b, ids.zeta, ids.omega_slug);
    let mut list = vec![
        out("/contests/{slug}/scoreboard", "/contests/cup/scoreboard".into(), PUBLIC, scoreboard_page),
        out("/contests/{slug}/scoreboard/table", "/contests/cup/scoreboard/table".into(), PUBLIC, scoreboard_page),
        out("/contests/{slug}/scoreboard.json", "/contests/cup/scoreboard.json".into(), PUBLIC, scoreboard_json),
        out("/contests/{slug}/ctftime.json", "/contests/cup/ctftime.json".into(), PUBLIC, ctftime),
        out("/contests/{slug}/screen", "/contests/cup/screen".into(), PUBLIC, screen),
        out("/contests/{slug}/screen/live", "/contests/cup/screen/live".into(), PUBLIC, screen),
        out("/teams/{id}", format!("/teams/{b}"), PUBLIC, team_page),
        out("/contests/{slug}/challenges", "/contests/cup/challenges".into(), PLAYERS, board_page),
        out("/contests/{slug}/challenges/{challenge}", "/contests/cup/challenges/zeta".into(), PLAYERS, challenge_page),
        out(
            "/contests/{slug}/challenges/{challenge}/board",
            format!("/contests/cup/challenges/{omega}/board"),
            SIGNED_IN,
            cls_board,
        ),
    ];
    for (mount, prefix) in
        [("/api/v1", "/api/v1".to_owned()), ("/contests/{slug}/api/v1", "/contests/cup/api/v1".to_owned())]
    {
        let api = |route: &str, path: String, readers, read| Output {
            route: format!("GET {mount}{route}"),
            path: format!("{prefix}{path}"),
            readers,
            read,
            public_for_all: false,
        };
        list.extend([
            api("/challenges", "/challenges".into(), PLAYERS, api_challenges),
            api("/challenges/{id}", format!("/challenges/{zeta}"), PLAYERS, api_challenge),
            api("/challenges/{id}/solves", format!("/challenges/{zeta}/solves"), PLAYERS, api_solvers),
            api("/scoreboard", "/scoreboard".into(), SIGNED_IN, api_scoreboard),
            api("/teams/{id}", format!("/teams/{b}"), SIGNED_IN, api_profile),
            api("/teams/{id}/solves", format!("/teams/{b}/solves"), SIGNED_IN, api_solves),
            api("/teams/{id}/fails", format!("/teams/{a}/fails"), SIGNED_IN, api_fails),
            api("/teams/{id}/awards", format!("/teams/{a}/awards"), SIGNED_IN, api_awards),
            api("/users/{id}", format!("/users/{ub}"), SIGNED_IN, api_profile),
            api("/users/{id}/solves", format!("/users/{ub}/solves"), SIGNED_IN, api_solves),
            api("/users/{id}/fails", format!("/users/{ua}/fails"), SIGNED_IN, api_fails),
        ]);
    }
    list
}

/// Outputs read once the contest has ended (the archive keeps the standings of the reader's view).
fn archive_outputs(ids: &Ids) -> Vec<Output> {
    vec![
        Output {
            route: "GET /archive/{slug}".into(),
            path: "/archive/cup".into(),
            readers: PUBLIC,
            read: archive_year,
            public_for_all: false,
        },
        Output {
            route: "GET /archive/{slug}/teams/{team}".into(),
            path: format!("/archive/cup/teams/{}", ids.team_b),
            readers: PUBLIC,
            read: archive_team,
            public_for_all: false,
        },
    ]
}

/// The GET routes that show nothing the freeze hides, each with why. With the outputs above, exactly the
/// router's GET routes.
fn unaffected() -> Vec<(String, &'static str)> {
    let mut list: Vec<(String, &'static str)> = [
        ("/", "the contests and the reader's teams"),
        ("/account", "the reader's account"),
        ("/admin", "organizers only"),
        ("/admin/audit", "organizers only: the record of every action"),
        ("/admin/register", "organizers only"),
        ("/admin/sync", "organizers only"),
        ("/admin/users", "organizers only"),
        ("/archive", "the years, without standings"),
        ("/archive/files/{id}/{name}", "a team's uploaded file"),
        ("/archive/items/{id}", "a team's uploaded item"),
        ("/archive/search", "items, not standings"),
        ("/archive/{slug}/review", "organizers only"),
        ("/archive/{slug}/upload", "the team's own form"),
        ("/assets/ceremony.js", "static"),
        ("/assets/countdown.js", "static"),
        ("/assets/live.js", "static"),
        ("/assets/screen.css", "static"),
        ("/assets/screen.js", "static"),
        ("/assets/style.css", "static"),
        ("/challenges", "a redirect to the board"),
        ("/contests/{slug}", "the contest's description and the reader's own team"),
        ("/contests/{slug}/challenges/{challenge}/hints/{hint}/unlock", "the team's own confirmation"),
        ("/contests/{slug}/challenges/{challenge}/predictions/sample.csv", "a fixed sample file"),
        ("/contests/{slug}/ceremony", "organizers only: drives the closing ceremony, which reveals by steps"),
        ("/contests/{slug}/ceremony.json", "organizers only: the ceremony's steps"),
        ("/contests/{slug}/console", "organizers only: the full view by design"),
        ("/contests/{slug}/console/challenges", "organizers only"),
        ("/contests/{slug}/console/submissions", "organizers only"),
        ("/contests/{slug}/events", "read as a stream below: silent for the public view"),
        ("/contests/{slug}/hackathon", "the team's own entry"),
        ("/contests/{slug}/hackathon/entries/{id}/slides", "a team's slides"),
        ("/contests/{slug}/judging", "judges and organizers: marks, published separately"),
        ("/contests/{slug}/judging/entries/{id}", "judges and organizers"),
        ("/contests/{slug}/login", "the sign-in form"),
        ("/contests/{slug}/team", "the reader's own team, which always sees itself"),
        ("/datasets", "the dataset catalog"),
        ("/datasets/{key}", "a dataset's terms"),
        ("/datasets/{key}/agreements", "organizers only"),
        ("/files/{sha256}/{name}", "a challenge's file"),
        ("/healthz", "liveness"),
        ("/lang/{code}", "a language switch"),
        ("/login", "the sign-in form"),
        ("/metrics", "organizers only"),
        ("/register", "the registration form"),
    ]
    .into_iter()
    .map(|(r, why)| (format!("GET {r}"), why))
    .collect();
    for mount in ["/api/v1", "/contests/{slug}/api/v1"] {
        for (route, why) in [
            ("/challenges/{id}/files", "a challenge's files"),
            ("/challenges/{id}/hints", "a challenge's hints"),
            ("/challenges/{id}/tags", "a challenge's tags"),
            ("/challenges/{id}/predictions", "the team's own uploads"),
            ("/hints/{id}", "a hint"),
            ("/notifications", "announcements"),
            ("/datasets", "the caller's agreements"),
            ("/users/me", "the caller, who always sees their own team"),
            ("/users/me/solves", "the caller's own"),
            ("/users/me/fails", "the caller's own"),
            ("/users/me/awards", "the caller's own"),
            ("/teams/me", "the caller's own team"),
            ("/teams/me/solves", "the caller's own team"),
            ("/teams/me/fails", "the caller's own team"),
            ("/teams/me/awards", "the caller's own team"),
            ("/users/{id}/awards", "a user has no awards of their own: adjustments go to teams"),
            ("/scoreboard/top/{n}", "read below, with the solves' challenge ids"),
            ("/openapi.json", "the API's description"),
        ] {
            list.push((format!("GET {mount}{route}"), why));
        }
    }
    list
}

/// Every GET route is read or named as unaffected, and nothing else is listed.
fn assert_every_output_is_listed(read: &[String]) {
    let router: BTreeSet<String> =
        mwscup::web::route_table().iter().map(ToString::to_string).filter(|r| r.starts_with("GET ")).collect();
    let mut listed: BTreeSet<String> = read.iter().cloned().collect();
    for (route, _) in unaffected() {
        assert!(listed.insert(route.clone()), "{route} is listed twice");
    }
    let unlisted: Vec<&String> = router.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&router).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "GET routes not in the freeze matrix (read them, or say why the freeze does not concern them): \
         {unlisted:#?}\nlisted but not routes: {stale:#?}"
    );
}

/// The readers: a browser each (the API with its token too).
struct Readers {
    anonymous: Browser,
    walker: (Browser, String),
    observer: (Browser, String),
    organizer: (Browser, String),
}

impl Readers {
    async fn fetch(&mut self, app: &TestApp, who: Who, path: &str) -> (StatusCode, String) {
        let (client, token) = match who {
            Who::Anonymous => (&self.anonymous.client, None),
            Who::Walker => (&self.walker.0.client, Some(&self.walker.1)),
            Who::Observer => (&self.observer.0.client, Some(&self.observer.1)),
            Who::Organizer => (&self.organizer.0.client, Some(&self.organizer.1)),
        };
        let mut req = client.get(app.url(path));
        if let Some(t) = token.filter(|_| path.contains("/api/v1")) {
            req = req.header("Authorization", format!("Token {t}"));
        }
        let res = req.send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

/// Reads every output as each of its readers; `expect` says which state each reader must see.
async fn read_all(
    app: &TestApp,
    readers: &mut Readers,
    outputs: &[Output],
    zeta: i64,
    expect: impl Fn(Who) -> Facts,
    phase: &str,
) {
    for o in outputs {
        for &who in o.readers {
            let (status, body) = readers.fetch(app, who, &o.path).await;
            assert_eq!(status, StatusCode::OK, "{phase}: {} as {who:?}: {body}", o.path);
            let as_whom = if o.public_for_all { Who::Anonymous } else { who };
            (o.read)(&body).check(&expect(as_whom), &format!("{phase}: {} as {who:?}", o.path));
        }
    }
    // CTFd's top teams name challenges by id, which the reader functions do not know.
    for prefix in ["/api/v1", "/contests/cup/api/v1"] {
        for who in [Who::Walker, Who::Observer, Who::Organizer] {
            let path = format!("{prefix}/scoreboard/top/10");
            let (status, body) = readers.fetch(app, who, &path).await;
            assert_eq!(status, StatusCode::OK, "{phase}: {path}: {body}");
            api_top(&body, zeta).check(&expect(who), &format!("{phase}: {path} as {who:?}"));
        }
    }
}

async fn user_id(app: &TestApp, name: &str) -> i32 {
    let username = mwscup::domain::names::Username::parse(name).unwrap();
    mwscup::store::users::by_username(&app.db, &username).await.unwrap().unwrap().id
}

async fn team_id(app: &TestApp, name: &str) -> i32 {
    entity::teams::Entity::find()
        .filter(entity::teams::Column::Name.eq(name))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("team {name}"))
        .id
}

async fn wrong_answer(app: &TestApp, token: &str, challenge: i64) {
    let (_, body) = attempt(app, token, challenge, "not it").await;
    assert_eq!(body["data"]["status"], "incorrect", "{body}");
}

async fn adjust(chief: &mut Browser, team: i32, points: &str) {
    chief.get("/contests/cup/console").await;
    let page = chief
        .post(
            "/contests/cup/console/adjustments",
            &[("team_id", &team.to_string()), ("area", ""), ("points", points), ("reason", "bonus")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

async fn upload_perfect(app: &TestApp, token: &str, omega: i64) {
    let (status, body) = upload_api(app, token, omega, &predictions(&["a", "b", "e"])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn every_output_holds_the_freeze(app: TestApp) {
    let source = source_with_classification("").with_dynamic_zeta();
    load(&app, source).await;
    let (_, able) = player(&app, "able").await;
    let (_, baker) = player(&app, "baker").await;
    let observer = player(&app, "charlie").await;
    let mut walker = app.browser();
    walker.register("walker").await;
    let walker = (walker, app.token_named("walker").await);
    app.user("chief", Role::Organizer).await;
    let mut chief = app.browser();
    chief.login("chief", PASSWORD).await;
    let chief_token = app.token_named("chief").await;
    let ids = app.challenge_ids(&able, "/api/v1/challenges").await;
    let (alpha, omega) = (ids["alpha"], ids["omega"]);
    let ids = Ids {
        zeta: ids["zeta"],
        omega_slug: "omega",
        team_a: team_id(&app, A).await,
        team_b: team_id(&app, B).await,
        user_a: user_id(&app, "able").await,
        user_b: user_id(&app, "baker").await,
    };

    // Before the cut.
    solve(&app, &able, "zeta", "net view, arp -a").await;
    wrong_answer(&app, &able, alpha).await;
    unlock_first_hint(&app, &able, alpha).await;
    adjust(&mut chief, ids.team_b, "+50").await;
    upload_perfect(&app, &baker, omega).await;

    // The cut, between the two halves of the day: written behind the server's back, then reloaded.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let cut = Utc::now();
    entity::contests::Entity::update_many()
        .col_expr(entity::contests::Column::FreezeAt, Expr::value(Some(cut)))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    tokio::time::sleep(Duration::from_millis(20)).await;

    // Streams open before the second half: the organizers' hears it, the public one stays silent.
    let public_stream = Events::connected(app.api().get(app.url("/contests/cup/events")).send().await.unwrap()).await;
    let staff_stream = Events::connected(chief.client.get(app.url("/contests/cup/events")).send().await.unwrap()).await;

    // After the cut.
    solve(&app, &baker, "zeta", "net view, arp -a").await;
    wrong_answer(&app, &able, alpha).await;
    unlock_first_hint(&app, &baker, alpha).await;
    adjust(&mut chief, ids.team_a, "+30").await;
    upload_perfect(&app, &able, omega).await;

    staff_stream
        .wait_for("scoreboard", Duration::from_secs(30))
        .await
        .expect("the organizers' stream hears the second half");
    // The public view is computed in the same pass as the full one: had it changed, its event would be out.
    let spoke = public_stream.wait_for("scoreboard", Duration::from_millis(500)).await;
    assert!(spoke.is_none(), "the public stream spoke of the frozen hour");

    let outputs = outputs(&ids);
    let archive = archive_outputs(&ids);
    let read: Vec<String> = outputs.iter().chain(&archive).map(|o| o.route.clone()).collect();
    assert_every_output_is_listed(&read);

    let mut readers = Readers { anonymous: app.browser(), walker, observer, organizer: (chief, chief_token) };
    let frozen = |who: Who| if who == Who::Organizer { after() } else { before() };
    read_all(&app, &mut readers, &outputs, ids.zeta, frozen, "during the freeze").await;

    // The day ends; until the reveal, nothing changes for the public, and the archive keeps the frozen view.
    let ended = Utc::now();
    entity::contests::Entity::update_many()
        .col_expr(entity::contests::Column::EndsAt, Expr::value(ended))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
    read_all(&app, &mut readers, &outputs, ids.zeta, frozen, "after the end").await;
    read_all(&app, &mut readers, &archive, ids.zeta, frozen, "the archive before the reveal").await;

    // The reveal shows everyone the second half.
    let chief = &mut readers.organizer.0;
    chief.get("/contests/cup/console").await;
    let revealed = chief.post("/contests/cup/console/reveal", &[("confirm", "yes")]).await;
    assert_eq!(revealed.status, StatusCode::OK, "{}", revealed.body);
    read_all(&app, &mut readers, &outputs, ids.zeta, |_| after(), "after the reveal").await;
    read_all(&app, &mut readers, &archive, ids.zeta, |_| after(), "the archive after the reveal").await;
}
