//! Signed cookies: the session and the CSRF token, HttpOnly and SameSite=Lax.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};

pub const SESSION_COOKIE: &str = "mwscup_session";
pub const CSRF_COOKIE: &str = "mwscup_csrf";

/// The value of a cookie whose signature checks out; a forged or altered one reads as absent.
pub fn read_signed(req: &HttpRequest, key: &Key, name: &str) -> Option<String> {
    let cookie = req.cookie(name)?;
    let mut jar = CookieJar::new();
    jar.add_original(cookie);
    jar.signed(key).get(name).map(|c| c.value().to_owned())
}

/// A signed cookie for the whole site; `max_age` of `None` lasts as long as the browser session.
pub fn signed(
    key: &Key,
    name: &'static str,
    value: String,
    secure: bool,
    max_age: Option<Duration>,
) -> Cookie<'static> {
    let mut builder = Cookie::build(name, value).path("/").http_only(true).same_site(SameSite::Lax).secure(secure);
    if let Some(age) = max_age {
        builder = builder.max_age(age);
    }
    let mut jar = CookieJar::new();
    jar.signed_mut(key).add(builder.finish());
    jar.get(name).cloned().unwrap_or_else(|| Cookie::new(name, ""))
}

/// A cookie that tells the browser to forget `name`.
pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut cookie = Cookie::build(name, "").path("/").finish();
    cookie.make_removal();
    cookie
}

/// A plain (unsigned) preference cookie, such as the chosen language.
pub fn preference(name: &'static str, value: &str, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value.to_owned())
        .path("/")
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(Duration::days(365))
        .finish()
}
