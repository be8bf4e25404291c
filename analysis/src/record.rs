//! Record format v1: one task or one stretch of unpaid time, of one anonymous install.
//! `docs/record-format.md` is the user-facing description; this module is its definition.
//!
//! A `Record` has one door, [`Record::new`], which takes typed parts ([`RecordParts`]) and checks
//! every rule between them; [`Record::from_fields`] parses text fields into those parts first.
//! Code that holds a `Record` never re-checks it, and code that has typed values (the tracker,
//! the simulator, the importers, the collector's rows) never formats them as text to get one.

use std::fmt;

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::codes::{CountryCode, Currency};
use crate::money::Money;
use crate::time::{Seconds, Timestamp};

/// The CSV header of record format v1, column for column.
pub const CSV_HEADER: [&str; 13] = [
    "record_id",
    "install_id",
    "platform",
    "country",
    "kind",
    "category",
    "outcome",
    "started_at",
    "ended_at",
    "active_seconds",
    "reward",
    "bonus",
    "currency",
];

/// The most a single task may pay (reward plus bonus), in US dollars at the record's date.
/// Microtasks pay cents to a few dollars (Hara et al., CHI 2018, report a mean reward under
/// $1); long Prolific studies pay tens of dollars. A thousand dollars is far above any real
/// task, so a larger figure is a typing or unit error (pence entered as pounds, say).
pub const MAX_TASK_PAY_USD: i64 = 1_000;
/// The longest wall time one record may span: 31 days. MTurk's longest assignment duration
/// seen in practice is a week, and Prolific's exports show completion times of up to ~8 days.
pub const MAX_RECORD_SPAN: Seconds = Seconds::new(31 * 24 * 3600);
/// Install ids are opaque to the library but bounded, so no one can smuggle text through them.
pub const MAX_INSTALL_ID_LEN: usize = 128;

/// A rejected field: which one, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct RecordError {
    pub field: &'static str,
    pub problem: String,
}

impl RecordError {
    pub fn new(field: &'static str, problem: impl fmt::Display) -> RecordError {
        RecordError { field, problem: problem.to_string() }
    }
}

/// Declares an enum whose variants are written as fixed lower-case words.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }

            pub fn parse(text: &str) -> Result<$name, String> {
                match text {
                    $($word => Ok($name::$variant),)+
                    _ => Err(format!(
                        "'{}' is not a known {}; expected one of: {}",
                        text.chars().take(32).collect::<String>(),
                        $what,
                        [$($word),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// The platforms piecerate knows; `other` covers any platform logged by hand. The codes are
    /// a public registry (`docs/record-format.md`): a code is added, never renamed or reused.
    /// Remotasks and Outlier are both Scale AI's but are two sites with their own hosts, pages
    /// and pay (microtasks against experts' hourly work), so they are two platforms.
    Platform, "platform" {
        Mturk => "mturk",
        Prolific => "prolific",
        Toloka => "toloka",
        Clickworker => "clickworker",
        Microworkers => "microworkers",
        Appen => "appen",
        Remotasks => "remotasks",
        Uhrs => "uhrs",
        Sproutgigs => "sproutgigs",
        Outlier => "outlier",
        Hive => "hive",
        Other => "other",
    }
);

word_enum!(
    /// How a task ended.
    Outcome, "outcome" {
        Submitted => "submitted",
        Approved => "approved",
        Rejected => "rejected",
        Returned => "returned",
        Abandoned => "abandoned",
        ScreenedOut => "screened_out",
    }
);

word_enum!(
    /// What kind of work a task was, when known.
    TaskCategory, "task category" {
        Survey => "survey",
        Labeling => "labeling",
        Transcription => "transcription",
        Moderation => "moderation",
        Writing => "writing",
        DataCollection => "data_collection",
        Testing => "testing",
        Other => "other",
    }
);

word_enum!(
    /// What unpaid time was spent on.
    UnpaidCategory, "unpaid category" {
        Search => "search",
        Qualification => "qualification",
        Screener => "screener",
        Communication => "communication",
        Admin => "admin",
        Other => "other",
    }
);

impl Outcome {
    /// Whether the worker is paid for a task with this outcome (reward plus bonus). A screened
    /// out study pays whatever screening payment the record carries, possibly nothing.
    pub fn is_paid(self) -> bool {
        matches!(self, Outcome::Submitted | Outcome::Approved | Outcome::ScreenedOut)
    }
}

/// An opaque, bounded identifier of one anonymous install (one worker's browser).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstallId(String);

impl InstallId {
    /// Letters, digits and `-_.:` only, 1 to 128 characters.
    pub fn parse(text: &str) -> Result<InstallId, String> {
        if text.is_empty() {
            return Err("must not be empty".to_owned());
        }
        if text.len() > MAX_INSTALL_ID_LEN {
            return Err(format!("is {} characters long; the limit is {MAX_INSTALL_ID_LEN}", text.len()));
        }
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':');
        // Bytes first, since every allowed character is one byte: the search through characters
        // below, needed only to name a refused one, took 2.6% of the 10-million-record report.
        if text.bytes().all(allowed) {
            return Ok(InstallId(text.to_owned()));
        }
        if let Some(bad) =
            text.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
        {
            // Escaped, so that a control character or a look-alike shows as what it is.
            let bad = bad.escape_default();
            return Err(format!("contains '{bad}'; only letters, digits and - _ . : are allowed"));
        }
        Ok(InstallId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Synthetic installs made by `piecerate simulate` start with this prefix.
    pub fn is_simulated(&self) -> bool {
        self.0.starts_with("sim-")
    }

    /// Installs derived from requester-side exports (MTurk batch files, Prolific exports) start
    /// with this prefix; their times are wall times, so their wages are lower bounds.
    pub fn is_from_requester_export(&self) -> bool {
        self.0.starts_with("req-")
    }
}

impl fmt::Display for InstallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a record is about: a task and its outcome, or unpaid time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Task { category: Option<TaskCategory>, outcome: Outcome, reward: Money, bonus: Money, currency: Currency },
    Unpaid { category: UnpaidCategory },
}

impl Activity {
    /// Reads the six fields that say what a record is about (`kind`, `category`, `outcome`,
    /// `reward`, `bonus`, `currency`; the others are not looked at), for readers whose other
    /// fields are typed already, such as the collector's rows.
    pub fn from_fields(fields: &RecordFields<'_>) -> Result<Activity, RecordError> {
        match fields.kind {
            "task" => parse_task(fields),
            "unpaid" => parse_unpaid(fields),
            other => Err(RecordError::new(
                "kind",
                format!(
                    "'{}' is not a record kind; expected task or unpaid",
                    other.chars().take(32).collect::<String>()
                ),
            )),
        }
    }
}

/// One validated record of format v1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    record_id: Uuid,
    install_id: InstallId,
    platform: Platform,
    country: Option<CountryCode>,
    activity: Activity,
    started_at: Timestamp,
    ended_at: Timestamp,
    active: Seconds,
    /// A task's reward plus bonus in US dollars at its month's rate, converted once when the
    /// record is built (the pay cap needs it), whatever the outcome; zero for unpaid time.
    pay_usd: Decimal,
}

/// The typed parts of a record, for [`Record::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordParts {
    pub record_id: Uuid,
    pub install_id: InstallId,
    pub platform: Platform,
    pub country: Option<CountryCode>,
    pub activity: Activity,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    /// Time the worker actually spent, at most `ended_at - started_at`.
    pub active: Seconds,
}

/// The thirteen fields of a record as text, in [`CSV_HEADER`] order; empty means absent.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordFields<'a> {
    pub record_id: &'a str,
    pub install_id: &'a str,
    pub platform: &'a str,
    pub country: &'a str,
    pub kind: &'a str,
    pub category: &'a str,
    pub outcome: &'a str,
    pub started_at: &'a str,
    pub ended_at: &'a str,
    pub active_seconds: &'a str,
    pub reward: &'a str,
    pub bonus: &'a str,
    pub currency: &'a str,
}

impl<'a> RecordFields<'a> {
    /// The fields of a row whose columns are in [`CSV_HEADER`] order: the one mapping of the
    /// thirteen columns to the fields, for every reader of text records.
    pub fn from_row(row: [&'a str; 13]) -> RecordFields<'a> {
        let [
            record_id,
            install_id,
            platform,
            country,
            kind,
            category,
            outcome,
            started_at,
            ended_at,
            active_seconds,
            reward,
            bonus,
            currency,
        ] = row;
        RecordFields {
            record_id,
            install_id,
            platform,
            country,
            kind,
            category,
            outcome,
            started_at,
            ended_at,
            active_seconds,
            reward,
            bonus,
            currency,
        }
    }
}

impl Record {
    /// The one door: checks the rules between the parts (the times' order and span, the active
    /// time within the span, a task's pay within [`MAX_TASK_PAY_USD`]), in that order.
    pub fn new(parts: RecordParts) -> Result<Record, RecordError> {
        let RecordParts { record_id, install_id, platform, country, activity, started_at, ended_at, active } =
            parts;
        let span = check_span(started_at, ended_at)?;
        if active > span {
            return Err(RecordError::new(
                "active_seconds",
                format!("{} is more than the {} s between started_at and ended_at", active.get(), span.get()),
            ));
        }
        let pay_usd = match activity {
            Activity::Task { reward, bonus, currency, .. } => check_pay(reward, bonus, currency, started_at)?,
            Activity::Unpaid { .. } => Decimal::ZERO,
        };
        Ok(Record {
            record_id,
            install_id,
            platform,
            country,
            activity,
            started_at,
            ended_at,
            active,
            pay_usd,
        })
    }

    /// Parses each text field into its typed part, then goes through [`Record::new`]. The
    /// first problem found is returned, fields in [`CSV_HEADER`] order, then the rules.
    pub fn from_fields(fields: &RecordFields<'_>) -> Result<Record, RecordError> {
        let record_id = parse_record_id(fields.record_id)?;
        let install_id =
            InstallId::parse(fields.install_id).map_err(|p| RecordError::new("install_id", p))?;
        let platform = Platform::parse(fields.platform).map_err(|p| RecordError::new("platform", p))?;
        let country = match fields.country {
            "" => None,
            text => Some(CountryCode::parse(text).map_err(|e| RecordError::new("country", e))?),
        };
        let started_at =
            Timestamp::parse(fields.started_at).map_err(|e| RecordError::new("started_at", e))?;
        let ended_at = Timestamp::parse(fields.ended_at).map_err(|e| RecordError::new("ended_at", e))?;
        // The span is checked before the later fields are read, as it always was: a record whose
        // times are wrong is reported for its times.
        check_span(started_at, ended_at)?;
        let active = parse_active_seconds(fields.active_seconds)?;
        let activity = Activity::from_fields(fields)?;
        Record::new(RecordParts {
            record_id,
            install_id,
            platform,
            country,
            activity,
            started_at,
            ended_at,
            active,
        })
    }

    /// The record's typed parts, e.g. to build a changed copy through [`Record::new`].
    pub fn parts(&self) -> RecordParts {
        RecordParts {
            record_id: self.record_id,
            install_id: self.install_id.clone(),
            platform: self.platform,
            country: self.country,
            activity: self.activity,
            started_at: self.started_at,
            ended_at: self.ended_at,
            active: self.active,
        }
    }

    pub fn record_id(&self) -> Uuid {
        self.record_id
    }
    pub fn install_id(&self) -> &InstallId {
        &self.install_id
    }
    pub fn platform(&self) -> Platform {
        self.platform
    }
    pub fn country(&self) -> Option<CountryCode> {
        self.country
    }
    pub fn activity(&self) -> Activity {
        self.activity
    }
    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }
    pub fn ended_at(&self) -> Timestamp {
        self.ended_at
    }
    /// Time the worker actually spent, at most `ended_at - started_at`.
    pub fn active(&self) -> Seconds {
        self.active
    }

    pub fn kind(&self) -> &'static str {
        match self.activity {
            Activity::Task { .. } => "task",
            Activity::Unpaid { .. } => "unpaid",
        }
    }

    pub fn outcome(&self) -> Option<Outcome> {
        match self.activity {
            Activity::Task { outcome, .. } => Some(outcome),
            Activity::Unpaid { .. } => None,
        }
    }

    /// What the worker earned, in US dollars at the rate of the month the record started:
    /// reward plus bonus for paid outcomes, zero otherwise.
    pub fn earnings_usd(&self) -> Decimal {
        match self.activity {
            Activity::Task { outcome, .. } if outcome.is_paid() => self.pay_usd,
            _ => Decimal::ZERO,
        }
    }

    /// The same record at hour resolution, as the collector stores it: `started_at` cut down to
    /// the hour and `ended_at` rounded up to the hour. Rounding outward keeps the record valid:
    /// cutting both down could shrink the span below `active` (13:20–13:50 would become
    /// 13:00–13:00 with 30 active minutes). Durations are kept exactly. The span stays within
    /// [`MAX_RECORD_SPAN`] and the supported time range, moving the start back if a record ends
    /// in the last hour before [`crate::time::LATEST`].
    pub fn coarsened(&self) -> Record {
        const HOUR: i64 = 3600;
        let active = self.active.get() as i64;
        let mut start = self.started_at.truncated_to_hour().unix_seconds();
        let mut end = self.ended_at.unix_seconds().div_euclid(HOUR) * HOUR;
        if end < self.ended_at.unix_seconds() {
            end += HOUR;
        }
        end = end.min(start + MAX_RECORD_SPAN.get() as i64);
        let last_hour = crate::time::LATEST.unix_seconds() - HOUR;
        if end > last_hour {
            end = last_hour;
            start = start.min(end - (active + HOUR - 1).div_euclid(HOUR) * HOUR);
        }
        // Whole hours inside the range, as computed above.
        let at = Timestamp::nearest_to_unix_seconds;
        Record { started_at: at(start), ended_at: at(end), ..self.clone() }
    }

    /// Calls `visit` with each field as text, in [`CSV_HEADER`] order.
    pub fn write_fields(&self, mut visit: impl FnMut(&str)) {
        let (category, outcome, reward, bonus, currency) = match self.activity {
            Activity::Task { category, outcome, reward, bonus, currency } => (
                category.map(TaskCategory::as_str).unwrap_or(""),
                outcome.as_str(),
                reward.to_string(),
                if bonus.is_zero() { String::new() } else { bonus.to_string() },
                currency.as_str().to_owned(),
            ),
            Activity::Unpaid { category } => {
                (category.as_str(), "", String::new(), String::new(), String::new())
            }
        };
        visit(&self.record_id.hyphenated().to_string());
        visit(self.install_id.as_str());
        visit(self.platform.as_str());
        visit(self.country.as_ref().map(CountryCode::as_str).unwrap_or(""));
        visit(self.kind());
        visit(category);
        visit(outcome);
        visit(&self.started_at.to_string());
        visit(&self.ended_at.to_string());
        visit(&self.active.get().to_string());
        visit(&reward);
        visit(&bonus);
        visit(&currency);
    }
}

fn parse_record_id(text: &str) -> Result<Uuid, RecordError> {
    // Only the canonical hyphenated form, so that one record has one spelling of its id.
    if text.len() != 36 {
        return Err(RecordError::new(
            "record_id",
            format!(
                "'{}' is not a UUID like 0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18",
                text.chars().take(40).collect::<String>()
            ),
        ));
    }
    Uuid::try_parse(text).map_err(|_| {
        RecordError::new(
            "record_id",
            format!("'{text}' is not a UUID like 0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18"),
        )
    })
}

/// The time between start and end, which must not be negative nor longer than
/// [`MAX_RECORD_SPAN`].
fn check_span(started_at: Timestamp, ended_at: Timestamp) -> Result<Seconds, RecordError> {
    let span = ended_at.seconds_since(started_at).ok_or_else(|| {
        RecordError::new("ended_at", format!("{ended_at} is before started_at {started_at}"))
    })?;
    if span > MAX_RECORD_SPAN {
        return Err(RecordError::new(
            "ended_at",
            format!("the record spans {} s; the limit is {} s (31 days)", span.get(), MAX_RECORD_SPAN.get()),
        ));
    }
    Ok(span)
}

/// A task may pay at most [`MAX_TASK_PAY_USD`], reward and bonus together; gives that pay in US
/// dollars.
fn check_pay(
    reward: Money,
    bonus: Money,
    currency: Currency,
    started_at: Timestamp,
) -> Result<Decimal, RecordError> {
    let pay_usd = (reward + bonus).to_usd(currency, started_at);
    if above_max_task_pay(pay_usd) {
        let field = if bonus > reward { "bonus" } else { "reward" };
        return Err(RecordError::new(
            field,
            format!(
                "reward plus bonus is {} {currency} (about {} USD); one task may pay at most {MAX_TASK_PAY_USD} USD",
                reward + bonus,
                pay_usd.round_dp(2)
            ),
        ));
    }
    Ok(pay_usd)
}

/// `pay_usd > MAX_TASK_PAY_USD`, compared on the decimal's integer mantissa and scale:
/// `Decimal`'s own comparison, which first brings both sides to one scale, had taken 2.8% of the
/// 10-million-record report.
fn above_max_task_pay(pay_usd: Decimal) -> bool {
    // A `Decimal`'s scale is at most 28, and 1,000 × 10^28 fits in an i128.
    pay_usd.mantissa() > i128::from(MAX_TASK_PAY_USD) * 10i128.pow(pay_usd.scale())
}

fn parse_active_seconds(text: &str) -> Result<Seconds, RecordError> {
    let active: u64 = text.parse().map_err(|_| {
        RecordError::new(
            "active_seconds",
            format!(
                "'{}' is not a whole, non-negative number of seconds",
                text.chars().take(24).collect::<String>()
            ),
        )
    })?;
    Ok(Seconds::new(active))
}

fn parse_task(fields: &RecordFields<'_>) -> Result<Activity, RecordError> {
    let category = match fields.category {
        "" => None,
        text => Some(TaskCategory::parse(text).map_err(|p| RecordError::new("category", p))?),
    };
    if fields.outcome.is_empty() {
        return Err(RecordError::new(
            "outcome",
            "a task needs an outcome: submitted, approved, rejected, returned, abandoned or screened_out",
        ));
    }
    let outcome = Outcome::parse(fields.outcome).map_err(|p| RecordError::new("outcome", p))?;
    let reward = Money::parse(fields.reward).map_err(|e| RecordError::new("reward", e))?;
    let bonus = Money::parse(fields.bonus).map_err(|e| RecordError::new("bonus", e))?;
    if fields.currency.is_empty() {
        return Err(RecordError::new(
            "currency",
            "a task needs the ISO 4217 currency of its reward, e.g. USD",
        ));
    }
    let currency = Currency::parse(fields.currency).map_err(|e| RecordError::new("currency", e))?;
    Ok(Activity::Task { category, outcome, reward, bonus, currency })
}

fn parse_unpaid(fields: &RecordFields<'_>) -> Result<Activity, RecordError> {
    if fields.category.is_empty() {
        return Err(RecordError::new(
            "category",
            "unpaid time needs a category: search, qualification, screener, communication, admin or other",
        ));
    }
    let category = UnpaidCategory::parse(fields.category).map_err(|p| RecordError::new("category", p))?;
    for (field, value) in [("outcome", fields.outcome), ("reward", fields.reward), ("bonus", fields.bonus)] {
        // An explicit zero reward or bonus says the same as an empty one, and is accepted.
        let explicit_zero = field != "outcome" && Money::parse(value).is_ok_and(Money::is_zero);
        if !value.is_empty() && !explicit_zero {
            return Err(RecordError::new(field, "must be empty for unpaid time"));
        }
    }
    if !fields.currency.is_empty() {
        Currency::parse(fields.currency).map_err(|e| RecordError::new("currency", e))?;
    }
    Ok(Activity::Unpaid { category })
}

#[cfg(test)]
mod tests;
