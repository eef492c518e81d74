//! Registering, logging in and out. Failed logins are limited per account and per address.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use serde::Deserialize;

use crate::config::Registration;
use crate::domain::limiter::{LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS};
use crate::domain::names::{Username, optional_email};
use crate::domain::password;
use crate::domain::role::Role;
use crate::startup::AppState;
use crate::store;
use crate::web::kit::client::client_ip;
use crate::web::kit::cookies::{SESSION_COOKIE, read_signed, removal, signed};
use crate::web::kit::csrf::{CsrfForm, NoFields};
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::state;
use crate::web::kit::page::{Page, ok, render, safe_next, see_other};
use crate::web::kit::routes::{Routes, endpoint};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/register").get(register_form).post(register))
        .add(endpoint("/login").get(login_form).post(login))
        .add(endpoint("/contests/{slug}/login").get(contest_login_form).post(contest_login))
        .add(endpoint("/logout").post(logout));
}

/// Starts a new session for `user_id` (ending the one the browser had, if any) and returns its cookie.
pub async fn start_session(
    req: &HttpRequest,
    state: &AppState,
    user_id: i32,
) -> AppResult<actix_web::cookie::Cookie<'static>> {
    if let Some(old) = read_signed(req, &state.cookie_key, SESSION_COOKIE) {
        store::sessions::end(&state.db, &old).await?;
        state.live.forget_session(&old).await;
    }
    let token = store::sessions::start(&state.db, user_id).await?;
    let age = CookieDuration::days(store::sessions::LIFETIME_DAYS);
    Ok(signed(&state.cookie_key, SESSION_COOKIE, token, state.settings.cookie_secure, Some(age)))
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct RegisterFields {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    page: Page,
    username: String,
    email: String,
    next: String,
}

/// Refused while organizers keep registration closed.
fn registration_open(req: &HttpRequest) -> AppResult<()> {
    match state(req)?.settings.registration {
        Registration::Open => Ok(()),
        Registration::Closed => Err(AppError::Forbidden(Msg::RegistrationClosed)),
    }
}

async fn register_form(req: HttpRequest, page: Page, query: web::Query<NextQuery>) -> AppResult<HttpResponse> {
    registration_open(&req)?;
    let next = safe_next(query.next.as_deref());
    ok(&RegisterPage { page, username: String::new(), email: String::new(), next })
}

async fn register(req: HttpRequest, page: Page, CsrfForm(form): CsrfForm<RegisterFields>) -> AppResult<HttpResponse> {
    registration_open(&req)?;
    match create_account(&req, &form).await {
        Ok(res) => Ok(res),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let page = page.with_error(&e);
            let next = safe_next(Some(&form.next));
            render(e.status_code(), &RegisterPage { page, username: form.username, email: form.email, next })
        }
        Err(e) => Err(e),
    }
}

async fn create_account(req: &HttpRequest, form: &RegisterFields) -> AppResult<HttpResponse> {
    let state = state(req)?;
    let mut errors = Vec::new();
    let username = Username::parse(&form.username).map_err(|e| errors.push(("username", e.into()))).ok();
    if let Err(e) = password::check_strength(&form.password) {
        errors.push(("password", e.into()));
    } else if form.password != form.password_confirm {
        errors.push(("password_confirm", Msg::PasswordsDiffer));
    }
    let email = optional_email(Some(&form.email)).map_err(|_| errors.push(("email", Msg::BadEmail))).ok();
    let (Some(username), Some(email), true) = (username, email, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let password_hash = state.hashing.hash(form.password.clone()).await?;
    let new = store::users::NewUser { username: &username, email, password_hash, role: Role::Participant };
    let user = store::users::create(&state.db, new).await.map_err(|e| match e {
        store::StoreError::UsernameTaken => AppError::Conflict(Msg::UsernameTaken),
        store::StoreError::UsernameConfusable => AppError::Conflict(Msg::UsernameConfusable),
        other => other.into(),
    })?;
    let cookie = start_session(req, &state, user.id).await?;
    let mut res = see_other(&safe_next(Some(&form.next)));
    res.add_cookie(&cookie).map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct LoginFields {
    /// `name` in CTFd's form.
    #[serde(default, alias = "name")]
    username: String,
    #[serde(default)]
    password: String,
    /// Absent from CTFd's form, whose scripts expect to land on `/challenges`.
    next: Option<String>,
}

impl LoginFields {
    fn next(&self) -> String {
        match &self.next {
            Some(next) => safe_next(Some(next)),
            None => "/challenges".to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    page: Page,
    username: String,
    next: String,
    /// Where the form posts: `/login`, or a contest's own login.
    action: String,
}

async fn login_form(page: Page, query: web::Query<NextQuery>) -> AppResult<HttpResponse> {
    let next = safe_next(query.next.as_deref());
    ok(&LoginPage { page, username: String::new(), next, action: "/login".into() })
}

async fn login(req: HttpRequest, page: Page, CsrfForm(form): CsrfForm<LoginFields>) -> AppResult<HttpResponse> {
    let next = form.next();
    login_to(req, page, form, next, "/login".into()).await
}

/// `/contests/{slug}/login`, where CTFd's scripts look for a contest's login: on to its board.
async fn contest_login_form(req: HttpRequest, page: Page, slug: web::Path<String>) -> AppResult<HttpResponse> {
    let (action, next) = contest_login_paths(&req, &slug).await?;
    ok(&LoginPage { page, username: String::new(), next, action })
}

async fn contest_login(
    req: HttpRequest,
    page: Page,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<LoginFields>,
) -> AppResult<HttpResponse> {
    let (action, board) = contest_login_paths(&req, &slug).await?;
    let next = form.next.as_deref().map_or(board, |n| safe_next(Some(n)));
    login_to(req, page, form, next, action).await
}

/// A contest's login form's own path and its board's, for a contest that exists.
async fn contest_login_paths(req: &HttpRequest, slug: &str) -> AppResult<(String, String)> {
    let state = state(req)?;
    let live = state.live.by_slug(slug).await?.ok_or(AppError::NotFound)?;
    let slug = live.snapshot().contest.slug.clone();
    Ok((format!("/contests/{slug}/login"), format!("/contests/{slug}/challenges")))
}

async fn login_to(
    req: HttpRequest,
    page: Page,
    form: LoginFields,
    next: String,
    action: String,
) -> AppResult<HttpResponse> {
    match check_login(&req, &form, &next).await {
        Ok(res) => Ok(res),
        Err(e @ (AppError::Invalid(_) | AppError::Unauthorized(_) | AppError::TooMany { .. })) => {
            let page = page.with_error(&e);
            let mut res = render(e.status_code(), &LoginPage { page, username: form.username, next, action })?;
            if let AppError::TooMany { wait_secs } = e {
                res.headers_mut().insert(actix_web::http::header::RETRY_AFTER, wait_secs.into());
            }
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

async fn check_login(req: &HttpRequest, form: &LoginFields, next: &str) -> AppResult<HttpResponse> {
    let state = state(req)?;
    if form.username.trim().is_empty() || form.password.is_empty() {
        return Err(AppError::Unauthorized(Msg::WrongCredentials));
    }
    let username = Username::parse(&form.username).ok();
    let account = username.as_ref().map_or_else(|| form.username.to_lowercase(), |u| u.key().to_owned());
    // A failure is counted before the password is checked, so a burst of guesses gets no more checks
    // than the limit allows; a right password takes it back.
    let account_key = format!("account:{account}");
    let mut keys = vec![(account_key.clone(), LOGIN_PER_ACCOUNT)];
    if let Some(address) = client_ip(req) {
        keys.push((format!("address:{address}"), LOGIN_PER_ADDRESS));
    }
    let turn = state.hashing.turn().await?;
    let reservation =
        store::limits::reserve_login(&state.db, &keys).await?.map_err(|wait_secs| AppError::TooMany { wait_secs })?;

    let user = match &username {
        Some(u) => store::users::by_username(&state.db, u).await?,
        None => None,
    };
    let stored = user.as_ref().map_or_else(|| password::decoy_hash().to_owned(), |u| u.password_hash.clone());
    let matches = turn.verify(form.password.clone(), stored).await?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(AppError::Unauthorized(Msg::WrongCredentials));
    };
    store::limits::login_succeeded(&state.db, reservation, &account_key).await?;
    let cookie = start_session(req, &state, user.id).await?;
    let mut res = see_other(next);
    res.add_cookie(&cookie).map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}

async fn logout(req: HttpRequest, CsrfForm(_): CsrfForm<NoFields>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    if let Some(token) = read_signed(&req, &state.cookie_key, SESSION_COOKIE) {
        store::sessions::end(&state.db, &token).await?;
        state.live.forget_session(&token).await;
    }
    let mut res = see_other("/");
    res.add_cookie(&removal(SESSION_COOKIE)).map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}
