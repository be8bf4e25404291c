//! Database rows and the pure logic around them: records to columns and back (back through the
//! library's validation), a batch sorted into new, duplicate and conflicting records, and the
//! per-cell totals a batch adds. The backends only move these rows in and out of SQL.

use std::collections::{BTreeMap, HashMap};

use analysis::record::{InstallId, RecordFields, RecordParts};
use analysis::report::TotalsCell;
use analysis::{Activity, CountryCode, Platform, Record, RecordError, Seconds, Timestamp, WorkerTotals};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::ingest::{ParsedBatch, RecordProblem};

/// One record as stored: format v1's fields without `install_id` (a column of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub record_id: String,
    pub platform: String,
    pub country: Option<String>,
    pub kind: String,
    pub category: Option<String>,
    pub outcome: Option<String>,
    pub started_at: i64,
    pub ended_at: i64,
    pub active_seconds: i64,
    pub reward: Option<String>,
    pub bonus: Option<String>,
    pub currency: Option<String>,
}

impl RecordRow {
    /// The columns of a record. Built from its typed parts rather than `Record::write_fields`,
    /// which would format both timestamps as text only for them to be stored as numbers: on
    /// the upload path that formatting was the largest single cost after JSON parsing.
    pub fn from_record(record: &Record) -> RecordRow {
        let (category, outcome, reward, bonus, currency) = match record.activity() {
            Activity::Task { category, outcome, reward, bonus, currency } => (
                category.map(|c| c.as_str().to_owned()),
                Some(outcome.as_str().to_owned()),
                Some(reward.to_string()),
                (!bonus.is_zero()).then(|| bonus.to_string()),
                Some(currency.as_str().to_owned()),
            ),
            Activity::Unpaid { category } => (Some(category.as_str().to_owned()), None, None, None, None),
        };
        RecordRow {
            record_id: record.record_id().hyphenated().to_string(),
            platform: record.platform().as_str().to_owned(),
            country: record.country().map(|c| c.as_str().to_owned()),
            kind: record.kind().to_owned(),
            category,
            outcome,
            started_at: record.started_at().unix_seconds(),
            ended_at: record.ended_at().unix_seconds(),
            active_seconds: i64::try_from(record.active().get()).expect("at most 31 days"),
            reward,
            bonus,
            currency,
        }
    }

    /// The record again, validated by the library as if it had just arrived: its text columns
    /// parsed, its times and durations taken as they are stored, through `Record::new`.
    pub(crate) fn to_record(&self, install: &str) -> Result<Record, RecordError> {
        let time = |field: &'static str, seconds: i64| {
            Timestamp::from_unix_seconds(seconds).map_err(|error| RecordError::new(field, error))
        };
        fn text(value: &Option<String>) -> &str {
            value.as_deref().unwrap_or_default()
        }
        let record_id = Uuid::try_parse(&self.record_id)
            .map_err(|_| RecordError::new("record_id", format!("'{}' is not a UUID", self.record_id)))?;
        let install_id =
            InstallId::parse(install).map_err(|problem| RecordError::new("install_id", problem))?;
        let platform =
            Platform::parse(&self.platform).map_err(|problem| RecordError::new("platform", problem))?;
        let country = match text(&self.country) {
            "" => None,
            code => Some(CountryCode::parse(code).map_err(|error| RecordError::new("country", error))?),
        };
        let activity = Activity::from_fields(&RecordFields {
            kind: &self.kind,
            category: text(&self.category),
            outcome: text(&self.outcome),
            reward: text(&self.reward),
            bonus: text(&self.bonus),
            currency: text(&self.currency),
            ..RecordFields::default()
        })?;
        let active = u64::try_from(self.active_seconds).map_err(|_| {
            RecordError::new("active_seconds", format!("{} is negative", self.active_seconds))
        })?;
        Record::new(RecordParts {
            record_id,
            install_id,
            platform,
            country,
            activity,
            started_at: time("started_at", self.started_at)?,
            ended_at: time("ended_at", self.ended_at)?,
            active: Seconds::new(active),
        })
    }
}

/// One install's totals for one cell, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TotalsRow {
    pub platform: String,
    /// Empty when the records carry no country.
    pub country: String,
    pub month: i64,
    pub earnings_usd: String,
    pub paid_task_seconds: i64,
    pub unpaid_task_seconds: i64,
    pub unpaid_record_seconds: i64,
    pub tasks: i64,
}

impl TotalsRow {
    pub(crate) fn new(cell: &TotalsCell, totals: &WorkerTotals) -> TotalsRow {
        let seconds = |s: Seconds| i64::try_from(s.get()).unwrap_or(i64::MAX);
        TotalsRow {
            platform: cell.platform.as_str().to_owned(),
            country: cell.country.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            month: cell.month_number(),
            earnings_usd: totals.earnings_usd.to_string(),
            paid_task_seconds: seconds(totals.paid_task_time),
            unpaid_task_seconds: seconds(totals.unpaid_task_time),
            unpaid_record_seconds: seconds(totals.unpaid_record_time),
            tasks: i64::try_from(totals.tasks).unwrap_or(i64::MAX),
        }
    }

    /// The cell and totals again; `None` (with what is wrong) for a row the collector did not write.
    pub(crate) fn parse(&self) -> Result<(TotalsCell, WorkerTotals), String> {
        let platform = Platform::parse(&self.platform)?;
        let country = match self.country.as_str() {
            "" => None,
            code => Some(CountryCode::parse(code).map_err(|e| e.to_string())?),
        };
        let month = TotalsCell::month_from_number(self.month).ok_or(format!("bad month {}", self.month))?;
        let seconds =
            |value: i64| u64::try_from(value).map(Seconds::new).map_err(|_| format!("negative {value}"));
        let totals = WorkerTotals {
            earnings_usd: self.earnings_usd.parse::<Decimal>().map_err(|e| format!("earnings: {e}"))?,
            paid_task_time: seconds(self.paid_task_seconds)?,
            unpaid_task_time: seconds(self.unpaid_task_seconds)?,
            unpaid_record_time: seconds(self.unpaid_record_seconds)?,
            session_gap_time: Seconds::ZERO,
            tasks: u64::try_from(self.tasks).map_err(|_| format!("negative task count {}", self.tasks))?,
        };
        Ok((TotalsCell { platform, country, month }, totals))
    }
}

/// A batch sorted against what its install already stored.
#[derive(Debug)]
pub(crate) struct SortedBatch<'a> {
    pub new: Vec<&'a Record>,
    pub duplicates: u64,
}

/// Same id and same content (after coarsening) is a duplicate; same id and different content
/// is a conflict, which refuses the batch: a record, once sent, does not change.
pub(crate) fn sort_batch<'a>(
    batch: &'a ParsedBatch,
    stored: &HashMap<String, Record>,
) -> Result<SortedBatch<'a>, Vec<RecordProblem>> {
    let mut sorted = SortedBatch { new: Vec::new(), duplicates: batch.repeated_in_batch };
    if stored.is_empty() {
        sorted.new.extend(batch.records.iter().map(|(_, record)| record));
        return Ok(sorted);
    }
    let mut conflicts = Vec::new();
    for (index, record) in &batch.records {
        match stored.get(&record.record_id().hyphenated().to_string()) {
            None => sorted.new.push(record),
            Some(existing) if existing == record => sorted.duplicates += 1,
            Some(_) => conflicts.push(RecordProblem {
                index: Some(*index),
                field: "record_id".into(),
                problem: "this install already sent a record with this record_id and different content; a record, once sent, cannot change".into(),
            }),
        }
    }
    if conflicts.is_empty() { Ok(sorted) } else { Err(conflicts) }
}

/// What the new records add to each cell, summed by the library's `WorkerTotals::add`.
pub(crate) fn totals_by_cell<'a>(
    records: impl IntoIterator<Item = &'a Record>,
) -> BTreeMap<TotalsCell, WorkerTotals> {
    let mut cells: BTreeMap<TotalsCell, WorkerTotals> = BTreeMap::new();
    for record in records {
        cells.entry(TotalsCell::of(record)).or_default().add(record);
    }
    cells
}

/// Stored totals plus a batch's, merged by `WorkerTotals::merge`, ready to be written back.
pub(crate) fn merged_totals(
    added: &BTreeMap<TotalsCell, WorkerTotals>,
    stored: &[TotalsRow],
) -> Result<Vec<TotalsRow>, String> {
    let mut existing: HashMap<TotalsCell, WorkerTotals> = HashMap::new();
    for row in stored {
        let (cell, totals) = row.parse()?;
        existing.insert(cell, totals);
    }
    Ok(added
        .iter()
        .map(|(cell, totals)| {
            let mut sum = existing.get(cell).copied().unwrap_or_default();
            sum.merge(totals);
            TotalsRow::new(cell, &sum)
        })
        .collect())
}

/// The install id records of this install carry in reports and exports.
pub(crate) fn install_id(public_id: &str) -> Result<InstallId, String> {
    InstallId::parse(public_id)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ingest::{BatchLimits, parse_batch};

    fn batch(rewards: &[&str]) -> ParsedBatch {
        let records: Vec<_> = rewards
            .iter()
            .enumerate()
            .map(|(i, reward)| {
                json!({
                    "record_id": format!("00000000-0000-4000-8000-{i:012}"),
                    "platform": "prolific", "country": "GB", "kind": "task", "outcome": "approved",
                    "started_at": "2024-05-01T13:20:00Z", "ended_at": "2024-05-01T13:50:00Z",
                    "active_seconds": 1500, "reward": reward, "bonus": "0.25", "currency": "GBP"
                })
            })
            .collect();
        let limits = BatchLimits { max_decompressed_bytes: 1 << 20, max_records: 1000 };
        parse_batch(
            json!({ "records": records }).to_string().as_bytes(),
            &InstallId::parse("x").unwrap(),
            &limits,
        )
        .unwrap()
    }

    #[test]
    fn rows_round_trip_to_the_same_record() {
        let unpaid = json!({
            "record_id": "00000000-0000-4000-8000-000000000099", "install_id": "x", "platform": "mturk", "kind": "unpaid",
            "category": "search", "started_at": "2024-05-01T13:20:00Z", "ended_at": "2024-05-01T13:50:00Z",
            "active_seconds": 1500
        });
        let no_bonus = json!({
            "record_id": "00000000-0000-4000-8000-000000000098", "install_id": "x", "platform": "toloka", "country": "RU",
            "kind": "task", "outcome": "returned", "started_at": "2024-05-01T13:20:00Z",
            "ended_at": "2024-05-01T13:50:00Z", "active_seconds": 10, "reward": "0.02", "currency": "USD"
        });
        let mut records: Vec<Record> = batch(&["3.10"]).records.into_iter().map(|(_, r)| r).collect();
        for value in [unpaid, no_bonus] {
            records.push(
                analysis::record_from_json(&analysis::json::parse(&value.to_string()).unwrap()).unwrap(),
            );
        }
        for record in records {
            let row = RecordRow::from_record(&record);
            assert_eq!(row.to_record("x").unwrap(), record);
            // The same text the record format writes, column for column.
            let mut text = Vec::new();
            record.write_fields(|field| text.push(field.to_owned()));
            let optional = |index: usize| Some(text[index].clone()).filter(|t| !t.is_empty());
            assert_eq!(
                (row.category, row.outcome, row.reward, row.bonus, row.currency, row.country),
                (optional(5), optional(6), optional(10), optional(11), optional(12), optional(3))
            );
        }
    }

    #[test]
    fn duplicates_and_conflicts_are_told_apart() {
        let first = batch(&["1.00", "2.00"]);
        let stored: HashMap<String, Record> =
            first.records.iter().map(|(_, r)| (r.record_id().hyphenated().to_string(), r.clone())).collect();
        let replay = sort_batch(&first, &stored).unwrap();
        assert_eq!((replay.new.len(), replay.duplicates), (0, 2));
        let changed = batch(&["1.00", "2.50", "9.00"]);
        let conflicts = sort_batch(&changed, &stored).unwrap_err();
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].index, Some(1));
    }

    #[test]
    fn totals_merge_with_what_is_stored() {
        let parsed = batch(&["1.00", "2.00"]);
        let added = totals_by_cell(parsed.records.iter().map(|(_, r)| r));
        let once = merged_totals(&added, &[]).unwrap();
        let twice = merged_totals(&added, &once).unwrap();
        let (_, totals) = twice[0].parse().unwrap();
        assert_eq!(totals.tasks, 4);
        assert_eq!(totals.paid_task_time, Seconds::new(4 * 1500));
        assert_eq!(once[0].country, "GB");
        assert_eq!(once[0].month, 202405);
    }
}
