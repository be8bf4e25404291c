//! Finished tasks and search stretches become real `analysis::Record`s (format v1), checked by
//! the library like any other input. Title and requester stay beside the record, locally.

use analysis::record::RecordParts;
use analysis::{Activity, CountryCode, InstallId, Record, RecordError, Seconds, Timestamp};

use crate::adapters::Advertised;
use crate::tracker::{Finished, FinishedWhat, MANUAL_KEY};

/// A record and what only the worker's own view may show about it: none of the fields beside
/// `record` ever leaves the browser (uploads and exports carry the record alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRecord {
    pub record: Record,
    pub title: Option<String>,
    pub requester: Option<String>,
    /// The platform's id of the task (MTurk's assignment id, Prolific's submission id), to
    /// match the pay states its status pages report later.
    pub task_key: Option<String>,
    /// What the platform promised for the task, in the record's currency.
    pub advertised: Option<Advertised>,
}

impl LocalRecord {
    /// A record with nothing kept beside it (an import).
    pub fn bare(record: Record) -> LocalRecord {
        LocalRecord { record, title: None, requester: None, task_key: None, advertised: None }
    }
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
        Timestamp::from_unix_seconds(seconds).map_err(|e| RecordError::new(field, e))
    };
    let (activity, title, requester, task_key, advertised) = match &finished.what {
        FinishedWhat::Task { key, outcome, details, bonus } => (
            Activity::Task {
                category: None,
                outcome: *outcome,
                reward: details.reward,
                bonus: *bonus,
                currency: details.currency,
            },
            details.title.clone(),
            details.requester.clone(),
            (key != MANUAL_KEY).then(|| key.clone()),
            details.advertised,
        ),
        FinishedWhat::Unpaid(category) => (Activity::Unpaid { category: *category }, None, None, None, None),
    };
    let record = Record::new(RecordParts {
        record_id,
        install_id: install.clone(),
        platform: finished.platform,
        country,
        activity,
        started_at: timestamp(started_s, "started_at")?,
        ended_at: timestamp(ended_s, "ended_at")?,
        active: Seconds::new(u64::try_from(active_s).unwrap_or(0)),
    })?;
    Ok(LocalRecord { record, title, requester, task_key, advertised })
}
