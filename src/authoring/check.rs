//! The rules across a whole contest source: times, areas, unique slugs and salts, `requires` without
//! cycles, datasets from the catalog. Pure: works on what `source::read` produced.

use std::collections::{HashMap, HashSet};

use super::Problem;
use super::source::file_name;
use crate::domain::clock::{Schedule, window_problems};
use crate::domain::spec::{ContestSource, HACKATHON, is_slug};

pub fn rules(s: &ContestSource) -> Vec<Problem> {
    let mut out = Vec::new();
    contest(s, &mut out);
    areas(s, &mut out);
    rubric(s, &mut out);
    groups(s, &mut out);
    challenges(s, &mut out);
    requires(s, &mut out);
    datasets(s, &mut out);
    out
}

fn contest(s: &ContestSource, out: &mut Vec<Problem>) {
    let c = &s.contest;
    let p = |field: &str, msg: String| Problem::new(&c.path, field, msg);
    if !is_slug(&c.slug) {
        out.push(p("slug", format!("{:?} is not a slug (a-z, 0-9, -)", c.slug)));
    } else if file_name(&s.dir) != c.slug {
        out.push(p("slug", format!("{:?} differs from the folder name {:?}", c.slug, file_name(&s.dir))));
    }
    if c.timezone.parse::<chrono_tz::Tz>().is_err() {
        out.push(p("timezone", format!("{:?} is not an IANA time zone (Asia/Tokyo)", c.timezone)));
    }
    let schedule = Schedule { starts_at: c.starts_at, ends_at: c.ends_at, freeze_at: c.freeze_at };
    for (field, msg) in schedule.problems() {
        out.push(p(field, msg));
    }
}

fn areas(s: &ContestSource, out: &mut Vec<Problem>) {
    let c = &s.contest;
    let mut seen = HashSet::new();
    for (i, a) in s.areas.iter().enumerate() {
        if !seen.insert(a.key.as_str()) {
            out.push(Problem::new(&c.path, format!("areas[{i}].key"), format!("{:?} is declared twice", a.key)));
        }
        for (field, msg) in window_problems(a.opens_at, a.closes_at, c.starts_at, c.ends_at, "the contest") {
            out.push(Problem::new(&c.path, format!("areas[{i}].{field}"), msg));
        }
    }
}

fn rubric(s: &ContestSource, out: &mut Vec<Problem>) {
    let path = &s.contest.path;
    let mut seen = HashSet::new();
    for (i, c) in s.rubric.iter().enumerate() {
        if !seen.insert(c.key.as_str()) {
            out.push(Problem::new(path, format!("rubric[{i}].key"), format!("{:?} is declared twice", c.key)));
        }
    }
    if !s.rubric.is_empty() && !s.areas.iter().any(|a| a.key == HACKATHON) {
        out.push(Problem::new(
            path,
            "rubric",
            format!("marks the {HACKATHON:?} area's entries, but no [[areas]] has key = {HACKATHON:?}"),
        ));
    }
}

/// Declared groups are unique and used; once a contest declares any, a challenge's group must be one of
/// them, so that a misspelt key does not show as a title of its own.
fn groups(s: &ContestSource, out: &mut Vec<Problem>) {
    let path = &s.contest.path;
    let mut seen = HashSet::new();
    for (i, g) in s.groups.iter().enumerate() {
        if !is_slug(&g.key) {
            out.push(Problem::new(
                path,
                format!("groups[{i}].key"),
                format!("{:?} is not a slug (a-z, 0-9, -)", g.key),
            ));
        } else if !seen.insert(g.key.as_str()) {
            out.push(Problem::new(path, format!("groups[{i}].key"), format!("{:?} is declared twice", g.key)));
        } else if !s.challenges.iter().any(|c| c.group.as_deref() == Some(g.key.as_str())) {
            out.push(Problem::new(path, format!("groups[{i}].key"), format!("{:?}: no challenge is in it", g.key)));
        }
    }
    if s.groups.is_empty() {
        return;
    }
    for ch in &s.challenges {
        if let Some(group) = &ch.group
            && s.group_of(ch).is_none()
        {
            out.push(Problem::new(
                &ch.toml_path,
                "group",
                format!("{group:?} is not among the [[groups]] of contest.toml"),
            ));
        }
    }
}

fn challenges(s: &ContestSource, out: &mut Vec<Problem>) {
    let c = &s.contest;
    let mut slugs: HashMap<&str, &std::path::Path> = HashMap::new();
    let mut salts: HashMap<&str, &str> = HashMap::new();
    for ch in &s.challenges {
        let path = &ch.toml_path;
        if let Some(first) = slugs.insert(&ch.slug, &ch.dir) {
            out.push(Problem::new(&ch.dir, "slug", format!("{:?} is used twice (also {})", ch.slug, first.display())));
        }
        if let Some(other) = salts.insert(&ch.answer.salt, &ch.slug) {
            out.push(Problem::new(
                path,
                "answer.salt",
                format!("is reused (also in {other}): give every challenge its own"),
            ));
        }
        let mut problems = window_problems(ch.opens_at, ch.closes_at, c.starts_at, c.ends_at, "the contest");
        if problems.is_empty()
            && let Some(area) = s.areas.iter().find(|a| a.key == ch.area)
        {
            let from = area.opens_at.unwrap_or(c.starts_at);
            let to = area.closes_at.unwrap_or(c.ends_at);
            problems = window_problems(ch.opens_at, ch.closes_at, from, to, "its area's window");
        }
        for (field, msg) in problems {
            out.push(Problem::new(path, field, msg));
        }
    }
}

fn requires(s: &ContestSource, out: &mut Vec<Problem>) {
    let known: HashSet<&str> = s.challenges.iter().map(|c| c.slug.as_str()).collect();
    for ch in &s.challenges {
        for (i, r) in ch.requires.iter().enumerate() {
            if r == &ch.slug {
                out.push(Problem::new(&ch.toml_path, format!("requires[{i}]"), "a challenge cannot require itself"));
            } else if !known.contains(r.as_str()) {
                out.push(Problem::new(&ch.toml_path, format!("requires[{i}]"), format!("unknown challenge {r:?}")));
            }
        }
    }
    // Depth-first search over the known edges; a grey node met again closes a cycle.
    let edges: HashMap<&str, Vec<&str>> = s
        .challenges
        .iter()
        .map(|c| (c.slug.as_str(), c.requires.iter().map(String::as_str).filter(|r| known.contains(r)).collect()))
        .collect();
    let mut state: HashMap<&str, u8> = HashMap::new(); // 1 = on the path, 2 = done
    let mut reported = HashSet::new();
    for ch in &s.challenges {
        let mut path = Vec::new();
        visit(&ch.slug, &edges, &mut state, &mut path, &mut |cycle: Vec<&str>| {
            let mut key = cycle.clone();
            key.sort();
            if reported.insert(key)
                && let Some(first) = s.challenges.iter().find(|c| c.slug == cycle[0])
            {
                out.push(Problem::new(&first.toml_path, "requires", format!("cycle: {}", cycle.join(" → "))));
            }
        });
    }
}

fn visit<'a>(
    node: &'a str,
    edges: &HashMap<&'a str, Vec<&'a str>>,
    state: &mut HashMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
    found: &mut impl FnMut(Vec<&'a str>),
) {
    match state.get(node) {
        Some(2) => return,
        Some(1) => {
            let start = path.iter().position(|n| *n == node).unwrap_or(0);
            let mut cycle = path[start..].to_vec();
            cycle.push(node);
            found(cycle);
            return;
        }
        _ => {}
    }
    state.insert(node, 1);
    path.push(node);
    for next in edges.get(node).into_iter().flatten() {
        visit(next, edges, state, path, found);
    }
    path.pop();
    state.insert(node, 2);
}

fn datasets(s: &ContestSource, out: &mut Vec<Problem>) {
    let mut keys = HashSet::new();
    if let Some(path) = &s.datasets_path {
        for (i, d) in s.datasets.iter().enumerate() {
            if !keys.insert(d.key.as_str()) {
                out.push(Problem::new(path, format!("dataset[{i}].key"), format!("{:?} is listed twice", d.key)));
            }
        }
    }
    for ch in &s.challenges {
        for (i, key) in ch.datasets.iter().enumerate() {
            if !keys.contains(key.as_str()) {
                let why = if s.datasets_path.is_some() {
                    format!("unknown dataset {key:?}: not in datasets.toml")
                } else {
                    format!("unknown dataset {key:?}: there is no datasets.toml beside the contest folder")
                };
                out.push(Problem::new(&ch.toml_path, format!("datasets[{i}]"), why));
            }
        }
    }
}
