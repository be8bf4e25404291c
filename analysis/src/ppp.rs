//! Purchasing-power parity: how many international dollars a US dollar buys in a country, so
//! that wages can be compared across countries by what they buy there (as the ILO compares
//! wages) rather than at market exchange rates.
//!
//! The factors are the World Bank's "PPP conversion factor, GDP (LCU per international $)"
//! (`PA.NUS.PPP`, CC BY 4.0; `data/ppp_factors.csv`, sources in `data/SOURCES.md`). A year after
//! the last published factor uses the last one.

use std::sync::OnceLock;

use rust_decimal::Decimal;

use crate::codes::CountryCode;
use crate::reference::{take, take_code, units_per_usd};

const PPP_FACTORS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ppp_factors.bin"));

/// (country, year, local currency units per international dollar), ordered by country and year.
fn factors() -> &'static [([u8; 2], i64, Decimal)] {
    static FACTORS: OnceLock<Vec<([u8; 2], i64, Decimal)>> = OnceLock::new();
    FACTORS.get_or_init(|| {
        let mut bytes = PPP_FACTORS;
        let mut rows = Vec::new();
        while !bytes.is_empty() {
            let country = take_code::<2>(&mut bytes);
            let year = i64::from(u16::from_le_bytes(take_code::<2>(&mut bytes)));
            let length = usize::from(take(&mut bytes, 1)[0]);
            let text = std::str::from_utf8(take(&mut bytes, length)).expect("build.rs wrote ASCII");
            let factor = Decimal::from_str_exact(text).expect("build.rs checked the decimal");
            rows.push((country, year, factor));
        }
        rows
    })
}

/// Local currency units per international dollar in a country and year: that year's factor, or
/// the latest one before it. `None` before the first factor, or for a country without any.
pub fn local_units_per_international_dollar(country: CountryCode, year: i64) -> Option<Decimal> {
    let rows = factors();
    let end = rows.partition_point(|row| (row.0, row.1) <= (country.bytes(), year));
    let (found, _, factor) = rows.get(end.checked_sub(1)?)?;
    (*found == country.bytes()).then_some(*factor)
}

/// International dollars that one US dollar is worth in a country in a month: the dollar
/// changed into local currency at that month's market rate, then valued at that year's PPP.
pub fn international_dollars_per_usd(country: CountryCode, year: i64, month: i64) -> Option<Decimal> {
    let currency = country.currency()?;
    let market = units_per_usd(currency.bytes(), year, month)?;
    let ppp = local_units_per_international_dollar(country, year)?;
    (ppp > Decimal::ZERO).then(|| market / ppp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    #[test]
    fn every_shipped_factor_is_the_csv_s() {
        let csv = include_str!("../data/ppp_factors.csv");
        let expected: Vec<(String, i64, String)> = csv
            .lines()
            .skip(1)
            .map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                (fields[0].to_owned(), fields[1].parse().unwrap(), fields[2].to_owned())
            })
            .collect();
        assert_eq!(factors().len(), expected.len());
        for ((code, year, factor), (want_code, want_year, want_factor)) in factors().iter().zip(&expected) {
            assert_eq!((std::str::from_utf8(code).unwrap(), *year), (want_code.as_str(), *want_year));
            assert_eq!(factor.to_string(), *want_factor);
        }
    }

    #[test]
    fn a_us_dollar_is_one_international_dollar_in_the_us() {
        assert_eq!(international_dollars_per_usd(country("US"), 2023, 6), Some(Decimal::ONE));
        // Carried forward past the last published year.
        assert_eq!(
            local_units_per_international_dollar(country("IN"), 2026),
            local_units_per_international_dollar(country("IN"), 2023)
        );
        // A dollar buys more where prices are lower.
        assert!(international_dollars_per_usd(country("IN"), 2023, 6).unwrap() > Decimal::from(2));
        assert_eq!(local_units_per_international_dollar(country("AQ"), 2023), None);
    }
}
