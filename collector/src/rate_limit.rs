//! Rate limits kept in memory: a token bucket per install (uploads), and per source address
//! (enrollment, failed authentication) through `governor`'s keyed limiter. Per collector process:
//! behind a load balancer each replica limits on its own, which bounds a client's rate at
//! replicas × the configured rate (docs/collector.md says so).
//!
//! A source address is never kept as such: the limiter's key is a keyed hash of it, with a random
//! secret drawn at start, held only in memory and replaced every [`KEY_ROTATION`]; an entry is
//! dropped once its bucket has refilled (at most a few minutes with the default limits), and every
//! entry of a previous secret can no longer be reached, so it is dropped the same way. Neither
//! the address nor its hash is logged or stored.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::RateLimit;

/// Buckets beyond this many are pruned of full ones, so idle installs cost no memory.
const PRUNE_ABOVE: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Debug)]
pub(crate) struct RateLimiter<K> {
    limit: RateLimit,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub(crate) fn new(limit: RateLimit) -> RateLimiter<K> {
        RateLimiter { limit, buckets: Mutex::new(HashMap::new()) }
    }

    fn per_second(&self) -> f64 {
        f64::from(self.limit.per_minute) / 60.0
    }

    /// Takes one request from `key`'s bucket, or says how long until one is available.
    pub(crate) fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let burst = f64::from(self.limit.burst);
        let rate = self.per_second();
        let mut buckets = self.buckets.lock().expect("no panics while holding the lock");
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| {
                bucket.tokens + rate * now.duration_since(bucket.updated).as_secs_f64() < burst
            });
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket { tokens: burst, updated: now });
        bucket.tokens =
            (bucket.tokens + rate * now.saturating_duration_since(bucket.updated).as_secs_f64()).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    /// Forgets a key, e.g. an erased install.
    pub(crate) fn forget(&self, key: &K) {
        self.buckets.lock().expect("no panics while holding the lock").remove(key);
    }
}

/// How often the secret of the source hash is replaced.
const KEY_ROTATION: Duration = Duration::from_secs(3600);
/// How often entries whose bucket has refilled are dropped.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// The in-memory secret of the source hash, and when the limiter was last tidied.
struct SourceSecret {
    key: [u8; 32],
    drawn: Instant,
    pruned: Instant,
}

impl SourceSecret {
    fn draw(now: Instant) -> SourceSecret {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SourceSecret { key, drawn: now, pruned: now }
    }
}

/// A rate limit per source address (see the module's documentation for what is kept).
pub(crate) struct SourceLimiter {
    limiter: DefaultKeyedRateLimiter<u128>,
    clock: DefaultClock,
    secret: Mutex<SourceSecret>,
}

impl std::fmt::Debug for SourceLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the secret nor the hashed sources are shown.
        f.debug_struct("SourceLimiter").field("sources", &self.limiter.len()).finish_non_exhaustive()
    }
}

impl SourceLimiter {
    pub(crate) fn new(limit: RateLimit) -> SourceLimiter {
        let nonzero = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(nonzero(limit.per_minute)).allow_burst(nonzero(limit.burst));
        let clock = DefaultClock::default();
        SourceLimiter {
            limiter: governor::RateLimiter::dashmap_with_clock(quota, clock.clone()),
            clock,
            secret: Mutex::new(SourceSecret::draw(Instant::now())),
        }
    }

    /// Takes one request from `source`'s bucket, or says how long until one is available.
    pub(crate) fn check(&self, source: IpAddr) -> Result<(), Duration> {
        let key = self.key_of(source, Instant::now());
        self.limiter.check_key(&key).map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// The keyed hash of a source: an IPv4 address, or the /64 network of an IPv6 address (one
    /// household or host is usually given a whole /64). Rotates the secret and drops refilled
    /// entries when it is time.
    fn key_of(&self, source: IpAddr, now: Instant) -> u128 {
        let mut secret = self.secret.lock().expect("no panics while holding the lock");
        if now.duration_since(secret.drawn) >= KEY_ROTATION {
            *secret = SourceSecret::draw(now);
        }
        if now.duration_since(secret.pruned) >= PRUNE_EVERY {
            secret.pruned = now;
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        let mut hash = Sha256::new();
        hash.update(secret.key);
        match source.to_canonical() {
            IpAddr::V4(v4) => hash.update([[4u8].as_slice(), &v4.octets()].concat()),
            IpAddr::V6(v6) => hash.update([[6u8].as_slice(), &v6.octets()[..8]].concat()),
        }
        let digest = hash.finalize();
        u128::from_le_bytes(digest[..16].try_into().expect("16 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_refills_at_the_rate() {
        let limiter = RateLimiter::new(RateLimit { per_minute: 60, burst: 3 });
        let start = Instant::now();
        for _ in 0..3 {
            limiter.check(&1, start).unwrap();
        }
        let wait = limiter.check(&1, start).unwrap_err();
        assert!(wait <= Duration::from_secs(1) && wait > Duration::from_millis(900), "{wait:?}");
        limiter.check(&2, start).unwrap();
        limiter.check(&1, start + Duration::from_secs(1)).unwrap();
        assert!(limiter.check(&1, start + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn limits_each_source_on_its_own() {
        let limiter = SourceLimiter::new(RateLimit { per_minute: 1, burst: 2 });
        let flooder: IpAddr = "127.0.0.2".parse().unwrap();
        limiter.check(flooder).unwrap();
        limiter.check(flooder).unwrap();
        let wait = limiter.check(flooder).unwrap_err();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60), "{wait:?}");
        limiter.check("127.0.0.3".parse().unwrap()).unwrap();
        // One IPv6 /64 is one source; the IPv4-mapped form of an address is the address.
        let v6 = SourceLimiter::new(RateLimit { per_minute: 1, burst: 1 });
        v6.check("2001:db8::1".parse().unwrap()).unwrap();
        assert!(v6.check("2001:db8::2".parse().unwrap()).is_err());
        v6.check("2001:db8:0:1::1".parse().unwrap()).unwrap();
        v6.check("::ffff:10.0.0.1".parse().unwrap()).unwrap();
        assert!(v6.check("10.0.0.1".parse().unwrap()).is_err());
    }

    #[test]
    fn a_new_secret_gives_new_keys() {
        let limiter = SourceLimiter::new(RateLimit { per_minute: 1, burst: 1 });
        let source: IpAddr = "192.0.2.7".parse().unwrap();
        let now = Instant::now();
        let before = limiter.key_of(source, now);
        assert_eq!(before, limiter.key_of(source, now));
        assert_ne!(before, limiter.key_of(source, now + KEY_ROTATION));
    }
}
