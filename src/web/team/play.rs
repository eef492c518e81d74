//! The contest day's pages: the board, a challenge with its answer form and hints.

use std::rc::Rc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use entity::{contests, datasets, submissions, teams, users};
use serde::Deserialize;

use crate::domain::play::{MAX_ANSWER_BYTES, Refusal};
use crate::play::attempt::{self, Answer, Verdict};
use crate::play::board::{self, Access, Asker, Board, Item};
use crate::startup::AppState;
use crate::store;
use crate::store::challenges::ChallengeView;
use crate::web::kit::csrf::{CsrfForm, NoFields};
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{ContestCtx, CurrentUser, MaybeUser, role_of, state};
use crate::web::kit::flash::Flash;
use crate::web::kit::markdown;
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/challenges").get(current_board))
        .add(endpoint("/contests/{slug}/challenges").get(board_page))
        .add(endpoint("/contests/{slug}/challenges/{challenge}").get(challenge_page).post(answer))
        .add(endpoint("/contests/{slug}/challenges/{challenge}/hints/{hint}/unlock").get(confirm_unlock).post(unlock));
}

/// `/challenges`, where CTFd sends a player after login (and its clients look): the board of the contest running
/// now, else of the latest; the contest's page (where one joins a team) for someone who may not see its board
/// yet; the home page when there is no contest.
async fn current_board(req: HttpRequest, MaybeUser(user): MaybeUser) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let Some(live) = state.live.current(Utc::now()).await? else { return Ok(see_other("/")) };
    let contest = live.snapshot().contest.clone();
    let board = format!("/contests/{}/challenges", contest.slug);
    let Some(user) = user else { return Ok(see_other(&board)) };
    let player = Player::of(&state, &contest, user).await?;
    Ok(match player.may_see_board(&contest, Utc::now()) {
        Ok(()) => see_other(&board),
        Err(_) => see_other(&format!("/contests/{}", contest.slug)),
    })
}

/// Someone on the contest day: a member of a team, or an organizer (who sees every challenge, and plays in no
/// team). Judges see the contest day as anyone outside a team does: their sight is for judging.
pub struct Player {
    pub user: Rc<users::Model>,
    pub team: Option<teams::Model>,
    pub staff: bool,
}

impl Player {
    /// The team this player acts for (answers, hints): refused without one, or when it was disqualified.
    pub fn acting_team(&self) -> AppResult<&teams::Model> {
        match &self.team {
            // Someone made organizer or judge after joining a team keeps their place but stops playing.
            Some(_) if !role_of(&self.user).plays() => Err(AppError::Forbidden(Msg::StaffCannotPlay)),
            None => Err(AppError::Forbidden(Msg::JoinTeamFirst)),
            Some(team) if team.disqualified => Err(AppError::Forbidden(Msg::Disqualified)),
            Some(team) => Ok(team),
        }
    }

    pub async fn of(state: &AppState, contest: &contests::Model, user: Rc<users::Model>) -> AppResult<Player> {
        let team = state.live.identities.team_of(contest.id, user.id).await?.map(|t| teams::Model::clone(&t));
        let staff = role_of(&user).is_organizer();
        Ok(Player { user, team, staff })
    }

    /// Only a team's members see a contest's challenges, once it has started; organizers always do.
    pub fn may_see_board(&self, contest: &contests::Model, now: DateTime<Utc>) -> AppResult<()> {
        if self.staff {
            return Ok(());
        }
        if self.team.is_none() {
            return Err(AppError::Forbidden(Msg::JoinTeamFirst));
        }
        if now < contest.starts_at {
            let refusal = Refusal::NotStarted { opens_at: contest.starts_at };
            return Err(AppError::Forbidden(Msg::Refused { refusal, zone: contest.timezone.clone() }));
        }
        Ok(())
    }

    pub fn team_id(&self) -> Option<i32> {
        self.team.as_ref().map(|t| t.id)
    }

    /// Whether this player sees the full standings (organizers) rather than the public, frozen ones.
    pub fn organizer(&self) -> bool {
        role_of(&self.user).is_organizer()
    }

    /// The board this player sees, with the solve counts of their view of the standings (holding every solve
    /// whose team has been told).
    pub async fn board(&self, state: &AppState, contest: &contests::Model, now: DateTime<Utc>) -> AppResult<Board> {
        self.may_see_board(contest, now)?;
        let live = state.live.get(contest).await?;
        let snapshot = live.snapshot();
        let solved = self.team_id().map(|t| live.solved_by(t)).unwrap_or_default();
        let counts = &snapshot.view(self.organizer()).solve_counts;
        Ok(board::build(&snapshot, &Asker { solved_ids: &solved, staff: self.staff, counts, now }))
    }

    /// The challenge an answer is for, as the board shows it; 404 if the player may not know of it. The
    /// team's own solves are up to date (a requirement solved a moment ago is met), while the solve counts
    /// may be a moment behind: judging an answer never waits for the standings to be recomputed.
    pub async fn item_to_answer(
        &self,
        state: &AppState,
        contest: &contests::Model,
        now: DateTime<Utc>,
        find: impl Fn(&ChallengeView) -> bool,
    ) -> AppResult<Item> {
        self.may_see_board(contest, now)?;
        let live = state.live.get(contest).await?;
        let snapshot = live.snapshot();
        let id = snapshot.challenges.iter().find(|v| find(v)).map(|v| v.challenge.id).ok_or(AppError::NotFound)?;
        let solved = self.team_id().map(|t| live.solved_by(t)).unwrap_or_default();
        let counts = &snapshot.view(self.organizer()).solve_counts;
        board::item(&snapshot, &Asker { solved_ids: &solved, staff: self.staff, counts, now }, id)
            .ok_or(AppError::NotFound)
    }

    /// One challenge the player may open, by a predicate; 404 for hidden or unknown ones, 403 with the
    /// reason for those not open yet or locked.
    pub fn open_item<'b>(
        &self,
        board: &'b Board,
        contest: &contests::Model,
        find: impl Fn(&Item) -> bool,
    ) -> AppResult<&'b Item> {
        let item = board.items().find(|i| find(i)).ok_or(AppError::NotFound)?;
        match refusal_of(item) {
            None => Ok(item),
            Some(refusal) => Err(AppError::Forbidden(Msg::Refused { refusal, zone: contest.timezone.clone() })),
        }
    }

    /// The item, if the player may open it; 403 with the reason otherwise.
    pub fn check_open(&self, item: Item, contest: &contests::Model) -> AppResult<Item> {
        match refusal_of(&item) {
            None => Ok(item),
            Some(refusal) => Err(AppError::Forbidden(Msg::Refused { refusal, zone: contest.timezone.clone() })),
        }
    }
}

/// Why a challenge cannot be opened yet, if it cannot.
pub fn refusal_of(item: &Item) -> Option<Refusal> {
    match &item.access {
        Access::Open => None,
        Access::NotYet { opens_at } => Some(Refusal::NotOpen { opens_at: *opens_at }),
        Access::Locked { requires } => {
            Some(Refusal::Locked { requires: requires.iter().map(|(slug, _, _)| slug.clone()).collect() })
        }
    }
}

/// A human "3 h 25 min" until `until`.
fn time_left(page: &Page, now: DateTime<Utc>, until: DateTime<Utc>) -> String {
    let minutes = (until - now).num_minutes().max(0);
    if minutes >= 60 {
        format!("{} {} {} {}", minutes / 60, page.t.hours_minutes, minutes % 60, page.t.minutes)
    } else {
        format!("{minutes} {}", page.t.minutes)
    }
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    page: Page,
    contest: contests::Model,
    title: String,
    board: Board,
    contest_left: String,
    area_left: Vec<String>,
    /// The server's time as the page was made, in ms since the epoch: the countdowns' reference.
    now_ms: i64,
    /// The team's place, score and last scoring time, as the scoreboard shows them to it.
    standing: Option<Standing>,
}

pub struct Standing {
    pub team_id: i32,
    pub pos: usize,
    pub score: String,
    pub last: Option<String>,
}

async fn board_page(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let now = Utc::now();
    let player = Player::of(&state, &contest, user).await?;
    let board = player.board(&state, &contest, now).await?;
    let area_left = board.areas.iter().map(|a| time_left(&page, now, a.closes_at)).collect();
    let snapshot = state.live.get(&contest).await?.snapshot();
    let standing = player.team_id().and_then(|t| {
        let row = snapshot.view(player.organizer()).standings.overall.iter().find(|r| r.team_id == t)?;
        let last = row.reached_at.map(|at| page.time(&at, &contest.timezone));
        Some(Standing { team_id: t, pos: row.pos, score: row.score.to_string(), last })
    });
    ok(&BoardPage {
        now_ms: now.timestamp_millis(),
        standing,
        title: page.lang.text(&contest.title, &contest.title_en).to_owned(),
        contest_left: time_left(&page, now, contest.ends_at),
        area_left,
        page,
        board,
        contest,
    })
}

/// A dataset whose terms the player has not agreed to.
pub struct TermsNeeded {
    pub key: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "challenge.html")]
struct ChallengePage {
    page: Page,
    contest: contests::Model,
    item: Item,
    title: String,
    area_name: String,
    /// Sanitised HTML of the question.
    question: String,
    hints: Vec<HintRow>,
    terms_needed: Vec<TermsNeeded>,
    attempts: Vec<(submissions::Model, String)>,
    attempts_left: Option<i64>,
    /// The verdict of the answer just sent, and whether it was good news.
    result: Option<(String, bool)>,
    typed: String,
    can_answer: bool,
    /// A classification challenge's upload form and uploads, instead of the answer form.
    classification: Option<crate::web::team::classification::Panel>,
}

pub struct HintRow {
    pub id: i32,
    pub cost: i32,
    /// Sanitised HTML, once unlocked.
    pub text: Option<String>,
}

/// What the page shows after an answer or an upload, carried by the redirect that followed it: the verdict (and
/// whether it was good news), what was typed, the problems of a refused file.
pub struct AfterAnswer {
    pub result: Option<(String, bool)>,
    pub typed: String,
    pub problems: Vec<String>,
}

impl AfterAnswer {
    fn none() -> Self {
        AfterAnswer { result: None, typed: String::new(), problems: Vec::new() }
    }

    fn of(flash: Option<Flash>) -> Self {
        match flash {
            Some(f) => AfterAnswer { result: Some((f.text, f.good)), typed: f.typed, problems: f.lines },
            None => AfterAnswer::none(),
        }
    }
}

/// Everything the challenge page shows about one item, for this player.
pub async fn challenge_page_for(
    state: &AppState,
    page: Page,
    contest: contests::Model,
    player: &Player,
    item: Item,
    after: AfterAnswer,
    site: &str,
) -> AppResult<HttpResponse> {
    let AfterAnswer { result, typed, problems } = after;
    let classification =
        crate::web::team::classification::panel(state, &contest, player, &item, problems, site).await?;
    let c = &item.view.challenge;
    let play = match player.team_id() {
        Some(t) => state.live.play(contest.id, t).await?,
        None => Default::default(),
    };
    let hints = item
        .view
        .hints
        .iter()
        .map(|h| HintRow {
            id: h.id,
            cost: h.cost,
            text: (player.staff || play.has_unlocked(h.id))
                .then(|| markdown::to_html(page.lang.text(&h.text, &h.text_en))),
        })
        .collect();
    let mut terms_needed = Vec::new();
    if crate::domain::access::needs_own_agreement(role_of(&player.user)) {
        for d in store::datasets::by_keys(&state.db, &ChallengeView::list(&c.datasets)).await? {
            if needs_agreement(state, &d, player.user.id).await? {
                terms_needed.push(TermsNeeded { key: d.key, name: d.name });
            }
        }
    }
    let (attempts, wrong) = match player.team_id() {
        Some(t) => {
            let list = store::play::attempts(&state.db, t, c.id).await?;
            let wrong = list.iter().filter(|(s, _)| s.outcome == "incorrect").count();
            (list, wrong)
        }
        None => (Vec::new(), 0),
    };
    let attempts_left = (c.max_attempts > 0).then(|| i64::from(c.max_attempts) - i64::try_from(wrong).unwrap_or(0));
    let can_answer = player.team.is_some() && !item.solved && !item.closed && !contest.paused;
    ok(&ChallengePage {
        title: page.lang.text(&c.title, &c.title_en).to_owned(),
        area_name: page.lang.text(&item.view.area.name, &item.view.area.name_en).to_owned(),
        question: markdown::to_html_under_title(
            page.lang.text(&c.description, &c.description_en),
            &[&c.title, &c.title_en],
        ),
        page,
        contest,
        hints,
        terms_needed,
        attempts,
        attempts_left,
        result,
        typed,
        can_answer,
        classification,
        item,
    })
}

async fn needs_agreement(state: &AppState, d: &datasets::Model, user_id: i32) -> AppResult<bool> {
    Ok(d.agreement_required && store::datasets::agreed_at(&state.db, user_id, d).await?.is_none())
}

#[derive(Deserialize)]
struct ChallengePath {
    challenge: String,
}

async fn challenge_page(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<ChallengePath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = Player::of(&state, &contest, user).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.slug == path.challenge)?.clone();
    let flash = Flash::take(&req, &state.cookie_key);
    let shown = flash.is_some();
    let site = crate::web::team::classification::site_of(&req, &state);
    let mut res = challenge_page_for(&state, page, contest, &player, item, AfterAnswer::of(flash), &site).await?;
    if shown {
        Flash::clear(&mut res);
    }
    Ok(res)
}

/// The challenge's page, where an answer's or an upload's verdict is shown (at `#result`) after the redirect.
pub fn back_to_challenge(
    state: &AppState,
    contest: &contests::Model,
    slug: &str,
    flash: Flash,
) -> AppResult<HttpResponse> {
    let target = format!("/contests/{}/challenges/{}#result", contest.slug, slug);
    flash.redirect(&state.cookie_key, state.settings.cookie_secure, &target)
}

#[derive(Deserialize, Default)]
pub struct AnswerFields {
    #[serde(default)]
    answer: String,
}

/// The message and HTTP status of a verdict.
pub fn verdict_message(verdict: &Verdict, zone: &str) -> (Msg, StatusCode) {
    match verdict {
        Verdict::Correct => (Msg::Correct, StatusCode::OK),
        Verdict::Incorrect => (Msg::Incorrect, StatusCode::OK),
        Verdict::AlreadySolved => (Msg::AlreadySolved, StatusCode::OK),
        Verdict::RateLimited { wait_secs } => (Msg::WrongTooFast { secs: *wait_secs }, StatusCode::TOO_MANY_REQUESTS),
        Verdict::Exhausted => (Msg::NoAttemptsLeft, StatusCode::FORBIDDEN),
        Verdict::Refused(refusal) => {
            (Msg::Refused { refusal: refusal.clone(), zone: zone.to_owned() }, StatusCode::FORBIDDEN)
        }
        Verdict::KeyReused => (Msg::IdempotencyKeyReused, StatusCode::UNPROCESSABLE_ENTITY),
    }
}

/// The address a request came from, as recorded with an attempt.
/// The client's address as an answer records it.
pub fn client_ip(req: &HttpRequest) -> String {
    crate::web::kit::client::client_ip(req).map(|ip| ip.to_string()).unwrap_or_default()
}

async fn answer(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<ChallengePath>,
    CsrfForm(form): CsrfForm<AnswerFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = Player::of(&state, &contest, user).await?;
    let item = player.item_to_answer(&state, &contest, Utc::now(), |v| v.challenge.slug == path.challenge).await?;
    let item = player.check_open(item, &contest)?;
    crate::web::team::classification::refuse_flag(&item.view, "answer")?;
    let team = player.acting_team()?.clone();
    let (message, good) = if form.answer.len() > MAX_ANSWER_BYTES {
        (Msg::AnswerTooLong, false)
    } else if form.answer.trim().is_empty() {
        (Msg::Required, false)
    } else {
        let ip = client_ip(&req);
        let judged = attempt::submit(
            &state.answers,
            &state.live,
            Answer {
                contest: &contest,
                view: &item.view,
                team: &team,
                user_id: player.user.id,
                typed: &form.answer,
                ip: &ip,
                key: None,
            },
        )
        .await?;
        let (message, _) = verdict_message(&judged.verdict, &contest.timezone);
        (message, matches!(judged.verdict, Verdict::Correct))
    };
    // Post/Redirect/Get: a reload of the page shows the verdict again without sending the answer twice.
    let mut flash = Flash::new(message.text(page.lang), good);
    if !good {
        flash.typed = form.answer.chars().take(MAX_ANSWER_BYTES).collect();
        flash.typed.truncate(MAX_ANSWER_BYTES);
    }
    back_to_challenge(&state, &contest, &path.challenge, flash)
}

#[derive(Deserialize)]
struct HintPath {
    challenge: String,
    hint: i32,
}

#[derive(Template)]
#[template(path = "hint_confirm.html")]
struct ConfirmPage {
    page: Page,
    contest: contests::Model,
    challenge_slug: String,
    title: String,
    hint_id: i32,
    cost: i32,
}

async fn confirm_unlock(
    req: HttpRequest,
    page: Page,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<HintPath>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = Player::of(&state, &contest, user).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.slug == path.challenge)?;
    let hint = item.view.hints.iter().find(|h| h.id == path.hint).ok_or(AppError::NotFound)?;
    ok(&ConfirmPage {
        title: page.lang.text(&item.view.challenge.title, &item.view.challenge.title_en).to_owned(),
        challenge_slug: item.view.challenge.slug.clone(),
        hint_id: hint.id,
        cost: hint.cost,
        page,
        contest,
    })
}

async fn unlock(
    req: HttpRequest,
    ContestCtx(contest): ContestCtx,
    CurrentUser(user): CurrentUser,
    path: web::Path<HintPath>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let player = Player::of(&state, &contest, user).await?;
    let board = player.board(&state, &contest, Utc::now()).await?;
    let item = player.open_item(&board, &contest, |i| i.view.challenge.slug == path.challenge)?;
    let hint = item.view.hints.iter().find(|h| h.id == path.hint).ok_or(AppError::NotFound)?;
    let team = player.acting_team()?;
    crate::play::unlock_hint(&state.db, &state.live, &contest, item.view.area.id, hint, team.id, player.user.id)
        .await?;
    Ok(see_other(&format!("/contests/{}/challenges/{}#hint-{}", contest.slug, path.challenge, hint.id)))
}
