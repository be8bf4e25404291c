//! Provenance in every report, byte-identical reruns, and `report --check` (issue 11): a report
//! names the tool, the time, each input's SHA-256, records and period, every parameter and the
//! reference tables, and can be made again from that.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{TEST_SALT, fixture, path_str, piecerate};

fn sha256(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap()).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn simulated(dir: &Path) -> std::path::PathBuf {
    let records = dir.join("records.csv");
    piecerate(&["simulate", "--workers", "60", "--seed", "11", "--out", path_str(&records)]).ok();
    records
}

#[test]
fn every_report_carries_its_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let records = simulated(dir.path());
    let hand = fixture("records/hand-computed.csv");
    let args = |format: &str| {
        piecerate(&[
            "report",
            "--input",
            path_str(&records),
            path_str(&hand),
            "--by",
            "platform",
            "--min-workers",
            "3",
            "--method",
            "task",
            "--generated-at",
            "2026-01-31T12:00:00Z",
            "--format",
            format,
        ])
        .ok()
    };
    let json: Value = serde_json::from_str(&args("json")).unwrap();
    assert_eq!(json["schema"], "piecerate.report/1", "adding fields keeps the schema");
    let provenance = &json["provenance"];
    assert_eq!(provenance["tool"], "piecerate");
    assert_eq!(provenance["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(provenance["generated_at"], "2026-01-31T12:00:00Z");
    let parameters = &provenance["parameters"];
    assert_eq!(parameters["method"], "task");
    assert_eq!(parameters["by"], "platform");
    assert_eq!(parameters["min_workers"], 3);
    assert_eq!(parameters["min_hours"], 0.5);
    assert_eq!(parameters["max_hourly_usd"], 200.0);
    assert_eq!(parameters["currency_basis"], "usd");
    assert_eq!(parameters["strict"], false);
    let inputs = provenance["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    assert_eq!(inputs[0]["name"], path_str(&records));
    assert_eq!(inputs[0]["sha256"], sha256(&records));
    assert_eq!(inputs[0]["bytes"], std::fs::metadata(&records).unwrap().len());
    assert_eq!(inputs[1]["sha256"], sha256(&hand));
    assert_eq!(inputs[1]["records"], 9);
    assert_eq!(inputs[1]["first_started_at"], "2020-01-15T12:00:00Z");
    assert_eq!(inputs[1]["last_started_at"], "2024-06-03T09:20:00Z");
    assert_eq!(provenance["repeated_records"], 0);
    let tables: Vec<&str> = provenance["reference_tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        tables,
        ["minimum_wages.csv", "usd_exchange_rates.csv", "ppp_factors.csv", "countries.csv", "currencies.csv"]
    );
    assert_eq!(provenance["reference_tables"][0]["sha256"].as_str().unwrap().len(), 12);

    // The other renderings end with the same facts.
    for format in ["csv", "table", "markdown"] {
        let text = args(format);
        assert!(text.contains(&format!("sha256 {}", sha256(&records))), "{format}: {text}");
        assert!(text.contains("Parameters: --method task --by platform --min-workers 3 --min-hours 0.5 --max-hourly-usd 200 --currency-basis usd."), "{format}: {text}");
        assert!(text.contains("at 2026-01-31T12:00:00Z"), "{format}");
        assert!(text.contains("started from 2020-01-15T12:00:00Z to 2024-06-03T09:20:00Z"), "{format}");
        assert!(text.contains("Reference tables: minimum wages (minimum_wages.csv, "), "{format}");
    }
    let csv = args("csv");
    let rows: Vec<&str> = csv.lines().filter(|line| !line.starts_with('#')).collect();
    let rows = rows.join("\n");
    let mut reader = csv::Reader::from_reader(rows.as_bytes());
    assert!(reader.records().all(|row| row.is_ok()), "the rows before the comments are plain CSV");
}

#[test]
fn the_same_inputs_and_time_give_a_byte_identical_report() {
    let dir = tempfile::tempdir().unwrap();
    let records = simulated(dir.path());
    let run = |extra: &[&str], epoch: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_piecerate"));
        command
            .args(["report", "--input", path_str(&records), "--format", "json", "--min-workers", "2"])
            .args(extra);
        match epoch {
            Some(epoch) => command.env("SOURCE_DATE_EPOCH", epoch),
            None => command.env_remove("SOURCE_DATE_EPOCH"),
        };
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        output.stdout
    };
    let fixed = run(&["--generated-at", "2026-01-31T12:00:00Z"], None);
    assert_eq!(fixed, run(&["--generated-at", "2026-01-31T12:00:00Z", "--threads", "3"], None));
    let epoch = run(&[], Some("1769860800"));
    assert_eq!(epoch, run(&[], Some("1769860800")));
    assert_eq!(epoch, fixed, "SOURCE_DATE_EPOCH 1769860800 is 2026-01-31T12:00:00Z");
    let bad = piecerate(&["report", "--input", path_str(&records), "--generated-at", "yesterday"]);
    assert_eq!(bad.status, 2);
    assert!(bad.stderr.contains("--generated-at"), "{}", bad.stderr);
}

#[test]
fn requester_imports_record_their_salt_and_repeats_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imported.csv");
    let batch = fixture("mturk-batch/transparentcis-qs4-excerpt.csv");
    piecerate(&["import", "mturk-batch", path_str(&batch), "--out", path_str(&out), "--salt", TEST_SALT])
        .ok();
    let expected_salt =
        analysis::import::Pseudonymizer::new(&crate::common::salt_bytes()).fingerprint().to_string();
    let json: Value = serde_json::from_str(
        &piecerate(&[
            "report",
            "--input",
            path_str(&out),
            path_str(&out),
            "--min-workers",
            "1",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    let provenance = &json["provenance"];
    assert_eq!(provenance["import_salts"], serde_json::json!([expected_salt]));
    assert_eq!(provenance["inputs"][0]["import_salts"], serde_json::json!([expected_salt]));
    assert_eq!(provenance["repeated_records"], 2);
    assert_eq!(provenance["inputs"][1]["repeated_records"], 2);
    assert_eq!(provenance["inputs"][1]["records"], 0);
}

#[test]
fn check_makes_the_report_again_and_names_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let records = simulated(dir.path());
    let report = dir.path().join("report.json");
    // Run from the directory, so that the recorded name "records.csv" is found again.
    let check = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_piecerate"))
            .current_dir(dir.path())
            .args(["report", "--check"])
            .args(args)
            .output()
            .unwrap();
        (
            output.status.code().unwrap(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let made = Command::new(env!("CARGO_BIN_EXE_piecerate"))
        .current_dir(dir.path())
        .args([
            "report",
            "--input",
            "records.csv",
            "--by",
            "platform,country",
            "--min-workers",
            "2",
            "--method",
            "paid",
            "--format",
            "json",
            "--out",
            "report.json",
        ])
        .status()
        .unwrap();
    assert!(made.success());
    let (status, stdout, stderr) = check(&["report.json"]);
    assert_eq!(status, 0, "{stderr}");
    assert!(stdout.contains("report.json: identical"), "{stdout}");
    // The inputs given again, by another name.
    let moved = dir.path().join("moved.csv");
    std::fs::copy(&records, &moved).unwrap();
    let (status, _, stderr) = check(&["report.json", "--input", path_str(&moved)]);
    assert_eq!(status, 0, "{stderr}");

    // A figure changed in the report: named, exit 1.
    let text = std::fs::read_to_string(&report).unwrap();
    let mut tampered: Value = serde_json::from_str(&text).unwrap();
    let cell = tampered["cells"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|cell| cell["suppressed"] == false)
        .unwrap();
    let (platform, country) = (
        cell["platform"].as_str().unwrap().to_owned(),
        cell["country"].as_str().unwrap_or("unknown").to_owned(),
    );
    cell["median_hourly_usd"] = serde_json::json!(123.0);
    std::fs::write(dir.path().join("tampered.json"), serde_json::to_string_pretty(&tampered).unwrap())
        .unwrap();
    let (status, stdout, stderr) = check(&["tampered.json"]);
    assert_eq!(status, 1);
    assert!(
        stdout.contains(&format!(
            "cell platform={platform} country={country}: median_hourly_usd: 123.0 in the report"
        )),
        "{stdout}"
    );
    assert!(stderr.contains("1 figure differs"), "{stderr}");

    // Other data: refused, by name, before any figure is compared.
    std::fs::write(&moved, std::fs::read_to_string(&records).unwrap().replacen("mturk", "prolific", 1))
        .unwrap();
    let (status, stdout, stderr) = check(&["report.json", "--input", path_str(&moved)]);
    assert_eq!(status, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains(&format!("input {} is not the one the report was made from", path_str(&moved))),
        "{stderr}"
    );
    let (status, _, stderr) = check(&["report.json", "--input", "records.csv", "records.csv"]);
    assert_eq!(status, 1);
    assert!(stderr.contains("made from 1 input, and 2 are given"), "{stderr}");
}

#[test]
fn the_input_hash_is_the_sha256_of_the_whole_file_whichever_reader_reads_it() {
    // Over 8 MiB, so that several threads read it and feed the hash from their blocks; then the
    // same with one quoted field past the middle, which makes the general reader read it all again.
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("large.csv");
    piecerate(&["simulate", "--workers", "400", "--seed", "5", "--out", path_str(&plain)]).ok();
    let bytes = std::fs::read(&plain).unwrap();
    assert!(bytes.len() > 8 << 20, "{} bytes", bytes.len());
    let quoted = dir.path().join("quoted.csv");
    let at = bytes.len() * 3 / 4;
    let at = at + bytes[at..].iter().position(|&byte| byte == b'\n').unwrap() + 1;
    let line_end = at + bytes[at..].iter().position(|&byte| byte == b'\n').unwrap();
    let line = String::from_utf8(bytes[at..line_end].to_vec()).unwrap();
    let line = line.replacen(",task,", ",\"task\",", 1);
    assert!(line.contains('"'));
    std::fs::write(&quoted, [&bytes[..at], line.as_bytes(), &bytes[line_end..]].concat()).unwrap();
    for input in [&plain, &quoted] {
        let out = piecerate(&["report", "--input", path_str(input), "--format", "json"]).ok();
        let json: Value = serde_json::from_str(&out).unwrap();
        let hashed = &json["provenance"]["inputs"][0];
        assert_eq!(hashed["sha256"], sha256(input), "{}", input.display());
        assert_eq!(hashed["bytes"], std::fs::metadata(input).unwrap().len());
    }
}
