//! Which records a report counts: a period of days, platforms and countries
//! (`piecerate report --from --to --platform --country`). The report reader applies it to each
//! record after its `record_id` was checked against the records read before and before the
//! record reaches a worker's totals, so a filtered report is the report of the records the
//! filter keeps, whatever the number of reading threads.

use std::fmt;

use crate::codes::CountryCode;
use crate::record::{Platform, Record};
use crate::time::Date;

/// The records a report counts. A record is in the period when the UTC day of its `started_at`
/// is in it: a task that starts before midnight and ends after counts, whole, on the day it
/// started (as the `month` grouping places it in the month it started).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordFilter {
    from: Option<Date>,
    to: Option<Date>,
    /// Sorted, without repeats; `None` keeps every platform.
    platforms: Option<Vec<Platform>>,
    /// Sorted, without repeats; `None` inside stands for records without a country. `None`
    /// keeps every country.
    countries: Option<Vec<Option<CountryCode>>>,
}

/// Why a filter cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("from ({from}) is after to ({to}): no day is in the period")]
    FromAfterTo { from: Date, to: Date },
    #[error("{0}: the list is empty, so no record would be kept")]
    EmptyList(&'static str),
}

impl RecordFilter {
    /// Keeps every record.
    pub const EVERYTHING: RecordFilter =
        RecordFilter { from: None, to: None, platforms: None, countries: None };

    /// A filter of records started from `from` to `to` (both days included, UTC), on one of
    /// `platforms` and in one of `countries` (`None` in the list: records without a country);
    /// `None` for a bound or a list leaves it open.
    pub fn new(
        from: Option<Date>,
        to: Option<Date>,
        platforms: Option<&[Platform]>,
        countries: Option<&[Option<CountryCode>]>,
    ) -> Result<RecordFilter, FilterError> {
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(FilterError::FromAfterTo { from, to });
        }
        let platforms = platforms.map(sorted).transpose_empty("platform")?;
        let countries = countries.map(sorted).transpose_empty("country")?;
        Ok(RecordFilter { from, to, platforms, countries })
    }

    /// Whether the filter keeps every record.
    pub fn is_everything(&self) -> bool {
        *self == RecordFilter::EVERYTHING
    }

    pub fn keeps(&self, record: &Record) -> bool {
        if self.from.is_some() || self.to.is_some() {
            let day = Date::of(record.started_at());
            if self.from.is_some_and(|from| day < from) || self.to.is_some_and(|to| day > to) {
                return false;
            }
        }
        if let Some(platforms) = &self.platforms
            && platforms.binary_search(&record.platform()).is_err()
        {
            return false;
        }
        if let Some(countries) = &self.countries
            && countries.binary_search(&record.country()).is_err()
        {
            return false;
        }
        true
    }

    pub fn from(&self) -> Option<Date> {
        self.from
    }

    pub fn to(&self) -> Option<Date> {
        self.to
    }

    pub fn platforms(&self) -> Option<&[Platform]> {
        self.platforms.as_deref()
    }

    /// `None` in the list stands for records without a country.
    pub fn countries(&self) -> Option<&[Option<CountryCode>]> {
        self.countries.as_deref()
    }
}

fn sorted<T: Ord + Copy>(items: &[T]) -> Vec<T> {
    let mut items = items.to_vec();
    items.sort_unstable();
    items.dedup();
    items
}

trait NotEmpty: Sized {
    fn transpose_empty(self, what: &'static str) -> Result<Self, FilterError>;
}

impl<T> NotEmpty for Option<Vec<T>> {
    fn transpose_empty(self, what: &'static str) -> Result<Self, FilterError> {
        match self {
            Some(list) if list.is_empty() => Err(FilterError::EmptyList(what)),
            other => Ok(other),
        }
    }
}

impl fmt::Display for RecordFilter {
    /// As the command line writes it: `--from 2025-01-01 --platform mturk --country US,unknown`;
    /// empty when the filter keeps everything.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(from) = self.from {
            parts.push(format!("--from {from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("--to {to}"));
        }
        if let Some(platforms) = &self.platforms {
            let words: Vec<&str> = platforms.iter().map(|platform| platform.as_str()).collect();
            parts.push(format!("--platform {}", words.join(",")));
        }
        if let Some(countries) = &self.countries {
            let words: Vec<String> = countries.iter().map(|country| country_word(*country)).collect();
            parts.push(format!("--country {}", words.join(",")));
        }
        f.write_str(&parts.join(" "))
    }
}

/// A country as filters write it: its code, or `unknown` for records without one.
pub fn country_word(country: Option<CountryCode>) -> String {
    country.map_or_else(|| UNKNOWN_COUNTRY.to_owned(), |code| code.as_str().to_owned())
}

/// How a filter names records without a country, as the report's tables do.
pub const UNKNOWN_COUNTRY: &str = "unknown";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordFields;

    fn record(started_at: &str, platform: &str, country: &str) -> Record {
        Record::from_fields(&RecordFields {
            record_id: "0190a4b2-3c4d-7e8f-9a0b-1c2d3e4f5a6b",
            install_id: "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
            platform,
            country,
            kind: "task",
            category: "",
            outcome: "approved",
            started_at,
            ended_at: "2025-02-01T00:30:00Z",
            active_seconds: "600",
            reward: "0.50",
            bonus: "",
            currency: "USD",
        })
        .unwrap()
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn a_period_keeps_the_days_at_both_ends_by_the_start_of_each_record() {
        let filter = RecordFilter::new(Some(day("2025-01-31")), Some(day("2025-01-31")), None, None).unwrap();
        assert!(filter.keeps(&record("2025-01-31T00:00:00Z", "mturk", "US")));
        // Started before midnight, ended after: counts on the day it started.
        assert!(filter.keeps(&record("2025-01-31T23:59:59Z", "mturk", "US")));
        assert!(!filter.keeps(&record("2025-01-30T23:59:59Z", "mturk", "US")));
        let later = RecordFilter::new(Some(day("2025-02-01")), None, None, None).unwrap();
        assert!(!later.keeps(&record("2025-01-31T23:59:59Z", "mturk", "US")));
    }

    #[test]
    fn platforms_and_countries_keep_only_theirs_and_unknown_is_no_country() {
        let filter = RecordFilter::new(
            None,
            None,
            Some(&[Platform::Prolific, Platform::Mturk, Platform::Mturk]),
            Some(&[Some(CountryCode::parse("IN").unwrap()), None]),
        )
        .unwrap();
        assert!(filter.keeps(&record("2025-01-31T10:00:00Z", "mturk", "IN")));
        assert!(filter.keeps(&record("2025-01-31T10:00:00Z", "prolific", "")));
        assert!(!filter.keeps(&record("2025-01-31T10:00:00Z", "toloka", "IN")));
        assert!(!filter.keeps(&record("2025-01-31T10:00:00Z", "mturk", "US")));
        assert_eq!(filter.to_string(), "--platform mturk,prolific --country unknown,IN");
        assert!(RecordFilter::EVERYTHING.keeps(&record("2025-01-31T10:00:00Z", "toloka", "")));
        assert!(RecordFilter::EVERYTHING.is_everything());
    }

    #[test]
    fn a_reversed_period_and_empty_lists_are_refused() {
        assert_eq!(
            RecordFilter::new(Some(day("2025-03-01")), Some(day("2025-02-01")), None, None)
                .unwrap_err()
                .to_string(),
            "from (2025-03-01) is after to (2025-02-01): no day is in the period"
        );
        assert_eq!(RecordFilter::new(None, None, Some(&[]), None), Err(FilterError::EmptyList("platform")));
    }
}
