//! The per-worker table of `piecerate workers`: one row per worker and cell of a report, with
//! the values the report's statistics were computed from (`analysis::report::WorkerWage`).
//! Column names follow the report's CSV where they mean the same (`docs/report-format.md`).

use analysis::US_FEDERAL_MINIMUM_HOURLY_USD;
use analysis::report::{Report, WorkerWage};
use rust_decimal::prelude::ToPrimitive;

use crate::table::{Column, Table, Values};

/// The table of `rows`, which `report` was made with: the report's grouping keys, then the
/// worker's values.
pub fn worker_table(report: &Report, rows: &[WorkerWage]) -> Table {
    let text = |value: fn(&WorkerWage) -> Option<String>| Values::Text(rows.iter().map(value).collect());
    let float = |value: fn(&WorkerWage) -> Option<f64>| Values::Float(rows.iter().map(value).collect());
    let boolean = |value: fn(&WorkerWage) -> Option<bool>| Values::Boolean(rows.iter().map(value).collect());
    let constant = |value: String| Values::Text(vec![Some(value); rows.len()]);
    let mut columns = vec![Column::new("install_id", text(|row| Some(row.install_id.to_string())))];
    for &dimension in report.grouping.dimensions() {
        columns.push(Column::new(
            dimension.as_str(),
            Values::Text(rows.iter().map(|row| row.key.value(dimension)).collect()),
        ));
    }
    let hours = |seconds: analysis::Seconds| Some(seconds.hours());
    columns.extend([
        Column::new("method", constant(report.method.to_string())),
        Column::new("currency_basis", constant(report.currency_basis.as_str().to_owned())),
        Column::new(
            "n_tasks",
            Values::Integer(rows.iter().map(|row| i64::try_from(row.totals.tasks).ok()).collect()),
        ),
        Column::new("earnings_usd", float(|row| row.totals.earnings_usd.to_f64())),
        Column::new(
            "hours_paid_tasks",
            Values::Float(rows.iter().map(|row| hours(row.totals.paid_task_time)).collect()),
        ),
        Column::new(
            "hours_unpaid_tasks",
            Values::Float(rows.iter().map(|row| hours(row.totals.unpaid_task_time)).collect()),
        ),
        Column::new(
            "hours_unpaid_records",
            Values::Float(rows.iter().map(|row| hours(row.totals.unpaid_record_time)).collect()),
        ),
        Column::new(
            "hours_session_gaps",
            Values::Float(rows.iter().map(|row| hours(row.totals.session_gap_time)).collect()),
        ),
        Column::new("hours_counted", float(|row| Some(row.counted_hours))),
        Column::new("hourly_wage_usd", float(|row| row.hourly_wage_usd)),
        Column::new(
            "minimum_wage_status",
            text(|row| row.local_minimum.as_ref().map(|m| m.status.to_owned())),
        ),
        Column::new(
            "minimum_wage_hourly_local",
            float(|row| row.local_minimum.as_ref().and_then(|m| m.hourly_local)),
        ),
        Column::new(
            "minimum_wage_currency",
            text(|row| row.local_minimum.as_ref().and_then(|m| m.currency.clone())),
        ),
        Column::new(
            "minimum_wage_in_force_from",
            text(|row| row.local_minimum.as_ref().and_then(|m| m.in_force_from.clone())),
        ),
        Column::new(
            "minimum_wage_basis",
            text(|row| row.local_minimum.as_ref().and_then(|m| m.basis.map(str::to_owned))),
        ),
        Column::new(
            "minimum_wage_source",
            text(|row| row.local_minimum.as_ref().and_then(|m| m.source.map(str::to_owned))),
        ),
        Column::new(
            "minimum_wage_hourly_usd",
            float(|row| row.local_minimum.as_ref().and_then(|m| m.hourly_usd)),
        ),
        Column::new(
            "minimum_wage_reason",
            text(|row| row.local_minimum.as_ref().and_then(|m| m.reason.clone())),
        ),
        Column::new("below_local_minimum", boolean(|row| row.below_local_minimum)),
        Column::new(
            "reference_hourly_usd",
            Values::Float(vec![Some(US_FEDERAL_MINIMUM_HOURLY_USD); rows.len()]),
        ),
        Column::new("below_usd_7_25", boolean(|row| row.below_usd_7_25)),
        Column::new("included", boolean(|row| Some(row.exclusion.is_none()))),
        Column::new(
            "excluded_because",
            text(|row| row.exclusion.map(|exclusion| exclusion.as_str().to_owned())),
        ),
        Column::new("cell_suppressed", boolean(|row| Some(!row.cell_published))),
        Column::new("simulated", boolean(|row| Some(row.install_id.is_simulated()))),
        Column::new("from_requester_export", boolean(|row| Some(row.install_id.is_from_requester_export()))),
    ]);
    Table { columns }
}
