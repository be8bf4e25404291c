//! The evidence log's events from the tracker's own outcomes, chained and exported with the
//! library's format, and verified as `piecerate verify-evidence` verifies them.

use analysis::evidence::{Entry, Exported, GENESIS, Kind, export, verify};
use analysis::{Currency, Money, Outcome, Platform};
use extension::adapters::TaskDetails;
use extension::evidence::events;
use extension::pay::{PayReport, PayState};
use extension::tracker::{Event, Millis, Tracker, TrackerSettings};

const T0: Millis = 1_780_000_000_000;

/// Handles one tracker event as the background does, returning the evidence events.
fn handle(tracker: &mut Tracker, event: Event, pay: &[PayReport]) -> Vec<analysis::evidence::Event> {
    let before = tracker.open_tasks().to_vec();
    let out = tracker.handle(event);
    let pay: Vec<&PayReport> = pay.iter().collect();
    events(&before, tracker.open_tasks(), &out.finished, &pay, 120)
}

#[test]
fn a_task_is_logged_accepted_worked_submitted_then_rejected_and_verifies() {
    let mut tracker = Tracker::new(TrackerSettings { idle_cutoff_ms: 60_000 });
    let mut log = handle(&mut tracker, Event::ManualStart { now: T0, platform: Platform::Other }, &[]);
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].kind, log[0].at, log[0].task.as_str()), (Kind::Accepted, T0, "manual"));
    let details = TaskDetails::plain(
        Money::parse("2.00").unwrap(),
        Currency::USD,
        Some("Survey on reading".into()),
        Some("A lab".into()),
    );
    let stop = Event::ManualStop {
        now: T0 + 600_000,
        outcome: Outcome::Submitted,
        details,
        bonus: Money::parse("0").unwrap(),
    };
    log.extend(handle(&mut tracker, stop, &[]));
    let kinds: Vec<Kind> = log.iter().map(|event| event.kind).collect();
    assert_eq!(kinds, [Kind::Accepted, Kind::Worked, Kind::Submitted]);
    assert_eq!(log[1].active_seconds, Some(600));
    assert_eq!(log[2].requester.as_deref(), Some("A lab"));
    assert_eq!(log[2].reward.as_deref(), Some("2 USD"));
    assert_eq!(log[2].utc_offset_minutes, Some(120));
    let report = PayReport {
        platform: Platform::Mturk,
        key: "3XA".into(),
        state: PayState::Rejected,
        at: T0 + 900_000,
    };
    log.extend(handle(&mut tracker, Event::Tick { now: T0 + 900_000 }, &[report]));
    assert_eq!(log[3].kind, Kind::Rejected);

    let mut entries: Vec<Entry> = Vec::new();
    for event in log {
        let next = Entry::append(entries.last(), event);
        entries.push(next);
    }
    let text = export(&GENESIS, &entries, |entry| entry.event.task == "manual");
    let verified = verify(&text).unwrap();
    assert_eq!(verified.entries.len(), 4);
    assert!(matches!(verified.entries[3], Exported::Withheld { .. }));
}
