//! Turning an upload body into validated, coarsened records: decompression with a bound, the
//! batch's JSON shape, and each record through the library's record rules. Pure: no database,
//! no HTTP; the handler maps [`BatchError`] to a status.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use analysis::Record;
use analysis::format::record_of_install_from_json;
use analysis::json::{self, Value};
use analysis::record::{InstallId, RecordError, RecordFields};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

/// What an upload may be.
#[derive(Debug, Clone, Copy)]
pub struct BatchLimits {
    pub max_decompressed_bytes: usize,
    pub max_records: usize,
}

/// One problem with one record of a batch (or with the batch itself, without an index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct RecordProblem {
    /// Position of the record in the batch; absent for problems of the batch itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 0)]
    pub index: Option<usize>,
    pub field: String,
    pub problem: String,
}

/// Why a batch was refused; nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedEncoding(String),
    #[error("{0}")]
    Malformed(String),
    #[error("{} record(s) of the batch are invalid; nothing was stored", .0.len())]
    Invalid(Vec<RecordProblem>),
}

/// A batch that passed validation: its distinct records, with their index in the upload.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedBatch {
    pub records: Vec<(usize, Record)>,
    /// Records repeated inside the batch itself, identical to an earlier one.
    pub repeated_in_batch: u64,
}

/// The body as JSON bytes: undone gzip when `Content-Encoding: gzip`, bounded after
/// decompression too, so a small compressed body cannot expand into gigabytes.
pub(crate) fn decode_body<'a>(
    body: &'a [u8],
    content_encoding: Option<&str>,
    limits: &BatchLimits,
) -> Result<Cow<'a, [u8]>, BatchError> {
    match content_encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "identity") => Ok(Cow::Borrowed(body)),
        Some("gzip" | "x-gzip") => {
            let mut decoded = Vec::with_capacity(body.len() * 4);
            let limit = limits.max_decompressed_bytes as u64;
            // The buffered decoder reads its input only as far as the end of the gzip member, so
            // what follows it is left in `body` to be refused below rather than ignored.
            let mut decoder = flate2::bufread::GzDecoder::new(body);
            (&mut decoder)
                .take(limit + 1)
                .read_to_end(&mut decoded)
                .map_err(|error| BatchError::Malformed(format!("the body is not valid gzip: {error}")))?;
            if decoded.len() as u64 > limit {
                return Err(BatchError::TooLarge(format!(
                    "the body decompresses to more than {limit} bytes, the limit after decompression"
                )));
            }
            let rest = decoder.into_inner();
            if rest.starts_with(&[0x1f, 0x8b]) {
                return Err(BatchError::Malformed(
                    "the body is not valid gzip for this API: a second gzip member follows the first; send one member".into(),
                ));
            }
            if !rest.is_empty() {
                return Err(BatchError::Malformed(format!(
                    "the body is not valid gzip: {} byte(s) of trailing data after the end of the gzip stream",
                    rest.len()
                )));
            }
            Ok(Cow::Owned(decoded))
        }
        Some(other) => Err(BatchError::UnsupportedEncoding(format!(
            "Content-Encoding '{}' is not supported; send gzip or no encoding",
            other.chars().take(32).collect::<String>()
        ))),
    }
}

/// Reads `{"records": [...]}`. Every record is read as `install`'s, whatever its `install_id`
/// says (the install comes from the token, never from the body), and every record is
/// coarsened to whole hours (`Record::coarsened`) as it will be stored. Any invalid record refuses the whole batch.
pub fn parse_batch(
    json: &[u8],
    install: &InstallId,
    limits: &BatchLimits,
) -> Result<ParsedBatch, BatchError> {
    let text = std::str::from_utf8(json).map_err(|error| {
        BatchError::Malformed(format!(
            "the body is not valid JSON: not UTF-8 after byte {}",
            error.valid_up_to()
        ))
    })?;
    // A batch as the extension sends it is read straight into each record's fields, borrowed
    // from the body (in a profile of the benchmark's uploads, building the library's JSON tree
    // first, with a string for every key and value, was a third of the upload handler's time).
    // Whatever that reader does not take (a problem of any kind, or a form it leaves to the
    // library: escapes, numbers such as 7.2e3, a non-string install_id) is read again by the
    // library's reader below, which names the field and the problem, so both give the same
    // answer to the same body (`the_fast_reader_answers_as_the_library_reader`).
    if let Ok(batch) = serde_json::from_str::<BorrowedBatch<'_>>(text)
        && (1..=limits.max_records).contains(&batch.records.len())
    {
        let records = batch.records.iter().map(|record| record.to_record(install));
        return checked_batch(records);
    }
    parse_batch_with_library_reader(text, install, limits)
}

/// [`parse_batch`] through the library's JSON tree: the reader for every body, and the one whose
/// errors the API documents.
fn parse_batch_with_library_reader(
    text: &str,
    install: &InstallId,
    limits: &BatchLimits,
) -> Result<ParsedBatch, BatchError> {
    let value = json::parse(text)
        .map_err(|error| BatchError::Malformed(format!("the body is not valid JSON: {error}")))?;
    let batch_problem = |problem: String| {
        BatchError::Invalid(vec![RecordProblem { index: None, field: "records".into(), problem }])
    };
    let Value::Object(mut object) = value else {
        return Err(batch_problem("the body must be a JSON object {\"records\": [...]}".into()));
    };
    if let Some(unknown) = object.keys().find(|key| key.as_str() != "records") {
        let unknown: String = unknown.chars().take(40).collect();
        return Err(BatchError::Invalid(vec![RecordProblem {
            index: None,
            field: unknown,
            problem: "unknown field; a batch has only \"records\"".into(),
        }]));
    }
    // The library's reader keeps every occurrence of a key (`json::Map`), so a repeat is seen
    // here rather than silently decided for the last one.
    if object.keys().filter(|key| key.as_str() == "records").count() > 1 {
        return Err(BatchError::Malformed(
            "the key \"records\" is given more than once; a batch has one \"records\" array".into(),
        ));
    }
    let Some(Value::Array(items)) = object.remove("records") else {
        return Err(batch_problem("\"records\" must be an array of records in format v1 JSON".into()));
    };
    if items.is_empty() || items.len() > limits.max_records {
        return Err(batch_problem(format!(
            "the batch has {} records; send 1 to {} per request",
            items.len(),
            limits.max_records
        )));
    }
    checked_batch(items.iter().map(|item| record_of_install_from_json(item, install)))
}

/// The batch of `records` (each as read, in upload order), coarsened, with repeats inside the
/// batch counted once or refused when their content differs.
fn checked_batch(
    records_as_read: impl ExactSizeIterator<Item = Result<Record, RecordError>>,
) -> Result<ParsedBatch, BatchError> {
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(records_as_read.len());
    let mut first_index_of: HashMap<uuid::Uuid, usize> = HashMap::with_capacity(records_as_read.len());
    let mut repeated_in_batch = 0;
    for (index, record) in records_as_read.enumerate() {
        let record = match record {
            Ok(record) => record.coarsened(),
            Err(error) => {
                problems.push(RecordProblem {
                    index: Some(index),
                    field: error.field.into(),
                    problem: error.problem,
                });
                continue;
            }
        };
        match first_index_of.get(&record.record_id()) {
            None => {
                first_index_of.insert(record.record_id(), records.len());
                records.push((index, record));
            }
            Some(&position) if records[position].1 == record => repeated_in_batch += 1,
            Some(&position) => problems.push(RecordProblem {
                index: Some(index),
                field: "record_id".into(),
                problem: format!(
                    "repeats the record_id of record {} of this batch with different content",
                    records[position].0
                ),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(BatchError::Invalid(problems));
    }
    Ok(ParsedBatch { records, repeated_in_batch })
}

/// A batch in the form the fast reader takes: exactly the key `records`, once.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BorrowedBatch<'a> {
    #[serde(borrow)]
    records: Vec<BorrowedRecord<'a>>,
}

/// A record of format v1 JSON whose strings are borrowed from the body. `&str` takes only a
/// string without escapes, and serde refuses an unknown or repeated key, so every such record
/// gives the library's rules the same text as `analysis::format::record_from_json` would.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BorrowedRecord<'a> {
    record_id: Option<&'a str>,
    /// Read only to be ignored: the install is the token's.
    #[expect(dead_code, reason = "the key is allowed; its value is replaced by the token's install")]
    install_id: Option<&'a str>,
    platform: Option<&'a str>,
    country: Option<&'a str>,
    kind: Option<&'a str>,
    category: Option<&'a str>,
    outcome: Option<&'a str>,
    started_at: Option<&'a str>,
    ended_at: Option<&'a str>,
    active_seconds: Option<PlainSeconds>,
    reward: Option<&'a str>,
    bonus: Option<&'a str>,
    currency: Option<&'a str>,
}

impl BorrowedRecord<'_> {
    fn to_record(&self, install: &InstallId) -> Result<Record, RecordError> {
        let seconds = self.active_seconds.map(|PlainSeconds(seconds)| seconds.to_string());
        Record::from_fields(&RecordFields {
            record_id: self.record_id.unwrap_or(""),
            install_id: install.as_str(),
            platform: self.platform.unwrap_or(""),
            country: self.country.unwrap_or(""),
            kind: self.kind.unwrap_or(""),
            category: self.category.unwrap_or(""),
            outcome: self.outcome.unwrap_or(""),
            started_at: self.started_at.unwrap_or(""),
            ended_at: self.ended_at.unwrap_or(""),
            active_seconds: seconds.as_deref().unwrap_or(""),
            reward: self.reward.unwrap_or(""),
            bonus: self.bonus.unwrap_or(""),
            currency: self.currency.unwrap_or(""),
        })
    }
}

/// `active_seconds` written as a plain whole number (`7200`); any other form (`7200.0`, `7.2e3`,
/// a string) is left to the library's reader.
#[derive(Clone, Copy)]
struct PlainSeconds(u64);

impl<'de> Deserialize<'de> for PlainSeconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PlainSeconds, D::Error> {
        struct WholeNumber;
        impl Visitor<'_> for WholeNumber {
            type Value = PlainSeconds;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a whole number of seconds written without fraction or exponent")
            }
            // serde_json hands a number written as digits alone to `visit_u64`, and every other
            // number (negative, with a fraction or an exponent) elsewhere, which refuses it.
            fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<PlainSeconds, E> {
                Ok(PlainSeconds(seconds))
            }
        }
        deserializer.deserialize_u64(WholeNumber)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    // The tests write bodies with serde_json's `json!`; the code under test reads their text.
    use serde_json::{Value, json};

    use super::*;

    const LIMITS: BatchLimits = BatchLimits { max_decompressed_bytes: 4096, max_records: 3 };

    /// `bytes` as one gzip member.
    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn record(id: u32, minute: u32) -> Value {
        json!({
            "record_id": format!("00000000-0000-4000-8000-{id:012}"),
            "install_id": "self",
            "platform": "mturk", "country": "US", "kind": "task", "category": "survey",
            "outcome": "approved",
            "started_at": format!("2024-05-01T13:{minute:02}:15Z"),
            "ended_at": "2024-05-01T14:05:00Z",
            "active_seconds": 600, "reward": "1.50", "currency": "USD"
        })
    }

    fn parse(body: Value) -> Result<ParsedBatch, BatchError> {
        parse_batch(body.to_string().as_bytes(), &InstallId::parse("abc").unwrap(), &LIMITS)
    }

    fn problems(body: Value) -> Vec<RecordProblem> {
        match parse(body) {
            Err(BatchError::Invalid(problems)) => problems,
            other => panic!("expected invalid records, got {other:?}"),
        }
    }

    #[test]
    fn replaces_the_install_and_rounds_times_to_the_hour() {
        let batch = parse(json!({"records": [record(1, 7)]})).unwrap();
        let stored = &batch.records[0].1;
        assert_eq!(stored.install_id().as_str(), "abc");
        assert_eq!(stored.started_at().to_string(), "2024-05-01T13:00:00Z");
        assert_eq!(stored.ended_at().to_string(), "2024-05-01T15:00:00Z");
        assert_eq!(stored.active().get(), 600);
    }

    #[test]
    fn an_absent_install_id_is_fine() {
        let mut item = record(1, 7);
        item.as_object_mut().unwrap().remove("install_id");
        assert_eq!(parse(json!({"records": [item]})).unwrap().records.len(), 1);
    }

    #[test]
    fn every_bad_record_is_named_by_index_and_field() {
        let mut bad_country = record(2, 0);
        bad_country["country"] = json!("XX");
        let mut smuggled = record(3, 0);
        smuggled["worker_id"] = json!("A2XYZ");
        let found = problems(json!({"records": [record(1, 0), bad_country, smuggled]}));
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].index, found[0].field.as_str()), (Some(1), "country"));
        assert_eq!((found[1].index, found[1].field.as_str()), (Some(2), "record"));
        assert!(found[1].problem.contains("unknown field 'worker_id'"));
    }

    #[test]
    fn repeats_inside_a_batch_count_once_or_conflict() {
        let batch = parse(json!({"records": [record(1, 10), record(1, 20)]})).unwrap();
        // Both start in the same hour, so after coarsening they are the same record.
        assert_eq!((batch.records.len(), batch.repeated_in_batch), (1, 1));
        let mut changed = record(1, 10);
        changed["reward"] = json!("2.00");
        let found = problems(json!({"records": [record(1, 10), changed]}));
        assert_eq!((found[0].index, found[0].field.as_str()), (Some(1), "record_id"));
    }

    #[test]
    fn the_batch_shape_is_checked() {
        assert!(matches!(parse(json!([record(1, 0)])), Err(BatchError::Invalid(_))));
        assert!(matches!(parse(json!({"records": []})), Err(BatchError::Invalid(_))));
        assert!(matches!(parse(json!({"records": "x"})), Err(BatchError::Invalid(_))));
        let four = json!({"records": [record(1, 0), record(2, 0), record(3, 0), record(4, 0)]});
        assert!(problems(four)[0].problem.contains("send 1 to 3"));
        assert_eq!(problems(json!({"records": [record(1, 0)], "user": "x"}))[0].field, "user");
        let malformed = parse_batch(b"{\"records\": [", &InstallId::parse("a").unwrap(), &LIMITS);
        assert!(matches!(malformed, Err(BatchError::Malformed(_))));
        let twice = format!("{{\"records\": [{}], \"records\": []}}", record(1, 0));
        match parse_batch(twice.as_bytes(), &InstallId::parse("a").unwrap(), &LIMITS) {
            Err(BatchError::Malformed(message)) => {
                assert!(message.contains("\"records\" is given more than once"))
            }
            other => panic!("a repeated key was not refused: {other:?}"),
        }
    }

    #[test]
    fn the_fast_reader_takes_a_batch_as_the_extension_sends_it() {
        let body = json!({"records": [record(1, 7), record(2, 8)]}).to_string();
        let batch: BorrowedBatch<'_> = serde_json::from_str(&body).expect("the fast reader's form");
        assert_eq!(batch.records.len(), 2);
        assert_eq!(batch.records[1].record_id, Some("00000000-0000-4000-8000-000000000002"));
        assert!(matches!(batch.records[0].active_seconds, Some(PlainSeconds(600))));
        // Forms left to the library's reader.
        for other in
            [r#"{"active_seconds": 6e2}"#, r#"{"active_seconds": 600.0}"#, r#"{"kind": "t\u0061sk"}"#]
        {
            assert!(serde_json::from_str::<BorrowedRecord<'_>>(other).is_err(), "{other}");
        }
    }

    /// Every body, well-formed or not, gets the same answer as from the library's reader alone:
    /// checked on batches in every form the library accepts, each cut, widened and corrupted at
    /// every byte.
    #[test]
    fn the_fast_reader_answers_as_the_library_reader() {
        let install = InstallId::parse("abc").unwrap();
        let mut unpaid = record(3, 0);
        unpaid["kind"] = json!("unpaid");
        unpaid["category"] = json!("search");
        unpaid["outcome"] = Value::Null;
        unpaid["reward"] = Value::Null;
        unpaid["currency"] = json!("");
        unpaid.as_object_mut().unwrap().remove("install_id");
        let batches = [
            json!({"records": [record(1, 7), unpaid]}).to_string(),
            json!({"records": [record(1, 10), record(1, 20)]}).to_string(),
            r#"{"records":[{"record_id":"00000000-0000-4000-8000-000000000001","install_id":7,"platform":"mturk","country":"U\u0053","kind":"task","outcome":"approved","started_at":"2024-05-01T13:07:15Z","ended_at":"2024-05-01T14:05:00Z","active_seconds":6.0e2,"reward":"1.50","currency":"USD"}]}"#.to_owned(),
        ];
        let insertions = [
            "",
            "\"",
            "\\",
            ",",
            ":",
            "0",
            "1",
            "-",
            ".",
            "e",
            "{",
            "}",
            "[",
            "]",
            " ",
            "null",
            "\"x\"",
            "\\u00e9",
            "\\ud800",
            "é",
            "\u{1}",
            "1e99",
            "99999999999999999999",
        ];
        let mut compared = 0;
        for body in &batches {
            for at in (0..=body.len()).filter(|&at| body.is_char_boundary(at)) {
                let next = body[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                for insertion in insertions {
                    for mutated in [
                        format!("{}{insertion}{}", &body[..at], &body[at..]),
                        format!("{}{insertion}{}", &body[..at], &body[next..]),
                    ] {
                        let library = parse_batch_with_library_reader(&mutated, &install, &LIMITS);
                        assert_eq!(parse_batch(mutated.as_bytes(), &install, &LIMITS), library, "{mutated}");
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 10_000);
        assert!(parse_batch(batches[0].as_bytes(), &install, &LIMITS).is_ok());
        assert!(parse_batch(batches[2].as_bytes(), &install, &LIMITS).is_ok());
    }

    #[test]
    fn gzip_is_bounded_after_decompression() {
        assert_eq!(decode_body(&gzip(b"{}"), Some("gzip"), &LIMITS).unwrap().as_ref(), b"{}");
        let bomb = gzip(&vec![b' '; 100_000]);
        assert!(bomb.len() < 1000);
        assert!(matches!(decode_body(&bomb, Some("gzip"), &LIMITS), Err(BatchError::TooLarge(_))));
        assert!(matches!(decode_body(b"plain", Some("gzip"), &LIMITS), Err(BatchError::Malformed(_))));
        assert!(matches!(decode_body(b"{}", Some("br"), &LIMITS), Err(BatchError::UnsupportedEncoding(_))));
    }

    #[test]
    fn nothing_may_follow_the_gzip_member() {
        let refusal = |body: &[u8]| match decode_body(body, Some("gzip"), &LIMITS) {
            Err(BatchError::Malformed(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        };
        let mut two_members = gzip(b"{\"records\": []}");
        two_members.extend(gzip(b"{\"records\": [1]}"));
        assert!(refusal(&two_members).contains("a second gzip member"), "{}", refusal(&two_members));
        let mut trailing = gzip(b"{}");
        trailing.extend(b"garbage");
        assert!(refusal(&trailing).contains("7 byte(s) of trailing data"), "{}", refusal(&trailing));
        let mut truncated = gzip(b"{}");
        truncated.truncate(truncated.len() - 3);
        assert!(refusal(&truncated).contains("not valid gzip"), "{}", refusal(&truncated));
    }
}
