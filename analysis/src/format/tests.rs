//! Tests of `format.rs`.

use super::*;

const GOOD_ROW: &str = "0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18,i1,mturk,US,task,labeling,approved,2024-05-01T13:00:00Z,2024-05-01T13:10:00Z,540,0.50,,USD";

fn header() -> String {
    CSV_HEADER.join(",")
}

fn read_all(input: &str) -> Vec<Result<Record, String>> {
    read_records(std::io::Cursor::new(input.to_owned()))
        .unwrap()
        .map(|result| result.map_err(|error| error.to_string()))
        .collect()
}

#[test]
fn reads_csv_and_reports_bad_lines_by_number() {
    let input =
        format!("\u{feff}{}\n{GOOD_ROW}\n\n{}\n{}\n", header(), GOOD_ROW.replace("mturk", "fiverr"), "a,b");
    let results = read_all(&input);
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok());
    assert!(results[1].as_ref().unwrap_err().starts_with("line 4: platform: 'fiverr'"), "{:?}", results[1]);
    assert!(results[2].as_ref().unwrap_err().starts_with("line 5: has 2 fields"), "{:?}", results[2]);
}

#[test]
fn plain_lines_read_as_the_csv_reader_reads_them() {
    let lines = [
        GOOD_ROW.to_owned(),
        GOOD_ROW.replace("mturk", "fiverr"),
        "a,b".to_owned(),
        GOOD_ROW.replace(",USD", ",USD,"),
        " ".to_owned(),
    ];
    for text in lines {
        let general = read_all(&format!("{}\n{text}\n", header())).remove(0);
        let plain = record_from_plain_csv_line(text.as_bytes(), 2).map_err(|error| error.to_string());
        assert_eq!(plain, general, "{text}");
    }
    let mut not_utf8 = GOOD_ROW.as_bytes().to_vec();
    not_utf8[38] = 0xff;
    let error = record_from_plain_csv_line(&not_utf8, 9).unwrap_err().to_string();
    assert_eq!(error, "line 9: install_id: is not valid UTF-8");
}

proptest::proptest! {
    /// The eight-bytes-at-a-time comma scan finds what a loop over single bytes finds, at any
    /// length and alignment, with any byte beside a comma (0x2c ± 1, 0xac, 0x00, 0xff, ...).
    #[test]
    fn commas_are_found_as_one_byte_at_a_time_finds_them(
        bytes in proptest::collection::vec(proptest::sample::select(vec![b',', 0x2b, 0x2d, 0xac, 0, 0xff, b'a', 0x80]), 0..80)
    ) {
        let positions: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b == b',').map(|(at, _)| at).collect();
        let mut commas = [0usize; 12];
        let count = find_commas(&bytes, &mut commas);
        proptest::prop_assert_eq!(count, positions.len());
        let noted = positions.len().min(12);
        proptest::prop_assert_eq!(&commas[..noted], &positions[..noted]);
    }

    /// The text form reads a line exactly as the byte form does.
    #[test]
    fn text_and_byte_forms_of_a_plain_line_agree(field in 0..13usize, value in "[ -~]{0,40}") {
        let mut fields: Vec<&str> = GOOD_ROW.split(',').collect();
        fields[field] = &value;
        let line = fields.join(",");
        let text = record_from_plain_csv_text(&line, 7).map_err(|error| error.to_string());
        let bytes = record_from_plain_csv_line(line.as_bytes(), 7).map_err(|error| error.to_string());
        proptest::prop_assert_eq!(text, bytes);
    }
}

#[test]
fn refuses_a_foreign_header() {
    let results = read_all("HITId,WorkerId\nx,y\n");
    assert!(results[0].as_ref().unwrap_err().contains("not record format v1"));
}

#[test]
fn json_lines_round_trip_and_typed_errors() {
    let record = read_all(&format!("{}\n{GOOD_ROW}\n", header())).remove(0).unwrap();
    let json = record_to_json(&record);
    assert_eq!(json.get("active_seconds").and_then(Value::as_u64), Some(540));
    assert_eq!(json.get("bonus"), Some(&Value::Null));
    assert!(json.to_string().starts_with(r#"{"record_id":"#), "fields in CSV order: {json}");
    let lines =
        format!("{json}\n\n{}\n{{\"record_id\": 5}}\nnot json\n", json.to_string().replace("\"0.5\"", "0.5"));
    let results = read_all(&lines);
    assert_eq!(results[0].as_ref().unwrap(), &record);
    assert!(
        results[1].as_ref().unwrap_err().contains("line 3: reward: expected the amount as a decimal string")
    );
    assert!(results[2].as_ref().unwrap_err().contains("line 4: record_id: expected a string, got a number"));
    assert!(results[3].as_ref().unwrap_err().contains("line 5: not valid JSON"));
}

#[test]
fn json_active_seconds_may_be_written_with_a_zero_fraction_but_must_be_whole() {
    let record = read_all(&format!("{}\n{GOOD_ROW}\n", header())).remove(0).unwrap();
    let text = record_to_json(&record).to_string();
    assert!(text.contains("\"active_seconds\":540"), "{text}");
    let with =
        |seconds: &str| text.replace("\"active_seconds\":540", &format!("\"active_seconds\":{seconds}"));
    let results =
        read_all(&format!("{}\n{}\n{}\n{}\n", with("540.0"), with("5.4e2"), with("540.5"), with("-540")));
    assert_eq!(results[0].as_ref().unwrap(), &record);
    assert_eq!(results[1].as_ref().unwrap(), &record);
    for (index, seconds) in [(2, "540.5"), (3, "-540")] {
        let error = results[index].as_ref().unwrap_err();
        assert!(
            error.contains(&format!("active_seconds: {seconds} is not a whole, non-negative number")),
            "{error}"
        );
    }
}

#[test]
fn json_refuses_unknown_fields() {
    let record = read_all(&format!("{}\n{GOOD_ROW}\n", header())).remove(0).unwrap();
    let mut json = record_to_json(&record);
    json.as_object_mut().unwrap().insert("worker_id".into(), Value::from("A39VVWV1GHLMFD"));
    let error = record_from_json(&json).unwrap_err();
    assert!(error.problem.contains("unknown field 'worker_id'"), "{error}");
}

#[test]
fn json_refuses_a_field_given_twice() {
    let record = read_all(&format!("{}\n{GOOD_ROW}\n", header())).remove(0).unwrap();
    let text = record_to_json(&record).to_string();
    let twice = text.replacen('{', r#"{"reward":"999.00","#, 1);
    let results = read_all(&format!("{text}\n{twice}\n"));
    assert_eq!(results[0].as_ref().unwrap(), &record);
    assert!(results[1].as_ref().unwrap_err().contains("line 2: reward: is given twice"), "{results:?}");
}

#[test]
fn records_to_csv_writes_what_the_csv_writer_writes() {
    let input = format!(
        "{}\n{GOOD_ROW}\n{}\n{}\n",
        header(),
        "1c7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18,local-3f.a:b_c,prolific,,unpaid,search,,2024-05-01T13:00:00Z,2024-05-01T13:10:00Z,0,,,",
        "2d7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18,i1,other,GB,task,,returned,2024-05-01T13:00:00Z,2024-05-01T13:10:00Z,60,0.000001,12.5,GBP",
    );
    let records: Vec<Record> = read_all(&input).into_iter().map(Result::unwrap).collect();
    assert_eq!(records.len(), 3);
    let mut writer = CsvRecordWriter::new(Vec::new()).unwrap();
    for record in &records {
        writer.write(record).unwrap();
    }
    let written = String::from_utf8(writer.finish().unwrap()).unwrap();
    assert_eq!(records_to_csv(&records), written);
    assert_eq!(records_to_csv(&[]), format!("{}\n", header()));
}

#[test]
fn csv_writer_output_reads_back() {
    let records: Vec<Record> =
        read_all(&format!("{}\n{GOOD_ROW}\n", header())).into_iter().map(Result::unwrap).collect();
    let csv = records_to_csv(&records);
    assert!(csv.starts_with(&header()));
    assert_eq!(read_all(&csv).remove(0).unwrap(), records[0]);
}

/// One record's fields as the CSV reader splits them, with the line it starts on.
type SplitRecord = Result<(u64, Vec<Vec<u8>>), String>;

fn split_all(input: &[u8]) -> Vec<SplitRecord> {
    let mut reader = CsvRecords::new(input);
    let mut rows = Vec::new();
    loop {
        match reader.read_record() {
            Ok(None) => return rows,
            Ok(Some(line)) => rows.push(
                reader
                    .split_fields()
                    .map(|()| (line, (0..reader.ends.len()).map(|i| reader.field(i).to_vec()).collect()))
                    .map_err(|problem| format!("line {line}: {problem}")),
            ),
            Err(error) => rows.push(Err(error.to_string())),
        }
    }
}

#[test]
fn csv_fields_follow_rfc_4180() {
    let rows = split_all(b"a,\"b,c\",\"d \"\"q\"\"\"\r\n\n\"multi\nline\",\"\"\r\n,\n\"\"\nlast");
    let fields = |row: &[&str]| row.iter().map(|f| f.as_bytes().to_vec()).collect::<Vec<_>>();
    assert_eq!(
        rows,
        [
            Ok((1, fields(&["a", "b,c", "d \"q\""]))),
            Ok((3, fields(&["multi\nline", ""]))),
            Ok((5, fields(&["", ""]))),
            Ok((6, fields(&[""]))),
            Ok((7, fields(&["last"]))),
        ]
    );
    assert_eq!(
        split_all(b"a\"b,c\n"),
        [Err("line 1: a quote inside a field that does not start with one".into())]
    );
    assert_eq!(split_all(b"\"a\"b,c\n"), [Err("line 1: text after the closing quote of a field".into())]);
    assert_eq!(
        split_all(b"x\n\"open,\nno close"),
        [Ok((1, fields(&["x"]))), Err("line 2: a quoted field is not closed".into())]
    );
}

#[test]
fn an_unclosed_quote_costs_one_bounded_record_not_the_rest_of_the_input() {
    let long = "x".repeat(MAX_CSV_RECORD_BYTES);
    let input = format!("{}\n\"{long}\n{GOOD_ROW}\n", header());
    let results = read_all(&input);
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results[0].as_ref().unwrap_err().starts_with("line 2: not valid CSV: a record longer than"));
    assert!(results[1].is_ok(), "{:?}", results[1]);
}

#[test]
fn a_header_that_is_not_csv_is_not_a_header() {
    for first in ["a\"b\"".to_owned(), "x".repeat(MAX_CSV_RECORD_BYTES + 10)] {
        let results = read_all(&format!("{first}\nx\n"));
        assert!(results[0].as_ref().unwrap_err().starts_with("line 1: the header is not record format v1"));
        // The next line is a record, not a second chance at the header.
        assert!(results[1].as_ref().unwrap_err().starts_with("line 2: has 1 fields"), "{results:?}");
    }
}

#[test]
fn csv_with_quotes_crlf_and_no_final_newline_reads_as_plain() {
    let quoted: String = GOOD_ROW.split(',').map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(",");
    let input = format!("\u{feff}{}\r\n\r\n{quoted}\r\n{GOOD_ROW}", header());
    let results = read_all(&input);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0], results[1]);
    assert!(results[0].is_ok());
}

proptest::proptest! {
    /// Whatever the csv crate's writer writes, the reader splits back into the same fields.
    #[test]
    fn csv_reads_back_what_the_csv_writer_writes(
        rows in proptest::collection::vec(
            proptest::collection::vec("[a ,\"\r\né]{0,6}", 1..15), 1..8)
    ) {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for row in &rows {
            writer.write_record(row).unwrap();
        }
        let written = writer.into_inner().unwrap();
        let read: Vec<Vec<Vec<u8>>> = split_all(&written).into_iter().map(|row| row.unwrap().1).collect();
        let expected: Vec<Vec<Vec<u8>>> =
            rows.iter().map(|row| row.iter().map(|f| f.as_bytes().to_vec()).collect()).collect();
        proptest::prop_assert_eq!(read, expected, "{:?}", String::from_utf8_lossy(&written));
    }
}

#[test]
fn a_record_read_for_an_install_is_that_install_s_whatever_the_body_says() {
    let record = read_all(&format!("{}\n{GOOD_ROW}\n", header())).remove(0).unwrap();
    let install = InstallId::parse("from-the-token").unwrap();
    let mut json = record_to_json(&record);
    for claimed in [Value::from("someone-else"), Value::from("!!not an id!!"), Value::from(3), Value::Null] {
        json.as_object_mut().unwrap().insert("install_id".into(), claimed);
        let read = record_of_install_from_json(&json, &install).unwrap();
        assert_eq!(read.install_id(), &install);
        assert_eq!(read.record_id(), record.record_id());
    }
    // Every other rule still holds.
    json.as_object_mut().unwrap().insert("worker_id".into(), Value::from("A39VVWV1GHLMFD"));
    assert!(record_of_install_from_json(&json, &install).is_err());
}
