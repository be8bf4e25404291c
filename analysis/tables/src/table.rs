//! A table of typed columns, and its two encodings: CSV (text, empty for null) and Parquet.

use std::io::Write;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, TimeUnit, Type as PhysicalType};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error("column {column} is a {found:?} column where the table's first part had a {expected:?} one")]
    Layout { column: String, expected: Kind, found: Kind },
}

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Float,
    Integer,
    Boolean,
    /// Seconds since 1970, UTC; Parquet's timestamp in milliseconds, RFC 3339 in CSV.
    Timestamp,
    /// An exact amount with six decimal places (record format v1's money), as millionths;
    /// Parquet's DECIMAL(18, 6), the decimal text in CSV.
    Decimal6,
}

/// A column's values; `None` is null (an empty field in CSV).
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Text(Vec<Option<String>>),
    Float(Vec<Option<f64>>),
    Integer(Vec<Option<i64>>),
    Boolean(Vec<Option<bool>>),
    Timestamp(Vec<Option<i64>>),
    Decimal6(Vec<Option<i64>>),
}

impl Values {
    pub fn kind(&self) -> Kind {
        match self {
            Values::Text(_) => Kind::Text,
            Values::Float(_) => Kind::Float,
            Values::Integer(_) => Kind::Integer,
            Values::Boolean(_) => Kind::Boolean,
            Values::Timestamp(_) => Kind::Timestamp,
            Values::Decimal6(_) => Kind::Decimal6,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Text(values) => values.len(),
            Values::Float(values) => values.len(),
            Values::Boolean(values) => values.len(),
            Values::Integer(values) | Values::Timestamp(values) | Values::Decimal6(values) => values.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row` as CSV text.
    fn text(&self, row: usize) -> String {
        match self {
            Values::Text(values) => values[row].clone().unwrap_or_default(),
            // Rust writes the shortest text that reads back as the same number.
            Values::Float(values) => values[row].map(|value| value.to_string()).unwrap_or_default(),
            Values::Integer(values) => values[row].map(|value| value.to_string()).unwrap_or_default(),
            Values::Boolean(values) => values[row].map(|value| value.to_string()).unwrap_or_default(),
            Values::Timestamp(values) => values[row]
                .map(|seconds| analysis::Timestamp::nearest_to_unix_seconds(seconds).to_string())
                .unwrap_or_default(),
            Values::Decimal6(values) => values[row]
                .map(|millionths| rust_decimal::Decimal::new(millionths, 6).normalize().to_string())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Values,
}

impl Column {
    pub fn new(name: impl Into<String>, values: Values) -> Column {
        Column { name: name.into(), values }
    }
}

/// Columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |column| column.values.len())
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns.iter().find(|column| column.name == name).map(|column| &column.values)
    }

    /// The header and every row as CSV.
    pub fn write_csv(&self, out: impl Write) -> Result<(), TableError> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(self.columns.iter().map(|column| column.name.as_str()))?;
        for row in 0..self.rows() {
            writer.write_record(self.columns.iter().map(|column| column.values.text(row)))?;
        }
        writer.flush().map_err(csv::Error::from)?;
        Ok(())
    }
}

/// Writes a Parquet file part by part, one row group per [`Table`] given to `write`, all with
/// the columns of the first.
pub struct ParquetTableWriter<W: Write + Send> {
    writer: SerializedFileWriter<W>,
    layout: Vec<(String, Kind)>,
}

impl<W: Write + Send> ParquetTableWriter<W> {
    /// A writer of tables with these columns; `metadata` goes into the file's key-value
    /// metadata (a report's provenance and notes, say).
    pub fn new(
        out: W,
        layout: &[(String, Kind)],
        metadata: Vec<(String, String)>,
    ) -> Result<ParquetTableWriter<W>, TableError> {
        let fields = layout
            .iter()
            .map(|(name, kind)| field(name, *kind).map(Arc::new))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Type::group_type_builder("schema").with_fields(fields).build()?;
        let metadata = metadata.into_iter().map(|(key, value)| KeyValue::new(key, value)).collect();
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("piecerate {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(Some(metadata))
            .build();
        let writer = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(properties))?;
        Ok(ParquetTableWriter { writer, layout: layout.to_vec() })
    }

    /// Writes `table` as one row group (nothing for a table without rows).
    pub fn write(&mut self, table: &Table) -> Result<(), TableError> {
        for ((name, kind), column) in self.layout.iter().zip(&table.columns) {
            if column.values.kind() != *kind || &column.name != name {
                return Err(TableError::Layout {
                    column: column.name.clone(),
                    expected: *kind,
                    found: column.values.kind(),
                });
            }
        }
        if table.rows() == 0 {
            return Ok(());
        }
        let mut group = self.writer.next_row_group()?;
        for column in &table.columns {
            let Some(mut writer) = group.next_column()? else { break };
            let levels =
                |present: &mut dyn Iterator<Item = bool>| -> Vec<i16> { present.map(i16::from).collect() };
            match &column.values {
                Values::Text(values) => {
                    let defined = levels(&mut values.iter().map(Option::is_some));
                    let present: Vec<ByteArray> =
                        values.iter().flatten().map(|text| ByteArray::from(text.as_str())).collect();
                    writer.typed::<ByteArrayType>().write_batch(&present, Some(&defined), None)?;
                }
                Values::Float(values) => {
                    let defined = levels(&mut values.iter().map(Option::is_some));
                    let present: Vec<f64> = values.iter().flatten().copied().collect();
                    writer.typed::<DoubleType>().write_batch(&present, Some(&defined), None)?;
                }
                Values::Boolean(values) => {
                    let defined = levels(&mut values.iter().map(Option::is_some));
                    let present: Vec<bool> = values.iter().flatten().copied().collect();
                    writer.typed::<BoolType>().write_batch(&present, Some(&defined), None)?;
                }
                Values::Integer(values) | Values::Decimal6(values) => {
                    let defined = levels(&mut values.iter().map(Option::is_some));
                    let present: Vec<i64> = values.iter().flatten().copied().collect();
                    writer.typed::<Int64Type>().write_batch(&present, Some(&defined), None)?;
                }
                Values::Timestamp(values) => {
                    let defined = levels(&mut values.iter().map(Option::is_some));
                    let present: Vec<i64> = values.iter().flatten().map(|seconds| seconds * 1000).collect();
                    writer.typed::<Int64Type>().write_batch(&present, Some(&defined), None)?;
                }
            }
            writer.close()?;
        }
        group.close()?;
        Ok(())
    }

    /// Writes the file's footer and gives back the output.
    pub fn finish(self) -> Result<W, TableError> {
        Ok(self.writer.into_inner()?)
    }
}

impl<W: Write + Send> std::fmt::Debug for ParquetTableWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetTableWriter").field("layout", &self.layout).finish_non_exhaustive()
    }
}

/// Writes `table` as a whole Parquet file.
pub fn write_parquet<W: Write + Send>(
    table: &Table,
    metadata: Vec<(String, String)>,
    out: W,
) -> Result<W, TableError> {
    let layout: Vec<(String, Kind)> =
        table.columns.iter().map(|column| (column.name.clone(), column.values.kind())).collect();
    let mut writer = ParquetTableWriter::new(out, &layout, metadata)?;
    writer.write(table)?;
    writer.finish()
}

/// The Parquet field of a column: every column may hold nulls.
fn field(name: &str, kind: Kind) -> Result<Type, parquet::errors::ParquetError> {
    let (physical, logical) = match kind {
        Kind::Text => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
        Kind::Float => (PhysicalType::DOUBLE, None),
        Kind::Integer => (PhysicalType::INT64, None),
        Kind::Boolean => (PhysicalType::BOOLEAN, None),
        Kind::Timestamp => (PhysicalType::INT64, Some(LogicalType::timestamp(true, TimeUnit::MILLIS))),
        Kind::Decimal6 => (PhysicalType::INT64, Some(LogicalType::decimal(6, 18))),
    };
    let builder = Type::primitive_type_builder(name, physical)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(logical);
    match kind {
        Kind::Decimal6 => builder.with_precision(18).with_scale(6).build(),
        _ => builder.build(),
    }
}
