//! Names people type: parsed once at the boundary into types that are known to be valid.

use unicode_normalization::UnicodeNormalization;

/// Why a typed name was refused; the web layer turns it into a message in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong { max: usize },
    BadCharacters,
}

impl std::fmt::Display for NameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameError::Empty => f.write_str("must not be empty"),
            NameError::TooLong { max } => write!(f, "must be at most {max} characters"),
            NameError::BadCharacters => f.write_str("contains characters that are not allowed"),
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
}

impl Username {
    pub const MAX: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let display = tidy(raw);
        check_length(&display, Self::MAX)?;
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
        if !display.chars().all(allowed) {
            return Err(NameError::BadCharacters);
        }
        let key = fold(&display);
        Ok(Self { display, key })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &str {
        &self.key
    }
}

/// A team's name, unique within its contest: any printable text up to 48 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamName {
    display: String,
    key: String,
}

impl TeamName {
    pub const MAX: usize = 48;

    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let display = tidy(raw);
        check_length(&display, Self::MAX)?;
        if display.chars().any(char::is_control) {
            return Err(NameError::BadCharacters);
        }
        let key = fold(&display);
        Ok(Self { display, key })
    }

    pub fn as_str(&self) -> &str {
        &self.display
    }

    pub fn key(&self) -> &str {
        &self.key
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
        assert_eq!(TeamName::parse("a\u{7}b"), Err(NameError::BadCharacters));
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
