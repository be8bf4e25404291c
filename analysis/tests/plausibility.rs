//! The plausibility rule: a worker-cell whose effective hourly wage is above `max_hourly_usd`
//! carries no weight in the report, and is counted.

use analysis::report::{CellStatistics, DEFAULT_MAX_HOURLY_USD};
use analysis::{Record, RecordFields, ReportOptions, report};

/// One approved prolific task in GB starting at 2024-05-01T12:00:00Z, `minutes` long (all
/// active), paying `reward` US dollars.
fn task(id: u32, install: &str, minutes: i64, reward: &str) -> Record {
    let at = |minute: i64| {
        analysis::Timestamp::from_unix_seconds(1_714_564_800 + minute * 60).unwrap().to_string()
    };
    let (started_at, ended_at) = (at(0), at(minutes));
    let record_id = format!("00000000-0000-4000-8000-{id:012}");
    let active_seconds = (minutes * 60).to_string();
    Record::from_fields(&RecordFields {
        record_id: &record_id,
        install_id: install,
        platform: "prolific",
        country: "GB",
        kind: "task",
        category: "survey",
        outcome: "approved",
        started_at: &started_at,
        ended_at: &ended_at,
        active_seconds: &active_seconds,
        reward,
        bonus: "",
        currency: "USD",
    })
    .unwrap()
}

/// Twelve real workers, one hour each, between $3 and $14 an hour.
fn real_cell() -> Vec<Record> {
    (0..12u32).map(|w| task(w, &format!("worker{w}"), 60, &format!("{}.50", 3 + w))).collect()
}

fn options() -> ReportOptions {
    ReportOptions { grouping: "platform,country".parse().unwrap(), ..ReportOptions::default() }
}

fn statistics(records: &[Record], options: ReportOptions) -> (CellStatistics, u64, u64, Vec<String>) {
    let report = report(records, options);
    assert_eq!(report.cells.len(), 1, "{report:#?}");
    let statistics = report.cells[0].statistics.clone().expect("a published cell");
    (statistics, report.excluded_implausible, report.excluded_workers, report.notes)
}

#[test]
fn fifteen_fake_installs_paid_1000_dollars_for_half_an_hour_move_no_published_figure() {
    let real = real_cell();
    let (before, implausible_before, excluded_before, _) = statistics(&real, options());
    assert_eq!(before.n_workers, 12);
    assert_eq!(implausible_before, 0);
    let mut attacked = real.clone();
    attacked.extend((0..15u32).map(|f| task(100 + f, &format!("fake{f}"), 30, "1000.00")));
    let (after, implausible, excluded, notes) = statistics(&attacked, options());
    assert_eq!(after, before, "every published figure of the cell is unchanged");
    assert_eq!(implausible, 15);
    assert_eq!(excluded, excluded_before, "the min-hours count is not where they go");
    assert!(
        notes
            .iter()
            .any(|note| note.starts_with("15 worker-cell pairs with an effective hourly wage above 200")),
        "{notes:?}"
    );
}

#[test]
fn a_worker_exactly_at_the_cap_is_kept_and_one_a_cent_an_hour_above_is_left_out() {
    assert_eq!(DEFAULT_MAX_HOURLY_USD, 200.0);
    let single = ReportOptions { min_workers: 1, ..options() };
    let (at_cap, implausible, _, notes) = statistics(&[task(1, "at-cap", 60, "200.00")], single.clone());
    assert_eq!((at_cap.n_workers, at_cap.median_hourly_usd, implausible), (1, 200.0, 0));
    assert!(!notes.iter().any(|note| note.contains("implausible")), "{notes:?}");
    let above = report(&[task(2, "above", 60, "200.01")], single.clone());
    assert_eq!(above.excluded_implausible, 1);
    assert!(above.cells[0].suppressed(), "{above:#?}");
    // A lower cap set by the caller is honoured the same way.
    let lower = report(&real_cell(), ReportOptions { max_hourly_usd: 10.0, ..single });
    assert_eq!(lower.excluded_implausible, 5, "the workers at $10.50 to $14.50");
    assert_eq!(lower.cells[0].statistics.as_ref().unwrap().n_workers, 7);
    assert_eq!(lower.max_hourly_usd, 10.0);
}

#[test]
fn the_count_and_the_cap_are_in_the_document() {
    let mut records = real_cell();
    records.push(task(99, "fake", 30, "1000.00"));
    let json = serde_json::to_value(report(&records, options()).document()).unwrap();
    assert_eq!(json["excluded_implausible"], 1);
    assert_eq!(json["max_hourly_usd"], 200.0);
}
