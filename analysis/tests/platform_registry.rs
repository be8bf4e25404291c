//! The platforms added to the registry of record format v1 (issue 14): a record of each reads
//! from CSV, writes back to the same CSV and round-trips through JSON Lines; a code outside the
//! registry is refused naming the field and listing the codes.

use analysis::format::{record_from_json, record_to_json, records_to_csv};
use analysis::json;
use analysis::read_records;
use analysis::record::Platform;

const FIXTURE: &str = include_str!("../../tests/fixtures/records/platform-registry.csv");

const ADDED: [(&str, Platform); 9] = [
    ("toloka", Platform::Toloka),
    ("microworkers", Platform::Microworkers),
    ("uhrs", Platform::Uhrs),
    ("clickworker", Platform::Clickworker),
    ("appen", Platform::Appen),
    ("sproutgigs", Platform::Sproutgigs),
    ("remotasks", Platform::Remotasks),
    ("outlier", Platform::Outlier),
    ("hive", Platform::Hive),
];

#[test]
fn a_record_of_each_added_platform_round_trips() {
    let records: Vec<_> = read_records(std::io::Cursor::new(FIXTURE.as_bytes().to_vec()))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let platforms: Vec<Platform> = records.iter().map(|record| record.platform()).collect();
    assert_eq!(platforms, ADDED.map(|(_, platform)| platform));
    for (code, platform) in ADDED {
        assert_eq!(Platform::parse(code), Ok(platform));
        assert_eq!(platform.as_str(), code);
    }
    assert_eq!(records_to_csv(&records), FIXTURE);
    for record in &records {
        let line = record_to_json(record).to_string();
        assert!(line.contains(&format!("\"platform\":\"{}\"", record.platform())), "{line}");
        let back = record_from_json(&json::parse(&line).unwrap()).unwrap();
        assert_eq!(&back, record);
    }
}

#[test]
fn an_unknown_platform_is_refused_naming_the_field() {
    for unknown in ["fiverr", "Toloka", "remotasks/outlier", "hivemicro", ""] {
        let line = FIXTURE.lines().nth(1).unwrap().replacen(",toloka,", &format!(",{unknown},"), 1);
        let input = format!("{}\n{line}\n", FIXTURE.lines().next().unwrap());
        let error =
            read_records(std::io::Cursor::new(input.into_bytes())).unwrap().next().unwrap().unwrap_err();
        let error = error.to_string();
        assert!(
            error.starts_with(&format!("line 2: platform: '{unknown}' is not a known platform")),
            "{error}"
        );
        assert!(error.contains("uhrs, sproutgigs, outlier, hive, other"), "{error}");
    }
}
