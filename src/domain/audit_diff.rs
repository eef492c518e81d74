//! An audit entry's before and after as people read them: the fields that changed, each with its old and new
//! value in plain words (a string without its quotes, a list as `a, b`, a time in the reader's zone), and the
//! fields that appeared or disappeared.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// One field that differs between before and after; `None` where the field was absent (or empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// Shown for a value that is absent or empty.
const NONE: &str = "—";

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| NONE.to_owned());
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{} → {}", show(&self.old), show(&self.new))
    }
}

/// The changes from `before` to `after` (as the log keeps them: JSON text), in the order the fields first
/// appear. A state that is not an object (a note, a number, text that is not JSON) is one unnamed field. `time`
/// shows a time found in a value.
pub fn changes(before: Option<&str>, after: Option<&str>, time: &dyn Fn(&DateTime<Utc>) -> String) -> Vec<Change> {
    let (before, after) = (fields(before), fields(after));
    let mut names: Vec<&String> = before.keys().collect();
    names.extend(after.keys().filter(|k| !before.contains_key(*k)));
    names
        .into_iter()
        .filter_map(|name| {
            let old = before.get(name).and_then(|v| plain(v, time));
            let new = after.get(name).and_then(|v| plain(v, time));
            (old != new).then(|| Change { field: name.clone(), old, new })
        })
        .collect()
}

fn fields(state: Option<&str>) -> Map<String, Value> {
    let Some(text) = state else { return Map::new() };
    match serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())) {
        Value::Null => Map::new(),
        Value::Object(map) => map,
        other => Map::from_iter([(String::new(), other)]),
    }
}

/// A value in plain words; `None` for null or empty.
fn plain(value: &Value, time: &dyn Fn(&DateTime<Utc>) -> String) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(at) => time(&at.with_timezone(&Utc)),
            Err(_) => s.clone(),
        },
        Value::Array(items) => items.iter().filter_map(|v| plain(v, time)).collect::<Vec<_>>().join(", "),
        Value::Object(_) => value.to_string(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(before: Value, after: Value) -> Vec<String> {
        let time = |at: &DateTime<Utc>| at.format("%H:%M").to_string();
        changes(Some(&before.to_string()), Some(&after.to_string()), &time).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn only_what_changed_is_shown_plainly() {
        assert_eq!(lines(json!({"role": "participant"}), json!({"role": "judge"})), ["role: participant → judge"]);
        assert_eq!(
            lines(json!({"paused": false, "note": "x"}), json!({"paused": true, "note": "x"})),
            ["paused: false → true"]
        );
        assert_eq!(
            lines(json!({"teams": ["A", "B"], "accounts": 3}), json!({"teams": ["A"], "accounts": 3})),
            ["teams: A, B → A"]
        );
    }

    #[test]
    fn added_and_removed_fields_are_shown_against_nothing() {
        assert_eq!(lines(Value::Null, json!({"points": "5.50", "area": ""})), ["points: — → 5.50"]);
        assert_eq!(
            lines(json!({"disqualified": false}), json!({"disqualified": true, "reason": "copied"})),
            ["disqualified: false → true", "reason: — → copied"]
        );
        assert_eq!(lines(json!({"hidden": true, "reason": "staff"}), json!({"hidden": true})), ["reason: staff → —"]);
        assert_eq!(lines(json!("before"), json!("after")), ["before → after"]);
        assert_eq!(changes(None, Some("not json"), &|_| String::new())[0].to_string(), "— → not json");
    }

    #[test]
    fn times_are_shown_by_the_reader_s_clock() {
        let before = json!({"opens_at": null, "closes_at": "2026-10-20T03:00:00Z"});
        let after = json!({"opens_at": "2026-10-20T01:30:00Z", "closes_at": "2026-10-20T03:00:00Z"});
        assert_eq!(lines(before, after), ["opens_at: — → 01:30"]);
        assert!(changes(None, None, &|_| String::new()).is_empty());
    }
}
