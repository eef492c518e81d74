//! The authorization matrix: every route of `mwscup::web::route_table()` × anonymous, a participant of another
//! team, the participant whose team and token fill the paths, a judge, an organizer. Who may use a route is declared
//! here, once a route, and the declarations must be exactly the router's routes: a new route fails this test until
//! someone says who may use it. Refusals must change nothing, and nobody ever gets a 5xx.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use mwscup::domain::role::Role;
use mwscup::store;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};

use crate::both;
use crate::files::load;
use crate::helpers::{Browser, PASSWORD, TestApp};
use crate::judging::judged_cup;

both!(every_route_answers_each_caller_as_declared);

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    OtherTeam,
    Participant,
    Judge,
    Organizer,
}

const EVERYONE: [Who; 5] = [Who::Anonymous, Who::OtherTeam, Who::Participant, Who::Judge, Who::Organizer];

/// Who may use a route.
#[derive(Debug, Clone, Copy)]
enum Policy {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// Members of a team of the contest, and organizers. A signed-in user outside every team is refused, and so
    /// is a judge: judges play in no team, and their sight is for judging only.
    Players,
    /// Those who read a members-only scoreboard: members of a team, judges and organizers.
    Readers,
    /// Members of a team of the contest, acting for it: staff have no team to act for.
    InTeam,
    /// Only the participant whose token the path names.
    Own,
    /// The team that owns an archive item, and organizers.
    OwnTeamOrOrganizer,
    /// The team that owns a hackathon entry, judges and organizers.
    OwnTeamOrStaff,
    /// Judges and organizers.
    Staff,
    Organizer,
}

impl Policy {
    fn allows(self, who: Who) -> bool {
        match self {
            Policy::Public => true,
            Policy::SignedIn | Policy::Readers => who != Who::Anonymous,
            Policy::Players => !matches!(who, Who::Anonymous | Who::Judge),
            Policy::InTeam => matches!(who, Who::OtherTeam | Who::Participant),
            Policy::Own => who == Who::Participant,
            Policy::OwnTeamOrOrganizer => matches!(who, Who::Participant | Who::Organizer),
            Policy::OwnTeamOrStaff => matches!(who, Who::Participant | Who::Judge | Who::Organizer),
            Policy::Staff => matches!(who, Who::Judge | Who::Organizer),
            Policy::Organizer => who == Who::Organizer,
        }
    }
}

/// How a refused caller is answered.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// Anonymous: the login form (pages) or 401 (JSON); signed in: 403.
    Forbidden,
    /// Anonymous as above; signed in: 404, where the design does not say that the thing exists.
    Hidden,
    /// 404 for everyone, anonymous included: the route asks no one to log in and shows nothing.
    HiddenFromAll,
}

/// When in the contest's life a route is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    /// The archive and the reveal exist only after the end.
    Ended,
}

/// When within its phase a route is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    First,
    /// After the others, with a fresh set of callers: the route ends or changes the caller's state.
    Fresh,
    /// After the others, in declared order, with the usual callers: the route changes the contest.
    Last,
}

#[derive(Debug, Clone)]
enum Body {
    Form(Vec<(&'static str, &'static str)>),
    /// JSON with `$challenge_id` and `$hint_id` filled in.
    Json(&'static str),
    /// A multipart form holding only the CSRF token.
    Multipart,
}

/// One declared route: `METHOD /path/pattern`, its policy and how to try it.
#[derive(Debug, Clone)]
struct Case {
    route: String,
    policy: Policy,
    refusal: Refusal,
    phase: Phase,
    turn: Turn,
    body: Body,
}

fn case(route: &str, policy: Policy) -> Case {
    let body = if route.contains("/api/v1") { Body::Json("{}") } else { Body::Form(Vec::new()) };
    Case {
        route: route.to_owned(),
        policy,
        refusal: Refusal::Forbidden,
        phase: Phase::Running,
        turn: Turn::First,
        body,
    }
}

impl Case {
    fn hidden(self) -> Self {
        Case { refusal: Refusal::Hidden, ..self }
    }
    fn hidden_from_all(self) -> Self {
        Case { refusal: Refusal::HiddenFromAll, ..self }
    }
    fn after_end(self) -> Self {
        Case { phase: Phase::Ended, ..self }
    }
    fn fresh(self) -> Self {
        Case { turn: Turn::Fresh, ..self }
    }
    fn last(self) -> Self {
        Case { turn: Turn::Last, ..self }
    }
    fn form(self, fields: &[(&'static str, &'static str)]) -> Self {
        Case { body: Body::Form(fields.to_vec()), ..self }
    }
    fn json(self, text: &'static str) -> Self {
        Case { body: Body::Json(text), ..self }
    }
    fn multipart(self) -> Self {
        Case { body: Body::Multipart, ..self }
    }

    fn method_and_pattern(&self) -> (&str, &str) {
        self.route.split_once(' ').expect("METHOD /path")
    }

    /// Paths that answer like the API (JSON, 401 or 403 rather than a redirect to the login form).
    fn json_answers(&self) -> bool {
        let (_, p) = self.method_and_pattern();
        p.contains("/api/v1") || p.ends_with(".json") || p.ends_with("/events")
    }

    fn expect(&self, who: Who) -> Expect {
        if self.policy.allows(who) {
            return Expect::Allowed;
        }
        match (self.refusal, who) {
            (Refusal::HiddenFromAll, _) => Expect::Status(StatusCode::NOT_FOUND),
            // CTFd answers an anonymous API call 403; feeds and the event stream 401.
            (_, Who::Anonymous) if self.route.contains("/api/v1/") => Expect::Status(StatusCode::FORBIDDEN),
            (_, Who::Anonymous) if self.json_answers() => Expect::Status(StatusCode::UNAUTHORIZED),
            (_, Who::Anonymous) => Expect::Login,
            (Refusal::Hidden, _) => Expect::Status(StatusCode::NOT_FOUND),
            (Refusal::Forbidden, _) => Expect::Status(StatusCode::FORBIDDEN),
        }
    }
}

/// The user the fresh callers of `POST /login` log in as: a wrong login is a 401 by design, not a refusal.
const VISITOR: &str = "visitor";

/// Every route and who may use it, read from the handlers and their extractors. Empty forms are refused for their
/// fields (400) once the caller has passed, which is what an allowed caller gets here.
fn declared() -> Vec<Case> {
    use Policy::*;
    let mut cases = vec![
        case("GET /", Public),
        case("GET /healthz", Public),
        case("GET /lang/{code}", Public),
        case("GET /assets/style.css", Public),
        case("GET /assets/live.js", Public),
        case("GET /assets/screen.css", Public),
        case("GET /assets/screen.js", Public),
        case("GET /assets/ceremony.js", Public),
        case("GET /assets/countdown.js", Public),
        case("GET /register", Public),
        case("POST /register", Public),
        case("GET /login", Public),
        case("POST /login", Public).form(&[("username", VISITOR), ("password", PASSWORD)]).fresh(),
        case("POST /logout", Public).fresh(),
        // CTFd's scripts look for a contest's login here.
        case("GET /contests/{slug}/login", Public),
        case("POST /contests/{slug}/login", Public).form(&[("name", VISITOR), ("password", PASSWORD)]).fresh(),
        case("GET /account", SignedIn),
        // A redirect to the current contest's board, which decides who may see it.
        case("GET /challenges", Public),
        // Operators' figures: organizers, or an address the setting metrics_from names (none here).
        case("GET /metrics", Organizer),
        case("GET /admin", Organizer),
        case("GET /admin/audit", Organizer),
        case("GET /admin/register", Organizer),
        case("GET /admin/users", Organizer),
        case("GET /admin/sync", Organizer),
        case("POST /admin/sync", Organizer),
        case("POST /admin/sync/upload", Organizer).multipart(),
        case("POST /admin/users/{id}/role", Organizer),
        case("POST /admin/users/{id}/password", Organizer).fresh(),
        case("POST /admin/register", Organizer),
        case("POST /account/password", SignedIn),
        case("POST /account/tokens", SignedIn),
        // Someone else's token is not found.
        case("POST /account/tokens/{id}/revoke", Own).hidden().fresh(),
        case("GET /contests/{slug}", Public),
        case("POST /contests/{slug}/teams", SignedIn),
        case("POST /contests/{slug}/join", SignedIn),
        // Someone without a team is sent to the contest's page.
        case("GET /contests/{slug}/team", SignedIn),
        // The captain's; both participants captain their teams.
        case("POST /contests/{slug}/team/invite", InTeam).last(),
        case("POST /contests/{slug}/team/leave", InTeam).form(&[("confirm", "yes")]).fresh(),
        case("GET /contests/{slug}/challenges", Players),
        case("GET /contests/{slug}/challenges/{challenge}", Players),
        case("POST /contests/{slug}/challenges/{challenge}", InTeam),
        case("GET /contests/{slug}/challenges/{challenge}/hints/{hint}/unlock", Players),
        case("POST /contests/{slug}/challenges/{challenge}/hints/{hint}/unlock", InTeam),
        // A prediction file for a classification challenge (the fixture's takes a flag: refused for that, 400).
        case("POST /contests/{slug}/challenges/{challenge}/predictions", InTeam).multipart(),
        // The sample prediction file, for those who may open the challenge (the fixture's takes a flag: 400).
        case("GET /contests/{slug}/challenges/{challenge}/predictions/sample.csv", Players),
        case("POST /contests/{slug}/challenges/{challenge}/finals", InTeam)
            .form(&[("upload", "999999"), ("chosen", "1")]),
        // A classification challenge's board, read like the scoreboard (the fixture's takes a flag: 400).
        case("GET /contests/{slug}/challenges/{challenge}/board", SignedIn),
        // Those who may see the challenge, once they agreed to its datasets' terms (the callers have).
        case("GET /files/{sha256}/{name}", Players).hidden(),
        case("GET /datasets", Public),
        case("GET /datasets/{key}", Public),
        case("POST /datasets/{key}/agree", SignedIn),
        case("GET /datasets/{key}/agreements", Organizer),
        case("POST /datasets/{key}/agreements", Organizer),
        // The fixture's scoreboard is closed (`scoreboard_public = false`); an open one is `Public`.
        case("GET /contests/{slug}/scoreboard", Readers),
        case("GET /contests/{slug}/scoreboard/table", Readers),
        case("GET /contests/{slug}/scoreboard.json", Readers),
        case("GET /contests/{slug}/ctftime.json", Readers),
        case("GET /contests/{slug}/events", Readers),
        // The venue screen: the scoreboard for the projector, read as the scoreboard is.
        case("GET /contests/{slug}/screen", Readers),
        case("GET /contests/{slug}/screen/live", Readers),
        // A team as the scoreboard shows it (where CTFd's scoreboard points, `account_url`).
        case("GET /teams/{id}", Readers),
        case("GET /contests/{slug}/console", Organizer),
        case("GET /contests/{slug}/console/challenges", Organizer),
        case("GET /contests/{slug}/console/submissions", Organizer),
        case("POST /contests/{slug}/console/settings", Organizer),
        case("POST /contests/{slug}/console/members/move", Organizer),
        case("POST /contests/{slug}/console/areas/{area}/window", Organizer),
        case("POST /contests/{slug}/console/submissions/{id}/accept", Organizer),
        case("POST /contests/{slug}/console/submissions/{id}/revoke", Organizer),
        case("POST /contests/{slug}/console/announcements", Organizer),
        case("POST /contests/{slug}/console/adjustments", Organizer),
        // Hides the fresh participant's team, so that a refused request would show in the count of hidden teams.
        case("POST /contests/{slug}/console/teams/{team}/visibility", Organizer).form(&[("hidden", "true")]).fresh(),
        case("POST /contests/{slug}/console/teams/{team}/disqualification", Organizer),
        case("POST /contests/{slug}/console/challenges/{challenge}/visibility", Organizer),
        case("POST /contests/{slug}/console/challenges/{challenge}/points", Organizer),
        case("POST /contests/{slug}/console/pause", Organizer).form(&[("confirm", "yes")]).last(),
        case("POST /contests/{slug}/console/resume", Organizer).last(),
        case("POST /contests/{slug}/console/reveal", Organizer).form(&[("confirm", "yes")]).after_end().last(),
        // The closing ceremony: organizers drive it and read its steps (this contest had no freeze: 409 for them).
        case("GET /contests/{slug}/ceremony", Organizer).after_end(),
        case("POST /contests/{slug}/ceremony/step", Organizer).form(&[("action", "next")]).after_end(),
        case("GET /contests/{slug}/ceremony.json", Organizer).after_end(),
        // Staff have no team to hand an entry in for.
        case("GET /contests/{slug}/hackathon", InTeam),
        case("POST /contests/{slug}/hackathon", InTeam).multipart(),
        case("GET /contests/{slug}/hackathon/entries/{id}/slides", OwnTeamOrStaff).hidden(),
        case("GET /contests/{slug}/judging", Staff),
        case("GET /contests/{slug}/judging/entries/{id}", Staff),
        case("POST /contests/{slug}/judging/entries/{id}", Staff),
        case("POST /contests/{slug}/judging/publish", Organizer).last(),
        case("POST /contests/{slug}/judging/withdraw", Organizer).last(),
        case("GET /archive", Public).after_end(),
        case("GET /archive/search", Public).after_end(),
        case("GET /archive/{slug}", Public).after_end(),
        case("GET /archive/{slug}/teams/{team}", Public).after_end(),
        // The participant's item awaits review: nobody else learns it exists.
        case("GET /archive/items/{id}", OwnTeamOrOrganizer).hidden_from_all().after_end(),
        case("GET /archive/files/{id}/{name}", OwnTeamOrOrganizer).hidden_from_all().after_end(),
        case("GET /archive/{slug}/upload", InTeam).after_end(),
        case("POST /archive/{slug}/upload", InTeam).multipart().after_end(),
        case("GET /archive/{slug}/review", Organizer).after_end(),
        case("POST /archive/items/{id}/review", Organizer).after_end(),
    ];
    for prefix in ["/api/v1", "/contests/{slug}/api/v1"] {
        cases.extend(api_cases(prefix));
    }
    cases
}

/// The API, mounted twice.
fn api_cases(prefix: &str) -> Vec<Case> {
    use Policy::*;
    let at = |method_path: &str, policy| {
        let (method, path) = method_path.split_once(' ').expect("METHOD /path");
        case(&format!("{method} {prefix}{path}"), policy)
    };
    vec![
        at("GET /challenges", Players),
        // Bodies that reach the decision: `{}` would be refused for its fields first.
        at("POST /challenges/attempt", InTeam).json(r#"{"challenge_id": $challenge_id, "submission": "not it"}"#),
        at("GET /challenges/{id}", Players),
        at("GET /challenges/{id}/solves", Players),
        at("GET /challenges/{id}/files", Players),
        at("GET /challenges/{id}/hints", Players),
        at("GET /challenges/{id}/tags", Players),
        at("GET /hints/{id}", Players),
        // A team's prediction uploads: staff have no team to act for.
        at("GET /challenges/{id}/predictions", InTeam),
        at("POST /challenges/{id}/predictions", InTeam),
        at("POST /unlocks", InTeam).json(r#"{"target": $hint_id}"#),
        at("GET /notifications", SignedIn),
        at("GET /datasets", SignedIn),
        at("GET /scoreboard", Readers),
        at("GET /scoreboard/top/{n}", Readers),
        at("POST /users", Organizer),
        at("GET /users/me", SignedIn),
        // One's own record: empty for someone without a team.
        at("GET /users/me/solves", SignedIn),
        at("GET /users/me/fails", SignedIn),
        at("GET /users/me/awards", SignedIn),
        // Public profiles of a visible team's member and of the team (others' fails are counted, not listed).
        at("GET /users/{id}", SignedIn),
        at("GET /users/{id}/solves", SignedIn),
        at("GET /users/{id}/fails", SignedIn),
        at("GET /users/{id}/awards", SignedIn),
        at("POST /teams", Organizer),
        // Staff have no team to show.
        at("GET /teams/me", InTeam).hidden(),
        at("GET /teams/me/solves", InTeam).hidden(),
        at("GET /teams/me/fails", InTeam).hidden(),
        at("GET /teams/me/awards", InTeam).hidden(),
        at("GET /teams/{id}", SignedIn),
        at("GET /teams/{id}/solves", SignedIn),
        at("GET /teams/{id}/fails", SignedIn),
        at("GET /teams/{id}/awards", SignedIn),
        at("POST /teams/{id}/members", Organizer),
        at("GET /openapi.json", Public),
    ]
}

fn assert_declared_is_the_router(cases: &[Case]) {
    let router: BTreeSet<String> = mwscup::web::route_table().iter().map(ToString::to_string).collect();
    let declared: BTreeSet<String> = cases.iter().map(|c| c.route.clone()).collect();
    assert_eq!(declared.len(), cases.len(), "a route is declared twice");
    let undeclared: Vec<&String> = router.difference(&declared).collect();
    let stale: Vec<&String> = declared.difference(&router).collect();
    assert!(
        undeclared.is_empty() && stale.is_empty(),
        "undeclared routes (say who may use them): {undeclared:#?}\nstale declarations (no such route): {stale:#?}"
    );
}

/// The ids that fill path patterns and bodies.
#[derive(Debug, Clone)]
struct Ids {
    challenge_id: i32,
    hint_id: i32,
    sha256: String,
    file_name: String,
    /// The participant's team and API token, and the participant.
    team_id: i32,
    token_id: i32,
    user_id: i32,
    /// The participant's archive item and its file, once the contest has ended.
    archive: Option<(i32, i32)>,
    /// The participant's hackathon entry, with slides.
    entry_id: i32,
}

impl Ids {
    fn fill(&self, pattern: &str) -> String {
        // Before the end there is no item: a path naming one is not found, which an allowed caller reports.
        let (item, file) = self.archive.map_or(("none".into(), "none".into()), |(i, f)| (i.to_string(), f.to_string()));
        let mut path = pattern.to_owned();
        for (from, to) in [
            ("/account/tokens/{id}", format!("/account/tokens/{}", self.token_id)),
            // A submission that does not exist: refused callers are refused first, an organizer is told 404.
            ("/submissions/{id}", "/submissions/999999".to_owned()),
            ("/entries/{id}", format!("/entries/{}", self.entry_id)),
            // The participant: a reset (fresh callers only) signs them out; a role change without a role changes nothing.
            ("/users/{id}", format!("/users/{}", self.user_id)),
            ("/archive/items/{id}", format!("/archive/items/{item}")),
            ("/archive/files/{id}/{name}", format!("/archive/files/{file}/{ARCHIVE_FILE}")),
            ("/files/{sha256}/{name}", format!("/files/{}/{}", self.sha256, self.file_name)),
            ("/challenges/{id}", format!("/challenges/{}", self.challenge_id)),
            ("/hints/{id}", format!("/hints/{}", self.hint_id)),
            ("/teams/{id}", format!("/teams/{}", self.team_id)),
            ("{slug}", "cup".to_owned()),
            ("{challenge}", "alpha".to_owned()),
            ("{area}", "static".to_owned()),
            ("{hint}", self.hint_id.to_string()),
            ("{team}", self.team_id.to_string()),
            ("{key}", "ffri".to_owned()),
            ("{n}", "3".to_owned()),
            ("{code}", "en".to_owned()),
        ] {
            path = path.replace(from, &to);
        }
        assert!(!path.contains('{'), "{pattern}: a path parameter this test cannot fill ({path})");
        path
    }

    fn fill_json(&self, text: &str) -> String {
        text.replace("$challenge_id", &self.challenge_id.to_string()).replace("$hint_id", &self.hint_id.to_string())
    }
}

const ARCHIVE_FILE: &str = "notes.txt";

/// One caller: a browser for pages (its cookies, its CSRF token) and an API token if signed in.
struct Caller {
    who: Who,
    browser: Browser,
    /// The browser's cookies, not following redirects.
    web: reqwest::Client,
    api: reqwest::Client,
    token: Option<String>,
    csrf: String,
}

impl Caller {
    fn of(who: Who, browser: Browser, token: Option<String>) -> Caller {
        let web = browser.direct();
        let api = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let csrf = browser.csrf().expect("a page with a form was loaded").to_owned();
        Caller { who, browser, web, api, token, csrf }
    }

    async fn anonymous(app: &TestApp) -> Caller {
        let mut browser = app.browser();
        browser.get("/login").await;
        Caller::of(Who::Anonymous, browser, None)
    }

    async fn signed_in(app: &TestApp, who: Who, name: &str, role: Role) -> (Caller, entity::users::Model) {
        let user = app.user(name, role).await;
        let mut browser = app.browser();
        let page = browser.login(name, PASSWORD).await;
        assert_eq!(page.status, StatusCode::OK, "{name} logs in");
        let token = app.token_for(&user).await;
        (Caller::of(who, browser, Some(token)), user)
    }

    /// Agrees to the fixture's dataset, which its attachment needs.
    async fn agree(&mut self) {
        self.browser.get("/datasets/ffri").await;
        let page = self.browser.post("/datasets/ffri/agree", &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{:?} agrees", self.who);
    }
}

/// The five callers, made afresh for each `tag`: each participant captains a team of their own.
struct Callers {
    all: Vec<Caller>,
    team_id: i32,
    token_id: i32,
    user_id: i32,
}

impl Callers {
    async fn new(app: &TestApp, tag: &str) -> Callers {
        let anonymous = Caller::anonymous(app).await;
        let (mut other, _) = Caller::signed_in(app, Who::OtherTeam, &format!("other-{tag}"), Role::Participant).await;
        other.browser.create_team("cup", &format!("Others {tag}")).await;
        let (mut participant, alice) =
            Caller::signed_in(app, Who::Participant, &format!("alice-{tag}"), Role::Participant).await;
        participant.browser.create_team("cup", &format!("Finders {tag}")).await;
        let (judge, _) = Caller::signed_in(app, Who::Judge, &format!("judge-{tag}"), Role::Judge).await;
        let (organizer, _) = Caller::signed_in(app, Who::Organizer, &format!("chief-{tag}"), Role::Organizer).await;
        let contest = store::contests::by_slug(&app.db, "cup").await.unwrap().unwrap();
        let team_id = store::teams::of_user(&app.db, contest.id, alice.id).await.unwrap().expect("a team").id;
        let token_id = store::tokens::of_user(&app.db, alice.id).await.unwrap()[0].id;
        Callers { all: vec![anonymous, other, participant, judge, organizer], team_id, token_id, user_id: alice.id }
    }

    fn get(&mut self, who: Who) -> &mut Caller {
        self.all.iter_mut().find(|c| c.who == who).expect("every caller")
    }
}

/// What a caller got.
#[derive(Debug, Clone, Copy)]
struct Seen {
    status: StatusCode,
    to_login: bool,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.to_login {
            write!(f, "{}→login", self.status.as_u16())
        } else {
            write!(f, "{}", self.status.as_u16())
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Anything but a refusal or a server error.
    Allowed,
    Login,
    Status(StatusCode),
}

impl Expect {
    fn met_by(self, seen: Seen) -> bool {
        if seen.status.is_server_error() {
            return false;
        }
        let refused = [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND];
        match self {
            // 404 and 405 too: an allowed caller refused for a wrong path or method is a mistake of this test.
            Expect::Allowed => {
                !seen.to_login && !refused.contains(&seen.status) && seen.status != StatusCode::METHOD_NOT_ALLOWED
            }
            Expect::Login => seen.to_login,
            Expect::Status(status) => seen.status == status && !seen.to_login,
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Allowed => write!(f, "allowed"),
            Expect::Login => write!(f, "the login form"),
            Expect::Status(status) => write!(f, "{}", status.as_u16()),
        }
    }
}

async fn send(app: &TestApp, case: &Case, caller: &Caller, ids: &Ids) -> Seen {
    let (method, pattern) = case.method_and_pattern();
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let url = app.url(&ids.fill(pattern));
    let request = if pattern.contains("/api/v1") {
        let mut request = caller.api.request(method.clone(), url);
        if let Some(token) = &caller.token {
            request = request.header(AUTHORIZATION, format!("Token {token}"));
        }
        match (&case.body, method == Method::POST) {
            (Body::Json(text), true) => request.header(CONTENT_TYPE, "application/json").body(ids.fill_json(text)),
            _ => request,
        }
    } else {
        let request = caller.web.request(method.clone(), url);
        match (&case.body, method == Method::POST) {
            (Body::Form(fields), true) => {
                let mut form = fields.clone();
                form.push(("csrf", caller.csrf.as_str()));
                request.form(&form)
            }
            (Body::Multipart, true) => {
                request.multipart(reqwest::multipart::Form::new().text("csrf", caller.csrf.clone()))
            }
            _ => request,
        }
    };
    // The body is left unread: the event stream never ends.
    let res = request.send().await.unwrap();
    let location = res.headers().get(LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default();
    Seen { status: res.status(), to_login: res.status().is_redirection() && location.starts_with("/login") }
}

/// The rows a refused request must not change, by name.
async fn counts(db: &DatabaseConnection) -> Vec<(&'static str, u64)> {
    use entity::*;
    vec![
        ("users", users::Entity::find().count(db).await.unwrap()),
        ("teams", teams::Entity::find().count(db).await.unwrap()),
        ("hidden teams", teams::Entity::find().filter(teams::Column::Hidden.eq(true)).count(db).await.unwrap()),
        ("team members", team_members::Entity::find().count(db).await.unwrap()),
        ("submissions", submissions::Entity::find().count(db).await.unwrap()),
        ("solves", solves::Entity::find().count(db).await.unwrap()),
        ("hint unlocks", hint_unlocks::Entity::find().count(db).await.unwrap()),
        ("announcements", announcements::Entity::find().count(db).await.unwrap()),
        ("adjustments", adjustments::Entity::find().count(db).await.unwrap()),
        ("api tokens", api_tokens::Entity::find().count(db).await.unwrap()),
        ("dataset agreements", dataset_agreements::Entity::find().count(db).await.unwrap()),
        ("archive items", archive_items::Entity::find().count(db).await.unwrap()),
        (
            "published archive items",
            archive_items::Entity::find()
                .filter(archive_items::Column::Status.eq("published"))
                .count(db)
                .await
                .unwrap(),
        ),
        ("archive files", archive_files::Entity::find().count(db).await.unwrap()),
        (
            "paused contests",
            contests::Entity::find().filter(contests::Column::Paused.eq(true)).count(db).await.unwrap(),
        ),
        (
            "revealed contests",
            contests::Entity::find().filter(contests::Column::Revealed.eq(true)).count(db).await.unwrap(),
        ),
    ]
}

fn differences(before: &[(&str, u64)], after: &[(&str, u64)]) -> Vec<String> {
    before.iter().zip(after).filter(|(b, a)| b.1 != a.1).map(|(b, a)| format!("{} {} → {}", b.0, b.1, a.1)).collect()
}

/// The matrix as it is filled, and what went wrong.
#[derive(Default)]
struct Report {
    rows: Vec<(String, Vec<(Who, String)>)>,
    failures: Vec<String>,
}

impl Report {
    fn render(&self) -> String {
        let width = self.rows.iter().map(|(route, _)| route.chars().count()).max().unwrap_or(0);
        let mut out = format!("{:width$}", "route");
        for who in EVERYONE {
            write!(out, "  {:>12}", format!("{who:?}")).unwrap();
        }
        for (route, cells) in &self.rows {
            write!(out, "\n{route:width$}").unwrap();
            for who in EVERYONE {
                let cell = cells.iter().find(|(w, _)| *w == who).map_or("", |(_, c)| c.as_str());
                write!(out, "  {cell:>12}").unwrap();
            }
        }
        out
    }
}

/// Tries one route with each caller, refused callers first (while what the path names is still there), and checks
/// every answer; around each refused request, the counts must stay as they were.
async fn try_case(app: &TestApp, case: &Case, callers: &Callers, ids: &Ids, report: &mut Report) {
    let mut order: Vec<&Caller> = callers.all.iter().collect();
    order.sort_by_key(|c| case.policy.allows(c.who));
    let mut cells = Vec::new();
    for caller in order {
        let expect = case.expect(caller.who);
        let refused = !matches!(expect, Expect::Allowed);
        let before = if refused { Some(counts(&app.db).await) } else { None };
        let seen = send(app, case, caller, ids).await;
        let ok = expect.met_by(seen);
        if !ok {
            let server_error = if seen.status.is_server_error() { " (nobody may get a 5xx)" } else { "" };
            report
                .failures
                .push(format!("{} as {:?}: got {seen}{server_error}, expected {expect}", case.route, caller.who));
        }
        if let Some(before) = before {
            let changed = differences(&before, &counts(&app.db).await);
            if !changed.is_empty() {
                report.failures.push(format!("{} as {:?} was refused but changed {changed:?}", case.route, caller.who));
            }
        }
        cells.push((caller.who, format!("{seen}{}", if ok { "" } else { " ✗" })));
    }
    report.rows.push((case.route.clone(), cells));
}

/// Every case of a phase: the ordinary ones, then those that need fresh callers, then those that change the contest.
async fn run_phase(app: &TestApp, cases: &[Case], phase: Phase, main: &Callers, world: &Ids, report: &mut Report) {
    let of_turn = |turn| cases.iter().filter(move |c| c.phase == phase && c.turn == turn);
    let ids = Ids { team_id: main.team_id, token_id: main.token_id, user_id: main.user_id, ..world.clone() };
    for case in of_turn(Turn::First) {
        try_case(app, case, main, &ids, report).await;
    }
    for (n, case) in of_turn(Turn::Fresh).enumerate() {
        assert_eq!(
            phase,
            Phase::Running,
            "{}: fresh callers found their teams, which needs a running contest",
            case.route
        );
        let fresh = Callers::new(app, &format!("{n}")).await;
        let ids = Ids { team_id: fresh.team_id, token_id: fresh.token_id, user_id: fresh.user_id, ..world.clone() };
        try_case(app, case, &fresh, &ids, report).await;
    }
    for case in of_turn(Turn::Last) {
        try_case(app, case, main, &ids, report).await;
    }
}

/// The ids of the fixture's challenge `alpha`: itself, its hint, its attachment.
async fn alpha_ids(db: &DatabaseConnection) -> Ids {
    use entity::{attachments, challenges, hints};
    let alpha = challenges::Entity::find().filter(challenges::Column::Slug.eq("alpha")).one(db).await.unwrap().unwrap();
    let hint = hints::Entity::find().filter(hints::Column::ChallengeId.eq(alpha.id)).one(db).await.unwrap().unwrap();
    let file = attachments::Entity::find()
        .filter(attachments::Column::ChallengeId.eq(alpha.id))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    Ids {
        challenge_id: alpha.id,
        hint_id: hint.id,
        sha256: file.sha256,
        file_name: file.name,
        team_id: 0,
        token_id: 0,
        user_id: 0,
        archive: None,
        entry_id: 0,
    }
}

/// The participant's team hands in a hackathon entry whose slides are the fixture's attachment.
async fn hand_in_entry(app: &TestApp, main: &Callers, world: &mut Ids) {
    let contest = store::contests::by_slug(&app.db, "cup").await.unwrap().expect("the cup");
    let slides = Some(("slides.pdf".to_owned(), world.sha256.clone(), 1));
    let fields = store::judging::EntryFields { title: "Kit".into(), description: String::new(), link: None, slides };
    let entry = store::judging::save_entry(&app.db, contest.id, main.team_id, main.user_id, fields).await.unwrap();
    world.entry_id = entry.id;
}

async fn close_scoreboard(app: &TestApp) {
    entity::contests::Entity::update_many()
        .col_expr(entity::contests::Column::ScoreboardPublic, Expr::value(false))
        .exec(&app.db)
        .await
        .unwrap();
    app.reload().await;
}

async fn end_contest(app: &TestApp) {
    app.end_contests(chrono::Duration::minutes(1), true).await;
}

/// The participant's archive item, awaiting review and for participants only, with one file: (item, file).
async fn upload_item(app: &TestApp, participant: &Caller) -> (i32, i32) {
    let form = crate::archive::form(&participant.csrf, "participants", vec![(ARCHIVE_FILE, b"our notes\n".to_vec())]);
    let res = participant.web.post(app.url("/archive/cup/upload")).multipart(form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the upload is kept");
    let item = entity::archive_items::Entity::find().one(&app.db).await.unwrap().expect("the item");
    let file = entity::archive_files::Entity::find()
        .filter(entity::archive_files::Column::ItemId.eq(item.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("its file");
    (item.id, file.id)
}

async fn every_route_answers_each_caller_as_declared(app: TestApp) {
    let cases = declared();
    assert_declared_is_the_router(&cases);

    load(&app, judged_cup()).await;
    close_scoreboard(&app).await;
    app.user(VISITOR, Role::Participant).await;
    let mut world = alpha_ids(&app.db).await;
    let mut main = Callers::new(&app, "main").await;
    for who in [Who::OtherTeam, Who::Participant, Who::Judge] {
        main.get(who).agree().await;
    }
    hand_in_entry(&app, &main, &mut world).await;
    let mut report = Report::default();
    run_phase(&app, &cases, Phase::Running, &main, &world, &mut report).await;

    end_contest(&app).await;
    world.archive = Some(upload_item(&app, main.get(Who::Participant)).await);
    run_phase(&app, &cases, Phase::Ended, &main, &world, &mut report).await;

    assert_eq!(report.rows.len(), cases.len(), "every declared route was tried");
    assert!(report.failures.is_empty(), "{}\n\n{}", report.render(), report.failures.join("\n"));
}
