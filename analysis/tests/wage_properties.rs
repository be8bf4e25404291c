//! Properties every wage figure must have, whatever the records: checked on random records.

use analysis::{Method, Record, RecordFields, ReportOptions, Timestamp, report, worker_totals};
use proptest::prelude::*;

const OUTCOMES: [&str; 6] = ["submitted", "approved", "rejected", "returned", "abandoned", "screened_out"];
const PLATFORMS: [&str; 3] = ["mturk", "prolific", "toloka"];
const COUNTRIES: [&str; 4] = ["US", "IN", "GB", ""];

/// A random record described by small numbers, so shrinking gives readable counterexamples.
#[derive(Debug, Clone)]
struct Spec {
    worker: u8,
    platform: usize,
    country: usize,
    unpaid: bool,
    outcome: usize,
    start_minute: i64,
    length_seconds: u64,
    active_share: u8,
    reward_cents: u32,
}

fn spec() -> impl Strategy<Value = Spec> {
    (0u8..12, 0..PLATFORMS.len(), 0..COUNTRIES.len(), any::<bool>(), 0..OUTCOMES.len(), 0i64..20_000)
        .prop_flat_map(|(worker, platform, country, unpaid, outcome, start_minute)| {
            (1u64..7200, 0u8..=100, 0u32..5000).prop_map(
                move |(length_seconds, active_share, reward_cents)| Spec {
                    worker,
                    platform,
                    country,
                    unpaid,
                    outcome,
                    start_minute,
                    length_seconds,
                    active_share,
                    reward_cents,
                },
            )
        })
}

fn build(index: usize, spec: &Spec, reward_scale: u32) -> Record {
    let start = Timestamp::from_unix_seconds(1_714_564_800 + spec.start_minute * 60).unwrap();
    let end = Timestamp::from_unix_seconds(start.unix_seconds() + spec.length_seconds as i64).unwrap();
    let active = spec.length_seconds * u64::from(spec.active_share) / 100;
    let reward =
        format!("{}.{:02}", spec.reward_cents * reward_scale / 100, spec.reward_cents * reward_scale % 100);
    let (record_id, install_id) =
        (format!("00000000-0000-4000-8000-{index:012}"), format!("w{}", spec.worker));
    let (start, end, active) = (start.to_string(), end.to_string(), active.to_string());
    let fields = RecordFields {
        record_id: &record_id,
        install_id: &install_id,
        platform: PLATFORMS[spec.platform],
        country: COUNTRIES[spec.country],
        kind: if spec.unpaid { "unpaid" } else { "task" },
        category: if spec.unpaid { "search" } else { "" },
        outcome: if spec.unpaid { "" } else { OUTCOMES[spec.outcome] },
        started_at: &start,
        ended_at: &end,
        active_seconds: &active,
        reward: if spec.unpaid { "" } else { &reward },
        bonus: "",
        currency: if spec.unpaid { "" } else { "USD" },
    };
    Record::from_fields(&fields).unwrap()
}

fn records(specs: &[Spec], reward_scale: u32) -> Vec<Record> {
    specs.iter().enumerate().map(|(index, spec)| build(index, spec, reward_scale)).collect()
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Paid),
        Just(Method::Task),
        Just(Method::All),
        (1u32..120).prop_map(|max_gap_minutes| Method::Session { max_gap_minutes }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn adding_unpaid_time_never_raises_a_wage(specs in prop::collection::vec(spec(), 1..30), extra in spec(), method in method()) {
        let mut with_unpaid = records(&specs, 1);
        let worker = with_unpaid[0].install_id().clone();
        let before = worker_totals(with_unpaid.iter().filter(|r| r.install_id() == &worker), method);
        let mut extra = extra;
        extra.unpaid = true;
        extra.worker = specs[0].worker;
        with_unpaid.push(build(999, &extra, 1));
        let after = worker_totals(with_unpaid.iter().filter(|r| r.install_id() == &worker), method);
        if let (Some(before), Some(after)) = (before.hourly_wage_usd(method), after.hourly_wage_usd(method)) {
            prop_assert!(after <= before + 1e-12, "{after} > {before}");
        }
    }

    #[test]
    fn stricter_methods_count_more_hours(specs in prop::collection::vec(spec(), 1..40), gap in 1u32..120) {
        let records = records(&specs, 1);
        let hours = |method| worker_totals(&records, method).counted_time(method);
        let session = Method::Session { max_gap_minutes: gap };
        prop_assert!(hours(Method::Paid) <= hours(Method::Task));
        prop_assert!(hours(Method::Task) <= hours(Method::All));
        prop_assert!(hours(Method::All) <= hours(session));
    }

    #[test]
    fn scaling_every_reward_scales_every_wage(specs in prop::collection::vec(spec(), 1..30), scale in 2u32..20, method in method()) {
        let options = ReportOptions { method, min_workers: 1, min_hours: 0.0, max_hourly_usd: f64::INFINITY, grouping: "platform".parse().unwrap(), ..ReportOptions::default() };
        let base = report(&records(&specs, 1), options.clone());
        let scaled = report(&records(&specs, scale), options);
        prop_assert_eq!(base.cells.len(), scaled.cells.len());
        for (base, scaled) in base.cells.iter().zip(&scaled.cells) {
            let (Some(base), Some(scaled)) = (&base.statistics, &scaled.statistics) else { continue };
            for (b, s) in [(base.median_hourly_usd, scaled.median_hourly_usd), (base.mean_hourly_usd, scaled.mean_hourly_usd), (base.p90_hourly_usd, scaled.p90_hourly_usd)] {
                // Figures are published to four decimals, so compare within that rounding.
                prop_assert!((b * f64::from(scale) - s).abs() <= 1e-4 * f64::from(scale), "{b} × {scale} != {s}");
            }
        }
    }

    #[test]
    fn no_published_cell_has_fewer_than_k_workers(specs in prop::collection::vec(spec(), 1..80), k in 1u32..8, method in method()) {
        let options = ReportOptions { method, min_workers: k, min_hours: 0.0, max_hourly_usd: f64::INFINITY, grouping: "platform,country".parse().unwrap(), ..ReportOptions::default() };
        let report = report(&records(&specs, 1), options);
        for cell in &report.cells {
            match &cell.statistics {
                Some(statistics) => prop_assert!(statistics.n_workers >= u64::from(k)),
                None => {
                    prop_assert!(cell.suppressed());
                    prop_assert_eq!(cell.n_workers_fewer_than, Some(k));
                }
            }
        }
    }

    #[test]
    fn record_order_does_not_change_the_report(specs in prop::collection::vec(spec(), 1..40), method in method()) {
        let options = ReportOptions { method, min_workers: 1, min_hours: 0.0, max_hourly_usd: f64::INFINITY, grouping: "platform,country,month,category".parse().unwrap(), ..ReportOptions::default() };
        let forward = records(&specs, 1);
        let mut backward = forward.clone();
        backward.reverse();
        prop_assert_eq!(report(&forward, options.clone()), report(&backward, options));
    }

    #[test]
    fn percentiles_are_ordered_and_the_interval_holds_the_median(specs in prop::collection::vec(spec(), 1..80)) {
        let options = ReportOptions { method: Method::All, min_workers: 1, min_hours: 0.0, max_hourly_usd: f64::INFINITY, grouping: Default::default(), ..ReportOptions::default() };
        for cell in report(&records(&specs, 1), options).cells {
            let Some(s) = cell.statistics else { continue };
            prop_assert!(s.p10_hourly_usd <= s.p25_hourly_usd && s.p25_hourly_usd <= s.median_hourly_usd);
            prop_assert!(s.median_hourly_usd <= s.p75_hourly_usd && s.p75_hourly_usd <= s.p90_hourly_usd);
            if let Some([low, high]) = s.median_ci95_usd {
                prop_assert!(low <= s.median_hourly_usd && s.median_hourly_usd <= high);
            }
        }
    }
}
