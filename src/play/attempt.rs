//! One answer, from a page or a script: the gate, the limits, the check against the digests, and the
//! record, committed before the verdict is returned. An answer under an `Idempotency-Key` that the team used
//! within the key's window is not judged: it is told the verdict of the answer kept under the key.

use chrono::Utc;
use entity::{challenges, contests, teams};

use super::{solved_slugs, windows_of};
use crate::domain::answer::{AnswerDigest, Rule};
use crate::domain::idempotency::{FirstVerdict, IdempotencyKey, KeptAnswer};
use crate::domain::limiter::{AnswerLimited, AnswerLimits};
use crate::domain::play::{Refusal, kept_text, missing_requirements};
use crate::domain::standings::Solve;
use crate::live::Live;
use crate::store::StoreResult;
use crate::store::answer_log::{AnswerLog, Logged};
use crate::store::challenges::ChallengeView;
use crate::store::play::{Attempt, RightAnswer, new_submission_id};

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
    /// The `Idempotency-Key` names another answer of the team's: to another challenge, or another answer.
    KeyReused,
}

/// A verdict, and the answer that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub verdict: Verdict,
    /// The kept answer's `submission_id`; none when nothing was kept (a limit, a refusal).
    pub submission_id: Option<String>,
    /// Told again: an answer under the same key was judged before.
    pub replayed: bool,
}

impl Judged {
    /// A verdict that kept nothing.
    pub fn unkept(verdict: Verdict) -> Judged {
        Judged { verdict, submission_id: None, replayed: false }
    }
}

pub struct Answer<'a> {
    pub contest: &'a contests::Model,
    pub view: &'a ChallengeView,
    pub team: &'a teams::Model,
    pub user_id: i32,
    pub typed: &'a str,
    pub ip: &'a str,
    /// The client's `Idempotency-Key`, if it sent one.
    pub key: Option<&'a IdempotencyKey>,
}

/// Judges an answer and records it, or tells a retry under a key of the answer kept under it: looked up
/// first (a retry after the challenge closed still hears its verdict), and again where the answer is
/// recorded, for retries sent at once.
pub async fn submit(log: &AnswerLog, live: &Live, a: Answer<'_>) -> StoreResult<Judged> {
    if let Some(key) = a.key
        && let Some(kept) = log.kept_under_key(a.team.id, key.as_str()).await?
    {
        return Ok(replayed(&a, kept));
    }
    let judged = judge(log, live, &a).await?;
    if !judged.replayed {
        crate::metrics::METRICS.answered(judged.verdict.name());
    }
    Ok(judged)
}

async fn judge(log: &AnswerLog, live: &Live, a: &Answer<'_>) -> StoreResult<Judged> {
    let c = &a.view.challenge;
    if let Some(refusal) = windows_of(a.contest, &a.view.area, c).refusal(Utc::now()) {
        return Ok(Judged::unkept(Verdict::Refused(refusal)));
    }
    let submission_id = new_submission_id();
    let stored = |verdict| Judged { verdict, submission_id: Some(submission_id.clone()), replayed: false };
    let attempt = Attempt {
        contest_id: a.contest.id,
        challenge_id: c.id,
        team_id: a.team.id,
        user_id: a.user_id,
        ip: a.ip,
        submission_id: submission_id.clone(),
        key: a.key.map(IdempotencyKey::as_str),
    };
    // What the team solved, from the live view: a solve another instance made a moment ago and this one
    // has not heard of yet still meets the unique index below, and is answered `already_solved`.
    let contest_live = live.get(a.contest).await?;
    let solved_ids = contest_live.solved_by(a.team.id);
    if solved_ids.contains(&c.id) {
        return Ok(match log.already_solved(&attempt).await? {
            Logged::Replayed(kept) => replayed(a, kept),
            Logged::Judged(_) => stored(Verdict::AlreadySolved),
        });
    }
    let requires = ChallengeView::list(&c.requires);
    if !requires.is_empty() {
        let solved = solved_slugs(&solved_ids, &contest_live.snapshot().slugs);
        let missing = missing_requirements(&requires, &solved);
        if !missing.is_empty() {
            return Ok(Judged::unkept(Verdict::Refused(Refusal::Locked { requires: missing })));
        }
    }
    // Checked where the answer is recorded, under the team's lock: a burst cannot slip past them.
    let limits = AnswerLimits::new(a.contest.wrong_answers_per_minute, c.max_attempts);

    let accepted: Vec<AnswerDigest> =
        ChallengeView::list(&c.answer_digests).iter().filter_map(|d| d.parse().ok()).collect();
    let digest = digest_of(c, a.typed);
    if AnswerDigest::is_among(&digest, &accepted) {
        return Ok(match log.right(&attempt, digest.to_string(), limits).await? {
            Logged::Replayed(kept) => replayed(a, kept),
            Logged::Judged(Err(limited)) => Judged::unkept(limited.into()),
            Logged::Judged(Ok(RightAnswer::Solved(solve))) => {
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
                stored(Verdict::Correct)
            }
            Logged::Judged(Ok(RightAnswer::AlreadySolved)) => stored(Verdict::AlreadySolved),
        });
    }
    Ok(match log.wrong(&attempt, kept_text(a.typed), limits).await? {
        Logged::Replayed(kept) => replayed(a, kept),
        Logged::Judged(Err(limited)) => Judged::unkept(limited.into()),
        Logged::Judged(Ok(())) => {
            live.play_changed(a.team.id);
            stored(Verdict::Incorrect)
        }
    })
}

/// The digest of what was typed, under the challenge's rule.
fn digest_of(c: &challenges::Model, typed: &str) -> AnswerDigest {
    let rule: Rule = c.answer_rule.parse().unwrap_or_default();
    AnswerDigest::of_typed(rule, &c.answer_salt, typed)
}

/// A retry under a key, told of the answer kept under it; refused if it sends another answer.
fn replayed(a: &Answer<'_>, kept: KeptAnswer) -> Judged {
    let c = &a.view.challenge;
    if !kept.is_same(c.id, &digest_of(c, a.typed).to_string(), &kept_text(a.typed)) {
        return Judged::unkept(Verdict::KeyReused);
    }
    let verdict = match kept.first_verdict() {
        FirstVerdict::Correct => Verdict::Correct,
        FirstVerdict::Incorrect => Verdict::Incorrect,
        FirstVerdict::AlreadySolved => Verdict::AlreadySolved,
    };
    Judged { verdict, submission_id: Some(kept.submission_id), replayed: true }
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
            Verdict::KeyReused => "key_reused",
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
