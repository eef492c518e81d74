//! The closing ceremony as the room sees it: one step in words and the standings around the team it moved, or
//! an award as a card. The venue screen shows it while a ceremony is under way; the organizers' page
//! (`organizer::ceremony`) shows the same with its controls. Only the step on show is ever rendered.

use askama::Template;
use chrono::{DateTime, Utc};
use entity::contests;

use crate::domain::ceremony::{self, Award, Kind, Placed, Plan, Reveal, Step};
use crate::domain::standings::Points;
use crate::live::Snapshot;
use crate::web::kit::i18n::Lang;
use crate::web::kit::page::Page;

/// How many rows of the standings a step shows: those around the team that moved.
const WINDOW: usize = 10;

/// The freeze of a contest whose ceremony is under way at `now`, and the step on show.
pub fn on_show(contest: &contests::Model, now: DateTime<Utc>) -> Option<(DateTime<Utc>, usize)> {
    let step = usize::try_from(contest.ceremony_step?).ok()?;
    let freeze = ceremony::allowed(contest.ends_at, contest.freeze_at, contest.revealed, now).ok()?;
    Some((freeze, step))
}

pub struct ShownRow {
    pub pos: usize,
    pub team_id: i32,
    pub name: String,
    pub score: String,
    /// The row the step is about (the team that moved, an award's winners).
    pub focus: bool,
    /// Where it came from, for the team that moved: "↑ 5".
    pub moved: Option<String>,
}

pub struct Winner {
    pub place: String,
    pub name: String,
    pub score: String,
}

/// One step, ready for the page: the ceremony's part of the screen and of the organizers' page.
#[derive(Template)]
#[template(path = "partials/ceremony_step.html")]
pub struct StepPart<'a> {
    pub page: &'a Page,
    /// "Step 5 / 23".
    pub progress: String,
    /// `start`, `reveal`, `unranked` or `award`, for the style.
    pub kind: &'static str,
    /// The result in words, or the award's title.
    pub headline: String,
    pub winners: Vec<Winner>,
    pub rows: Vec<ShownRow>,
}

/// A place as people say it: "3位", "3rd".
pub fn place(lang: Lang, pos: usize) -> String {
    match lang {
        Lang::Ja => format!("{pos}位"),
        Lang::En => {
            let suffix = match (pos % 10, pos % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{pos}{suffix}")
        }
    }
}

/// Points with their sign: "+200", "-10", "+14.7".
fn signed(p: Points) -> String {
    if p.0 < 0 { p.to_string() } else { format!("+{p}") }
}

/// A challenge's title in the reader's language, hidden ones too (a solve of one is still revealed).
fn challenge_title(lang: Lang, snap: &Snapshot, id: Option<i32>) -> String {
    let Some(id) = id else { return String::new() };
    if let Some(v) = snap.challenges.iter().find(|v| v.challenge.id == id) {
        return lang.text(&v.challenge.title, &v.challenge.title_en).to_owned();
    }
    snap.events.challenges.iter().find(|c| c.id == id).map(|c| c.title.clone()).unwrap_or_default()
}

/// A revealed result in words: "Team X: “alpha” solved, +200 → 3rd".
pub fn in_words(lang: Lang, snap: &Snapshot, r: &Reveal) -> String {
    let (team, title) = (&r.name, challenge_title(lang, snap, r.challenge_id));
    let (delta, to) = (signed(r.delta), place(lang, r.after.0));
    match (lang, r.kind) {
        (Lang::Ja, Kind::Solve) => format!("{team}: 「{title}」を正解 {delta}点 → {to}"),
        (Lang::Ja, Kind::Hint) => format!("{team}: 「{title}」のヒント {delta}点 → {to}"),
        (Lang::Ja, Kind::Adjustment) => format!("{team}: 運営者による得点の調整 {delta}点 → {to}"),
        (Lang::Ja, Kind::Mark) => format!("{team}: ハッカソンの得点 {delta}点 → {to}"),
        (Lang::Ja, Kind::PrivateScore) => format!("{team}: 「{title}」の非公開スコア {delta}点 → {to}"),
        (Lang::En, Kind::Solve) => format!("{team}: “{title}” solved, {delta} → {to}"),
        (Lang::En, Kind::Hint) => format!("{team}: a hint for “{title}”, {delta} → {to}"),
        (Lang::En, Kind::Adjustment) => format!("{team}: an adjustment by the organizers, {delta} → {to}"),
        (Lang::En, Kind::Mark) => format!("{team}: the hackathon's score, {delta} → {to}"),
        (Lang::En, Kind::PrivateScore) => format!("{team}: the private score of “{title}”, {delta} → {to}"),
    }
}

/// An award's title: "Area award: Static analysis", "Overall: 1st".
pub fn award_title(page: &Page, snap: &Snapshot, a: &Award) -> String {
    match (a.area_id, a.place) {
        (Some(area), _) => {
            let name = snap.areas.iter().find(|x| x.id == area).map(|x| page.lang.text(&x.name, &x.name_en));
            format!("{}: {}", page.t.ceremony_area_award, name.unwrap_or_default())
        }
        (None, place_) => format!("{}: {}", page.t.ceremony_overall_award, place(page.lang, place_.unwrap_or(1))),
    }
}

/// The rows around index `at` (or the top or the bottom), `WINDOW` of them.
fn window(rows: &[Placed], at: usize) -> std::ops::Range<usize> {
    let start = at.saturating_sub(WINDOW / 2).min(rows.len().saturating_sub(WINDOW));
    start..(start + WINDOW).min(rows.len())
}

/// Step `step` of a ceremony (0: the standings as they froze), for a reader in `page`'s language.
pub fn part<'a>(page: &'a Page, snap: &Snapshot, plan: &Plan, step: usize, freeze: DateTime<Utc>) -> StepPart<'a> {
    let lang = page.lang;
    let step = step.min(plan.last());
    let rows = plan.standings_at(step);
    let shown = |range: std::ops::Range<usize>, focus: &dyn Fn(&Placed) -> bool, moved: Option<(i32, usize)>| {
        rows[range]
            .iter()
            .map(|p| ShownRow {
                pos: p.pos,
                team_id: p.team_id,
                name: p.name.clone(),
                score: p.score.to_string(),
                focus: focus(p),
                moved: moved.filter(|(team, _)| *team == p.team_id).map(|(_, from)| {
                    let arrow = match from.cmp(&p.pos) {
                        std::cmp::Ordering::Greater => "↑",
                        std::cmp::Ordering::Less => "↓",
                        std::cmp::Ordering::Equal => "→",
                    };
                    format!("{arrow} {from}")
                }),
            })
            .collect::<Vec<_>>()
    };
    let bottom = rows.len().saturating_sub(1);
    let (kind, headline, winners, rows) = match plan.step(step) {
        None => {
            let zone: chrono_tz::Tz = snap.contest.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
            let at = freeze.with_timezone(&zone);
            let when = format!("{} ({})", at.format("%H:%M"), at.format("%Z"));
            let headline = lang
                .pick(format!("{} — {when}", page.t.ceremony_frozen), format!("{} at {when}", page.t.ceremony_frozen));
            ("start", headline, Vec::new(), shown(window(rows, bottom), &|_| false, None))
        }
        Some(Step::Unranked { results, .. }) => {
            let headline = lang.pick(
                format!("順位表に載らないチームの結果 {results} 件を反映しました"),
                format!("{results} results of teams outside the standings are counted"),
            );
            ("unranked", headline, Vec::new(), shown(window(rows, bottom), &|_| false, None))
        }
        Some(Step::Reveal { reveal, .. }) => {
            let at = rows.iter().position(|p| p.team_id == reveal.team_id).unwrap_or(bottom);
            let moved = Some((reveal.team_id, reveal.before.0));
            let focus = |p: &Placed| p.team_id == reveal.team_id;
            ("reveal", in_words(lang, snap, reveal), Vec::new(), shown(window(rows, at), &focus, moved))
        }
        Some(Step::Award(award)) => {
            let winners = award
                .winners
                .iter()
                .map(|w| Winner { place: place(lang, w.pos), name: w.name.clone(), score: w.score.to_string() })
                .collect();
            // An area's award is its card alone; an overall place, the card above the top five of the final standings.
            let focus = |p: &Placed| award.winners.iter().any(|w| w.team_id == p.team_id);
            let top = 0..rows.len().min(WINDOW / 2);
            let table = if award.area_id.is_none() { shown(top, &focus, None) } else { Vec::new() };
            ("award", award_title(page, snap, award), winners, table)
        }
    };
    StepPart {
        page,
        progress: format!("{} {step} / {}", page.t.ceremony_step, plan.last()),
        kind,
        headline,
        winners,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_said_as_people_say_them() {
        let en: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(|p| place(Lang::En, p)).to_vec();
        assert_eq!(en, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th"]);
        assert_eq!(place(Lang::Ja, 3), "3位");
        assert_eq!(
            (signed(Points::whole(200)), signed(Points::whole(-10)), signed(Points(0))),
            ("+200".into(), "-10".into(), "+0".into())
        );
    }

    #[test]
    fn the_window_follows_the_team_and_stays_inside_the_table() {
        let rows: Vec<Placed> = (1..=25)
            .map(|i| Placed { pos: i, team_id: i as i32, name: format!("T{i}"), score: Points::default() })
            .collect();
        assert_eq!(window(&rows, 24), 15..25, "the bottom");
        assert_eq!(window(&rows, 0), 0..10, "the top");
        assert_eq!(window(&rows, 12), 7..17);
        assert_eq!(window(&rows[..4], 3), 0..4, "fewer teams than the window");
    }
}
