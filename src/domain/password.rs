//! Passwords: argon2id with a per-password salt. Hashing is slow by design; callers run it on a blocking
//! thread.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    TooShort { min: usize },
    TooLong { max: usize },
}

impl std::fmt::Display for PasswordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PasswordError::TooShort { min } => write!(f, "must be at least {min} characters"),
            PasswordError::TooLong { max } => write!(f, "must be at most {max} bytes"),
        }
    }
}

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 256;

/// Accepts a password a person chose: long enough to matter, short enough not to be a hashing DoS.
pub fn check_strength(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        Err(PasswordError::TooShort { min: MIN_LEN })
    } else if password.len() > MAX_LEN {
        Err(PasswordError::TooLong { max: MAX_LEN })
    } else {
        Ok(())
    }
}

/// The argon2id PHC string of a password (argon2's recommended defaults: 19 MiB, 2 passes).
pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        // Hashing with the default parameters and a fresh salt has no failure mode but a broken build.
        .unwrap_or_else(|e| panic!("argon2 with default parameters failed: {e}"))
}

/// Whether `password` matches the stored PHC string; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that a wrong username costs as much
/// time as a wrong password and does not tell which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that no account has"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let stored = hash("correct horse battery");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse batterY", &stored));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn strength_bounds() {
        assert_eq!(check_strength("short"), Err(PasswordError::TooShort { min: 8 }));
        assert_eq!(check_strength(&"x".repeat(257)), Err(PasswordError::TooLong { max: 256 }));
        assert!(check_strength("パスワード長いです").is_ok());
    }
}
