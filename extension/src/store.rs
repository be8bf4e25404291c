//! The local store's layout, independent of the browser: records in chunks of text lines
//! (the thirteen fields of format v1, then the worker-only title, requester, task id and
//! advertised reward and time), and daily totals per platform so the popup never reads the
//! records themselves.
//!
//! Lines written before the task id and the advertised figures were kept have 15 fields; they
//! still read, with neither (the store is never rewritten to migrate it: old lines stay as
//! they are and new lines have 18 fields).

use analysis::json::Value;
use analysis::{Money, Platform, Record, RecordFields, WorkerTotals};
use rust_decimal::Decimal;

use crate::adapters::Advertised;
use crate::json::{Fields, FromJson, JsonError, ObjectBuilder, ToJson, map_of, object_of};
use crate::records::LocalRecord;
use crate::sorted_map::SortedMap;

/// Records per storage key: small enough to rewrite the last chunk cheaply on every new record,
/// large enough that 100,000 records are only 100 keys.
pub const CHUNK_RECORDS: usize = 1000;

/// Fields of a line in the first stored format (format v1's thirteen, title, requester).
pub const LINE_FIELDS_V1: usize = 15;
/// Fields of a line now: then the task id, the advertised reward and the advertised seconds.
pub const LINE_FIELDS: usize = 18;

/// One stored record as a line: tab-separated, since no field of format v1 can hold a tab,
/// labels have control characters removed and task ids are plain ASCII ids.
pub fn encode_line(local: &LocalRecord) -> String {
    let mut fields: Vec<String> = Vec::with_capacity(LINE_FIELDS);
    local.record.write_fields(|text| fields.push(text.to_owned()));
    fields.push(local.title.clone().unwrap_or_default());
    fields.push(local.requester.clone().unwrap_or_default());
    fields.push(local.task_key.clone().unwrap_or_default());
    fields.push(local.advertised.map(|a| a.reward.to_string()).unwrap_or_default());
    fields.push(local.advertised.map(|a| a.seconds.to_string()).unwrap_or_default());
    fields.join("\t")
}

/// A stored line that no longer reads as a record (storage damaged or edited by hand).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored record {index}: {problem}")]
pub struct StoredLineError {
    pub index: usize,
    pub problem: String,
}

pub fn decode_line(line: &str, index: usize) -> Result<LocalRecord, StoredLineError> {
    let fields: Vec<&str> = line.split('\t').collect();
    if fields.len() != LINE_FIELDS && fields.len() != LINE_FIELDS_V1 {
        return Err(StoredLineError {
            index,
            problem: format!("has {} fields instead of {LINE_FIELDS} (or {LINE_FIELDS_V1})", fields.len()),
        });
    }
    // Not `expect`, which would keep the error's `Debug` form in the wasm module.
    let Ok(row) = <[&str; 13]>::try_from(&fields[..13]) else {
        unreachable!("15 or 18 fields counted above")
    };
    let record = Record::from_fields(&RecordFields::from_row(row))
        .map_err(|error| StoredLineError { index, problem: error.to_string() })?;
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_owned());
    let problem = |field: &str, error: &dyn std::fmt::Display| StoredLineError {
        index,
        problem: format!("{field}: {error}"),
    };
    let (task_key, advertised) = if fields.len() == LINE_FIELDS {
        let advertised = match (fields[16], fields[17]) {
            ("", "") => None,
            (reward, seconds) => Some(Advertised {
                reward: Money::parse(reward).map_err(|e| problem("advertised_reward", &e))?,
                seconds: seconds.parse().map_err(|e| problem("advertised_seconds", &e))?,
            }),
        };
        (optional(fields[15]), advertised)
    } else {
        (None, None)
    };
    Ok(LocalRecord {
        record,
        title: optional(fields[13]),
        requester: optional(fields[14]),
        task_key,
        advertised,
    })
}

/// Decodes a chunk, keeping every readable record and reporting the others.
pub fn decode_chunk(chunk: &str, first_index: usize) -> (Vec<LocalRecord>, Vec<StoredLineError>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for (offset, line) in chunk.lines().filter(|line| !line.is_empty()).enumerate() {
        match decode_line(line, first_index + offset) {
            Ok(record) => records.push(record),
            Err(error) => errors.push(error),
        }
    }
    (records, errors)
}

/// A day's totals on one platform, stored as text and whole seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredTotals {
    pub earnings_usd: String,
    pub paid_task_seconds: u64,
    pub unpaid_task_seconds: u64,
    pub unpaid_record_seconds: u64,
    pub tasks: u64,
}

impl StoredTotals {
    pub fn to_totals(&self) -> WorkerTotals {
        WorkerTotals {
            earnings_usd: Decimal::from_str_exact(&self.earnings_usd).unwrap_or(Decimal::ZERO),
            paid_task_time: analysis::Seconds::new(self.paid_task_seconds),
            unpaid_task_time: analysis::Seconds::new(self.unpaid_task_seconds),
            unpaid_record_time: analysis::Seconds::new(self.unpaid_record_seconds),
            session_gap_time: analysis::Seconds::ZERO,
            tasks: self.tasks,
        }
    }

    fn from_totals(totals: &WorkerTotals) -> StoredTotals {
        StoredTotals {
            earnings_usd: totals.earnings_usd.normalize().to_string(),
            paid_task_seconds: totals.paid_task_time.get(),
            unpaid_task_seconds: totals.unpaid_task_time.get(),
            unpaid_record_seconds: totals.unpaid_record_time.get(),
            tasks: totals.tasks,
        }
    }
}

/// Totals per local day (days since 1970-01-01 in the worker's time zone) and platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DailyTotals {
    /// Keyed by `"{day}:{platform}"`, so the JSON stays a flat object.
    pub days: SortedMap<String, StoredTotals>,
}

impl DailyTotals {
    /// Adds a record to its local day; `utc_offset_minutes` is the worker's offset from UTC
    /// when the record started (east positive).
    pub fn add(&mut self, record: &Record, utc_offset_minutes: i64) {
        let local_seconds = record.started_at().unix_seconds() + utc_offset_minutes * 60;
        let day = local_seconds.div_euclid(86_400);
        let key = format!("{day}:{}", record.platform());
        let mut totals = self.days.get(&key).map(StoredTotals::to_totals).unwrap_or_default();
        totals.add(record);
        self.days.insert(key, StoredTotals::from_totals(&totals));
    }

    /// Every (day, platform, totals), oldest first; unreadable keys are skipped.
    pub fn entries(&self) -> impl Iterator<Item = (i64, Platform, WorkerTotals)> + '_ {
        self.days.iter().filter_map(|(key, totals)| {
            let (day, platform) = key.split_once(':')?;
            Some((day.parse().ok()?, Platform::parse(platform).ok()?, totals.to_totals()))
        })
    }
}

impl ToJson for StoredTotals {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .field("earnings_usd", self.earnings_usd.as_str())
            .field("paid_task_seconds", self.paid_task_seconds)
            .field("unpaid_task_seconds", self.unpaid_task_seconds)
            .field("unpaid_record_seconds", self.unpaid_record_seconds)
            .field("tasks", self.tasks)
            .build()
    }
}

impl FromJson for StoredTotals {
    fn from_json(value: &Value) -> Result<StoredTotals, JsonError> {
        let fields = Fields::of(value)?;
        Ok(StoredTotals {
            earnings_usd: fields.str("earnings_usd")?.to_owned(),
            paid_task_seconds: fields.u64("paid_task_seconds")?,
            unpaid_task_seconds: fields.u64("unpaid_task_seconds")?,
            unpaid_record_seconds: fields.u64("unpaid_record_seconds")?,
            tasks: fields.u64("tasks")?,
        })
    }
}

/// `{"days": {"20000:mturk": {...}, ...}}`.
impl ToJson for DailyTotals {
    fn to_json(&self) -> Value {
        ObjectBuilder::new().field("days", object_of(self.days.iter())).build()
    }
}

impl FromJson for DailyTotals {
    fn from_json(value: &Value) -> Result<DailyTotals, JsonError> {
        let key = |name: &str| Ok(name.to_owned());
        let days = Fields::of(value)?.with("days", |value| map_of(value, key, StoredTotals::from_json))?;
        Ok(DailyTotals { days })
    }
}
