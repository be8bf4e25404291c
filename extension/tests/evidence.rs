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

// The worker's exports: excerpts of the stored log (`extension::evidence::excerpt`).

use analysis::evidence::{Event as LogEvent, MAX_EXPORT_BYTES};
use extension::evidence::{ExportError, Selection, excerpt, local_day};

const DAY_MS: i64 = 86_400_000;

fn log_event(at: i64, kind: Kind, task: &str, requester: Option<&str>, title: Option<&str>) -> LogEvent {
    LogEvent {
        at,
        kind,
        platform: "mturk".into(),
        task: task.into(),
        title: title.map(str::to_owned),
        requester: requester.map(str::to_owned),
        reward: requester.map(|_| "0.5 USD".to_owned()),
        active_seconds: (kind == Kind::Worked).then_some(125),
        utc_offset_minutes: Some(60),
    }
}

fn chained(events: Vec<LogEvent>) -> Vec<Entry> {
    let mut log: Vec<Entry> = Vec::with_capacity(events.len());
    for event in events {
        let next = Entry::append(log.last(), event);
        log.push(next);
    }
    log
}

/// `tasks` tasks, one an hour from T0: accepted, worked, submitted by requester `R{i % 7}` with
/// title `P{i % 3}`, then, for every other one, approved a day later.
fn history(tasks: usize) -> Vec<Entry> {
    let mut events = Vec::new();
    for i in 0..tasks {
        let at = T0 + i as i64 * 3_600_000;
        let task = format!("A{i}");
        let requester = format!("R{}", i % 7);
        let title = format!("P{}", i % 3);
        for (offset, kind) in [(0, Kind::Accepted), (600_000, Kind::Worked), (600_000, Kind::Submitted)] {
            events.push(log_event(at + offset, kind, &task, Some(&requester), Some(&title)));
        }
        if i % 2 == 0 && i >= 24 {
            events.push(log_event(at, Kind::Approved, &format!("A{}", i - 24), None, None));
        }
    }
    chained(events)
}

fn shown_tasks(text: &str) -> Vec<(String, Kind)> {
    verify(text)
        .unwrap()
        .entries
        .into_iter()
        .filter_map(|exported| match exported {
            Exported::Full(entry) => Some((entry.event.task, entry.event.kind)),
            Exported::Withheld { .. } => None,
        })
        .collect()
}

#[test]
fn one_task_exports_its_events_in_full_the_others_between_withheld_and_verifies() {
    let log = history(60);
    let selection = Selection::Task { platform: "mturk".into(), task: "A10".into() };
    let (excerpt, text) = excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap();
    // Accepted, worked, submitted, and approved a day (24 tasks) later.
    assert_eq!(
        shown_tasks(&text),
        [
            ("A10".into(), Kind::Accepted),
            ("A10".into(), Kind::Worked),
            ("A10".into(), Kind::Submitted),
            ("A10".into(), Kind::Approved)
        ]
    );
    let verified = verify(&text).unwrap();
    let first = verified.entries[0].index();
    assert!(first > 0);
    // It continues from the entry before it, and its head is the last shown entry's hash.
    assert_eq!(verified.before, log[first as usize - 1].hash);
    assert_eq!(verified.head, excerpt.head());
    assert_eq!(excerpt.shown().count(), 4);
    assert!(verified.entries.iter().any(|e| matches!(e, Exported::Withheld { .. })));
    // Nothing of the withheld tasks is in the file.
    assert!(!text.contains("\"A11\"") && !text.contains("R4"), "{text}");
}

#[test]
fn a_task_not_in_the_log_and_an_empty_period_export_nothing() {
    let log = history(30);
    let missing = Selection::Task { platform: "mturk".into(), task: "NOPE".into() };
    assert_eq!(excerpt(&log, &missing, MAX_EXPORT_BYTES).unwrap_err(), ExportError::Nothing);
    let other_platform = Selection::Task { platform: "prolific".into(), task: "A1".into() };
    assert_eq!(excerpt(&log, &other_platform, MAX_EXPORT_BYTES).unwrap_err(), ExportError::Nothing);
    let day = local_day(&log[0].event);
    let before_any = Selection::Period { from: day - 10, to: day - 1 };
    assert_eq!(excerpt(&log, &before_any, MAX_EXPORT_BYTES).unwrap_err(), ExportError::Nothing);
    assert_eq!(
        excerpt(&[], &Selection::Period { from: 0, to: 30_000 }, MAX_EXPORT_BYTES).unwrap_err(),
        ExportError::Nothing
    );
}

#[test]
fn a_project_export_holds_its_tasks_and_their_pay_events_only() {
    let log = history(60);
    let selection =
        Selection::Requester { platform: "mturk".into(), requester: "R3".into(), title: Some("P1".into()) };
    let (_, text) = excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap();
    let shown = shown_tasks(&text);
    // R3 and P1: i % 7 == 3 and i % 3 == 1, i.e. tasks 10 and 31 (52 is R3 and P1 too).
    let tasks: Vec<&str> =
        shown.iter().filter(|(_, kind)| *kind == Kind::Accepted).map(|(t, _)| t.as_str()).collect();
    assert_eq!(tasks, ["A10", "A31", "A52"]);
    // Task 10's approval (logged with no requester or title) is in it.
    assert!(shown.contains(&("A10".into(), Kind::Approved)), "{shown:?}");
    // A task whose acceptance was logged before its details were read: its acceptance too.
    let mut log = log;
    log.push(Entry::append(log.last(), log_event(T0 + 90 * 3_600_000, Kind::Accepted, "B", None, None)));
    for kind in [Kind::Worked, Kind::Submitted] {
        log.push(Entry::append(
            log.last(),
            log_event(T0 + 91 * 3_600_000, kind, "B", Some("R3"), Some("P1")),
        ));
    }
    let (_, text) = excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap();
    assert!(shown_tasks(&text).contains(&("B".into(), Kind::Accepted)));
    // The row of tasks without a requester holds no other requester's pay events.
    let unknown = Selection::Requester { platform: "mturk".into(), requester: String::new(), title: None };
    assert_eq!(excerpt(&log, &unknown, MAX_EXPORT_BYTES).unwrap_err(), ExportError::Nothing);
    // R3's nine tasks of the history (i % 7 == 3), and B.
    let every = Selection::Requester { platform: "mturk".into(), requester: "R3".into(), title: None };
    let (_, text) = excerpt(&log, &every, MAX_EXPORT_BYTES).unwrap();
    assert_eq!(shown_tasks(&text).iter().filter(|(_, kind)| *kind == Kind::Accepted).count(), 10);
}

#[test]
fn a_period_is_the_workers_days_by_the_offset_each_event_was_recorded_with() {
    // 23:30 UTC at UTC+01:00 is 00:30 the next day for the worker.
    let midnight = 20_000 * DAY_MS;
    let mut late = log_event(midnight - 1_800_000, Kind::Accepted, "late", Some("R"), None);
    let early = log_event(midnight - 7_200_000, Kind::Accepted, "early", Some("R"), None);
    late.utc_offset_minutes = Some(60);
    let log = chained(vec![early, late]);
    let (_, text) = excerpt(&log, &Selection::Period { from: 20_000, to: 20_000 }, MAX_EXPORT_BYTES).unwrap();
    assert_eq!(shown_tasks(&text), [("late".into(), Kind::Accepted)]);
    let (_, text) = excerpt(&log, &Selection::Period { from: 19_999, to: 20_000 }, MAX_EXPORT_BYTES).unwrap();
    assert_eq!(shown_tasks(&text).len(), 2);
    assert_eq!(verify(&text).unwrap().before, GENESIS);
}

#[test]
fn a_period_of_a_huge_history_verifies_and_an_excerpt_too_large_to_verify_is_refused() {
    // 30,000 tasks: about 105,000 entries.
    let log = history(30_000);
    let day = local_day(&log[log.len() / 2].event);
    let (excerpt_of_day, text) =
        excerpt(&log, &Selection::Period { from: day, to: day }, MAX_EXPORT_BYTES).unwrap();
    let verified = verify(&text).unwrap();
    let first = verified.entries[0].index() as usize;
    assert_eq!(verified.before, log[first - 1].hash);
    assert!(excerpt_of_day.shown().all(|entry| local_day(&entry.event) == day));
    // Every event of that day is in it: 24 tasks of 3 events and their 12 approvals.
    assert_eq!(excerpt_of_day.shown().count(), log.iter().filter(|e| local_day(&e.event) == day).count());
    // The first task's approval is a day later; the whole log between them is too long for the
    // limit given here, so nothing is written rather than a file that would not verify.
    let first_task = Selection::Task { platform: "mturk".into(), task: "A0".into() };
    let size = excerpt(&log, &first_task, usize::MAX).unwrap().1.len();
    assert_eq!(excerpt(&log, &first_task, size - 1).unwrap_err(), ExportError::TooLarge(size));
    // The whole history is within the verifier's limit, and verifies.
    let (_, everything) =
        excerpt(&log, &Selection::Period { from: 0, to: 100_000 }, MAX_EXPORT_BYTES).unwrap();
    assert_eq!(verify(&everything).unwrap().entries.len(), log.len());
}

#[test]
fn a_damaged_stored_log_is_named_and_not_exported_across() {
    // Task 2's run: its entries 6 to 8, and its approval after task 26's.
    let mut log = history(40);
    let selection = Selection::Task { platform: "mturk".into(), task: "A2".into() };
    let clean = excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap().1;
    // An entry between them edited in storage.
    log[16].event.at += 1;
    assert_eq!(excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap_err(), ExportError::Damaged(16));
    log[16].event.at -= 1;
    assert_eq!(excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap().1, clean);
    // A lost entry (an unreadable item of a stored chunk) inside the run is named; one before
    // the run does not concern it.
    let lost = log.remove(17);
    assert_eq!(excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap_err(), ExportError::Damaged(17));
    log.insert(17, lost);
    log.remove(3);
    assert_eq!(excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap().1, clean);
    // Without the log's first entries, the first entry read does not follow the log's start.
    let tail = &log[10..];
    let early = Selection::Task { platform: "mturk".into(), task: "A3".into() };
    assert_eq!(excerpt(tail, &early, MAX_EXPORT_BYTES).unwrap_err(), ExportError::Damaged(0));
}

#[test]
fn the_printable_page_shows_each_entry_with_both_times_its_hash_and_what_the_log_proves() {
    use extension::evidence::page::render;
    let log = history(40);
    let selection = Selection::Task { platform: "mturk".into(), task: "A2".into() };
    let (excerpt, _) = excerpt(&log, &selection, MAX_EXPORT_BYTES).unwrap();
    let t = |key: &str, args: &[&str]| {
        format!("[{key}{}]", args.iter().map(|a| format!(" {a}")).collect::<String>())
    };
    let html = extension::view::html(&render(&excerpt, &selection, &t));
    assert!(html.contains("[evidenceOfTask A2 mturk]"), "{html}");
    assert!(html.contains("[evidenceCounts 4 "), "{html}");
    for statement in ["[evidenceProves]", "[evidenceNotProves]", "[evidenceCheck]"] {
        assert!(html.contains(statement), "{statement} in {html}");
    }
    assert!(html.contains(&excerpt.before.hex()) && html.contains(&excerpt.head().hex()));
    for entry in excerpt.shown() {
        let (utc, local) = analysis::evidence::format_time(entry.event.at, entry.event.utc_offset_minutes);
        let row = format!(
            "<tr data-index=\"{}\"><td>{}</td><td>{}</td><td>{utc}</td>",
            entry.index,
            entry.index,
            local.unwrap()
        );
        assert!(html.contains(&row), "{row} in {html}");
        assert!(html.contains(&entry.hash.hex()));
    }
    // Accepted at 22:26:40 UTC, 23:26:40 in the worker's zone (UTC+01:00).
    assert!(
        html.contains("<td>2026-05-28T23:26:40.000+01:00</td><td>2026-05-28T22:26:40.000Z</td>"),
        "{html}"
    );
    assert!(
        html.contains("[evidenceKind_approved]")
            && html.contains("[evidenceActive 2 5] · [evidenceReward 0.5 USD]")
    );
    assert!(html.contains("R2 — P2"));
    // Withheld entries are not on the page.
    assert!(!html.contains("\"A3\"") && !html.contains("R3"));
}
