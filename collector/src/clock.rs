//! The server's clock, the only one the collector trusts for rules about time (records carry
//! the client's clock, which anyone can set): which UTC day an upload arrived on, and when an
//! enrollment challenge expires. Tests set it by hand to play days in seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const SECONDS_PER_DAY: i64 = 86_400;

/// The system clock, or, for tests, a clock that moves only when told to.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Unix seconds of a hand-set clock; `None` reads the system clock.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands at `unix_seconds` until [`Clock::advance`] moves it; its clones
    /// move with it.
    pub fn manual(unix_seconds: i64) -> Clock {
        Clock { manual: Some(Arc::new(AtomicI64::new(unix_seconds))) }
    }

    /// Moves a hand-set clock forward; the system clock cannot be moved.
    pub fn advance(&self, seconds: i64) {
        let manual = self.manual.as_ref().expect("only a manual clock can be moved");
        manual.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn advance_days(&self, days: i64) {
        self.advance(days * SECONDS_PER_DAY);
    }

    /// Seconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        match &self.manual {
            Some(manual) => manual.load(Ordering::SeqCst),
            // A system clock set before 1970 is read as 1970: nothing it dates then passes.
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)),
        }
    }

    /// Days since the Unix epoch, in UTC.
    pub fn today(&self) -> i64 {
        self.now().div_euclid(SECONDS_PER_DAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_its_clones_with_it() {
        let clock = Clock::manual(1_714_521_600 + 3600);
        let copy = clock.clone();
        assert_eq!(clock.today(), 19_844);
        copy.advance_days(2);
        assert_eq!((clock.today(), clock.now()), (19_846, 1_714_521_600 + 3600 + 2 * 86_400));
        assert!(Clock::system().today() > 20_000);
    }
}
