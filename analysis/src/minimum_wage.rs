//! Statutory minimum wages as the law set them: one row per change, in local currency, per
//! country or region (`data/minimum_wages.csv`, derived by `scripts/minimum_wages.py` from the
//! source sets under `data/minimum-wage/`, each row checked against its evidence file).
//!
//! [`in_force`] answers "which minimum applied here on this day", or says why there is none
//! (no statutory minimum, or not known from the shipped sources). Reports compare a worker's
//! earnings with the minimum of each month of their counted time
//! ([`national_minimum_of_month`]);
//! `docs/methodology.md` states the definition.

use std::fmt;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::codes::{CountryCode, Currency};
use crate::reference::{cannot_fail, large_tables, take, take_code, units_per_usd};
use crate::time::Date;

/// The period a minimum wage is set per.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Hour,
    Day,
    Week,
    Month,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Hour => "hour",
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }
}

/// What a row of the table says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// A minimum wage set by law for this jurisdiction.
    Statutory,
    /// The country sets minimum wages only per region; this is the lowest of them, so comparing
    /// a country's workers with it gives a lower bound of the share below their local minimum.
    LowestRegional,
    /// The sources state that no statutory minimum exists (wages set by collective agreements).
    NoStatutoryMinimum,
    /// A minimum applies from this date, but the sources do not give its amount.
    AmountNotInSources,
}

/// An amount set by law, in the currency of its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub currency: Currency,
    pub amount: Decimal,
    pub period: Period,
    /// The hours per period the law (or the convention named in the row's note) uses; `None`
    /// when no source gives them, which leaves the hourly figure unknown.
    pub hours_per_period: Option<Decimal>,
}

impl Rate {
    /// The amount per hour, exact (not rounded), when the hours per period are known.
    pub fn hourly(&self) -> Option<Decimal> {
        let hours = self.hours_per_period?;
        (hours > Decimal::ZERO).then(|| self.amount / hours)
    }
}

/// One row of the shipped table: a change of minimum wage in one jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinimumWage {
    pub country: CountryCode,
    /// The ISO 3166-2 code of a subdivision (e.g. `US-CA`), or `None` for a national figure.
    pub region: Option<&'static str>,
    pub basis: Basis,
    /// `None` exactly when the basis is [`Basis::NoStatutoryMinimum`] or [`Basis::AmountNotInSources`].
    pub rate: Option<Rate>,
    pub in_force_from: Date,
    /// A short name of the source (e.g. "OpenFisca France parameters").
    pub source: &'static str,
    /// The evidence file the row was checked against, under `analysis/data/minimum-wage/`.
    pub source_file: &'static str,
    /// Which rate was chosen and why, and any caveat of the source.
    pub note: &'static str,
}

impl MinimumWage {
    /// The hourly amount in local currency, exact.
    pub fn hourly_local(&self) -> Option<Decimal> {
        self.rate.as_ref()?.hourly()
    }

    /// The hourly amount in US dollars at the rate of the given month.
    pub fn hourly_usd(&self, year: i64, month: i64) -> Option<f64> {
        let rate = self.rate.as_ref()?;
        let hourly = rate.hourly()?;
        let usd = if rate.currency == Currency::USD {
            hourly
        } else {
            hourly / units_per_usd(rate.currency.bytes(), year, month)?
        };
        usd.to_f64()
    }

    /// `GB`, `US-CA`: the jurisdiction the row is for.
    pub fn jurisdiction(&self) -> String {
        self.region.map_or_else(|| self.country.as_str().to_owned(), str::to_owned)
    }
}

/// A country, or one of its regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Jurisdiction {
    pub country: CountryCode,
    /// An ISO 3166-2 code that the table knows for this country.
    pub region: Option<&'static str>,
}

/// Why a jurisdiction code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JurisdictionError {
    #[error("'{given}' is not an ISO 3166-1 country code{}", did_you_mean(suggestion))]
    UnknownCountry { given: String, suggestion: Option<String> },
    #[error("'{given}' is not a region of {country} in the minimum-wage table{}", known_regions(known))]
    UnknownRegion { given: String, country: String, known: Vec<&'static str> },
}

fn did_you_mean(suggested: &Option<String>) -> String {
    suggested.as_ref().map_or_else(String::new, |code| format!("; did you mean {code}?"))
}

fn known_regions(known: &[&'static str]) -> String {
    if known.is_empty() {
        "; it has no regional minimum wages".to_owned()
    } else {
        format!("; known: {}", known.join(", "))
    }
}

/// Codes people use for a country that ISO 3166-1 spells otherwise.
const COUNTRY_ALIASES: [(&str, &str); 4] = [("UK", "GB"), ("EL", "GR"), ("EN", "GB"), ("USA", "US")];

impl Jurisdiction {
    pub fn national(country: CountryCode) -> Jurisdiction {
        Jurisdiction { country, region: None }
    }

    /// Reads `GB`, `gb`, `US-CA` or `CA-ON`. A common alias (`UK`) or, with the
    /// `country-names` feature, a country's English name is refused with the right code.
    pub fn parse(text: &str) -> Result<Jurisdiction, JurisdictionError> {
        let text = text.trim();
        let upper = text.to_ascii_uppercase();
        let (country_part, region_part) = match upper.split_once('-') {
            Some((country, region)) => (country, Some(region)),
            None => (upper.as_str(), None),
        };
        let Ok(country) = CountryCode::parse(country_part) else {
            return Err(JurisdictionError::UnknownCountry {
                given: text.chars().take(40).collect(),
                suggestion: suggest_country(country_part, text).map(|code| {
                    region_part.map_or_else(|| code.clone(), |region| format!("{code}-{region}"))
                }),
            });
        };
        if region_part.is_none() {
            return Ok(Jurisdiction::national(country));
        }
        let known = regions(country);
        match known.iter().find(|code| **code == upper) {
            Some(code) => Ok(Jurisdiction { country, region: Some(code) }),
            None => Err(JurisdictionError::UnknownRegion {
                given: text.chars().take(40).collect(),
                country: country.as_str().to_owned(),
                known,
            }),
        }
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.region.unwrap_or(self.country.as_str()))
    }
}

fn suggest_country(code: &str, text: &str) -> Option<String> {
    if let Some((_, right)) = COUNTRY_ALIASES.iter().find(|(alias, _)| *alias == code) {
        return Some((*right).to_owned());
    }
    #[cfg(feature = "country-names")]
    return crate::codes::country_from_name(text).map(|country| country.as_str().to_owned());
    #[cfg(not(feature = "country-names"))]
    {
        let _ = text;
        None
    }
}

/// What the minimum wage of a jurisdiction on a day is, or why there is none to compare with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// A minimum with an hourly figure.
    Known(&'static MinimumWage),
    /// The sources state that no statutory minimum exists.
    NoStatutoryMinimum(&'static MinimumWage),
    Unknown(Unknown),
}

/// Why no minimum is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unknown {
    /// The shipped sources have nothing for this jurisdiction.
    NotInSources,
    /// The sources start later than the day asked about.
    BeforeFirstKnown { first: Date },
    /// A minimum is set per day, week or month, but no source gives the hours to make it hourly.
    NoHoursConvention(&'static MinimumWage),
    /// A minimum applies, but the sources do not give its amount.
    AmountNotInSources(&'static MinimumWage),
}

impl Threshold {
    /// The row in force, whatever it says.
    pub fn row(&self) -> Option<&'static MinimumWage> {
        match self {
            Threshold::Known(row) | Threshold::NoStatutoryMinimum(row) => Some(row),
            Threshold::Unknown(Unknown::NoHoursConvention(row) | Unknown::AmountNotInSources(row)) => {
                Some(row)
            }
            Threshold::Unknown(_) => None,
        }
    }

    /// `known`, `none` or `unknown`, as outputs write it.
    pub fn status(&self) -> &'static str {
        match self {
            Threshold::Known(_) => "known",
            Threshold::NoStatutoryMinimum(_) => "none",
            Threshold::Unknown(_) => "unknown",
        }
    }

    /// Why there is no hourly minimum to compare with, in a sentence outputs show; `None` when
    /// there is one.
    pub fn reason(&self, jurisdiction: &Jurisdiction) -> Option<String> {
        match self {
            Threshold::Known(_) => None,
            Threshold::NoStatutoryMinimum(row) => Some(format!(
                "{jurisdiction} has no statutory minimum wage ({}; source: {})",
                row.note, row.source
            )),
            Threshold::Unknown(Unknown::NotInSources) => {
                Some(format!("no minimum wage of {jurisdiction} is in the shipped sources"))
            }
            Threshold::Unknown(Unknown::BeforeFirstKnown { first }) => {
                Some(format!("the shipped sources give minimum wages of {jurisdiction} only from {first}"))
            }
            Threshold::Unknown(Unknown::AmountNotInSources(row)) => Some(format!(
                "a minimum wage applies in {jurisdiction} from {}, but its amount is not in the shipped sources",
                row.in_force_from
            )),
            Threshold::Unknown(Unknown::NoHoursConvention(row)) => {
                let rate = row.rate.as_ref().expect("a rate without hours");
                Some(format!(
                    "the sources give {jurisdiction}'s minimum as {} {} per {}, but no statutory hours to make it hourly",
                    rate.amount,
                    rate.currency,
                    rate.period.as_str()
                ))
            }
        }
    }
}

/// Every row of the table, in the order of country, region (national first) and date.
pub fn rows() -> &'static [MinimumWage] {
    static ROWS: OnceLock<Vec<MinimumWage>> = OnceLock::new();
    ROWS.get_or_init(parse_rows)
}

/// The ISO 3166-2 codes of the US states and the District of Columbia. A state without rows of
/// its own (Texas, say) has the federal minimum, so a worker there can still pick their state.
const US_STATES: [&str; 51] = [
    "US-AK", "US-AL", "US-AR", "US-AZ", "US-CA", "US-CO", "US-CT", "US-DC", "US-DE", "US-FL", "US-GA",
    "US-HI", "US-IA", "US-ID", "US-IL", "US-IN", "US-KS", "US-KY", "US-LA", "US-MA", "US-MD", "US-ME",
    "US-MI", "US-MN", "US-MO", "US-MS", "US-MT", "US-NC", "US-ND", "US-NE", "US-NH", "US-NJ", "US-NM",
    "US-NV", "US-NY", "US-OH", "US-OK", "US-OR", "US-PA", "US-RI", "US-SC", "US-SD", "US-TN", "US-TX",
    "US-UT", "US-VA", "US-VT", "US-WA", "US-WI", "US-WV", "US-WY",
];

/// The regions a worker of this country can pick, in code order: those with rows of their own
/// and, for the United States, every state.
pub fn regions(country: CountryCode) -> Vec<&'static str> {
    let states: &[&'static str] = if country.as_str() == "US" { &US_STATES } else { &[] };
    // Kept in order as it is built (tens of codes): a sort here was one more copy of the
    // standard library's sort in the browser extension's wasm module.
    let mut regions: Vec<&'static str> = Vec::new();
    for region in series(country).iter().filter_map(|row| row.region).chain(states.iter().copied()) {
        if let Err(index) = regions.binary_search(&region) {
            regions.insert(index, region);
        }
    }
    regions
}

/// The rows of one country, national then regional (a run of the table).
fn series(country: CountryCode) -> &'static [MinimumWage] {
    let all = rows();
    let start = all.partition_point(|row| row.country < country);
    let end = start + all[start..].iter().take_while(|row| row.country == country).count();
    &all[start..end]
}

/// The row of one jurisdiction (national: `region` None) in force on a day, and the first date
/// it has any row.
fn row_in_force(
    country: CountryCode,
    region: Option<&str>,
    on: Date,
) -> (Option<&'static MinimumWage>, Option<Date>) {
    let mut current = None;
    let mut first = None;
    for row in series(country).iter().filter(|row| row.region == region) {
        first.get_or_insert(row.in_force_from);
        if row.in_force_from <= on {
            current = Some(row);
        }
    }
    (current, first)
}

fn threshold_of(row: &'static MinimumWage) -> Threshold {
    match (row.basis, row.hourly_local()) {
        (Basis::NoStatutoryMinimum, _) => Threshold::NoStatutoryMinimum(row),
        (Basis::AmountNotInSources, _) => Threshold::Unknown(Unknown::AmountNotInSources(row)),
        (_, Some(_)) => Threshold::Known(row),
        (_, None) => Threshold::Unknown(Unknown::NoHoursConvention(row)),
    }
}

/// The minimum wage in force in a jurisdiction on a day.
///
/// A region's minimum is its own rate or the national statutory one, whichever is higher per
/// hour (as under the US Fair Labor Standards Act, where the higher of the federal and the
/// state rate applies); a region without rows of its own has the national statutory minimum.
/// A national figure that is only the lowest regional rate does not apply to a region.
pub fn in_force(jurisdiction: &Jurisdiction, on: Date) -> Threshold {
    let (national, national_first) = row_in_force(jurisdiction.country, None, on);
    let Some(region) = jurisdiction.region else {
        return match (national, national_first) {
            (Some(row), _) => threshold_of(row),
            (None, Some(first)) => Threshold::Unknown(Unknown::BeforeFirstKnown { first }),
            (None, None) => Threshold::Unknown(Unknown::NotInSources),
        };
    };
    let national = national.filter(|row| row.basis == Basis::Statutory).map(threshold_of);
    let (regional, regional_first) = row_in_force(jurisdiction.country, Some(region), on);
    match (regional.map(threshold_of), national) {
        (Some(Threshold::Known(own)), Some(Threshold::Known(federal))) => {
            if federal.hourly_local() > own.hourly_local() && same_currency(own, federal) {
                Threshold::Known(federal)
            } else {
                Threshold::Known(own)
            }
        }
        (Some(own), _) => own,
        (None, Some(national)) => national,
        (None, None) => match regional_first.or(national_first) {
            Some(first) => Threshold::Unknown(Unknown::BeforeFirstKnown { first }),
            None => Threshold::Unknown(Unknown::NotInSources),
        },
    }
}

fn same_currency(a: &MinimumWage, b: &MinimumWage) -> bool {
    a.rate.map(|r| r.currency) == b.rate.map(|r| r.currency)
}

/// A month's national threshold, ready for the per-record sums of a report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthThreshold {
    pub threshold: Threshold,
    /// US dollars per hour at that month's exchange rate, when the threshold is known.
    pub hourly_usd: Option<f64>,
}

/// The national minimum of a month for pooled data (reports, the collector): the one in force
/// on the month's first day, so a change that takes effect later in a month counts from the next
/// month on. Reports keep each country and month's answer (`report/minimum.rs`).
pub fn national_minimum_of_month(country: CountryCode, year: i64, month: i64) -> MonthThreshold {
    let Some(first_day) = Date::first_of_month(year, month) else {
        return MonthThreshold { threshold: Threshold::Unknown(Unknown::NotInSources), hourly_usd: None };
    };
    let threshold = in_force(&Jurisdiction::national(country), first_day);
    let hourly_usd = match threshold {
        Threshold::Known(row) => row.hourly_usd(year, month),
        _ => None,
    };
    MonthThreshold { threshold, hourly_usd }
}

fn parse_rows() -> Vec<MinimumWage> {
    // The rows' texts borrow from the table, kept for the life of the program.
    let mut bytes = large_tables().minimum_wages;
    let u16_of = |bytes: &mut &[u8]| u16::from_le_bytes(take_code::<2>(bytes));
    let pool: Vec<&'static str> = (0..u16_of(&mut bytes))
        .map(|_| {
            let length = usize::from(u16_of(&mut bytes));
            cannot_fail(std::str::from_utf8(take(&mut bytes, length)), "build.rs wrote UTF-8")
        })
        .collect();
    let text = |index: u16| (index != 0xFFFF).then(|| pool[usize::from(index)]);
    let decimal = |index: u16| {
        text(index).map(|text| cannot_fail(Decimal::from_str_exact(text), "build.rs checked the decimal"))
    };
    let mut rows = Vec::new();
    while !bytes.is_empty() {
        let country = CountryCode::from_table(take_code::<2>(&mut bytes));
        let region = text(u16_of(&mut bytes));
        let basis = match take(&mut bytes, 1)[0] {
            0 => Basis::Statutory,
            1 => Basis::LowestRegional,
            2 => Basis::NoStatutoryMinimum,
            _ => Basis::AmountNotInSources,
        };
        let currency = take_code::<3>(&mut bytes);
        let amount = decimal(u16_of(&mut bytes));
        let period = match take(&mut bytes, 1)[0] {
            0 => Some(Period::Hour),
            1 => Some(Period::Day),
            2 => Some(Period::Week),
            3 => Some(Period::Month),
            _ => None,
        };
        let hours_per_period = decimal(u16_of(&mut bytes));
        let days = i32::from_le_bytes(take_code::<4>(&mut bytes));
        let [source, source_file, note] = [0; 3].map(|_| text(u16_of(&mut bytes)).unwrap_or(""));
        let rate = match (amount, period, currency) {
            (Some(amount), Some(period), currency) if currency != [0; 3] => {
                Some(Rate { currency: Currency::from_table(currency), amount, period, hours_per_period })
            }
            _ => None,
        };
        let without_rate = matches!(basis, Basis::NoStatutoryMinimum | Basis::AmountNotInSources);
        assert_eq!(rate.is_none(), without_rate, "minimum_wages.csv: a row's rate and basis disagree");
        rows.push(MinimumWage {
            country,
            region,
            basis,
            rate,
            in_force_from: Date::from_days(days),
            source,
            source_file,
            note,
        });
    }
    rows
}

#[cfg(test)]
mod tests;
