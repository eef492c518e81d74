//! Standings: who leads, overall and per area. Pure: computed from the events of a contest (solves and
//! point entries such as hint costs, organizers' adjustments and, later, judges' marks), up to an instant
//! (the freeze) when asked.
//!
//! Order: total, then the on-day total (areas marked `on_day`), then the earlier time at which the team
//! reached its score; teams equal on all three share a position. Points are kept in hundredths, so that
//! judges' averages (14.7) add up exactly.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::scoring::Value;

/// Points in hundredths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub i64);

impl Points {
    pub fn whole(points: i32) -> Points {
        Points(i64::from(points) * 100)
    }

    /// Whole points, halves rounded up (105.5 → 106, -2.5 → -2): for CTFd's shapes, whose clients take
    /// only integers.
    pub fn rounded(self) -> i64 {
        (self.0 + 50).div_euclid(100)
    }

    /// As a JSON number: whole points stay integers.
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % 100 == 0 { serde_json::json!(self.0 / 100) } else { serde_json::json!(self.0 as f64 / 100.0) }
    }
}

impl std::fmt::Display for Points {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (sign, abs) = if self.0 < 0 { ("-", -self.0) } else { ("", self.0) };
        match abs % 100 {
            0 => write!(f, "{sign}{}", abs / 100),
            n if n % 10 == 0 => write!(f, "{sign}{}.{}", abs / 100, n / 10),
            n => write!(f, "{sign}{}.{n:02}", abs / 100),
        }
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl std::ops::AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 += o.0;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInfo {
    pub id: i32,
    pub name: String,
    pub hidden: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeInfo {
    pub id: i32,
    pub area_id: i32,
    pub title: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaInfo {
    pub id: i32,
    pub on_day: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Solve {
    /// The solve's own id (CTFd's scripts key solves by it).
    pub id: i32,
    pub team_id: i32,
    pub challenge_id: i32,
    /// The member whose answer made it.
    pub user_id: i32,
    pub at: DateTime<Utc>,
}

/// Points added or taken outside solves: a hint's cost (negative), an organizer's adjustment, a mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub team_id: i32,
    /// The area it counts in; `None` counts in the total only.
    pub area_id: Option<i32>,
    pub points: Points,
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
}

/// What an entry is: the standings add them all alike; the closing ceremony names each when it reveals it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A hint's cost, for the challenge the hint is of.
    Hint {
        challenge_id: i32,
    },
    Adjustment,
    /// The hackathon's score, once the marks are published.
    Mark,
    /// A classification challenge's points: public scores during the contest, private ones once revealed.
    Classification {
        challenge_id: i32,
    },
}

/// Everything standings are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Events {
    pub teams: Vec<TeamInfo>,
    pub areas: Vec<AreaInfo>,
    pub challenges: Vec<ChallengeInfo>,
    pub solves: Vec<Solve>,
    pub entries: Vec<Entry>,
    /// The names of the contest's members and solvers, by user id: for solves shown with who made them.
    pub names: HashMap<i32, String>,
}

/// A solve as a standings row shows it: what it is worth now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolvedItem {
    pub challenge_id: i32,
    pub points: Points,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub pos: usize,
    pub team_id: i32,
    pub name: String,
    pub score: Points,
    pub on_day: Points,
    /// When the team reached its score (its last scoring event); `None` for a team with none.
    pub reached_at: Option<DateTime<Utc>>,
    pub solves: Vec<SolvedItem>,
}

/// Which part of the events a view takes.
#[derive(Debug, Clone, Copy, Default)]
pub struct View {
    /// Only this area (its solves and the entries counted in it).
    pub area_id: Option<i32>,
    /// Only events before this instant (the freeze).
    pub until: Option<DateTime<Utc>>,
}

impl Events {
    fn before(&self, at: DateTime<Utc>, view: View) -> bool {
        view.until.is_none_or(|u| at < u)
    }

    /// How many teams solved each challenge within the view's time: a dynamic value counts every solve,
    /// hidden teams' too.
    pub fn solve_counts(&self, view: View) -> HashMap<i32, u32> {
        let mut counts = HashMap::new();
        for s in self.solves.iter().filter(|s| self.before(s.at, view)) {
            *counts.entry(s.challenge_id).or_insert(0) += 1;
        }
        counts
    }

    /// The first solve of each challenge by a visible team within the view's time ("first blood"), newest
    /// first. A hidden team's earlier solve does not count: the board it would be shown on does not know it.
    pub fn first_solves(&self, until: Option<DateTime<Utc>>) -> Vec<Solve> {
        let view = View { area_id: None, until };
        let visible: HashSet<i32> = self.teams.iter().filter(|t| !t.hidden).map(|t| t.id).collect();
        let mut first: HashMap<i32, Solve> = HashMap::new();
        for s in self.solves.iter().filter(|s| visible.contains(&s.team_id) && self.before(s.at, view)) {
            let earliest = first.entry(s.challenge_id).or_insert(*s);
            if (s.at, s.id) < (earliest.at, earliest.id) {
                *earliest = *s;
            }
        }
        let mut out: Vec<Solve> = first.into_values().collect();
        out.sort_by_key(|s| std::cmp::Reverse((s.at, s.id)));
        out
    }

    /// The standings of visible teams under a view.
    pub fn standings(&self, view: View) -> Vec<Row> {
        match view.area_id {
            None => self.standings_in(view.until, &[]).0,
            Some(a) => self.standings_in(view.until, &[a]).1.remove(&a).unwrap_or_default(),
        }
    }

    /// The standings overall and in each of `areas` (each as `standings` would give it), up to `until`, in one
    /// pass over the events: a busy contest recomputes them after every solve.
    pub fn standings_in(&self, until: Option<DateTime<Utc>>, areas: &[i32]) -> (Vec<Row>, HashMap<i32, Vec<Row>>) {
        let view = View { area_id: None, until };
        let counts = self.solve_counts(view);
        let challenges: HashMap<i32, &ChallengeInfo> = self.challenges.iter().map(|c| (c.id, c)).collect();
        let on_day: HashMap<i32, bool> = self.areas.iter().map(|a| (a.id, a.on_day)).collect();
        let counts_on_day = |area: Option<i32>| area.is_none_or(|a| on_day.get(&a).copied().unwrap_or(true));
        let blank: Vec<Row> = self
            .teams
            .iter()
            .filter(|t| !t.hidden)
            .map(|t| Row {
                pos: 0,
                team_id: t.id,
                name: t.name.clone(),
                score: Points::default(),
                on_day: Points::default(),
                reached_at: None,
                solves: Vec::new(),
            })
            .collect();
        let index: HashMap<i32, usize> = blank.iter().enumerate().map(|(i, r)| (r.team_id, i)).collect();
        let mut overall = blank.clone();
        let mut by_area: HashMap<i32, Vec<Row>> = areas.iter().map(|a| (*a, blank.clone())).collect();
        let add = |row: &mut Row, points: Points, on_day: bool, at: DateTime<Utc>| {
            row.score += points;
            if on_day {
                row.on_day += points;
            }
            row.reached_at = row.reached_at.max(Some(at));
        };

        for s in self.solves.iter().filter(|s| self.before(s.at, view)) {
            let (Some(&i), Some(c)) = (index.get(&s.team_id), challenges.get(&s.challenge_id)) else { continue };
            let points = Points::whole(c.value.at(counts.get(&c.id).copied().unwrap_or(1)));
            let item = SolvedItem { challenge_id: c.id, points, at: s.at };
            let day = counts_on_day(Some(c.area_id));
            for rows in std::iter::once(&mut overall).chain(by_area.get_mut(&c.area_id)) {
                add(&mut rows[i], points, day, s.at);
                rows[i].solves.push(item.clone());
            }
        }
        for e in self.entries.iter().filter(|e| self.before(e.at, view)) {
            let Some(&i) = index.get(&e.team_id) else { continue };
            let day = counts_on_day(e.area_id);
            add(&mut overall[i], e.points, day, e.at);
            if let Some(rows) = e.area_id.and_then(|a| by_area.get_mut(&a)) {
                add(&mut rows[i], e.points, day, e.at);
            }
        }
        for rows in std::iter::once(&mut overall).chain(by_area.values_mut()) {
            for row in rows.iter_mut() {
                row.solves.sort_by_key(|s| (s.at, s.challenge_id));
            }
            rank(rows);
        }
        (overall, by_area)
    }

    /// Each listed team's score after each change, for the score-over-time chart. One pass over the
    /// events in time order, keeping each listed team's score as it goes: a solve raises the count of its
    /// challenge, which moves a dynamic value for every listed team that solved it, as the standings at
    /// that moment would. Each step costs the listed teams it touches, not all of them.
    pub fn progression(&self, view: View, team_ids: &[i32]) -> HashMap<i32, Vec<(DateTime<Utc>, Points)>> {
        enum Step<'a> {
            Solve(&'a Solve),
            Entry(&'a Entry),
        }
        let challenges: HashMap<i32, &ChallengeInfo> = self.challenges.iter().map(|c| (c.id, c)).collect();
        let mut steps: Vec<(DateTime<Utc>, Step<'_>)> = self
            .solves
            .iter()
            .filter(|s| self.before(s.at, view))
            .map(|s| (s.at, Step::Solve(s)))
            .chain(self.entries.iter().filter(|e| self.before(e.at, view)).map(|e| (e.at, Step::Entry(e))))
            .collect();
        steps.sort_by_key(|(at, _)| *at);

        let mut counts: HashMap<i32, u32> = HashMap::new();
        // The listed teams that solved each challenge (within the view's area), whose score its value moves.
        let mut solvers: HashMap<i32, Vec<i32>> = HashMap::new();
        let mut score: HashMap<i32, Points> = team_ids.iter().map(|t| (*t, Points::default())).collect();
        let mut out: HashMap<i32, Vec<(DateTime<Utc>, Points)>> = team_ids.iter().map(|t| (*t, Vec::new())).collect();
        let mut touched: Vec<i32> = Vec::new();
        let mut i = 0;
        while i < steps.len() {
            let at = steps[i].0;
            // Every event of one instant first, then the scores at that instant.
            while i < steps.len() && steps[i].0 == at {
                match steps[i].1 {
                    Step::Solve(s) => {
                        if let Some(c) = challenges.get(&s.challenge_id) {
                            let count = counts.entry(c.id).or_insert(0);
                            let (before, after) = (c.value.at(*count), c.value.at(*count + 1));
                            *count += 1;
                            let list = solvers.entry(c.id).or_default();
                            let moved = Points::whole(after) + Points::whole(-before);
                            for team in list.iter() {
                                if let Some(p) = score.get_mut(team) {
                                    *p += moved;
                                }
                            }
                            touched.extend(list.iter().copied());
                            if view.area_id.is_none_or(|a| a == c.area_id)
                                && let Some(p) = score.get_mut(&s.team_id)
                            {
                                *p += Points::whole(after);
                                list.push(s.team_id);
                                touched.push(s.team_id);
                            }
                        }
                    }
                    Step::Entry(e) => {
                        if (view.area_id.is_none() || view.area_id == e.area_id)
                            && let Some(p) = score.get_mut(&e.team_id)
                        {
                            *p += e.points;
                            touched.push(e.team_id);
                        }
                    }
                }
                i += 1;
            }
            touched.sort_unstable();
            touched.dedup();
            for team in touched.drain(..) {
                let now = score.get(&team).copied().unwrap_or_default();
                let series = out.entry(team).or_default();
                // A series starts at the first change from zero, then follows every change.
                if series.last().map_or(now != Points::default(), |(_, p)| *p != now) {
                    series.push((at, now));
                }
            }
        }
        out
    }
}

/// Sorts and numbers rows; equal teams share a position (1, 2, 2, 4).
fn rank(rows: &mut [Row]) {
    let key = |r: &Row| (std::cmp::Reverse(r.score), std::cmp::Reverse(r.on_day), r.reached_at.is_none(), r.reached_at);
    rows.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name)));
    for i in 0..rows.len() {
        rows[i].pos = if i > 0 && key(&rows[i]) == key(&rows[i - 1]) { rows[i - 1].pos } else { i + 1 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 20, 0, m, 0).single().expect("valid")
    }

    fn team(id: i32, name: &str) -> TeamInfo {
        TeamInfo { id, name: name.into(), hidden: false }
    }

    /// Areas 1 (static, on day) and 2 (hackathon, not on day); challenges 10 (static 100, area 1), 11 (linear
    /// 500/100/100, area 1), 20 (static 50, area 2).
    fn events() -> Events {
        Events {
            teams: vec![
                team(1, "A"),
                team(2, "B"),
                team(3, "C"),
                TeamInfo { id: 4, name: "Hidden".into(), hidden: true },
            ],
            areas: vec![AreaInfo { id: 1, on_day: true }, AreaInfo { id: 2, on_day: false }],
            challenges: vec![
                ChallengeInfo { id: 10, area_id: 1, title: "ten".into(), value: Value::Static { points: 100 } },
                ChallengeInfo {
                    id: 11,
                    area_id: 1,
                    title: "eleven".into(),
                    value: Value::Linear { initial: 500, minimum: 100, decay: 100 },
                },
                ChallengeInfo { id: 20, area_id: 2, title: "twenty".into(), value: Value::Static { points: 50 } },
            ],
            solves: Vec::new(),
            entries: Vec::new(),
            names: HashMap::new(),
        }
    }

    fn solve(team_id: i32, challenge_id: i32, m: u32) -> Solve {
        Solve { id: team_id * 1000 + challenge_id, team_id, challenge_id, user_id: team_id * 10, at: t(m) }
    }

    fn summary(rows: &[Row]) -> Vec<(usize, &str, String)> {
        rows.iter().map(|r| (r.pos, r.name.as_str(), r.score.to_string())).collect()
    }

    #[test]
    fn static_and_dynamic_points_hint_costs_and_adjustments() {
        let mut e = events();
        // 11 is solved by three teams (hidden 4 among them): 500 - 100*2 = 300 for everyone who solved it.
        e.solves = vec![solve(1, 11, 1), solve(2, 11, 2), solve(4, 11, 3), solve(1, 10, 4), solve(3, 20, 5)];
        e.entries = vec![
            Entry { team_id: 1, area_id: Some(1), points: Points::whole(-20), at: t(6), kind: EntryKind::Adjustment },
            Entry { team_id: 3, area_id: None, points: Points(1470), at: t(7), kind: EntryKind::Adjustment },
        ];
        let rows = e.standings(View::default());
        assert_eq!(summary(&rows), vec![(1, "A", "380".into()), (2, "B", "300".into()), (3, "C", "64.7".into())]);
        assert_eq!(
            rows[0].solves.iter().map(|s| s.points).collect::<Vec<_>>(),
            vec![Points::whole(300), Points::whole(100)]
        );
        assert_eq!(rows[2].on_day, Points(1470), "C's hackathon points are not on-day; its adjustment is");
    }

    #[test]
    fn ties_break_on_day_points_then_time_and_equal_teams_share() {
        let mut e = events();
        // A and B both 100 in total; A's is on-day, B's 50 + 50 partly not.
        e.solves = vec![solve(1, 10, 9), solve(2, 20, 1)];
        e.entries = vec![Entry {
            team_id: 2,
            area_id: Some(1),
            points: Points::whole(50),
            at: t(2),
            kind: EntryKind::Adjustment,
        }];
        let rows = e.standings(View::default());
        assert_eq!(summary(&rows)[..2], [(1, "A", "100".into()), (2, "B", "100".into())]);

        // Same totals and on-day totals: the earlier time wins.
        let mut e = events();
        e.solves = vec![solve(1, 10, 9), solve(2, 10, 3)];
        let rows = e.standings(View::default());
        assert_eq!(summary(&rows), vec![(1, "B", "100".into()), (2, "A", "100".into()), (3, "C", "0".into())]);

        // Everything equal: a shared position, and the next one skips.
        let mut e = events();
        e.solves = vec![solve(1, 10, 3), solve(2, 10, 3)];
        let rows = e.standings(View::default());
        assert_eq!(summary(&rows), vec![(1, "A", "100".into()), (1, "B", "100".into()), (3, "C", "0".into())]);
    }

    #[test]
    fn per_area_standings_take_that_area_only() {
        let mut e = events();
        e.solves = vec![solve(1, 10, 1), solve(3, 20, 2)];
        e.entries = vec![Entry {
            team_id: 1,
            area_id: Some(2),
            points: Points::whole(5),
            at: t(3),
            kind: EntryKind::Adjustment,
        }];
        let area2 = e.standings(View { area_id: Some(2), until: None });
        assert_eq!(summary(&area2)[..2], [(1, "C", "50".into()), (2, "A", "5".into())]);
    }

    #[test]
    fn first_blood_is_the_earliest_visible_solve_cut_at_the_freeze() {
        let mut e = events();
        // Hidden 4 solved 10 first; A after it. B solved 11 after the freeze, A before it.
        e.solves = vec![solve(4, 10, 1), solve(2, 11, 30), solve(1, 10, 3), solve(3, 10, 2), solve(1, 11, 5)];
        let firsts =
            |e: &Events, until| e.first_solves(until).iter().map(|s| (s.challenge_id, s.team_id)).collect::<Vec<_>>();
        assert_eq!(firsts(&e, None), vec![(11, 1), (10, 3)], "newest first, each challenge once");
        e.solves.retain(|s| s.team_id != 1);
        assert_eq!(firsts(&e, None), vec![(11, 2), (10, 3)]);
        assert_eq!(firsts(&e, Some(t(20))), vec![(10, 3)], "a first solve after the freeze is not shown yet");
    }

    #[test]
    fn a_freeze_shows_the_standings_as_they_were() {
        let mut e = events();
        e.solves = vec![solve(1, 11, 1), solve(2, 10, 2), solve(2, 11, 30)];
        let frozen = e.standings(View { area_id: None, until: Some(t(20)) });
        assert_eq!(summary(&frozen)[..2], [(1, "A", "500".into()), (2, "B", "100".into())]);
        let live = e.standings(View::default());
        assert_eq!(summary(&live)[..2], [(1, "B", "500".into()), (2, "A", "400".into())]);
    }

    #[test]
    fn the_chart_follows_each_event_with_the_values_of_its_time() {
        let mut e = events();
        e.solves = vec![solve(1, 11, 1), solve(2, 11, 2), solve(1, 10, 3)];
        let p = e.progression(View::default(), &[1, 2]);
        assert_eq!(p[&1], vec![(t(1), Points::whole(500)), (t(2), Points::whole(400)), (t(3), Points::whole(500))]);
        assert_eq!(p[&2], vec![(t(2), Points::whole(400))]);
    }

    #[test]
    fn the_chart_ends_where_the_standings_are() {
        let mut e = events();
        e.solves =
            vec![solve(1, 11, 1), solve(2, 11, 2), solve(3, 10, 3), solve(3, 11, 4), solve(1, 20, 5), solve(4, 11, 6)];
        e.entries = vec![
            Entry { team_id: 2, area_id: Some(1), points: Points::whole(-30), at: t(7), kind: EntryKind::Adjustment },
            Entry { team_id: 3, area_id: None, points: Points(1470), at: t(8), kind: EntryKind::Adjustment },
        ];
        for area_id in [None, Some(1), Some(2)] {
            let view = View { area_id, until: None };
            let rows = e.standings(view);
            let chart = e.progression(view, &[1, 2, 3]);
            for row in rows {
                let last = chart[&row.team_id].last().map(|(_, p)| *p).unwrap_or_default();
                assert_eq!(last, row.score, "team {} in {area_id:?}", row.team_id);
            }
        }
    }

    #[test]
    fn the_chart_agrees_with_the_standings_at_every_instant() {
        let mut e = events();
        e.teams.extend((5..12).map(|i| team(i, &format!("T{i}"))));
        e.challenges.push(ChallengeInfo {
            id: 21,
            area_id: 2,
            title: "decaying".into(),
            value: Value::Logarithmic { initial: 300, minimum: 50, decay: 4 },
        });
        // Every team meets every challenge in a scrambled order, several at some instants, with entries between.
        let teams: Vec<i32> = e.teams.iter().map(|t| t.id).collect();
        let mut n = 0u32;
        for (k, c) in [10, 11, 20, 21].into_iter().enumerate() {
            for (j, team) in teams.iter().enumerate() {
                if (j * 7 + k * 3) % 5 != 0 {
                    n += 1;
                    e.solves.push(solve(*team, c, (n * 37) % 60 / 2));
                }
            }
        }
        for (j, team) in teams.iter().enumerate().step_by(3) {
            let area_id = if j % 2 == 0 { Some(1) } else { None };
            e.entries.push(Entry {
                team_id: *team,
                area_id,
                points: Points(-125),
                at: t(j as u32 * 3 % 30),
                kind: EntryKind::Adjustment,
            });
        }
        let listed: Vec<i32> = teams.iter().copied().filter(|t| *t != 4).collect();
        for area_id in [None, Some(1), Some(2)] {
            let chart = e.progression(View { area_id, until: None }, &listed);
            for m in 0..31 {
                let until = Some(t(m) + chrono::Duration::seconds(1));
                let rows = e.standings(View { area_id, until });
                let (overall, mut areas) = e.standings_in(until, &[1, 2]);
                let together = area_id.map_or(overall, |a| areas.remove(&a).unwrap_or_default());
                assert_eq!(together, rows, "one pass for all areas gives each area's standings, at {m}");
                for row in rows {
                    let charted = chart[&row.team_id].iter().rev().find(|(at, _)| *at <= t(m)).map(|(_, p)| *p);
                    assert_eq!(charted.unwrap_or_default(), row.score, "team {} at {m} in {area_id:?}", row.team_id);
                }
            }
        }
    }

    #[test]
    fn points_print_as_people_write_them() {
        assert_eq!(Points(1470).to_string(), "14.7");
        assert_eq!(Points(1475).to_string(), "14.75");
        assert_eq!(Points(-250).to_string(), "-2.5");
        assert_eq!(Points::whole(300).to_json(), serde_json::json!(300));
        assert_eq!(Points(1470).to_json(), serde_json::json!(14.7));
        let rounded: Vec<i64> = [10550, 10549, 300, -250, -251, 0].map(|h| Points(h).rounded()).to_vec();
        assert_eq!(rounded, vec![106, 105, 3, -2, -3, 0]);
    }
}
