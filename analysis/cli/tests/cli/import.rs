//! `piecerate import` on excerpts of real requester exports (tests/fixtures/*/README.md), and
//! on broken ones.

use std::collections::BTreeMap;
use std::path::Path;

use analysis::import::Pseudonymizer;
use analysis::{Method, Record, read_records, worker_totals};

use crate::common::{TEST_SALT, fixture, path_str, piecerate, salt_bytes};

fn import_mturk(files: &[&str], extra: &[&str], out: &Path) -> crate::common::Run {
    let paths: Vec<String> =
        files.iter().map(|f| path_str(&fixture(&format!("mturk-batch/{f}"))).to_owned()).collect();
    let mut args: Vec<&str> = vec!["import", "mturk-batch"];
    args.extend(paths.iter().map(String::as_str));
    args.extend(["--out", path_str(out)]);
    args.extend_from_slice(extra);
    piecerate(&args)
}

fn read_back(path: &Path) -> Vec<Record> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    read_records(file).unwrap().map(|r| r.expect("imported records are valid")).collect()
}

/// The NETS 213 wedding-photos v2 batch pays $0.01 per HIT. Each worker's wage, worked out
/// here straight from the export (sum of rewards over the sum of WorkTimeInSeconds), must be
/// the wage the library computes from the imported records.
#[test]
fn imported_wages_match_a_hand_computation_per_worker() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("records.csv");
    let file = "nets213-wedding-photos-v2-excerpt.csv";
    let run = import_mturk(&[file], &["--salt", TEST_SALT], &out);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("imported 46 records"), "{}", run.stderr);

    let mut expected: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    // The real file's rows are two fields shorter than its header (no Approve/Reject values).
    let mut export =
        csv::ReaderBuilder::new().flexible(true).from_path(fixture(&format!("mturk-batch/{file}"))).unwrap();
    let headers = export.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (worker, reward, seconds) = (column("WorkerId"), column("Reward"), column("WorkTimeInSeconds"));
    for row in export.records() {
        let row = row.unwrap();
        assert_eq!(&row[reward], "$0.01");
        let entry = expected.entry(row[worker].to_owned()).or_default();
        entry.0 += 0.01;
        entry.1 += row[seconds].parse::<u64>().unwrap();
    }
    assert_eq!(expected.len(), 6);

    let records = read_back(&out);
    let pseudonyms = Pseudonymizer::new(&salt_bytes());
    for (worker_id, (dollars, seconds)) in &expected {
        let install = pseudonyms.install_id("mturk-worker", worker_id);
        let mine: Vec<&Record> = records.iter().filter(|r| r.install_id() == &install).collect();
        let wage = worker_totals(mine, Method::All).hourly_wage_usd(Method::All).unwrap();
        let by_hand = dollars / (*seconds as f64 / 3600.0);
        assert!((wage - by_hand).abs() < 1e-9, "{worker_id}: {wage} != {by_hand}");
    }

    // The report over them: one cell, the median of the six hand-computed wages, flagged as a
    // lower bound.
    let mut wages: Vec<f64> = expected.values().map(|(d, s)| d / (*s as f64 / 3600.0)).collect();
    wages.sort_by(f64::total_cmp);
    let median = (wages[2] + wages[3]) / 2.0;
    let report = piecerate(&[
        "report",
        "--input",
        path_str(&out),
        "--min-workers",
        "1",
        "--min-hours",
        "0",
        "--format",
        "json",
    ])
    .ok();
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert!((report["cells"][0]["median_hourly_usd"].as_f64().unwrap() - median).abs() < 1e-4);
    assert_eq!(report["cells"][0]["contains_requester_data"], true);
    assert!(report["notes"][0].as_str().unwrap().contains("lower bounds"));
}

#[test]
fn real_batch_files_import_with_their_quirks() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("records.csv");
    // BOM, unquoted, a trailing Reject column with text: the requester is rejecting these.
    let run = import_mturk(&["lcp2021-bibile-rejections.csv"], &[], &out);
    assert!(run.stderr.contains("imported 10 records"), "{}", run.stderr);
    assert!(read_back(&out).iter().all(|r| r.outcome() == Some(analysis::Outcome::Rejected)));
    // Fully quoted, PDT times.
    import_mturk(&["lcp2021-europarl-results-excerpt.csv"], &[], &out).ok();
    let records = read_back(&out);
    assert_eq!(records.len(), 30);
    assert_eq!(records[0].started_at().to_string(), "2020-07-13T09:56:42Z", "Mon Jul 13 02:56:42 PDT 2020");
    assert_eq!(records[0].active().get(), 10);
    // $3.00 studies of up to two hours, one approved and one submitted.
    import_mturk(&["transparentcis-qs4-excerpt.csv"], &[], &out).ok();
    let outcomes: Vec<_> = read_back(&out).iter().map(|r| r.outcome().unwrap()).collect();
    assert_eq!(outcomes, [analysis::Outcome::Approved, analysis::Outcome::Submitted]);

    // The API export: leading unnamed index columns, 0.65 rewards, no WorkTimeInSeconds, huge
    // HTML fields, and timestamps without a zone.
    let api = "nets213-dialog-breakdown-api-excerpt.csv";
    let run = import_mturk(&[api], &[], &out);
    assert_eq!(run.status, 1, "nothing importable is an error");
    assert!(run.stderr.contains("AcceptTime: '2020-02-06 23:18:42' has no time zone"), "{}", run.stderr);
    assert!(
        run.stderr.contains("imported 0 records; skipped 2 rows that could not be imported"),
        "{}",
        run.stderr
    );
    let strict = import_mturk(&[api], &["--strict"], &dir.path().join("strict.csv"));
    assert_eq!(strict.status, 1);
    assert!(!dir.path().join("strict.csv").exists() && !dir.path().join("strict.csv.partial").exists());
    import_mturk(&[api], &["--time-zone", "-05:00"], &out).ok();
    let records = read_back(&out);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].started_at().to_string(), "2020-02-07T04:18:42Z");
    // Without WorkTimeInSeconds the work time is the span from accept to submit.
    assert_eq!(records[0].active().get(), 75);
    assert_eq!(records[0].earnings_usd().to_string(), "0.65");
}

#[test]
fn no_platform_id_survives_and_the_salt_makes_imports_repeatable() {
    let dir = tempfile::tempdir().unwrap();
    let files = ["nets213-wedding-photos-v2-excerpt.csv", "lcp2021-europarl-results-excerpt.csv"];
    let (first, second, unsalted) =
        (dir.path().join("1.csv"), dir.path().join("2.csv"), dir.path().join("3.csv"));
    let run = import_mturk(&files, &["--salt", TEST_SALT], &first);
    assert!(!run.stderr.contains(TEST_SALT) && !run.stdout.contains(TEST_SALT));
    import_mturk(&files, &["--salt", TEST_SALT], &second).ok();
    import_mturk(&files, &[], &unsalted).ok();
    let (a, b, c) =
        (std::fs::read(&first).unwrap(), std::fs::read(&second).unwrap(), std::fs::read(&unsalted).unwrap());
    assert_eq!(a, b, "the same salt gives the same file");
    assert_ne!(a, c, "a random salt gives other ids");
    let text = String::from_utf8(a).unwrap();
    for id in ["W0001", "W0002", "3X52SWXE0X5MQX9", "AssignmentId"] {
        assert!(!text.contains(id), "{id} leaked into the records");
    }
    for record in read_back(&first) {
        assert!(record.install_id().is_from_requester_export());
        assert_eq!(record.record_id().get_version_num(), 8);
    }
    // Importing the same file twice in one run keeps each assignment once.
    let twice = import_mturk(&[files[0], files[0]], &[], &dir.path().join("twice.csv"));
    assert!(twice.stderr.contains("the same assignment as"), "{}", twice.stderr);
    assert_eq!(read_back(&dir.path().join("twice.csv")).len(), 46);
}

#[test]
fn broken_exports_are_reported_by_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(fixture("mturk-batch/lcp2021-europarl-results-excerpt.csv")).unwrap();
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replace("PDT", "XYZ");
    lines[3] = lines[3].replacen(",$0.03,", ",-$0.03,", 1);
    lines[4] = lines[4].replacen(",$0.03,", ",three cents,", 1);
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, lines.join("\n")).unwrap();
    let out = dir.path().join("out.csv");
    let run = piecerate(&["import", "mturk-batch", path_str(&broken), "--out", path_str(&out)]);
    assert_eq!(run.status, 0);
    let name = path_str(&broken);
    assert!(
        run.stderr.contains(&format!("{name}:3: AcceptTime: 'XYZ' is not a time zone")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!("{name}:4: Reward: '-$0.03' is not a reward")), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("{name}:5: Reward: 'three cents' is not a reward")),
        "{}",
        run.stderr
    );
    assert_eq!(read_back(&out).len(), 27);

    for (content, message) in [
        (&b""[..], "the file is empty"),
        (&b"\xff\xfe\x00garbage\x00\x01\n\x02\x03"[..], "not an MTurk batch-results file"),
        (&b"Submission id,Participant id,Status\n"[..], "the header lacks the columns Reward"),
    ] {
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, content).unwrap();
        let run = piecerate(&["import", "mturk-batch", path_str(&path), "--out", path_str(&out)]);
        assert_eq!(run.status, 1, "{message}");
        assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
    }
    let missing = dir.path().join("missing.csv");
    let run = piecerate(&["import", "mturk-batch", path_str(&missing), "--out", path_str(&out)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains(&format!("cannot open input file {}", path_str(&missing))));
    for salt in ["abc", "zz112233445566778899aabbccddeeff", "00112233445566778899aabbccddeef"] {
        let run = import_mturk(&["transparentcis-qs4-excerpt.csv"], &["--salt", salt], &out);
        assert_eq!(run.status, 2, "{salt}");
    }
    assert_eq!(import_mturk(&["transparentcis-qs4-excerpt.csv"], &["--time-zone", "CET"], &out).status, 2);
}

#[test]
fn prolific_exports_of_both_vintages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("records.csv");
    let old = fixture("prolific-export/ec-sd-survey-excerpt.csv");
    let new = fixture("prolific-export/plot-visualization-excerpt.csv");
    let args = |extra: &[&str]| {
        let mut all =
            vec!["import", "prolific-export", path_str(&old), path_str(&new), "--out", path_str(&out)];
        all.extend(["--reward", "2.50", "--currency", "GBP"]);
        all.extend_from_slice(extra);
        piecerate(&all)
    };
    let run = args(&[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // Old export: 8 approved, 8 rejected, 8 returned (of which 1 completed), 1 screened out;
    // 4 timed out, skipped without --max-minutes.
    assert!(
        run.stderr.contains(
            "ec-sd-survey-excerpt.csv: imported 18 records; skipped 11 rows recording no working time"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("TIMED-OUT: Prolific's time taken (188.3 h)"), "{}", run.stderr);
    // New export: 15 rows wrapped whole in quotes by a spreadsheet, read back.
    assert!(
        run.stderr.contains("of them from rows a spreadsheet had wrapped whole in quotes"),
        "{}",
        run.stderr
    );
    let records = read_back(&out);
    assert!(records.iter().all(|r| r.platform() == analysis::Platform::Prolific));
    let with_max = args(&["--max-minutes", "60"]);
    assert!(with_max.stderr.contains("ec-sd-survey-excerpt.csv: imported 22 records"), "{}", with_max.stderr);
    let capped: Vec<Record> =
        read_back(&out).into_iter().filter(|r| r.outcome() == Some(analysis::Outcome::Abandoned)).collect();
    assert!(!capped.is_empty() && capped.iter().all(|r| r.active().get() <= 3600));

    let run = piecerate(&[
        "import",
        "prolific-export",
        path_str(&old),
        "--out",
        path_str(&out),
        "--reward",
        "2.50",
    ]);
    assert_eq!(run.status, 2, "the currency is required");
    let mturk = fixture("mturk-batch/transparentcis-qs4-excerpt.csv");
    let run = piecerate(&[
        "import",
        "prolific-export",
        path_str(&mturk),
        "--out",
        path_str(&out),
        "--reward",
        "1",
        "--currency",
        "USD",
    ]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("not a Prolific submissions export"), "{}", run.stderr);
}
