//! Answers that can be retried: a client may send an `Idempotency-Key` with an answer, and a retry under the
//! same key (the same team's) within [`WINDOW`] is told the first answer's verdict again instead of being
//! judged and counted a second time. What a key is, and what a retry is told, from the kept row.

use chrono::TimeDelta;

/// The longest key taken, in bytes.
pub const MAX_KEY_BYTES: usize = 128;

/// How long a key names its answer; a retry later is a new answer.
pub const WINDOW: TimeDelta = TimeDelta::hours(24);

/// A client's key: 1 to [`MAX_KEY_BYTES`] bytes of visible ASCII (`!` to `~`), compared exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why a header's value is no key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    Empty,
    TooLong,
    /// A space, a control character or anything outside ASCII: a key must survive every proxy unchanged.
    NotVisibleAscii,
}

impl IdempotencyKey {
    pub fn parse(value: &[u8]) -> Result<IdempotencyKey, KeyError> {
        if value.is_empty() {
            return Err(KeyError::Empty);
        }
        if value.len() > MAX_KEY_BYTES {
            return Err(KeyError::TooLong);
        }
        match std::str::from_utf8(value) {
            Ok(text) if value.iter().all(|b| (b'!'..=b'~').contains(b)) => Ok(IdempotencyKey(text.to_owned())),
            _ => Err(KeyError::NotVisibleAscii),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An answer kept under a key, as its row holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptAnswer {
    pub submission_id: String,
    pub challenge_id: i32,
    pub outcome: String,
    /// The kept text of a wrong answer.
    pub text: Option<String>,
    /// The digest a right answer matched.
    pub digest: Option<String>,
}

/// The verdict an answer was given when it was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstVerdict {
    Correct,
    Incorrect,
    AlreadySolved,
}

impl KeptAnswer {
    /// What the answer was told: organizers may have accepted a wrong answer (`accepted`) or revoked a solve
    /// (`revoked`) since, but a retry hears what the first try heard. A right answer is the one row that kept
    /// a digest; a wrong one kept its text.
    pub fn first_verdict(&self) -> FirstVerdict {
        match (self.outcome.as_str(), &self.digest) {
            ("already_solved", _) => FirstVerdict::AlreadySolved,
            (_, Some(_)) => FirstVerdict::Correct,
            (_, None) => FirstVerdict::Incorrect,
        }
    }

    /// Whether a retry under the key sends this answer: the same challenge, and the same answer as far as the
    /// row tells (the digest of a right one, the kept text of a wrong one; `already_solved` keeps neither, so
    /// any answer to its challenge is taken as the same). `digest` is the retry's digest under the
    /// challenge's rule, `kept_text` its text as a wrong answer would keep it.
    pub fn is_same(&self, challenge_id: i32, digest: &str, kept_text: &str) -> bool {
        self.challenge_id == challenge_id
            && match (&self.digest, &self.text) {
                (Some(d), _) => d == digest,
                (None, Some(t)) => t == kept_text,
                (None, None) => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_one_to_128_bytes_of_visible_ascii() {
        assert_eq!(IdempotencyKey::parse(b"a").map(|k| k.as_str().to_owned()), Ok("a".into()));
        let longest = "~".repeat(MAX_KEY_BYTES);
        assert!(IdempotencyKey::parse(longest.as_bytes()).is_ok());
        assert!(IdempotencyKey::parse(b"0190a5f2-7c1e-7000-8000-000000000000").is_ok());
        assert!(IdempotencyKey::parse(b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").is_ok());
        assert_eq!(IdempotencyKey::parse(b""), Err(KeyError::Empty));
        assert_eq!(IdempotencyKey::parse("x".repeat(MAX_KEY_BYTES + 1).as_bytes()), Err(KeyError::TooLong));
        for bad in [&b"with space"[..], b"tab\t", b"nul\0", b"del\x7f", "キー".as_bytes(), b"\xff"] {
            assert_eq!(IdempotencyKey::parse(bad), Err(KeyError::NotVisibleAscii), "{bad:?}");
        }
        // Bytes, not characters: 43 three-byte characters are 129 bytes.
        assert_eq!(IdempotencyKey::parse("あ".repeat(43).as_bytes()), Err(KeyError::TooLong));
    }

    fn kept(outcome: &str, text: Option<&str>, digest: Option<&str>) -> KeptAnswer {
        KeptAnswer {
            submission_id: "0190a5f2-7c1e-7000-8000-000000000000".into(),
            challenge_id: 7,
            outcome: outcome.into(),
            text: text.map(str::to_owned),
            digest: digest.map(str::to_owned),
        }
    }

    #[test]
    fn a_retry_hears_the_first_verdict_whatever_organizers_did_since() {
        assert_eq!(kept("correct", None, Some("sha256:ab")).first_verdict(), FirstVerdict::Correct);
        assert_eq!(kept("incorrect", Some("nope"), None).first_verdict(), FirstVerdict::Incorrect);
        assert_eq!(kept("already_solved", None, None).first_verdict(), FirstVerdict::AlreadySolved);
        // A wrong answer accepted later, and either kind revoked later.
        assert_eq!(kept("accepted", Some("close"), None).first_verdict(), FirstVerdict::Incorrect);
        assert_eq!(kept("revoked", None, Some("sha256:ab")).first_verdict(), FirstVerdict::Correct);
        assert_eq!(kept("revoked", Some("close"), None).first_verdict(), FirstVerdict::Incorrect);
    }

    #[test]
    fn a_key_names_one_answer_to_one_challenge() {
        let right = kept("correct", None, Some("sha256:ab"));
        assert!(right.is_same(7, "sha256:ab", "whatever was typed"));
        assert!(!right.is_same(8, "sha256:ab", ""), "another challenge");
        assert!(!right.is_same(7, "sha256:cd", ""), "another answer");
        let wrong = kept("incorrect", Some("nope"), None);
        assert!(wrong.is_same(7, "sha256:ee", "nope"));
        assert!(!wrong.is_same(7, "sha256:ee", "nope!"));
        assert!(!wrong.is_same(9, "sha256:ee", "nope"));
        let late = kept("already_solved", None, None);
        assert!(late.is_same(7, "sha256:any", "any"));
        assert!(!late.is_same(8, "sha256:any", "any"));
    }
}
