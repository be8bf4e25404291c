//! `--from`, `--to`, `--platform`, `--country` (issue 11, point 4) against the hand-computed
//! wages of `tests/fixtures/records/hand-computed.csv` (see `report.rs`): method all gives
//! hand-a (mturk, US, 2024-05-01) 3.60, hand-b (mturk, IN, 2024-06-03) 3.00 and hand-c
//! (prolific, GB, 2020-01-15) 5.7143 an hour.

use serde_json::Value;

use crate::common::{fixture, path_str, piecerate};

fn hand() -> String {
    path_str(&fixture("records/hand-computed.csv")).to_owned()
}

fn report(extra: &[&str]) -> Value {
    let input = hand();
    let mut args =
        vec!["report", "--format", "json", "--input", &input, "--min-workers", "1", "--min-hours", "0"];
    args.extend_from_slice(extra);
    serde_json::from_str(&piecerate(&args).ok()).unwrap()
}

fn close(actual: &Value, expected: f64) {
    let actual = actual.as_f64().unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!((actual - expected).abs() < 1e-4, "{actual} != {expected}");
}

#[test]
fn filters_keep_the_hand_computed_workers_they_name() {
    // May 2024: hand-a alone (two tasks, one search).
    let may = report(&["--from", "2024-05-01", "--to", "2024-05-31"]);
    let cell = &may["cells"][0];
    assert_eq!((cell["n_workers"].as_u64(), cell["n_tasks"].as_u64()), (Some(1), Some(2)));
    close(&cell["median_hourly_usd"], 3.6);
    let parameters = &may["provenance"]["parameters"];
    assert_eq!(
        (parameters["from"].as_str(), parameters["to"].as_str()),
        (Some("2024-05-01"), Some("2024-05-31"))
    );
    assert_eq!(may["provenance"]["inputs"][0]["records"], 3);
    assert_eq!(may["provenance"]["inputs"][0]["filtered_out_records"], 6);
    assert_eq!(may["provenance"]["inputs"][0]["first_started_at"], "2024-05-01T10:00:00Z");
    assert!(
        may["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|note| note.as_str().unwrap().contains("6 other records were left out"))
    );

    // Both ends of the period are included: the single day of hand-b.
    let june_third = report(&["--from", "2024-06-03", "--to", "2024-06-03"]);
    close(&june_third["cells"][0]["median_hourly_usd"], 3.0);

    let prolific = report(&["--platform", "prolific"]);
    close(&prolific["cells"][0]["median_hourly_usd"], 10.0 / 1.75);
    assert_eq!(prolific["provenance"]["parameters"]["platform"], "prolific");

    // Two countries, in any case and order: hand-b and hand-c, median (3.00 + 5.7143) / 2.
    let two = report(&["--country", "gb,IN", "--by", "country"]);
    let cells = two["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    assert_eq!((cells[0]["country"].as_str(), cells[1]["country"].as_str()), (Some("GB"), Some("IN")));
    let together = report(&["--country", "IN,GB"]);
    close(&together["cells"][0]["median_hourly_usd"], (3.0 + 10.0 / 1.75) / 2.0);
    assert_eq!(together["provenance"]["parameters"]["country"], "GB,IN");

    // All of them together: mturk in the US or India from June 2024 is hand-b.
    let all = report(&["--platform", "mturk", "--country", "US,IN", "--from", "2024-06-01"]);
    assert_eq!(all["cells"][0]["n_workers"], 1);
    close(&all["cells"][0]["median_hourly_usd"], 3.0);

    // Without filters the provenance carries none of their keys.
    let plain = report(&[]);
    let parameters = plain["provenance"]["parameters"].as_object().unwrap();
    assert!(["from", "to", "platform", "country"].iter().all(|key| !parameters.contains_key(*key)));
    assert!(plain["provenance"]["inputs"][0].get("filtered_out_records").is_none());
}

#[test]
fn a_task_that_spans_midnight_counts_on_the_day_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("midnight.csv");
    std::fs::write(
        &path,
        "record_id,install_id,platform,country,kind,category,outcome,started_at,ended_at,active_seconds,reward,bonus,currency\n\
         00000000-0000-4000-8000-0000000000a1,night,mturk,,task,,approved,2024-05-01T23:30:00Z,2024-05-02T00:30:00Z,3600,6.00,,USD\n\
         00000000-0000-4000-8000-0000000000a2,night,mturk,,task,,approved,2024-05-02T10:00:00Z,2024-05-02T11:00:00Z,3600,2.00,,USD\n",
    )
    .unwrap();
    let wage = |extra: &[&str]| {
        let mut args = vec!["report", "--format", "json", "--input", path_str(&path), "--min-workers", "1"];
        args.extend_from_slice(extra);
        let json: Value = serde_json::from_str(&piecerate(&args).ok()).unwrap();
        json["cells"][0]["median_hourly_usd"].as_f64().unwrap()
    };
    assert_eq!(wage(&["--to", "2024-05-01"]), 6.0);
    assert_eq!(wage(&["--from", "2024-05-02"]), 2.0);
    // Records without a country are chosen with `unknown`.
    assert_eq!(wage(&["--country", "unknown", "--from", "2024-05-02"]), 2.0);
}

#[test]
fn bad_filters_are_refused_naming_the_flag() {
    let input = hand();
    let refused = |extra: &[&str], expected: &[&str]| {
        let mut args = vec!["report", "--input", &input];
        args.extend_from_slice(extra);
        let run = piecerate(&args);
        assert_eq!(run.status, 2, "{extra:?}: {}", run.stderr);
        for part in expected {
            assert!(run.stderr.contains(part), "{extra:?}: {part:?} not in {}", run.stderr);
        }
        assert!(run.stdout.is_empty());
    };
    refused(&["--from", "2025-13-01"], &["--from", "'2025-13-01' is not a date like 2024-07-15"]);
    refused(&["--to", "2025-02-30"], &["--to", "2025-02-30"]);
    refused(&["--from", "yesterday"], &["--from", "YYYY-MM-DD"]);
    refused(&["--from", "2025-03-01", "--to", "2025-02-01"], &["--from 2025-03-01 is after --to 2025-02-01"]);
    refused(&["--platform", "mturk,fiverr"], &["--platform", "'fiverr' is not a known platform", "prolific"]);
    refused(&["--platform", ""], &["--platform", "none empty"]);
    refused(&["--country", "uk"], &["--country", "did you mean GB?"]);
    refused(&["--country", "Germany"], &["--country", "did you mean DE?"]);
    refused(&["--country", "US,XX"], &["--country", "'XX' is not an assigned ISO 3166-1 country code"]);
    refused(&["--country", "US,,IN"], &["--country", "none empty"]);
    // --check takes the filters from the report it checks.
    refused(&["--check", "r.json", "--from", "2024-01-01"], &["--from"]);

    // A filter that keeps nothing is no report: status 1, saying why.
    let run = piecerate(&["report", "--input", &input, "--from", "2030-01-01"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("none of the 9 records read is kept by the filters (--from 2030-01-01)"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_makes_a_filtered_report_again_with_its_filters() {
    let dir = tempfile::tempdir().unwrap();
    let input = hand();
    let report = dir.path().join("filtered.json");
    piecerate(&[
        "report",
        "--input",
        &input,
        "--min-workers",
        "1",
        "--min-hours",
        "0",
        "--platform",
        "mturk",
        "--from",
        "2024-01-01",
        "--format",
        "json",
        "--out",
        path_str(&report),
    ])
    .ok();
    let checked = piecerate(&["report", "--check", path_str(&report)]).ok();
    assert!(checked.contains("identical"), "{checked}");
    // Without its filters, the report made again differs: the check applies them.
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    json["provenance"]["parameters"].as_object_mut().unwrap().remove("platform");
    json["provenance"]["parameters"].as_object_mut().unwrap().remove("from");
    let unfiltered = dir.path().join("unfiltered.json");
    std::fs::write(&unfiltered, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let run = piecerate(&["report", "--check", path_str(&unfiltered)]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(run.stdout.contains("n_workers: 2 in the report, 3 made again"), "{}", run.stdout);
    // A filter the provenance records badly is named.
    json["provenance"]["parameters"]["from"] = Value::from("2024-13-01");
    std::fs::write(&unfiltered, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let run = piecerate(&["report", "--check", path_str(&unfiltered)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("from: '2024-13-01' is not a date"), "{}", run.stderr);
}
