//! Records (format v1) as Parquet, written in row groups as they come, for exports of any size
//! (`piecerate-collector export --format parquet`).

use std::io::Write;

use analysis::Record;
use analysis::record::CSV_HEADER;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::table::{Column, Kind, ParquetTableWriter, Table, TableError, Values};

/// Records kept before they are written as one row group: about 20 MB of memory, and row
/// groups large enough for readers to scan fast.
pub const RECORDS_PER_ROW_GROUP: usize = 128 * 1024;

/// The type of each of the thirteen fields, in `CSV_HEADER` order: times as timestamps, active
/// seconds as a whole number, money as exact decimals, the rest as text.
fn kind(field: &str) -> Kind {
    match field {
        "started_at" | "ended_at" => Kind::Timestamp,
        "active_seconds" => Kind::Integer,
        "reward" | "bonus" => Kind::Decimal6,
        _ => Kind::Text,
    }
}

/// Writes records to a Parquet file, one row group per [`RECORDS_PER_ROW_GROUP`] records.
pub struct RecordTableWriter<W: Write + Send> {
    writer: ParquetTableWriter<W>,
    pending: Vec<[Option<String>; 13]>,
    rows_per_group: usize,
}

impl<W: Write + Send> RecordTableWriter<W> {
    pub fn new(out: W, metadata: Vec<(String, String)>) -> Result<RecordTableWriter<W>, TableError> {
        let layout: Vec<(String, Kind)> =
            CSV_HEADER.iter().map(|field| ((*field).to_owned(), kind(field))).collect();
        Ok(RecordTableWriter {
            writer: ParquetTableWriter::new(out, &layout, metadata)?,
            pending: Vec::with_capacity(RECORDS_PER_ROW_GROUP),
            rows_per_group: RECORDS_PER_ROW_GROUP,
        })
    }

    /// Row groups of `rows` records instead of [`RECORDS_PER_ROW_GROUP`] (at least one).
    pub fn with_rows_per_group(mut self, rows: usize) -> RecordTableWriter<W> {
        self.rows_per_group = rows.max(1);
        self
    }

    pub fn write(&mut self, record: &Record) -> Result<(), TableError> {
        let mut fields: [Option<String>; 13] = Default::default();
        let mut index = 0;
        record.write_fields(|field| {
            fields[index] = (!field.is_empty()).then(|| field.to_owned());
            index += 1;
        });
        // The times as seconds since 1970, which the timestamp columns hold.
        fields[7] = Some(record.started_at().unix_seconds().to_string());
        fields[8] = Some(record.ended_at().unix_seconds().to_string());
        self.pending.push(fields);
        if self.pending.len() >= self.rows_per_group {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), TableError> {
        let pending = std::mem::take(&mut self.pending);
        let columns = CSV_HEADER
            .iter()
            .enumerate()
            .map(|(index, field)| {
                let texts = pending.iter().map(|row| row[index].as_deref());
                let values = match kind(field) {
                    Kind::Timestamp => {
                        Values::Timestamp(texts.map(|t| t.and_then(|t| t.parse().ok())).collect())
                    }
                    Kind::Integer => Values::Integer(texts.map(|t| t.and_then(|t| t.parse().ok())).collect()),
                    Kind::Decimal6 => Values::Decimal6(texts.map(|t| t.and_then(millionths)).collect()),
                    _ => Values::Text(texts.map(|t| t.map(str::to_owned)).collect()),
                };
                Column::new(*field, values)
            })
            .collect();
        self.writer.write(&Table { columns })?;
        self.pending = Vec::with_capacity(self.rows_per_group.min(RECORDS_PER_ROW_GROUP));
        Ok(())
    }

    /// Writes what is pending and the file's footer, and gives back the output.
    pub fn finish(mut self) -> Result<W, TableError> {
        self.flush()?;
        self.writer.finish()
    }
}

impl<W: Write + Send> std::fmt::Debug for RecordTableWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordTableWriter").field("pending", &self.pending.len()).finish_non_exhaustive()
    }
}

/// An amount of record format v1 (at most six decimal places) in millionths.
fn millionths(text: &str) -> Option<i64> {
    let amount: Decimal = text.parse().ok()?;
    (amount * Decimal::new(1_000_000, 0)).to_i64()
}
