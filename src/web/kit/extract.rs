//! Who is asking, and about which contest: extractors, so that no handler repeats a check.

use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::Utc;
use entity::{contests, users};
use futures_util::TryFutureExt;
use futures_util::future::LocalBoxFuture;

use crate::domain::role::Role;
use crate::startup::AppState;
use crate::web::kit::cookies::{SESSION_COOKIE, read_signed};
use crate::web::kit::csrf;
use crate::web::kit::error::{AppError, AppResult, Msg};

pub fn state(req: &HttpRequest) -> AppResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("application state missing")))
}

pub fn role_of(user: &users::Model) -> Role {
    user.role.parse().unwrap_or(Role::Participant)
}

/// The user a request's session cookie belongs to, loaded once per request.
#[derive(Clone)]
struct Loaded(Option<Rc<users::Model>>);

/// The user of a request's API token, once read.
#[derive(Clone)]
struct ByToken(Rc<users::Model>);

pub struct MaybeUser(pub Option<Rc<users::Model>>);

impl MaybeUser {
    pub async fn load(req: &HttpRequest) -> AppResult<Option<Rc<users::Model>>> {
        if let Some(loaded) = req.extensions().get::<Loaded>().cloned() {
            return Ok(loaded.0);
        }
        let state = state(req)?;
        let user = match read_signed(req, &state.cookie_key, SESSION_COOKIE) {
            Some(token) => state.live.identities.by_session(&token).await?.map(|u| Rc::new(users::Model::clone(&u))),
            None => None,
        };
        req.extensions_mut().insert(Loaded(user.clone()));
        Ok(user)
    }

    /// The user if an extractor already loaded them, without asking the database.
    pub fn cached(req: &HttpRequest) -> Option<Rc<users::Model>> {
        req.extensions().get::<Loaded>().and_then(|l| l.0.clone())
    }
}

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(MaybeUser::load(&req).await?)) })
    }
}

/// A logged-in user; pages without one redirect to the login form.
pub struct CurrentUser(pub Rc<users::Model>);

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { MaybeUser::load(&req).await?.map(CurrentUser).ok_or(AppError::LoginRequired) })
    }
}

/// The signed-in user if their role is at least `min`; refused with `refusal` otherwise.
async fn at_least(req: HttpRequest, min: Role, refusal: Msg) -> AppResult<Rc<users::Model>> {
    let user = MaybeUser::load(&req).await?.ok_or(AppError::LoginRequired)?;
    if role_of(&user) >= min { Ok(user) } else { Err(AppError::Forbidden(refusal)) }
}

/// A logged-in organizer; others are refused.
pub struct Organizer(pub Rc<users::Model>);

impl FromRequest for Organizer {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(at_least(req.clone(), Role::Organizer, Msg::OrganizersOnly).map_ok(Organizer))
    }
}

/// A logged-in judge or organizer; others are refused.
pub struct Judge(pub Rc<users::Model>);

impl FromRequest for Judge {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(at_least(req.clone(), Role::Judge, Msg::JudgesOnly).map_ok(Judge))
    }
}

/// The token in `Authorization: Token <t>` or `Authorization: Bearer <t>`.
fn presented_token(req: &HttpRequest) -> Option<Result<String, AppError>> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    let text = match value.to_str() {
        Ok(text) => text.trim(),
        Err(_) => return Some(Err(AppError::BadToken)),
    };
    let (scheme, token) = text.split_once(' ').unwrap_or((text, ""));
    let token = token.trim();
    if (scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer")) && !token.is_empty() {
        Some(Ok(token.to_owned()))
    } else {
        Some(Err(AppError::BadToken))
    }
}

/// The caller of an API endpoint: by API token, or by session cookie (then a request that changes
/// something must carry the CSRF token in a `CSRF-Token` header, as CTFd's pages do).
pub struct ApiCaller(pub Rc<users::Model>);

impl ApiCaller {
    async fn load(req: &HttpRequest) -> AppResult<Rc<users::Model>> {
        if let Some(token) = presented_token(req) {
            let token = token?;
            // An extractor of this request read the token already.
            if let Some(ByToken(user)) = req.extensions().get::<ByToken>().cloned() {
                return Ok(user);
            }
            let state = state(req)?;
            let user = state.live.identities.by_token(&token).await?.ok_or(AppError::BadToken)?;
            let user = Rc::new(users::Model::clone(&user));
            req.extensions_mut().insert(Loaded(Some(user.clone())));
            req.extensions_mut().insert(ByToken(user.clone()));
            return Ok(user);
        }
        let user = MaybeUser::load(req).await?.ok_or(AppError::LoginRequired)?;
        let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let header = req
                .headers()
                .get("CSRF-Token")
                .or_else(|| req.headers().get("X-CSRF-Token"))
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !csrf::matches(req, header) {
                return Err(AppError::Csrf);
            }
        }
        Ok(user)
    }
}

impl FromRequest for ApiCaller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(ApiCaller(ApiCaller::load(&req).await?)) })
    }
}

/// Whoever asks, if anyone: by API token when the request carries one (a wrong one is refused), else by
/// session. For pages and feeds that anyone may read but some read more of.
pub async fn caller_if_any(req: &HttpRequest) -> AppResult<Option<Rc<users::Model>>> {
    if presented_token(req).is_some() {
        return ApiCaller::load(req).await.map(Some);
    }
    MaybeUser::load(req).await
}

/// An API caller who is an organizer.
pub struct ApiOrganizer(pub Rc<users::Model>);

impl FromRequest for ApiOrganizer {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = ApiCaller::load(&req).await?;
            if role_of(&user).is_organizer() {
                Ok(ApiOrganizer(user))
            } else {
                Err(AppError::Forbidden(Msg::OrganizersOnly))
            }
        })
    }
}

/// The contest a request is about: `{slug}` in the path, or, on the un-prefixed API, the contest
/// running now (else the latest).
pub struct ContestCtx(pub contests::Model);

impl FromRequest for ContestCtx {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state(&req)?;
            // The contest as its live view holds it (kept current by the reloads), not read per request.
            let live = match req.match_info().get("slug") {
                Some(slug) => state.live.by_slug(slug).await?.ok_or(AppError::NotFound)?,
                None => state.live.current(Utc::now()).await?.ok_or(AppError::NotFound)?,
            };
            Ok(ContestCtx(live.snapshot().contest.clone()))
        })
    }
}
