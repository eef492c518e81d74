//! One answer, from a page or a script: the gate, the limits, the check against the digests, and the
//! record, committed before the verdict is returned.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::{contests, teams};
use sea_orm::DatabaseConnection;

use super::{solved_slugs, windows_of};
use crate::domain::answer::{AnswerDigest, Rule};
use crate::domain::limiter::{FailureLimiter, Policy};
use crate::domain::play::{Refusal, kept_text, missing_requirements};
use crate::domain::standings::Solve;
use crate::live::Live;
use crate::store::answer_log::AnswerLog;
use crate::store::challenges::ChallengeView;
use crate::store::play::{Attempt, RightAnswer};
use crate::store::{self, StoreResult};

/// Wrong answers per team in the current minute; the limit is each contest's own.
pub struct WrongAnswerLimiter(Mutex<FailureLimiter<i32>>);

impl Default for WrongAnswerLimiter {
    fn default() -> Self {
        WrongAnswerLimiter(Mutex::new(FailureLimiter::new(Policy {
            max_failures: 10,
            window: Duration::from_secs(60),
        })))
    }
}

impl WrongAnswerLimiter {
    fn lock(&self) -> std::sync::MutexGuard<'_, FailureLimiter<i32>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

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
pub async fn submit(
    db: &DatabaseConnection,
    log: &AnswerLog,
    limiter: &WrongAnswerLimiter,
    live: &Live,
    a: Answer<'_>,
) -> StoreResult<Verdict> {
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
        let solved = solved_slugs(&solved_ids, &contest_live.latest().slugs);
        let missing = missing_requirements(&requires, &solved);
        if !missing.is_empty() {
            return Ok(Verdict::Refused(Refusal::Locked { requires: missing }));
        }
    }
    let per_minute = u32::try_from(a.contest.wrong_answers_per_minute.max(1)).unwrap_or(10);
    if let Err(wait) = limiter.lock().check_max(&a.team.id, Instant::now(), per_minute) {
        return Ok(Verdict::RateLimited { wait_secs: wait.as_secs().max(1) });
    }
    if c.max_attempts > 0
        && store::play::wrong_count(db, a.team.id, c.id).await? >= u64::try_from(c.max_attempts).unwrap_or(0)
    {
        return Ok(Verdict::Exhausted);
    }

    let rule: Rule = c.answer_rule.parse().unwrap_or_default();
    let accepted: Vec<AnswerDigest> =
        ChallengeView::list(&c.answer_digests).iter().filter_map(|d| d.parse().ok()).collect();
    let digest = AnswerDigest::of_typed(rule, &c.answer_salt, a.typed);
    if AnswerDigest::is_among(&digest, &accepted) {
        return Ok(match log.right(&attempt, digest.to_string()).await? {
            RightAnswer::Solved(solve) => {
                // Committed: the scoreboard may show it now.
                live.solved(
                    a.contest.id,
                    Solve { team_id: solve.team_id, challenge_id: solve.challenge_id, at: solve.created_at },
                );
                live.notify(a.contest.id);
                Verdict::Correct
            }
            RightAnswer::AlreadySolved => Verdict::AlreadySolved,
        });
    }
    limiter.lock().record_failure(&a.team.id, Instant::now());
    log.wrong(&attempt, kept_text(a.typed)).await?;
    Ok(Verdict::Incorrect)
}
