//! CSRF protection for forms: a signed token in a cookie (double submit). Every page gets the token;
//! every form sends it back in a hidden `csrf` field and `CsrfForm` refuses a form without the match.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::domain::secret;
use crate::startup::AppState;
use crate::web::kit::cookies::{CSRF_COOKIE, read_signed, signed};
use crate::web::kit::error::{AppError, Msg, is_api_path};

/// The CSRF token of the current request, for pages to put into their forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Makes sure every visitor holds a token, and gives it to the handlers.
pub async fn ensure_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let existing = read_signed(req.request(), &state.cookie_key, CSRF_COOKIE);
    let fresh = existing.is_none() && !is_api_path(req.path());
    // A script calling the API without the cookie has no form to protect: no token is drawn for it (an
    // empty one matches nothing).
    let token = match existing {
        Some(token) => token,
        None if fresh => secret::session_token(),
        None => String::new(),
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut res = next.call(req).await?;
    if fresh {
        let cookie = signed(&state.cookie_key, CSRF_COOKIE, token, state.settings.cookie_secure, None);
        res.response_mut().add_cookie(&cookie)?;
    }
    Ok(res)
}

/// Whether `presented` is the request's CSRF token.
pub fn matches(req: &HttpRequest, presented: &str) -> bool {
    let ext = req.extensions();
    match ext.get::<CsrfToken>() {
        Some(expected) if !expected.0.is_empty() => bool::from(expected.0.as_bytes().ct_eq(presented.as_bytes())),
        _ => false,
    }
}

#[derive(Deserialize)]
struct WithCsrf<T> {
    /// `nonce` in CTFd's forms, which its login scripts send.
    #[serde(default, alias = "nonce")]
    csrf: String,
    #[serde(flatten)]
    inner: T,
}

/// A submitted form whose CSRF token matched. Fields of `T` should be `#[serde(default)]` strings, so
/// that a missing field reaches the handler's own checks and gets a message beside it.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let form = web::Form::<WithCsrf<T>>::from_request(&req, payload);
        Box::pin(async move {
            let form = form.await.map_err(|_| AppError::field("form", Msg::BadRequest))?.into_inner();
            if matches(&req, &form.csrf) { Ok(CsrfForm(form.inner)) } else { Err(AppError::Csrf) }
        })
    }
}

/// The fields of a form that carries nothing but its CSRF token (a logout button, say).
#[derive(Deserialize, Default)]
pub struct NoFields {}

/// The fields of a form whose action cannot be undone in one click (leaving a team, pausing the contest,
/// revealing the results): the person ticks `confirm` first. Refused with a message beside the box otherwise,
/// so a script posting the form must say so too.
#[derive(Deserialize, Default)]
pub struct Confirmed {
    #[serde(default)]
    confirm: String,
}

impl Confirmed {
    pub fn check(&self) -> Result<(), AppError> {
        confirmed(&self.confirm)
    }
}

/// A ticked confirmation box's value (`yes`, `on`, `true`, `1`), for a form that reads `confirm` among its own
/// fields; refused with the message beside the box otherwise.
pub fn confirmed(value: &str) -> Result<(), AppError> {
    if matches!(value, "yes" | "on" | "true" | "1") {
        Ok(())
    } else {
        Err(AppError::field("confirm", Msg::ConfirmFirst))
    }
}
