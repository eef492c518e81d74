//! Signed download links, as CTFd gives them: `/files/<sha256>/<name>?token=<t>`, where `t` names the user and
//! the team it was made for and when it expires, and carries an HMAC over those and the file. A script that
//! holds only the link (CTFd's downloaders drop the `Authorization` header when they fetch files) gets the file;
//! a link changed in any part, used for another file, or past its hour, is refused.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long a link works, as CTFd's do.
pub const LINK_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// Whom a link was made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub user_id: i32,
    pub team_id: Option<i32>,
}

/// Why a link was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    Malformed,
    /// The signature does not match: altered, made for another file, or with another key.
    Forged,
    Expired,
}

/// The key links are signed with, derived from the site's secret key (and only used for this).
#[derive(Clone)]
pub struct LinkKey([u8; 32]);

impl LinkKey {
    pub fn from_secret(secret: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"mwscup-file-link-v1\0");
        hasher.update(secret.as_bytes());
        LinkKey(hasher.finalize().into())
    }

    /// The token for `holder` to fetch the file `sha256`/`name` until `expires`.
    pub fn sign(&self, holder: Holder, sha256: &str, name: &str, expires: DateTime<Utc>) -> String {
        let claims = format!("{}.{}.{}", holder.user_id, holder.team_id.unwrap_or(0), expires.timestamp());
        let mac = hex::encode(self.mac(&claims, sha256, name));
        format!("{claims}.{mac}")
    }

    /// Whom a token was made for, if it was made here for this file and has not expired.
    pub fn verify(&self, token: &str, sha256: &str, name: &str, now: DateTime<Utc>) -> Result<Holder, LinkError> {
        let (claims, mac) = token.rsplit_once('.').ok_or(LinkError::Malformed)?;
        let mut parts = claims.split('.');
        let mut number = || parts.next().and_then(|p| p.parse::<i64>().ok()).ok_or(LinkError::Malformed);
        let (user, team, expires) = (number()?, number()?, number()?);
        if parts.next().is_some() {
            return Err(LinkError::Malformed);
        }
        let user_id = i32::try_from(user).map_err(|_| LinkError::Malformed)?;
        let team_id = i32::try_from(team).map_err(|_| LinkError::Malformed)?;
        let given = hex::decode(mac).map_err(|_| LinkError::Malformed)?;
        if !bool::from(self.mac(claims, sha256, name).ct_eq(given.as_slice())) {
            return Err(LinkError::Forged);
        }
        if now.timestamp() >= expires {
            return Err(LinkError::Expired);
        }
        Ok(Holder { user_id, team_id: (team_id != 0).then_some(team_id) })
    }

    fn mac(&self, claims: &str, sha256: &str, name: &str) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        // Lengths first, so that no two (claims, file, name) read as the same bytes.
        for part in [claims, sha256, name] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("in range")
    }

    #[test]
    fn a_link_names_its_holder_until_it_expires() {
        let key = LinkKey::from_secret("s3cret");
        let holder = Holder { user_id: 7, team_id: Some(3) };
        let token = key.sign(holder, SHA, "sample.zip", at(3600));
        assert_eq!(key.verify(&token, SHA, "sample.zip", at(0)), Ok(holder));
        assert_eq!(key.verify(&token, SHA, "sample.zip", at(3599)), Ok(holder));
        assert_eq!(key.verify(&token, SHA, "sample.zip", at(3600)), Err(LinkError::Expired));
        let staff = Holder { user_id: 1, team_id: None };
        assert_eq!(key.verify(&key.sign(staff, SHA, "a", at(10)), SHA, "a", at(0)), Ok(staff));
    }

    #[test]
    fn a_link_is_for_one_file_one_holder_and_one_key() {
        let key = LinkKey::from_secret("s3cret");
        let token = key.sign(Holder { user_id: 7, team_id: Some(3) }, SHA, "sample.zip", at(3600));
        assert_eq!(key.verify(&token, SHA, "other.zip", at(0)), Err(LinkError::Forged));
        assert_eq!(key.verify(&token, &SHA.replace('9', "8"), "sample.zip", at(0)), Err(LinkError::Forged));
        assert_eq!(LinkKey::from_secret("other").verify(&token, SHA, "sample.zip", at(0)), Err(LinkError::Forged));
        // Another user, team or a later expiry under the same signature.
        for forged in [token.replacen("7.", "8.", 1), token.replacen(".3.", ".4.", 1), token.replace("3600", "9999")] {
            assert_ne!(forged, token);
            assert_eq!(key.verify(&forged, SHA, "sample.zip", at(0)), Err(LinkError::Forged), "{forged}");
        }
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let key = LinkKey::from_secret("s3cret");
        for bad in ["", ".", "a.b.c.d", "1.2.3", "1.2.3.zz", "1.2.3.4.5", "99999999999.0.1.00", "1.2.x.00"] {
            assert_eq!(key.verify(bad, SHA, "a", at(0)), Err(LinkError::Malformed), "{bad:?}");
        }
    }
}
