//! The minimum-wage comparison of a report: what the local statutory minimum would have paid a
//! worker for the same counted hours, month by month, and the threshold each cell shows.
//!
//! A worker is below the minimum when their earnings are less than the sum, over the months of
//! their counted time, of that month's hours times the minimum in force on the month's first
//! day, converted at that month's rate (`docs/methodology.md`). The sums are kept per kind of
//! time, so every method counts exactly the minimum pay of the hours it counts.

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use super::{CurrencyBasis, WorkerCell, round};
use crate::codes::CountryCode;
use crate::minimum_wage::{Basis, Jurisdiction, MinimumWage, Threshold, national_minimum_of_month};
use crate::ppp::international_dollars_per_usd;
use crate::time::Seconds;
use crate::wage::{Method, TimeKind, WorkerTotals};

/// How a month's money is valued in a report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Worth {
    /// US dollars as they are.
    Market,
    /// International dollars per US dollar in that country and month.
    Ppp(Decimal),
    /// No PPP factor for the country (or no country): the worker cannot be valued.
    Unvalued,
}

/// What one country and month contribute: how money is valued, and the minimum in force.
#[derive(Debug, Clone, Copy)]
pub(super) struct Value {
    pub worth: Worth,
    /// The minimum per hour in the report's money, and its row; `None` when not known.
    pub minimum: Option<(f64, &'static MinimumWage)>,
}

/// A country (if known) and a month (year, month).
type CountryMonth = (Option<CountryCode>, i64, i64);

/// Looks up and keeps each country and month's [`Value`]; records of one worker usually share
/// their country and month, so the last one is kept apart from the map.
#[derive(Debug)]
pub(super) struct Valuation {
    basis: CurrencyBasis,
    values: HashMap<CountryMonth, Value>,
    last: Option<(CountryMonth, Value)>,
}

impl Valuation {
    pub(crate) fn new(basis: CurrencyBasis) -> Valuation {
        Valuation { basis, values: HashMap::new(), last: None }
    }

    pub(crate) fn of(&mut self, country: Option<CountryCode>, year: i64, month: i64) -> Value {
        let key = (country, year, month);
        if let Some((last_key, value)) = self.last
            && last_key == key
        {
            return value;
        }
        let value = match self.values.get(&key) {
            Some(value) => *value,
            None => {
                let value = self.compute(country, year, month);
                self.values.insert(key, value);
                value
            }
        };
        self.last = Some((key, value));
        value
    }

    fn compute(&mut self, country: Option<CountryCode>, year: i64, month: i64) -> Value {
        let worth = match (self.basis, country) {
            (CurrencyBasis::Usd, _) => Worth::Market,
            (CurrencyBasis::Ppp, Some(country)) => {
                international_dollars_per_usd(country, year, month).map_or(Worth::Unvalued, Worth::Ppp)
            }
            (CurrencyBasis::Ppp, None) => Worth::Unvalued,
        };
        let minimum = country.and_then(|country| {
            let month_threshold = national_minimum_of_month(country, year, month);
            let row = match month_threshold.threshold {
                Threshold::Known(row) => row,
                _ => return None,
            };
            let usd = month_threshold.hourly_usd?;
            let hourly = match worth {
                Worth::Market => usd,
                Worth::Ppp(factor) => usd * factor.to_f64()?,
                Worth::Unvalued => return None,
            };
            Some((hourly, row))
        });
        Value { worth, minimum }
    }
}

/// What the minimum wage would have paid for one worker's time in a cell, per kind of time.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(super) struct MinimumPay {
    pay: [f64; 4],
    /// One bit per kind of time: some of it fell in a month without a known minimum.
    unknown: u8,
    /// The first such month, to say why.
    unknown_month: Option<(i64, i64)>,
    /// The latest minimum applied (by its in-force date).
    pub latest: Option<&'static MinimumWage>,
}

impl MinimumPay {
    /// Adds time of one kind spent in a month (year, month) whose value is `value`.
    pub(crate) fn add(&mut self, kind: TimeKind, time: Seconds, value: &Value, month: (i64, i64)) {
        if time == Seconds::ZERO {
            return;
        }
        match value.minimum {
            Some((hourly, row)) => {
                self.pay[kind as usize] += time.hours() * hourly;
                if self.latest.is_none_or(|latest| latest.in_force_from < row.in_force_from) {
                    self.latest = Some(row);
                }
            }
            None => {
                self.unknown |= 1 << kind as u8;
                self.unknown_month = self.unknown_month.or(Some(month));
            }
        }
    }

    pub(crate) fn merge(&mut self, other: &MinimumPay) {
        for (pay, more) in self.pay.iter_mut().zip(other.pay) {
            *pay += more;
        }
        self.unknown |= other.unknown;
        self.unknown_month = self.unknown_month.or(other.unknown_month);
        if let Some(row) = other.latest
            && self.latest.is_none_or(|latest| latest.in_force_from < row.in_force_from)
        {
            self.latest = Some(row);
        }
    }

    /// The part `part / whole` of this pay (for unpaid time shared among task categories).
    pub(crate) fn share(&self, part: u64, whole: u64) -> MinimumPay {
        let fraction = if whole == 0 { 0.0 } else { part as f64 / whole as f64 };
        MinimumPay {
            pay: self.pay.map(|pay| pay * fraction),
            unknown: if part == 0 { 0 } else { self.unknown },
            ..*self
        }
    }

    /// What the minimum would have paid for the time a method counts; `None` when some of that
    /// time has no known minimum.
    pub(crate) fn for_method(&self, method: Method) -> Option<f64> {
        let mut total = 0.0;
        for kind in TimeKind::ALL.into_iter().filter(|kind| kind.counted_by(method)) {
            if self.unknown & 1 << kind as u8 != 0 {
                return None;
            }
            total += self.pay[kind as usize];
        }
        Some(total)
    }

    /// Whether the worker earned less than the minimum would have paid for their counted time;
    /// `None` when that minimum is not known. Earnings equal to it, to a billionth (the sums
    /// are of converted amounts in floating point), are not below it.
    pub(crate) fn is_below(&self, totals: &WorkerTotals, method: Method) -> Option<bool> {
        let minimum = self.for_method(method)?;
        if totals.counted_time(method) == Seconds::ZERO {
            return None;
        }
        let earnings = totals.earnings_usd.to_f64().unwrap_or(0.0);
        Some(earnings < minimum * (1.0 - 1e-9))
    }
}

/// The minimum wage a published cell's workers were compared with. The figure in local currency
/// is the latest one in force during the cell's counted time; `hourly_usd` is the hours-weighted
/// average of every month's, in the report's money (US or international dollars).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CellMinimumWage {
    /// `known`, `none` (no statutory minimum) or `unknown` (not in the shipped sources).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly_local: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_force_from: Option<String>,
    /// `statutory`, or `lowest_regional` where the country sets minimums only per region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly_usd: Option<f64>,
    /// Why there is no minimum to compare with, when the status is not `known`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl CellMinimumWage {
    pub(super) fn of(
        country: CountryCode,
        members: &[&(u32, WorkerCell)],
        method: Method,
    ) -> CellMinimumWage {
        let (mut pay, mut hours, mut latest) = (0.0, 0.0, None::<&'static MinimumWage>);
        let mut unknown_month = None;
        for (_, cell) in members {
            match cell.minimum.for_method(method) {
                Some(minimum) => {
                    pay += minimum;
                    hours += cell.totals.counted_time(method).hours();
                    if let Some(row) = cell.minimum.latest
                        && latest.is_none_or(|known| known.in_force_from < row.in_force_from)
                    {
                        latest = Some(row);
                    }
                }
                // The latest such month, like the latest row in force above: taking the first
                // worker's would make the reason depend on the order the workers are held in.
                None => unknown_month = unknown_month.max(cell.minimum.unknown_month),
            }
        }
        if let Some(row) = latest.filter(|_| hours > 0.0) {
            let rate = row.rate.as_ref().expect("a known minimum has a rate");
            return CellMinimumWage {
                status: "known",
                hourly_local: row.hourly_local().and_then(|hourly| hourly.round_dp(4).to_f64()),
                currency: Some(rate.currency.as_str().to_owned()),
                in_force_from: Some(row.in_force_from.to_string()),
                basis: Some(if row.basis == Basis::LowestRegional { "lowest_regional" } else { "statutory" }),
                source: Some(row.source),
                hourly_usd: Some(round(pay / hours, 4)),
                reason: None,
            };
        }
        let jurisdiction = Jurisdiction::national(country);
        let threshold = match unknown_month {
            Some((year, month)) => national_minimum_of_month(country, year, month).threshold,
            None => Threshold::Unknown(crate::minimum_wage::Unknown::NotInSources),
        };
        CellMinimumWage {
            status: if matches!(threshold, Threshold::Known(_)) { "unknown" } else { threshold.status() },
            hourly_local: None,
            currency: None,
            in_force_from: None,
            basis: None,
            source: threshold.row().map(|row| row.source),
            hourly_usd: None,
            reason: threshold.reason(&jurisdiction).or_else(|| {
                Some(format!(
                    "the minimum wage of {jurisdiction} could not be converted for some of the cell's months"
                ))
            }),
        }
    }
}
