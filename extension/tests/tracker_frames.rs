//! The tracker's rule for HITs in a frame (often on the requester's own site, where the
//! extension sees no input): the focus inside the task's frame earns time past the idle cutoff,
//! and stops earning when it leaves the frame, the window or the visible tab.

use analysis::{Currency, Money, Platform};
use extension::adapters::{Alert, Observation, PageView, TaskDetails};
use extension::tracker::{
    Event, FRAME_FOCUS_GRACE_MS, Finished, FinishedWhat, Millis, Tracker, TrackerSettings,
};

const T0: Millis = 1_780_000_000_000;
const S: Millis = 1000;
const CUTOFF: Millis = 60 * S;

fn task_page(key: &str) -> Option<Observation> {
    let details = TaskDetails {
        reward: Money::parse("1.00").unwrap(),
        currency: Currency::USD,
        title: Some("Short survey".into()),
        requester: None,
        advertised: None,
        auto_approval_seconds: None,
    };
    let view = PageView::Task { key: key.into(), details, allotted_seconds: 3600, remaining_seconds: 3600 };
    Some(Observation { platform: Platform::Mturk, view, alert: None })
}

fn submitted() -> Option<Observation> {
    Some(Observation { platform: Platform::Mturk, view: PageView::Search, alert: Some(Alert::Submitted) })
}

fn page(tab: i64, at: Millis, observation: Option<Observation>) -> Event {
    Event::Page { tab, now: T0 + at, focused: true, visible: true, observation }
}

/// What the page reports: `in_frame` with the window focused and the tab visible.
fn state(tab: i64, at: Millis, focused: bool, visible: bool, in_frame: bool) -> Event {
    Event::Activity { tab, now: T0 + at, focused, visible, input: false, in_frame }
}

/// The focus in the frame from `from` to `until`, reported every 15 s as the content script does.
fn in_frame(tab: i64, from: Millis, until: Millis) -> Vec<Event> {
    (from..until).step_by(15_000).map(|at| state(tab, at, true, true, true)).collect()
}

/// The active time of the one task the events finish.
fn active_of(events: Vec<Event>) -> Millis {
    let mut tracker = Tracker::new(TrackerSettings { idle_cutoff_ms: CUTOFF });
    let finished: Vec<Finished> =
        events.into_iter().flat_map(|event| tracker.handle(event).finished).collect();
    assert_eq!(finished.len(), 1, "{finished:?}");
    assert!(matches!(finished[0].what, FinishedWhat::Task { .. }), "{finished:?}");
    finished[0].active_ms
}

#[test]
fn the_focus_in_the_frame_counts_past_the_idle_cutoff_until_it_leaves_for_the_page() {
    let mut events = vec![page(1, 0, task_page("A1"))];
    // Ten minutes in the frame without any input the extension sees.
    events.extend(in_frame(1, 2 * S, 602 * S));
    // Back on the page (a click on it): the idle cutoff applies from there.
    events.push(state(1, 602 * S, true, true, false));
    events.push(Event::Tick { now: T0 + 900 * S });
    events.push(page(1, 901 * S, submitted()));
    assert_eq!(active_of(events), 602 * S + CUTOFF);
}

#[test]
fn the_focus_leaving_the_window_stops_the_clock() {
    let mut events = vec![page(1, 0, task_page("A1"))];
    events.extend(in_frame(1, 2 * S, 302 * S));
    // The worker switched to another program: the window lost the focus.
    events.push(state(1, 302 * S, false, true, false));
    events.push(Event::Tick { now: T0 + 600 * S });
    events.push(page(1, 900 * S, submitted()));
    // The page's arrival (input) earned up to 60 s, the frame up to 302 s; nothing after that.
    assert_eq!(active_of(events), 302 * S);
}

#[test]
fn a_hidden_tab_stops_the_clock_even_with_the_focus_left_in_its_frame() {
    let mut events = vec![page(1, 0, task_page("A1"))];
    events.extend(in_frame(1, 2 * S, 182 * S));
    events.push(state(1, 182 * S, true, false, false));
    events.push(Event::Tick { now: T0 + 600 * S });
    events.push(page(1, 700 * S, submitted()));
    assert_eq!(active_of(events), 182 * S);
}

#[test]
fn reports_that_stop_coming_earn_only_the_grace_after_the_last_one() {
    let mut events = vec![page(1, 0, task_page("A1"))];
    events.extend(in_frame(1, 2 * S, 122 * S));
    // The computer slept: the next thing the tracker hears is the alarm an hour later.
    events.push(Event::Tick { now: T0 + 1800 * S });
    events.push(page(1, 1801 * S, submitted()));
    let last_report = 107 * S;
    assert_eq!(active_of(events), last_report + FRAME_FOCUS_GRACE_MS);
}

#[test]
fn two_tasks_with_one_frame_focused_only_that_one_counts() {
    let mut tracker = Tracker::new(TrackerSettings { idle_cutoff_ms: CUTOFF });
    let mut events = vec![page(1, 0, task_page("A1")), page(2, 0, task_page("A2"))];
    // Tab 2 went to the background (hidden); the worker works in tab 1's frame.
    events.push(state(2, S, true, false, false));
    events.extend(in_frame(1, 2 * S, 302 * S));
    events.push(state(1, 302 * S, false, true, false));
    events.push(page(1, 400 * S, submitted()));
    events.push(page(2, 401 * S, submitted()));
    let finished: Vec<Finished> =
        events.into_iter().flat_map(|event| tracker.handle(event).finished).collect();
    assert_eq!(finished.len(), 2, "{finished:?}");
    let [first, second] = [&finished[0], &finished[1]];
    // Tab 2 opened last and was current for its first second; tab 1 earned the rest.
    assert_eq!(first.active_ms, 300 * S);
    assert_eq!(second.active_ms, S);
    assert!(first.active_ms + second.active_ms <= 302 * S);
}

#[test]
fn a_search_page_with_a_focused_frame_keeps_the_idle_cutoff() {
    let mut tracker = Tracker::new(TrackerSettings { idle_cutoff_ms: CUTOFF });
    let search = Some(Observation { platform: Platform::Mturk, view: PageView::Search, alert: None });
    let mut events = vec![page(1, 0, search)];
    events.extend(in_frame(1, 2 * S, 302 * S));
    events.push(page(1, 303 * S, task_page("A1")));
    let finished: Vec<Finished> =
        events.into_iter().flat_map(|event| tracker.handle(event).finished).collect();
    assert_eq!(finished.len(), 1, "{finished:?}");
    assert_eq!(finished[0].active_ms, CUTOFF);
}
