//! Names people type: parsed once at the boundary into types that are known to be valid.
//!
//! A name has two keys, each kept in a unique column: its `key` (NFKC and lowercase: `Alice` and `ａｌｉｃｅ`
//! are one name, and login finds an account by it) and its `skeleton` (Unicode's confusable skeleton, UTS #39,
//! lowercased: `оrganizer` with a Cyrillic `о`, `0rganizer` and `Organizer` are one skeleton, and so are
//! `Team I` and `Team l`). A name whose skeleton is taken is refused by the database's unique index, so two
//! registrations at once cannot both get through.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Why a typed name was refused; the web layer turns it into a message in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong {
        max: usize,
    },
    BadCharacters,
    /// An invisible or bidirectional control character (zero-width space, BOM, soft hyphen, RLO …).
    Invisible,
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameError::Empty => f.write_str("must not be empty"),
            NameError::TooLong { max } => write!(f, "must be at most {max} characters"),
            NameError::BadCharacters => f.write_str("contains characters that are not allowed"),
            NameError::Invisible => f.write_str(
                "contains an invisible or text-direction character (zero-width space, BOM, soft hyphen, \
                 bidirectional control …)",
            ),
        }
    }
}

/// NFKC, trimmed, inner whitespace collapsed: what a name is once the IME and stray spaces are gone.
fn tidy(raw: &str) -> String {
    raw.nfkc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key two names are compared by: `Alice` and `ａｌｉｃｅ ` are the same name.
fn fold(tidy: &str) -> String {
    tidy.to_lowercase()
}

/// The confusable skeleton (UTS #39) of a tidy name, lowercased. The skeleton comes first, so that `I`
/// (which looks like `l`) becomes `l` before case is dropped; names that differ only in case are caught by
/// the key. The migration `m20261127_000012_confusable_names` computes the same for existing rows (a test
/// below checks that both agree).
pub fn skeleton(tidy: &str) -> String {
    unicode_security::skeleton(tidy).collect::<String>().to_lowercase()
}

/// A character that shows nothing or turns the text around it: controls (C0, DEL, C1), format characters
/// (zero-width space, joiner and non-joiner, word joiner, BOM, soft hyphen, bidirectional embeddings,
/// overrides, isolates and marks …) and the blank fillers of Hangul and Braille.
pub fn is_invisible(c: char) -> bool {
    matches!(c.general_category(), GeneralCategory::Control | GeneralCategory::Format)
        || matches!(c, '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{2800}' | '\u{3164}' | '\u{FFA0}')
}

fn check_visible(name: &str) -> Result<(), NameError> {
    if name.chars().any(is_invisible) { Err(NameError::Invisible) } else { Ok(()) }
}

fn check_length(name: &str, max: usize) -> Result<(), NameError> {
    match name.chars().count() {
        0 => Err(NameError::Empty),
        n if n > max => Err(NameError::TooLong { max }),
        _ => Ok(()),
    }
}

/// A login name: letters, digits, `_`, `-` and `.`, up to 32 characters (any script, after NFKC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username {
    display: String,
    key: String,
    skeleton: String,
}

impl Username {
    pub const MAX: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let display = tidy(raw);
        check_length(&display, Self::MAX)?;
        check_visible(&display)?;
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
        if !display.chars().all(allowed) {
            return Err(NameError::BadCharacters);
        }
        let key = fold(&display);
        let skeleton = skeleton(&display);
        Ok(Self { display, key, skeleton })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the name looks like: names with the same skeleton are confusable (see [`skeleton`]).
    pub fn skeleton(&self) -> &str {
        &self.skeleton
    }
}

/// A team's name, unique within its contest: any printable text up to 48 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamName {
    display: String,
    key: String,
    skeleton: String,
}

impl TeamName {
    pub const MAX: usize = 48;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let display = tidy(raw);
        check_length(&display, Self::MAX)?;
        check_visible(&display)?;
        let unassigned =
            |c: char| matches!(c.general_category(), GeneralCategory::Unassigned | GeneralCategory::PrivateUse);
        if display.chars().any(unassigned) {
            return Err(NameError::BadCharacters);
        }
        let key = fold(&display);
        let skeleton = skeleton(&display);
        Ok(Self { display, key, skeleton })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// What the name looks like: names with the same skeleton are confusable (see [`skeleton`]).
    pub fn skeleton(&self) -> &str {
        &self.skeleton
    }
}

/// Free text of a bounded length (an affiliation, a token's name); empty means absent.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, NameError> {
    let text = tidy(raw.unwrap_or_default());
    if text.is_empty() {
        return Ok(None);
    }
    check_length(&text, max)?;
    if text.chars().any(char::is_control) {
        return Err(NameError::BadCharacters);
    }
    Ok(Some(text))
}

/// Free text as it may be stored: a NUL (which PostgreSQL's text refuses) shown as the symbol ␀.
pub fn without_nul(text: &str) -> String {
    text.replace('\0', "\u{2400}")
}

/// An e-mail address, checked only for shape: one `@` with something on both sides.
pub fn optional_email(raw: Option<&str>) -> Result<Option<String>, NameError> {
    let Some(email) = optional_text(raw, 254)? else {
        return Ok(None);
    };
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && domain.contains('.') && !email.contains(' ') => Ok(Some(email)),
        _ => Err(NameError::BadCharacters),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fold_width_and_case() {
        let a = Username::parse(" Ａｌｉｃｅ ").expect("valid");
        let b = Username::parse("alice").expect("valid");
        assert_eq!(a.as_str(), "Alice");
        assert_eq!(a.key(), b.key());
    }

    #[test]
    fn usernames_refuse_spaces_symbols_and_length() {
        assert_eq!(Username::parse("a b"), Err(NameError::BadCharacters));
        assert_eq!(Username::parse("a/b"), Err(NameError::BadCharacters));
        assert_eq!(Username::parse("   "), Err(NameError::Empty));
        assert_eq!(Username::parse(&"x".repeat(33)), Err(NameError::TooLong { max: 32 }));
        assert!(Username::parse("解析太郎").is_ok());
    }

    #[test]
    fn team_names_collapse_whitespace_and_keep_case_for_display() {
        let t = TeamName::parse("  Team\u{3000}  Rocket ").expect("valid");
        assert_eq!(t.as_str(), "Team Rocket");
        assert_eq!(t.key(), "team rocket");
        assert_eq!(TeamName::parse("a\u{7}b"), Err(NameError::Invisible));
    }

    #[test]
    fn invisible_and_bidirectional_characters_are_refused() {
        let hidden = [
            '\u{200B}', // zero-width space
            '\u{200C}', // zero-width non-joiner
            '\u{200D}', // zero-width joiner
            '\u{2060}', // word joiner
            '\u{FEFF}', // byte order mark
            '\u{00AD}', // soft hyphen
            '\u{200E}', // left-to-right mark
            '\u{200F}', // right-to-left mark
            '\u{061C}', // Arabic letter mark
            '\u{202A}',
            '\u{202B}',
            '\u{202C}',
            '\u{202D}',
            '\u{202E}', // embeddings and overrides
            '\u{2066}',
            '\u{2067}',
            '\u{2068}',
            '\u{2069}',  // isolates
            '\u{180E}',  // Mongolian vowel separator
            '\u{E0041}', // a tag character
            '\u{0001}',
            '\u{007F}',
            '\u{0080}',
            '\u{009F}', // C0, DEL, C1
            '\u{3164}', // Hangul filler
        ];
        for c in hidden {
            let name = format!("org{c}anizer");
            assert_eq!(TeamName::parse(&name), Err(NameError::Invisible), "{:?}", c);
            assert_eq!(Username::parse(&name), Err(NameError::Invisible), "{:?}", c);
        }
        // The attack of item 11: a name that reads backwards on the scoreboard.
        assert_eq!(TeamName::parse("Team \u{202E}lanigirO"), Err(NameError::Invisible));
        assert_eq!(TeamName::parse("\u{E000}"), Err(NameError::BadCharacters), "private use");
        assert!(TeamName::parse("Team 🔥 (ﾁｰﾑ)").is_ok());
    }

    #[test]
    fn confusable_names_share_a_skeleton() {
        let team = |s: &str| TeamName::parse(s).expect("valid");
        let user = |s: &str| Username::parse(s).expect("valid");
        // A Cyrillic о, a zero, a capital O: all look like `organizer`.
        assert_eq!(team("оrganizer").skeleton(), team("organizer").skeleton());
        assert_eq!(team("оrganizer").skeleton(), team("Organizer").skeleton());
        assert_eq!(team("0rganizer").skeleton(), team("organizer").skeleton());
        assert_ne!(team("оrganizer").key(), team("organizer").key(), "only the skeleton sees it");
        assert_eq!(team("Team l").skeleton(), team("Team I").skeleton());
        assert_eq!(team("Team l").skeleton(), team("Team 1").skeleton());
        assert_eq!(user("раураl").skeleton(), user("paypal").skeleton());
        assert_eq!(user("Аlice").skeleton(), user("alice").skeleton());
        assert_eq!(user("rn").skeleton(), user("m").skeleton());
        // The ordinary spelling keeps its key, which login uses.
        assert_eq!(user("Alice").key(), "alice");
        assert_ne!(team("Team A").skeleton(), team("Team B").skeleton());
        assert_ne!(user("alice").skeleton(), user("bob").skeleton());
    }

    #[test]
    fn japanese_names_stay_distinct_and_fold_width() {
        let team = |s: &str| TeamName::parse(s).expect("valid");
        let user = |s: &str| Username::parse(s).expect("valid");
        let names = [
            "解析太郎",
            "解析次郎",
            "かいせき",
            "カイセキ",
            "チーム静的",
            "チーム動的",
            "マルウェア解析班",
            "ＭＷＳ班",
        ];
        for (i, a) in names.iter().enumerate() {
            for b in &names[i + 1..] {
                assert_ne!(team(a).skeleton(), team(b).skeleton(), "{a} and {b}");
                assert_ne!(team(a).key(), team(b).key(), "{a} and {b}");
            }
        }
        assert_ne!(user("解析太郎").skeleton(), user("解析次郎").skeleton());
        // Full width and half width are the same name, by key and by skeleton.
        assert_eq!(team("ｶｲｾｷ").key(), team("カイセキ").key());
        assert_eq!(team("ｶｲｾｷ").skeleton(), team("カイセキ").skeleton());
        assert_eq!(team("ＭＷＳ班").key(), team("mws班").key());
        // A kanji that is drawn like a katakana is a confusable: 力 (power) and カ (ka).
        assert_eq!(team("チーム力").skeleton(), team("チームカ").skeleton());
    }

    #[test]
    fn the_migration_computes_the_same_skeleton() {
        for raw in ["Organizer", "оrganizer", "Team I", "Team l", "ＭＷＳ班", "ｶｲｾｷ", "Ⅻ", "ǅemal", "İstanbul", "ß"]
        {
            let t = TeamName::parse(raw).expect("valid");
            assert_eq!(migration::name_skeleton(t.as_str()), t.skeleton(), "{raw}");
        }
    }

    #[test]
    fn optional_text_treats_blank_as_absent() {
        assert_eq!(optional_text(Some("  "), 10), Ok(None));
        assert_eq!(optional_text(None, 10), Ok(None));
        assert_eq!(optional_text(Some(" NICT "), 10), Ok(Some("NICT".into())));
        assert_eq!(optional_text(Some("x".repeat(11).as_str()), 10), Err(NameError::TooLong { max: 10 }));
    }

    #[test]
    fn emails_need_an_at_and_a_domain() {
        assert_eq!(optional_email(Some("a@b.jp")), Ok(Some("a@b.jp".into())));
        assert!(optional_email(Some("nope")).is_err());
        assert!(optional_email(Some("@b.jp")).is_err());
        assert_eq!(optional_email(None), Ok(None));
    }
}
