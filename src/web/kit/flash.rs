//! What a form's answer carries to the page it redirects to (Post/Redirect/Get): the verdict of an answer, the
//! result of an upload. A reload of that page then shows it again without sending the form a second time.
//!
//! It travels in an encrypted cookie (it may hold what a team typed), for one page: the page it names takes it
//! and clears it, and it lapses after a few minutes if that page is never opened.

use actix_web::cookie::time::Duration;
use actix_web::cookie::{Cookie, CookieJar, Key, SameSite};
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::web::kit::error::{AppError, AppResult};

const FLASH_COOKIE: &str = "mwscup_flash";

/// Longer lists (a refused file's problems) are cut, so that the cookie stays small.
const MAX_LINES: usize = 20;
const MAX_LINE_CHARS: usize = 300;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The message, in the language of the request that made it.
    pub text: String,
    /// Good news (a right answer, a scored upload) rather than a refusal.
    pub good: bool,
    /// What was typed, to put back into the form after a wrong answer.
    pub typed: String,
    /// Details (the problems of a refused file).
    pub lines: Vec<String>,
    /// A secret shown once (a new API token, a generated password): the cookie is encrypted, and cleared by
    /// the page that shows it, so a reload shows it no more.
    #[serde(default)]
    pub secret: String,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    /// The path of the page it is for.
    path: String,
    flash: Flash,
}

impl Flash {
    pub fn new(text: String, good: bool) -> Self {
        Flash { text, good, ..Flash::default() }
    }

    /// A redirect to `target` (a path, with a query or `#fragment` if needed) carrying this flash to its page.
    pub fn redirect(mut self, key: &Key, secure: bool, target: &str) -> AppResult<HttpResponse> {
        self.lines.truncate(MAX_LINES);
        for line in &mut self.lines {
            if line.chars().count() > MAX_LINE_CHARS {
                *line = line.chars().take(MAX_LINE_CHARS).chain(['…']).collect();
            }
        }
        let path = target.split(['?', '#']).next().unwrap_or(target).to_owned();
        let value = serde_json::to_string(&Stored { path, flash: self }).map_err(anyhow::Error::from)?;
        let cookie = Cookie::build(FLASH_COOKIE, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .max_age(Duration::minutes(5))
            .finish();
        let mut jar = CookieJar::new();
        jar.private_mut(key).add(cookie);
        let sealed = jar.get(FLASH_COOKIE).cloned().ok_or_else(|| AppError::Internal(anyhow::anyhow!("flash")))?;
        let mut res = crate::web::kit::page::see_other(target);
        res.add_cookie(&sealed).map_err(|e| AppError::Internal(e.into()))?;
        Ok(res)
    }

    /// The flash for this request's page, if one came with it. Call `clear` on the response that shows it.
    pub fn take(req: &HttpRequest, key: &Key) -> Option<Flash> {
        let cookie = req.cookie(FLASH_COOKIE)?;
        let mut jar = CookieJar::new();
        jar.add_original(cookie);
        let opened = jar.private(key).get(FLASH_COOKIE)?;
        let stored: Stored = serde_json::from_str(opened.value()).ok()?;
        (stored.path == req.path()).then_some(stored.flash)
    }

    /// Tells the browser to forget the flash once its page has shown it.
    pub fn clear(res: &mut HttpResponse) {
        let _ = res.add_removal_cookie(&Cookie::build(FLASH_COOKIE, "").path("/").finish());
    }
}
