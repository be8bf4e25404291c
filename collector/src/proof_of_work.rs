//! Enrollment's proof of work. `GET /v1/installs/challenge` gives a challenge and a difficulty
//! `d`; the client finds a nonce such that SHA-256(challenge ‖ nonce), over the two texts'
//! bytes, begins with `d` zero bits, and enrolls with both. A worker's browser pays this once
//! (about a second, `docs/benchmarks.md`); a script pays it for every install it makes.
//!
//! A challenge is stateless until it is used: its difficulty, expiry and a random part,
//! authenticated with HMAC-SHA-256 under a key kept in `collector_meta`, so every replica
//! sharing the database accepts every replica's challenges and nobody can make up their own or
//! lower a difficulty. Single use is the database's: enrolling stores the random part until the
//! expiry (`used_challenges`), and a second enrollment with it is refused.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::{Database, DbError};

/// Leading zero bits asked for by default: about a second of the extension's wasm in Chromium
/// on a 2020s laptop core (measured in `docs/benchmarks.md`, "Enrollment's proof of work").
pub const DEFAULT_DIFFICULTY_BITS: u32 = 20;
/// The most a collector may ask: 2^32 hashes is an hour or more in a browser.
pub const MAX_DIFFICULTY_BITS: u32 = 32;
/// How long a challenge may be solved and used: ample for a slow machine, short enough that
/// used challenges are forgotten soon.
pub const CHALLENGE_LIFETIME_SECONDS: i64 = 600;
/// The longest nonce accepted.
const MAX_NONCE_LEN: usize = 64;
/// The `collector_meta` key of the HMAC key.
const KEY_META: &str = "enrollment_challenge_key";

type HmacSha256 = Hmac<Sha256>;

/// The key that authenticates challenges.
#[derive(Clone)]
pub(crate) struct ChallengeKey([u8; 32]);

impl std::fmt::Debug for ChallengeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChallengeKey(…)")
    }
}

/// A challenge as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub text: String,
    pub difficulty: u32,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A challenge whose solution was checked: what enrollment stores to refuse it a second time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SolvedChallenge {
    /// The challenge's random part, 32 hex digits.
    pub id: String,
    /// Unix seconds; the stored id may be forgotten after.
    pub expires_at: i64,
}

/// Why a challenge and nonce do not enroll; each names its field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ProofError {
    #[error("is not a challenge of this collector; ask GET /v1/installs/challenge for one")]
    NotIssued,
    #[error("expired {0} s ago; ask GET /v1/installs/challenge for a new one")]
    Expired(i64),
    #[error("was used to enroll already; a solved challenge enrolls one install")]
    Used,
    #[error("must be 1 to {MAX_NONCE_LEN} ASCII letters or digits")]
    MalformedNonce,
    #[error("SHA-256(challenge ‖ nonce) begins with {found} zero bits; the challenge asks for {needed}")]
    NotSolved { needed: u32, found: u32 },
}

impl ProofError {
    /// The request field the problem is in.
    pub(crate) fn field(&self) -> &'static str {
        match self {
            ProofError::MalformedNonce | ProofError::NotSolved { .. } => "nonce",
            _ => "challenge",
        }
    }
}

impl ChallengeKey {
    /// The database's key, made on the first start (from the operating system's random
    /// source) and shared by every collector on the database from then on.
    pub(crate) async fn load(database: &Database) -> Result<ChallengeKey, DbError> {
        let mut fresh = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut fresh);
        let stored = database.meta_set_once(KEY_META, &hex::encode(fresh)).await?;
        let bytes = hex::decode(&stored).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok());
        bytes.map(ChallengeKey).ok_or_else(|| DbError::CorruptRow(format!("{KEY_META} is not 64 hex digits")))
    }

    fn mac(&self, message: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(message.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// A new challenge of `difficulty` bits, valid for [`CHALLENGE_LIFETIME_SECONDS`] from `now`.
    pub(crate) fn issue(&self, now: i64, difficulty: u32) -> Challenge {
        let mut random = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let expires_at = now + CHALLENGE_LIFETIME_SECONDS;
        let message = format!("{difficulty}.{expires_at}.{}", hex::encode(random));
        let text = format!("{message}.{}", self.mac(&message));
        Challenge { text, difficulty, expires_at }
    }

    /// Checks that `challenge` was issued here, has not expired at `now`, and that `nonce`
    /// solves it. (Whether it was used already is the database's to say, at enrollment.)
    pub(crate) fn check(
        &self,
        challenge: &str,
        nonce: &str,
        now: i64,
    ) -> Result<SolvedChallenge, ProofError> {
        let (message, mac) = challenge.rsplit_once('.').ok_or(ProofError::NotIssued)?;
        // The comparison takes the same time whatever the bytes, so the MAC cannot be guessed
        // byte by byte from response times.
        let expected = self.mac(message);
        let same = expected.len() == mac.len()
            && expected.bytes().zip(mac.bytes()).fold(0u8, |differ, (a, b)| differ | (a ^ b)) == 0;
        if !same {
            return Err(ProofError::NotIssued);
        }
        let mut parts = message.split('.');
        let (Some(difficulty), Some(expires_at), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ProofError::NotIssued);
        };
        let difficulty: u32 = difficulty.parse().map_err(|_| ProofError::NotIssued)?;
        let expires_at: i64 = expires_at.parse().map_err(|_| ProofError::NotIssued)?;
        if now > expires_at {
            return Err(ProofError::Expired(now - expires_at));
        }
        if nonce.is_empty()
            || nonce.len() > MAX_NONCE_LEN
            || !nonce.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(ProofError::MalformedNonce);
        }
        let found = leading_zero_bits(&work(challenge, nonce));
        if found < difficulty {
            return Err(ProofError::NotSolved { needed: difficulty, found });
        }
        Ok(SolvedChallenge { id: id.to_owned(), expires_at })
    }
}

/// SHA-256 of the challenge's bytes followed by the nonce's.
fn work(challenge: &str, nonce: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(challenge.as_bytes());
    hasher.update(nonce.as_bytes());
    hasher.finalize().into()
}

/// How many bits of `digest`, from its first byte's highest, are zero before the first one.
pub fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        bits += byte.leading_zeros();
        if *byte != 0 {
            break;
        }
    }
    bits
}

/// A nonce (decimal digits) that solves `challenge` at `difficulty`: what a client does, here
/// for the tests and the benchmark (the extension has its own, in `extension/src/upload.rs`,
/// since it does not depend on the collector).
pub fn solve(challenge: &str, difficulty: u32) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|nonce| leading_zero_bits(&work(challenge, nonce)) >= difficulty)
        .expect("some nonce solves any difficulty up to 64 bits")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_996_800;

    fn key() -> ChallengeKey {
        ChallengeKey([7; 32])
    }

    #[test]
    fn counts_leading_zero_bits() {
        for (digest, bits) in [
            (&[0x80u8, 0][..], 0),
            (&[0x00, 0x01], 15),
            (&[0x00, 0x00, 0x20], 18),
            (&[0x0f, 0xff], 4),
            (&[0, 0], 16),
        ] {
            assert_eq!(leading_zero_bits(digest), bits, "{digest:?}");
        }
    }

    #[test]
    fn a_solved_challenge_checks_until_it_expires() {
        let challenge = key().issue(NOW, 8);
        assert_eq!((challenge.difficulty, challenge.expires_at), (8, NOW + CHALLENGE_LIFETIME_SECONDS));
        let nonce = solve(&challenge.text, 8);
        assert!(leading_zero_bits(&work(&challenge.text, &nonce)) >= 8);
        let solved = key().check(&challenge.text, &nonce, NOW + 10).unwrap();
        assert_eq!(solved.id.len(), 32);
        assert_eq!(solved.expires_at, challenge.expires_at);
        let late = key().check(&challenge.text, &nonce, challenge.expires_at + 5);
        assert_eq!(late, Err(ProofError::Expired(5)));
        // Another key, a changed difficulty or expiry, a truncated text: not issued here.
        assert_eq!(ChallengeKey([8; 32]).check(&challenge.text, &nonce, NOW), Err(ProofError::NotIssued));
        let easier = challenge.text.replacen("8.", "0.", 1);
        assert_eq!(key().check(&easier, &nonce, NOW), Err(ProofError::NotIssued));
        for bad in ["", ".", "8.1.2.3", &challenge.text[..challenge.text.len() - 1]] {
            assert_eq!(key().check(bad, &nonce, NOW), Err(ProofError::NotIssued), "{bad}");
        }
    }

    #[test]
    fn a_wrong_or_malformed_nonce_is_refused_naming_the_field() {
        let challenge = key().issue(NOW, 16);
        let wrong = (0u64..)
            .map(|n| n.to_string())
            .find(|nonce| leading_zero_bits(&work(&challenge.text, nonce)) < 16)
            .unwrap();
        let error = key().check(&challenge.text, &wrong, NOW).unwrap_err();
        assert!(matches!(error, ProofError::NotSolved { needed: 16, .. }), "{error}");
        assert_eq!(error.field(), "nonce");
        for bad in ["", "12 3", "ü", &"9".repeat(65)] {
            assert_eq!(key().check(&challenge.text, bad, NOW), Err(ProofError::MalformedNonce), "{bad}");
        }
        assert_eq!(ProofError::NotIssued.field(), "challenge");
    }
}
