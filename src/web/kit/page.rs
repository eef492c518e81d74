//! What every page shares (language, texts, who is logged in, the CSRF token) and how a page is rendered.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures_util::future::LocalBoxFuture;

use crate::domain::role::Role;
use crate::web::kit::csrf::CsrfToken;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::extract::MaybeUser;
use crate::web::kit::i18n::{Lang, Texts};

/// The person a page is for, as the layout shows them.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: i32,
    pub username: String,
    pub role: Role,
}

pub struct Page {
    pub t: &'static Texts,
    pub lang: Lang,
    pub viewer: Option<Viewer>,
    pub csrf: String,
    /// Where the language switch sends the reader back to.
    pub here: String,
    /// A one-line notice above the content (e.g. after a change succeeded).
    pub notice: Option<String>,
    /// A one-line error above the content (e.g. a form that was refused).
    pub error: Option<String>,
    /// Whether anyone may register (the setting `registration`): the links to the form are shown then only.
    pub registration_open: bool,
    /// The time zone the page's times were shown in, named once at its foot.
    zone: std::cell::RefCell<Option<String>>,
}

impl Page {
    fn build(req: &HttpRequest, lang: Lang, viewer: Option<Viewer>) -> Page {
        let csrf = req.extensions().get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
        let here = req.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let registration_open = req
            .app_data::<actix_web::web::Data<crate::startup::AppState>>()
            .is_none_or(|s| s.settings.registration == crate::config::Registration::Open);
        Page {
            t: lang.texts(),
            lang,
            viewer,
            csrf,
            here,
            notice: None,
            error: None,
            registration_open,
            zone: std::cell::RefCell::new(None),
        }
    }

    /// The page around an error: the viewer is shown if an extractor already loaded them.
    pub fn for_error(req: &HttpRequest, lang: Lang) -> Page {
        Page::build(req, lang, MaybeUser::cached(req).map(|u| viewer_of(&u)))
    }

    pub fn with_error(mut self, error: &AppError) -> Page {
        self.error = Some(error.text(self.lang));
        self
    }

    pub fn with_notice(mut self, notice: &str) -> Page {
        self.notice = Some(notice.to_owned());
        self
    }

    /// Judges and organizers: who marks the hackathon.
    pub fn is_judge(&self) -> bool {
        self.viewer.as_ref().is_some_and(|v| v.role >= Role::Judge)
    }

    pub fn is_organizer(&self) -> bool {
        self.viewer.as_ref().is_some_and(|v| v.role.is_organizer())
    }

    /// The address of the language switch.
    pub fn switch_lang_href(&self) -> String {
        let other = self.lang.pick(Lang::En, Lang::Ja);
        format!("/lang/{}?next={}", other.code(), url_encode(&self.here))
    }

    /// The name of an archive item's kind in this page's language.
    pub fn kind_label(&self, kind: &str) -> &'static str {
        match kind {
            "slides" => self.t.kind_slides,
            "script" => self.t.kind_script,
            "writeup" => self.t.kind_writeup,
            "video" => self.t.kind_video,
            "repository" => self.t.kind_repository,
            _ => "",
        }
    }

    /// A time in the given zone, with the zone named.
    /// A time as a page shows it: `13:58` today, `12月2日 13:58` / `2 Dec 13:58` this year, the whole date
    /// otherwise, in `zone`; the zone is named once, at the page's foot (`zone_note`).
    pub fn time(&self, at: &DateTime<Utc>, zone: &str) -> String {
        let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
        self.zone.borrow_mut().get_or_insert_with(|| zone_label(at, tz));
        short_time(at, Utc::now(), tz, self.lang)
    }

    /// The zone of the page's times, e.g. `JST (Asia/Tokyo)`, if it showed any.
    pub fn zone_note(&self) -> Option<String> {
        self.zone.borrow().clone()
    }

    /// An answer's outcome as stored (`incorrect`, `accepted`, …), in the reader's language.
    pub fn outcome(&self, outcome: &str) -> &'static str {
        match outcome {
            "correct" => self.t.outcome_correct,
            "incorrect" => self.t.outcome_incorrect,
            "accepted" => self.t.outcome_accepted,
            "revoked" => self.t.outcome_revoked,
            _ => self.t.outcome_already_solved,
        }
    }

    /// A role as stored (`participant`, `judge`, `organizer`), in the reader's language.
    pub fn role(&self, role: &str) -> &'static str {
        match role {
            "organizer" => self.t.role_organizer,
            "judge" => self.t.role_judge,
            _ => self.t.role_participant,
        }
    }

    /// One of MWS Cup's usual areas by its key (`static`, `dfir`, …), in the reader's language; another key as it is.
    pub fn area_label<'a>(&self, key: &'a str) -> &'a str {
        match key {
            "static" => self.t.area_static,
            "dynamic" => self.t.area_dynamic,
            "surface" => self.t.area_surface,
            "dfir" => self.t.area_dfir,
            "hackathon" => self.t.area_hackathon,
            other => other,
        }
    }

    /// A challenge's group as people read it: its title from `[[groups]]` in this page's language, else its key.
    pub fn group<'a>(&self, challenge: &'a entity::challenges::Model) -> Option<&'a str> {
        let key = challenge.group_name.as_deref()?;
        let title = self.lang.text(&challenge.group_title, &challenge.group_title_en);
        Some(if title.is_empty() { key } else { title })
    }

    /// A file's size as people read it: `812 B`, `4.2 KB`, `1.7 MB` (powers of 1024, one decimal).
    pub fn size(&self, bytes: &i64) -> String {
        human_size(*bytes)
    }
}

pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

pub fn viewer_of(user: &entity::users::Model) -> Viewer {
    Viewer { id: user.id, username: user.username.clone(), role: user.role.parse().unwrap_or(Role::Participant) }
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = MaybeUser::load(&req).await?;
            Ok(Page::build(&req, Lang::of(&req), user.as_deref().map(viewer_of)))
        })
    }
}

/// Renders a template as an HTML response with the given status.
pub fn render(status: actix_web::http::StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(render_bytes(template)?))
}

/// A template's HTML, for a response or a cache.
pub fn render_bytes(template: &impl Template) -> AppResult<actix_web::web::Bytes> {
    Ok(template.render().map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?.into())
}

pub fn ok(template: &impl Template) -> AppResult<HttpResponse> {
    render(actix_web::http::StatusCode::OK, template)
}

/// A redirect after a form was handled (303, so the browser follows with GET).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location.to_owned())).finish()
}

/// A time shown in a zone, with the zone named: `2026-10-20 09:00 JST (Asia/Tokyo)`.
/// A zone as people know it and by its name: `JST (Asia/Tokyo)`.
fn zone_label(at: &DateTime<Utc>, tz: Tz) -> String {
    format!("{} ({})", at.with_timezone(&tz).format("%Z"), tz.name())
}

/// `at` in `tz`, as short as it can be told from `now`: the time alone on the same day, the day and month in the
/// same year, the whole date otherwise.
pub fn short_time(at: &DateTime<Utc>, now: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    use chrono::Datelike;
    let (local, today) = (at.with_timezone(&tz), now.with_timezone(&tz));
    if local.date_naive() == today.date_naive() {
        local.format("%H:%M").to_string()
    } else if local.year() == today.year() {
        match lang {
            Lang::Ja => format!("{}月{}日 {}", local.month(), local.day(), local.format("%H:%M")),
            Lang::En => local.format("%-d %b %H:%M").to_string(),
        }
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

pub fn format_time(at: &DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<Tz>() {
        Ok(tz) => format!("{} ({zone})", at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")),
        Err(_) => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// Percent-encodes everything but unreserved characters and `/`, for a path put into a query.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A `next` address from a query or form, kept only if it stays on this site (`domain::redirect`), else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::domain::redirect::same_site_path).unwrap_or("/").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1024), "1.0 KB");
        assert_eq!(human_size(1_813_860), "1.7 MB");
        assert_eq!(human_size(5 * 1024 * 1024 * 1024), "5.0 GB");
    }

    #[test]
    fn page_times_are_as_short_as_they_can_be() {
        let tz: Tz = "Asia/Tokyo".parse().expect("a zone");
        let now = Utc.with_ymd_and_hms(2026, 10, 20, 3, 0, 0).single().expect("valid");
        let at = |d, h, m| Utc.with_ymd_and_hms(2026, 10, d, h, m, 0).single().expect("valid");
        assert_eq!(short_time(&at(20, 4, 58), now, tz, Lang::Ja), "13:58");
        // 16:00 UTC on the 19th is 01:00 on the 20th in Tokyo: today there.
        assert_eq!(short_time(&at(19, 16, 0), now, tz, Lang::En), "01:00");
        assert_eq!(short_time(&at(2, 4, 58), now, tz, Lang::Ja), "10月2日 13:58");
        assert_eq!(short_time(&at(2, 4, 58), now, tz, Lang::En), "2 Oct 13:58");
        let last_year = Utc.with_ymd_and_hms(2025, 10, 20, 0, 0, 0).single().expect("valid");
        assert_eq!(short_time(&last_year, now, tz, Lang::En), "2025-10-20 09:00");
        assert_eq!(zone_label(&now, tz), "JST (Asia/Tokyo)");
    }

    #[test]
    fn times_are_shown_in_the_zone_with_its_name() {
        let t = Utc.with_ymd_and_hms(2026, 10, 20, 0, 0, 0).single().expect("valid");
        assert_eq!(format_time(&t, "Asia/Tokyo"), "2026-10-20 09:00 JST (Asia/Tokyo)");
        assert_eq!(format_time(&t, "Nowhere/Land"), "2026-10-20 00:00 UTC");
    }

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/account")), "/account");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(url_encode("/a?b=c d"), "/a%3Fb%3Dc%20d");
    }
}
