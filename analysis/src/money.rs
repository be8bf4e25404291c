//! Amounts of money as exact decimals, never floats: a `Money` is a non-negative amount in some
//! currency's units with at most six decimal places.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::codes::Currency;
use crate::reference::units_per_usd;
use crate::time::Timestamp;

/// No single amount in a record may exceed this many currency units. It exists only to keep
/// arithmetic far from overflow; the plausibility bound that rejects typing errors is
/// [`crate::record::MAX_TASK_PAY_USD`], checked in US dollars.
const MAX_UNITS: i64 = 1_000_000_000_000;
const MAX_DECIMAL_PLACES: usize = 6;

/// A non-negative amount with at most six decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a decimal amount like 0.10 (digits, one optional '.', no sign, no symbol)")]
    Syntax(String),
    #[error("'{0}' has more than {MAX_DECIMAL_PLACES} decimal places")]
    TooPrecise(String),
    #[error("'{0}' is larger than any plausible amount")]
    TooLarge(String),
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses a plain decimal such as `0.10`, `12` or `.5`; the empty string is zero.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        if text.is_empty() {
            return Ok(Money::ZERO);
        }
        let shortened = || text.chars().take(24).collect::<String>();
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if !digits_only(whole) || !digits_only(fraction) || (whole.is_empty() && fraction.is_empty()) {
            return Err(MoneyError::Syntax(shortened()));
        }
        if fraction.len() > MAX_DECIMAL_PLACES {
            return Err(MoneyError::TooPrecise(shortened()));
        }
        if whole.trim_start_matches('0').len() > 13 {
            return Err(MoneyError::TooLarge(shortened()));
        }
        // The digits, checked above, make the decimal by hand: `Decimal::from_str_exact`, its
        // comparison with the bound and `normalize` had taken 3% of the 10-million-record
        // report. Trailing zeros after the point are dropped first, which is what `normalize`
        // did. At most 13 significant digits before the point and 6 after fit in a `u64`.
        let fraction = fraction.trim_end_matches('0');
        let mantissa =
            whole.bytes().chain(fraction.bytes()).fold(0u64, |acc, digit| acc * 10 + u64::from(digit - b'0'));
        let scale = fraction.len() as u32;
        if mantissa > MAX_UNITS as u64 * 10u64.pow(scale) {
            return Err(MoneyError::TooLarge(shortened()));
        }
        Ok(Money(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, false, scale)))
    }

    /// Builds an amount from a count of hundredths (cents, pence), as the simulator pays.
    pub fn from_cents(cents: u64) -> Money {
        let cents = cents.min(MAX_UNITS as u64 * 100);
        Money(Decimal::new(cents as i64, 2).normalize())
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// This amount in US dollars at the rate of the instant's month.
    pub fn to_usd(self, currency: Currency, at: Timestamp) -> Decimal {
        if currency == Currency::USD || self.0.is_zero() {
            return self.0;
        }
        let (year, month) = at.year_month();
        let rate = units_per_usd(currency.bytes(), year, month)
            .expect("a Currency always has a shipped exchange rate");
        self.0 / rate
    }

    pub fn to_f64(self) -> f64 {
        self.0.to_f64().unwrap_or(0.0)
    }
}

/// A US-dollar amount in `currency`, at the rate of the instant's month: the inverse of
/// [`Money::to_usd`], for showing a worker their figures in the currency they live in.
pub fn usd_to_currency(usd: Decimal, currency: Currency, at: Timestamp) -> Decimal {
    if currency == Currency::USD || usd.is_zero() {
        return usd;
    }
    let (year, month) = at.year_month();
    let rate =
        units_per_usd(currency.bytes(), year, month).expect("a Currency always has a shipped exchange rate");
    usd * rate
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl fmt::Display for Money {
    /// The shortest exact decimal: `0.1`, `3`, `0.035`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_decimals() {
        for (text, expected) in
            [("", "0"), ("0.10", "0.1"), ("12", "12"), (".5", "0.5"), ("3.000001", "3.000001")]
        {
            assert_eq!(Money::parse(text).unwrap().to_string(), expected, "{text}");
        }
    }

    #[test]
    fn rejects_signs_symbols_and_noise() {
        for bad in ["-1", "+1", "$0.10", "1e3", "0,10", "1.2.3", ".", " 1", "NaN", "inf", "١"] {
            assert!(matches!(Money::parse(bad), Err(MoneyError::Syntax(_))), "{bad}");
        }
        assert!(matches!(Money::parse("0.0000001"), Err(MoneyError::TooPrecise(_))));
        assert!(matches!(Money::parse("99999999999999999999"), Err(MoneyError::TooLarge(_))));
    }

    /// What `Money::parse` did before it built the decimal by hand.
    fn parse_by_the_library(text: &str) -> Option<Decimal> {
        if text.is_empty() {
            return Some(Decimal::ZERO);
        }
        let amount = Decimal::from_str_exact(text).ok()?;
        (amount <= Decimal::from(MAX_UNITS)).then(|| amount.normalize())
    }

    proptest::proptest! {
        #[test]
        fn builds_the_decimal_the_library_reads(
            whole in "[0-9]{0,15}",
            fraction in proptest::option::of("[0-9]{0,6}"),
        ) {
            let text = match &fraction {
                Some(fraction) => format!("{whole}.{fraction}"),
                None => whole.clone(),
            };
            let ours = Money::parse(&text).ok().map(Money::decimal);
            let expected = parse_by_the_library(&text);
            // The same bits, not only the same value: a report prints and hashes amounts.
            proptest::prop_assert_eq!(ours.map(|d| d.serialize()), expected.map(|d| d.serialize()), "{}", text);
        }
    }

    #[test]
    fn builds_exact_decimals_at_the_edges() {
        for (text, expected) in [
            ("0.000", "0"),
            ("000.10", "0.1"),
            ("1000000000000", "1000000000000"),
            ("1000000000000.000000", "1000000000000"),
            ("0999999999999.999999", "999999999999.999999"),
        ] {
            assert_eq!(Money::parse(text).unwrap().to_string(), expected, "{text}");
        }
        for too_large in ["1000000000000.000001", "9999999999999.999999", "1000000000001"] {
            assert!(matches!(Money::parse(too_large), Err(MoneyError::TooLarge(_))), "{too_large}");
        }
    }

    #[test]
    fn converts_to_dollars_at_the_month_rate() {
        let at = Timestamp::parse("2020-01-15T00:00:00Z").unwrap();
        let pounds = Money::parse("7.648").unwrap();
        let gbp = Currency::parse("GBP").unwrap();
        assert_eq!(pounds.to_usd(gbp, at), Decimal::from(10));
        assert_eq!(usd_to_currency(Decimal::from(10), gbp, at), Decimal::new(7648, 3));
        assert_eq!(usd_to_currency(Decimal::from(10), Currency::USD, at), Decimal::from(10));
    }
}
