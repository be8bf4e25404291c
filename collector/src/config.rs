//! The collector's configuration: one typed struct, built from flags and environment variables
//! by `main` and by tests directly, then passed down; nothing else reads the environment.

use std::net::SocketAddr;
use std::time::Duration;

use analysis::report::{
    DEFAULT_MIN_HOURS, DEFAULT_SMALL_CELL_WAGE_STEP_USD, MIN_EXACT_QUANTILES_WORKERS, MIN_PUBLISHED_WORKERS,
};

/// The finest step small cells' wages may be rounded to: finer, and a rounded order statistic
/// would give one worker's wage to within a few cents.
pub const MIN_SMALL_CELL_WAGE_STEP_USD: f64 = 0.05;

use crate::clock::Clock;
use crate::proof_of_work::{DEFAULT_DIFFICULTY_BITS, MAX_DIFFICULTY_BITS};

/// The largest request body accepted, before decompression.
const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// The largest request body accepted after gzip decompression: a batch of 1000 records in
/// generously indented JSON stays well under this.
const DEFAULT_MAX_DECOMPRESSED_BYTES: usize = 4 * 1024 * 1024;
/// The most records one `POST /v1/records` may carry.
pub(crate) const MAX_BATCH_RECORDS: usize = 1000;
/// How many distinct countries one install's records may span by default.
pub const DEFAULT_MAX_COUNTRIES_PER_INSTALL: usize = 3;
/// How many platform × country × month cells one install's records may span by default: four
/// platforms in two countries every month for ten years is 960 (`docs/collector.md`).
pub const DEFAULT_MAX_CELLS_PER_INSTALL: usize = 1000;
/// An operator's name, address and email fit in one line of this length.
pub const MAX_OPERATOR_CONTACT_CHARS: usize = 300;
/// On how many distinct days (by the server's clock) an install must have uploaded before its
/// records count in what the collector publishes, by default.
pub const DEFAULT_ELIGIBLE_AFTER_DAYS: u32 = 3;
/// The most `eligible_after_days` may be; the demo's synthetic installs count as having
/// uploaded on this many days.
pub const MAX_ELIGIBLE_AFTER_DAYS: u32 = 365;

/// Everything the collector needs to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// The database holds `piecerate simulate` data and every answer says so.
    pub demo: bool,
    /// Cells with fewer workers publish no statistic; never below [`MIN_PUBLISHED_WORKERS`].
    pub min_workers: u32,
    /// Workers with fewer counted hours in a cell are left out of its statistics.
    pub min_hours: f64,
    /// Published cells with fewer workers give their mean, median, percentiles and the median's
    /// interval rounded to `small_cell_wage_step_usd` (disclosure control, `docs/methodology.md`);
    /// never below [`MIN_EXACT_QUANTILES_WORKERS`].
    pub exact_quantiles_min_workers: u32,
    /// The step, in US dollars, of those rounded figures; at least
    /// [`MIN_SMALL_CELL_WAGE_STEP_USD`].
    pub small_cell_wage_step_usd: f64,
    pub max_body_bytes: usize,
    pub max_decompressed_bytes: usize,
    /// Uploads per install.
    pub upload_rate: RateLimit,
    /// Enrollments per source address (an IPv4 address or an IPv6 /64).
    pub enroll_rate: RateLimit,
    /// Failed authentications (401) per source address; beyond them the answer is 429.
    pub auth_failure_rate: RateLimit,
    /// A cached wage report older than the data may still be served (and refreshed in the
    /// background) for this long; zero means every answer reflects all committed data.
    pub wages_max_staleness: Duration,
    pub database_max_connections: u32,
    /// How many synthetic workers fill an empty demo database.
    pub demo_workers: u64,
    /// The longest a request may take, body included; a slow or stalled client gets 408 and
    /// nothing of its batch is stored.
    pub request_timeout: Duration,
    /// A connection that has not sent a whole request head this long after it opened, or after
    /// its previous answer (an idle keep-alive connection), is closed.
    pub header_read_timeout: Duration,
    /// The most connections open at once; a connection beyond them is closed as soon as it is
    /// accepted, so that a flood of idle connections cannot exhaust file descriptors.
    pub max_connections: usize,
    /// The most distinct countries one install's records may span; a batch beyond is refused.
    pub max_countries_per_install: usize,
    /// The most platform × country × month cells one install's records may span; a batch
    /// beyond is refused.
    pub max_cells_per_install: usize,
    /// An install counts in published figures (workers, suppression, every statistic) only once
    /// it has uploaded new records on this many distinct UTC days of the server's clock.
    pub eligible_after_days: u32,
    /// The clock of every rule about time; the system's, except in tests.
    pub clock: Clock,
    /// Leading zero bits of SHA-256 that enrollment's proof of work asks for (`proof_of_work`).
    pub enroll_difficulty_bits: u32,
    /// Who runs this collector and how to reach them, as the privacy page (`/privacy`) names
    /// them; without it the page says that the operator gave no contact.
    pub operator_contact: Option<String>,
    /// Days between citable snapshots (`--snapshot-interval`; `crate::snapshots`).
    pub snapshot_interval_days: u32,
    /// How often, in real time, the background task asks the server's clock whether a snapshot
    /// is due; a minute late at most on a real clock, a moment in tests with a manual clock.
    pub snapshot_check_period: Duration,
    /// The Chromium-family browser that prints `/brief.pdf`; without one, that route answers 503
    /// (the HTML brief at `/brief` still prints from any browser).
    pub browser: Option<std::path::PathBuf>,
}

/// A token bucket: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

/// A setting outside what the collector accepts.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "min_workers is {0}; published cells need at least {MIN_PUBLISHED_WORKERS} workers, so that no figure points at individuals"
    )]
    MinWorkersTooLow(u32),
    #[error(
        "exact_quantiles_min_workers is {0}; below {MIN_EXACT_QUANTILES_WORKERS} workers a cell's exact percentiles and interval would give individual wages"
    )]
    ExactQuantilesTooLow(u32),
    #[error(
        "small_cell_wage_step_usd is {0}; it must be a number of dollars from {MIN_SMALL_CELL_WAGE_STEP_USD} to 10"
    )]
    SmallCellWageStep(f64),
    #[error("min_hours is {0}; it must be a finite, non-negative number of hours")]
    MinHours(f64),
    #[error("{0}: a rate limit needs per_minute and burst of at least 1")]
    RateLimit(&'static str),
    #[error("database URL must start with sqlite:// or postgres:// (got '{0}')")]
    DatabaseUrl(String),
    #[error("max_body_bytes and max_decompressed_bytes must be at least 1 KiB")]
    BodyLimit,
    #[error(
        "operator_contact must be 1 to {MAX_OPERATOR_CONTACT_CHARS} characters of one line (got {0} characters)"
    )]
    OperatorContact(usize),
    #[error("header_read_timeout and request_timeout must be longer than zero")]
    ZeroTimeout,
    #[error("max_connections must be at least 1")]
    NoConnections,
    #[error("max_countries_per_install must be at least 1")]
    NoCountries,
    #[error("max_cells_per_install must be at least 1")]
    NoCells,
    #[error("eligible_after_days is {0}; it must be between 1 and {MAX_ELIGIBLE_AFTER_DAYS}")]
    EligibleAfterDays(u32),
    #[error("enroll_difficulty_bits is {0}; at most {MAX_DIFFICULTY_BITS}, which takes a browser hours")]
    EnrollDifficulty(u32),
    #[error("snapshot_interval_days is {0}; it must be between 1 and {MAX_SNAPSHOT_INTERVAL_DAYS}")]
    SnapshotInterval(u32),
}

/// The longest interval between snapshots: a year.
pub const MAX_SNAPSHOT_INTERVAL_DAYS: u32 = 366;

/// Reads `--snapshot-interval`: `daily`, `weekly`, or a number of days such as `3d` or `3`.
pub fn parse_snapshot_interval(text: &str) -> Result<u32, String> {
    let days = match text.trim() {
        "daily" => Some(1),
        "weekly" => Some(7),
        other => other.strip_suffix('d').unwrap_or(other).parse::<u32>().ok(),
    };
    days.filter(|days| (1..=MAX_SNAPSHOT_INTERVAL_DAYS).contains(days)).ok_or_else(|| {
        format!(
            "'{}' is not an interval: daily, weekly, or 1d to {MAX_SNAPSHOT_INTERVAL_DAYS}d",
            text.chars().take(20).collect::<String>()
        )
    })
}

impl Config {
    /// The defaults for a database: listen on loopback port 8080, suppression at the library's
    /// minimum, generous limits for a real extension and tight ones for abuse.
    pub fn new(database_url: impl Into<String>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: database_url.into(),
            demo: false,
            min_workers: MIN_PUBLISHED_WORKERS,
            min_hours: DEFAULT_MIN_HOURS,
            exact_quantiles_min_workers: MIN_EXACT_QUANTILES_WORKERS,
            small_cell_wage_step_usd: DEFAULT_SMALL_CELL_WAGE_STEP_USD,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
            // An extension uploads a few batches a day; a backlog after weeks offline is a few
            // dozen batches, which the burst absorbs.
            upload_rate: RateLimit { per_minute: 60, burst: 60 },
            // Per source: a worker's browser enrolls once; a household, office or campus behind
            // one address enrolls a few.
            enroll_rate: RateLimit { per_minute: 30, burst: 30 },
            // A working extension fails authentication only after its install was erased.
            auth_failure_rate: RateLimit { per_minute: 30, burst: 30 },
            wages_max_staleness: Duration::from_secs(10),
            database_max_connections: 16,
            demo_workers: crate::demo::DEMO_WORKERS,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 4096,
            // A worker works from home, and now and then from abroad; a script spreading one
            // install over many cells is refused.
            max_countries_per_install: DEFAULT_MAX_COUNTRIES_PER_INSTALL,
            max_cells_per_install: DEFAULT_MAX_CELLS_PER_INSTALL,
            // A script can enroll installs by the thousand in a minute; making each of them come
            // back on three different days costs it three days, however many machines it has.
            eligible_after_days: DEFAULT_ELIGIBLE_AFTER_DAYS,
            clock: Clock::system(),
            enroll_difficulty_bits: DEFAULT_DIFFICULTY_BITS,
            operator_contact: None,
            // Daily: an advocate cites the figures of a day; a snapshot a day is a few hundred
            // kilobytes to a few megabytes.
            snapshot_interval_days: 1,
            snapshot_check_period: Duration::from_secs(60),
            browser: None,
        }
    }

    /// Checks every rule between settings; the collector refuses to start otherwise.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.min_workers < MIN_PUBLISHED_WORKERS {
            return Err(ConfigError::MinWorkersTooLow(self.min_workers));
        }
        if self.exact_quantiles_min_workers < MIN_EXACT_QUANTILES_WORKERS {
            return Err(ConfigError::ExactQuantilesTooLow(self.exact_quantiles_min_workers));
        }
        if !(MIN_SMALL_CELL_WAGE_STEP_USD..=10.0).contains(&self.small_cell_wage_step_usd) {
            return Err(ConfigError::SmallCellWageStep(self.small_cell_wage_step_usd));
        }
        if !self.min_hours.is_finite() || self.min_hours < 0.0 {
            return Err(ConfigError::MinHours(self.min_hours));
        }
        for (name, limit) in [
            ("upload rate", self.upload_rate),
            ("enrollment rate", self.enroll_rate),
            ("failed authentication rate", self.auth_failure_rate),
        ] {
            if limit.per_minute == 0 || limit.burst == 0 {
                return Err(ConfigError::RateLimit(name));
            }
        }
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres")) {
            return Err(ConfigError::DatabaseUrl(self.database_url.chars().take(40).collect()));
        }
        if let Some(contact) = &self.operator_contact
            && (contact.trim().is_empty()
                || contact.chars().count() > MAX_OPERATOR_CONTACT_CHARS
                || contact.chars().any(char::is_control))
        {
            return Err(ConfigError::OperatorContact(contact.chars().count()));
        }
        if self.max_body_bytes < 1024 || self.max_decompressed_bytes < 1024 {
            return Err(ConfigError::BodyLimit);
        }
        if self.header_read_timeout.is_zero() || self.request_timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout);
        }
        if self.max_connections == 0 {
            return Err(ConfigError::NoConnections);
        }
        if self.max_countries_per_install == 0 {
            return Err(ConfigError::NoCountries);
        }
        if self.max_cells_per_install == 0 {
            return Err(ConfigError::NoCells);
        }
        if !(1..=MAX_ELIGIBLE_AFTER_DAYS).contains(&self.eligible_after_days) {
            return Err(ConfigError::EligibleAfterDays(self.eligible_after_days));
        }
        if self.enroll_difficulty_bits > MAX_DIFFICULTY_BITS {
            return Err(ConfigError::EnrollDifficulty(self.enroll_difficulty_bits));
        }
        if !(1..=MAX_SNAPSHOT_INTERVAL_DAYS).contains(&self.snapshot_interval_days) {
            return Err(ConfigError::SnapshotInterval(self.snapshot_interval_days));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_suppression_below_the_library_minimum() {
        let mut config = Config::new("sqlite://x.db");
        config.validate().unwrap();
        config.min_workers = MIN_PUBLISHED_WORKERS - 1;
        assert!(matches!(config.validate(), Err(ConfigError::MinWorkersTooLow(9))));
        config.min_workers = 25;
        config.validate().unwrap();
    }

    #[test]
    fn refuses_exact_order_statistics_in_small_cells_and_a_fine_rounding_step() {
        let mut config = Config::new("sqlite://x.db");
        config.exact_quantiles_min_workers = MIN_EXACT_QUANTILES_WORKERS - 1;
        assert!(matches!(config.validate(), Err(ConfigError::ExactQuantilesTooLow(19))));
        config.exact_quantiles_min_workers = 50;
        config.validate().unwrap();
        for step in [0.01, 0.0, -1.0, f64::NAN, f64::INFINITY, 11.0] {
            config.small_cell_wage_step_usd = step;
            assert!(matches!(config.validate(), Err(ConfigError::SmallCellWageStep(_))), "{step}");
        }
        config.small_cell_wage_step_usd = 0.05;
        config.validate().unwrap();
    }

    #[test]
    fn an_operator_contact_is_one_short_line() {
        for (contact, accepted) in [
            ("Union of click workers, privacy@union.example", true),
            ("", false),
            ("   ", false),
            ("line one\nline two", false),
            (&"x".repeat(MAX_OPERATOR_CONTACT_CHARS + 1), false),
            (&"é".repeat(MAX_OPERATOR_CONTACT_CHARS), true),
        ] {
            let mut config = Config::new("sqlite://collector.db");
            config.operator_contact = Some(contact.to_owned());
            assert_eq!(config.validate().is_ok(), accepted, "{contact:.20}");
        }
    }

    #[test]
    fn refuses_other_databases_and_empty_rate_limits() {
        let mut config = Config::new("mysql://x");
        assert!(matches!(config.validate(), Err(ConfigError::DatabaseUrl(_))));
        config.database_url = "postgres://localhost/db".into();
        config.upload_rate.burst = 0;
        assert!(matches!(config.validate(), Err(ConfigError::RateLimit("upload rate"))));
    }

    #[test]
    fn refuses_zero_timeouts_no_connections_and_no_countries() {
        let mut config = Config::new("sqlite://x.db");
        config.header_read_timeout = Duration::ZERO;
        assert!(matches!(config.validate(), Err(ConfigError::ZeroTimeout)));
        config.header_read_timeout = Duration::from_secs(1);
        config.max_connections = 0;
        assert!(matches!(config.validate(), Err(ConfigError::NoConnections)));
        config.max_connections = 1;
        config.auth_failure_rate.per_minute = 0;
        assert!(matches!(config.validate(), Err(ConfigError::RateLimit("failed authentication rate"))));
        let mut config = Config::new("sqlite://x.db");
        config.max_countries_per_install = 0;
        assert!(matches!(config.validate(), Err(ConfigError::NoCountries)));
        let mut config = Config::new("sqlite://x.db");
        config.max_cells_per_install = 0;
        assert!(matches!(config.validate(), Err(ConfigError::NoCells)));
    }

    #[test]
    fn eligibility_takes_one_day_to_a_year() {
        let mut config = Config::new("sqlite://x.db");
        assert_eq!(config.eligible_after_days, 3);
        for (days, valid) in [(0, false), (1, true), (365, true), (366, false)] {
            config.eligible_after_days = days;
            assert_eq!(config.validate().is_ok(), valid, "{days}");
        }
    }

    #[test]
    fn snapshots_are_daily_weekly_or_every_few_days() {
        for (text, days) in [
            ("daily", Some(1)),
            ("weekly", Some(7)),
            ("3d", Some(3)),
            ("30", Some(30)),
            ("366d", Some(366)),
            ("0d", None),
            ("367d", None),
            ("hourly", None),
            ("-1d", None),
            ("", None),
        ] {
            assert_eq!(parse_snapshot_interval(text).ok(), days, "{text}");
        }
        assert!(parse_snapshot_interval(&"9".repeat(500)).unwrap_err().len() < 100);
        let mut config = Config::new("sqlite://x.db");
        assert_eq!(config.snapshot_interval_days, 1);
        config.snapshot_interval_days = 0;
        assert!(matches!(config.validate(), Err(ConfigError::SnapshotInterval(0))));
    }

    #[test]
    fn enrollment_asks_for_at_most_32_bits_of_work() {
        let mut config = Config::new("sqlite://x.db");
        assert_eq!(config.enroll_difficulty_bits, DEFAULT_DIFFICULTY_BITS);
        for (bits, valid) in [(0, true), (32, true), (33, false)] {
            config.enroll_difficulty_bits = bits;
            assert_eq!(config.validate().is_ok(), valid, "{bits}");
        }
    }
}
