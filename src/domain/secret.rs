//! Random secrets (session, API and invite tokens, generated passwords) and the one-way digests under
//! which they are stored: the database never holds one in plaintext.

use rand::Rng;
use rand::distributions::Alphanumeric;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// The prefix that marks a mwscup API token, so that secret scanners and people can recognise one.
pub const API_TOKEN_PREFIX: &str = "mwscup_";

fn random_alphanumeric(len: usize) -> String {
    OsRng.sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// A session token: 256 bits of randomness, hex.
pub fn session_token() -> String {
    let bytes: [u8; 32] = OsRng.r#gen();
    hex::encode(bytes)
}

/// An API token as shown once to its owner: `mwscup_` and 40 alphanumerics (~238 bits).
pub fn api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_alphanumeric(40))
}

/// An invite code that people read aloud or paste: 12 characters without look-alikes (0/O, 1/l/I).
pub fn invite_code() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    (0..12).map(|_| char::from(ALPHABET[OsRng.gen_range(0..ALPHABET.len())])).collect()
}

/// A password generated for an organizer account: 24 alphanumerics (~142 bits).
pub fn generated_password() -> String {
    random_alphanumeric(24)
}

/// The digest under which a token is stored and looked up.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_fresh_and_well_formed() {
        let (a, b) = (api_token(), api_token());
        assert_ne!(a, b);
        assert!(a.starts_with(API_TOKEN_PREFIX));
        assert_eq!(a.len(), API_TOKEN_PREFIX.len() + 40);
        assert_eq!(session_token().len(), 64);
        let code = invite_code();
        assert_eq!(code.len(), 12);
        assert!(!code.contains(['0', 'o', '1', 'l', 'i']));
    }

    #[test]
    fn digest_is_sha256_hex() {
        assert_eq!(token_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
