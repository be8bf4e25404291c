//! piecerate's results and records as tidy tables, one row per observation and one typed column
//! per variable, written as CSV or Apache Parquet for pandas, R, DuckDB and the like: each worker
//! in each cell of a report (`piecerate workers`), a report's cells (`piecerate report --format
//! parquet`) and records (`piecerate-collector export --format parquet`). Every value comes from
//! the `analysis` library; this crate only lays them out.

mod cells;
mod records;
mod table;
mod workers;

pub use cells::report_table;
pub use records::{RECORDS_PER_ROW_GROUP, RecordTableWriter};
pub use table::{Column, Kind, ParquetTableWriter, Table, TableError, Values, write_parquet};
pub use workers::worker_table;
