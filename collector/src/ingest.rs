//! Turning an upload body into validated, coarsened records: decompression with a bound, the
//! batch's JSON shape, and each record through the library's `record_from_json`. Pure: no
//! database, no HTTP; the handler maps [`BatchError`] to a status.

use std::collections::HashMap;
use std::io::Read;

use analysis::Record;
use analysis::format::record_of_install_from_json;
use analysis::json::{self, Value};
use analysis::record::InstallId;
use serde::Serialize;

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
pub(crate) fn decode_body(
    body: &[u8],
    content_encoding: Option<&str>,
    limits: &BatchLimits,
) -> Result<Vec<u8>, BatchError> {
    match content_encoding.map(|e| e.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "identity") => Ok(body.to_vec()),
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
            Ok(decoded)
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
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(items.len());
    let mut first_index_of: HashMap<uuid::Uuid, usize> = HashMap::with_capacity(items.len());
    let mut repeated_in_batch = 0;
    for (index, item) in items.into_iter().enumerate() {
        let record = match record_of_install_from_json(&item, install) {
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    // The tests write bodies with serde_json's `json!`; the code under test reads their text.
    use serde_json::{Value, json};

    use super::*;

    const LIMITS: BatchLimits = BatchLimits { max_decompressed_bytes: 4096, max_records: 3 };

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
    fn gzip_is_bounded_after_decompression() {
        let gzip = |bytes: &[u8]| {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(bytes).unwrap();
            encoder.finish().unwrap()
        };
        assert_eq!(decode_body(&gzip(b"{}"), Some("gzip"), &LIMITS).unwrap(), b"{}");
        let bomb = gzip(&vec![b' '; 100_000]);
        assert!(bomb.len() < 1000);
        assert!(matches!(decode_body(&bomb, Some("gzip"), &LIMITS), Err(BatchError::TooLarge(_))));
        assert!(matches!(decode_body(b"plain", Some("gzip"), &LIMITS), Err(BatchError::Malformed(_))));
        assert!(matches!(decode_body(b"{}", Some("br"), &LIMITS), Err(BatchError::UnsupportedEncoding(_))));
    }

    #[test]
    fn nothing_may_follow_the_gzip_member() {
        let gzip = |bytes: &[u8]| {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(bytes).unwrap();
            encoder.finish().unwrap()
        };
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
