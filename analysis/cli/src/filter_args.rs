//! The flags that choose which records a report counts (`--from`, `--to`, `--platform`,
//! `--country`), shared by every command that reads records into a report; they become the
//! library's `RecordFilter`, which the report reader applies.

use analysis::record_filter::{RecordFilter, UNKNOWN_COUNTRY};
use analysis::time::Date;
use analysis::{CountryCode, Platform};
use clap::Args;

#[derive(Debug, Clone, Default, Args)]
pub(crate) struct FilterArgs {
    /// Count only records started on or after this day (UTC, YYYY-MM-DD); a task counts on the
    /// day it started.
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub(crate) from: Option<Date>,
    /// Count only records started on or before this day (UTC, YYYY-MM-DD, included).
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub(crate) to: Option<Date>,
    /// Count only records of these platforms, comma-separated (mturk, prolific, toloka,
    /// clickworker, microworkers, appen, remotasks, uhrs, sproutgigs, outlier, hive, other).
    #[arg(long, value_parser = parse_platforms, value_name = "P[,P]")]
    pub(crate) platform: Option<Platforms>,
    /// Count only records of workers in these countries, ISO 3166-1 codes comma-separated
    /// (US,IN); `unknown` stands for records without a country.
    #[arg(long, value_parser = parse_countries, value_name = "CC[,CC]")]
    pub(crate) country: Option<Countries>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Platforms(pub(crate) Vec<Platform>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Countries(pub(crate) Vec<Option<CountryCode>>);

impl FilterArgs {
    /// The library's filter, or a message naming the flags that contradict each other.
    pub(crate) fn filter(&self) -> Result<RecordFilter, String> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(format!("--from {from} is after --to {to}: no day is in the period"));
        }
        RecordFilter::new(
            self.from,
            self.to,
            self.platform.as_ref().map(|list| list.0.as_slice()),
            self.country.as_ref().map(|list| list.0.as_slice()),
        )
        .map_err(|error| error.to_string())
    }
}

pub(crate) fn parse_day(text: &str) -> Result<Date, String> {
    Date::parse(text.trim()).map_err(|error| error.to_string())
}

/// The comma-separated words of a list flag, none of them empty.
fn words<'a>(text: &'a str, what: &str) -> Result<Vec<&'a str>, String> {
    let words: Vec<&str> = text.split(',').map(str::trim).collect();
    if words.iter().any(|word| word.is_empty()) {
        return Err(format!("expected one or more {what}, comma-separated, with none empty"));
    }
    Ok(words)
}

pub(crate) fn parse_platforms(text: &str) -> Result<Platforms, String> {
    words(text, "platforms")?
        .into_iter()
        .map(|word| Platform::parse(&word.to_ascii_lowercase()))
        .collect::<Result<_, _>>()
        .map(Platforms)
}

pub(crate) fn parse_countries(text: &str) -> Result<Countries, String> {
    words(text, "country codes")?
        .into_iter()
        .map(|word| {
            if word.eq_ignore_ascii_case(UNKNOWN_COUNTRY) {
                return Ok(None);
            }
            // A lower-case code is unambiguous; a name or an alias gets the code it stands for,
            // as `piecerate import --country` suggests it.
            let code = if word.len() == 2 { word.to_ascii_uppercase() } else { word.to_owned() };
            crate::import_command::parse_country(&code).map(Some)
        })
        .collect::<Result<_, _>>()
        .map(Countries)
}
