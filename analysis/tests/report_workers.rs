//! The per-worker rows of a report (`ReportBuilder::finish_with_workers`) are the values its
//! statistics come from: over each published cell's included rows, the mean, the shares below
//! the thresholds, the worker and task counts and the hours are the report's own.

use analysis::report::{CurrencyBasis, Exclusion, Grouping, WorkerWage};
use analysis::simulate::simulate_worker;
use analysis::{Method, ReportBuilder, ReportOptions};

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

fn check(method: Method, by: &str, currency_basis: CurrencyBasis) {
    let options = ReportOptions {
        method,
        grouping: by.parse::<Grouping>().unwrap(),
        min_workers: 3,
        min_hours: 0.5,
        max_hourly_usd: 20.0,
        currency_basis,
    };
    let mut builder = ReportBuilder::new(options.clone());
    let mut plain = ReportBuilder::new(options);
    for index in 0..120 {
        for record in simulate_worker(7, index) {
            builder.add(&record);
            plain.add(&record);
        }
    }
    let (report, workers) = builder.finish_with_workers();
    assert_eq!(report, plain.finish(), "asking for the rows changes no figure");
    let context = format!("{method} by {by} {}", currency_basis.as_str());
    let mut published = 0;
    let mut excluded = [0u64; 3];
    for row in &workers {
        match row.exclusion {
            Some(Exclusion::NotValuedAtPpp) | Some(Exclusion::TooFewHours) => excluded[0] += 1,
            Some(Exclusion::ImplausibleWage) => excluded[1] += 1,
            None => excluded[2] += 1,
        }
    }
    assert_eq!(excluded[0], report.excluded_workers, "{context}");
    assert_eq!(excluded[1], report.excluded_implausible, "{context}");
    for cell in &report.cells {
        let rows: Vec<&WorkerWage> = workers.iter().filter(|row| row.key == cell.key).collect();
        assert!(!rows.is_empty(), "{context}: every cell has rows");
        assert!(rows.iter().all(|row| row.cell_published != cell.suppressed()), "{context}");
        let included: Vec<&&WorkerWage> = rows.iter().filter(|row| row.exclusion.is_none()).collect();
        let Some(statistics) = &cell.statistics else { continue };
        published += 1;
        let wages: Vec<f64> = included.iter().map(|row| row.hourly_wage_usd.unwrap()).collect();
        let n = wages.len() as f64;
        assert_eq!(statistics.n_workers, included.len() as u64, "{context}");
        assert_eq!(round(wages.iter().sum::<f64>() / n, 4), statistics.mean_hourly_usd, "{context}");
        assert_eq!(statistics.n_tasks, included.iter().map(|row| row.totals.tasks).sum::<u64>(), "{context}");
        let paid: u64 = included.iter().map(|row| row.totals.paid_task_time.get()).sum();
        assert_eq!(round(paid as f64 / 3600.0, 3), statistics.hours_paid, "{context}");
        let below_reference = included.iter().filter(|row| row.below_usd_7_25 == Some(true)).count();
        assert_eq!(round(below_reference as f64 / n, 4), statistics.share_below_usd_7_25, "{context}");
        let known: Vec<bool> = included.iter().filter_map(|row| row.below_local_minimum).collect();
        assert_eq!(known.len() as u64, statistics.n_workers_with_known_minimum, "{context}");
        assert_eq!(
            (!known.is_empty())
                .then(|| round(known.iter().filter(|b| **b).count() as f64 / known.len() as f64, 4)),
            statistics.share_below_local_minimum,
            "{context}"
        );
        for row in &included {
            let wage = row.hourly_wage_usd.unwrap();
            assert_eq!(row.below_usd_7_25, Some(wage < 7.25));
            let expected = row.totals.earnings_usd.try_into().map(|e: f64| e / row.counted_hours).unwrap();
            assert_eq!(wage, expected, "{context}: earnings over counted hours");
            if let Some(minimum) = &row.local_minimum
                && minimum.status == "known"
                && row.below_local_minimum.is_some()
            {
                assert!(
                    minimum.hourly_usd.is_some()
                        && minimum.source.is_some()
                        && minimum.in_force_from.is_some()
                );
            }
        }
    }
    assert!(published > 0, "{context}: some cell is published");
}

#[test]
fn per_worker_rows_give_the_reports_figures() {
    for method in [Method::All, Method::Paid, Method::Task, Method::Session { max_gap_minutes: 15 }] {
        for by in ["", "platform,country", "country,month", "platform,category"] {
            check(method, by, CurrencyBasis::Usd);
        }
    }
    check(Method::All, "country", CurrencyBasis::Ppp);
}

#[test]
fn rows_are_in_a_fixed_order() {
    let options = ReportOptions { grouping: "country".parse().unwrap(), ..ReportOptions::default() };
    let mut forward = ReportBuilder::new(options.clone());
    let mut backward = ReportBuilder::new(options);
    let records: Vec<_> = (0..40).flat_map(|index| simulate_worker(3, index)).collect();
    records.iter().for_each(|record| forward.add(record));
    records.iter().rev().for_each(|record| backward.add(record));
    let (_, forward) = forward.finish_with_workers();
    let (_, backward) = backward.finish_with_workers();
    let ids = |rows: &[WorkerWage]| {
        rows.iter().map(|row| (row.key, row.install_id.to_string())).collect::<Vec<_>>()
    };
    assert_eq!(ids(&forward), ids(&backward));
    assert_eq!(forward.len(), backward.len());
}

/// The cells' bootstrap intervals computed over several threads are those of one: the whole
/// report is the same (1,500 workers in three platform cells: enough draws that threads are used).
#[test]
fn the_bootstrap_over_threads_changes_no_figure() {
    let options =
        ReportOptions { grouping: "platform".parse::<Grouping>().unwrap(), ..ReportOptions::default() };
    let mut builders: Vec<ReportBuilder> = (0..3).map(|_| ReportBuilder::new(options.clone())).collect();
    builders[1].finish_over_threads(2);
    builders[2].finish_over_threads(5);
    for index in 0..1500 {
        for record in simulate_worker(11, index) {
            builders.iter_mut().for_each(|builder| builder.add(&record));
        }
    }
    let reports: Vec<_> = builders.into_iter().map(ReportBuilder::finish).collect();
    assert!(
        reports[0]
            .cells
            .iter()
            .filter(|cell| cell.statistics.as_ref().is_some_and(|s| s.mean_ci95_usd.is_some()))
            .count()
            >= 2
    );
    assert_eq!(reports[1], reports[0]);
    assert_eq!(reports[2], reports[0]);
}
