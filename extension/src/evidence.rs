//! The evidence log's events (`analysis::evidence`, `piecerate.evidence/1`): what handling
//! tracker events produced — tasks accepted, finished with their active time, pay states the
//! platforms reported — becomes entries of the hash chain, in the order it happened. The
//! browser shell stores them (`web/storage.rs`, chunks of [`CHUNK_ENTRIES`]).
//!
//! The worker's exports are excerpts of that log ([`excerpt`]): the entries of a task, a
//! requester or study, or a period in full, the others between them withheld, after the hash
//! of the entry before them; `page.rs` renders one as the printable page.

use analysis::Outcome;
use analysis::evidence::{Entry, Event, GENESIS, Hash, Kind, chain, export};

use crate::pay::{PayReport, PayState};
use crate::sorted_map::SortedMap;

pub mod page;
use crate::tracker::{Finished, FinishedWhat, OpenTask};

/// Entries per stored chunk: an append rewrites one chunk, never the whole log.
pub const CHUNK_ENTRIES: usize = 1000;

fn kind_of(outcome: Outcome) -> Kind {
    match outcome {
        Outcome::Submitted => Kind::Submitted,
        Outcome::Returned => Kind::Returned,
        Outcome::ScreenedOut => Kind::ScreenedOut,
        _ => Kind::Abandoned,
    }
}

/// The events of one handled batch: tasks open after it that were not before (accepted),
/// finished tasks (their active time, then how they ended), then the pay reports that changed
/// a task's state (`changed`), each at the time it happened. Search stretches are not task
/// events and are left out.
pub fn events(
    open_before: &[OpenTask],
    open_after: &[OpenTask],
    finished: &[Finished],
    pay: &[&PayReport],
    utc_offset_minutes: i64,
) -> Vec<Event> {
    let offset = Some(utc_offset_minutes);
    let mut events = Vec::new();
    let accepted = |task: &OpenTask| Event {
        at: task.started,
        kind: Kind::Accepted,
        platform: task.platform.to_string(),
        task: task.key.clone(),
        title: task.details.as_ref().and_then(|d| d.title.clone()),
        requester: task.details.as_ref().and_then(|d| d.requester.clone()),
        reward: task.details.as_ref().map(|d| format!("{} {}", d.reward, d.currency)),
        active_seconds: None,
        utc_offset_minutes: offset,
    };
    let new = |task: &&OpenTask| !open_before.iter().any(|old| old.key == task.key);
    events.extend(open_after.iter().filter(new).map(accepted));
    for done in finished {
        let FinishedWhat::Task { key, outcome, details, .. } = &done.what else { continue };
        let base = Event {
            at: done.started,
            kind: Kind::Accepted,
            platform: done.platform.to_string(),
            task: key.clone(),
            title: details.title.clone(),
            requester: details.requester.clone(),
            reward: Some(format!("{} {}", details.reward, details.currency)),
            active_seconds: None,
            utc_offset_minutes: offset,
        };
        // A task that opened and finished within one batch was never seen open: its
        // acceptance goes first.
        if !open_before.iter().any(|task| &task.key == key) {
            events.push(base.clone());
        }
        let active_seconds = u64::try_from(done.active_ms.div_euclid(1000)).unwrap_or(0);
        events.push(Event {
            at: done.ended,
            kind: Kind::Worked,
            active_seconds: Some(active_seconds),
            ..base.clone()
        });
        events.push(Event { at: done.ended, kind: kind_of(*outcome), ..base });
    }
    for report in pay {
        let kind = match report.state {
            PayState::Pending => Kind::Pending,
            PayState::Approved => Kind::Approved,
            PayState::Rejected => Kind::Rejected,
            PayState::Paid => Kind::Paid,
        };
        events.push(Event {
            at: report.at,
            kind,
            platform: report.platform.to_string(),
            task: report.key.clone(),
            title: None,
            requester: None,
            reward: None,
            active_seconds: None,
            utc_offset_minutes: offset,
        });
    }
    events
}

/// What the worker exports: one task, the tasks of one requester (or of one of its projects or
/// studies, as the requester table groups them), or the events of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Task {
        platform: String,
        task: String,
    },
    /// `title: None` is every task of the requester; `Some("")` its untitled tasks.
    Requester {
        platform: String,
        requester: String,
        title: Option<String>,
    },
    /// The events of the worker's days `from` to `to`, both included (days since 1970-01-01, in
    /// the time zone the browser had when each event was recorded).
    Period {
        from: i64,
        to: i64,
    },
}

/// Why nothing verifiable can be exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportError {
    /// The log has no event of that task, requester or period.
    Nothing,
    /// The stored log does not chain at this index (a lost or damaged chunk): an excerpt across
    /// it would not verify, so none is written.
    Damaged(u64),
    /// The excerpt would be longer than the verifier reads (`MAX_EXPORT_BYTES`).
    TooLarge(usize),
}

/// An excerpt of the log: the run of consecutive entries from the first selected to the last,
/// the others withheld, after `before` (the hash of the entry before the run). Its text is what
/// `analysis::evidence::verify` (and so `piecerate verify-evidence`) accepts.
#[derive(Debug)]
pub struct Excerpt<'a> {
    pub before: Hash,
    pub run: &'a [Entry],
    shown: Vec<bool>,
}

impl Excerpt<'_> {
    /// The entries shown in full, in the log's order.
    pub fn shown(&self) -> impl Iterator<Item = &Entry> {
        self.run.iter().zip(&self.shown).filter(|(_, shown)| **shown).map(|(entry, _)| entry)
    }

    pub fn head(&self) -> Hash {
        self.run.last().map_or(self.before, |entry| entry.hash)
    }

    /// The export's text, written by the library.
    pub fn text(&self) -> String {
        let first = self.run.first().map_or(0, |entry| entry.index);
        export(&self.before, self.run, |entry| self.shown[(entry.index - first) as usize])
    }
}

/// The worker's day (days since 1970-01-01) of an event, by the offset it was recorded with.
pub fn local_day(event: &Event) -> i64 {
    (event.at + event.utc_offset_minutes.unwrap_or(0) * 60_000).div_euclid(86_400_000)
}

/// The excerpt of `log` (the whole stored log, in order from its first entry) that `selection`
/// asks for, and its text, at most `max_bytes` long. The run and the entry before it are checked
/// against the chain first, so that an export this returns always verifies.
pub fn excerpt<'a>(
    log: &'a [Entry],
    selection: &Selection,
    max_bytes: usize,
) -> Result<(Excerpt<'a>, String), ExportError> {
    // A requester's tasks are those of the entries naming it; their other entries (an
    // acceptance seen before the task's details, pay states) carry only the task's id.
    let mut tasks: SortedMap<(&str, &str), ()> = SortedMap::new();
    if let Selection::Requester { platform, requester, title } = selection {
        for event in log.iter().map(|entry| &entry.event) {
            let named = |field: &Option<String>, wanted: &str| field.as_deref().unwrap_or_default() == wanted;
            if event.platform == *platform
                && (event.requester.is_some() || event.title.is_some())
                && named(&event.requester, requester)
                && title.as_ref().is_none_or(|title| named(&event.title, title))
            {
                tasks.insert((&event.platform, &event.task), ());
            }
        }
    }
    let shown: Vec<bool> = log
        .iter()
        .map(|entry| {
            let event = &entry.event;
            let key = (event.platform.as_str(), event.task.as_str());
            match selection {
                Selection::Task { platform, task } => key == (platform, task),
                Selection::Requester { .. } => tasks.get(&key).is_some(),
                Selection::Period { from, to } => (*from..=*to).contains(&local_day(event)),
            }
        })
        .collect();
    let first = shown.iter().position(|shown| *shown).ok_or(ExportError::Nothing)?;
    let last = shown.iter().rposition(|shown| *shown).unwrap_or(first);
    // The entry before the run is taken as stored: the excerpt commits to it, and the worker's
    // earlier exports show whether it is the one they had.
    let before = if first == 0 { GENESIS } else { log[first - 1].hash };
    let start = if first == 0 { 0 } else { log[first - 1].index + 1 };
    let mut previous = before;
    let run = &log[first..=last];
    for (expected, entry) in (start..).zip(run) {
        if entry.index != expected || chain(expected, &previous, &entry.event.digest()) != entry.hash {
            return Err(ExportError::Damaged(expected));
        }
        previous = entry.hash;
    }
    let excerpt = Excerpt { before, run, shown: shown[first..=last].to_vec() };
    let text = excerpt.text();
    if text.len() > max_bytes {
        return Err(ExportError::TooLarge(text.len()));
    }
    Ok((excerpt, text))
}
