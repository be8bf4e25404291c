//! What a paper needs from a report, through the binary: Wilson's 95% interval of every share
//! and the seeded bootstrap interval of the mean in every rendering, checked against independent
//! computations; the LaTeX table; the Markdown's methods paragraph.

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

/// `--format latex`: a booktabs table whose text is fixed here in full (no TeX engine is
/// installed to compile it), after the provenance's comment lines.
#[test]
fn latex_is_a_booktabs_table_with_escaped_text() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(dir.path());
    let input = path_str(&input);
    let text =
        piecerate(&["report", "--input", input, "--by", "country", "--min-hours", "0", "--format", "latex"])
            .ok();
    let comments: Vec<&str> = text.lines().take_while(|line| line.starts_with('%')).collect();
    assert!(comments[0].starts_with("% Made by piecerate "), "{text}");
    assert!(
        comments.iter().any(|line| line.starts_with("% Parameters: --method all --by country")),
        "{text}"
    );
    assert_eq!(comments.last(), Some(&"% Needs \\usepackage{booktabs}."));
    let body: String = text.lines().skip(comments.len()).map(|line| format!("{line}\n")).collect();
    let expected = r#"\begin{table}[htbp]
\centering
\small
\caption{Effective hourly wages in US dollars, method all, by country; cells of at least 10 workers, each with at least 0 counted hours.}
\label{tab:piecerate-wages}
\begin{tabular}{lrrrrrrrrr}
\toprule
Country & Workers & Median \$/h & 95\% CI & Mean \$/h & 95\% CI & Below \$7.25 (\%) & 95\% CI & Below local min.\ (\%) & 95\% CI \\
\midrule
DK & 10 & 5.00 & [5.00, 5.00] & 5.00 & [5.00, 5.00] & 100.0 & [72.2, 100.0] & n/a & n/a \\
GB & 10 & 10.00 & [10.00, 10.00] & 10.00 & [10.00, 10.00] & 0.0 & [0.0, 27.8] & 100.0 & [72.2, 100.0] \\
KE & \multicolumn{9}{l}{suppressed: fewer than 10 workers} \\
US & 13 & 5.00 & [5.00, 5.00] & 5.38 & [5.00, 6.16] & 92.3 & [66.6, 98.7] & 92.3 & [66.6, 98.7] \\
\bottomrule
\end{tabular}
\par\smallskip
\begin{minipage}{\linewidth}\footnotesize
A worker is below the local minimum wage when their earnings are less than what the statutory minimum in force in each month of their counted time (on its first day) would have paid for those hours; workers whose minimum is not known for all their counted time are left out of that share.\par
10 worker-cell pairs in published cells had no known minimum wage for some of their counted time (no statutory minimum, or none in the shipped sources) and are left out of the share below the local minimum.\par
0 worker-cell pairs with no counted hours under method all were left out of the statistics.\par
Read 36 records from 1 file.\par
Wages are earnings converted to US dollars at the month's exchange rate, divided by the hours counted under method all; see docs/methodology.md.\par
Local minimum of DK: not compared: DK has no statutory minimum wage ("Denmark – no national minimum wage" (Eurostat metadata, situation 25 Jan 2018 and 1 Jan 2021); Eurostat 2024: "EU countries without a national minimum wage were: Denmark, Italy, Austria, Finland and Sweden." Date: earliest source is 2018; 2015-01-01 used as series start (no change reported); source: Eurostat earn\_mw\_cur country-specific metadata (2018 and 2021 editions)).\par
Local minimum of GB: 11.44 GBP/h since 2024-04-01 (latest in force in the cell; source: wageguard nmw-rates.json + page excerpts; worth 14.46 US dollars per hour on average over the cell's hours).\par
Local minimum of US: 7.25 USD/h since 2009-07-24 (latest in force in the cell; source: VZ/Zipperer historicalminwage (DOL); worth 7.25 US dollars per hour on average over the cell's hours).\par
\end{minipage}
\end{table}
"#;
    assert_eq!(body, expected);
}

/// The methods paragraph of the Markdown rendering says what this report did: each sentence
/// follows the parameters, the inputs and the reference tables.
#[test]
fn markdown_has_a_methods_paragraph_made_from_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = records(dir.path());
    let input = path_str(&input);
    let methods = |extra: &[&str]| -> String {
        let args =
            [&["report", "--input", input, "--by", "country", "--format", "markdown"][..], extra].concat();
        let text = piecerate(&args).ok();
        text.lines().find(|line| line.starts_with("Methods: ")).unwrap_or_else(|| panic!("{text}")).to_owned()
    };
    let plain = methods(&[]);
    for expected in [
        "from 36 records in record format v1, started between 2024-05-02 and 2024-05-02, read from 1 file: ",
        "records.csv (SHA-256 ",
        "divided by the active time of all their tasks plus every record of unpaid time",
        "(method all)",
        "Workers were grouped by country; in each group, workers with fewer than 0.5 counted hours (0 worker-group pairs) or an effective wage above US$200 an hour (0 pairs, as implausible) were left out, and groups of fewer than 10 workers were suppressed.",
        "percentile bootstrap 95% interval (2000 resamples, ChaCha8 seed 20261201; Efron and Tibshirani 1993)",
        "Wilson's 95% score interval (Wilson 1927; Brown, Cai and DasGupta 2001)",
        "minimum wages (minimum_wages.csv, 572 rows to 2028-01-01, SHA-256 ",
        "exchange rates (usd_exchange_rates.csv, ",
    ] {
        assert!(plain.contains(expected), "{expected}\nnot in\n{plain}");
    }
    assert!(!plain.contains("PPP factors") && !plain.contains("rounded for publication"), "{plain}");
    let other = methods(&[
        "--method",
        "paid",
        "--min-workers",
        "5",
        "--max-hourly-usd",
        "50",
        "--from",
        "2024-05-01",
        "--disclosure-control",
    ]);
    for expected in [
        "divided by the active time of the tasks that paid something (method paid)",
        "above US$50 an hour",
        "groups of fewer than 5 workers were suppressed",
        "Only records started on or after 2024-05-01 were kept.",
        "Figures were rounded for publication: task counts to multiples of 10, hours to multiples of 1, and in groups of fewer than 20 workers the wage statistics and their intervals to multiples of US$0.25",
    ] {
        assert!(other.contains(expected), "{expected}\nnot in\n{other}");
    }
    let ppp = methods(&["--currency-basis", "ppp"]);
    assert!(
        ppp.contains("international dollars at purchasing-power parity")
            && ppp.contains("PPP factors (ppp_factors.csv"),
        "{ppp}"
    );
}
