//! `/admin`: the organizers' home across contests, the audit log of every organizer's and judge's action
//! (filterable by contest, person and kind of action), and bulk registration of teams from a CSV roster.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use entity::{audit_log, contests};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::domain::audit_diff::{self, Change};
use crate::domain::{roster, secret};
use crate::store;
use crate::web::kit::error::{AppError, AppResult, Msg};
use crate::web::kit::extract::{Organizer, state};
use crate::web::kit::page::{Page, ok, render};
use crate::web::kit::routes::{Routes, endpoint};
use crate::web::kit::{body, csrf, trail};

pub fn configure(routes: &mut Routes) {
    routes
        .add(endpoint("/admin").get(home))
        .add(endpoint("/admin/audit").get(audit))
        .add(endpoint("/admin/register").get(register_form).post(register));
}

#[derive(Template)]
#[template(path = "admin.html")]
struct HomePage {
    page: Page,
    contests: Vec<contests::Model>,
}

async fn home(req: HttpRequest, page: Page, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let contests = store::contests::all(&state.db).await?;
    ok(&HomePage { page, contests })
}

#[derive(Deserialize, Default)]
struct AuditQuery {
    #[serde(default)]
    contest: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
}

/// One entry as the table shows it: what changed, field by field, with times in the contest's zone.
struct Row {
    at: String,
    contest: String,
    changes: Vec<Change>,
    entry: audit_log::Model,
}

/// The zone of entries outside any contest (accounts, roles): the one MWS Cup is held in.
const HOME_ZONE: &str = "Asia/Tokyo";

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    page: Page,
    contests: Vec<contests::Model>,
    query: AuditQuery,
    rows: Vec<Row>,
    limit: u64,
}

/// The most entries a page lists (newest first); narrower filters reach older ones.
const SHOWN: u64 = 500;

async fn audit(req: HttpRequest, page: Page, _: Organizer, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let query = q.into_inner();
    let contests = store::contests::all(&state.db).await?;
    let contest = contests.iter().find(|c| c.slug == query.contest.trim());
    let filter = store::audit::Filter {
        contest_id: contest.map(|c| c.id),
        actor: Some(query.actor.trim().to_owned()),
        action: Some(query.action.trim().to_owned()),
        limit: SHOWN,
        ..Default::default()
    };
    let rows = store::audit::list(&state.db, &filter)
        .await?
        .into_iter()
        .map(|entry| {
            let of = contests.iter().find(|c| Some(c.id) == entry.contest_id);
            let zone = of.map_or(HOME_ZONE, |c| c.timezone.as_str());
            let changes =
                audit_diff::changes(entry.before.as_deref(), entry.after.as_deref(), &|at| page.time(at, zone))
                    .into_iter()
                    .map(|c| in_words(&page, c))
                    .collect();
            Row {
                at: page.time(&entry.created_at, zone),
                contest: of.map(|c| c.slug.clone()).unwrap_or_default(),
                changes,
                entry,
            }
        })
        .collect();
    ok(&AuditPage { page, contests, query, rows, limit: SHOWN })
}

/// A change as a Japanese page says it: the logged field's name and its yes/no and role values in words. English
/// pages show them as logged, which is English already.
fn in_words(page: &Page, c: Change) -> Change {
    if page.lang == crate::web::kit::i18n::Lang::En {
        return c;
    }
    let field = match c.field.as_str() {
        "starts_at" => "開始",
        "ends_at" => "終了",
        "freeze_at" => "凍結",
        "opens_at" => "公開",
        "closes_at" => "締切",
        "wrong_answers_per_minute" => "1分あたりの不正解の上限",
        "paused" => "一時停止",
        "revealed" => "最終結果の公開",
        "ceremony" => "表彰式",
        "published_at" => "採点の公開",
        "hidden" => "非表示",
        "disqualified" => "失格",
        "reason" => "理由",
        "points" => "配点",
        "minimum" => "最低配点",
        "role" => "権限",
        "team" | "team_id" => "チーム",
        "old_team" => "元のチーム",
        "user_id" => "利用者",
        "title" => "題名",
        "title_en" => "題名 (英語)",
        "outcome" => "結果",
        "submission" => "解答",
        "score" => "得点",
        "terms_version" => "利用規約の版",
        other => other,
    };
    let value = |v: Option<String>| {
        v.map(|v| match v.as_str() {
            "true" => "はい".to_owned(),
            "false" => "いいえ".to_owned(),
            "participant" | "judge" | "organizer" => page.role(&v).to_owned(),
            "correct" | "incorrect" | "accepted" | "revoked" | "already_solved" => page.outcome(&v).to_owned(),
            _ => v,
        })
    };
    Change { field: field.to_owned(), old: value(c.old), new: value(c.new) }
}

#[derive(Template)]
#[template(path = "admin_register.html")]
struct RegisterPage {
    page: Page,
    contests: Vec<contests::Model>,
    chosen: String,
    problems: Vec<String>,
    csv: String,
}

async fn register_form(req: HttpRequest, page: Page, _: Organizer) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let contests = store::contests::all(&state.db).await?;
    ok(&RegisterPage { page, contests, chosen: String::new(), problems: Vec::new(), csv: String::new() })
}

/// The largest roster taken (a file or pasted text).
const ROSTER_LIMIT: usize = 1024 * 1024;

/// Registers a roster: every line is checked (and names already taken are found) before anything is created;
/// then every account, team and membership is created in one transaction with its audit entry, and the
/// generated passwords and invite codes are given back once, as a CSV download. They are kept nowhere.
async fn register(
    req: HttpRequest,
    page: Page,
    Organizer(organizer): Organizer,
    payload: Multipart,
) -> AppResult<HttpResponse> {
    let state = state(&req)?;
    let form = body::small_multipart(payload, ROSTER_LIMIT).await?;
    if !csrf::matches(&req, form.get("csrf").map_or("", String::as_str)) {
        return Err(AppError::Csrf);
    }
    let contests = store::contests::all(&state.db).await?;
    let chosen = form.get("contest").cloned().unwrap_or_default();
    let contest =
        contests.iter().find(|c| c.slug == chosen).cloned().ok_or(AppError::field("contest", Msg::Required))?;
    let text = match form.get("roster").filter(|t| !t.trim().is_empty()) {
        Some(file) => file.clone(),
        None => form.get("csv").cloned().unwrap_or_default(),
    };
    let max = usize::try_from(contest.max_team_size).unwrap_or(0);
    // Every problem at once: the lines', then the names taken already.
    let roster::Roster { teams, mut problems } = roster::read(&text, max);
    problems.extend(store::roster::taken(&state.db, contest.id, &teams).await?);
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        let problems = problems.iter().map(ToString::to_string).collect();
        let page = page.with_error(&AppError::field("roster", Msg::RosterRefused));
        return render(StatusCode::BAD_REQUEST, &RegisterPage { page, contests, chosen, problems, csv: text });
    }
    let passwords: Vec<String> =
        teams.iter().flat_map(|t| t.members.iter().map(|_| secret::generated_password())).collect();
    let hashes = state.hashing.hash_all(passwords.clone()).await?;
    let txn = state.db.begin().await?;
    let created = store::roster::create(&txn, contest.id, &teams, hashes.into_iter()).await?;
    let names: Vec<&str> = created.iter().map(|(t, _)| t.name.as_str()).collect();
    let members = created.iter().map(|(_, m)| m.len()).sum::<usize>();
    let after = json!({"teams": names, "accounts": members});
    let target = format!("{} teams, {members} accounts", created.len());
    trail::record(&txn, Some(contest.id), &organizer, "users.bulk_register", target, Value::Null, after).await?;
    txn.commit().await?;
    state.live.changed(contest.id).await?;
    let mut csv = String::from("team,affiliation,username,password,invite_code\n");
    let mut plain = passwords.iter();
    for (team, users) in &created {
        for user in users {
            let row = [
                team.name.as_str(),
                team.affiliation.as_deref().unwrap_or(""),
                user.username.as_str(),
                plain.next().map_or("", String::as_str),
                team.invite_code.as_str(),
            ];
            csv.push_str(&row.iter().map(|f| crate::feeds::csv_field(f)).collect::<Vec<_>>().join(","));
            csv.push('\n');
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((CONTENT_DISPOSITION, format!("attachment; filename=\"credentials-{}.csv\"", contest.slug)))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(csv))
}
