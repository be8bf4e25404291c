//! The time-accounting state machine, driven by hand-made event sequences.

use analysis::{Currency, Money, Outcome, Platform, Timestamp, UnpaidCategory};
use extension::adapters::{
    Alert, Observation, PageView, SubmissionObservation, SubmissionState, TaskDetails, WatchName,
};
use extension::tracker::{Event, Finished, FinishedWhat, Millis, Tracker, TrackerSettings};

const T0: Millis = 1_780_000_000_000;
const S: Millis = 1000;

fn tracker() -> Tracker {
    Tracker::new(TrackerSettings { idle_cutoff_ms: 60 * S })
}

fn details(reward: &str) -> TaskDetails {
    TaskDetails {
        reward: Money::parse(reward).unwrap(),
        currency: Currency::USD,
        title: Some("Label images".into()),
        requester: None,
        advertised: None,
        auto_approval_seconds: None,
    }
}

fn observation(view: PageView, alert: Option<Alert>) -> Option<Observation> {
    Some(Observation { platform: Platform::Mturk, view, alert })
}

fn task_page(key: &str, allotted: u64, remaining: u64) -> Option<Observation> {
    observation(
        PageView::Task {
            key: key.into(),
            details: details("0.50"),
            allotted_seconds: allotted,
            remaining_seconds: remaining,
        },
        None,
    )
}

fn page(tab: i64, at: Millis, observation: Option<Observation>) -> Event {
    Event::Page { tab, now: T0 + at, focused: true, visible: true, observation }
}

fn input(tab: i64, at: Millis) -> Event {
    Event::Activity { tab, now: T0 + at, focused: true, visible: true, input: true, in_frame: false }
}

fn run(tracker: &mut Tracker, events: Vec<Event>) -> Vec<Finished> {
    let mut finished = Vec::new();
    for event in events {
        let out = tracker.handle(event);
        finished.extend(out.finished);
    }
    finished
}

fn outcome(finished: &Finished) -> Option<Outcome> {
    match &finished.what {
        FinishedWhat::Task { outcome, .. } => Some(*outcome),
        FinishedWhat::Unpaid(_) => None,
    }
}

#[test]
fn accept_work_submit_counts_active_time_and_search_before_it() {
    let mut t = tracker();
    let finished = run(
        &mut t,
        vec![
            page(1, 0, observation(PageView::Search, None)),
            input(1, 20 * S),
            // Accepted at 30 s: the timer shows the whole hour left.
            page(1, 30 * S, task_page("A1", 3600, 3600)),
            input(1, 60 * S),
            input(1, 100 * S),
            page(1, 130 * S, observation(PageView::Search, Some(Alert::Submitted))),
        ],
    );
    assert_eq!(finished.len(), 2, "{finished:?}");
    let search = &finished[0];
    assert_eq!(search.what, FinishedWhat::Unpaid(UnpaidCategory::Search));
    assert_eq!((search.started, search.ended, search.active_ms), (T0, T0 + 30 * S, 30 * S));
    let task = &finished[1];
    assert_eq!(outcome(task), Some(Outcome::Submitted));
    assert_eq!((task.started, task.ended), (T0 + 30 * S, T0 + 130 * S));
    assert_eq!(task.active_ms, 100 * S);
    assert!(t.open_tasks().is_empty());
}

#[test]
fn idle_time_beyond_the_cutoff_is_not_counted() {
    let mut t = tracker();
    let finished = run(
        &mut t,
        vec![
            page(1, 0, task_page("A1", 3600, 3600)),
            // No input for 200 s: only the first 60 s after the page load count.
            input(1, 200 * S),
            page(1, 210 * S, observation(PageView::Search, Some(Alert::Submitted))),
        ],
    );
    let task = finished.iter().find(|f| outcome(f).is_some()).unwrap();
    assert_eq!(task.active_ms, 70 * S);
    assert_eq!(task.ended - task.started, 210 * S);
}

#[test]
fn a_hidden_or_unfocused_tab_earns_nothing() {
    let mut t = tracker();
    let finished = run(
        &mut t,
        vec![
            page(1, 0, task_page("A1", 3600, 3600)),
            Event::Activity {
                tab: 1,
                now: T0 + 10 * S,
                focused: false,
                visible: true,
                input: false,
                in_frame: false,
            },
            Event::Activity {
                tab: 1,
                now: T0 + 40 * S,
                focused: true,
                visible: true,
                input: true,
                in_frame: false,
            },
            Event::Activity {
                tab: 1,
                now: T0 + 50 * S,
                focused: true,
                visible: false,
                input: false,
                in_frame: false,
            },
            Event::Activity {
                tab: 1,
                now: T0 + 90 * S,
                focused: true,
                visible: true,
                input: true,
                in_frame: false,
            },
            page(1, 100 * S, observation(PageView::Search, Some(Alert::Submitted))),
        ],
    );
    let task = finished.iter().find(|f| outcome(f).is_some()).unwrap();
    assert_eq!(task.active_ms, (10 + 10 + 10) * S);
}

#[test]
fn two_open_tasks_never_count_the_same_second_twice() {
    let mut t = tracker();
    let finished = run(
        &mut t,
        vec![
            page(1, 0, task_page("A1", 3600, 3600)),
            page(2, 5 * S, task_page("A2", 3600, 3600)),
            input(1, 10 * S),
            input(2, 20 * S),
            input(1, 30 * S),
            input(2, 40 * S),
            page(1, 50 * S, observation(PageView::Search, Some(Alert::Submitted))),
            page(2, 60 * S, observation(PageView::Search, Some(Alert::Submitted))),
        ],
    );
    let tasks: Vec<&Finished> = finished.iter().filter(|f| outcome(f).is_some()).collect();
    assert_eq!(tasks.len(), 2);
    let total: Millis = tasks.iter().map(|f| f.active_ms).sum();
    // Every second from 0 to 60 went to exactly one place: the two tasks, then search.
    assert_eq!(total, 50 * S, "{tasks:?}");
    assert_eq!(tasks[0].active_ms, (5 + 10 + 10) * S);
    assert_eq!(tasks[1].active_ms, (10 + 10 + 10) * S - 5 * S);
}

#[test]
fn return_and_expiry_close_tasks_as_returned_and_abandoned() {
    let mut t = tracker();
    let finished = run(
        &mut t,
        vec![
            // Opened again from the queue: accepted 50 s before this page was read.
            page(1, 0, task_page("A1", 120, 70)),
            input(1, 10 * S),
            Event::Watched { tab: 1, now: T0 + 20 * S, name: WatchName::Return },
            page(2, 30 * S, task_page("A2", 60, 60)),
            Event::Tick { now: T0 + 200 * S },
        ],
    );
    let tasks: Vec<&Finished> = finished.iter().filter(|f| outcome(f).is_some()).collect();
    assert_eq!(outcome(tasks[0]), Some(Outcome::Returned));
    assert_eq!(tasks[0].started, T0 - 50 * S);
    assert_eq!(tasks[0].active_ms, 20 * S);
    assert_eq!(outcome(tasks[1]), Some(Outcome::Abandoned));
    assert_eq!(tasks[1].ended, T0 + 90 * S, "closed at its deadline, not when noticed");
    assert_eq!(tasks[1].active_ms, 60 * S);
}

#[test]
fn state_survives_a_restart_and_the_browser_closed_time_is_not_work() {
    let mut t = tracker();
    run(&mut t, vec![page(1, 0, task_page("A1", 7200, 7200)), input(1, 30 * S)]);
    let saved = extension::json::to_text(&t);
    let mut restored: Tracker = extension::json::from_text(&saved).unwrap();
    assert_eq!(restored, t);
    // The browser was closed from 40 s to 1000 s, then the worker came back to the task.
    let finished = run(
        &mut restored,
        vec![
            Event::BrowserStarted { now: T0 + 1000 * S },
            page(7, 1010 * S, task_page("A1", 7200, 6190)),
            page(7, 1020 * S, observation(PageView::Search, Some(Alert::Submitted))),
        ],
    );
    let task = finished.iter().find(|f| outcome(f).is_some()).unwrap();
    // 30 s before the browser closed (when exactly it closed is unknown, so nothing after the
    // last event counts), then 10 s after it started again.
    assert_eq!(task.active_ms, (30 + 10) * S);
    // A task whose time ran out while the browser was closed is abandoned at its deadline.
    let mut t = tracker();
    run(&mut t, vec![page(1, 0, task_page("A9", 600, 600))]);
    let finished = run(&mut t, vec![Event::BrowserStarted { now: T0 + 5000 * S }]);
    assert_eq!(outcome(&finished[0]), Some(Outcome::Abandoned));
    assert_eq!(finished[0].ended, T0 + 600 * S);
}

fn submission(
    key: &str,
    state: SubmissionState,
    started: &str,
    completed: Option<&str>,
    reward: &str,
) -> SubmissionObservation {
    SubmissionObservation {
        platform: Platform::Prolific,
        key: key.into(),
        state,
        details: TaskDetails {
            reward: Money::parse(reward).unwrap(),
            currency: Currency::parse("GBP").unwrap(),
            title: None,
            requester: None,
            advertised: None,
            auto_approval_seconds: None,
        },
        bonus: Money::ZERO,
        started_at: Some(Timestamp::parse(started).unwrap()),
        completed_at: completed.map(|c| Timestamp::parse(c).unwrap()),
        allowed_seconds: Some(3600),
        pay: None,
    }
}

#[test]
fn an_off_site_study_gets_the_seconds_no_platform_page_earned() {
    let start = Timestamp::from_unix_seconds(T0 / 1000).unwrap();
    let at = |s: i64| Timestamp::from_unix_seconds(T0 / 1000 + s).unwrap().to_string();
    let mut t = tracker();
    let finished = run(
        &mut t,
        vec![
            Event::Submission {
                now: T0,
                observation: submission("S1", SubmissionState::Open, &start.to_string(), None, "1.50"),
            },
            // 100 s of the study, then 20 s of searching on MTurk, then back to the study.
            page(3, 100 * S, observation(PageView::Search, None)),
            Event::Activity {
                tab: 3,
                now: T0 + 120 * S,
                focused: false,
                visible: true,
                input: false,
                in_frame: false,
            },
            Event::Submission {
                now: T0 + 300 * S,
                observation: submission(
                    "S1",
                    SubmissionState::Finished(Outcome::ScreenedOut),
                    &start.to_string(),
                    Some(&at(300)),
                    "0.14",
                ),
            },
        ],
    );
    let study = finished.iter().find(|f| outcome(f).is_some()).unwrap();
    assert_eq!(outcome(study), Some(Outcome::ScreenedOut));
    assert_eq!(study.active_ms, 280 * S);
    match &study.what {
        FinishedWhat::Task { details, .. } => assert_eq!(details.reward.to_string(), "0.14"),
        other => panic!("{other:?}"),
    }
    // Old submissions in the history list never become records.
    let mut t = tracker();
    let out = t.handle(Event::Submission {
        now: T0,
        observation: submission(
            "OLD",
            SubmissionState::Finished(Outcome::Approved),
            &at(-9000),
            Some(&at(-8000)),
            "2",
        ),
    });
    assert!(out.finished.is_empty());
}

#[test]
fn the_manual_timer_records_what_the_worker_enters() {
    let mut t = tracker();
    assert!(
        t.handle(Event::ManualStop {
            now: T0,
            outcome: Outcome::Submitted,
            details: details("1"),
            bonus: Money::ZERO
        })
        .problems
        .len()
            == 1
    );
    t.handle(Event::ManualStart { now: T0, platform: Platform::Toloka });
    assert_eq!(t.manual_started(), Some(T0));
    assert_eq!(t.handle(Event::ManualStart { now: T0 + S, platform: Platform::Toloka }).problems.len(), 1);
    let out = t.handle(Event::ManualStop {
        now: T0 + 600 * S,
        outcome: Outcome::Approved,
        details: details("2.00"),
        bonus: Money::parse("0.5").unwrap(),
    });
    assert_eq!(out.finished.len(), 1);
    let record = &out.finished[0];
    assert_eq!(record.platform, Platform::Toloka);
    assert_eq!(record.active_ms, 600 * S);
    assert!(
        matches!(&record.what, FinishedWhat::Task { outcome: Outcome::Approved, bonus, .. } if bonus.to_string() == "0.5")
    );
}

#[test]
fn an_unreadable_page_is_reported_and_opens_nothing() {
    let mut t = tracker();
    let error =
        extension::adapters::ExtractionError { rule: "mturk task", field: "reward", problem: "gone".into() };
    let out = t.handle(page(1, 0, observation(PageView::Unreadable(error), None)));
    assert_eq!(out.problems, vec!["mturk task: reward: gone".to_owned()]);
    assert!(t.open_tasks().is_empty());
}

#[test]
fn status_pages_and_submission_statuses_report_pay_and_count_as_search() {
    use extension::pay::{PayReport, PayState};
    let mut t = tracker();
    let statuses = vec![("3A".to_owned(), PayState::Approved), ("3B".to_owned(), PayState::Pending)];
    let out = t.handle(page(1, 0, observation(PageView::PayStatus(statuses), None)));
    assert_eq!(
        out.pay,
        [
            PayReport { platform: Platform::Mturk, key: "3A".into(), state: PayState::Approved, at: T0 },
            PayReport { platform: Platform::Mturk, key: "3B".into(), state: PayState::Pending, at: T0 },
        ]
    );
    // Reading the status page is searching time, like the rest of the worker's overhead.
    t.handle(input(1, 30 * S));
    let finished = run(&mut t, vec![Event::Tick { now: T0 + 30 * S + 12 * 60 * S }]);
    assert!(matches!(finished[..], [Finished { what: FinishedWhat::Unpaid(UnpaidCategory::Search), .. }]));
    // A Prolific submission list reports the pay of studies never seen starting, and opens
    // nothing for them.
    let mut awaiting =
        submission("S9", SubmissionState::Finished(Outcome::Submitted), "2026-05-01T10:00:00Z", None, "1.50");
    awaiting.pay = Some(PayState::Pending);
    let out = t.handle(Event::Submission { now: T0 + 2000 * S, observation: awaiting });
    assert!(out.finished.is_empty());
    assert_eq!(out.pay.len(), 1);
    assert_eq!(
        (out.pay[0].platform, out.pay[0].key.as_str(), out.pay[0].state),
        (Platform::Prolific, "S9", PayState::Pending)
    );
}
