//! Anonymous install identities: a random public id, and a random bearer token of which the
//! collector keeps only a SHA-256 hash, so a leaked database cannot be used to upload or erase.

use analysis::record::InstallId;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new install's public id (32 hex digits) and bearer token (64 hex digits), both from the
/// operating system's random source. Hex never starts with `sim-` or `req-`, the prefixes the
/// library reserves for synthetic and requester-export installs.
pub fn new_credentials() -> (InstallId, String) {
    let mut id = [0u8; 16];
    let mut token = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut id);
    rand::rngs::OsRng.fill_bytes(&mut token);
    (InstallId::parse(&hex::encode(id)).expect("hex is a valid install id"), hex::encode(token))
}

/// The stored form of a token. The token is 256 random bits, so a plain hash suffices: there
/// is no dictionary to guess from.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token of an `Authorization: Bearer TOKEN` header, if it has that shape.
pub(crate) fn bearer_token(header: Option<&str>) -> Option<&str> {
    let header = header?.trim();
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 256).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_random_and_hashes_stable() {
        let (id_a, token_a) = new_credentials();
        let (id_b, token_b) = new_credentials();
        assert_ne!(id_a, id_b);
        assert_ne!(token_a, token_b);
        assert_eq!((id_a.as_str().len(), token_a.len()), (32, 64));
        assert!(!id_a.is_simulated() && !id_a.is_from_requester_export());
        assert_eq!(token_hash(&token_a), token_hash(&token_a));
        assert_ne!(token_hash(&token_a), token_a);
    }

    #[test]
    fn reads_bearer_headers_only() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer  abc ")), Some("abc"));
        for bad in [None, Some(""), Some("Basic abc"), Some("Bearer"), Some("Bearer ")] {
            assert_eq!(bearer_token(bad), None, "{bad:?}");
        }
    }
}
