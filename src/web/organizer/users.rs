//! `/admin/users`: accounts found by name, with their roles; organizers set a role, or reset a password (a new
//! one is generated, shown once and kept nowhere, and the account's sessions end). Each in the audit log.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use entity::users;
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::role::Role;
use crate::domain::secret;
use crate::store;
use crate::web::kit::csrf::CsrfForm;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{Organizer, state};
use crate::web::kit::flash::Flash;
use crate::web::kit::page::{Page, ok, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::trail;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/admin/users").get(list))
        .add(endpoint("/admin/users/{id}/role").post(set_role))
        .add(endpoint("/admin/users/{id}/password").post(reset_password));
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    page: Page,
    q: String,
    users: Vec<users::Model>,
    /// A password just generated: (username, password), shown this once.
    generated: Option<(String, String)>,
}

/// The most accounts a search lists.
const SHOWN: u64 = 200;

async fn list(req: HttpRequest, page: Page, _: Organizer, q: web::Query<SearchQuery>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let users = store::users::search(&state.db, q.q.trim(), SHOWN).await?;
    // A password just generated comes once, with the redirect that followed the reset.
    let Some(flash) = Flash::take(&req, &state.cookie_key) else {
        return ok(&UsersPage { page, q: q.q.trim().to_owned(), users, generated: None });
    };
    let generated = flash.lines.first().map(|name| (name.clone(), flash.secret.clone()));
    let page = page.with_notice(&flash.text);
    let mut res = ok(&UsersPage { page, q: q.q.trim().to_owned(), users, generated })?;
    Flash::clear(&mut res);
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(Deserialize)]
struct UserPath {
    id: i32,
}

#[derive(Deserialize, Default)]
pub struct RoleFields {
    #[serde(default)]
    role: String,
}

async fn set_role(
    req: HttpRequest,
    Organizer(organizer): Organizer,
    path: web::Path<UserPath>,
    CsrfForm(form): CsrfForm<RoleFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let user = store::users::by_id(&state.db, path.id).await?.ok_or(AppError::NotFound)?;
    let role: Role = form.role.parse().map_err(|_| AppError::field("role", Msg::BadRequest))?;
    // An organizer cannot lock the last door behind them: their own role is changed by another organizer.
    if user.id == organizer.id && role != Role::Organizer {
        return Err(AppError::Conflict(Msg::OwnRole));
    }
    if user.role != role.as_str() {
        let txn = state.db.begin().await?;
        store::users::set_role(&txn, user.id, role).await?;
        let (before, after) = (json!({"role": user.role}), json!({"role": role.as_str()}));
        trail::record(&txn, None, &organizer, "user.role", trail::user_target(&user), before, after).await?;
        txn.commit().await?;
        state.live.forget_user(user.id).await;
    }
    Ok(see_other(&format!("/admin/users?q={}", user.username)))
}

async fn reset_password(
    req: HttpRequest,
    page: Page,
    Organizer(organizer): Organizer,
    path: web::Path<UserPath>,
    _: CsrfForm<crate::web::kit::csrf::NoFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let user = store::users::by_id(&state.db, path.id).await?.ok_or(AppError::NotFound)?;
    let plain = secret::generated_password();
    let hash = state.hashing.hash(plain.clone()).await?;
    let txn = state.db.begin().await?;
    // Whoever held the old password is signed out everywhere, and the account's API tokens end.
    store::users::set_password_hash(&txn, user.id, hash).await?;
    trail::record(&txn, None, &organizer, "user.password_reset", trail::user_target(&user), Value::Null, Value::Null)
        .await?;
    txn.commit().await?;
    state.live.forget_user(user.id).await;
    let notice = page.lang.pick(
        "新しいパスワードを作成しました。この画面でのみ表示します。この利用者のログインと API トークンはすべて無効になりました。",
        "A new password was made. It is shown on this page only. The account's sessions and API tokens have all ended.",
    );
    // Post/Redirect/Get: the password travels in the encrypted flash, shown by the next page once.
    let flash = Flash { lines: vec![user.username.clone()], secret: plain, ..Flash::new(notice.to_owned(), true) };
    let target = format!("/admin/users?q={}", crate::web::kit::page::url_encode(&user.username));
    flash.redirect(&state.cookie_key, state.settings.cookie_secure, &target)
}
