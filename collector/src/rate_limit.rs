//! Token-bucket rate limits kept in memory, per install (uploads) or for everyone (enrollment).
//! Per collector process: behind a load balancer each replica limits on its own, which bounds a
//! token's rate at replicas × the configured rate (docs/collector.md says so).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
}
