//! Each accounting method and grouping rule on small fixtures whose wages are computed by hand.

use analysis::Dimension;
use analysis::report::{Cell, CellStatistics, broadest_method};
use analysis::{Method, Record, RecordFields, Report, ReportOptions, report};

/// One record from a compact description; times are minutes after 2024-05-01T12:00:00Z.
#[expect(clippy::too_many_arguments, reason = "a table row of a fixture reads best flat")]
fn record(
    id: u32,
    install: &str,
    platform: &str,
    country: &str,
    kind_and_category: (&str, &str),
    outcome: &str,
    minutes: (i64, i64),
    active_seconds: u64,
    reward: &str,
    currency: &str,
) -> Record {
    let at = |minute: i64| {
        analysis::Timestamp::from_unix_seconds(1_714_564_800 + minute * 60).unwrap().to_string()
    };
    let (started_at, ended_at) = (at(minutes.0), at(minutes.1));
    let record_id = format!("00000000-0000-4000-8000-{id:012}");
    let active_seconds = active_seconds.to_string();
    Record::from_fields(&RecordFields {
        record_id: &record_id,
        install_id: install,
        platform,
        country,
        kind: kind_and_category.0,
        category: kind_and_category.1,
        outcome,
        started_at: &started_at,
        ended_at: &ended_at,
        active_seconds: &active_seconds,
        reward,
        bonus: "",
        currency,
    })
    .unwrap()
}

/// Worker A's morning on MTurk:
///   0-10  approved task, $0.50, 600 s active
///   15-20 returned task (offered $1.00), 300 s
///   22-27 rejected task (offered $0.20), 300 s
///   30-40 unpaid search, 600 s
fn worker_a() -> Vec<Record> {
    vec![
        record(1, "a", "mturk", "US", ("task", "labeling"), "approved", (0, 10), 600, "0.50", "USD"),
        record(2, "a", "mturk", "US", ("task", "survey"), "returned", (15, 20), 300, "1.00", "USD"),
        record(3, "a", "mturk", "US", ("task", "labeling"), "rejected", (22, 27), 300, "0.20", "USD"),
        record(4, "a", "mturk", "US", ("unpaid", "search"), "", (30, 40), 600, "", ""),
    ]
}

fn options(method: Method, by: &str) -> ReportOptions {
    ReportOptions {
        method,
        grouping: by.parse().unwrap(),
        min_workers: 1,
        min_hours: 0.0,
        ..ReportOptions::default()
    }
}

fn only_statistics(report: &Report) -> &CellStatistics {
    assert_eq!(report.cells.len(), 1, "{report:#?}");
    report.cells[0].statistics.as_ref().expect("not suppressed")
}

fn check_wage(records: &[Record], method: Method, expected_hourly: f64, expected_unpaid_hours: f64) {
    let report = report(records, options(method, ""));
    let statistics = only_statistics(&report);
    assert!(
        (statistics.median_hourly_usd - expected_hourly).abs() < 1e-4,
        "{method}: {} != {expected_hourly}",
        statistics.median_hourly_usd
    );
    assert!((statistics.hours_unpaid - expected_unpaid_hours).abs() < 1e-3, "{method}");
    assert!((statistics.hours_paid - 600.0 / 3600.0).abs() < 1e-3, "{method}");
}

#[test]
fn each_method_on_a_hand_computed_morning() {
    let records = worker_a();
    // Earnings: only the approved task pays, $0.50.
    // paid: 600 s → 0.50 / (1/6 h) = $3.00/h.
    check_wage(&records, Method::Paid, 3.0, 0.0);
    // task: 600 + 300 + 300 s = 1/3 h → $1.50/h.
    check_wage(&records, Method::Task, 1.5, 600.0 / 3600.0);
    // all: 1,800 s = 1/2 h → $1.00/h.
    check_wage(&records, Method::All, 1.0, 1200.0 / 3600.0);
    // session:3: gaps 10→15 (5 min, too long), 20→22 (2 min), 27→30 (3 min, at the limit):
    // 1,800 + 120 + 180 = 2,100 s → 0.50 / (2100/3600) = $0.857142…/h.
    check_wage(&records, Method::Session { max_gap_minutes: 3 }, 0.5 * 3600.0 / 2100.0, 1500.0 / 3600.0);
    // session:5 also takes the 5-minute gap: 2,400 s → $0.75/h.
    check_wage(&records, Method::Session { max_gap_minutes: 5 }, 0.75, 1800.0 / 3600.0);
}

#[test]
fn foreign_currency_is_converted_at_the_month_rate() {
    // May 2024: the shipped FRED figure for GBP is read back through a one-hour task.
    let one_hour =
        record(9, "p", "prolific", "GB", ("task", "survey"), "approved", (0, 60), 3600, "9.00", "GBP");
    let report = report([&one_hour], options(Method::All, ""));
    let wage = only_statistics(&report).median_hourly_usd;
    let expected = one_hour.earnings_usd().to_string().parse::<f64>().unwrap();
    assert!((wage - expected).abs() < 1e-4);
    assert!(wage > 10.0 && wage < 12.5, "£9 was between $10 and $12.50 in 2024: {wage}");
}

#[test]
fn unpaid_time_is_shared_among_categories_by_task_time() {
    let report = report(&worker_a(), options(Method::All, "category"));
    let cell = |category: &str| -> &Cell {
        report.cells.iter().find(|c| c.key.value(Dimension::Category).as_deref() == Some(category)).unwrap()
    };
    // labeling: tasks of 600 + 300 s, 3/4 of the worker's 1,200 s of task time, so 3/4 of the
    // 600 s of search (450 s) joins the rejected task's 300 s of unpaid time.
    let labeling = cell("labeling").statistics.as_ref().unwrap();
    assert!((labeling.hours_unpaid - (300.0 + 450.0) / 3600.0).abs() < 1e-3);
    assert!((labeling.median_hourly_usd - 0.5 / (1350.0 / 3600.0)).abs() < 1e-4);
    // survey: the returned task (300 s) and 1/4 of the search (150 s); it earned nothing.
    let survey = cell("survey").statistics.as_ref().unwrap();
    assert!((survey.hours_unpaid - 450.0 / 3600.0).abs() < 1e-3);
    assert_eq!(survey.median_hourly_usd, 0.0);
}

#[test]
fn groups_by_platform_country_and_month() {
    let mut records = worker_a();
    records.push(record(
        5,
        "b",
        "prolific",
        "",
        ("task", "survey"),
        "approved",
        (0, 30),
        1800,
        "3.00",
        "USD",
    ));
    let report = report(&records, options(Method::All, "platform,country,month"));
    assert_eq!(report.grouping.to_string(), "platform,country,month");
    let keys: Vec<_> = report
        .cells
        .iter()
        .map(|c| {
            [Dimension::Platform, Dimension::Country, Dimension::Month]
                .map(|dimension| c.key.value(dimension))
        })
        .collect();
    let text = |value: &str| Some(value.to_owned());
    assert_eq!(
        keys,
        vec![[text("mturk"), text("US"), text("2024-05")], [text("prolific"), None, text("2024-05")]]
    );
    // The keys of dimensions not grouped by are absent from the JSON, not null.
    let json = serde_json::to_value(report.document()).unwrap();
    assert!(json["cells"][0].get("category").is_none());
    assert!(json["cells"][1]["country"].is_null());
}

#[test]
fn small_cells_publish_nothing_but_their_bound() {
    let report = report(&worker_a(), ReportOptions { min_workers: 10, ..options(Method::All, "") });
    let json = serde_json::to_value(report.document()).unwrap()["cells"][0].clone();
    assert_eq!(
        json,
        serde_json::json!({
            "suppressed": true,
            "n_workers_fewer_than": 10,
            "contains_simulated": false,
            "contains_requester_data": false
        })
    );
}

#[test]
fn workers_below_the_hour_threshold_are_left_out_and_counted() {
    let mut records = worker_a();
    records.push(record(6, "c", "mturk", "US", ("task", ""), "approved", (0, 5), 300, "0.10", "USD"));
    let report = report(&records, ReportOptions { min_hours: 0.25, ..options(Method::All, "") });
    assert_eq!(report.excluded_workers, 1);
    assert_eq!(only_statistics(&report).n_workers, 1);
}

#[test]
fn share_below_minimum_wages() {
    // Worker a earns $1.00/h in the US (minimum $7.25); worker d earns $20/h in France.
    let mut records = worker_a();
    records.push(record(7, "d", "mturk", "FR", ("task", ""), "approved", (0, 60), 3600, "20", "USD"));
    let report = report(&records, options(Method::All, ""));
    let statistics = only_statistics(&report);
    assert_eq!(statistics.share_below_local_minimum, Some(0.5));
    assert_eq!(statistics.share_below_usd_7_25, 0.5);
    assert_eq!(statistics.median_hourly_usd, 10.5);
    assert_eq!(statistics.median_ci95_usd, None, "two workers cannot give a 95% interval");
}

/// Several methods side by side: every row of a cell is over the workers the broadest method
/// counts. Worker A (above) counts under every method; worker B did 45 minutes of rejected
/// tasks and unpaid search, so `all` and `task` count them and `paid` gives them no wage.
#[test]
fn methods_side_by_side_keep_the_workers_of_the_broadest() {
    let mut records = worker_a();
    records.push(record(
        10,
        "b",
        "mturk",
        "US",
        ("task", "survey"),
        "rejected",
        (0, 30),
        1800,
        "2.00",
        "USD",
    ));
    records.push(record(11, "b", "mturk", "US", ("unpaid", "search"), "", (30, 45), 900, "", ""));
    let methods = [Method::Paid, Method::Task, Method::All];
    assert_eq!(broadest_method(&methods), Ok(Method::All));
    let mut builder =
        analysis::ReportBuilder::new(ReportOptions { min_hours: 0.1, ..options(Method::All, "") });
    for record in &records {
        builder.add(record);
    }
    let side = builder.finish_side_by_side(&methods).unwrap();
    assert_eq!(side.schema(), "piecerate.report/2");
    let rows: Vec<(Option<Method>, &CellStatistics)> =
        side.cells.iter().map(|cell| (cell.method, cell.statistics.as_ref().unwrap())).collect();
    assert_eq!(rows.iter().map(|(method, _)| method.unwrap()).collect::<Vec<_>>(), methods);
    for (_, statistics) in &rows {
        assert_eq!(statistics.n_workers, 2);
        assert_eq!(statistics.n_tasks, 4);
    }
    let (paid, task, all) = (rows[0].1, rows[1].1, rows[2].1);
    // Under paid, B has no counted hour: counted among the workers, not among the wages.
    assert_eq!(paid.n_workers_without_wage, Some(1));
    assert_eq!(paid.mean_hourly_usd, 3.0, "A alone: $0.50 for 10 minutes");
    assert_eq!(task.n_workers_without_wage, Some(0));
    assert_eq!(all.n_workers_without_wage, Some(0));
    // A: $0.50 over 30 counted minutes, $1/h; B: $0 over 45 minutes.
    assert_eq!(all.median_hourly_usd, 0.5);
    // Alone, paid keeps only A: the populations the side-by-side report keeps together.
    let alone = report(&records, ReportOptions { min_hours: 0.1, ..options(Method::Paid, "") });
    assert_eq!(only_statistics(&alone).n_workers, 1);
    assert!(
        side.notes.iter().any(|note| note.contains("Under paid, 1 worker-cell pair")),
        "{:?}",
        side.notes
    );
}

#[test]
fn methods_side_by_side_refuse_what_they_cannot_compare() {
    use analysis::report::SideBySideError;
    assert_eq!(broadest_method(&[Method::All]), Err(SideBySideError::TooFew));
    assert_eq!(broadest_method(&[Method::All, Method::All]), Err(SideBySideError::TooFew));
    let (s15, s30): (Method, Method) = ("session:15".parse().unwrap(), "session:30".parse().unwrap());
    assert_eq!(broadest_method(&[Method::Paid, s15]), Ok(s15));
    assert!(matches!(broadest_method(&[s15, s30]), Err(SideBySideError::TwoSessionGaps(..))));
    let builder = analysis::ReportBuilder::new(options(Method::Paid, ""));
    assert!(matches!(
        builder.finish_side_by_side(&[Method::Paid, Method::All]),
        Err(SideBySideError::NotBuiltUnderBroadest { .. })
    ));
}
