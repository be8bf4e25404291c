//! The CSV rendering of a `piecerate.report/1` document, shared by `piecerate report --format
//! csv` and the collector's `GET /v1/wages.csv`, so the two can never drift apart.

use crate::report::{Cell, Report};

/// Columns after the grouping keys, in this order.
const STATISTIC_COLUMNS: [&str; 17] = [
    "suppressed",
    "n_workers",
    "n_workers_fewer_than",
    "n_tasks",
    "hours_paid",
    "hours_unpaid",
    "mean_hourly_usd",
    "median_hourly_usd",
    "p10_hourly_usd",
    "p25_hourly_usd",
    "p75_hourly_usd",
    "p90_hourly_usd",
    "median_ci95_low_usd",
    "median_ci95_high_usd",
    "share_below_local_minimum",
    "share_below_usd_7_25",
    "contains_simulated",
];

impl Report {
    /// One row per cell: the grouping keys of the report's `by`, then the statistics (empty where
    /// a cell is suppressed or a value is null), then `contains_requester_data`.
    pub fn to_csv(&self) -> String {
        let dimensions: Vec<&str> = self.by.split(',').filter(|d| !d.is_empty()).collect();
        let mut writer = csv::Writer::from_writer(Vec::new());
        let header = dimensions.iter().copied().chain(STATISTIC_COLUMNS).chain(["contains_requester_data"]);
        writer.write_record(header).expect("writing to memory");
        for cell in &self.cells {
            writer.write_record(row(cell, &dimensions)).expect("writing to memory");
        }
        String::from_utf8(writer.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
    }
}

fn row(cell: &Cell, dimensions: &[&str]) -> Vec<String> {
    let text = |value: Option<String>| value.unwrap_or_default();
    let mut fields: Vec<String> = dimensions
        .iter()
        .map(|dimension| match *dimension {
            "platform" => text(cell.platform.map(str::to_owned)),
            "country" => text(cell.country.clone().flatten()),
            "month" => text(cell.month.clone()),
            "category" => text(cell.category.flatten().map(str::to_owned)),
            _ => String::new(),
        })
        .collect();
    let s = cell.statistics.as_ref();
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    fields.push(cell.suppressed.to_string());
    fields.push(text(s.map(|s| s.n_workers.to_string())));
    fields.push(text(cell.n_workers_fewer_than.map(|k| k.to_string())));
    fields.push(text(s.map(|s| s.n_tasks.to_string())));
    fields.push(number(s.map(|s| s.hours_paid)));
    fields.push(number(s.map(|s| s.hours_unpaid)));
    fields.push(number(s.map(|s| s.mean_hourly_usd)));
    fields.push(number(s.map(|s| s.median_hourly_usd)));
    fields.push(number(s.map(|s| s.p10_hourly_usd)));
    fields.push(number(s.map(|s| s.p25_hourly_usd)));
    fields.push(number(s.map(|s| s.p75_hourly_usd)));
    fields.push(number(s.map(|s| s.p90_hourly_usd)));
    fields.push(number(s.and_then(|s| s.median_ci95_usd).map(|[low, _]| low)));
    fields.push(number(s.and_then(|s| s.median_ci95_usd).map(|[_, high]| high)));
    fields.push(number(s.and_then(|s| s.share_below_local_minimum)));
    fields.push(number(s.map(|s| s.share_below_usd_7_25)));
    fields.push(cell.contains_simulated.to_string());
    fields.push(cell.contains_requester_data.to_string());
    fields
}

#[cfg(test)]
mod tests {
    use crate::report::{CellStatistics, Report};

    use super::*;

    #[test]
    fn renders_published_and_suppressed_cells() {
        let statistics = CellStatistics {
            n_workers: 12,
            n_tasks: 300,
            hours_paid: 20.5,
            hours_unpaid: 6.25,
            mean_hourly_usd: 3.1,
            median_hourly_usd: 2.05,
            p10_hourly_usd: 0.5,
            p25_hourly_usd: 1.0,
            p75_hourly_usd: 4.0,
            p90_hourly_usd: 7.5,
            median_ci95_usd: Some([1.5, 2.5]),
            share_below_local_minimum: None,
            share_below_usd_7_25: 0.9167,
        };
        let cell = |country: Option<&str>, statistics: Option<CellStatistics>| Cell {
            platform: Some("mturk"),
            country: Some(country.map(str::to_owned)),
            month: None,
            category: None,
            n_workers_fewer_than: statistics.is_none().then_some(10),
            suppressed: statistics.is_none(),
            statistics,
            contains_simulated: false,
            contains_requester_data: true,
        };
        let report = Report {
            schema: crate::report::REPORT_SCHEMA,
            method: "all".to_owned(),
            by: "platform,country".to_owned(),
            min_workers: 10,
            min_hours: 0.5,
            cells: vec![cell(Some("US"), Some(statistics)), cell(None, None)],
            excluded_workers: 0,
            notes: Vec::new(),
        };
        let expected = "\
platform,country,suppressed,n_workers,n_workers_fewer_than,n_tasks,hours_paid,hours_unpaid,mean_hourly_usd,median_hourly_usd,p10_hourly_usd,p25_hourly_usd,p75_hourly_usd,p90_hourly_usd,median_ci95_low_usd,median_ci95_high_usd,share_below_local_minimum,share_below_usd_7_25,contains_simulated,contains_requester_data
mturk,US,false,12,,300,20.5,6.25,3.1,2.05,0.5,1,4,7.5,1.5,2.5,,0.9167,false,true
mturk,,true,,10,,,,,,,,,,,,,,false,true
";
        assert_eq!(report.to_csv(), expected);
    }
}
