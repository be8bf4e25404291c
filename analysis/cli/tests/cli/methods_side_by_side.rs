//! `piecerate report --methods paid,task,all` (issue 11, point 5): every method side by side on
//! one set of workers, those the broadest method counts, in every rendering and in `--check`.

use std::path::{Path, PathBuf};

use crate::common::{path_str, piecerate};

/// Workers counted in a JSON report's cells, per method (`None` for a report of one method).
fn workers_per_method(json: &str) -> Vec<(Option<String>, u64)> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut totals: Vec<(Option<String>, u64)> = Vec::new();
    for cell in report["cells"].as_array().unwrap() {
        let method = cell.get("method").map(|method| method.as_str().unwrap().to_owned());
        let workers = cell["n_workers"].as_u64().unwrap_or(0);
        match totals.iter_mut().find(|(known, _)| *known == method) {
            Some((_, total)) => *total += workers,
            None => totals.push((method, workers)),
        }
    }
    totals
}

fn simulated(directory: &Path) -> PathBuf {
    let path = directory.join("records.csv");
    piecerate(&["simulate", "--workers", "300", "--seed", "7", "--out", path_str(&path)]).ok();
    path
}

/// The figure: on 10,000 simulated workers (`piecerate simulate --workers 10000 --seed 7`,
/// 275 MB), `--method paid` kept 8,906 workers and `--method all` 9,213, so comparing the two
/// reports compared two populations. 300 workers of the same seed show the same difference
/// (264 and 276); side by side, every method counts the 276 of `all`.
#[test]
fn every_method_side_by_side_counts_the_same_workers() {
    let directory = tempfile::tempdir().unwrap();
    let records = simulated(directory.path());
    let alone = |method: &str| {
        let json =
            piecerate(&["report", "--input", path_str(&records), "--method", method, "--format", "json"])
                .ok();
        workers_per_method(&json)[0].1
    };
    let (paid, all) = (alone("paid"), alone("all"));
    assert!(paid < all, "alone, paid keeps fewer workers ({paid}) than all ({all})");
    let json = piecerate(&[
        "report",
        "--input",
        path_str(&records),
        "--methods",
        "paid,task,all",
        "--format",
        "json",
    ])
    .ok();
    let per_method = workers_per_method(&json);
    assert_eq!(
        per_method,
        vec![(Some("paid".to_owned()), all), (Some("task".to_owned()), all), (Some("all".to_owned()), all)]
    );
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["schema"], "piecerate.report/2");
    assert_eq!(report["method"], "all", "the broadest, under which the workers are chosen");
    assert_eq!(report["methods"], serde_json::json!(["paid", "task", "all"]));
    assert_eq!(report["provenance"]["parameters"]["methods"], "paid,task,all");
    let cells = report["cells"].as_array().unwrap();
    assert!(cells.iter().all(|cell| cell["n_workers_without_wage"] == 0));
    // The paid row's wages are paid-time wages of the same workers: higher than all's.
    assert!(cells[0]["median_hourly_usd"].as_f64() > cells[2]["median_hourly_usd"].as_f64());
    // Grouped, the same: each platform's rows count the same workers.
    let json = piecerate(&[
        "report",
        "--input",
        path_str(&records),
        "--methods",
        "all,paid",
        "--by",
        "platform",
        "--format",
        "json",
        "--min-workers",
        "1",
    ])
    .ok();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    for pair in report["cells"].as_array().unwrap().chunks(2) {
        assert_eq!(pair[0]["platform"], pair[1]["platform"]);
        assert_eq!((pair[0]["method"].as_str(), pair[1]["method"].as_str()), (Some("all"), Some("paid")));
        assert_eq!(pair[0]["n_workers"], pair[1]["n_workers"], "{pair:?}");
    }
}

/// Ten workers with paid work, and one who only did rejected tasks and searched for 50 minutes:
/// counted under all and task, with no paid hour, so no wage under paid.
fn with_one_unpaid_worker(directory: &Path) -> PathBuf {
    let mut csv = String::from(
        "record_id,install_id,platform,country,kind,category,outcome,started_at,ended_at,active_seconds,reward,bonus,currency\n",
    );
    for worker in 0..10 {
        csv.push_str(&format!(
            "00000000-0000-4000-8000-0000000000{worker:02},w{worker},mturk,US,task,labeling,approved,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z,3600,{}.00,,USD\n",
            worker + 1
        ));
    }
    csv.push_str("00000000-0000-4000-8000-000000000100,idle,mturk,US,task,survey,rejected,2024-05-01T10:00:00Z,2024-05-01T10:30:00Z,1800,1.00,,USD\n");
    csv.push_str("00000000-0000-4000-8000-000000000101,idle,mturk,US,unpaid,search,,2024-05-01T10:30:00Z,2024-05-01T10:50:00Z,1200,,,\n");
    let path = directory.join("unpaid.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn a_worker_without_paid_hours_is_counted_and_has_no_paid_wage() {
    let directory = tempfile::tempdir().unwrap();
    let records = with_one_unpaid_worker(directory.path());
    let input = path_str(&records);
    let json = piecerate(&["report", "--input", input, "--methods", "paid,all", "--format", "json"]).ok();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let (paid, all) = (&report["cells"][0], &report["cells"][1]);
    assert_eq!((paid["n_workers"].as_u64(), all["n_workers"].as_u64()), (Some(11), Some(11)));
    assert_eq!(paid["n_workers_without_wage"], 1);
    assert_eq!(all["n_workers_without_wage"], 0);
    // Paid: the ten wages $1..$10 an hour; all: those and the idle worker's $0.
    assert_eq!(paid["mean_hourly_usd"], 5.5);
    assert_eq!(all["mean_hourly_usd"], 5.0);
    assert_eq!(all["hours_unpaid"], 0.833);
    let notes = report["notes"].to_string();
    assert!(notes.contains("Under paid, 1 worker-cell pair of that set had no counted hour"), "{notes}");

    // The renderings say it too.
    let csv = piecerate(&["report", "--input", input, "--methods", "paid,all", "--format", "csv"]).ok();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["method", "suppressed", "n_workers"]);
    assert_eq!(header.last(), Some(&"n_workers_without_wage"));
    let rows: Vec<&str> = csv.lines().skip(1).take(2).collect();
    assert!(rows[0].starts_with("paid,false,11,") && rows[0].ends_with(",1"), "{}", rows[0]);
    assert!(rows[1].starts_with("all,false,11,") && rows[1].ends_with(",0"), "{}", rows[1]);
    assert!(csv.contains("# Parameters: --methods paid,all --min-workers 10"), "{csv}");
    let markdown =
        piecerate(&["report", "--input", input, "--methods", "paid,all", "--format", "markdown"]).ok();
    assert!(
        markdown.contains("methods paid, all side by side on the workers counted under all"),
        "{markdown}"
    );
    assert!(markdown.contains("| group | method | workers | no wage |"), "{markdown}");
    assert!(markdown.contains("| all workers | paid | 11 | 1 |"), "{markdown}");
    assert!(markdown.contains("The same wage was also computed under method paid"), "{markdown}");
    let latex = piecerate(&["report", "--input", input, "--methods", "paid,all", "--format", "latex"]).ok();
    assert!(latex.contains("Group & Method & Workers"), "{latex}");
    assert!(latex.contains("All workers & paid & 11 &"), "{latex}");
    let parquet = directory.path().join("side.parquet");
    piecerate(&[
        "report",
        "--input",
        input,
        "--methods",
        "paid,all",
        "--format",
        "parquet",
        "--out",
        path_str(&parquet),
    ])
    .ok();
    let (names, rows, metadata) = crate::workers::parquet_as_text(&parquet);
    assert_eq!(names[0], "method");
    assert_eq!(names.last().map(String::as_str), Some("n_workers_without_wage"));
    assert_eq!((rows[0][0].as_str(), rows[0].last().map(String::as_str)), ("paid", Some("1")));
    assert_eq!(metadata["piecerate.schema"], "piecerate.report/2");
    // Under disclosure control each row is rounded as a cell: its wages are over 10 workers.
    let json = piecerate(&[
        "report",
        "--input",
        input,
        "--methods",
        "paid,all",
        "--format",
        "json",
        "--disclosure-control",
    ])
    .ok();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["cells"][0]["wages_rounded_to_usd"], 0.25);
    assert_eq!(report["cells"][0]["mean_hourly_usd"], 5.5);
}

#[test]
fn a_row_with_too_few_wages_is_suppressed_on_its_own() {
    let directory = tempfile::tempdir().unwrap();
    let records = with_one_unpaid_worker(directory.path());
    let json = piecerate(&[
        "report",
        "--input",
        path_str(&records),
        "--methods",
        "paid,all",
        "--min-workers",
        "11",
        "--format",
        "json",
    ])
    .ok();
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["cells"][0]["suppressed"], true, "10 paid wages, fewer than 11");
    assert_eq!(report["cells"][0]["n_workers_fewer_than"], 11);
    assert!(report["cells"][0].get("mean_hourly_usd").is_none());
    assert_eq!(report["cells"][1]["suppressed"], false);
    assert_eq!(report["cells"][1]["n_workers"], 11);
}

#[test]
fn check_makes_a_side_by_side_report_again() {
    let directory = tempfile::tempdir().unwrap();
    let records = with_one_unpaid_worker(directory.path());
    let report = directory.path().join("report.json");
    piecerate(&[
        "report",
        "--input",
        path_str(&records),
        "--methods",
        "paid,task,all",
        "--min-workers",
        "1",
        "--format",
        "json",
        "--out",
        path_str(&report),
    ])
    .ok();
    let checked = piecerate(&["report", "--check", path_str(&report)]);
    assert_eq!(checked.status, 0, "{}", checked.stderr);
    assert!(checked.stdout.contains("identical: the 3 cells"), "{}", checked.stdout);
    let text = std::fs::read_to_string(&report).unwrap();
    let edited = text.replacen("\"n_workers_without_wage\": 1", "\"n_workers_without_wage\": 0", 1);
    assert_ne!(edited, text);
    let tampered = directory.path().join("tampered.json");
    std::fs::write(&tampered, edited).unwrap();
    let checked = piecerate(&["report", "--check", path_str(&tampered)]);
    assert_eq!(checked.status, 1);
    assert!(
        checked.stdout.contains("cell (all workers): n_workers_without_wage: 0 in the report, 1 made again"),
        "{}",
        checked.stdout
    );
}

#[test]
fn methods_that_cannot_be_side_by_side_are_refused() {
    let directory = tempfile::tempdir().unwrap();
    let records = with_one_unpaid_worker(directory.path());
    let input = path_str(&records);
    for (methods, message) in [
        ("paid", "give at least two methods"),
        ("all,all", "give at least two methods"),
        ("paid,session:15,session:30", "give one session:M at most"),
        ("paid,hourly", "'hourly' is not an accounting method"),
    ] {
        let run = piecerate(&["report", "--input", input, "--methods", methods]);
        assert_eq!(run.status, 2, "{methods}");
        assert!(run.stderr.contains(message), "{methods}: {}", run.stderr);
    }
    let run = piecerate(&["report", "--input", input, "--method", "paid", "--methods", "paid,all"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    let run = piecerate(&["brief", "--input", input, "--methods", "paid,all"]);
    assert_ne!(run.status, 0);
    assert!(run.stderr.contains("--methods"), "{}", run.stderr);
}
