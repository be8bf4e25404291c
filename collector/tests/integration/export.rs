//! `piecerate-collector export --format parquet`: the same records as the CSV export, read back
//! by the parquet crate and by DuckDB; and the flags it refuses.

use std::path::Path;
use std::process::Command;

use analysis::Record;
use analysis::record::CSV_HEADER;
use parquet::file::reader::{FileReader, SerializedFileReader};
use rust_decimal::Decimal;

use crate::python_tools::python_with;

/// Each record's thirteen fields as comparable text: times as seconds since 1970, money as a
/// normalized decimal, the rest as the CSV has it ("" for absent).
fn canonical(fields: Vec<String>) -> Vec<String> {
    fields
        .into_iter()
        .zip(CSV_HEADER)
        .map(|(value, name)| match name {
            "reward" | "bonus" if !value.is_empty() => value
                .parse::<Decimal>()
                .unwrap_or_else(|e| panic!("{name} {value:?}: {e}"))
                .normalize()
                .to_string(),
            _ => value,
        })
        .collect()
}

fn record_fields(record: &Record) -> Vec<String> {
    let mut fields = Vec::new();
    record.write_fields(|field| fields.push(field.to_owned()));
    fields[7] = record.started_at().unix_seconds().to_string();
    fields[8] = record.ended_at().unix_seconds().to_string();
    canonical(fields)
}

/// The rows of the Parquet export as the parquet crate reads them, and its metadata.
fn parquet_rows(path: &Path) -> (Vec<Vec<String>>, Vec<(String, String)>) {
    let reader = SerializedFileReader::new(std::fs::File::open(path).expect("the export")).expect("Parquet");
    let metadata = reader.metadata().file_metadata();
    let names: Vec<String> =
        metadata.schema_descr().columns().iter().map(|column| column.name().to_owned()).collect();
    assert_eq!(names, CSV_HEADER, "the columns are the record format's fields, in order");
    let pairs = metadata
        .key_value_metadata()
        .map(|pairs| pairs.iter().map(|p| (p.key.clone(), p.value.clone().unwrap_or_default())).collect())
        .unwrap_or_default();
    let rows = reader
        .get_row_iter(None)
        .expect("rows")
        .map(|row| {
            let fields = row
                .expect("a row")
                .get_column_iter()
                .map(|(_, field)| match field {
                    parquet::record::Field::Null => String::new(),
                    parquet::record::Field::Str(text) => text.clone(),
                    parquet::record::Field::Long(value) => value.to_string(),
                    parquet::record::Field::TimestampMillis(millis) => {
                        assert_eq!(millis % 1000, 0);
                        (millis / 1000).to_string()
                    }
                    other => other.to_string(),
                })
                .collect();
            canonical(fields)
        })
        .collect();
    (rows, pairs)
}

fn export(database_url: &str, out: &Path, format: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
        .args(["export", "--database-url", database_url, "--format", format, "--out"])
        .arg(out)
        .env("PIECERATE_LOG", "warn")
        .output()
        .expect("running export")
}

/// Exports the database as Parquet and checks that it holds `records` (the CSV export's), in
/// order, field for field, as the parquet crate and DuckDB read it.
pub(crate) fn assert_parquet_export_equals(database_url: &str, records: &[Record], backend: &str) {
    let directory = tempfile::tempdir().expect("temporary directory");
    let out = directory.path().join("records.parquet");
    let run = export(database_url, &out, "parquet");
    assert!(run.status.success(), "{backend}: {}", String::from_utf8_lossy(&run.stderr));
    let expected: Vec<Vec<String>> = records.iter().map(record_fields).collect();
    let (rows, metadata) = parquet_rows(&out);
    assert_eq!(rows, expected, "{backend}: the parquet crate's reading");
    assert!(metadata.contains(&("piecerate.schema".to_owned(), "piecerate.records/1".to_owned())));
    if let Some(python) = python_with("duckdb", "the DuckDB reader") {
        let script = r#"
import json, sys, duckdb
con = duckdb.connect()
rows = con.execute(f"""
    select record_id, install_id, platform, country, kind, category, outcome,
           epoch(started_at)::bigint::varchar, epoch(ended_at)::bigint::varchar,
           active_seconds::varchar, reward::varchar, bonus::varchar, currency
    from read_parquet('{sys.argv[1]}')""").fetchall()
types = dict(con.execute(f"select column_name, column_type from (describe select * from read_parquet('{sys.argv[1]}'))").fetchall())
print(json.dumps({"rows": [[v if v is not None else "" for v in row] for row in rows], "types": types}))
"#;
        let output = Command::new(&python).args(["-c", script]).arg(&out).output().expect("running python");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let read: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let rows: Vec<Vec<String>> = read["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| {
                canonical(
                    row.as_array()
                        .expect("a row")
                        .iter()
                        .map(|v| v.as_str().expect("text").to_owned())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(rows, expected, "{backend}: DuckDB's reading");
        for (column, kind) in [
            ("started_at", "TIMESTAMP WITH TIME ZONE"),
            ("active_seconds", "BIGINT"),
            ("reward", "DECIMAL(18,6)"),
            ("record_id", "VARCHAR"),
        ] {
            assert_eq!(read["types"][column], kind, "{backend}: {column}");
        }
    }
}

#[test]
fn export_refuses_bad_flags_clearly() {
    let directory = tempfile::tempdir().expect("temporary directory");
    let database = format!("sqlite://{}", directory.path().join("db.sqlite").display());
    let out = directory.path().join("records.parquet");
    let run = export(&database, &out, "xlsx");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("--format") && stderr.contains("csv") && stderr.contains("parquet"), "{stderr}");
    assert!(!out.exists(), "nothing written on a usage error");
    let run = Command::new(env!("CARGO_BIN_EXE_piecerate-collector"))
        .args(["export", "--database-url", &database, "--format", "parquet"])
        .output()
        .expect("running export");
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("--out"), "{stderr}");
}
