//! The CSV rendering of a `piecerate.report/1` document, shared by `piecerate report --format
//! csv` and the collector's `GET /v1/wages.csv`, so the two can never drift apart.

use crate::report::{Cell, Dimension, Report};

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

/// The minimum wage of a published cell with a country (see `CellMinimumWage`).
const MINIMUM_WAGE_COLUMNS: [&str; 9] = [
    "n_workers_with_known_minimum",
    "minimum_wage_status",
    "minimum_wage_hourly_local",
    "minimum_wage_currency",
    "minimum_wage_in_force_from",
    "minimum_wage_basis",
    "minimum_wage_source",
    "minimum_wage_hourly_usd",
    "minimum_wage_reason",
];

/// The intervals of the shares and the mean, appended after `currency_basis` so that readers of the columns
/// before them by position keep working.
const INTERVAL_COLUMNS: [&str; 6] = [
    "share_below_local_minimum_ci95_low",
    "share_below_local_minimum_ci95_high",
    "share_below_usd_7_25_ci95_low",
    "share_below_usd_7_25_ci95_high",
    "mean_ci95_low_usd",
    "mean_ci95_high_usd",
];

/// Appended only to reports published under disclosure control (the collector's), so that a
/// researcher's CSV keeps its columns.
const DISCLOSURE_COLUMNS: [&str; 2] = ["complementary_suppression", "wages_rounded_to_usd"];

fn minimum_wage_fields(cell: &Cell) -> Vec<String> {
    let known = cell.statistics.as_ref().map(|s| s.n_workers_with_known_minimum.to_string());
    let Some(minimum) = &cell.minimum_wage else {
        let mut fields = vec![known.unwrap_or_default()];
        fields.resize(MINIMUM_WAGE_COLUMNS.len(), String::new());
        return fields;
    };
    vec![
        known.unwrap_or_default(),
        minimum.status.to_owned(),
        minimum.hourly_local.map(|v| v.to_string()).unwrap_or_default(),
        minimum.currency.clone().unwrap_or_default(),
        minimum.in_force_from.clone().unwrap_or_default(),
        minimum.basis.unwrap_or_default().to_owned(),
        minimum.source.unwrap_or_default().to_owned(),
        minimum.hourly_usd.map(|v| v.to_string()).unwrap_or_default(),
        minimum.reason.clone().unwrap_or_default(),
    ]
}

impl Report {
    /// One row per cell: the grouping keys of the report's `by`, then the statistics (empty where
    /// a cell is suppressed or a value is null), then `contains_requester_data`, then the
    /// minimum wage the cell was compared with, the report's currency basis and the intervals of the shares and the mean.
    pub fn to_csv(&self) -> String {
        let dimensions = self.grouping.dimensions();
        let mut writer = csv::Writer::from_writer(Vec::new());
        let side_by_side = !self.methods.is_empty();
        let header = dimensions
            .iter()
            .map(|dimension| dimension.as_str())
            .chain(side_by_side.then_some("method"))
            .chain(STATISTIC_COLUMNS)
            .chain(["contains_requester_data"])
            .chain(MINIMUM_WAGE_COLUMNS)
            .chain(["currency_basis"])
            .chain(INTERVAL_COLUMNS)
            .chain(side_by_side.then_some("n_workers_without_wage"))
            .chain(self.disclosure.iter().flat_map(|_| DISCLOSURE_COLUMNS));
        writer.write_record(header).expect("writing to memory");
        for cell in &self.cells {
            let mut fields = row(cell, dimensions);
            if side_by_side {
                fields.insert(
                    dimensions.len(),
                    cell.method.map(|method| method.to_string()).unwrap_or_default(),
                );
            }
            fields.extend(minimum_wage_fields(cell));
            fields.push(self.currency_basis.as_str().to_owned());
            fields.extend(interval_fields(cell));
            if side_by_side {
                let without = cell.statistics.as_ref().and_then(|s| s.n_workers_without_wage);
                fields.push(without.map(|count| count.to_string()).unwrap_or_default());
            }
            if self.disclosure.is_some() {
                fields.push(cell.complementary_suppression.to_string());
                let step = cell.statistics.as_ref().and_then(|s| s.wages_rounded_to_usd);
                fields.push(step.map(|step| step.to_string()).unwrap_or_default());
            }
            writer.write_record(fields).expect("writing to memory");
        }
        String::from_utf8(writer.into_inner().expect("writing to memory")).expect("CSV of UTF-8 text")
    }
}

fn interval_fields(cell: &Cell) -> [String; 6] {
    let s = cell.statistics.as_ref();
    let end =
        |interval: Option<[f64; 2]>, i: usize| interval.map(|ends| ends[i].to_string()).unwrap_or_default();
    let local = s.and_then(|s| s.share_below_local_minimum_ci95);
    let reference = s.map(|s| s.share_below_usd_7_25_ci95);
    let mean = s.and_then(|s| s.mean_ci95_usd);
    [end(local, 0), end(local, 1), end(reference, 0), end(reference, 1), end(mean, 0), end(mean, 1)]
}

fn row(cell: &Cell, dimensions: &[Dimension]) -> Vec<String> {
    let text = |value: Option<String>| value.unwrap_or_default();
    let mut fields: Vec<String> =
        dimensions.iter().map(|dimension| text(cell.key.value(*dimension))).collect();
    let s = cell.statistics.as_ref();
    let number = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    fields.push(cell.suppressed().to_string());
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
            mean_ci95_usd: Some([2.2, 4.15]),
            share_below_local_minimum: Some(0.5),
            share_below_local_minimum_ci95: Some([0.2538, 0.7462]),
            n_workers_with_known_minimum: 12,
            share_below_usd_7_25: 0.9167,
            share_below_usd_7_25_ci95: [0.6461, 0.9852],
            n_workers_without_wage: None,
            wages_rounded_to_usd: None,
        };
        let minimum = crate::report::CellMinimumWage {
            status: "known",
            hourly_local: Some(7.25),
            currency: Some("USD".to_owned()),
            in_force_from: Some("2009-07-24".to_owned()),
            basis: Some("statutory"),
            source: Some("VZ/Zipperer historicalminwage (DOL)"),
            hourly_usd: Some(7.25),
            reason: None,
        };
        let cell = |country: Option<&str>, statistics: Option<CellStatistics>| Cell {
            key: crate::report::CellKey {
                platform: Some(crate::Platform::Mturk),
                country: Some(country.map(|code| crate::CountryCode::parse(code).unwrap())),
                month: None,
                category: None,
            },
            method: None,
            n_workers_fewer_than: statistics.is_none().then_some(10),
            minimum_wage: statistics.is_some().then(|| minimum.clone()),
            statistics,
            contains_simulated: false,
            contains_requester_data: true,
            complementary_suppression: false,
        };
        let report = Report {
            method: crate::Method::All,
            methods: Vec::new(),
            grouping: "platform,country".parse().unwrap(),
            currency_basis: crate::report::CurrencyBasis::Usd,
            min_workers: 10,
            min_hours: 0.5,
            max_hourly_usd: 200.0,
            cells: vec![cell(Some("US"), Some(statistics)), cell(None, None)],
            excluded_workers: 0,
            excluded_implausible: 0,
            notes: Vec::new(),
            disclosure: None,
        };
        let expected = "\
platform,country,suppressed,n_workers,n_workers_fewer_than,n_tasks,hours_paid,hours_unpaid,mean_hourly_usd,median_hourly_usd,p10_hourly_usd,p25_hourly_usd,p75_hourly_usd,p90_hourly_usd,median_ci95_low_usd,median_ci95_high_usd,share_below_local_minimum,share_below_usd_7_25,contains_simulated,contains_requester_data,n_workers_with_known_minimum,minimum_wage_status,minimum_wage_hourly_local,minimum_wage_currency,minimum_wage_in_force_from,minimum_wage_basis,minimum_wage_source,minimum_wage_hourly_usd,minimum_wage_reason,currency_basis,share_below_local_minimum_ci95_low,share_below_local_minimum_ci95_high,share_below_usd_7_25_ci95_low,share_below_usd_7_25_ci95_high,mean_ci95_low_usd,mean_ci95_high_usd
mturk,US,false,12,,300,20.5,6.25,3.1,2.05,0.5,1,4,7.5,1.5,2.5,0.5,0.9167,false,true,12,known,7.25,USD,2009-07-24,statutory,VZ/Zipperer historicalminwage (DOL),7.25,,usd,0.2538,0.7462,0.6461,0.9852,2.2,4.15
mturk,,true,,10,,,,,,,,,,,,,,false,true,,,,,,,,,,usd,,,,,,
";
        assert_eq!(report.to_csv(), expected);
    }
}
