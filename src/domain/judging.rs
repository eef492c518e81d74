//! The judged hackathon: judges mark each entry on every criterion of the rubric; a judge's total counts
//! once their sheet is complete (a mark for every criterion), and an entry's score is the mean of the
//! judges' totals, in hundredths rounded half up. Pure, so the rounding and the counting are tested here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::standings::Points;

/// When entries close: the `hackathon` area's closing time, else the contest's end.
pub fn deadline(area_closes_at: Option<DateTime<Utc>>, contest_ends_at: DateTime<Utc>) -> DateTime<Utc> {
    area_closes_at.unwrap_or(contest_ends_at)
}

/// Whether a team may hand in or change its entry: from the area's opening time (if any; teams prepare
/// their work before the day) until the deadline.
pub fn entries_open(
    now: DateTime<Utc>,
    area_opens_at: Option<DateTime<Utc>>,
    area_closes_at: Option<DateTime<Utc>>,
    contest_ends_at: DateTime<Utc>,
) -> bool {
    area_opens_at.is_none_or(|o| now >= o) && now < deadline(area_closes_at, contest_ends_at)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Criterion {
    pub id: i32,
    pub max: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub judge_id: i32,
    pub criterion_id: i32,
    pub value: i32,
}

/// Why a mark is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkError {
    NotANumber,
    OutOfRange { max: i32 },
}

/// A mark as a judge types it: a whole number from 0 to the criterion's maximum. Empty means "not yet".
pub fn parse_mark(text: &str, max: i32) -> Result<Option<i32>, MarkError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let value: i64 = text.parse().map_err(|_| MarkError::NotANumber)?;
    if (0..=i64::from(max)).contains(&value) { Ok(Some(value as i32)) } else { Err(MarkError::OutOfRange { max }) }
}

/// Each judge's total over a complete sheet (criteria not in the rubric are ignored), by judge.
pub fn complete_totals(rubric: &[Criterion], marks: &[Mark]) -> BTreeMap<i32, i64> {
    let mut sheets: BTreeMap<i32, BTreeMap<i32, i32>> = BTreeMap::new();
    for m in marks.iter().filter(|m| rubric.iter().any(|c| c.id == m.criterion_id)) {
        sheets.entry(m.judge_id).or_default().insert(m.criterion_id, m.value);
    }
    sheets
        .into_iter()
        .filter(|(_, sheet)| sheet.len() == rubric.len())
        .map(|(judge, sheet)| (judge, sheet.values().map(|v| i64::from(*v)).sum()))
        .collect()
}

/// The mean of `values` in hundredths, rounded half up; `None` without values.
pub fn mean(values: impl IntoIterator<Item = i64>) -> Option<Points> {
    let (sum, n) = values.into_iter().fold((0i64, 0i64), |(s, n), v| (s + v, n + 1));
    // sum·100/n rounded half up, in integers: (2·sum·100 + n) / 2n, floored.
    (n > 0).then(|| Points((2 * sum * 100 + n).div_euclid(2 * n)))
}

/// An entry's score: the mean of the complete sheets' totals; `None` before any judge completes one.
pub fn score(rubric: &[Criterion], marks: &[Mark]) -> Option<Points> {
    if rubric.is_empty() {
        return None;
    }
    mean(complete_totals(rubric, marks).into_values())
}

/// The mean mark of each criterion over the complete sheets, as a team is shown once marks are published.
pub fn criterion_means(rubric: &[Criterion], marks: &[Mark]) -> Vec<(i32, Option<Points>)> {
    let complete = complete_totals(rubric, marks);
    rubric
        .iter()
        .map(|c| {
            let values = marks
                .iter()
                .filter(|m| m.criterion_id == c.id && complete.contains_key(&m.judge_id))
                .map(|m| i64::from(m.value));
            (c.id, mean(values))
        })
        .collect()
}

/// The most an entry can score.
pub fn maximum(rubric: &[Criterion]) -> Points {
    Points(rubric.iter().map(|c| i64::from(c.max) * 100).sum())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const RUBRIC: [Criterion; 3] =
        [Criterion { id: 1, max: 10 }, Criterion { id: 2, max: 10 }, Criterion { id: 3, max: 5 }];

    fn sheet(judge_id: i32, values: &[i32]) -> Vec<Mark> {
        values.iter().zip(1..).map(|(&value, criterion_id)| Mark { judge_id, criterion_id, value }).collect()
    }

    #[test]
    fn the_score_is_the_mean_of_complete_sheets_in_hundredths() {
        // Totals 20, 21 and 22 → 21; 20 and 21 → 20.5; 20, 21 and 21 → 20.666… → 20.67.
        let marks = [sheet(1, &[8, 7, 5]), sheet(2, &[9, 7, 5]), sheet(3, &[9, 8, 5])].concat();
        assert_eq!(score(&RUBRIC, &marks), Some(Points(2100)));
        assert_eq!(score(&RUBRIC, &marks[..6]), Some(Points(2050)));
        let marks = [sheet(1, &[8, 7, 5]), sheet(2, &[9, 7, 5]), sheet(3, &[9, 7, 5])].concat();
        assert_eq!(score(&RUBRIC, &marks), Some(Points(2067)));
        assert_eq!(score(&RUBRIC, &marks).map(|p| p.to_string()), Some("20.67".into()));
    }

    #[test]
    fn an_incomplete_sheet_does_not_count_yet() {
        let mut marks = sheet(1, &[8, 7, 5]);
        marks.extend(sheet(2, &[0, 0]));
        assert_eq!(complete_totals(&RUBRIC, &marks).len(), 1);
        assert_eq!(score(&RUBRIC, &marks), Some(Points(2000)));
        assert_eq!(score(&RUBRIC, &sheet(2, &[10, 10])), None);
        assert_eq!(score(&[], &marks), None);
    }

    #[test]
    fn a_mark_of_a_withdrawn_criterion_counts_for_nothing() {
        let mut marks = sheet(1, &[8, 7, 5]);
        marks.push(Mark { judge_id: 1, criterion_id: 99, value: 100 });
        assert_eq!(score(&RUBRIC, &marks), Some(Points(2000)));
    }

    #[test]
    fn criterion_means_follow_the_complete_sheets() {
        let marks = [sheet(1, &[8, 7, 5]), sheet(2, &[9, 8, 4]), sheet(3, &[1])].concat();
        assert_eq!(
            criterion_means(&RUBRIC, &marks),
            vec![(1, Some(Points(850))), (2, Some(Points(750))), (3, Some(Points(450)))]
        );
        assert_eq!(maximum(&RUBRIC), Points(2500));
    }

    #[test]
    fn marks_are_whole_numbers_within_the_maximum() {
        assert_eq!(parse_mark(" 7 ", 10), Ok(Some(7)));
        assert_eq!(parse_mark("", 10), Ok(None));
        assert_eq!(parse_mark("0", 10), Ok(Some(0)));
        assert_eq!(parse_mark("10", 10), Ok(Some(10)));
        assert_eq!(parse_mark("11", 10), Err(MarkError::OutOfRange { max: 10 }));
        assert_eq!(parse_mark("-1", 10), Err(MarkError::OutOfRange { max: 10 }));
        assert_eq!(parse_mark("7.5", 10), Err(MarkError::NotANumber));
        assert_eq!(parse_mark("99999999999999999999", 10), Err(MarkError::NotANumber));
    }

    #[test]
    fn entries_are_taken_until_the_deadline() {
        let t = |h: i64| DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h);
        assert!(entries_open(t(0), None, None, t(10)), "before the day, with no opening time");
        assert!(!entries_open(t(10), None, None, t(10)), "the contest's end is the default deadline");
        assert!(!entries_open(t(6), None, Some(t(5)), t(10)), "the area's closing time comes first");
        assert!(!entries_open(t(1), Some(t(2)), None, t(10)), "not before the area opens");
        assert!(entries_open(t(2), Some(t(2)), Some(t(5)), t(10)));
        assert_eq!(deadline(None, t(10)), t(10));
    }

    proptest! {
        #[test]
        fn the_mean_is_the_exact_one_rounded_half_up(totals in proptest::collection::vec(0i64..1000, 1..20)) {
            // got = floor(exact + ½), so 2n·got − 2·100·sum lies in (−n, n]: checked in integers.
            let (sum, n) = (totals.iter().sum::<i64>(), totals.len() as i64);
            let got = mean(totals.iter().copied()).expect("some values").0;
            let twice_error = 2 * n * got - 2 * 100 * sum;
            prop_assert!(-n < twice_error && twice_error <= n, "{got} for {totals:?}");
        }
    }
}
