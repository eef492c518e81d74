//! One answer, from a page or a script: the gate, the limits, the check against the digests, and the
//! record, committed before the verdict is returned.

use chrono::Utc;
use entity::{contests, teams};

use super::{solved_slugs, windows_of};
use crate::domain::answer::{AnswerDigest, Rule};
use crate::domain::limiter::{AnswerLimited, AnswerLimits};
use crate::domain::play::{Refusal, kept_text, missing_requirements};
use crate::domain::standings::Solve;
use crate::live::Live;
use crate::store::StoreResult;
use crate::store::answer_log::AnswerLog;
use crate::store::challenges::ChallengeView;
use crate::store::play::{Attempt, RightAnswer};

/// What became of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Correct,
    Incorrect,
    AlreadySolved,
    /// Too many wrong answers this minute: wait this long.
    RateLimited {
        wait_secs: u64,
    },
    /// `max_attempts` wrong answers were given.
    Exhausted,
    Refused(Refusal),
}

pub struct Answer<'a> {
    pub contest: &'a contests::Model,
    pub view: &'a ChallengeView,
    pub team: &'a teams::Model,
    pub user_id: i32,
    pub typed: &'a str,
    pub ip: &'a str,
}

/// Judges an answer and records it.
pub async fn submit(log: &AnswerLog, live: &Live, a: Answer<'_>) -> StoreResult<Verdict> {
    let verdict = judge(log, live, a).await?;
    crate::metrics::METRICS.answered(verdict.name());
    Ok(verdict)
}

async fn judge(log: &AnswerLog, live: &Live, a: Answer<'_>) -> StoreResult<Verdict> {
    let c = &a.view.challenge;
    if let Some(refusal) = windows_of(a.contest, &a.view.area, c).refusal(Utc::now()) {
        return Ok(Verdict::Refused(refusal));
    }
    let attempt =
        Attempt { contest_id: a.contest.id, challenge_id: c.id, team_id: a.team.id, user_id: a.user_id, ip: a.ip };
    // What the team solved, from the live view: a solve another instance made a moment ago and this one
    // has not heard of yet still meets the unique index below, and is answered `already_solved`.
    let contest_live = live.get(a.contest).await?;
    let solved_ids = contest_live.solved_by(a.team.id);
    if solved_ids.contains(&c.id) {
        log.already_solved(&attempt).await?;
        return Ok(Verdict::AlreadySolved);
    }
    let requires = ChallengeView::list(&c.requires);
    if !requires.is_empty() {
        let solved = solved_slugs(&solved_ids, &contest_live.snapshot().slugs);
        let missing = missing_requirements(&requires, &solved);
        if !missing.is_empty() {
            return Ok(Verdict::Refused(Refusal::Locked { requires: missing }));
        }
    }
    // Checked where the answer is recorded, under the team's lock: a burst cannot slip past them.
    let limits = AnswerLimits::new(a.contest.wrong_answers_per_minute, c.max_attempts);

    let rule: Rule = c.answer_rule.parse().unwrap_or_default();
    let accepted: Vec<AnswerDigest> =
        ChallengeView::list(&c.answer_digests).iter().filter_map(|d| d.parse().ok()).collect();
    let digest = AnswerDigest::of_typed(rule, &c.answer_salt, a.typed);
    if AnswerDigest::is_among(&digest, &accepted) {
        return Ok(match log.right(&attempt, digest.to_string(), limits).await? {
            Err(limited) => limited.into(),
            Ok(RightAnswer::Solved(solve)) => {
                // Committed: the scoreboard shows it before the team is told.
                live.notify(a.contest.id);
                live.solved(
                    a.contest.id,
                    Solve {
                        id: solve.id,
                        team_id: solve.team_id,
                        challenge_id: solve.challenge_id,
                        user_id: solve.user_id,
                        at: solve.created_at,
                    },
                )
                .await;
                Verdict::Correct
            }
            Ok(RightAnswer::AlreadySolved) => Verdict::AlreadySolved,
        });
    }
    Ok(match log.wrong(&attempt, kept_text(a.typed), limits).await? {
        Err(limited) => limited.into(),
        Ok(()) => {
            live.play_changed(a.team.id);
            Verdict::Incorrect
        }
    })
}

impl Verdict {
    /// Its name in the metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Correct => "correct",
            Verdict::Incorrect => "incorrect",
            Verdict::AlreadySolved => "already_solved",
            Verdict::RateLimited { .. } => "rate_limited",
            Verdict::Exhausted => "exhausted",
            Verdict::Refused(_) => "refused",
        }
    }
}

impl From<AnswerLimited> for Verdict {
    fn from(limited: AnswerLimited) -> Verdict {
        match limited {
            AnswerLimited::TooFast { wait_secs } => Verdict::RateLimited { wait_secs },
            AnswerLimited::Exhausted => Verdict::Exhausted,
        }
    }
}
