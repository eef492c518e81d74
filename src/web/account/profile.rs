//! The account page: the password, and API tokens for scripts.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use askama::Template;
use sea_orm::TransactionTrait;
use serde::Deserialize;

use crate::domain::names::optional_text;
use crate::domain::password;
use crate::store;
use crate::web::account::auth::start_session;
use crate::web::kit::csrf::{CsrfForm, NoFields};
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{CurrentUser, state};
use crate::web::kit::flash::Flash;
use crate::web::kit::page::{Page, render, see_other};
use crate::web::kit::routes::{Routes, endpoint};
use actix_web::http::header::{CACHE_CONTROL, HeaderValue};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/account").get(show))
        .add(endpoint("/account/password").post(change_password))
        .add(endpoint("/account/tokens").post(create_token))
        .add(endpoint("/account/tokens/{id}/revoke").post(revoke_token));
}

pub struct TokenRow {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: Option<String>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    page: Page,
    role: String,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    new_token: Option<String>,
}

const ZONE: &str = "Asia/Tokyo";

async fn account_page(
    req: &HttpRequest,
    page: Page,
    user: &entity::users::Model,
    new_token: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let state = state(req)?;
    let tokens = store::tokens::of_user(&state.db, user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: page.time(&t.created_at, ZONE),
            last_used: t.last_used_at.map(|at| page.time(&at, ZONE)),
        })
        .collect();
    render(status, &AccountPage { page, role: user.role.clone(), tokens, new_token })
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(
    req: HttpRequest,
    page: Page,
    CurrentUser(user): CurrentUser,
    q: web::Query<Done>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let page = match q.done.as_deref() {
        Some("password") => {
            let notice = page.t.password_changed;
            page.with_notice(notice)
        }
        Some("revoked") => {
            let notice = page.t.token_revoked;
            page.with_notice(notice)
        }
        _ => page,
    };
    // A token just created comes once, with the redirect that followed its form.
    let new_token = Flash::take(&req, &state.cookie_key).map(|f| f.secret).filter(|t| !t.is_empty());
    let shown = new_token.is_some();
    let mut res = account_page(&req, page, &user, new_token, StatusCode::OK).await?;
    if shown {
        Flash::clear(&mut res);
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct PasswordFields {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    req: HttpRequest,
    page: Page,
    CurrentUser(user): CurrentUser,
    CsrfForm(form): CsrfForm<PasswordFields>,
) -> AppResult<HttpResponse> {
    match set_new_password(&req, &user, form).await {
        Ok(res) => Ok(res),
        Err(e @ AppError::Invalid(_)) => {
            let page = page.with_error(&e);
            account_page(&req, page, &user, None, e.status_code()).await
        }
        Err(e) => Err(e),
    }
}

async fn set_new_password(
    req: &HttpRequest,
    user: &entity::users::Model,
    form: PasswordFields,
) -> AppResult<HttpResponse> {
    let state = state(req)?;
    password::check_strength(&form.new).map_err(|e| AppError::field("new", e))?;
    if form.new != form.confirm {
        return Err(AppError::field("confirm", Msg::PasswordsDiffer));
    }
    if !state.hashing.verify(form.current, user.password_hash.clone()).await? {
        return Err(AppError::field("current", Msg::WrongCurrentPassword));
    }
    let hash = state.hashing.hash(form.new).await?;
    // Whoever else held a session or a token with the old password is shut out; this browser gets a new session.
    let txn = state.db.begin().await?;
    store::users::set_password_hash(&txn, user.id, hash).await?;
    txn.commit().await?;
    state.live.forget_user(user.id).await;
    let cookie = start_session(req, &state, user.id).await?;
    let mut res = see_other("/account?done=password");
    res.add_cookie(&cookie).map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}

#[derive(Deserialize, Default)]
pub struct TokenFields {
    #[serde(default)]
    name: String,
}

async fn create_token(
    req: HttpRequest,
    page: Page,
    CurrentUser(user): CurrentUser,
    CsrfForm(form): CsrfForm<TokenFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let name = match optional_text(Some(&form.name), 64) {
        Ok(name) => name.unwrap_or_else(|| "token".into()),
        Err(e) => {
            let e = AppError::field("name", e);
            return account_page(&req, page.with_error(&e), &user, None, e.status_code()).await;
        }
    };
    let created = store::tokens::create(&state.db, user.id, &name).await?;
    // Post/Redirect/Get, the token carried in the encrypted flash (never in a URL), shown by the next page once.
    let flash = Flash { secret: created.token, ..Flash::new(String::new(), true) };
    flash.redirect(&state.cookie_key, state.settings.cookie_secure, "/account#new-token")
}

async fn revoke_token(
    req: HttpRequest,
    CurrentUser(user): CurrentUser,
    id: web::Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    store::tokens::revoke(&state.db, user.id, id.into_inner()).await?;
    state.live.forget_user(user.id).await;
    Ok(see_other("/account?done=revoked"))
}
