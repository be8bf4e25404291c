//! Minimum wages as the law set them, through the binary: `piecerate minimum-wage`, and the
//! threshold every report cell with a country carries.

use serde_json::Value;

use crate::common::{fixture, path_str, piecerate};

fn minimum_wage(args: &[&str]) -> Value {
    let mut all = vec!["minimum-wage"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    serde_json::from_str(&piecerate(&all).ok()).expect("JSON")
}

#[test]
fn the_minimum_in_force_on_a_date_with_its_source() {
    let gb = minimum_wage(&["GB", "--date", "2024-07-15"]);
    assert_eq!(gb["country"], "GB");
    assert_eq!(gb["region"], Value::Null);
    assert_eq!(gb["currency"], "GBP");
    assert_eq!(gb["amount"], 11.44);
    assert_eq!(gb["period"], "hour");
    assert_eq!(gb["hourly_local"], 11.44);
    assert_eq!(gb["in_force_from"], "2024-04-01");
    assert!(gb["source"].as_str().unwrap().contains("wageguard"));
    // Converted at July 2024's FRED rate (about 0.78 pounds per dollar).
    let usd = gb["hourly_usd"].as_f64().unwrap();
    assert!((14.0..15.5).contains(&usd), "{usd}");
    for key in ["note", "source_file"] {
        assert!(gb[key].is_string(), "{key}");
    }
    // Other countries and dates in the sources.
    let check = |args: &[&str], hourly: f64, since: &str| {
        let answer = minimum_wage(args);
        assert_eq!(answer["hourly_local"], hourly, "{args:?}");
        assert_eq!(answer["in_force_from"], since, "{args:?}");
    };
    check(&["GB", "--date", "2024-03-31"], 10.42, "2023-04-01");
    check(&["DE", "--date", "2022-10-01"], 12.0, "2022-10-01");
    check(&["FR", "--date", "2023-06-01"], 11.52, "2023-05-01");
    // The statutory R$1,045 a month over 220 hours, not a dollar figure times a rate.
    check(&["BR", "--date", "2020-07-01"], 4.75, "2020-02-01");
    check(&["US-CA", "--date", "2025-03-01"], 16.5, "2025-01-01");
    check(&["US-TX", "--date", "2025-03-01"], 7.25, "2009-07-24");
    check(&["CA-ON", "--date", "2024-10-01"], 17.2, "2024-10-01");

    let denmark = minimum_wage(&["DK", "--date", "2024-01-01"]);
    assert_eq!(denmark["status"], "none");
    assert_eq!(denmark["hourly_local"], Value::Null);
    assert!(denmark["reason"].as_str().unwrap().contains("no statutory minimum"));
    let nigeria = minimum_wage(&["NG", "--date", "2025-01-01"]);
    assert_eq!(nigeria["status"], "unknown");
    assert_eq!(nigeria["amount"], 70000.0);
    assert!(nigeria["reason"].as_str().unwrap().contains("no statutory hours"));

    let text = piecerate(&["minimum-wage", "GB", "--date", "2024-07-15"]).ok();
    assert!(text.contains("11.44 GBP per hour") && text.contains("in force from: 2024-04-01"), "{text}");
}

#[test]
fn unknown_codes_and_dates_are_refused_with_the_right_one() {
    for (args, expected) in [
        (vec!["UK"], "did you mean GB?"),
        (vec!["Germany"], "did you mean DE?"),
        (vec!["US-ZZ"], "not a region of US"),
        (vec!["GB", "--date", "2024-02-30"], "is not a date like 2024-07-15"),
        (vec!["GB", "--format", "xml"], "invalid value 'xml'"),
    ] {
        let mut all = vec!["minimum-wage"];
        all.extend(args.iter().copied());
        let run = piecerate(&all);
        assert_eq!(run.status, 2, "{args:?}");
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    }
    let long = "Ä".repeat(10_000);
    let run = piecerate(&["minimum-wage", &long]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("is not an ISO 3166-1 country code"), "{}", run.stderr);
}

/// `piecerate report` on one file by country, every cell published, with more flags.
fn report_by_country(records: &std::path::Path, flags: &[&str]) -> String {
    let mut args = vec!["report", "--input", path_str(records), "--by", "country", "--min-workers", "1"];
    args.extend_from_slice(flags);
    piecerate(&args).ok()
}

/// One worker's two hours, one each side of the UK's April 2024 change, paid `march` and
/// `april` pounds.
fn change_date_records(install: &str, march: &str, april: &str, first_id: u32) -> String {
    let task = |id: u32, day: &str, reward: &str| {
        format!(
            "00000000-0000-4000-8000-{id:012},{install},prolific,GB,task,survey,approved,{day}T10:00:00Z,{day}T11:00:00Z,3600,{reward},,GBP\n"
        )
    };
    task(first_id, "2024-03-15", march) + &task(first_id + 1, "2024-04-15", april)
}

#[test]
fn paid_exactly_the_minimum_across_a_change_date_is_not_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.csv");
    let header = "record_id,install_id,platform,country,kind,category,outcome,started_at,ended_at,active_seconds,reward,bonus,currency\n";
    let exact = change_date_records("exactly-the-minimum", "10.42", "11.44", 1);
    let short = change_date_records("a-penny-short", "10.42", "11.43", 3);
    for (records, below) in [(&exact, 0.0), (&short, 1.0)] {
        std::fs::write(&path, format!("{header}{records}")).unwrap();
        let report: Value = serde_json::from_str(
            &piecerate(&[
                "report",
                "--input",
                path_str(&path),
                "--by",
                "country",
                "--min-workers",
                "1",
                "--format",
                "json",
            ])
            .ok(),
        )
        .unwrap();
        let cell = &report["cells"][0];
        assert_eq!(cell["share_below_local_minimum"], below, "{records}");
        assert_eq!(cell["minimum_wage"]["hourly_local"], 11.44);
        assert_eq!(cell["minimum_wage"]["in_force_from"], "2024-04-01");
    }
}

#[test]
fn a_report_on_a_july_2024_uk_export_uses_the_national_living_wage_of_then() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records.csv");
    let export = fixture("prolific-export/ec-sd-survey-excerpt.csv");
    piecerate(&[
        "import",
        "prolific-export",
        path_str(&export),
        "--out",
        path_str(&records),
        "--reward",
        "2.50",
        "--currency",
        "GBP",
        "--country",
        "GB",
    ])
    .ok();
    for format in ["json", "csv", "markdown", "table"] {
        let out = report_by_country(&records, &["--min-hours", "0", "--format", format]);
        match format {
            "json" => {
                let report: Value = serde_json::from_str(&out).unwrap();
                let minimum = &report["cells"][0]["minimum_wage"];
                assert_eq!(minimum["hourly_local"], 11.44, "{out}");
                assert_eq!(minimum["currency"], "GBP");
                assert_eq!(minimum["in_force_from"], "2024-04-01");
                assert_eq!(minimum["status"], "known");
                assert!(minimum["source"].is_string() && minimum["hourly_usd"].is_number());
            }
            "csv" => assert!(out.contains(",known,11.44,GBP,2024-04-01,statutory,"), "{out}"),
            _ => assert!(out.contains("11.44 GBP/h since 2024-04-01"), "{format}: {out}"),
        }
    }
}

#[test]
fn reports_at_purchasing_power_parity_say_so() {
    let records = fixture("records/hand-computed.csv");
    let run = |basis: &str| -> Value {
        serde_json::from_str(&report_by_country(&records, &["--currency-basis", basis, "--format", "json"]))
            .unwrap()
    };
    let (usd, ppp) = (run("usd"), run("ppp"));
    assert_eq!(usd["currency_basis"], "usd");
    assert_eq!(ppp["currency_basis"], "ppp");
    assert!(
        ppp["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("international dollars"))
    );
    // A US worker's dollar is one international dollar: the US cells agree.
    let us = |report: &Value| {
        report["cells"].as_array().unwrap().iter().find(|c| c["country"] == "US").cloned().unwrap()
    };
    assert_eq!(us(&usd)["median_hourly_usd"], us(&ppp)["median_hourly_usd"]);
    let bad = piecerate(&["report", "--input", path_str(&records), "--currency-basis", "eur"]);
    assert_eq!(bad.status, 2);
    assert!(bad.stderr.contains("expected usd or ppp"), "{}", bad.stderr);
}
