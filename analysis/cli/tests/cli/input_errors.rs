//! Inputs that used to mislead or pass silently (issue 11): each fails loudly with the problem
//! and its fix, or is read as the user meant (gzip, standard input, older Prolific layouts).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use analysis::Record;
use analysis::record::CSV_HEADER;

use crate::common::{TEST_SALT, figures, fixture, path_str, piecerate};

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Runs piecerate with `stdin` as its standard input.
fn piecerate_with_stdin(args: &[&str], stdin: &[u8]) -> crate::common::Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    crate::common::Run {
        status: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn read_back(path: &Path) -> Vec<Record> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    analysis::read_records(file).unwrap().map(|r| r.unwrap()).collect()
}

fn hand_computed() -> PathBuf {
    fixture("records/hand-computed.csv")
}

#[test]
fn an_import_of_nothing_is_an_error_with_one_message_per_problem_and_its_fix() {
    // Issue 11: a file whose every row is refused (times without a zone) imported 0 records,
    // printed one identical error per row and exited 0.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let api = fixture("mturk-batch/nets213-dialog-breakdown-api-excerpt.csv");
    let run = piecerate(&["import", "mturk-batch", path_str(&api), "--out", path_str(&out)]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("has no time zone").count(),
        3,
        "one line, one summary, one error: {}",
        run.stderr
    );
    assert!(run.stderr.contains("1 more row (up to line"), "{}", run.stderr);
    assert!(run.stderr.contains("error: nothing could be imported from"), "{}", run.stderr);
    assert!(run.stderr.contains("--time-zone"), "the fix is named: {}", run.stderr);
    assert!(!out.exists() && !dir.path().join("out.csv.partial").exists());
    // With the zone given, the same file imports.
    let run =
        piecerate(&["import", "mturk-batch", path_str(&api), "--out", path_str(&out), "--time-zone", "EST"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(read_back(&out).len(), 2);
}

#[test]
fn a_report_that_read_nothing_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let header_only = write(dir.path(), "empty.csv", format!("{}\n", CSV_HEADER.join(",")));
    let run = piecerate(&["report", "--input", path_str(&header_only)]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no record was read from"), "{}", run.stderr);
    assert!(run.stdout.is_empty());

    // Issue 11: timestamps without a time zone gave one identical error per line and exit 0.
    let original = std::fs::read_to_string(hand_computed()).unwrap();
    let zoneless = write(dir.path(), "zoneless.csv", original.replace("Z,", ","));
    let run = piecerate(&["report", "--input", path_str(&zoneless)]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let name = path_str(&zoneless);
    assert!(
        run.stderr.contains(&format!("{name}:2: started_at: '2024-05-01T10:00:00' has no time zone; record format v1 needs Z (UTC) or an offset")),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.lines().filter(|line| line.starts_with(name)).count(),
        1,
        "written once: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("8 more lines (up to line 10) had the same problem as line 2"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no record was read"), "{}", run.stderr);
}

#[test]
fn semicolon_separated_files_get_one_message_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(hand_computed()).unwrap();
    let semicolons = write(dir.path(), "records.csv", original.replace(',', ";"));
    let run = piecerate(&["report", "--input", path_str(&semicolons)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("separated by semicolons"), "{}", run.stderr);
    assert!(run.stderr.contains("save the file again as CSV with ','"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    let batch = std::fs::read_to_string(fixture("mturk-batch/lcp2021-europarl-results-excerpt.csv")).unwrap();
    let batch = write(dir.path(), "batch.csv", batch.replace(',', ";"));
    let out = dir.path().join("out.csv");
    let run = piecerate(&["import", "mturk-batch", path_str(&batch), "--out", path_str(&out)]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("separated by semicolons"), "{}", run.stderr);
}

#[test]
fn gzip_files_and_standard_input_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let plain = std::fs::read(hand_computed()).unwrap();
    let compressed = write(dir.path(), "records.csv.gz", gzip(&plain));
    let args = |input: &str| {
        vec!["report", "--input", input, "--min-workers", "1", "--format", "json"]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let expected = figures(&piecerate(&args(path_str(&hand_computed()))).ok());
    assert_eq!(expected["cells"][0]["n_workers"], 3, "{expected}");
    assert_eq!(
        figures(&piecerate(&args(path_str(&compressed))).ok()),
        expected,
        "gzip is detected by its bytes"
    );
    let args_stdin: Vec<String> = args("-");
    let args_stdin: Vec<&str> = args_stdin.iter().map(String::as_str).collect();
    assert_eq!(figures(&piecerate_with_stdin(&args_stdin, &plain).ok()), expected, "- is standard input");
    let compressed_stdin = piecerate_with_stdin(&args_stdin, &gzip(&plain)).ok();
    assert_eq!(figures(&compressed_stdin), expected, "gzip on standard input");
    // The provenance's hash is of the bytes as they came: compressed ones for gzip.
    let recorded: serde_json::Value = serde_json::from_str(&compressed_stdin).unwrap();
    assert_eq!(recorded["provenance"]["inputs"][0]["name"], "-");
    assert_eq!(recorded["provenance"]["inputs"][0]["bytes"], gzip(&plain).len() as u64);
    let twice = piecerate(&["report", "--input", "-", "-"]);
    assert_eq!(twice.status, 1);
    assert!(twice.stderr.contains("standard input (-) is named 2 times"), "{}", twice.stderr);

    let batch = std::fs::read(fixture("mturk-batch/lcp2021-europarl-results-excerpt.csv")).unwrap();
    let batch_gz = write(dir.path(), "batch.csv.gz", gzip(&batch));
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let import = |input: &str, out: &Path| {
        vec!["import", "mturk-batch", input, "--out", path_str(out), "--salt", TEST_SALT]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    piecerate(&import(path_str(&batch_gz), &a)).ok();
    let stdin_args = import("-", &b);
    let stdin_args: Vec<&str> = stdin_args.iter().map(String::as_str).collect();
    let run = piecerate_with_stdin(&stdin_args, &batch);
    assert!(run.stderr.contains("(standard input): imported 30 records"), "{}", run.stderr);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(read_back(&a).len(), 30);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("sim.csv");
    piecerate(&["simulate", "--workers", "300", "--seed", "3", "--out", path_str(&records)]).ok();
    let mut child = Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .args([
            "report",
            "--input",
            path_str(&records),
            "--by",
            "platform,country,month",
            "--min-workers",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -1`: the reader goes away before the report is written.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("Broken pipe") && !stderr.contains("error"), "{stderr}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn negative_numbers_and_country_names_get_a_clear_message() {
    // Issue 11: `--min-hours -1` gave "unexpected argument '-1'".
    let input = hand_computed();
    for (flag, value) in
        [("--min-hours", "-1"), ("--max-hourly-usd", "-5"), ("--min-workers", "-3"), ("--threads", "-2")]
    {
        let run = piecerate(&["report", "--input", path_str(&input), flag, value]);
        assert_eq!(run.status, 2, "{flag}");
        assert!(
            run.stderr.contains(&format!("invalid value '{value}' for '{flag}")),
            "{flag}: {}",
            run.stderr
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let batch = fixture("mturk-batch/transparentcis-qs4-excerpt.csv");
    for (given, code) in
        [("UK", "GB"), ("United Kingdom", "GB"), ("Deutschland", "DE"), ("United States", "US")]
    {
        let run = piecerate(&[
            "import",
            "mturk-batch",
            path_str(&batch),
            "--out",
            path_str(&out),
            "--country",
            given,
        ]);
        assert_eq!(run.status, 2, "{given}");
        assert!(run.stderr.contains(&format!("did you mean {code}?")), "{given}: {}", run.stderr);
    }
}

#[test]
fn under_paid_with_no_minimum_hours_the_note_says_why_workers_were_left_out() {
    // Issue 11: the note said workers "with fewer than 0 counted hours were left out" when they
    // were left out for having no paid work.
    let dir = tempfile::tempdir().unwrap();
    let unpaid_only = write(
        dir.path(),
        "r.csv",
        format!(
            "{}\n00000000-0000-4000-8000-000000000001,w1,mturk,US,task,labeling,rejected,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z,3600,0.50,,USD\n00000000-0000-4000-8000-000000000002,w2,mturk,US,task,labeling,approved,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z,3600,5.00,,USD\n",
            CSV_HEADER.join(",")
        ),
    );
    let run = piecerate(&[
        "report",
        "--input",
        path_str(&unpaid_only),
        "--method",
        "paid",
        "--min-hours",
        "0",
        "--min-workers",
        "1",
    ]);
    let text = run.ok();
    assert!(
        text.contains("1 worker-cell pair with no counted hours under method paid was left out"),
        "{text}"
    );
    assert!(!text.contains("fewer than 0 counted hours"), "{text}");
}

const PROLIFIC_HEADER: &str =
    "Submission id,Participant id,Status,Started at,Completed at,Time taken,Country of residence";

fn import_prolific(dir: &Path, content: &str, extra: &[&str]) -> (crate::common::Run, PathBuf) {
    let export = write(dir, "export.csv", content);
    let out = dir.join("records.csv");
    let mut args = vec![
        "import",
        "prolific-export",
        path_str(&export),
        "--out",
        path_str(&out),
        "--reward",
        "2.00",
        "--currency",
        "GBP",
        "--salt",
        TEST_SALT,
    ];
    args.extend_from_slice(extra);
    let run = piecerate(&args);
    (run, out)
}

#[test]
fn prolific_spans_are_exact_and_the_country_of_residence_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // Issue 11: 288.151 s became 288 only by luck, and .758 → .538 became 166 s, not 165.78.
    let content = format!(
        "{PROLIFIC_HEADER}\nS0001,P0001,APPROVED,2024-07-15T20:16:52.000000Z,2024-07-15T20:21:40.151000Z,,United Kingdom\nS0002,P0002,APPROVED,2024-07-15T20:16:52.758000Z,2024-07-15T20:19:38.538000Z,,Germany\nS0003,P0003,APPROVED,2024-07-15T20:16:52.100000Z,2024-07-15T20:26:52.000000Z,599,CONSENT_REVOKED\n"
    );
    let (run, out) = import_prolific(dir.path(), &content, &["--country", "US"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let records = read_back(&out);
    let spans: Vec<u64> =
        records.iter().map(|r| r.ended_at().seconds_since(r.started_at()).unwrap().get()).collect();
    assert_eq!(spans, [288, 165, 599]);
    assert_eq!(records[1].active().get(), 165);
    let countries: Vec<String> =
        records.iter().map(|r| r.country().map(|c| c.as_str().to_owned()).unwrap_or_default()).collect();
    assert_eq!(countries, ["GB", "DE", "US"], "per row, falling back to --country");

    let unknown = format!(
        "{PROLIFIC_HEADER}\nS0001,P0001,APPROVED,2024-07-15T20:16:52Z,2024-07-15T20:21:40Z,,Atlantis\n"
    );
    let (run, _) = import_prolific(dir.path(), &unknown, &[]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("Country of residence: 'Atlantis' is not a country name"), "{}", run.stderr);
}

#[test]
fn the_older_prolific_layout_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let content = "session_id,participant_id,status,started_datetime,completed_date_time,time_taken,age\n\
                   S0001,P0001,APPROVED,2019-10-24 10:45:22.675000,2019-10-24 10:52:10.123000,407.448,31\n\
                   S0002,P0002,RETURNED,2019-10-24 10:46:00.000000,,,27\n\
                   S0003,P0003,REJECTED,2019-10-24 10:47:00.000000,2019-10-24 10:49:00.500000,120.5,44\n";
    let (run, out) = import_prolific(dir.path(), content, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("imported 2 records; skipped 1 row recording no working time"),
        "{}",
        run.stderr
    );
    let records = read_back(&out);
    assert_eq!(records[0].started_at().to_string(), "2019-10-24T10:45:22Z", "Prolific writes UTC");
    assert_eq!(records[0].active().get(), 407);
    assert_eq!(records[1].outcome(), Some(analysis::Outcome::Rejected));
    // Without session_id, the participant and start time stand for the submission.
    let without_session =
        content.replace("session_id,", "").replace("S0001,", "").replace("S0002,", "").replace("S0003,", "");
    let (run, out) = import_prolific(dir.path(), &without_session, &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(read_back(&out).len(), 2);
}

#[test]
fn an_unpaid_requester_batch_keeps_its_lower_bound_flag_under_paid() {
    let dir = tempfile::tempdir().unwrap();
    let content = format!(
        "{PROLIFIC_HEADER}\nS0001,P0001,APPROVED,2024-07-15T20:00:00Z,2024-07-15T21:00:00Z,3600,United Kingdom\n"
    );
    let export = write(dir.path(), "export.csv", content);
    let out = dir.path().join("records.csv");
    piecerate(&[
        "import",
        "prolific-export",
        path_str(&export),
        "--out",
        path_str(&out),
        "--reward",
        "0.00",
        "--currency",
        "GBP",
    ])
    .ok();
    let json = piecerate(&[
        "report",
        "--input",
        path_str(&out),
        "--method",
        "paid",
        "--min-workers",
        "1",
        "--format",
        "json",
    ])
    .ok();
    assert!(json.contains("\"contains_requester_data\": true"), "{json}");
}
