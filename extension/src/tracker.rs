//! The task lifecycle and the accounting of the worker's time, as a plain state machine:
//! events in (pages seen, focus and input, submissions, returns, ticks), finished records out.
//!
//! Time is credited by [`Tracker::advance`] (in `credit.rs`): between two events, the tab the
//! worker last used earns the interval if it is visible and focused, but only up to the idle
//! cutoff after the worker's last input there, or, on a task page whose frame holds the
//! focus, up to [`FRAME_FOCUS_GRACE_MS`] after the page last said so. There is one such tab at
//! a time, so two open tasks never count the same second twice. Studies done off the platform (Prolific sends the worker to the
//! researcher's site) and the manual timer earn the seconds no platform tab earned, newest
//! first, so they never double count either. The whole state is serializable: it is saved
//! after every event and survives service-worker and browser restarts.

use analysis::{Currency, Money, Outcome, Platform, UnpaidCategory};

mod credit;
mod saved;

use crate::adapters::{
    Alert, Observation, PageView, SubmissionObservation, SubmissionState, TaskDetails, WatchName,
};
use crate::pay::PayReport;
use crate::sorted_map::SortedMap;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;
/// The browser's id of a tab.
pub type TabId = i64;

/// Unpaid search time is cut into one record per stretch of searching: a stretch ends when a
/// task starts on that platform, or after this long without searching. A stretch of work on a
/// time-tier platform likewise ends after this long without work (or on its list of work, or
/// its submitted page).
pub const SEARCH_STRETCH_GAP_MS: Millis = 10 * 60 * 1000;
/// No task stays open longer than a record may span (31 days).
const MAX_OPEN_MS: Millis = 31 * 24 * 3600 * 1000;
/// The key of the manual timer's task: there is one manual timer.
pub const MANUAL_KEY: &str = "manual";
/// Most HITs run in a frame, often on the requester's own site, where the extension cannot see
/// the worker's input. While a task page reports that the focus is inside its frame (with the
/// window focused and the tab visible), the task earns time without input, up to this long
/// after the latest report. The content script repeats the report every 15 s while it stays
/// true and says at once when it ends (focus back on the page, window left, tab hidden), so
/// the grace only matters when the reports stop (the computer slept, the browser died).
pub const FRAME_FOCUS_GRACE_MS: Millis = 30 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackerSettings {
    pub idle_cutoff_ms: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Elsewhere,
    Search {
        platform: Platform,
    },
    Task {
        key: String,
    },
    /// Working on a time-tier platform: the time goes to its open stretch of work.
    Working {
        platform: Platform,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Tab {
    place: Place,
    focused: bool,
    visible: bool,
    last_input: Option<Millis>,
    /// When the page last reported that the focus is inside one of its frames (the HIT), with
    /// the window focused and the tab visible; `None` once it reports otherwise.
    frame_focus: Option<Millis>,
    /// The task last shown in this tab: MTurk shows "HIT Submitted" on the next page.
    last_task: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    pub key: String,
    pub platform: Platform,
    pub started: Millis,
    pub deadline: Millis,
    pub active_ms: Millis,
    /// Worked outside any page the extension sees (Prolific studies, the manual timer).
    pub off_site: bool,
    pub details: Option<TaskDetails>,
    pub bonus: Money,
}

/// A stretch of searching, or of work on a time-tier platform: the platform, the first and
/// last credited instants and the active time between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stretch {
    pub platform: Platform,
    pub first: Millis,
    pub last: Millis,
    pub active_ms: Millis,
}

/// A finished task or stretch of unpaid time, ready to become a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub platform: Platform,
    pub started: Millis,
    pub ended: Millis,
    pub active_ms: Millis,
    pub what: FinishedWhat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishedWhat {
    /// `key` is the platform's id of the task (`MANUAL_KEY` for the manual timer).
    Task {
        key: String,
        outcome: Outcome,
        details: TaskDetails,
        bonus: Money,
    },
    Unpaid(UnpaidCategory),
}

/// Something that happened, with the time it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A page of a platform was read (`None`: a page of no supported platform).
    Page {
        tab: TabId,
        now: Millis,
        focused: bool,
        visible: bool,
        observation: Option<Observation>,
    },
    /// Focus, visibility or input on a platform page (its top document: `focused` is true
    /// when the focus is in the page or in one of its frames).
    Activity {
        tab: TabId,
        now: Millis,
        focused: bool,
        visible: bool,
        input: bool,
        /// The focus is inside one of the page's frames (its `activeElement` is the frame).
        in_frame: bool,
    },
    Watched {
        tab: TabId,
        now: Millis,
        name: WatchName,
    },
    TabClosed {
        tab: TabId,
        now: Millis,
    },
    Submission {
        now: Millis,
        observation: SubmissionObservation,
    },
    ManualStart {
        now: Millis,
        platform: Platform,
    },
    ManualStop {
        now: Millis,
        outcome: Outcome,
        details: TaskDetails,
        bonus: Money,
    },
    /// The worker typed the pay of measured stretches of work (checked by the caller): of the
    /// one that started at `started`, or of every one of the platform that started on a local
    /// day (the day's earnings, spread by `crate::stretches::spread`).
    Priced {
        now: Millis,
        platform: Platform,
        which: PricedStretches,
        amount: Money,
        currency: Currency,
    },
    /// A periodic alarm: expire tasks, end stale search stretches.
    Tick {
        now: Millis,
    },
    /// The browser started: old tab ids mean nothing, and nobody worked while it was closed.
    BrowserStarted {
        now: Millis,
    },
}

/// Which stretches of work a typed pay is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricedStretches {
    Started(Millis),
    LocalDay { day: i64, utc_offset_minutes: i64 },
}

/// What handling an event produced beyond the new state.
#[derive(Debug, Default, PartialEq)]
pub struct Outcomes {
    pub finished: Vec<Finished>,
    /// Problems to log and show in the popup.
    pub problems: Vec<String>,
    /// What the platforms reported about tasks' pay.
    pub pay: Vec<PayReport>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracker {
    pub settings: TrackerSettings,
    tabs: SortedMap<TabId, Tab>,
    tasks: Vec<OpenTask>,
    searches: Vec<Stretch>,
    /// Open stretches of work on time-tier platforms, one per platform at most.
    works: Vec<Stretch>,
    /// Finished stretches of work waiting for the worker to type their pay: kept with the
    /// tracker, so nothing measured is lost until it is paid.
    waiting: Vec<Stretch>,
    current: Option<TabId>,
    clock: Option<Millis>,
}

impl Tracker {
    pub fn new(settings: TrackerSettings) -> Tracker {
        Tracker {
            settings,
            tabs: SortedMap::new(),
            tasks: Vec::new(),
            searches: Vec::new(),
            works: Vec::new(),
            waiting: Vec::new(),
            current: None,
            clock: None,
        }
    }

    pub fn open_tasks(&self) -> &[OpenTask] {
        &self.tasks
    }

    /// Finished stretches of work waiting for their pay.
    pub fn waiting(&self) -> &[Stretch] {
        &self.waiting
    }

    /// Forgets the stretches of work waiting for their pay (the worker deleted their data).
    pub fn forget_waiting(&mut self) {
        self.waiting.clear();
    }

    /// The manual timer's start, when it runs.
    pub fn manual_started(&self) -> Option<Millis> {
        self.tasks.iter().find(|task| task.key == MANUAL_KEY).map(|task| task.started)
    }

    pub fn handle(&mut self, event: Event) -> Outcomes {
        let mut out = Outcomes::default();
        let now = event_time(&event);
        if let Event::BrowserStarted { .. } = event {
            self.tabs.clear();
            self.current = None;
            self.clock = Some(now);
        }
        self.advance(now);
        match event {
            Event::Page { tab, now, focused, visible, observation } => {
                self.page(tab, now, focused, visible, observation, &mut out);
            }
            Event::Activity { tab, now, focused, visible, input, in_frame } => {
                let entry = self.tab(tab);
                let was_in_frame = entry.frame_focus.is_some();
                let in_frame = in_frame && focused && visible;
                entry.focused = focused;
                entry.visible = visible;
                entry.frame_focus = in_frame.then_some(now);
                // Focus going from the frame back to the page, the window still focused, follows
                // a click on the page: from here the idle cutoff applies again.
                if input || (was_in_frame && !in_frame && focused && visible) {
                    entry.last_input = Some(now);
                }
                if input || in_frame || (focused && visible && self.current.is_none()) {
                    self.current = Some(tab);
                }
            }
            Event::Watched { tab, now, name } => {
                let outcome = match name {
                    WatchName::Return => Outcome::Returned,
                    WatchName::Submit => Outcome::Submitted,
                };
                if let Some(Place::Task { key }) = self.tabs.get(&tab).map(|t| t.place.clone()) {
                    self.close(&key, now, outcome, &mut out);
                    self.tab(tab).place = Place::Elsewhere;
                }
            }
            Event::TabClosed { tab, .. } => {
                self.tabs.remove(&tab);
                if self.current == Some(tab) {
                    self.current = None;
                }
            }
            Event::Submission { now, observation } => self.submission(now, observation, &mut out),
            Event::ManualStart { now, platform } => {
                if self.manual_started().is_none() {
                    self.open(MANUAL_KEY.to_owned(), platform, now, now + MAX_OPEN_MS, true, None, &mut out);
                } else {
                    out.problems.push("the manual timer is already running".to_owned());
                }
            }
            Event::ManualStop { now, outcome, details, bonus } => {
                match self.tasks.iter_mut().find(|task| task.key == MANUAL_KEY) {
                    Some(task) => {
                        task.details = Some(details);
                        task.bonus = bonus;
                        self.close(MANUAL_KEY, now, outcome, &mut out);
                    }
                    None => out.problems.push("the manual timer is not running".to_owned()),
                }
            }
            Event::Priced { platform, which, amount, currency, .. } => {
                let matches = |stretch: &Stretch| {
                    stretch.platform == platform
                        && match which {
                            PricedStretches::Started(started) => stretch.first == started,
                            PricedStretches::LocalDay { day, utc_offset_minutes } => {
                                crate::stretches::local_day(stretch.first, utc_offset_minutes) == day
                            }
                        }
                };
                let (chosen, kept): (Vec<Stretch>, Vec<Stretch>) = self.waiting.drain(..).partition(matches);
                self.waiting = kept;
                if chosen.is_empty() {
                    out.problems
                        .push(format!("{platform}: no measured stretch waits for that pay (already paid?)"));
                }
                let shares = crate::stretches::spread(amount, &chosen);
                out.finished.extend(chosen.iter().zip(shares).map(|(stretch, share)| Finished {
                    platform,
                    started: stretch.first,
                    ended: stretch.last,
                    active_ms: stretch.active_ms,
                    what: FinishedWhat::Task {
                        // The manual timer's key: no pay state is followed, the worker typed it.
                        key: MANUAL_KEY.to_owned(),
                        outcome: Outcome::Submitted,
                        details: TaskDetails::plain(share, currency, None, None),
                        bonus: Money::ZERO,
                    },
                }));
            }
            Event::Tick { .. } | Event::BrowserStarted { .. } => {}
        }
        self.expire(now, &mut out);
        out
    }

    fn tab(&mut self, tab: TabId) -> &mut Tab {
        self.tabs.get_or_insert_with(tab, || Tab {
            place: Place::Elsewhere,
            focused: false,
            visible: false,
            last_input: None,
            frame_focus: None,
            last_task: None,
        })
    }

    fn page(
        &mut self,
        tab: TabId,
        now: Millis,
        focused: bool,
        visible: bool,
        observation: Option<Observation>,
        out: &mut Outcomes,
    ) {
        let entry = self.tab(tab);
        entry.focused = focused;
        entry.visible = visible;
        // A page just read is a new document: the focus is not in a frame until it says so.
        entry.frame_focus = None;
        if focused && visible {
            // Arriving on a page in the foreground follows a click or a typed address.
            entry.last_input = Some(now);
            self.current = Some(tab);
        }
        let Some(observation) = observation else {
            self.tab(tab).place = Place::Elsewhere;
            return;
        };
        match observation.alert {
            Some(Alert::Submitted) => {
                if let Some(key) = self.tab(tab).last_task.take() {
                    self.close(&key, now, Outcome::Submitted, out);
                }
            }
            Some(Alert::SubmitFailed) => {
                out.problems.push(format!(
                    "{}: the platform says a submission was not successful",
                    observation.platform
                ));
            }
            None => {}
        }
        let platform = observation.platform;
        let place = match observation.view {
            PageView::Search => {
                // Back on the list: the stretch of work before it is over.
                self.end_work(platform);
                Place::Search { platform }
            }
            PageView::Working => {
                // Starting work ends the stretch of searching that found it.
                self.end_search(platform, out);
                Place::Working { platform }
            }
            PageView::Submitted => {
                self.end_work(platform);
                Place::Search { platform }
            }
            PageView::Neutral => Place::Elsewhere,
            PageView::PayStatus(states) => {
                out.pay.extend(states.into_iter().map(|(key, state)| PayReport {
                    platform,
                    key,
                    state,
                    at: now,
                }));
                Place::Search { platform }
            }
            PageView::Unreadable(error) => {
                out.problems.push(error.to_string());
                Place::Elsewhere
            }
            PageView::Task { key, details, allotted_seconds, remaining_seconds } => {
                if !self.tasks.iter().any(|task| task.key == key) {
                    // The completion timer tells when the task was accepted, even if this page
                    // is a reload or was opened from the queue later.
                    let elapsed_ms = (allotted_seconds - remaining_seconds) as Millis * 1000;
                    let started = now - elapsed_ms;
                    let deadline = match allotted_seconds {
                        0 => started + MAX_OPEN_MS,
                        allotted => started + allotted as Millis * 1000,
                    };
                    self.open(
                        key.clone(),
                        observation.platform,
                        started,
                        deadline,
                        false,
                        Some(details),
                        out,
                    );
                }
                self.tab(tab).last_task = Some(key.clone());
                Place::Task { key }
            }
        };
        self.tab(tab).place = place;
    }

    fn submission(&mut self, now: Millis, observation: SubmissionObservation, out: &mut Outcomes) {
        let is_open = self.tasks.iter().any(|task| task.key == observation.key);
        // The history list reports the pay of studies done earlier, which is what it is for.
        if let Some(state) = observation.pay {
            out.pay.push(PayReport {
                platform: observation.platform,
                key: observation.key.clone(),
                state,
                at: now,
            });
        }
        match observation.state {
            SubmissionState::Open if !is_open => {
                let started = observation
                    .started_at
                    .map_or(now, |at| (at.unix_seconds() * 1000).clamp(now - MAX_OPEN_MS, now));
                let limit =
                    observation.allowed_seconds.map_or(MAX_OPEN_MS, |seconds| seconds as Millis * 1000);
                self.open(
                    observation.key,
                    observation.platform,
                    started,
                    started + limit,
                    true,
                    Some(observation.details),
                    out,
                );
                if let Some(task) = self.tasks.last_mut() {
                    task.bonus = observation.bonus;
                }
            }
            SubmissionState::Open => {}
            // Only studies seen starting become records; the history list shows old ones too.
            SubmissionState::Finished(outcome) if is_open => {
                let ended = observation.completed_at.map_or(now, |at| at.unix_seconds() * 1000).min(now);
                if let Some(task) = self.tasks.iter_mut().find(|task| task.key == observation.key) {
                    task.details = Some(observation.details);
                    task.bonus = observation.bonus;
                }
                self.close(&observation.key, ended, outcome, out);
            }
            SubmissionState::Finished(_) => {}
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site per kind of task; a struct would only rename them"
    )]
    fn open(
        &mut self,
        key: String,
        platform: Platform,
        started: Millis,
        deadline: Millis,
        off_site: bool,
        details: Option<TaskDetails>,
        out: &mut Outcomes,
    ) {
        // Accepting a task ends the stretch of searching that found it.
        self.end_search(platform, out);
        self.tasks.push(OpenTask {
            key,
            platform,
            started,
            deadline: deadline.min(started + MAX_OPEN_MS),
            active_ms: 0,
            off_site,
            details,
            bonus: Money::ZERO,
        });
    }

    fn end_search(&mut self, platform: Platform, out: &mut Outcomes) {
        let (ended, kept): (Vec<Stretch>, Vec<Stretch>) =
            self.searches.drain(..).partition(|stretch| stretch.platform == platform);
        self.searches = kept;
        out.finished.extend(ended.into_iter().filter_map(finish_search));
    }

    fn end_work(&mut self, platform: Platform) {
        let (ended, kept): (Vec<Stretch>, Vec<Stretch>) =
            self.works.drain(..).partition(|stretch| stretch.platform == platform);
        self.works = kept;
        self.waiting.extend(ended.into_iter().filter(|stretch| stretch.active_ms >= 1000));
    }

    fn close(&mut self, key: &str, ended: Millis, outcome: Outcome, out: &mut Outcomes) {
        let Some(index) = self.tasks.iter().position(|task| task.key == key) else { return };
        let task = self.tasks.remove(index);
        for tab in self.tabs.values_mut() {
            if tab.last_task.as_deref() == Some(key) {
                tab.last_task = None;
            }
        }
        let Some(details) = task.details else {
            out.problems.push(format!("{}: task {key} ended without a reward on record", task.platform));
            return;
        };
        let ended = ended.max(task.started);
        out.finished.push(Finished {
            platform: task.platform,
            started: task.started,
            ended,
            active_ms: task.active_ms.min(ended - task.started),
            what: FinishedWhat::Task { key: task.key, outcome, details, bonus: task.bonus },
        });
    }

    fn expire(&mut self, now: Millis, out: &mut Outcomes) {
        let expired: Vec<(String, Millis)> = self
            .tasks
            .iter()
            .filter(|task| task.deadline <= now)
            .map(|task| (task.key.clone(), task.deadline))
            .collect();
        for (key, deadline) in expired {
            self.close(&key, deadline, Outcome::Abandoned, out);
        }
        let (stale, kept): (Vec<Stretch>, Vec<Stretch>) =
            self.searches.drain(..).partition(|stretch| now - stretch.last > SEARCH_STRETCH_GAP_MS);
        self.searches = kept;
        out.finished.extend(stale.into_iter().filter_map(finish_search));
        let (stale, kept): (Vec<Stretch>, Vec<Stretch>) =
            self.works.drain(..).partition(|stretch| now - stretch.last > SEARCH_STRETCH_GAP_MS);
        self.works = kept;
        self.waiting.extend(stale.into_iter().filter(|stretch| stretch.active_ms >= 1000));
    }
}

fn finish_search(stretch: Stretch) -> Option<Finished> {
    (stretch.active_ms >= 1000).then_some(Finished {
        platform: stretch.platform,
        started: stretch.first,
        ended: stretch.last,
        active_ms: stretch.active_ms,
        what: FinishedWhat::Unpaid(UnpaidCategory::Search),
    })
}

fn event_time(event: &Event) -> Millis {
    match event {
        Event::Page { now, .. }
        | Event::Activity { now, .. }
        | Event::Watched { now, .. }
        | Event::TabClosed { now, .. }
        | Event::Submission { now, .. }
        | Event::ManualStart { now, .. }
        | Event::ManualStop { now, .. }
        | Event::Priced { now, .. }
        | Event::Tick { now }
        | Event::BrowserStarted { now } => *now,
    }
}
