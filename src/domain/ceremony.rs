//! The closing ceremony (ICPC's "resolver"): from the frozen standings, the results that came after the freeze
//! are revealed one at a time, always for the lowest-ranked team that still has some, until the standings are
//! the final ones; then the awards, area by area, and the overall winners from the last prized place up.
//!
//! Pure: a function of the events the public board is computed from, the final events and the freeze. Each
//! step's standings are computed again from events (not patched), so that a solve of a dynamic challenge moves
//! every solver's score as the final standings will, and the last reveal's standings are the final ones.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::standings::{Entry, EntryKind, Events, Points, Row, Solve};

/// Why a contest holds no ceremony now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The contest has not ended.
    NotEnded,
    /// Nothing was hidden: no freeze, or none before the end.
    NoFreeze,
    /// The results are revealed already (by a ceremony, or from the console).
    Revealed,
}

/// Whether a contest may hold its ceremony at `now`: after the end, with a freeze before the end, until the
/// results are revealed. The freeze when it may.
pub fn allowed(
    ends_at: DateTime<Utc>,
    freeze_at: Option<DateTime<Utc>>,
    revealed: bool,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Refusal> {
    if now < ends_at {
        return Err(Refusal::NotEnded);
    }
    let freeze = freeze_at.filter(|f| *f < ends_at).ok_or(Refusal::NoFreeze)?;
    if revealed { Err(Refusal::Revealed) } else { Ok(freeze) }
}

/// What a revealed result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Solve,
    /// A hint's cost (negative).
    Hint,
    Adjustment,
    /// The hackathon's published score.
    Mark,
    /// A classification challenge's points from its private score instead of its public one.
    PrivateScore,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Solve => "solve",
            Kind::Hint => "hint",
            Kind::Adjustment => "adjustment",
            Kind::Mark => "mark",
            Kind::PrivateScore => "private_score",
        }
    }
}

/// A team's row as the ceremony shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub pos: usize,
    pub team_id: i32,
    pub name: String,
    pub score: Points,
}

impl Placed {
    fn of(row: &Row) -> Placed {
        Placed { pos: row.pos, team_id: row.team_id, name: row.name.clone(), score: row.score }
    }
}

/// One result revealed: whose, what, and where it took the team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    pub team_id: i32,
    pub name: String,
    pub kind: Kind,
    /// The challenge it is about (a solve, a hint, a private score).
    pub challenge_id: Option<i32>,
    /// The team's score after less before.
    pub delta: Points,
    pub before: (usize, Points),
    pub after: (usize, Points),
}

/// An award: the teams at the top of an area (`area_id`), or at one overall place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    /// `None`: the overall standings.
    pub area_id: Option<i32>,
    /// The overall place this step announces; `None` for an area's top teams, announced together.
    pub place: Option<usize>,
    /// Their places and scores in the area (or overall).
    pub winners: Vec<Placed>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Reveal {
        reveal: Reveal,
        standings: Vec<Placed>,
    },
    /// The results of teams outside the standings (hidden or disqualified), counted at once before the others:
    /// their solves still move dynamic values.
    Unranked {
        results: usize,
        standings: Vec<Placed>,
    },
    Award(Award),
}

impl Step {
    fn standings(&self) -> Option<&[Placed]> {
        match self {
            Step::Reveal { standings, .. } | Step::Unranked { standings, .. } => Some(standings),
            Step::Award(_) => None,
        }
    }
}

/// The whole ceremony: the standings it starts from and its steps (step `n` is `steps[n - 1]`; step 0 is the
/// start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub start: Vec<Placed>,
    pub steps: Vec<Step>,
}

impl Plan {
    /// The number of the last step.
    pub fn last(&self) -> usize {
        self.steps.len()
    }

    /// Step `n` (from 1).
    pub fn step(&self, n: usize) -> Option<&Step> {
        n.checked_sub(1).and_then(|i| self.steps.get(i))
    }

    /// The overall standings once step `n` is shown: an award step keeps those of the last reveal.
    pub fn standings_at(&self, n: usize) -> &[Placed] {
        self.steps[..n.min(self.steps.len())].iter().rev().find_map(Step::standings).unwrap_or(&self.start)
    }
}

/// What the ceremony is made from.
pub struct Input<'a> {
    /// The events the public board is computed from (classification points from public scores).
    pub shown: &'a Events,
    /// The events of the final standings (classification points from private scores).
    pub final_events: &'a Events,
    pub freeze: DateTime<Utc>,
    /// The areas whose top teams are awarded, in order.
    pub areas: &'a [i32],
    /// How many places are awarded, in each area and overall.
    pub awards: usize,
}

/// A result not shown on the frozen board.
#[derive(Debug, Clone)]
enum Pending {
    Solve(Solve),
    Entry(Entry),
    /// A team's classification entries for a challenge: the public ones give way to these.
    Private {
        team_id: i32,
        challenge_id: i32,
        entries: Vec<Entry>,
    },
}

impl Pending {
    fn team_id(&self) -> i32 {
        match self {
            Pending::Solve(s) => s.team_id,
            Pending::Entry(e) => e.team_id,
            Pending::Private { team_id, .. } => *team_id,
        }
    }

    fn kind(&self) -> (Kind, Option<i32>) {
        match self {
            Pending::Solve(s) => (Kind::Solve, Some(s.challenge_id)),
            Pending::Entry(e) => match e.kind {
                EntryKind::Hint { challenge_id } => (Kind::Hint, Some(challenge_id)),
                EntryKind::Adjustment => (Kind::Adjustment, None),
                EntryKind::Mark => (Kind::Mark, None),
                EntryKind::Classification { challenge_id } => (Kind::PrivateScore, Some(challenge_id)),
            },
            Pending::Private { challenge_id, .. } => (Kind::PrivateScore, Some(*challenge_id)),
        }
    }

    fn apply(self, events: &mut Events) {
        match self {
            Pending::Solve(s) => events.solves.push(s),
            Pending::Entry(e) => events.entries.push(e),
            Pending::Private { team_id, challenge_id, entries } => {
                let of = EntryKind::Classification { challenge_id };
                events.entries.retain(|e| !(e.team_id == team_id && e.kind == of));
                events.entries.extend(entries);
            }
        }
    }
}

fn classification_of(e: &Entry) -> Option<i32> {
    match e.kind {
        EntryKind::Classification { challenge_id } => Some(challenge_id),
        _ => None,
    }
}

/// When a team's result comes among its others: its time, solves (0) before entries (1) before a private score
/// (2), then a stable key.
type RevealOrder = (DateTime<Utc>, u8, i64);

/// The frozen board's events and the results it does not show, each team's in the order they are revealed:
/// by time, then solves before entries (by id, then by their order in the events); a private score last, as it
/// is decided at the end.
fn split(input: &Input<'_>) -> (Events, HashMap<i32, Vec<Pending>>) {
    let (shown, final_events, freeze) = (input.shown, input.final_events, input.freeze);
    let mut start = Events {
        solves: final_events.solves.iter().filter(|s| s.at < freeze).copied().collect(),
        entries: final_events
            .entries
            .iter()
            .filter(|e| e.at < freeze && classification_of(e).is_none())
            .copied()
            .chain(shown.entries.iter().filter(|e| e.at < freeze && classification_of(e).is_some()).copied())
            .collect(),
        ..final_events.clone()
    };
    start.entries.sort_by_key(|e| e.at);

    let mut keyed: Vec<(RevealOrder, Pending)> = Vec::new();
    for s in final_events.solves.iter().filter(|s| s.at >= freeze) {
        keyed.push(((s.at, 0, i64::from(s.id)), Pending::Solve(*s)));
    }
    for (i, e) in final_events.entries.iter().enumerate() {
        if e.at >= freeze && classification_of(e).is_none() {
            keyed.push(((e.at, 1, i as i64), Pending::Entry(*e)));
        }
    }
    // Classification: each team's entries of a challenge, on the frozen board and in the final standings.
    let mut groups: HashMap<(i32, i32), (Vec<Entry>, Vec<Entry>)> = HashMap::new();
    for e in &start.entries {
        if let Some(c) = classification_of(e) {
            groups.entry((e.team_id, c)).or_default().0.push(*e);
        }
    }
    for e in &final_events.entries {
        if let Some(c) = classification_of(e) {
            groups.entry((e.team_id, c)).or_default().1.push(*e);
        }
    }
    for ((team_id, challenge_id), (before, after)) in groups {
        if before != after {
            let key = (DateTime::<Utc>::MAX_UTC, 2, i64::from(challenge_id));
            keyed.push((key, Pending::Private { team_id, challenge_id, entries: after }));
        }
    }
    keyed.sort_by_key(|(key, p)| (p.team_id(), *key));
    let mut pending: HashMap<i32, Vec<Pending>> = HashMap::new();
    for (_, p) in keyed {
        pending.entry(p.team_id()).or_default().push(p);
    }
    (start, pending)
}

fn placed(rows: &[Row]) -> Vec<Placed> {
    rows.iter().map(Placed::of).collect()
}

fn place_of(rows: &[Row], team_id: i32) -> (usize, Points) {
    rows.iter().find(|r| r.team_id == team_id).map_or((0, Points::default()), |r| (r.pos, r.score))
}

/// The ceremony's steps.
pub fn plan(input: Input<'_>) -> Plan {
    let (mut events, mut pending) = split(&input);
    let ranked: std::collections::HashSet<i32> =
        input.final_events.teams.iter().filter(|t| !t.hidden).map(|t| t.id).collect();
    let mut rows = events.standings_in(None, &[]).0;
    let start = placed(&rows);
    let mut steps = Vec::new();

    let unranked: Vec<i32> = pending.keys().copied().filter(|t| !ranked.contains(t)).collect();
    if !unranked.is_empty() {
        let mut results = 0;
        for team in unranked {
            for p in pending.remove(&team).unwrap_or_default() {
                p.apply(&mut events);
                results += 1;
            }
        }
        rows = events.standings_in(None, &[]).0;
        steps.push(Step::Unranked { results, standings: placed(&rows) });
    }
    // Each team's results in reverse, so that the next is popped from the end.
    for list in pending.values_mut() {
        list.reverse();
    }

    // The lowest row (the last of equal ones) that still has a result reveals its next.
    while let Some(team_id) =
        rows.iter().rev().map(|r| r.team_id).find(|t| pending.get(t).is_some_and(|l| !l.is_empty()))
    {
        let Some(result) = pending.get_mut(&team_id).and_then(Vec::pop) else { break };
        let before = place_of(&rows, team_id);
        let (kind, challenge_id) = result.kind();
        result.apply(&mut events);
        rows = events.standings_in(None, &[]).0;
        let after = place_of(&rows, team_id);
        let name = rows.iter().find(|r| r.team_id == team_id).map(|r| r.name.clone()).unwrap_or_default();
        let reveal = Reveal { team_id, name, kind, challenge_id, delta: Points(after.1.0 - before.1.0), before, after };
        steps.push(Step::Reveal { reveal, standings: placed(&rows) });
    }

    let (overall, by_area) = events.standings_in(None, input.areas);
    let prized = |r: &&Row| r.pos <= input.awards && r.score > Points::default();
    for area_id in input.areas {
        let winners: Vec<Placed> = by_area.get(area_id).into_iter().flatten().filter(prized).map(Placed::of).collect();
        if !winners.is_empty() {
            steps.push(Step::Award(Award { area_id: Some(*area_id), place: None, winners }));
        }
    }
    for place in (1..=input.awards).rev() {
        let winners: Vec<Placed> = overall.iter().filter(prized).filter(|r| r.pos == place).map(Placed::of).collect();
        if !winners.is_empty() {
            steps.push(Step::Award(Award { area_id: None, place: Some(place), winners }));
        }
    }
    Plan { start, steps }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scoring::Value;
    use crate::domain::standings::{AreaInfo, ChallengeInfo, TeamInfo, View};
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 10, 20, 0, m, 0).single().expect("valid")
    }

    /// The freeze: minute 30.
    const FREEZE: u32 = 30;

    fn team(id: i32, name: &str) -> TeamInfo {
        TeamInfo { id, name: name.into(), hidden: false }
    }

    /// Teams A to E (1 to 5) and a hidden one (9); area 1 (on day) with challenges 10 (static 100), 11 (static
    /// 200), 12 (linear 500, −100 a solver, at least 100); area 2 (not on day) with classification challenge 20.
    fn events() -> Events {
        let mut teams: Vec<TeamInfo> = ["A", "B", "C", "D", "E"].iter().zip(1..).map(|(n, i)| team(i, n)).collect();
        teams.push(TeamInfo { id: 9, name: "Hidden".into(), hidden: true });
        Events {
            teams,
            areas: vec![AreaInfo { id: 1, on_day: true }, AreaInfo { id: 2, on_day: false }],
            challenges: vec![
                ChallengeInfo { id: 10, area_id: 1, title: "ten".into(), value: Value::Static { points: 100 } },
                ChallengeInfo { id: 11, area_id: 1, title: "eleven".into(), value: Value::Static { points: 200 } },
                ChallengeInfo {
                    id: 12,
                    area_id: 1,
                    title: "twelve".into(),
                    value: Value::Linear { initial: 500, minimum: 100, decay: 100 },
                },
                ChallengeInfo { id: 20, area_id: 2, title: "twenty".into(), value: Value::Static { points: 100 } },
            ],
            ..Events::default()
        }
    }

    fn solve(team_id: i32, challenge_id: i32, m: u32) -> Solve {
        Solve { id: team_id * 1000 + challenge_id, team_id, challenge_id, user_id: team_id, at: t(m) }
    }

    fn entry(team_id: i32, points: i64, m: u32, kind: EntryKind) -> Entry {
        let area_id = match kind {
            EntryKind::Adjustment => None,
            EntryKind::Mark | EntryKind::Classification { .. } => Some(2),
            EntryKind::Hint { .. } => Some(1),
        };
        Entry { team_id, area_id, points: Points::whole(points as i32), at: t(m), kind }
    }

    fn input<'a>(shown: &'a Events, final_events: &'a Events) -> Input<'a> {
        Input { shown, final_events, freeze: t(FREEZE), areas: &[1, 2], awards: 3 }
    }

    /// The revealed results as (team, kind, place before, place after).
    fn reveals(plan: &Plan) -> Vec<(String, Kind, usize, usize)> {
        plan.steps
            .iter()
            .filter_map(|s| match s {
                Step::Reveal { reveal: r, .. } => Some((r.name.clone(), r.kind, r.before.0, r.after.0)),
                _ => None,
            })
            .collect()
    }

    fn final_rows(e: &Events) -> Vec<Placed> {
        placed(&e.standings(View::default()))
    }

    #[test]
    fn the_lowest_team_with_results_goes_first_and_the_others_are_passed_over() {
        let mut e = events();
        // Before the freeze: A 300, B 200, C 100, D 0, E 0. After it: C and E solve; A, B and D do nothing.
        e.solves = vec![solve(1, 11, 1), solve(1, 10, 2), solve(2, 11, 3), solve(3, 10, 4)];
        e.solves.extend([solve(3, 11, 40), solve(5, 10, 41), solve(5, 11, 42)]);
        let plan = plan(input(&e, &e));
        assert_eq!(
            plan.start.iter().map(|p| (p.pos, p.name.as_str())).collect::<Vec<_>>(),
            vec![(1, "A"), (2, "B"), (3, "C"), (4, "D"), (4, "E")],
            "the start is the frozen board"
        );
        // E is the last row of the two at 4th (by name): its first solve takes it to 4th alone, still below C, and
        // it is still the lowest with a result: 300, reached later than A's, 2nd. Then C, 4th now: 300, 2nd too.
        assert_eq!(
            reveals(&plan),
            vec![("E".into(), Kind::Solve, 4, 4), ("E".into(), Kind::Solve, 4, 2), ("C".into(), Kind::Solve, 4, 2),]
        );
        assert_eq!(plan.standings_at(3), final_rows(&e).as_slice());
        assert_eq!(plan.standings_at(0), plan.start.as_slice());
    }

    #[test]
    fn ties_are_broken_as_the_standings_break_them() {
        let mut e = events();
        // B and C both 100 before the freeze; B reached it earlier, so C is the lower row and goes first.
        e.solves = vec![solve(2, 10, 1), solve(3, 10, 5), solve(2, 11, 40), solve(3, 11, 41)];
        e.teams.truncate(3);
        let plan = plan(input(&e, &e));
        let names: Vec<String> = reveals(&plan).into_iter().map(|r| r.0).collect();
        assert_eq!(names, vec!["C", "B"]);
        // C overtakes B with 300; then B's 300, reached a minute earlier, takes the lead back.
        assert_eq!(reveals(&plan)[0], ("C".into(), Kind::Solve, 2, 1));
        assert_eq!(reveals(&plan)[1], ("B".into(), Kind::Solve, 2, 1));
    }

    #[test]
    fn a_team_overtakes_several_at_once() {
        let mut e = events();
        // A 300, B 200, C 100, D 100 (later); E nothing before the freeze, then 11 and 10.
        e.solves = vec![solve(1, 11, 1), solve(1, 10, 2), solve(2, 11, 3), solve(3, 10, 4), solve(4, 10, 5)];
        e.solves.extend([solve(5, 10, 32), solve(5, 11, 31)]);
        let plan = plan(input(&e, &e));
        // Its first result (11, the earlier): 200, past C and D to 3rd.
        let Some(Step::Reveal { reveal, standings }) = plan.step(1) else { panic!("a reveal: {plan:?}") };
        assert_eq!((reveal.name.as_str(), reveal.challenge_id, reveal.before.0, reveal.after.0), ("E", Some(11), 5, 3));
        assert_eq!(reveal.delta, Points::whole(200));
        assert_eq!(standings.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["A", "B", "E", "C", "D"]);
        // Its second: 300, past B, equal to A but reached later: 2nd.
        assert_eq!(reveals(&plan)[1], ("E".into(), Kind::Solve, 3, 2));
    }

    #[test]
    fn hint_costs_and_adjustments_are_results_that_move_teams_down() {
        let mut e = events();
        e.solves = vec![solve(1, 11, 1), solve(2, 10, 2)];
        // After the freeze: A pays for a hint and falls below B's later solve; C gets an organizer's bonus.
        e.entries =
            vec![entry(1, -150, 35, EntryKind::Hint { challenge_id: 10 }), entry(3, 10, 50, EntryKind::Adjustment)];
        e.solves.push(solve(2, 11, 45));
        let plan = plan(input(&e, &e));
        assert_eq!(
            reveals(&plan),
            vec![
                // C (last, 0) first: +10 takes it to 3rd anyway. Then B (2nd): 300. Then A (now 2nd): −150.
                ("C".into(), Kind::Adjustment, 3, 3),
                ("B".into(), Kind::Solve, 2, 1),
                ("A".into(), Kind::Hint, 2, 2),
            ]
        );
        let hint = plan.steps.iter().find_map(|s| match s {
            Step::Reveal { reveal, .. } if reveal.kind == Kind::Hint => Some(reveal.clone()),
            _ => None,
        });
        let hint = hint.expect("the hint's cost is revealed");
        assert_eq!((hint.delta, hint.challenge_id, hint.after.1), (Points::whole(-150), Some(10), Points::whole(50)));
    }

    #[test]
    fn a_solve_of_a_dynamic_challenge_moves_every_solver() {
        let mut e = events();
        // A and B solved 12 before the freeze (400 each); C solves it after: 300 for all three.
        e.solves = vec![solve(1, 12, 1), solve(2, 12, 2), solve(3, 12, 40)];
        let plan = plan(input(&e, &e));
        let scores = |rows: &[Placed]| rows.iter().map(|p| (p.name.clone(), p.score)).collect::<Vec<_>>();
        assert_eq!(scores(&plan.start)[..2], [("A".into(), Points::whole(400)), ("B".into(), Points::whole(400))]);
        assert_eq!(
            scores(plan.standings_at(1))[..3],
            [("A".into(), Points::whole(300)), ("B".into(), Points::whole(300)), ("C".into(), Points::whole(300))]
        );
        let Some(Step::Reveal { reveal, .. }) = plan.step(1) else { panic!() };
        assert_eq!(reveal.delta, Points::whole(300), "the team's own gain");
    }

    #[test]
    fn marks_private_scores_and_hidden_teams() {
        let mut shown = events();
        // A 100 + 500 (12, one solver) before the freeze; the hidden team solves 12 after it: 400 for A.
        shown.solves = vec![solve(1, 10, 1), solve(2, 10, 2), solve(9, 11, 3), solve(1, 12, 4), solve(9, 12, 41)];
        let public = EntryKind::Classification { challenge_id: 20 };
        // On the board: B's public score 60 (at 10), then 80 after the freeze (at 35, cut); D 40.
        shown.entries = vec![entry(2, 60, 10, public), entry(4, 40, 12, public), entry(2, 20, 35, public)];
        let mut final_events = shown.clone();
        // Finally: B's private score is 50, D's 200, E's (no public score on the board) 30; A's mark 25.
        final_events.entries = vec![
            entry(2, 50, 8, public),
            entry(4, 200, 12, public),
            entry(5, 30, 20, public),
            entry(1, 25, 50, EntryKind::Mark),
        ];
        let plan = plan(input(&shown, &final_events));
        // The frozen board: A 600, B 160, D 40, C and E 0.
        assert_eq!(plan.start.iter().map(|p| p.score).collect::<Vec<_>>(), [600, 160, 40, 0, 0].map(Points::whole));
        let Step::Unranked { results: 1, standings } = &plan.steps[0] else { panic!("{:?}", plan.steps[0]) };
        assert_eq!(standings[0].score, Points::whole(500), "the hidden team's solve, first, lowers A's value of 12");
        assert_eq!(
            reveals(&plan),
            vec![
                ("E".into(), Kind::PrivateScore, 4, 4),
                ("D".into(), Kind::PrivateScore, 3, 2),
                ("B".into(), Kind::PrivateScore, 3, 3),
                ("A".into(), Kind::Mark, 1, 1),
            ]
        );
        let delta = |name: &str| {
            plan.steps.iter().find_map(|s| match s {
                Step::Reveal { reveal, .. } if reveal.name == name => Some(reveal.delta),
                _ => None,
            })
        };
        assert_eq!(delta("B"), Some(Points::whole(-10)), "public 60 on the board, private 50");
        assert_eq!(delta("D"), Some(Points::whole(160)));
        let last_reveal = plan.steps.iter().rposition(|s| matches!(s, Step::Reveal { .. })).expect("reveals") + 1;
        assert_eq!(plan.standings_at(last_reveal), final_rows(&final_events).as_slice());
    }

    #[test]
    fn awards_follow_each_area_then_the_overall_places_from_the_last() {
        let mut e = events();
        e.teams.truncate(5);
        e.solves = vec![solve(1, 11, 1), solve(2, 11, 2), solve(2, 10, 3), solve(3, 10, 4), solve(4, 10, 4)];
        e.entries = vec![entry(5, 5, 40, EntryKind::Mark)];
        let plan = plan_with_awards(&e, 2);
        type Shown = (Option<i32>, Option<usize>, Vec<(usize, String)>);
        let awards: Vec<Shown> = plan
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Award(a) => {
                    Some((a.area_id, a.place, a.winners.iter().map(|w| (w.pos, w.name.clone())).collect()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            awards,
            vec![
                (Some(1), None, vec![(1, "B".into()), (2, "A".into())]),
                // Area 2: only E scored there; nobody else is prized for nothing.
                (Some(2), None, vec![(1, "E".into())]),
                (None, Some(2), vec![(2, "A".into())]),
                (None, Some(1), vec![(1, "B".into())]),
            ]
        );
        assert_eq!(plan.standings_at(plan.last()), final_rows(&e).as_slice(), "awards keep the final standings");

        // Equal teams share a place: C and D tie for 3rd in area 1 with three awards.
        let plan = plan_with_awards(&e, 3);
        let Some(Step::Award(first)) = plan.steps.iter().find(|s| matches!(s, Step::Award(_))) else { panic!() };
        assert_eq!(
            first.winners.iter().map(|w| (w.pos, w.name.as_str())).collect::<Vec<_>>(),
            vec![(1, "B"), (2, "A"), (3, "C"), (3, "D")]
        );
    }

    fn plan_with_awards(e: &Events, awards: usize) -> Plan {
        plan(Input { awards, ..input(e, e) })
    }

    #[test]
    fn nothing_after_the_freeze_is_a_ceremony_of_awards() {
        let mut e = events();
        e.solves = vec![solve(1, 10, 1)];
        let plan = plan(input(&e, &e));
        assert!(reveals(&plan).is_empty());
        assert_eq!(plan.standings_at(plan.last()), plan.start.as_slice());
        assert_eq!(plan.step(0), None);
        assert!(matches!(plan.step(1), Some(Step::Award(_))));
    }

    #[test]
    fn a_ceremony_needs_the_end_a_freeze_before_it_and_no_reveal() {
        let (end, freeze) = (t(50), Some(t(FREEZE)));
        assert_eq!(allowed(end, freeze, false, t(49)), Err(Refusal::NotEnded));
        assert_eq!(allowed(end, freeze, false, t(50)), Ok(t(FREEZE)));
        assert_eq!(allowed(end, None, false, t(51)), Err(Refusal::NoFreeze));
        assert_eq!(
            allowed(end, Some(t(55)), false, t(56)),
            Err(Refusal::NoFreeze),
            "a freeze after the end hid nothing"
        );
        assert_eq!(allowed(end, freeze, true, t(51)), Err(Refusal::Revealed));
    }

    proptest! {
        /// Whatever happened after the freeze, and in whatever order its results are applied, the start and
        /// the results make the final standings; and the ceremony's last reveal shows exactly those.
        #[test]
        fn the_results_make_the_final_standings_in_any_order(
            solves in proptest::collection::vec((1..=5i32, prop_oneof![Just(10), Just(11), Just(12)], 0..60u32), 0..25),
            entries in proptest::collection::vec((1..=5i32, -50..50i64, 0..60u32, 0..3u8), 0..12),
            hidden in proptest::collection::vec((prop_oneof![Just(10), Just(11), Just(12)], 0..60u32), 0..3),
            order in any::<u64>(),
        ) {
            let mut shown = events();
            let mut seen = std::collections::HashSet::new();
            for (team, challenge, m) in solves.into_iter().chain(hidden.into_iter().map(|(c, m)| (9, c, m))) {
                if seen.insert((team, challenge)) {
                    shown.solves.push(solve(team, challenge, m));
                }
            }
            let mut final_events = shown.clone();
            for (team, points, m, kind) in entries {
                let kind = match kind {
                    0 => EntryKind::Hint { challenge_id: 10 },
                    1 => EntryKind::Adjustment,
                    _ => EntryKind::Classification { challenge_id: 20 },
                };
                let e = entry(team, points, m, kind);
                final_events.entries.push(e);
                // The board's public scores differ from the private ones.
                if matches!(kind, EntryKind::Classification { .. }) {
                    shown.entries.push(Entry { points: Points(e.points.0 / 2 + 7), ..e });
                } else {
                    shown.entries.push(e);
                }
            }
            final_events.entries.sort_by_key(|e| e.at);
            shown.entries.sort_by_key(|e| e.at);
            let inp = input(&shown, &final_events);
            let (mut events, pending) = split(&inp);
            prop_assert_eq!(
                events.standings(View::default()),
                shown.standings(View { area_id: None, until: Some(t(FREEZE)) }),
                "the start is the frozen board"
            );
            let mut all: Vec<Pending> = pending.into_values().flatten().collect();
            // A scrambled order.
            let mut k = order;
            for i in (1..all.len()).rev() {
                k = k.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                all.swap(i, (k >> 33) as usize % (i + 1));
            }
            for p in all {
                p.apply(&mut events);
            }
            prop_assert_eq!(events.standings_in(None, &[1, 2]), final_events.standings_in(None, &[1, 2]));

            let plan = plan(inp);
            let last_reveal = plan.steps.iter().rposition(|s| !matches!(s, Step::Award(_))).map_or(0, |i| i + 1);
            let expected = final_rows(&final_events);
            prop_assert_eq!(plan.standings_at(last_reveal), expected.as_slice());
            prop_assert_eq!(plan.standings_at(plan.last()), expected.as_slice());
            // Every step reveals the lowest team that still had a result then.
            for (i, step) in plan.steps.iter().enumerate() {
                if let Step::Reveal { reveal, .. } = step {
                    let before = plan.standings_at(i);
                    let row = before.iter().rposition(|p| p.team_id == reveal.team_id).expect("its row");
                    prop_assert_eq!(before[row].pos, reveal.before.0);
                }
            }
        }
    }
}
