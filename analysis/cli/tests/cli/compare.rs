//! `piecerate compare --before FROM..TO --after FROM..TO` (issue 11, point 4) on files of two
//! periods made here: a known shift whose intervals must exclude 0, no change whose intervals
//! must include 0, byte-identical reruns with a seed, and hostile periods.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{path_str, piecerate};

const HEADER: &str = "record_id,install_id,platform,country,kind,category,outcome,started_at,ended_at,active_seconds,reward,bonus,currency\n";
const Q1: &str = "2025-01-01..2025-03-31";
const Q2: &str = "2025-04-01..2025-06-30";

/// One record a worker: an hour's task paid `wage` dollars, so the worker's wage is `wage`.
struct Records {
    text: String,
    count: u32,
}

impl Records {
    fn new() -> Records {
        Records { text: HEADER.to_owned(), count: 0 }
    }

    fn workers(&mut self, prefix: &str, month: u32, platform: &str, wages: &[f64]) -> &mut Records {
        for (index, wage) in wages.iter().enumerate() {
            self.count += 1;
            let day = 1 + index % 28;
            self.text.push_str(&format!(
                "00000000-0000-4000-8000-{:012x},{prefix}-{index},{platform},US,task,,approved,2025-{month:02}-{day:02}T10:00:00Z,2025-{month:02}-{day:02}T11:00:00Z,3600,{wage:.2},,USD\n",
                self.count
            ));
        }
        self
    }

    fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, &self.text).unwrap();
        path
    }
}

/// 40 wages from $3.00 to $6.80 in steps of 20 cents, each twice: median $4.90, all below the
/// US federal minimum of $7.25.
fn low_wages() -> Vec<f64> {
    (0..40).map(|i| 3.0 + f64::from(i % 20) * 0.2).collect()
}

fn compare(input: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["compare", "--input", path_str(input), "--before", Q1, "--after", Q2];
    args.extend_from_slice(extra);
    piecerate(&args)
}

fn compare_json(input: &Path, extra: &[&str]) -> Value {
    let mut args = extra.to_vec();
    args.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&compare(input, &args).ok()).unwrap()
}

#[test]
fn a_known_shift_has_intervals_that_exclude_zero() {
    let dir = tempfile::tempdir().unwrap();
    let raised: Vec<f64> = low_wages().iter().map(|wage| wage + 4.0).collect();
    // February: 40 MTurk workers at the low wages and 5 on Prolific (a cell too small);
    // May: the same 40 MTurk workers (same install ids) paid $4 an hour more, 40 on Prolific.
    let input = Records::new()
        .workers("m", 2, "mturk", &low_wages())
        .workers("p", 2, "prolific", &low_wages()[..5])
        .workers("m", 5, "mturk", &raised)
        .workers("q", 5, "prolific", &low_wages())
        .write(dir.path(), "shift.csv");
    let json = compare_json(&input, &["--by", "platform"]);
    assert_eq!(json["schema"], "piecerate.compare/1");
    assert_eq!(json["before"]["from"], "2025-01-01");
    assert_eq!(json["after"]["to"], "2025-06-30");
    assert_eq!(json["bootstrap"]["seed"], 1993);
    assert_eq!(json["bootstrap"]["replicates"], 2000);
    let mturk = &json["cells"][0];
    assert_eq!(mturk["platform"], "mturk");
    assert_eq!(
        (mturk["before"]["n_workers"].as_u64(), mturk["after"]["n_workers"].as_u64()),
        (Some(40), Some(40))
    );
    assert_eq!(mturk["before"]["median_hourly_usd"], 4.9);
    assert_eq!(mturk["after"]["median_hourly_usd"], 8.9);
    assert_eq!(mturk["median_change_usd"], 4.0);
    assert_eq!(mturk["n_workers_in_both"], 40);
    let [low, high] = [0, 1].map(|end| mturk["median_change_ci95_usd"][end].as_f64().unwrap());
    assert!(0.0 < low && low < 4.0 && 4.0 < high, "{low} {high}");
    // Before, all 40 are below $7.25; after, wages run from $7.00 to $10.80 and only $7.00 and
    // $7.20 (twice each) stay below: 4 of 40.
    assert_eq!(mturk["before"]["share_below_local_minimum"], 1.0);
    assert_eq!(mturk["after"]["share_below_local_minimum"], 0.1);
    assert_eq!(mturk["share_below_local_minimum_change"], -0.9);
    assert!(mturk["share_below_local_minimum_change_ci95"][1].as_f64().unwrap() < 0.0);
    // Prolific has 5 workers before: suppressed in that period, so no change, and it says so.
    let prolific = &json["cells"][1];
    assert_eq!(prolific["suppressed"], true);
    assert_eq!(prolific["before"], serde_json::json!({"suppressed": true, "n_workers_fewer_than": 10}));
    assert_eq!(prolific["after"]["n_workers"], 40);
    assert!(prolific.get("median_change_usd").is_none());
    let table = compare(&input, &["--by", "platform"]).ok();
    assert!(table.contains("suppressed before: fewer than 10 workers"), "{table}");
    assert!(table.contains("+4.00"), "{table}");
    let markdown = compare(&input, &["--by", "platform", "--format", "markdown"]).ok();
    assert!(markdown.starts_with("**Change of effective hourly wages"), "{markdown}");
    let csv = compare(&input, &["--by", "platform", "--format", "csv"]).ok();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(
        (column("platform"), column("median_change_usd"), column("before_n_workers")),
        ("mturk", "4", "40")
    );
    assert!(csv.contains("\n# Changes are after minus before."));
}

#[test]
fn no_change_has_intervals_that_include_zero() {
    let dir = tempfile::tempdir().unwrap();
    // The same wages in both periods, half of them above the minimum, paid to other workers.
    let wages: Vec<f64> = (0..60).map(|i| 4.0 + f64::from(i % 30) * 0.2).collect();
    let input = Records::new()
        .workers("a", 2, "mturk", &wages)
        .workers("b", 5, "mturk", &wages)
        .write(dir.path(), "same.csv");
    let json = compare_json(&input, &[]);
    let cell = &json["cells"][0];
    assert_eq!(cell["median_change_usd"], 0.0);
    assert_eq!(cell["n_workers_in_both"], 0);
    let [low, high] = [0, 1].map(|end| cell["median_change_ci95_usd"][end].as_f64().unwrap());
    assert!(low < 0.0 && 0.0 < high, "{low} {high}");
    assert_eq!(cell["share_below_local_minimum_change"], 0.0);
    let [low, high] = [0, 1].map(|end| cell["share_below_local_minimum_change_ci95"][end].as_f64().unwrap());
    assert!(low < 0.0 && 0.0 < high, "{low} {high}");
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_draws() {
    let dir = tempfile::tempdir().unwrap();
    let raised: Vec<f64> = low_wages().iter().map(|wage| wage * 1.1).collect();
    let input = Records::new()
        .workers("a", 1, "mturk", &low_wages())
        .workers("b", 4, "mturk", &raised)
        .write(dir.path(), "records.csv");
    let first = compare(&input, &["--format", "json"]).ok();
    assert_eq!(compare(&input, &["--format", "json", "--threads", "3"]).ok(), first);
    assert_eq!(
        compare(&input, &["--format", "json", "--seed", "1993"]).ok(),
        first,
        "1993 is the default seed"
    );
    let seeded = compare(&input, &["--format", "json", "--seed", "42"]).ok();
    assert_eq!(compare(&input, &["--format", "json", "--seed", "42"]).ok(), seeded);
    let json: Value = serde_json::from_str(&seeded).unwrap();
    let default: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(json["cells"][0]["median_change_usd"], default["cells"][0]["median_change_usd"]);
    assert_ne!(json["cells"][0]["median_change_ci95_usd"], default["cells"][0]["median_change_ci95_usd"]);
    let parameters = &json["provenance"]["parameters"];
    assert_eq!((parameters["seed"].as_u64(), parameters["replicates"].as_u64()), (Some(42), Some(2000)));
    assert_eq!((parameters["before"].as_str(), parameters["after"].as_str()), (Some(Q1), Some(Q2)));
    assert_eq!(json["provenance"]["inputs"][0]["records"], 80);
}

#[test]
fn filters_choose_the_records_of_both_periods() {
    let dir = tempfile::tempdir().unwrap();
    let input = Records::new()
        .workers("a", 1, "mturk", &low_wages())
        .workers("b", 4, "mturk", &low_wages())
        .workers("c", 1, "prolific", &low_wages())
        .workers("d", 4, "prolific", &low_wages())
        .workers("e", 9, "prolific", &low_wages())
        .write(dir.path(), "records.csv");
    let json = compare_json(&input, &["--platform", "prolific", "--by", "platform"]);
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 1);
    assert_eq!(cells[0]["platform"], "prolific");
    assert_eq!(json["provenance"]["parameters"]["platform"], "prolific");
    // 80 prolific records in the periods; the 80 on MTurk and the 40 of September are not.
    assert_eq!(json["provenance"]["inputs"][0]["records"], 80);
    assert_eq!(json["provenance"]["inputs"][0]["filtered_out_records"], 120);
}

#[test]
fn hostile_periods_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = Records::new()
        .workers("a", 1, "mturk", &low_wages())
        .workers("b", 4, "mturk", &low_wages())
        .write(dir.path(), "records.csv");
    let input = path_str(&input);
    let refused = |args: &[&str], status: i32, expected: &[&str]| {
        let mut all = vec!["compare", "--input", input];
        all.extend_from_slice(args);
        let run = piecerate(&all);
        assert_eq!(run.status, status, "{args:?}: {}", run.stderr);
        for part in expected {
            assert!(run.stderr.contains(part), "{args:?}: {part:?} not in {}", run.stderr);
        }
        assert!(run.stdout.is_empty(), "{args:?}");
    };
    refused(&["--before", "2025-01-01..", "--after", Q2], 2, &["--before", "has no last day"]);
    refused(&["--before", Q1, "--after", "..2025-06-30"], 2, &["--after", "has no first day"]);
    refused(&["--before", "2025-01-01", "--after", Q2], 2, &["--before", "expected FROM..TO"]);
    refused(
        &["--before", "2025-01-01..2025-13-01", "--after", Q2],
        2,
        &["--before", "'2025-13-01' is not a date"],
    );
    refused(&["--before", "2025-03-31..2025-01-01", "--after", Q2], 2, &["--before", "starts after it ends"]);
    refused(
        &["--before", Q1, "--after", "2025-03-15..2025-06-30"],
        2,
        &["the periods overlap from 2025-03-15 to 2025-03-31", "share no day"],
    );
    refused(&["--before", Q2, "--after", Q1], 2, &["give the earlier period as --before"]);
    refused(&["--before", Q1, "--after", Q2, "--from", "2025-01-01"], 2, &["--from"]);
    refused(&["--before", Q1], 2, &["--after"]);
    refused(&["--before", Q1, "--after", Q2, "--replicates", "5"], 2, &["--replicates"]);
    refused(&["--before", Q1, "--after", Q2, "--seed", "-1"], 2, &["--seed"]);
    // A period without records has nothing to compare: status 1, saying where the records are.
    refused(
        &["--before", Q1, "--after", "2026-01-01..2026-12-31"],
        1,
        &[
            "none of the 80 records read is in the period --after 2026-01-01..2026-12-31",
            "2025-01-01T10:00:00Z",
        ],
    );
    let run = piecerate(&["compare", "--input", "-", "--before", Q1, "--after", Q2]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("standard input cannot be read twice"), "{}", run.stderr);
}

/// `compare --check` runs in the directory the comparison was made in, where its inputs are.
fn check_in(dir: &Path, args: &[&str]) -> crate::common::Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .current_dir(dir)
        .args(["compare", "--check"])
        .args(args)
        .output()
        .unwrap();
    crate::common::Run {
        status: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

#[test]
fn check_makes_the_comparison_again_and_names_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let rising: Vec<f64> = low_wages().iter().map(|wage| wage + 4.0).collect();
    Records::new()
        .workers("a", 1, "mturk", &low_wages())
        .workers("a", 4, "mturk", &rising)
        .workers("p", 2, "prolific", &low_wages())
        .workers("p", 5, "prolific", &low_wages())
        .write(dir.path(), "records.csv");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .current_dir(dir.path())
        .args(["compare", "--input", "records.csv", "--before", Q1, "--after", Q2, "--by", "platform"])
        .args(["--seed", "7", "--replicates", "500", "--platform", "mturk,prolific", "--format", "json"])
        .args(["--out", "change.json"])
        .status()
        .unwrap();
    assert!(made.success());

    // Identical: every figure made again from the recorded periods, seed and parameters.
    let run = check_in(dir.path(), &["change.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "change.json: identical: the 2 cells and every other figure were made again from the same inputs\n"
    );

    // A figure edited: named, with both values, and exit 1.
    let text = std::fs::read_to_string(dir.path().join("change.json")).unwrap();
    let recorded: Value = serde_json::from_str(&text).unwrap();
    let median = recorded["cells"][0]["median_change_usd"].to_string();
    let edited = text.replacen(&format!("\"median_change_usd\": {median}"), "\"median_change_usd\": 9.0", 1);
    assert_ne!(edited, text);
    std::fs::write(dir.path().join("edited.json"), edited).unwrap();
    let run = check_in(dir.path(), &["edited.json"]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stdout,
        format!("cell platform=mturk: median_change_usd: 9.0 in the report, {median} made again\n")
    );
    assert!(
        run.stderr.contains("edited.json: 1 figure differs from the comparison made again"),
        "{}",
        run.stderr
    );

    // An input changed: refused by name before anything is compared.
    std::fs::copy(dir.path().join("records.csv"), dir.path().join("moved.csv")).unwrap();
    let mut changed = std::fs::read_to_string(dir.path().join("records.csv")).unwrap();
    changed = changed.replacen("3.00,,USD", "3.01,,USD", 1);
    std::fs::write(dir.path().join("records.csv"), changed).unwrap();
    let run = check_in(dir.path(), &["change.json"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("input records.csv is not the one the comparison was made from"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // The same bytes elsewhere, given with --input, check.
    let run = check_in(dir.path(), &["change.json", "--input", "moved.csv"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = check_in(dir.path(), &["change.json", "--input", "moved.csv", "moved.csv"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("the comparison was made from 1 input, and 2 are given"), "{}", run.stderr);
    // Flags that the provenance decides are refused with --check.
    let run = check_in(dir.path(), &["change.json", "--seed", "8"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
}

/// A comparison's JSON with one parameter of its provenance replaced.
fn edit(text: &str, parameter: &str, value: Value) -> String {
    let mut document: Value = serde_json::from_str(text).unwrap();
    document["provenance"]["parameters"][parameter] = value;
    serde_json::to_string_pretty(&document).unwrap()
}

#[test]
fn check_refuses_malformed_and_hostile_files() {
    let dir = tempfile::tempdir().unwrap();
    Records::new()
        .workers("a", 1, "mturk", &low_wages())
        .workers("a", 4, "mturk", &low_wages())
        .write(dir.path(), "records.csv");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .current_dir(dir.path())
        .args(["compare", "--input", "records.csv", "--before", Q1, "--after", Q2, "--format", "json"])
        .args(["--out", "change.json"])
        .status()
        .unwrap();
    assert!(made.success());
    let report = std::process::Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .current_dir(dir.path())
        .args(["report", "--input", "records.csv", "--format", "json", "--out", "report.json"])
        .status()
        .unwrap();
    assert!(report.success());
    let good = std::fs::read_to_string(dir.path().join("change.json")).unwrap();
    let mut hostile: Vec<(&str, String, &str)> = vec![
        ("empty.json", String::new(), "is not a JSON comparison"),
        ("text.json", "median 4.90".to_owned(), "is not a JSON comparison"),
        ("bare.json", "{\"cells\": []}".to_owned(), "has no provenance"),
        ("odd.json", "{\"provenance\": {\"tool\": 5}}".to_owned(), "is not one this piecerate reads"),
        ("deep.json", format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)), "is not a JSON comparison"),
        (
            "escape.json",
            good.replacen("\"name\": \"records.csv\"", "\"name\": \"../../etc/passwd\"", 1),
            "is not the one the comparison was made from",
        ),
        ("seed.json", edit(&good, "seed", serde_json::json!(-1)), "is not one this piecerate reads"),
        (
            "replicates.json",
            edit(&good, "replicates", serde_json::json!(4_000_000_000u64)),
            "replicates: 4000000000 is not from 100 to 1,000,000",
        ),
        ("few.json", edit(&good, "replicates", serde_json::json!(5)), "replicates: 5 is not from 100"),
        (
            "periods.json",
            edit(&good, "before", serde_json::json!("2025-04-01..2025-06-30")),
            "before and after",
        ),
        ("day.json", edit(&good, "after", serde_json::json!("2025-04-01..2025-13-01")), "after: "),
    ];
    hostile.push((
        "report.json",
        std::fs::read_to_string(dir.path().join("report.json")).unwrap(),
        "is a report, not a comparison: check it with piecerate report --check",
    ));
    for (name, text, expected) in &hostile {
        if *name != "report.json" {
            assert_ne!(text, &good, "{name} is edited");
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let run = check_in(dir.path(), &[name]);
        assert_eq!(run.status, 1, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{name}: {expected:?} not in {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
    }
    // And the other way round: a comparison is not a report.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .current_dir(dir.path())
        .args(["report", "--check", "change.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is a comparison, not a report"));
    let run = check_in(dir.path(), &["missing.json"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("cannot read the comparison missing.json"), "{}", run.stderr);
}
