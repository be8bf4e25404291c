//! `piecerate report` on known inputs: a hand-computed fixture, a golden simulated report,
//! and the human renderings.

use serde_json::Value;

use crate::common::{fixture, path_str, piecerate};

fn report_json(args: &[&str]) -> Value {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    crate::common::figures(&piecerate(&all).ok())
}

fn close(actual: &Value, expected: f64) {
    let actual = actual.as_f64().unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!((actual - expected).abs() < 1e-4, "{actual} != {expected}");
}

/// tests/fixtures/records/hand-computed.csv, worked out by hand:
///
/// | worker | earnings (USD)                      | paid s | unpaid task s | unpaid records s |
/// |--------|-------------------------------------|--------|---------------|------------------|
/// | hand-a | 3.00 (the 1.00 task was rejected)   | 1800   | 600           | 600 (search)     |
/// | hand-b | 4.00 + 1.00 bonus (2.00 returned)   | 3600   | 1200          | 1200             |
/// | hand-c | 7.648 GBP at 0.7648 GBP/USD (Jan 2020) = 10.00; the screen-out paid nothing | 3600 | 900 | 1800 |
///
/// method all:  a 3.00 / (3000 s = 0.8333 h) = 3.60;  b 5.00 / 1.6667 h = 3.00;  c 10 / 1.75 h = 5.7143
/// method paid: a 3.00 / 0.5 h = 6.00;  b 5.00 / 1 h = 5.00;  c 10 / 1 h = 10.00
/// method task: a 3.00 / 0.6667 h = 4.50;  b 5.00 / 1.3333 h = 3.75;  c 10 / 1.25 h = 8.00
/// all, sorted 3.00, 3.60, 5.7143: median 3.60; mean 4.1048; p10 = 3.00 + 0.2 × 0.60 = 3.12;
/// p90 = 3.60 + 0.8 × 2.1143 = 5.2914. Paid hours 2.5; unpaid hours (all) 1.75; 6 tasks.
#[test]
fn hand_computed_wages() {
    let input = fixture("records/hand-computed.csv");
    let input = path_str(&input);
    let base = ["--input", input, "--min-workers", "1", "--min-hours", "0"];
    let all = report_json(&base);
    let cell = &all["cells"][0];
    assert_eq!(all["schema"], "piecerate.report/1");
    assert_eq!(cell["n_workers"], 3);
    assert_eq!(cell["n_tasks"], 6);
    close(&cell["hours_paid"], 2.5);
    close(&cell["hours_unpaid"], 1.75);
    close(&cell["median_hourly_usd"], 3.6);
    close(&cell["mean_hourly_usd"], (3.6 + 3.0 + 10.0 / 1.75) / 3.0);
    close(&cell["p10_hourly_usd"], 3.12);
    close(&cell["p90_hourly_usd"], 3.6 + 0.8 * (10.0 / 1.75 - 3.6));
    close(&cell["share_below_usd_7_25"], 1.0);

    let paid = report_json(&[&base[..], &["--method", "paid"]].concat());
    close(&paid["cells"][0]["median_hourly_usd"], 6.0);
    close(&paid["cells"][0]["mean_hourly_usd"], 7.0);
    close(&paid["cells"][0]["hours_unpaid"], 0.0);
    let task = report_json(&[&base[..], &["--method", "task"]].concat());
    close(&task["cells"][0]["median_hourly_usd"], 4.5);
    close(&task["cells"][0]["mean_hourly_usd"], (4.5 + 3.75 + 8.0) / 3.0);

    let by_platform = report_json(&[&base[..], &["--by", "platform"]].concat());
    let cells = by_platform["cells"].as_array().unwrap();
    assert_eq!(cells[0]["platform"], "mturk");
    close(&cells[0]["median_hourly_usd"], 3.3);
    assert_eq!(cells[1]["platform"], "prolific");
    close(&cells[1]["median_hourly_usd"], 10.0 / 1.75);

    // With the default k = 10, the three workers are suppressed, and say so.
    let suppressed = report_json(&["--input", input]);
    assert_eq!(suppressed["cells"][0]["suppressed"], true);
    assert_eq!(suppressed["cells"][0]["n_workers_fewer_than"], 10);
    assert!(suppressed["cells"][0].get("median_hourly_usd").is_none());
}

/// A fixed-seed simulation and its report, compared with the committed golden file. Run with
/// PIECERATE_UPDATE_GOLDEN=1 to rewrite the golden file after a deliberate change, and review
/// the difference.
#[test]
fn golden_simulated_report() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.csv");
    piecerate(&["simulate", "--workers", "200", "--seed", "7", "--out", path_str(&records)]).ok();
    let report = piecerate(&[
        "report",
        "--input",
        path_str(&records),
        "--by",
        "platform,country",
        "--min-workers",
        "5",
        "--format",
        "json",
    ])
    .ok();
    // The provenance (version, commit, time, the temporary file's name) changes from run to
    // run; its own tests are in `provenance.rs`. The figures before it are the golden part.
    let at = report.find(",\n  \"provenance\": {").expect("the report has its provenance last");
    let report = format!("{}\n}}\n", &report[..at]);
    let golden = fixture("records/simulated-200-workers-seed-7.report.json");
    if std::env::var_os("PIECERATE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &report).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).expect("the golden file exists");
    assert_eq!(report, expected, "the report differs from {}", golden.display());
    let parsed: Value = serde_json::from_str(&report).unwrap();
    assert!(parsed["notes"][0].as_str().unwrap().contains("synthetic"));
}

#[test]
fn human_renderings_carry_the_notes() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.csv");
    piecerate(&["simulate", "--workers", "60", "--seed", "3", "--out", path_str(&records)]).ok();
    let input = path_str(&records);
    let table = piecerate(&["report", "--input", input, "--by", "platform"]).ok();
    assert!(table.contains("median $/h"), "{table}");
    assert!(table.contains("suppressed: fewer than 10 workers"), "{table}");
    assert!(table.contains("synthetic workers"), "{table}");
    assert!(table.contains("counted hours (or none under method all) were left out"), "{table}");
    let markdown = piecerate(&["report", "--input", input, "--by", "platform", "--format", "markdown"]).ok();
    assert!(markdown.contains("| platform | workers |"), "{markdown}");
    assert!(markdown.contains("| --- | ---: |"), "{markdown}");
    assert!(markdown.contains("- Some cells contain synthetic workers"), "{markdown}");
    let csv = piecerate(&["report", "--input", input, "--by", "platform", "--format", "csv"]).ok();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("platform,suppressed,n_workers"), "{header}");
    assert!(header.contains("median_ci95_low_usd,median_ci95_high_usd"), "{header}");
    // One row per cell: the JSON report of the same input has as many cells.
    let json: Value = serde_json::from_str(
        &piecerate(&["report", "--input", input, "--by", "platform", "--format", "json"]).ok(),
    )
    .unwrap();
    let rows = csv.lines().filter(|line| !line.starts_with('#')).count();
    assert_eq!(rows - 1, json["cells"].as_array().unwrap().len());
    assert!(csv.lines().last().unwrap().starts_with("# Reference tables: "), "provenance ends it");

    let out = dir.path().join("report.md");
    let run = piecerate(&["report", "--input", input, "--format", "markdown", "--out", path_str(&out)]);
    assert_eq!(run.ok(), "");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("**Effective hourly wages"));
}

#[test]
fn json_lines_and_session_method() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("records.csv");
    let jsonl = dir.path().join("records.jsonl");
    piecerate(&["simulate", "--workers", "40", "--seed", "9", "--out", path_str(&csv)]).ok();
    piecerate(&[
        "simulate",
        "--workers",
        "40",
        "--seed",
        "9",
        "--out",
        path_str(&jsonl),
        "--format",
        "jsonl",
    ])
    .ok();
    for method in ["all", "session:15"] {
        let args = |path| ["--input", path, "--method", method, "--by", "platform", "--min-workers", "1"];
        assert_eq!(report_json(&args(path_str(&csv))), report_json(&args(path_str(&jsonl))), "{method}");
    }
    // Session gaps only add time: wages under session:15 are at most those under all.
    let all = report_json(&["--input", path_str(&csv), "--min-workers", "1"]);
    let session = report_json(&["--input", path_str(&csv), "--min-workers", "1", "--method", "session:15"]);
    assert!(
        session["cells"][0]["median_hourly_usd"].as_f64().unwrap()
            <= all["cells"][0]["median_hourly_usd"].as_f64().unwrap()
    );
}

/// `--disclosure-control` rounds as the collector does: no cell of fewer than 20 workers gives
/// an exact order statistic (a cell of ten would give its lowest and highest wage through p10,
/// p90 and the interval's ends), task counts go to tens and hours to whole hours. Without the
/// flag the report is the golden one above, byte for byte.
#[test]
fn disclosure_control_rounds_small_cells_for_publication() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.csv");
    piecerate(&["simulate", "--workers", "200", "--seed", "7", "--out", path_str(&records)]).ok();
    let args = ["--input", path_str(&records), "--by", "platform,country", "--min-workers", "5"];
    let plain = report_json(&args);
    assert!(plain.get("disclosure_control").is_none());
    let controlled = report_json(&[&args[..], &["--disclosure-control"]].concat());
    assert_eq!(controlled["disclosure_control"]["exact_quantiles_min_workers"], 20);
    let cells = controlled["cells"].as_array().unwrap();
    assert_eq!(cells.len(), plain["cells"].as_array().unwrap().len());
    let (mut small, mut large) = (0, 0);
    for (cell, before) in cells.iter().zip(plain["cells"].as_array().unwrap()) {
        if cell["suppressed"] == true {
            assert_eq!(cell["n_workers_fewer_than"], 5, "{cell}");
            continue;
        }
        assert_eq!(cell["n_workers"], before["n_workers"]);
        assert_eq!(cell["n_tasks"].as_u64().unwrap() % 10, 0, "{cell}");
        assert_eq!(cell["hours_paid"].as_f64().unwrap().fract(), 0.0, "{cell}");
        if cell["n_workers"].as_u64().unwrap() < 20 {
            small += 1;
            assert_eq!(cell["wages_rounded_to_usd"], 0.25, "{cell}");
            for field in ["mean_hourly_usd", "median_hourly_usd", "p10_hourly_usd", "p90_hourly_usd"] {
                let value = cell[field].as_f64().unwrap();
                assert_eq!((value * 4.0).fract(), 0.0, "{field} of {cell}");
            }
        } else {
            large += 1;
            assert!(cell.get("wages_rounded_to_usd").is_none(), "{cell}");
            assert_eq!(cell["median_hourly_usd"], before["median_hourly_usd"]);
        }
    }
    assert!(small > 0 && large > 0, "the simulated data has cells of both sizes ({small}, {large})");
}
