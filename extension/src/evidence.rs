//! The evidence log's events (`analysis::evidence`, `piecerate.evidence/1`): what handling
//! tracker events produced — tasks accepted, finished with their active time, pay states the
//! platforms reported — becomes entries of the hash chain, in the order it happened. The
//! browser shell stores them (`web/storage.rs`, chunks of [`CHUNK_ENTRIES`]).

use analysis::Outcome;
use analysis::evidence::{Event, Kind};

use crate::pay::{PayReport, PayState};
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
