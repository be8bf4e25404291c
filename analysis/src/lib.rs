//! piecerate's core: record format v1 and the effective-hourly-wage math.
//!
//! This crate is pure: no files, no sockets, no clock, no async. The `piecerate` CLI, the
//! collector and the browser extension (compiled to wasm32) all compute wages through it, so a
//! worker, a researcher and a regulator looking at the same records see the same number.
//! The CLI is its own package, `piecerate-cli` (`analysis/cli/`), a thin shell over this crate.

pub mod codes;
pub mod compare;
pub mod evidence;
mod fast_hash;
pub mod format;
pub mod import;
pub mod json;
pub mod minimum_wage;
pub mod money;
pub mod ppp;
pub mod record;
pub mod record_filter;
mod reference;
pub mod reference_versions;
pub mod report;
mod report_csv;
pub mod report_reader;
pub mod simulate;
pub mod stats;
pub mod time;
pub mod wage;

#[cfg(feature = "country-names")]
pub use codes::Language;
pub use codes::{CodeError, CountryCode, Currency};
pub use format::{LineError, read_records, record_from_json, record_to_json};
pub use money::Money;
pub use record::{
    Activity, InstallId, Outcome, Platform, Record, RecordError, RecordFields, TaskCategory, UnpaidCategory,
};
#[cfg(feature = "embedded-tables")]
pub use reference::LARGE_TABLES_FILE;
pub use reference::{TablesError, US_FEDERAL_MINIMUM_HOURLY_USD, provide_tables};
pub use report::{
    Cell, CellMinimumWage, CellStatistics, CurrencyBasis, Dimension, Grouping, Report, ReportBuilder,
    ReportOptions, report,
};
pub use time::{Seconds, Timestamp};
pub use wage::{Method, WorkerTotals, worker_totals};
