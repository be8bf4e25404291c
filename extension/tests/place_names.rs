//! The names the settings offer beside codes (`extension/names/`, put into the messages by
//! `extension/locale_names.py` at build time): every region the minimum-wage table lets a worker
//! pick and every currency the library converts has a name in English and in French.

use std::collections::BTreeMap;

use analysis::minimum_wage;
use analysis::{CountryCode, Currency};

fn names(file: &str) -> BTreeMap<String, (String, String)> {
    let path = format!("{}/names/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("code,en,fr"), "{path}");
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 3, "{path}: {line}");
            for name in &fields[1..] {
                assert!(!name.trim().is_empty() && !name.contains(['\t', '$', '"']), "{path}: {line}");
            }
            (fields[0].to_owned(), (fields[1].to_owned(), fields[2].to_owned()))
        })
        .collect()
}

#[test]
fn every_region_a_worker_can_pick_is_named() {
    let regions = names("regions.csv");
    let mut offered = 0;
    for country in CountryCode::all() {
        for region in minimum_wage::regions(country) {
            assert!(regions.contains_key(region), "{region} has no name");
            offered += 1;
        }
    }
    assert_eq!(offered, regions.len(), "no name of a region the settings never offer");
    assert_eq!(regions["US-CA"], ("California".to_owned(), "Californie".to_owned()));
    assert_eq!(regions["CA-QC"], ("Quebec".to_owned(), "Québec".to_owned()));
}

#[test]
fn every_currency_the_library_converts_is_named() {
    let currencies = names("currencies.csv");
    for code in currencies.keys() {
        assert!(Currency::parse(code).is_ok(), "{code} is listed but cannot be chosen");
    }
    for country in CountryCode::all() {
        if let Some(currency) = country.currency() {
            assert!(currencies.contains_key(currency.as_str()), "{country}'s {currency} has no name");
        }
    }
    assert_eq!(currencies["EUR"].1, "Euro");
}
