//! A report's cells as a table (`piecerate report --format parquet`): the columns of the
//! report's CSV rendering (`analysis::report_csv`), which stays their one definition, each with
//! its type, so that the two forms cannot drift apart.

use analysis::report::Report;

use crate::table::{Column, Table, Values};

/// Columns of whole numbers (counts).
const INTEGER_COLUMNS: [&str; 5] = [
    "n_workers",
    "n_workers_fewer_than",
    "n_tasks",
    "n_workers_with_known_minimum",
    "n_workers_without_wage",
];
const BOOLEAN_COLUMNS: [&str; 4] =
    ["suppressed", "contains_simulated", "contains_requester_data", "complementary_suppression"];
/// Words and dates; the other columns are numbers.
const TEXT_COLUMNS: [&str; 12] = [
    "method",
    "platform",
    "country",
    "month",
    "category",
    "minimum_wage_status",
    "minimum_wage_currency",
    "minimum_wage_in_force_from",
    "minimum_wage_basis",
    "minimum_wage_source",
    "minimum_wage_reason",
    "currency_basis",
];

/// One row per cell, with the CSV rendering's columns; an empty CSV field is null.
pub fn report_table(report: &Report) -> Table {
    let csv = report.to_csv();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> =
        reader.headers().expect("the report's own CSV").iter().map(str::to_owned).collect();
    let rows: Vec<csv::StringRecord> =
        reader.records().collect::<Result<_, _>>().expect("the report's own CSV");
    let columns = header
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let fields = rows.iter().map(|row| Some(&row[index]).filter(|field| !field.is_empty()));
            let values = if INTEGER_COLUMNS.contains(&name.as_str()) {
                Values::Integer(fields.map(|field| field.map(|f| f.parse().expect("a count"))).collect())
            } else if BOOLEAN_COLUMNS.contains(&name.as_str()) {
                Values::Boolean(fields.map(|field| field.map(|f| f == "true")).collect())
            } else if TEXT_COLUMNS.contains(&name.as_str()) {
                Values::Text(fields.map(|field| field.map(str::to_owned)).collect())
            } else {
                // A statistic: Rust wrote the shortest text of the number, which reads back as it.
                Values::Float(fields.map(|field| field.map(|f| f.parse().expect("a number"))).collect())
            };
            Column::new(name.clone(), values)
        })
        .collect();
    Table { columns }
}
