//! The standings as data for others to read: our scoreboard JSON, CTFd's scoreboard shapes, CTFtime's
//! feed, and CSV. Used by the web feeds and by `mwscup export`, so both say the same.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use entity::{areas, contests};
use serde_json::{Value, json};

use crate::domain::standings::{Events, Row};

/// A text cell of a CSV that people open in a spreadsheet, kept from being run as a formula: a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's CSV injection
/// advice), so `=HYPERLINK(…)` as a team name is shown as text. Every CSV we write for people goes through
/// this: `mwscup export --format csv` and the credentials of a bulk registration.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}").into() } else { text.into() }
}

/// A CSV field made safe for spreadsheets ([`spreadsheet_safe`]), quoted when it holds a comma, a quote
/// or a line break.
pub fn csv_field(text: &str) -> String {
    let text = spreadsheet_safe(text);
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.into_owned() }
}

fn rfc3339(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn row_json(row: &Row) -> Value {
    json!({
        "pos": row.pos,
        "team_id": row.team_id,
        "team": row.name,
        "score": row.score.to_json(),
        "on_day": row.on_day.to_json(),
        "solves": row.solves.len(),
        "last_at": row.reached_at.as_ref().map(rfc3339),
    })
}

/// `/contests/{slug}/scoreboard.json` and `mwscup export --format json`.
pub fn scoreboard(
    contest: &contests::Model,
    areas: &[areas::Model],
    overall: &[Row],
    by_area: &HashMap<i32, Vec<Row>>,
    frozen_at: Option<DateTime<Utc>>,
) -> Value {
    let per_area: serde_json::Map<String, Value> = areas
        .iter()
        .map(|a| {
            (
                a.key.clone(),
                json!(by_area.get(&a.id).map(|rows| rows.iter().map(row_json).collect::<Vec<_>>()).unwrap_or_default()),
            )
        })
        .collect();
    json!({
        "contest": contest.slug,
        "title": contest.title,
        "title_en": contest.title_en,
        "frozen_at": frozen_at.as_ref().map(rfc3339),
        "areas": areas.iter().map(|a| json!({"key": a.key, "name": a.name, "name_en": a.name_en, "on_day": a.on_day})).collect::<Vec<_>>(),
        "standings": overall.iter().map(row_json).collect::<Vec<_>>(),
        "by_area": per_area,
    })
}

/// CTFd's `GET scoreboard`. Scores are whole points, halves rounded up, since CTFd's clients take only
/// integers; `scoreboard` keeps the exact hundredths.
pub fn ctfd_scoreboard(overall: &[Row]) -> Value {
    json!(
        overall
            .iter()
            .map(|r| json!({
                "pos": r.pos,
                "account_id": r.team_id,
                "account_url": format!("/teams/{}", r.team_id),
                "account_type": "team",
                "oauth_id": null,
                "name": r.name,
                "score": r.score.rounded(),
            }))
            .collect::<Vec<_>>()
    )
}

/// CTFd's `GET scoreboard/top/{n}`: each team's solves with their value now, in whole points as above.
pub fn ctfd_top(overall: &[Row], n: usize) -> Value {
    let mut out = serde_json::Map::new();
    for (i, r) in overall.iter().take(n).enumerate() {
        let solves: Vec<Value> = r
            .solves
            .iter()
            .map(|s| {
                json!({"challenge_id": s.challenge_id, "account_id": r.team_id, "team_id": r.team_id, "user_id": null,
                            "value": s.points.rounded(), "date": rfc3339(&s.at)})
            })
            .collect();
        out.insert((i + 1).to_string(), json!({"id": r.team_id, "account_url": format!("/teams/{}", r.team_id), "name": r.name, "score": r.score.rounded(), "solves": solves}));
    }
    Value::Object(out)
}

/// CTFtime's scoreboard feed: `tasks`, and `standings` with `pos`, `team`, `score`, `taskStats`
/// (`points`, `time` as Unix seconds) and `lastAccept`.
///
/// `shown` says which challenges the reader may know of: the feed names no other (one not open yet, say).
pub fn ctftime(events: &Events, overall: &[Row], shown: impl Fn(i32) -> bool) -> Value {
    let listed = || events.challenges.iter().filter(|c| shown(c.id));
    let titles: HashMap<i32, &str> = listed().map(|c| (c.id, c.title.as_str())).collect();
    let tasks: Vec<&str> = listed().map(|c| c.title.as_str()).collect();
    let standings: Vec<Value> = overall
        .iter()
        .map(|r| {
            let stats: serde_json::Map<String, Value> = r
                .solves
                .iter()
                .filter_map(|s| {
                    Some((
                        titles.get(&s.challenge_id)?.to_string(),
                        json!({"points": s.points.to_json(), "time": s.at.timestamp()}),
                    ))
                })
                .collect();
            let last = r.solves.iter().map(|s| s.at.timestamp()).max().unwrap_or(0);
            json!({"pos": r.pos, "team": r.name, "score": r.score.to_json(), "taskStats": stats, "lastAccept": last})
        })
        .collect();
    json!({"tasks": tasks, "standings": standings})
}

/// `mwscup export --format csv`: one line per team, a column per area.
pub fn csv(areas: &[areas::Model], overall: &[Row], by_area: &HashMap<i32, Vec<Row>>) -> String {
    // Text is always quoted here (as this export always did), and made safe for spreadsheets.
    let quote = |s: &str| format!("\"{}\"", spreadsheet_safe(s).replace('"', "\"\""));
    let mut out = String::from("pos,team_id,team,score,on_day,last_at");
    for a in areas {
        out.push(',');
        out.push_str(&quote(&a.key));
    }
    out.push('\n');
    for r in overall {
        out.push_str(&format!(
            "{},{},{},{},{},{}",
            r.pos,
            r.team_id,
            quote(&r.name),
            r.score,
            r.on_day,
            r.reached_at.as_ref().map(rfc3339).unwrap_or_default()
        ));
        for a in areas {
            let score = by_area
                .get(&a.id)
                .and_then(|rows| rows.iter().find(|x| x.team_id == r.team_id))
                .map(|x| x.score.to_string());
            out.push(',');
            out.push_str(&score.unwrap_or_else(|| "0".into()));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_text() {
        assert_eq!(csv_field("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        for (raw, safe) in [("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1")] {
            assert_eq!(csv_field(raw), safe);
        }
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
        assert_eq!(csv_field("Team Rocket"), "Team Rocket");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(spreadsheet_safe("1-2"), "1-2", "only the first character counts");
    }
}
