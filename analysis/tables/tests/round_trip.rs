//! Tables written as Parquet read back, through the parquet crate's own reader, as the same
//! typed values, nulls included; records keep every field exactly.

use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use piecerate_tables::{Column, RecordTableWriter, Table, Values, write_parquet};

/// A file read back: its column names, its rows and its key-value metadata.
type ReadBack = (Vec<String>, Vec<Vec<Field>>, Vec<(String, Option<String>)>);

fn rows(bytes: Vec<u8>) -> ReadBack {
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
    let metadata = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|pairs| pairs.iter().map(|pair| (pair.key.clone(), pair.value.clone())).collect())
        .unwrap_or_default();
    let names = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| row.unwrap().get_column_iter().map(|(_, field)| field.clone()).collect())
        .collect();
    (names, rows, metadata)
}

#[test]
fn every_kind_of_column_reads_back_with_its_nulls() {
    let table = Table {
        columns: vec![
            Column::new("text", Values::Text(vec![Some("a,\"b\"".into()), None])),
            Column::new("float", Values::Float(vec![None, Some(2.0712)])),
            Column::new("integer", Values::Integer(vec![Some(-3), None])),
            Column::new("boolean", Values::Boolean(vec![Some(true), None])),
            Column::new("timestamp", Values::Timestamp(vec![Some(1_714_564_800), None])),
            Column::new("decimal", Values::Decimal6(vec![Some(500_000), None])),
        ],
    };
    let bytes = write_parquet(&table, vec![("piecerate.note".into(), "kept".into())], Vec::new()).unwrap();
    let (names, rows, metadata) = rows(bytes);
    assert_eq!(names, ["text", "float", "integer", "boolean", "timestamp", "decimal"]);
    assert_eq!(metadata, [("piecerate.note".to_owned(), Some("kept".to_owned()))]);
    assert_eq!(rows[0][0], Field::Str("a,\"b\"".into()));
    assert_eq!(rows[1][1], Field::Double(2.0712));
    assert_eq!(rows[0][2], Field::Long(-3));
    assert_eq!(rows[0][3], Field::Bool(true));
    assert_eq!(rows[0][4], Field::TimestampMillis(1_714_564_800_000));
    assert_eq!(rows[0][5].to_string(), "0.500000");
    assert!(rows[1].iter().enumerate().all(|(i, field)| i == 1 || *field == Field::Null));
    assert_eq!(rows[0][1], Field::Null);
    let mut csv = Vec::new();
    table.write_csv(&mut csv).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "text,float,integer,boolean,timestamp,decimal\n\"a,\"\"b\"\"\",,-3,true,2024-05-01T12:00:00Z,0.5\n,2.0712,,,,\n"
    );
}

#[test]
fn a_table_of_no_rows_is_a_valid_file_with_its_columns() {
    let table = Table { columns: vec![Column::new("install_id", Values::Text(Vec::new()))] };
    let (names, rows, _) = rows(write_parquet(&table, Vec::new(), Vec::new()).unwrap());
    assert_eq!(names, ["install_id"]);
    assert!(rows.is_empty());
}

#[test]
fn records_keep_every_field_across_row_groups() {
    let records: Vec<analysis::Record> =
        (0..40).flat_map(|index| analysis::simulate::simulate_worker(5, index)).collect();
    assert!(records.len() > 2500, "several row groups of 1000");
    let mut writer = RecordTableWriter::new(Vec::new(), Vec::new()).unwrap().with_rows_per_group(1000);
    for record in &records {
        writer.write(record).unwrap();
    }
    let bytes = writer.finish().unwrap();
    let groups =
        SerializedFileReader::new(bytes::Bytes::from(bytes.clone())).unwrap().metadata().num_row_groups();
    assert_eq!(groups, records.len().div_ceil(1000));
    let (names, rows, _) = rows(bytes);
    assert_eq!(names, analysis::record::CSV_HEADER);
    assert_eq!(rows.len(), records.len());
    for (record, row) in records.iter().zip(&rows) {
        let mut expected = Vec::new();
        record.write_fields(|field| expected.push(field.to_owned()));
        assert_eq!(row[0], Field::Str(expected[0].clone()));
        assert_eq!(row[7], Field::TimestampMillis(record.started_at().unix_seconds() * 1000));
        assert_eq!(row[9], Field::Long(record.active().get() as i64));
        match &row[10] {
            Field::Decimal(_) => {
                let text = row[10].to_string();
                let read: rust_decimal::Decimal = text.parse().unwrap();
                assert_eq!(read, expected[10].parse::<rust_decimal::Decimal>().unwrap());
            }
            Field::Null => assert_eq!(expected[10], ""),
            other => panic!("reward read as {other:?}"),
        }
    }
}
