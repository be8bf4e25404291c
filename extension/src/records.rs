//! Finished tasks and search stretches become real `analysis::Record`s (format v1), checked by
//! the library like any other input. Title and requester stay beside the record, locally.

use analysis::{CountryCode, InstallId, Record, RecordError, RecordFields, Timestamp};
use uuid::Uuid;

use crate::tracker::{Finished, FinishedWhat, Millis};

/// A record and what only the worker's own view may show about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRecord {
    pub record: Record,
    pub title: Option<String>,
    pub requester: Option<String>,
}

/// Builds the record of a finished task or stretch. `random` are 16 random bytes for the
/// record id (a UUID v4); times are rounded outward to whole seconds and the active time
/// rounded to the nearest second, never beyond the span.
pub fn to_record(
    finished: &Finished,
    random: [u8; 16],
    install: &InstallId,
    country: Option<CountryCode>,
) -> Result<LocalRecord, RecordError> {
    let record_id = uuid::Builder::from_random_bytes(random).into_uuid();
    let started_s = finished.started.div_euclid(1000);
    let ended_s = (finished.ended + 999).div_euclid(1000).max(started_s);
    let active_s = ((finished.active_ms.max(0) + 500) / 1000).min(ended_s - started_s);
    let timestamp = |seconds: i64, field: &'static str| {
        Timestamp::from_unix_seconds(seconds).map(|t| t.to_string()).map_err(|e| RecordError::new(field, e))
    };
    let started_at = timestamp(started_s, "started_at")?;
    let ended_at = timestamp(ended_s, "ended_at")?;
    let active = active_s.to_string();
    let id = Uuid::hyphenated(record_id).to_string();
    let country_text = country.map(|c| c.as_str().to_owned()).unwrap_or_default();
    let (kind, category, outcome, reward, bonus, currency, title, requester) = match &finished.what {
        FinishedWhat::Task { outcome, details, bonus } => (
            "task",
            "",
            outcome.as_str(),
            details.reward.to_string(),
            bonus.to_string(),
            details.currency.as_str().to_owned(),
            details.title.clone(),
            details.requester.clone(),
        ),
        FinishedWhat::Unpaid(category) => {
            ("unpaid", category.as_str(), "", String::new(), String::new(), String::new(), None, None)
        }
    };
    let record = Record::from_fields(&RecordFields {
        record_id: &id,
        install_id: install.as_str(),
        platform: finished.platform.as_str(),
        country: &country_text,
        kind,
        category,
        outcome,
        started_at: &started_at,
        ended_at: &ended_at,
        active_seconds: &active,
        reward: &reward,
        bonus: if bonus == "0" { "" } else { &bonus },
        currency: &currency,
    })?;
    Ok(LocalRecord { record, title, requester })
}

/// Seconds since the epoch of a record's start, as the tracker counts (milliseconds).
pub fn started_millis(record: &Record) -> Millis {
    record.started_at().unix_seconds() * 1000
}
