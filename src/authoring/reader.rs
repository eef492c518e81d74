//! Reading typed fields out of a TOML table while collecting every problem, so that one run of the
//! check reports all of them, each with its field.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use toml::{Table, Value};

use super::Problem;

pub struct Reader {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// `prefix.key`, or `key` at the top.
pub fn dotted(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_owned() } else { format!("{prefix}.{key}") }
}

impl Reader {
    pub fn new(path: &Path) -> Self {
        Reader { path: path.to_path_buf(), problems: Vec::new() }
    }

    pub fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(&self.path, field, message));
    }

    fn wrong_type(&mut self, field: &str, expected: &str, got: &Value) {
        self.problem(field, format!("must be {expected}, not {}", type_name(got)));
    }

    /// A string that must be present and not blank.
    pub fn string(&mut self, t: &Table, prefix: &str, key: &str) -> Option<String> {
        let field = dotted(prefix, key);
        match t.get(key) {
            None => {
                self.problem(&field, "is missing");
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.problem(&field, "must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong_type(&field, "a string", other);
                None
            }
        }
    }

    pub fn opt_string(&mut self, t: &Table, prefix: &str, key: &str) -> Option<String> {
        match t.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.wrong_type(&dotted(prefix, key), "a string", other);
                None
            }
        }
    }

    /// An integer in `min..=max`; `default` when absent (absent and no default is a problem).
    pub fn integer(
        &mut self,
        t: &Table,
        prefix: &str,
        key: &str,
        default: Option<i64>,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let field = dotted(prefix, key);
        match t.get(key) {
            None if default.is_some() => default,
            None => {
                self.problem(&field, "is missing");
                None
            }
            Some(Value::Integer(n)) if (min..=max).contains(n) => Some(*n),
            Some(Value::Integer(n)) => {
                self.problem(&field, format!("must be between {min} and {max}, not {n}"));
                None
            }
            Some(other) => {
                self.wrong_type(&field, "an integer", other);
                None
            }
        }
    }

    pub fn boolean(&mut self, t: &Table, prefix: &str, key: &str, default: bool) -> bool {
        match t.get(key) {
            None => default,
            Some(Value::Boolean(b)) => *b,
            Some(other) => {
                self.wrong_type(&dotted(prefix, key), "true or false", other);
                default
            }
        }
    }

    /// An RFC 3339 time with an offset, as a TOML date-time or a string.
    pub fn time(&mut self, t: &Table, prefix: &str, key: &str, required: bool) -> Option<DateTime<Utc>> {
        let field = dotted(prefix, key);
        let text = match t.get(key) {
            None => {
                if required {
                    self.problem(&field, "is missing");
                }
                return None;
            }
            Some(Value::Datetime(d)) => d.to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.wrong_type(&field, "an RFC 3339 time", other);
                return None;
            }
        };
        match DateTime::parse_from_rfc3339(&text) {
            Ok(at) => Some(at.with_timezone(&Utc)),
            Err(_) => {
                self.problem(
                    &field,
                    format!("{text:?} is not an RFC 3339 time with an offset (2026-10-20T09:00:00+09:00)"),
                );
                None
            }
        }
    }

    /// An array of strings; absent is empty.
    pub fn strings(&mut self, t: &Table, prefix: &str, key: &str) -> Vec<String> {
        let field = dotted(prefix, key);
        match t.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        other => self.wrong_type(&format!("{field}[{i}]"), "a string", other),
                    }
                }
                out
            }
            Some(other) => {
                self.wrong_type(&field, "an array of strings", other);
                Vec::new()
            }
        }
    }

    pub fn table<'t>(&mut self, t: &'t Table, prefix: &str, key: &str) -> Option<&'t Table> {
        match t.get(key) {
            None => None,
            Some(Value::Table(inner)) => Some(inner),
            Some(other) => {
                self.wrong_type(&dotted(prefix, key), "a table", other);
                None
            }
        }
    }

    /// `[[key]]` entries; absent is none.
    pub fn tables<'t>(&mut self, t: &'t Table, prefix: &str, key: &str) -> Vec<&'t Table> {
        let field = dotted(prefix, key);
        match t.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Table(inner) => out.push(inner),
                        other => self.wrong_type(&format!("{field}[{i}]"), "a table", other),
                    }
                }
                out
            }
            Some(other) => {
                self.wrong_type(&field, "an array of tables", other);
                Vec::new()
            }
        }
    }

    /// Reports keys that are not among `allowed`: a typo must not pass silently.
    pub fn unknown_keys(&mut self, t: &Table, prefix: &str, allowed: &[&str]) {
        for key in t.keys() {
            if !allowed.contains(&key.as_str()) {
                self.problem(dotted(prefix, key), format!("unknown field (expected one of: {})", allowed.join(", ")));
            }
        }
    }
}

/// Reads and parses a TOML file; `None` (with the problem recorded) when it cannot.
pub fn parse_file(path: &Path, problems: &mut Vec<Problem>) -> Option<Table> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            problems.push(Problem::new(path, "-", "is missing"));
            return None;
        }
        Err(e) => {
            problems.push(Problem::new(path, "-", format!("cannot be read: {e}")));
            return None;
        }
    };
    match text.parse::<Table>() {
        Ok(table) => Some(table),
        Err(e) => {
            let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            let place = line.map(|l| format!("line {l}")).unwrap_or_else(|| "-".into());
            problems.push(Problem::new(path, place, format!("is not valid TOML: {}", e.message())));
            None
        }
    }
}
