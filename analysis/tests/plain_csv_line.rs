//! Property test: the report's fast path for plain CSV lines reads every line exactly as the
//! general CSV reader does, good or bad, so parallel reports can never differ from serial ones.

use analysis::format::record_from_plain_csv_line;
use analysis::read_records;
use analysis::record::CSV_HEADER;
use proptest::prelude::*;

const GOOD: &str = "0b7e5a4c-8d2f-4b1e-9a51-3c6f0d2e7a18,i1,mturk,US,task,labeling,approved,2024-05-01T13:00:00Z,2024-05-01T13:10:00Z,540,0.50,,USD";

fn general(line: &[u8]) -> Result<String, String> {
    let mut input = CSV_HEADER.join(",").into_bytes();
    input.extend_from_slice(b"\n");
    input.extend_from_slice(line);
    input.push(b'\n');
    let first = read_records(std::io::Cursor::new(input)).unwrap().next().expect("one line");
    first.map(|record| format!("{record:?}")).map_err(|error| error.to_string())
}

fn plain(line: &[u8]) -> Result<String, String> {
    record_from_plain_csv_line(line, 2).map(|record| format!("{record:?}")).map_err(|error| error.to_string())
}

/// Lines made from a valid one by replacing a field, or from arbitrary bytes: never a quote,
/// a line break or a carriage return (those go to the general reader).
fn line() -> impl Strategy<Value = Vec<u8>> {
    let field_bytes =
        proptest::collection::vec(any::<u8>().prop_filter("plain", |b| !b"\"\r\n".contains(b)), 0..40);
    prop_oneof![
        (0..13usize, field_bytes.clone()).prop_map(|(index, bytes)| {
            let mut fields: Vec<Vec<u8>> = GOOD.split(',').map(|f| f.as_bytes().to_vec()).collect();
            fields[index] = bytes;
            fields.join(&b","[..])
        }),
        field_bytes.prop_filter("not blank", |bytes| !bytes.is_empty()),
        proptest::sample::select(vec![
            GOOD.replace("0.50", "-1"),
            GOOD.replace("mturk", "fiverr"),
            GOOD.replace(",USD", ",USD,extra"),
            GOOD.replace("540", "601"),
            GOOD.to_owned(),
        ])
        .prop_map(String::into_bytes),
    ]
}

proptest! {
    #[test]
    fn the_fast_path_agrees_with_the_csv_reader(line in line()) {
        prop_assert_eq!(plain(&line), general(&line));
    }
}
