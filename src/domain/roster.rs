//! A roster of teams for bulk registration: a CSV, one row a member (`team,affiliation,username,email`), read and
//! checked as a whole. Every problem is reported with its line, and a roster with any problem creates nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::names::{NameError, TeamName, Username};

/// One team of the roster, its members in the order of the file (the first is the captain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterTeam {
    pub name: TeamName,
    pub affiliation: Option<String>,
    pub members: Vec<RosterMember>,
    /// The line of the team's first row, for reports.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterMember {
    pub username: Username,
    pub email: Option<String>,
    pub line: usize,
}

/// A problem with one line (or, at line 0, the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub field: &'static str,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.what)
    }
}

/// The columns a roster has, in this order; a header row naming them is expected.
pub const COLUMNS: [&str; 4] = ["team", "affiliation", "username", "email"];

fn name_problem(e: &NameError) -> String {
    e.to_string()
}

/// A roster as read: the teams of its good lines, and every problem found. It may be created only if
/// there is no problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub teams: Vec<RosterTeam>,
    pub problems: Vec<Problem>,
}

/// Reads a roster; `max_team_size` is the contest's. Names already taken in the database are the caller's to
/// check (`store::roster::taken`), since they need a query.
pub fn read(text: &str, max_team_size: usize) -> Roster {
    let mut problems = Vec::new();
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().map(str::to_ascii_lowercase).eq(COLUMNS.iter().map(|c| (*c).to_owned())) => {}
        Ok(h) => problems.push(Problem {
            line: 1,
            field: "header",
            what: format!("expected `{}`, found `{}`", COLUMNS.join(","), h.iter().collect::<Vec<_>>().join(",")),
        }),
        Err(e) => problems.push(Problem { line: 1, field: "header", what: e.to_string() }),
    }
    let mut teams: BTreeMap<String, RosterTeam> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut usernames: HashSet<String> = HashSet::new();
    // Skeletons (see `names`): a username's to its name, a team's to its key.
    let mut user_looks: HashMap<String, String> = HashMap::new();
    let mut team_looks: HashMap<String, String> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem { line, field: "row", what: e.to_string() });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != COLUMNS.len() {
            problems.push(Problem {
                line,
                field: "row",
                what: format!("{} columns, not {}", record.len(), COLUMNS.len()),
            });
            continue;
        }
        let team = TeamName::parse(&record[0]).map_err(|e| Problem { line, field: "team", what: name_problem(&e) });
        let username =
            Username::parse(&record[2]).map_err(|e| Problem { line, field: "username", what: name_problem(&e) });
        let email = match record[3].trim() {
            "" => Ok(None),
            e if e.len() <= 254 && e.contains('@') && !e.contains(char::is_whitespace) => Ok(Some(e.to_owned())),
            _ => Err(Problem { line, field: "email", what: "not an e-mail address".into() }),
        };
        let affiliation = match record[1].trim() {
            "" => Ok(None),
            a if a.chars().count() <= 100 && !a.chars().any(char::is_control) => Ok(Some(a.to_owned())),
            _ => Err(Problem {
                line,
                field: "affiliation",
                what: "at most 100 characters, no control characters".into(),
            }),
        };
        let (team, username, email, affiliation) = match (team, username, email, affiliation) {
            (Ok(t), Ok(u), Ok(e), Ok(a)) => (t, u, e, a),
            (t, u, e, a) => {
                problems.extend([t.err(), u.err(), e.err(), a.err()].into_iter().flatten());
                continue;
            }
        };
        if !usernames.insert(username.key().to_owned()) {
            problems.push(Problem {
                line,
                field: "username",
                what: format!("{} appears twice in the roster", username.as_str()),
            });
            continue;
        }
        if let Some(other) = user_looks.insert(username.skeleton().to_owned(), username.as_str().to_owned()) {
            problems.push(Problem {
                line,
                field: "username",
                what: format!("{} looks like {other}, also in the roster", username.as_str()),
            });
            continue;
        }
        let key = team.key().to_owned();
        match team_looks.get(team.skeleton()) {
            Some(other) if *other != key => {
                problems.push(Problem {
                    line,
                    field: "team",
                    what: format!("{} looks like {}, also in the roster", team.as_str(), teams[other].name.as_str()),
                });
                continue;
            }
            _ => {
                team_looks.insert(team.skeleton().to_owned(), key.clone());
            }
        }
        let entry = teams.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            RosterTeam { name: team, affiliation: affiliation.clone(), members: Vec::new(), line }
        });
        if entry.affiliation != affiliation && affiliation.is_some() && entry.affiliation.is_some() {
            problems.push(Problem { line, field: "affiliation", what: format!("differs from line {}", entry.line) });
        }
        entry.affiliation = entry.affiliation.take().or(affiliation);
        entry.members.push(RosterMember { username, email, line });
        if entry.members.len() == max_team_size + 1 {
            problems.push(Problem {
                line,
                field: "team",
                what: format!("{} has more than {max_team_size} members", entry.name.as_str()),
            });
        }
    }
    if order.is_empty() && problems.is_empty() {
        problems.push(Problem { line: 0, field: "roster", what: "no team in it".into() });
    }
    problems.sort_by_key(|p| p.line);
    Roster { teams: order.into_iter().filter_map(|k| teams.remove(&k)).collect(), problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "team,affiliation,username,email\n";

    #[test]
    fn rows_group_into_teams_in_file_order() {
        let text = format!("{HEADER}Kuroneko,NTT,neko1,a@example.jp\nShiba,,shiba1,\nKuroneko,NTT,neko2,\n");
        let roster = read(&text, 4);
        assert_eq!(roster.problems, []);
        let teams = roster.teams;
        assert_eq!(teams.len(), 2);
        assert_eq!(teams[0].name.as_str(), "Kuroneko");
        assert_eq!(teams[0].affiliation.as_deref(), Some("NTT"));
        let names: Vec<&str> = teams[0].members.iter().map(|m| m.username.as_str()).collect();
        assert_eq!(names, ["neko1", "neko2"]);
        assert_eq!(teams[0].members[0].email.as_deref(), Some("a@example.jp"));
        assert_eq!(teams[1].affiliation, None);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = format!(
            "{HEADER}Good,,ok1,\n,,nobody,\nBad,,has space,\nBad,,ok1,\nMail,,m1,not-mail\nShort,row\nBig,,b1,\nBig,,b2,\nBig,,b3,\n"
        );
        let problems = read(&text, 2).problems;
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(lines.iter().any(|l| l.starts_with("line 3: team:")), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("line 4: username:")), "{lines:?}");
        assert!(lines.iter().any(|l| l == "line 5: username: ok1 appears twice in the roster"), "{lines:?}");
        assert!(lines.iter().any(|l| l == "line 6: email: not an e-mail address"), "{lines:?}");
        assert!(lines.iter().any(|l| l == "line 7: row: 2 columns, not 4"), "{lines:?}");
        assert!(lines.iter().any(|l| l == "line 10: team: Big has more than 2 members"), "{lines:?}");
    }

    #[test]
    fn a_wrong_header_or_an_empty_roster_is_refused() {
        assert_eq!(read("name,user\nA,b\n", 4).problems[0].field, "header");
        assert_eq!(read(HEADER, 4).problems[0].what, "no team in it");
    }

    #[test]
    fn names_differing_only_in_width_or_case_are_one() {
        let text = format!("{HEADER}Team,,Alice,\nTEAM,,ａｌｉｃｅ,\n");
        let problems = read(&text, 4).problems;
        assert_eq!(problems[0].to_string(), "line 3: username: alice appears twice in the roster");
    }

    #[test]
    fn confusable_names_in_one_roster_are_refused() {
        // A Cyrillic а in the second username, a capital I against a lowercase l in the team names.
        let text = format!("{HEADER}Team l,,alice,\nTeam l,,аlice,\nTeam I,,bob,\n");
        let lines: Vec<String> = read(&text, 4).problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "line 3: username: аlice looks like alice, also in the roster",
                "line 4: team: Team I looks like Team l, also in the roster"
            ]
        );
    }
}
