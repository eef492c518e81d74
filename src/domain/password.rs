//! Passwords: argon2id with a per-password salt. Hashing is slow by design; callers run it on a blocking
//! thread.

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

/// The memory of one argon2 computation (19 MiB with the default parameters), kept by a hashing worker and
/// reused from one password to the next, so that a burst of logins does not allocate and free 19 MiB a time
/// (which the system allocator keeps, per thread, long after the burst).
#[derive(Default)]
pub struct Scratch {
    blocks: Vec<Block>,
}

impl Scratch {
    /// The blocks for `params`, grown the first time (or for a stored hash with larger parameters).
    fn blocks(&mut self, params: &Params) -> &mut [Block] {
        if self.blocks.len() < params.block_count() {
            self.blocks.resize(params.block_count(), Block::default());
        }
        &mut self.blocks
    }
}

/// The argon2id PHC string of a password (argon2's recommended defaults: 19 MiB, 2 passes, 1 lane).
pub fn hash(password: &str) -> String {
    hash_with(password, &mut Scratch::default())
}

/// [`hash`], in the memory of `scratch`.
pub fn hash_with(password: &str, scratch: &mut Scratch) -> String {
    let salt = SaltString::generate(&mut OsRng);
    phc(password, &salt, scratch)
        // The default parameters and a fresh salt have no failure mode but a broken build.
        .unwrap_or_else(|e| panic!("argon2 with default parameters failed: {e}"))
}

fn phc(password: &str, salt: &SaltString, scratch: &mut Scratch) -> password_hash::Result<String> {
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        Ok(argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, scratch.blocks(&params))?)
    })?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    verify_with(password, stored, &mut Scratch::default())
}

/// [`verify`], in the memory of `scratch`, with the parameters the stored hash names.
pub fn verify_with(password: &str, stored: &str, scratch: &mut Scratch) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) =
        (Algorithm::try_from(parsed.algorithm), Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else { return false };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, scratch.blocks(&params))?)
    });
    // `Output`'s equality takes the same time whichever byte differs.
    computed.is_ok_and(|c| c == expected)
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
    fn one_scratch_serves_many_hashes_and_older_parameters() {
        let mut scratch = Scratch::default();
        let first = hash_with("first password", &mut scratch);
        let second = hash_with("second password", &mut scratch);
        assert!(verify_with("first password", &first, &mut scratch));
        assert!(verify_with("second password", &second, &mut scratch));
        assert!(!verify_with("second password", &first, &mut scratch));
        // A hash made by argon2's own hasher, with other parameters (as an older release might have stored).
        use argon2::PasswordHasher;
        let params = Params::new(8 * 1024, 3, 1, None).expect("valid parameters");
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"older", &SaltString::generate(&mut OsRng))
            .expect("hashed")
            .to_string();
        assert!(verify_with("older", &other, &mut scratch));
        assert!(!verify_with("Older", &other, &mut scratch));
        // And ours verify with argon2's own verifier.
        use argon2::PasswordVerifier;
        let parsed = PasswordHash::new(&first).expect("a PHC string");
        assert!(Argon2::default().verify_password(b"first password", &parsed).is_ok());
        assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{first}");
    }

    #[test]
    fn strength_bounds() {
        assert_eq!(check_strength("short"), Err(PasswordError::TooShort { min: 8 }));
        assert_eq!(check_strength(&"x".repeat(257)), Err(PasswordError::TooLong { max: 256 }));
        assert!(check_strength("パスワード長いです").is_ok());
    }
}
