//! Answers (the **Answers** contract of DESIGN.md): the rules that turn what a team typed into its
//! canonical form, and the salted SHA-256 digest under which a right answer is known. The platform
//! holds digests only, never a right answer.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;

/// How a typed answer is made canonical before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rule {
    /// Trimmed only: case and width matter.
    Exact,
    /// NFKC, trimmed, inner whitespace collapsed to one space, lowercased.
    #[default]
    Casefold,
    /// NFKC, lowercased, whitespace and `:` dropped, a `0x` prefix dropped: hashes, addresses, bytes.
    Hex,
    /// Items split on commas or newlines, each casefolded, empties dropped, sorted, deduplicated, joined
    /// with `,`: "which of these", in any order.
    List,
}

impl Rule {
    pub const ALL: [Rule; 4] = [Rule::Exact, Rule::Casefold, Rule::Hex, Rule::List];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Exact => "exact",
            Rule::Casefold => "casefold",
            Rule::Hex => "hex",
            Rule::List => "list",
        }
    }

    /// The canonical form of a typed answer under this rule.
    ///
    /// The rule is applied until the text stops changing (at most a few times): for ordinary answers once is
    /// enough, but removing spaces can join a letter and a combining mark that NFKC then composes
    /// (`h¨` → `h\u{308}` → `ḧ`), and a canonical form must be its own canonical form.
    pub fn canonical(self, typed: &str) -> String {
        let mut text = self.apply(typed);
        for _ in 0..4 {
            let again = self.apply(&text);
            if again == text {
                break;
            }
            text = again;
        }
        text
    }

    fn apply(self, typed: &str) -> String {
        match self {
            Rule::Exact => typed.trim().to_owned(),
            Rule::Casefold => casefold(&nfkc(typed)),
            Rule::Hex => {
                let folded: String = nfkc(typed).to_lowercase();
                let kept: String = folded.chars().filter(|c| !c.is_whitespace() && *c != ':').collect();
                // Every leading `0x`, not just one, so that the canonical form of a canonical form is itself.
                kept.trim_start_matches("0x").to_owned()
            }
            Rule::List => {
                let normal: String = nfkc(typed);
                let mut items: Vec<String> =
                    normal.split([',', '\n', '\r']).map(casefold).filter(|item| !item.is_empty()).collect();
                items.sort();
                items.dedup();
                items.join(",")
            }
        }
    }
}

/// NFKC, with ASCII text (most answers, and most lines the leak scan reads) returned as it is: NFKC maps
/// no ASCII character to anything else.
fn nfkc(text: &str) -> String {
    if text.is_ascii() { text.to_owned() } else { text.nfkc().collect() }
}

/// Trimmed, inner whitespace collapsed, lowercased (the text is already NFKC).
fn casefold(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Rule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Rule::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown rule {s:?} (exact, casefold, hex or list)"))
    }
}

/// A salted SHA-256 digest of a canonical answer, written `sha256:<64 lowercase hex>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnswerDigest([u8; 32]);

/// What makes the digests of mwscup answers differ from any other SHA-256.
const DOMAIN: &[u8] = b"mwscup-answer-v1";

impl AnswerDigest {
    /// `SHA-256("mwscup-answer-v1" 0x00 salt 0x00 canonical)`.
    pub fn of_canonical(salt: &str, canonical: &str) -> AnswerDigest {
        let mut h = Sha256::new();
        h.update(DOMAIN);
        h.update([0]);
        h.update(salt.as_bytes());
        h.update([0]);
        h.update(canonical.as_bytes());
        AnswerDigest(h.finalize().into())
    }

    /// The digest of what a team typed, under a rule and a salt.
    pub fn of_typed(rule: Rule, salt: &str, typed: &str) -> AnswerDigest {
        AnswerDigest::of_canonical(salt, &rule.canonical(typed))
    }

    /// Compares in constant time, so the time taken tells nothing of how close an answer came.
    pub fn ct_eq(&self, other: &AnswerDigest) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// Whether `candidate` equals one of `accepted`; every digest is compared, always.
    pub fn is_among(candidate: &AnswerDigest, accepted: &[AnswerDigest]) -> bool {
        accepted.iter().fold(false, |found, d| found | candidate.ct_eq(d))
    }
}

impl fmt::Display for AnswerDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", hex::encode(self.0))
    }
}

impl fmt::Debug for AnswerDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for AnswerDigest {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex_part = s.strip_prefix("sha256:").ok_or("must start with sha256:")?;
        if hex_part.len() != 64 || !hex_part.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err("must be sha256: followed by 64 lowercase hex digits".into());
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_part, &mut bytes).map_err(|e| e.to_string())?;
        Ok(AnswerDigest(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casefold_is_the_default_and_folds_width_case_and_space() {
        assert_eq!(Rule::default(), Rule::Casefold);
        assert_eq!(Rule::Casefold.canonical("\u{3000}Ｍｉｍｉｋａｔｚ "), "mimikatz");
        assert_eq!(Rule::Casefold.canonical("  Net   Group\t/DOMAIN "), "net group /domain");
        assert_eq!(Rule::Casefold.canonical("１９２．１６８．０．１:４４３"), "192.168.0.1:443");
    }

    #[test]
    fn exact_only_trims() {
        assert_eq!(Rule::Exact.canonical("  C:\\Temp\\Qpkz.exe \n"), "C:\\Temp\\Qpkz.exe");
        assert_eq!(Rule::Exact.canonical("Ａ"), "Ａ");
    }

    #[test]
    fn hex_drops_separators_and_prefix() {
        assert_eq!(Rule::Hex.canonical("0xDE AD:BE:EF"), "deadbeef");
        assert_eq!(Rule::Hex.canonical("ＡＢ：ＣＤ"), "abcd");
        assert_eq!(Rule::Hex.canonical("  e3b0c442 98fc1c14 "), "e3b0c44298fc1c14");
    }

    #[test]
    fn list_sorts_dedups_and_drops_empties() {
        assert_eq!(Rule::List.canonical("net view, ARP -A\nnet view,,  "), "arp -a,net view");
        assert_eq!(Rule::List.canonical("b，a"), "a,b", "a full-width comma separates too");
        assert_eq!(Rule::List.canonical(""), "");
    }

    #[test]
    fn canonical_forms_are_idempotent() {
        for rule in Rule::ALL {
            for text in ["  Ｍｉｍｉ  KATZ ", "0x0X:ab", "c, b,a\n a", "\u{3000}", "h¨", "a ̈"] {
                let once = rule.canonical(text);
                assert_eq!(rule.canonical(&once), once, "{rule} {text:?}");
            }
        }
    }

    #[test]
    fn digest_follows_the_contract() {
        // Computed by hand from the contract: SHA-256 of "mwscup-answer-v1\0s1\0mimikatz".
        let mut h = Sha256::new();
        h.update(b"mwscup-answer-v1\0s1\0mimikatz");
        let expected = format!("sha256:{}", hex::encode(h.finalize()));
        let typed = AnswerDigest::of_typed(Rule::Casefold, "s1", "　Ｍｉｍｉｋａｔｚ ");
        assert_eq!(typed.to_string(), expected);
        assert_eq!(expected.parse::<AnswerDigest>(), Ok(typed));
    }

    proptest::proptest! {
        /// The ASCII shortcut changes nothing: NFKC leaves every ASCII text as it is.
        #[test]
        fn ascii_text_is_its_own_nfkc(text in "[\\x00-\\x7f]*") {
            proptest::prop_assert_eq!(nfkc(&text), text.nfkc().collect::<String>());
        }

        /// Any text, under any rule: no panic, and the canonical form of a canonical form is itself.
        #[test]
        fn any_text_canonicalises_idempotently(text in "\\PC*", rule in 0usize..4) {
            let rule = Rule::ALL[rule];
            let once = rule.canonical(&text);
            proptest::prop_assert_eq!(rule.canonical(&once), once.clone());
            // And a digest is always well formed.
            let digest = AnswerDigest::of_canonical("salt", &once).to_string();
            proptest::prop_assert!(digest.parse::<AnswerDigest>().is_ok());
        }

        /// Full-width input (as an IME types it) matches its half-width form under casefold.
        #[test]
        fn full_width_ascii_folds(text in "[a-zA-Z0-9 .:/_-]{1,40}") {
            let wide: String = text.chars().map(|c| if c == ' ' { '\u{3000}' } else { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) }).collect();
            proptest::prop_assert_eq!(Rule::Casefold.canonical(&wide), Rule::Casefold.canonical(&text));
        }
    }

    #[test]
    fn digests_parse_strictly_and_compare() {
        assert!("sha256:abc".parse::<AnswerDigest>().is_err());
        assert!("md5:".parse::<AnswerDigest>().is_err());
        assert!(format!("sha256:{}", "A".repeat(64)).parse::<AnswerDigest>().is_err(), "uppercase");
        let a = AnswerDigest::of_canonical("s", "a");
        let b = AnswerDigest::of_canonical("s", "b");
        assert!(AnswerDigest::is_among(&a, &[b, a]));
        assert!(!AnswerDigest::is_among(&a, &[b]));
        assert!(!AnswerDigest::is_among(&a, &[]));
        assert_ne!(AnswerDigest::of_canonical("s1", "a"), AnswerDigest::of_canonical("s2", "a"), "salted");
    }
}
