//! The platforms added to the registry (issue 14) in a report: grouped by platform, each of
//! `tests/fixtures/records/platform-registry.csv`'s one-task workers has a cell whose wage is six
//! times its reward; `--platform` chooses them by their codes.

use serde_json::Value;

use crate::common::{fixture, path_str, piecerate};

fn report(extra: &[&str]) -> Value {
    let input = fixture("records/platform-registry.csv");
    let mut args = vec![
        "report",
        "--format",
        "json",
        "--input",
        path_str(&input),
        "--by",
        "platform",
        "--min-workers",
        "1",
        "--min-hours",
        "0",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&piecerate(&args).ok()).unwrap()
}

fn wages(report: &Value) -> Vec<(String, f64)> {
    let cells = report["cells"].as_array().unwrap();
    cells
        .iter()
        .map(|cell| {
            (cell["platform"].as_str().unwrap().to_owned(), cell["median_hourly_usd"].as_f64().unwrap())
        })
        .collect()
}

#[test]
fn each_added_platform_has_its_cell() {
    let mut found = wages(&report(&[]));
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    let expected = [
        "toloka",
        "microworkers",
        "uhrs",
        "clickworker",
        "appen",
        "sproutgigs",
        "remotasks",
        "outlier",
        "hive",
    ];
    assert_eq!(found.len(), expected.len(), "{found:?}");
    for ((platform, wage), (code, tenths)) in found.iter().zip(expected.iter().zip(1..)) {
        assert_eq!(platform, code);
        assert!((wage - 0.6 * f64::from(tenths)).abs() < 1e-9, "{platform}: {wage}");
    }
}

#[test]
fn the_platform_filter_takes_the_added_codes() {
    let chosen = report(&["--platform", "uhrs,HIVE,outlier"]);
    let mut platforms: Vec<String> = wages(&chosen).into_iter().map(|(platform, _)| platform).collect();
    platforms.sort();
    assert_eq!(platforms, ["hive", "outlier", "uhrs"]);
    assert_eq!(chosen["provenance"]["parameters"]["platform"], "uhrs,outlier,hive");
}
