//! The uncertainty of every share a report gives, through the binary: Wilson's 95% interval of
//! the shares below $7.25 and below the local minimum, in every rendering, checked against an
//! independent computation of the formula.

use serde_json::Value;

use crate::common::{path_str, piecerate};

/// Records of `workers` workers on one platform and in one country, each with one approved
/// hour-long task paying `dollars` in May 2024: every worker's wage is `dollars` an hour.
fn workers(csv: &mut String, platform: &str, country: &str, workers: usize, dollars: &str) {
    for _ in 0..workers {
        let n = csv.lines().count();
        csv.push_str(&format!(
            "00000000-0000-4000-8000-{n:012},w-{n},{platform},{country},task,labeling,approved,2024-05-02T10:00:00Z,2024-05-02T11:00:00Z,3600,{dollars},,USD\n"
        ));
    }
}

/// Twelve US workers at $5 an hour and one at $10 (12 of 13 below both $7.25 and the federal
/// minimum); ten British workers at $10 (none below $7.25, all below the £11.44 minimum); ten
/// Danish workers at $5 (Denmark has no statutory minimum); three Kenyan workers, suppressed.
fn records(dir: &std::path::Path) -> std::path::PathBuf {
    let mut csv = String::from(
        "record_id,install_id,platform,country,kind,category,outcome,started_at,ended_at,active_seconds,reward,bonus,currency\n",
    );
    workers(&mut csv, "mturk", "US", 12, "5.00");
    workers(&mut csv, "mturk", "US", 1, "10.00");
    workers(&mut csv, "prolific", "GB", 10, "10.00");
    workers(&mut csv, "prolific", "DK", 10, "5.00");
    workers(&mut csv, "toloka", "KE", 3, "5.00");
    let path = dir.join("records.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

fn cell<'a>(report: &'a Value, country: &str) -> &'a Value {
    report["cells"].as_array().unwrap().iter().find(|cell| cell["country"] == country).unwrap()
}

/// The expected ends are Wilson's interval as statsmodels computes it
/// (`proportion_confint(k, n, alpha=0.05, method="wilson")`), written out in Python with
/// z = 1.959963984540054:
///
/// ```python
/// p = k / n; d = 1 + z*z/n; c = (p + z*z/(2*n)) / d
/// h = z * sqrt(p*(1-p)/n + z*z/(4*n*n)) / d
/// (c - h, c + h)
/// ```
///
/// 12/13 = (0.666860490789, 0.986289578757); 0/10 = (0, 0.277532799863);
/// 10/10 = (0.722467200137, 1). The report rounds them outward to 4 decimals.
#[test]
fn every_share_has_its_wilson_interval() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(dir.path());
    let input = path_str(&input);
    let args = ["report", "--input", input, "--by", "country", "--min-hours", "0"];
    let report: Value =
        serde_json::from_str(&piecerate(&[&args[..], &["--format", "json"]].concat()).ok()).unwrap();
    assert_eq!(report["schema"], "piecerate.report/1");
    let us = cell(&report, "US");
    assert_eq!(us["share_below_usd_7_25"], 0.9231);
    assert_eq!(us["share_below_usd_7_25_ci95"], serde_json::json!([0.6668, 0.9863]));
    assert_eq!(us["share_below_local_minimum"], 0.9231);
    assert_eq!(us["share_below_local_minimum_ci95"], serde_json::json!([0.6668, 0.9863]));
    let gb = cell(&report, "GB");
    assert_eq!(gb["share_below_usd_7_25_ci95"], serde_json::json!([0.0, 0.2776]));
    assert_eq!(gb["share_below_local_minimum"], 1.0);
    assert_eq!(gb["share_below_local_minimum_ci95"], serde_json::json!([0.7224, 1.0]));
    // No minimum, no share and no interval; a suppressed cell has neither interval.
    let dk = cell(&report, "DK");
    assert_eq!(dk["share_below_local_minimum"], Value::Null);
    assert_eq!(dk["share_below_local_minimum_ci95"], Value::Null);
    assert_eq!(dk["share_below_usd_7_25_ci95"], serde_json::json!([0.7224, 1.0]));
    let ke = cell(&report, "KE");
    assert_eq!(ke["suppressed"], true);
    assert!(ke.as_object().unwrap().keys().all(|key| !key.contains("ci95")), "{ke}");

    let csv = piecerate(&[&args[..], &["--format", "csv"]].concat()).ok();
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = |country: &str| rows.iter().find(|row| &row[column("country")] == country).unwrap();
    let ends = |row: &csv::StringRecord, share: &str| {
        (
            row[column(&format!("{share}_ci95_low"))].to_owned(),
            row[column(&format!("{share}_ci95_high"))].to_owned(),
        )
    };
    assert_eq!(ends(row("US"), "share_below_usd_7_25"), ("0.6668".to_owned(), "0.9863".to_owned()));
    assert_eq!(ends(row("GB"), "share_below_local_minimum"), ("0.7224".to_owned(), "1".to_owned()));
    assert_eq!(ends(row("DK"), "share_below_local_minimum"), (String::new(), String::new()));
    assert_eq!(ends(row("KE"), "share_below_usd_7_25"), (String::new(), String::new()));

    // The people's renderings give each share with its interval, in percent, rounded outward.
    for format in ["table", "markdown"] {
        let text = piecerate(&[&args[..], &["--format", format]].concat()).ok();
        assert!(text.contains("below $7.25 (95% CI)"), "{text}");
        assert!(text.contains("92.3% (66.6–98.7)"), "{text}");
        assert!(text.contains("0.0% (0.0–27.8)"), "{text}");
        assert!(text.contains("100.0% (72.2–100.0)"), "{text}");
    }
}

/// The bootstrap interval of the mean, against its exact answer. Resampling the US cell's
/// thirteen wages (twelve of $5, one of $10) gives the mean 5 + 5K/13 with K ~ Binomial(13,
/// 1/13): P(K = 0) = 0.353, P(K ≤ 2) = 0.927, P(K ≤ 3) = 0.986. So the 2.5% percentile of the
/// resampled means is $5 and the 97.5% percentile is 5 + 15/13 = $6.153846 (with 2,000 resamples
/// the empirical 97.5% point is more than four standard errors from either neighbouring K), and
/// the ends rounded outward are [5, 6.1539]. Ten equal wages give [10, 10].
#[test]
fn the_mean_has_a_seeded_bootstrap_interval() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(dir.path());
    let input = path_str(&input);
    let args = ["report", "--input", input, "--by", "country", "--min-hours", "0", "--format", "json"];
    let text = piecerate(&args).ok();
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(cell(&report, "US")["mean_ci95_usd"], serde_json::json!([5.0, 6.1539]));
    assert_eq!(cell(&report, "GB")["mean_ci95_usd"], serde_json::json!([10.0, 10.0]));
    assert!(cell(&report, "KE").get("mean_ci95_usd").is_none());
    // The seed is fixed: the same inputs give the same report, byte for byte.
    assert_eq!(piecerate(&args).ok(), text);

    // Under disclosure control a cell of fewer than 20 workers gives it outward to $0.25.
    let rounded: Value =
        serde_json::from_str(&piecerate(&[&args[..], &["--disclosure-control"]].concat()).ok()).unwrap();
    assert_eq!(cell(&rounded, "US")["mean_ci95_usd"], serde_json::json!([5.0, 6.25]));

    let csv =
        piecerate(&["report", "--input", input, "--by", "country", "--min-hours", "0", "--format", "csv"])
            .ok();
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with("share_below_usd_7_25_ci95_high,mean_ci95_low_usd,mean_ci95_high_usd"),
        "{header}"
    );
    assert!(csv.lines().any(|line| line.starts_with("US,") && line.ends_with(",5,6.1539")), "{csv}");
    let table = piecerate(&["report", "--input", input, "--by", "country", "--min-hours", "0"]).ok();
    assert!(table.contains("95% CI of mean") && table.contains("5.00–6.16"), "{table}");
}
