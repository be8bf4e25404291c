//! `piecerate workers` (per-worker rows as CSV and Parquet) and `piecerate report --format
//! parquet`: the rows are checked against the report made with the same flags, the Parquet files
//! are read back by the parquet crate and by an independent reader (DuckDB, in the venv of
//! `scripts/install-deps`), and bad command lines are refused clearly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value;

use crate::common::{fixture, path_str, piecerate};
use crate::python_tools::python_with;

/// Rows of a CSV written by piecerate (comment lines at the end left out), as maps of column to
/// field.
fn csv_rows(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let data: String =
        text.lines().filter(|line| !line.starts_with("# ")).map(|line| format!("{line}\n")).collect();
    let mut reader = csv::Reader::from_reader(data.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|row| header.iter().cloned().zip(row.unwrap().iter().map(str::to_owned)).collect())
        .collect();
    (header, rows)
}

fn number(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap_or_else(|_| panic!("{column}: '{}' is not a number", row[column]))
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

fn simulated(directory: &Path) -> PathBuf {
    let records = directory.join("records.csv");
    piecerate(&["simulate", "--workers", "300", "--seed", "11", "--out", path_str(&records)]).ok();
    records
}

/// The key of a row or a cell: its values of the grouping dimensions.
fn key_of(dimensions: &[&str], get: impl Fn(&str) -> String) -> Vec<String> {
    dimensions.iter().map(|dimension| get(dimension)).collect()
}

/// Every published cell of the report equals the statistics of its included rows.
fn check_against_report(report: &Value, rows: &[BTreeMap<String, String>], by: &str, context: &str) {
    let dimensions: Vec<&str> = by.split(',').filter(|d| !d.is_empty()).collect();
    let mut by_cell: BTreeMap<Vec<String>, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for row in rows {
        by_cell.entry(key_of(&dimensions, |d| row[d].clone())).or_default().push(row);
    }
    let cells = report["cells"].as_array().unwrap();
    assert_eq!(cells.len(), by_cell.len(), "{context}: one group of rows per cell");
    let excluded = |reasons: &[&str]| {
        rows.iter().filter(|row| reasons.contains(&row["excluded_because"].as_str())).count() as u64
    };
    assert_eq!(report["excluded_workers"], excluded(&["too_few_hours", "not_valued_at_ppp"]), "{context}");
    assert_eq!(report["excluded_implausible"], excluded(&["implausible_wage"]), "{context}");
    let mut published = 0;
    for cell in cells {
        let key = key_of(&dimensions, |d| cell[d].as_str().unwrap_or("").to_owned());
        let members = &by_cell[&key];
        let suppressed = cell["suppressed"].as_bool().unwrap();
        assert!(members.iter().all(|row| row["cell_suppressed"] == suppressed.to_string()), "{context}");
        if suppressed {
            continue;
        }
        published += 1;
        let included: Vec<_> = members.iter().filter(|row| row["included"] == "true").collect();
        assert!(included.iter().all(|row| row["excluded_because"].is_empty()));
        let n = included.len() as f64;
        assert_eq!(cell["n_workers"], included.len() as u64, "{context} {key:?}");
        let mean = included.iter().map(|row| number(row, "hourly_wage_usd")).sum::<f64>() / n;
        assert_eq!(cell["mean_hourly_usd"].as_f64().unwrap(), round(mean, 4), "{context} {key:?}: mean");
        let tasks: f64 = included.iter().map(|row| number(row, "n_tasks")).sum();
        assert_eq!(cell["n_tasks"].as_f64().unwrap(), tasks, "{context} {key:?}");
        // Hours are whole seconds; summed as seconds, as the report does, before rounding.
        let seconds: f64 =
            included.iter().map(|row| (number(row, "hours_paid_tasks") * 3600.0).round()).sum();
        let paid = seconds / 3600.0;
        assert!((cell["hours_paid"].as_f64().unwrap() - round(paid, 3)).abs() < 1e-9, "{context} {key:?}");
        for row in &included {
            let wage = number(row, "earnings_usd") / number(row, "hours_counted");
            assert!((wage - number(row, "hourly_wage_usd")).abs() < 1e-9, "earnings over counted hours");
            assert_eq!(row["reference_hourly_usd"], "7.25");
        }
        let below = included.iter().filter(|row| row["below_usd_7_25"] == "true").count() as f64;
        assert_eq!(cell["share_below_usd_7_25"].as_f64().unwrap(), round(below / n, 4), "{context} {key:?}");
        let known: Vec<_> = included.iter().filter(|row| !row["below_local_minimum"].is_empty()).collect();
        assert_eq!(cell["n_workers_with_known_minimum"], known.len() as u64, "{context} {key:?}");
        if !known.is_empty() {
            let below = known.iter().filter(|row| row["below_local_minimum"] == "true").count() as f64;
            let share = cell["share_below_local_minimum"].as_f64().unwrap();
            assert_eq!(share, round(below / known.len() as f64, 4), "{context} {key:?}");
            // The rows' thresholds are the cell's: the latest in force is the cell's own.
            if let Some(since) = cell["minimum_wage"]["in_force_from"].as_str() {
                let latest = known.iter().map(|row| row["minimum_wage_in_force_from"].clone()).max().unwrap();
                assert_eq!(latest, since, "{context} {key:?}");
                assert!(known.iter().all(|row| !row["minimum_wage_source"].is_empty()));
            }
        }
    }
    assert!(published > 0, "{context}: some cell is published");
}

#[test]
fn rows_give_the_reports_figures_under_each_method_and_grouping() {
    let directory = tempfile::tempdir().unwrap();
    let records = simulated(directory.path());
    let cases: [(&str, &str, &[&str]); 5] = [
        ("all", "platform,country", &[]),
        ("paid", "country,month", &[]),
        ("session:15", "", &[]),
        ("task", "platform,category", &[]),
        (
            "all",
            "platform,country",
            &["--platform", "prolific,mturk", "--country", "US,GB", "--from", "2024-06-01"],
        ),
    ];
    for (method, by, filters) in cases {
        let base = ["--input", path_str(&records), "--method", method, "--by", by, "--min-workers", "5"];
        let flags = [&base[..], filters].concat();
        let report: Value =
            serde_json::from_str(&piecerate(&[&["report", "--format", "json"][..], &flags].concat()).ok())
                .unwrap();
        let text = piecerate(&[&["workers"][..], &flags].concat()).ok();
        let (header, rows) = csv_rows(&text);
        assert_eq!(header[0], "install_id");
        let dimensions: Vec<&str> = by.split(',').filter(|d| !d.is_empty()).collect();
        assert_eq!(&header[1..=dimensions.len()], &dimensions[..], "the grouping keys follow the install id");
        assert!(rows.iter().all(|row| row["method"] == method));
        if !filters.is_empty() {
            // The filters keep the same records as the report's.
            assert!(rows.iter().all(|row| ["prolific", "mturk"].contains(&row["platform"].as_str())
                && ["US", "GB"].contains(&row["country"].as_str())));
        }
        check_against_report(&report, &rows, by, &format!("{method} by {by} {filters:?}"));
        assert!(text.contains("\n# Made by piecerate "), "the provenance ends the CSV");
    }
}

/// The hand-computed fixture (`report.rs`, `hand_computed_wages`): worker hand-a earned $3.00
/// in 3000 counted seconds under `all`, $3.60 an hour, below the US federal minimum of $7.25 in
/// force since 2009-07-24.
#[test]
fn hand_computed_worker() {
    let input = fixture("records/hand-computed.csv");
    let text = piecerate(&[
        "workers",
        "--input",
        path_str(&input),
        "--by",
        "country",
        "--min-hours",
        "0",
        "--min-workers",
        "1",
    ])
    .ok();
    let (_, rows) = csv_rows(&text);
    assert_eq!(rows.len(), 3);
    let a = rows.iter().find(|row| row["install_id"] == "hand-a").unwrap();
    assert_eq!(a["country"], "US");
    assert_eq!(number(a, "earnings_usd"), 3.0);
    assert_eq!(number(a, "hours_paid_tasks"), 0.5);
    assert!((number(a, "hours_counted") - 3000.0 / 3600.0).abs() < 1e-12);
    assert!((number(a, "hourly_wage_usd") - 3.6).abs() < 1e-12);
    assert_eq!(
        (
            a["minimum_wage_status"].as_str(),
            a["minimum_wage_hourly_usd"].as_str(),
            a["minimum_wage_currency"].as_str()
        ),
        ("known", "7.25", "USD")
    );
    assert_eq!(a["minimum_wage_in_force_from"], "2009-07-24");
    assert_eq!((a["below_local_minimum"].as_str(), a["below_usd_7_25"].as_str()), ("true", "true"));
    let c = rows.iter().find(|row| row["install_id"] == "hand-c").unwrap();
    assert!((number(c, "earnings_usd") - 10.0).abs() < 1e-9, "7.648 GBP at 0.7648 GBP/USD");
    assert_eq!(c["minimum_wage_currency"], "GBP");
    let b = rows.iter().find(|row| row["install_id"] == "hand-b").unwrap();
    assert_eq!(b["minimum_wage_status"], "unknown");
    assert!(b["below_local_minimum"].is_empty(), "no known minimum, so not compared");
    assert!(!b["minimum_wage_reason"].is_empty());
}

/// Every row and column of a Parquet file, as the text the CSV has for it.
pub(crate) fn parquet_as_text(path: &Path) -> (Vec<String>, Vec<Vec<String>>, BTreeMap<String, String>) {
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let metadata = reader.metadata().file_metadata();
    let names = metadata.schema_descr().columns().iter().map(|column| column.name().to_owned()).collect();
    let pairs = metadata
        .key_value_metadata()
        .map(|pairs| pairs.iter().map(|p| (p.key.clone(), p.value.clone().unwrap_or_default())).collect())
        .unwrap_or_default();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(_, field)| match field {
                    parquet::record::Field::Null => String::new(),
                    parquet::record::Field::Str(text) => text.clone(),
                    parquet::record::Field::Double(value) => value.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    (names, rows, pairs)
}

#[test]
fn parquet_holds_the_csv_rows_typed_with_the_provenance() {
    let directory = tempfile::tempdir().unwrap();
    let records = simulated(directory.path());
    let out = directory.path().join("workers.parquet");
    let flags = ["--input", path_str(&records), "--by", "platform,country", "--min-workers", "5"];
    let (header, csv) = csv_rows(&piecerate(&[&["workers"][..], &flags].concat()).ok());
    let run = piecerate(&[&["workers", "--format", "parquet", "--out", path_str(&out)][..], &flags].concat());
    assert_eq!(run.ok(), "", "nothing on standard output when --out is given");
    let (names, rows, metadata) = parquet_as_text(&out);
    assert_eq!(names, header);
    assert_eq!(rows.len(), csv.len());
    for (row, expected) in rows.iter().zip(&csv) {
        for (name, value) in names.iter().zip(row) {
            assert_eq!(value, &expected[name], "column {name}");
        }
    }
    assert_eq!(metadata["piecerate.schema"], "piecerate.workers/1");
    let provenance: Value = serde_json::from_str(&metadata["piecerate.provenance"]).unwrap();
    assert_eq!(provenance["parameters"]["by"], "platform,country");
    assert_eq!(provenance["inputs"][0]["name"], path_str(&records));
    let notes: Vec<String> = serde_json::from_str(&metadata["piecerate.notes"]).unwrap();
    assert!(notes.iter().any(|note| note.contains("synthetic workers")));
    // Byte-identical when made again (the generation time is fixed by SOURCE_DATE_EPOCH).
    let again = directory.path().join("again.parquet");
    piecerate(&[&["workers", "--format", "parquet", "--out", path_str(&again)][..], &flags].concat()).ok();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn report_as_parquet_has_the_csv_columns_and_values() {
    let directory = tempfile::tempdir().unwrap();
    let records = simulated(directory.path());
    let out = directory.path().join("report.parquet");
    let flags = ["--input", path_str(&records), "--by", "platform,country", "--min-workers", "5"];
    let (header, csv) = csv_rows(&piecerate(&[&["report", "--format", "csv"][..], &flags].concat()).ok());
    piecerate(&[&["report", "--format", "parquet", "--out", path_str(&out)][..], &flags].concat()).ok();
    let (names, rows, metadata) = parquet_as_text(&out);
    assert_eq!(names, header);
    assert_eq!(rows.len(), csv.len());
    assert!(
        csv.iter().any(|row| row["suppressed"] == "true")
            && csv.iter().any(|row| row["suppressed"] == "false")
    );
    for (row, expected) in rows.iter().zip(&csv) {
        for (name, value) in names.iter().zip(row) {
            assert_eq!(value, &expected[name], "column {name}");
        }
    }
    assert_eq!(metadata["piecerate.schema"], "piecerate.report/1");
}

/// DuckDB reads the per-worker Parquet file and, by SQL over its rows, gets each published
/// cell's worker count and mean wage as the report has them; it reads the report's Parquet too.
#[test]
fn duckdb_reads_the_parquet_files() {
    let Some(python) = python_with("duckdb", "the DuckDB reader") else { return };
    let directory = tempfile::tempdir().unwrap();
    let records = simulated(directory.path());
    let workers = directory.path().join("workers.parquet");
    let cells = directory.path().join("report.parquet");
    let flags = ["--input", path_str(&records), "--by", "platform,country", "--min-workers", "5"];
    piecerate(&[&["workers", "--format", "parquet", "--out", path_str(&workers)][..], &flags].concat()).ok();
    piecerate(&[&["report", "--format", "parquet", "--out", path_str(&cells)][..], &flags].concat()).ok();
    let report: Value =
        serde_json::from_str(&piecerate(&[&["report", "--format", "json"][..], &flags].concat()).ok())
            .unwrap();
    let script = r#"
import json, sys, duckdb
workers, cells = sys.argv[1], sys.argv[2]
con = duckdb.connect()
rows = con.execute(f"""
    select platform, country, count(*), round(avg(hourly_wage_usd), 4), sum(n_tasks)
    from read_parquet('{workers}') where included and not cell_suppressed
    group by platform, country order by platform, country""").fetchall()
types = dict(con.execute(f"select column_name, column_type from (describe select * from read_parquet('{workers}'))").fetchall())
published = con.execute(f"select count(*) from read_parquet('{cells}') where not suppressed").fetchone()[0]
print(json.dumps({"cells": [[p, c or "", n, mean, int(tasks)] for p, c, n, mean, tasks in rows],
                  "types": types, "published": published}))
"#;
    let output =
        Command::new(&python).args(["-c", script, path_str(&workers), path_str(&cells)]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut expected: Vec<Value> = report["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|cell| cell["suppressed"] == false)
        .map(|cell| {
            serde_json::json!([
                cell["platform"],
                cell["country"].as_str().unwrap_or(""),
                cell["n_workers"],
                cell["mean_hourly_usd"],
                cell["n_tasks"]
            ])
        })
        .collect();
    assert!(!expected.is_empty());
    // DuckDB orders platforms by name, the report in its own order.
    expected.sort_by_key(|cell| (cell[0].to_string(), cell[1].to_string()));
    assert_eq!(read["cells"], Value::Array(expected));
    assert_eq!(read["published"], read["cells"].as_array().unwrap().len());
    for (column, kind) in [
        ("hourly_wage_usd", "DOUBLE"),
        ("n_tasks", "BIGINT"),
        ("included", "BOOLEAN"),
        ("install_id", "VARCHAR"),
    ] {
        assert_eq!(read["types"][column], kind, "{column}");
    }
}

#[test]
fn bad_command_lines_are_refused_clearly() {
    let input = fixture("records/hand-computed.csv");
    let input = path_str(&input);
    let refused = |args: &[&str], says: &str| {
        let run = piecerate(args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    };
    refused(
        &["workers", "--input", input, "--format", "json"],
        "invalid value 'json' for '--format <FORMAT>'",
    );
    refused(&["workers", "--input", input, "--format", "json"], "[possible values: csv, parquet]");
    refused(&["workers", "--format", "csv"], "--input <FILE>");
    refused(
        &["workers", "--input", input, "--disclosure-control"],
        "unexpected argument '--disclosure-control'",
    );
    refused(
        &["workers", "--input", input, "--min-hours", "-1"],
        "'-1' is not a finite, non-negative number of hours",
    );
    refused(&["workers", "--input", input, "--by", "worker"], "'worker' is not a grouping dimension");
    refused(&["workers", "--input", input, "--method", "hourly"], "'hourly' is not an accounting method");
    refused(&["report", "--check", "r.json", "--format", "parquet"], "cannot be used with");
    let missing = piecerate(&["workers", "--input", "no-such-file.csv"]);
    assert_eq!(missing.status, 1);
    assert!(missing.stderr.contains("no-such-file.csv"), "{}", missing.stderr);
}

/// Parquet is binary: with standard output on a terminal and no --out, the run is refused
/// before anything is read or written. `script` gives the binary a terminal.
#[test]
fn parquet_is_not_written_to_a_terminal() {
    let input = fixture("records/hand-computed.csv");
    for command in ["workers", "report"] {
        let line = format!(
            "SOURCE_DATE_EPOCH=1769860800 {} {command} --input {} --format parquet",
            env!("CARGO_BIN_EXE_piecerate"),
            path_str(&input)
        );
        let output = Command::new("script").args(["-qec", &line, "/dev/null"]).output().expect("runs script");
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{command}: {text}");
        assert!(text.contains("standard output is a terminal: give --out FILE"), "{command}: {text}");
        assert!(!text.contains("PAR1"), "{command}: no Parquet bytes on the terminal");
    }
}
