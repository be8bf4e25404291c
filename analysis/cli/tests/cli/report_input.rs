//! `piecerate report` on broken, hostile and large input: every bad line named, nothing
//! silently dropped, --strict, exit statuses, and parallel reading equal to one reader.

use std::path::{Path, PathBuf};

use analysis::record::CSV_HEADER;

use crate::common::{fixture, path_str, piecerate};

const GOOD: &str = "00000000-0000-4000-8000-000000000001,w1,mturk,US,task,labeling,approved,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z,3600,5.00,,USD";

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn good_line(id: u32) -> String {
    GOOD.replace("000000000001", &format!("{id:012}"))
}

#[test]
fn bad_lines_are_named_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!(
        "{}\n{}\n{}\n\n{}\n{}\n",
        CSV_HEADER.join(","),
        good_line(1),
        good_line(2).replace("mturk", "fiverr"),
        good_line(3).replace("5.00", "-5"),
        "not,a,record"
    );
    let path = write(dir.path(), "records.csv", input);
    let run = piecerate(&["report", "--input", path_str(&path), "--min-workers", "1", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let name = path_str(&path);
    assert!(
        run.stderr.contains(&format!("{name}:3: platform: 'fiverr' is not a known platform")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{name}:5: reward: '-5' is not a decimal amount")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{name}:6: has 3 fields; record format v1 has 13")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("skipped 3 bad lines (1 records read)"), "{}", run.stderr);
    assert!(run.stdout.contains("\"n_workers\": 1"));

    let strict = piecerate(&["report", "--input", name, "--strict"]);
    assert_eq!(strict.status, 1);
    assert!(strict.stderr.contains(&format!("{name}:3: platform")), "{}", strict.stderr);
    assert!(!strict.stderr.contains(&format!("{name}:5:")), "stops at the first: {}", strict.stderr);
    assert!(strict.stderr.contains("--strict"));
    assert!(strict.stdout.is_empty());
}

#[test]
fn files_that_are_not_records_fail_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let mturk = fixture("mturk-batch/lcp2021-europarl-results-excerpt.csv");
    let run = piecerate(&["report", "--input", path_str(&mturk)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("the header is not record format v1"), "{}", run.stderr);
    assert!(run.stderr.contains("piecerate import"), "{}", run.stderr);

    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let path = write(dir.path(), "garbage.bin", garbage);
    let run = piecerate(&["report", "--input", path_str(&path)]);
    assert_ne!(run.status, 0);
    assert!(run.stderr.contains(path_str(&path)), "{}", run.stderr);

    let missing = dir.path().join("no-such-file.csv");
    let run = piecerate(&["report", "--input", path_str(&missing)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains(&format!("cannot open input file {}", path_str(&missing))), "{}", run.stderr);

    let run = piecerate(&["report", "--input", path_str(dir.path())]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("is a directory"), "{}", run.stderr);
}

#[test]
fn oversized_fields_bom_crlf_quotes_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "x".repeat(1 << 20);
    let input = format!(
        "\u{feff}{}\r\n{}\r\n{}\r\n",
        CSV_HEADER.join(","),
        good_line(1).replace(",w1,", &format!(",{huge},")),
        good_line(2)
    );
    let path = write(dir.path(), "huge.csv", input);
    let run = piecerate(&["report", "--input", path_str(&path), "--min-workers", "1", "--format", "json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(":2: install_id: is 1048576 characters long; the limit is 128"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 2_000, "the 1 MB value is not echoed back");
    assert!(run.stdout.contains("\"n_workers\": 1"));

    // A quoted field spanning two lines: the general reader keeps the line numbers right.
    let input = format!(
        "{}\n\"{}\n\",x\n{}\n",
        CSV_HEADER.join(","),
        good_line(1),
        good_line(2).replace("mturk", "nope")
    );
    let path = write(dir.path(), "quoted.csv", input);
    let run = piecerate(&["report", "--input", path_str(&path), "--min-workers", "1"]);
    assert!(run.stderr.contains(":2: has 2 fields"), "{}", run.stderr);
    assert!(run.stderr.contains(":4: platform: 'nope'"), "{}", run.stderr);

    let empty = write(dir.path(), "empty.csv", "");
    // A report of nothing would read as a finding; reading nothing is an error.
    let run = piecerate(&["report", "--input", path_str(&empty), "--format", "json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no record was read from"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn flags_are_checked() {
    let input = fixture("records/hand-computed.csv");
    let input = path_str(&input);
    for bad in [
        &["--min-workers", "0"][..],
        &["--min-hours", "-1"],
        &["--min-hours", "NaN"],
        &["--min-hours", "inf"],
        &["--max-hourly-usd", "0"],
        &["--max-hourly-usd", "-5"],
        &["--max-hourly-usd", "NaN"],
        &["--max-hourly-usd", "inf"],
        &["--max-hourly-usd", "lots"],
        &["--method", "hourly"],
        &["--method", "session:0"],
        &["--by", "planet"],
        &["--format", "pdf"],
    ] {
        let run = piecerate(&[&["report", "--input", input][..], bad].concat());
        assert_eq!(run.status, 2, "{bad:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(bad[1]) || run.stderr.contains("invalid value"),
            "{bad:?}: {}",
            run.stderr
        );
    }
    assert_eq!(piecerate(&["report"]).status, 2);
}

#[test]
fn the_hourly_cap_is_a_flag_and_its_exclusions_are_counted() {
    let input = fixture("records/hand-computed.csv");
    let input = path_str(&input);
    let refused = piecerate(&["report", "--input", input, "--max-hourly-usd", "0"]);
    assert_eq!(refused.status, 2);
    assert!(
        refused.stderr.contains("not a finite, positive number of dollars an hour"),
        "{}",
        refused.stderr
    );
    let base = ["report", "--input", input, "--min-workers", "1", "--min-hours", "0", "--format", "json"];
    let default: serde_json::Value = serde_json::from_str(&piecerate(&base).ok()).unwrap();
    assert_eq!(default["max_hourly_usd"], 200.0);
    assert_eq!(default["excluded_implausible"], 0);
    let capped: serde_json::Value =
        serde_json::from_str(&piecerate(&[&base[..], &["--max-hourly-usd", "0.01"]].concat()).ok()).unwrap();
    assert_eq!(capped["max_hourly_usd"], 0.01);
    assert!(capped["excluded_implausible"].as_u64().unwrap() > 0, "{capped}");
    assert!(capped["notes"].to_string().contains("implausible"), "{capped}");
}

/// A file above the parallel threshold (8 MiB), read by one thread and by two, gives the same
/// report and the same bad lines at the same line numbers, in CSV and in JSON Lines.
#[test]
fn parallel_reading_equals_one_reader() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["csv", "jsonl"] {
        let small = dir.path().join(format!("small.{format}"));
        piecerate(&[
            "simulate",
            "--workers",
            "40",
            "--seed",
            "11",
            "--out",
            path_str(&small),
            "--format",
            format,
        ])
        .ok();
        let text = std::fs::read_to_string(&small).unwrap();
        let (header, body) =
            if format == "csv" { text.split_once('\n').unwrap() } else { ("", text.as_str()) };
        let mut big = String::new();
        if format == "csv" {
            big.push_str(header);
            big.push('\n');
        }
        while big.len() < 9 << 20 {
            big.push_str(body);
        }
        let lines_so_far = big.lines().count();
        big.push_str("this line is broken\n\n");
        big.push_str(body.lines().next().unwrap());
        big.push('\n');
        let path = write(dir.path(), &format!("big.{format}"), big);
        // The third is filtered: the filter applies in each reading thread's range.
        for grouping in [
            &["--by", "platform,country"][..],
            &["--by", "category,month", "--method", "session:15"],
            &["--by", "platform", "--from", "2024-03-01", "--to", "2024-09-30", "--country", "US,IN,unknown"],
        ] {
            let run = |threads: &str| {
                let args = ["report", "--input", path_str(&path), "--format", "json", "--threads", threads];
                piecerate(&[&args[..], grouping].concat())
            };
            let (one, two) = (run("1"), run("2"));
            assert_eq!(one.status, 0, "{}", one.stderr);
            assert_eq!(one.stdout, two.stdout, "{format} {grouping:?}");
            assert_eq!(one.stderr, two.stderr, "{format} {grouping:?}");
            let expected = format!("{}:{}:", path_str(&path), lines_so_far + 1);
            assert!(one.stderr.contains(&expected), "{format}: {}", one.stderr);
        }
    }
}
