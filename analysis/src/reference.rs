//! The reference tables compiled into the library: ISO 3166-1 countries, ISO 4217 currencies and
//! exchange rates to the US dollar (minimum wages are in `minimum_wage.rs`). `analysis/data/SOURCES.md` says
//! where each table comes from and how `scripts/make-reference-tables.py` derives it.
//!
//! The tables are parsed once, on first use, from compact binary forms that `build.rs` derives
//! from their CSV files (the exchange rates in a tenth of their size; the other tables without
//! their CSV punctuation or a CSV reader to parse them), so the browser extension (wasm32, no
//! file system) sees exactly the figures the CLI and the collector use.
//!
//! The two large tables, the exchange rates and the minimum wages, are one file,
//! `reference_tables.bin`. With the `embedded-tables` feature (the default) it is compiled in.
//! Without it, as in the browser extension's module, the program hands it over before the
//! tables' first use ([`provide_tables`]), checked against the SHA-256 compiled in: 43 KB of
//! data the module does not carry, and still exactly the figures of this build.

use std::sync::OnceLock;

use rust_decimal::Decimal;

// The tables as encoded by `build.rs` (their layouts are described there).
const COUNTRIES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/countries.bin"));
const CURRENCIES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/currencies.bin"));

/// `reference_tables.bin` as `build.rs` wrote it: what the extension ships beside its module
/// (written out by the `reference_tables` example).
#[cfg(feature = "embedded-tables")]
pub const LARGE_TABLES_FILE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/reference_tables.bin"));

/// The SHA-256 of `reference_tables.bin` as this build wrote it.
const LARGE_TABLES_SHA256: [u8; 32] = include!(concat!(env!("OUT_DIR"), "/reference_tables_sha256.rs"));

/// The exchange rates and the minimum wages as `build.rs` encoded them.
pub(crate) struct LargeTables {
    pub(crate) usd_rates: &'static [u8],
    pub(crate) minimum_wages: &'static [u8],
}

/// Why a file handed to [`provide_tables`] was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TablesError {
    #[error(
        "the reference tables file is not the one this build was made with (SHA-256 {found}, expected {expected}): reinstall the program"
    )]
    Mismatch { found: String, expected: String },
}

/// Takes `reference_tables.bin`, once, before the tables' first use, if it is the file of this
/// build. With the tables compiled in (`embedded-tables`), the file is only checked. A second
/// call keeps the first file.
pub fn provide_tables(file: Vec<u8>) -> Result<(), TablesError> {
    use sha2::Digest;
    let found: [u8; 32] = sha2::Sha256::digest(&file).into();
    if found != LARGE_TABLES_SHA256 {
        let hex = |hash: [u8; 32]| crate::evidence::Hash(hash).hex();
        return Err(TablesError::Mismatch { found: hex(found), expected: hex(LARGE_TABLES_SHA256) });
    }
    #[cfg(not(feature = "embedded-tables"))]
    {
        let _ = PROVIDED.set(split_large_tables(Vec::leak(file)));
    }
    Ok(())
}

#[cfg(not(feature = "embedded-tables"))]
static PROVIDED: OnceLock<LargeTables> = OnceLock::new();

/// The file's two tables; its hash was checked, so its layout is the one `build.rs` wrote.
fn split_large_tables(file: &'static [u8]) -> LargeTables {
    let mut bytes = file;
    let length = u32::from_le_bytes(take_code::<4>(&mut bytes));
    let usd_rates = take(&mut bytes, cannot_fail(usize::try_from(length), "a length under 4 GiB"));
    LargeTables { usd_rates, minimum_wages: bytes }
}

pub(crate) fn large_tables() -> &'static LargeTables {
    #[cfg(feature = "embedded-tables")]
    {
        static EMBEDDED: OnceLock<LargeTables> = OnceLock::new();
        EMBEDDED.get_or_init(|| split_large_tables(LARGE_TABLES_FILE))
    }
    #[cfg(not(feature = "embedded-tables"))]
    match PROVIDED.get() {
        Some(tables) => tables,
        None => panic!("the reference tables were used before the program provided them (provide_tables)"),
    }
}

/// The US federal minimum wage, the reference figure of the literature (Hara et al., CHI 2018).
pub const US_FEDERAL_MINIMUM_HOURLY_USD: f64 = 7.25;

/// A table keyed by code, its keys in ascending order (`build.rs` writes them so), looked up by
/// bisection: no hashing or sorting code for the browser extension's module to carry.
#[derive(Debug)]
pub(crate) struct Keyed<K, V>(Vec<(K, V)>);

impl<K: Ord + Copy, V> Keyed<K, V> {
    fn new() -> Keyed<K, V> {
        Keyed(Vec::new())
    }

    /// Adds the next row; a key out of order is a defect of the embedded table.
    fn push(&mut self, key: K, value: V) {
        assert!(
            self.0.last().is_none_or(|(last, _)| *last < key),
            "an embedded reference table is out of order"
        );
        self.0.push((key, value));
    }

    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        let index = self.0.binary_search_by(|(candidate, _)| candidate.cmp(key)).ok()?;
        Some(&self.0[index].1)
    }

    /// The keys, in ascending order.
    pub(crate) fn codes(&self) -> impl Iterator<Item = K> + '_ {
        self.0.iter().map(|(key, _)| *key)
    }

    #[cfg(test)]
    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl<K: Ord + Copy, V> std::ops::Index<&K> for Keyed<K, V> {
    type Output = V;

    fn index(&self, key: &K) -> &V {
        self.get(key).expect("a code checked against the table")
    }
}

/// A set of codes of upper-case ASCII letters, as one bit per possible code: a record's country
/// and currency are checked in constant time, which the 10-million-record report feels (a
/// bisection of the tables per record was 12% of its time; docs/benchmarks.md).
#[derive(Debug)]
pub(crate) struct CodeSet(Vec<u64>);

impl CodeSet {
    fn new<'a, const N: usize>(codes: impl Iterator<Item = &'a [u8; N]>) -> CodeSet {
        let mut bits = vec![0u64; 26usize.pow(N as u32).div_ceil(64)];
        for code in codes {
            let index = CodeSet::index(code).expect("table codes are upper-case letters");
            bits[index / 64] |= 1 << (index % 64);
        }
        CodeSet(bits)
    }

    fn index(code: &[u8]) -> Option<usize> {
        code.iter().try_fold(0usize, |index, &byte| {
            byte.is_ascii_uppercase().then(|| index * 26 + usize::from(byte - b'A'))
        })
    }

    pub(crate) fn contains(&self, code: &[u8]) -> bool {
        CodeSet::index(code)
            .and_then(|index| self.0.get(index / 64).map(|word| word >> (index % 64) & 1 == 1))
            .unwrap_or(false)
    }
}

#[derive(Debug)]
pub(crate) struct Country {
    #[cfg(feature = "country-names")]
    pub name: &'static str,
    #[cfg(feature = "country-names")]
    pub name_fr: &'static str,
    pub currency: Option<[u8; 3]>,
}

#[derive(Debug)]
pub(crate) struct Tables {
    pub countries: Keyed<[u8; 2], Country>,
    /// The ISO 4217 codes, ascending (their names are in `data/currencies.csv`; nothing in the
    /// library reads them, so they are not compiled in).
    #[cfg(test)]
    pub currencies: Vec<[u8; 3]>,
    /// Per currency, units per US dollar by month index (`year * 12 + month - 1`), ascending.
    /// Annual figures stand for every month of their year that has no monthly figure.
    pub usd_rates: Keyed<[u8; 3], Vec<(i64, Decimal)>>,
    /// The country codes, the currency codes, and the currencies with a rate, as sets.
    pub country_codes: CodeSet,
    pub currency_codes: CodeSet,
    pub rated_currencies: CodeSet,
}

/// The parsed tables. A malformed shipped table is a build defect, caught by this module's tests,
/// so parsing panics with the offending line rather than returning an error to every caller.
pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let (countries, currencies, usd_rates) = (parse_countries(), parse_currencies(), parse_usd_rates());
        Tables {
            country_codes: CodeSet::new(countries.0.iter().map(|(code, _)| code)),
            currency_codes: CodeSet::new(currencies.iter()),
            rated_currencies: CodeSet::new(usd_rates.0.iter().map(|(code, _)| code)),
            countries,
            #[cfg(test)]
            currencies,
            usd_rates,
        }
    })
}

#[cfg(test)]
fn rows(table: &'static str, name: &str) -> impl Iterator<Item = csv::StringRecord> {
    let name = name.to_owned();
    csv::Reader::from_reader(table.as_bytes())
        .into_records()
        .enumerate()
        .map(move |(index, row)| row.unwrap_or_else(|error| panic!("{name} line {}: {error}", index + 2)))
}

#[cfg(test)]
fn code<const N: usize>(text: &str, table: &str) -> [u8; N] {
    let bytes = text.as_bytes();
    assert!(
        bytes.len() == N && bytes.iter().all(u8::is_ascii_uppercase),
        "{table}: '{text}' is not a {N}-letter upper-case code"
    );
    bytes.try_into().expect("length checked above")
}

#[cfg(test)]
fn decimal(text: &str, table: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap_or_else(|error| panic!("{table}: '{text}': {error}"))
}

/// The next `count` bytes of an encoded table. `build.rs` wrote the table, so a short one is a
/// build defect.
pub(crate) fn take<'a>(bytes: &mut &'a [u8], count: usize) -> &'a [u8] {
    assert!(bytes.len() >= count, "an embedded reference table is truncated");
    let (head, tail) = bytes.split_at(count);
    *bytes = tail;
    head
}

pub(crate) fn take_code<const N: usize>(bytes: &mut &[u8]) -> [u8; N] {
    cannot_fail(take(bytes, N).try_into(), "N bytes taken")
}

/// `Result::expect` for a result that cannot be an error, without the error's `Debug` form:
/// `expect` keeps it in the extension's wasm module, with `Debug` formatting of structs and
/// strings behind it (docs/benchmarks.md, the module's size).
pub(crate) fn cannot_fail<T, E>(result: Result<T, E>, why: &'static str) -> T {
    match result {
        Ok(value) => value,
        Err(_) => panic!("{why}"),
    }
}

/// A string with a one-byte length, as `build.rs` writes them (checked UTF-8 from a CSV file).
#[cfg(feature = "country-names")]
fn take_text<'a>(bytes: &mut &'a [u8]) -> &'a str {
    let length = take(bytes, 1)[0];
    cannot_fail(std::str::from_utf8(take(bytes, usize::from(length))), "build.rs wrote UTF-8")
}

fn parse_countries() -> Keyed<[u8; 2], Country> {
    let mut bytes = COUNTRIES;
    let mut countries = Keyed::new();
    while !bytes.is_empty() {
        let alpha2 = take_code::<2>(&mut bytes);
        let currency = Some(take_code::<3>(&mut bytes)).filter(|code| *code != [0; 3]);
        countries.push(
            alpha2,
            Country {
                #[cfg(feature = "country-names")]
                name: take_text(&mut bytes),
                #[cfg(feature = "country-names")]
                name_fr: take_text(&mut bytes),
                currency,
            },
        );
    }
    countries
}

fn parse_currencies() -> Vec<[u8; 3]> {
    CURRENCIES.chunks_exact(3).map(|code| cannot_fail(code.try_into(), "three bytes")).collect()
}

fn parse_usd_rates() -> Keyed<[u8; 3], Vec<(i64, Decimal)>> {
    let rows = rate_rows(large_tables().usd_rates);
    // The table comes in one run of rows per currency, in the order of their codes.
    let mut rates = Keyed::new();
    let mut start = 0;
    while start < rows.len() {
        let currency = rows[start].0;
        let end = start + rows[start..].iter().take_while(|row| row.0 == currency).count();
        rates.push(currency, usd_rate_series(|| rows[start..end].iter()));
        start = end;
    }
    rates
}

/// One currency's rates by month index, ascending, from its rows (year, month or 0, rate): a
/// monthly figure wins over its year's annual one; of two figures for one month, the last
/// monthly one or the first annual one counts. This fills slots for the months the rows span
/// rather than sorting, which keeps a sort routine out of the browser extension's module.
fn usd_rate_series<'a, I: Iterator<Item = &'a ([u8; 3], i64, i64, Decimal)>>(
    rows: impl Fn() -> I,
) -> Vec<(i64, Decimal)> {
    let span = |&(_, year, month, _): &([u8; 3], i64, i64, Decimal)| match month {
        0 => (year * 12, year * 12 + 11),
        month => (year * 12 + month - 1, year * 12 + month - 1),
    };
    let first = rows().map(|row| span(row).0).min().unwrap_or(0);
    let last = rows().map(|row| span(row).1).max().unwrap_or(-1);
    let mut slots: Vec<Option<Decimal>> = vec![None; usize::try_from(last - first + 1).unwrap_or(0)];
    for row in rows() {
        assert!(row.3 > Decimal::ZERO, "usd_exchange_rates.csv: non-positive rate {}", row.3);
    }
    for row in rows().filter(|row| row.2 != 0) {
        slots[(span(row).0 - first) as usize] = Some(row.3);
    }
    for row in rows().filter(|row| row.2 == 0) {
        let (from, to) = span(row);
        for slot in &mut slots[(from - first) as usize..=(to - first) as usize] {
            slot.get_or_insert(row.3);
        }
    }
    (first..).zip(slots).filter_map(|(month_index, rate)| Some((month_index, rate?))).collect()
}

/// The rows of the encoded rate table: (currency, year, month or 0 for an annual figure, rate).
fn rate_rows(mut bytes: &[u8]) -> Vec<([u8; 3], i64, i64, Decimal)> {
    fn leb128(bytes: &mut &[u8]) -> u64 {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = take(bytes, 1)[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
        }
        value
    }
    let mut rows = Vec::new();
    while !bytes.is_empty() {
        let currency = take_code::<3>(&mut bytes);
        // The previous row of each kind (annual, monthly): (period, decimal places, digits).
        let mut previous = [(0i64, 0u32, 0i64); 2];
        for _ in 0..leb128(&mut bytes) {
            let head = leb128(&mut bytes);
            let (tag, fresh, payload) = (head & 3, head >> 2 & 1 == 1, head >> 3);
            let kind = (tag & 1) as usize;
            let last = previous[kind];
            let period = if tag < 2 { last.0 + 1 } else { leb128(&mut bytes) as i64 };
            let (scale, digits) = if fresh {
                (u32::from(take(&mut bytes, 1)[0]), payload as i64)
            } else {
                // Zigzag: the low bit is the sign.
                (last.1, last.2 + ((payload >> 1) as i64 ^ -((payload & 1) as i64)))
            };
            previous[kind] = (period, scale, digits);
            let rate = Decimal::from_i128_with_scale(i128::from(digits), scale);
            let (year, month) =
                if kind == 1 { (period.div_euclid(12), period.rem_euclid(12) + 1) } else { (period, 0) };
            rows.push((currency, year, month, rate));
        }
    }
    rows
}

/// Units of `currency` per US dollar in the given month. Months after the last published figure
/// use the last one (rates are carried forward); months before the first use the first.
pub(crate) fn units_per_usd(currency: [u8; 3], year: i64, month: i64) -> Option<Decimal> {
    let series = tables().usd_rates.get(&currency)?;
    let month_index = year * 12 + month - 1;
    let position = series.partition_point(|&(index, _)| index <= month_index);
    let (_, rate) = series[position.saturating_sub(1)];
    Some(rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::ToPrimitive;

    fn rate(currency: &str, year: i64, month: i64) -> f64 {
        let currency = currency.as_bytes().try_into().unwrap();
        units_per_usd(currency, year, month).unwrap().to_f64().unwrap()
    }

    #[test]
    fn shipped_tables_parse_and_cover_the_main_currencies() {
        let tables = tables();
        assert!(tables.countries.len() >= 240);
        assert!(tables.currencies.len() >= 150);
        for currency in ["USD", "EUR", "GBP", "INR", "CAD", "PHP", "KES", "NGN", "BRL", "VND"] {
            assert!(tables.usd_rates.contains_key(currency.as_bytes().try_into().unwrap()), "{currency}");
        }
        assert_eq!(rate("USD", 2020, 1), 1.0);
    }

    #[test]
    fn rates_match_published_figures() {
        // FRED monthly, pound sterling per dollar, January 2020.
        assert!((rate("GBP", 2020, 1) - 0.7648).abs() < 1e-9);
        // Carried forward past the end of the table, and taken from the start before it.
        assert_eq!(rate("GBP", 2090, 1), rate("GBP", 2089, 12));
        assert!(rate("INR", 2020, 6) > 70.0 && rate("INR", 2020, 6) < 80.0);
    }

    #[test]
    fn only_this_builds_tables_file_is_taken() {
        assert_eq!(provide_tables(LARGE_TABLES_FILE.to_vec()), Ok(()));
        let mut edited = LARGE_TABLES_FILE.to_vec();
        edited[LARGE_TABLES_FILE.len() / 2] ^= 1;
        for refused in [edited, Vec::new(), vec![0; 10 << 20]] {
            let error = provide_tables(refused).unwrap_err().to_string();
            assert!(
                error.starts_with(
                    "the reference tables file is not the one this build was made with (SHA-256 "
                )
            );
            assert!(
                error.contains(&format!("expected {}", crate::evidence::Hash(LARGE_TABLES_SHA256).hex()))
            );
        }
        // Nothing refused replaced the tables.
        assert!((rate("GBP", 2020, 1) - 0.7648).abs() < 1e-9);
    }

    #[test]
    fn the_encoded_rate_table_holds_exactly_the_csv() {
        let csv = include_str!("../data/usd_exchange_rates.csv");
        let expected: Vec<([u8; 3], i64, i64, Decimal)> = rows(csv, "usd_exchange_rates.csv")
            .map(|row| {
                let (year, month) = row[1].split_once('-').unwrap_or((&row[1], "0"));
                (
                    code::<3>(&row[0], "csv"),
                    year.parse().unwrap(),
                    month.parse().unwrap(),
                    decimal(&row[2], "csv"),
                )
            })
            .collect();
        let decoded = rate_rows(large_tables().usd_rates);
        assert_eq!(decoded.len(), expected.len());
        for (got, want) in decoded.iter().zip(&expected) {
            assert_eq!((got.0, got.1, got.2), (want.0, want.1, want.2));
            assert_eq!(got.3.to_string(), want.3.to_string(), "{:?}", want);
        }
        assert!(large_tables().usd_rates.len() * 8 < csv.len());
    }

    /// The rate series built the plain way (maps, then a sort), to check the slot filling.
    fn usd_rates_by_sorting() -> std::collections::HashMap<[u8; 3], Vec<(i64, Decimal)>> {
        let mut monthly: std::collections::HashMap<[u8; 3], std::collections::HashMap<i64, Decimal>> =
            std::collections::HashMap::new();
        let mut annual: std::collections::HashMap<[u8; 3], Vec<(i64, Decimal)>> =
            std::collections::HashMap::new();
        for (currency, year, month, rate) in rate_rows(large_tables().usd_rates) {
            assert!(rate > Decimal::ZERO, "usd_exchange_rates.csv: non-positive rate {rate}");
            match month {
                0 => annual.entry(currency).or_default().push((year, rate)),
                month => {
                    monthly.entry(currency).or_default().insert(year * 12 + month - 1, rate);
                }
            }
        }
        let currencies: Vec<[u8; 3]> = monthly.keys().chain(annual.keys()).copied().collect();
        currencies
            .into_iter()
            .map(|currency| {
                let mut by_month = monthly.get(&currency).cloned().unwrap_or_default();
                for &(year, rate) in annual.get(&currency).into_iter().flatten() {
                    for month_index in year * 12..year * 12 + 12 {
                        by_month.entry(month_index).or_insert(rate);
                    }
                }
                let mut series: Vec<(i64, Decimal)> = by_month.into_iter().collect();
                series.sort_unstable_by_key(|&(month_index, _)| month_index);
                (currency, series)
            })
            .collect()
    }

    #[test]
    fn rate_series_are_those_of_maps_and_sorting() {
        let expected = usd_rates_by_sorting();
        assert_eq!(tables().usd_rates.len(), expected.len());
        for (currency, series) in &expected {
            assert_eq!(&tables().usd_rates[currency], series, "{currency:?}");
        }
        // Monthly figures win over their year's annual one; the first annual figure counts.
        let rows = [
            (*b"XTS", 2020, 0, Decimal::new(2, 0)),
            (*b"XTS", 2020, 3, Decimal::new(5, 0)),
            (*b"XTS", 2020, 0, Decimal::new(9, 0)),
            (*b"XTS", 2022, 12, Decimal::new(7, 0)),
        ];
        let series = usd_rate_series(|| rows.iter());
        assert_eq!(series.len(), 13);
        assert_eq!(series[0], (2020 * 12, Decimal::new(2, 0)));
        assert_eq!(series[2], (2020 * 12 + 2, Decimal::new(5, 0)));
        assert_eq!(series[11], (2020 * 12 + 11, Decimal::new(2, 0)));
        assert_eq!(series[12], (2022 * 12 + 11, Decimal::new(7, 0)));
    }

    #[test]
    fn the_encoded_small_tables_hold_exactly_the_csv() {
        let tables = tables();
        let countries = include_str!("../data/countries.csv");
        assert_eq!(rows(countries, "countries.csv").count(), tables.countries.len());
        for row in rows(countries, "countries.csv") {
            let country = &tables.countries[&code::<2>(&row[0], "csv")];
            #[cfg(feature = "country-names")]
            assert_eq!((country.name, country.name_fr), (&row[1], &row[3]));
            let currency = (!row[2].is_empty()).then(|| code::<3>(&row[2], "csv"));
            assert_eq!(country.currency, currency, "{}", &row[0]);
        }
        let currencies = include_str!("../data/currencies.csv");
        let codes: Vec<[u8; 3]> =
            rows(currencies, "currencies.csv").map(|row| code::<3>(&row[0], "csv")).collect();
        assert_eq!(tables.currencies, codes);
        assert!(CURRENCIES.len() == 3 * codes.len());
        assert!(
            tables.currencies.binary_search(b"EUR").is_ok()
                && tables.currencies.binary_search(b"XXY").is_err()
                && tables.currency_codes.contains(b"EUR")
                && !tables.currency_codes.contains(b"XXY")
                && !tables.currency_codes.contains(b"eur")
        );
        // The quoted names keep their commas.
        #[cfg(feature = "country-names")]
        assert_eq!(tables.countries[b"BQ"].name, "Bonaire, Sint Eustatius and Saba");
    }
}
