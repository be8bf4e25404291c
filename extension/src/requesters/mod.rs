//! The worker's history per requester (MTurk) or researcher (Prolific) and per project or
//! study: tasks, measured time by outcome, earnings by pay state, the effective hourly wage and
//! the advertised rate, every rate through the library (`analysis::wage`). Requester names and
//! titles come from the local records and stay in the browser.
//!
//! Built from the stored records and the pay states when the worker opens the view (never at
//! the popup's opening, which reads only the daily totals); sorting and searching then work on
//! the built rows, a few per requester, whatever the number of records.

use analysis::{Activity, Method, Outcome, Platform, Record, Seconds, WorkerTotals};
use rust_decimal::Decimal;

use crate::pay::{PayBook, PayEntry, PayState, Standing, default_auto_approval_seconds};
use crate::records::LocalRecord;
use crate::sorted_map::SortedMap;
use crate::tracker::Millis;

pub mod view;

/// One group of tasks: a requester's (with `project` empty) or one project's or study's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub platform: Option<Platform>,
    /// Empty when the records do not say (imports, the manual timer).
    pub requester: String,
    /// The project's or study's title; empty in a requester's own row.
    pub project: String,
    pub tasks: u64,
    /// Active seconds of tasks submitted (whatever became of their pay), returned or abandoned,
    /// and screened out.
    pub submitted_seconds: u64,
    pub returned_seconds: u64,
    pub screened_out_seconds: u64,
    pub approved_usd: Decimal,
    /// Pending pay, overdue items included.
    pub pending_usd: Decimal,
    pub overdue_usd: Decimal,
    pub overdue: u64,
    pub rejected_usd: Decimal,
    /// Every task's time, earnings approved or pending: the row's effective hourly wage.
    pub expected: WorkerTotals,
    /// Every task's time, earnings approved only.
    pub approved: WorkerTotals,
    /// The advertised rewards (USD) and stated times of the tasks that had them.
    pub advertised: WorkerTotals,
    /// Submission to approval, summed over the approvals seen with both times.
    pub approval_ms: i64,
    pub approvals: u64,
}

impl Row {
    /// The effective hourly wage on approved and pending pay, over all task time.
    pub fn wage_usd(&self) -> Option<f64> {
        self.expected.hourly_wage_usd(Method::Task)
    }

    pub fn approved_wage_usd(&self) -> Option<f64> {
        self.approved.hourly_wage_usd(Method::Task)
    }

    pub fn advertised_usd(&self) -> Option<f64> {
        self.advertised.hourly_wage_usd(Method::Paid)
    }

    /// Mean time from submission to approval, in seconds.
    pub fn mean_approval_seconds(&self) -> Option<i64> {
        (self.approvals > 0).then(|| self.approval_ms / self.approvals as i64 / 1000)
    }

    pub fn seconds(&self) -> u64 {
        self.submitted_seconds + self.returned_seconds + self.screened_out_seconds
    }

    pub fn earnings_usd(&self) -> Decimal {
        self.approved_usd + self.pending_usd
    }

    fn merge(&mut self, other: &Row) {
        self.tasks += other.tasks;
        self.submitted_seconds += other.submitted_seconds;
        self.returned_seconds += other.returned_seconds;
        self.screened_out_seconds += other.screened_out_seconds;
        self.approved_usd += other.approved_usd;
        self.pending_usd += other.pending_usd;
        self.overdue_usd += other.overdue_usd;
        self.overdue += other.overdue;
        self.rejected_usd += other.rejected_usd;
        self.expected.merge(&other.expected);
        self.approved.merge(&other.approved);
        self.advertised.merge(&other.advertised);
        self.approval_ms += other.approval_ms;
        self.approvals += other.approvals;
    }
}

/// A requester's row and its projects' rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub total: Row,
    pub projects: Vec<Row>,
}

/// The whole history: every requester's group, and the sum of all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    pub groups: Vec<Group>,
    pub all: Row,
}

/// Where a task's pay stands: what the platform reported, else what its record says.
pub fn standing<'a>(
    local: &LocalRecord,
    book: &'a PayBook,
    now: Millis,
) -> Option<(Standing, Option<&'a PayEntry>)> {
    let record = &local.record;
    let outcome = record.outcome()?;
    if !outcome.is_paid() {
        return (outcome == Outcome::Rejected).then_some((Standing::Rejected, None));
    }
    let entry = local.task_key.as_deref().and_then(|key| book.get(record.platform(), key));
    if let Some(entry) = entry {
        return Some((entry.standing(now), Some(entry)));
    }
    Some(match outcome {
        // Reported submitted and never seen since: pending from its end, for as long as the
        // platform's documented auto-approval period.
        Outcome::Submitted => {
            let ended = record.ended_at().unix_seconds() * 1000;
            let entry = PayEntry {
                state: PayState::Pending,
                submitted: Some(ended),
                since: ended,
                auto_approval_seconds: default_auto_approval_seconds(record.platform()),
            };
            (entry.standing(now), None)
        }
        // Approved when recorded, or a screening payment, which Prolific pays at once.
        _ => (Standing::Approved, None),
    })
}

/// The reward and bonus of a task record in US dollars at its month's rate, whatever its
/// outcome (a rejected task's lost pay too).
fn pay_usd(record: &Record) -> Decimal {
    match record.activity() {
        Activity::Task { reward, bonus, currency, .. } => {
            (reward + bonus).to_usd(currency, record.started_at())
        }
        Activity::Unpaid { .. } => Decimal::ZERO,
    }
}

fn add(row: &mut Row, local: &LocalRecord, book: &PayBook, now: Millis) {
    let record = &local.record;
    let Some(outcome) = record.outcome() else { return };
    row.tasks += 1;
    let active = record.active().get();
    match outcome {
        Outcome::Returned | Outcome::Abandoned => row.returned_seconds += active,
        Outcome::ScreenedOut => row.screened_out_seconds += active,
        Outcome::Submitted | Outcome::Approved | Outcome::Rejected => row.submitted_seconds += active,
    }
    let pay = pay_usd(record);
    let (mut expected, mut approved) = (Decimal::ZERO, Decimal::ZERO);
    match standing(local, book, now) {
        Some((Standing::Approved, entry)) => {
            row.approved_usd += pay;
            (expected, approved) = (pay, pay);
            if let Some(ms) = entry.and_then(PayEntry::time_to_approval) {
                row.approval_ms += ms;
                row.approvals += 1;
            }
        }
        Some((state @ (Standing::Pending | Standing::Overdue), _)) => {
            row.pending_usd += pay;
            expected = pay;
            if state == Standing::Overdue {
                row.overdue_usd += pay;
                row.overdue += 1;
            }
        }
        Some((Standing::Rejected, _)) => row.rejected_usd += pay,
        None => {}
    }
    row.expected.add_valued(record, expected);
    row.approved.add_valued(record, approved);
    // The advertised rate is the library's division too: the promised rewards over the stated
    // times, as if every promise had been paid for exactly that time.
    if let (Some(advertised), Activity::Task { currency, .. }) = (local.advertised, record.activity()) {
        row.advertised.earnings_usd += advertised.reward.to_usd(currency, record.started_at());
        row.advertised.paid_task_time += Seconds::new(advertised.seconds);
        row.advertised.tasks += 1;
    }
}

impl History {
    /// Groups every task record by platform, requester and project.
    pub fn build(records: &[LocalRecord], book: &PayBook, now: Millis) -> History {
        let mut rows: SortedMap<(&str, &str, &str), Row> = SortedMap::new();
        for local in records {
            if local.record.outcome().is_none() {
                continue;
            }
            let platform = local.record.platform();
            let requester = local.requester.as_deref().unwrap_or_default();
            let project = local.title.as_deref().unwrap_or_default();
            let row = rows.get_or_insert_with((platform.as_str(), requester, project), || Row {
                platform: Some(platform),
                requester: requester.to_owned(),
                project: project.to_owned(),
                ..Row::default()
            });
            add(row, local, book, now);
        }
        let mut history = History::default();
        for (_, row) in rows.iter() {
            history.all.merge(row);
            match history.groups.last_mut() {
                Some(group)
                    if group.total.platform == row.platform && group.total.requester == row.requester =>
                {
                    group.total.merge(row);
                    group.projects.push(row.clone());
                }
                _ => history.groups.push(Group {
                    total: Row { project: String::new(), ..row.clone() },
                    projects: vec![row.clone()],
                }),
            }
        }
        history
    }
}

/// What the table is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Requester,
    Tasks,
    Time,
    Earnings,
    Wage,
    Advertised,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Requester,
        SortKey::Tasks,
        SortKey::Time,
        SortKey::Earnings,
        SortKey::Wage,
        SortKey::Advertised,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Requester => "requester",
            SortKey::Tasks => "tasks",
            SortKey::Time => "time",
            SortKey::Earnings => "earnings",
            SortKey::Wage => "wage",
            SortKey::Advertised => "advertised",
        }
    }

    pub fn parse(text: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|key| key.as_str() == text)
    }
}

/// Whether `c`, a base letter, is Latin: ASCII, Latin-1, Latin Extended-A and -B, Latin
/// Extended Additional (Vietnamese).
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}')
}

/// Drops the combining diacritics (U+0300 to U+036F) that follow a Latin letter in decomposed
/// (NFD) text: "é" matches "e", while "й" stays apart from "и".
fn strip_latin_marks(decomposed: impl Iterator<Item = char>) -> String {
    let mut latin = false;
    decomposed
        .filter(|&c| {
            let mark = ('\u{300}'..='\u{36f}').contains(&c);
            if !mark {
                latin = is_latin(c);
            }
            !(mark && latin)
        })
        .collect()
}

/// Requester names and titles as the search compares them: lower case in every script (Unicode's
/// case mapping), Latin letters without their accents. In the browser, by the browser's own
/// Unicode tables (`String.prototype.normalize` and `toLowerCase`): Rust's case tables cost the
/// wasm module 18 KB (measured: 450,154 bytes with `str::to_lowercase` against 432,072 without)
/// and a normalization crate more, where the browser's cost 714 bytes (449,678 against 448,964).
#[cfg(target_arch = "wasm32")]
pub fn fold(text: &str) -> String {
    let folded: String = js_sys::JsString::from(text).normalize("NFD").to_lower_case().into();
    strip_latin_marks(folded.chars())
}

/// The same folding natively (tests, benchmarks), with the `unicode-normalization` crate and
/// the standard library's case tables.
#[cfg(not(target_arch = "wasm32"))]
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    strip_latin_marks(text.nfd().flat_map(char::to_lowercase))
}

/// How the worker asked to see the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Matched against requester names and titles by [`fold`]; empty matches all.
    pub search: String,
    pub sort: SortKey,
    pub descending: bool,
}

impl Default for Query {
    fn default() -> Query {
        Query { search: String::new(), sort: SortKey::Earnings, descending: true }
    }
}

fn compare(a: &Row, b: &Row, key: SortKey) -> std::cmp::Ordering {
    let rate = |rate: Option<f64>| rate.unwrap_or(-1.0);
    match key {
        SortKey::Requester => a.requester.to_ascii_lowercase().cmp(&b.requester.to_ascii_lowercase()),
        SortKey::Tasks => a.tasks.cmp(&b.tasks),
        SortKey::Time => a.seconds().cmp(&b.seconds()),
        SortKey::Earnings => a.earnings_usd().cmp(&b.earnings_usd()),
        SortKey::Wage => rate(a.wage_usd()).total_cmp(&rate(b.wage_usd())),
        SortKey::Advertised => rate(a.advertised_usd()).total_cmp(&rate(b.advertised_usd())),
    }
}

impl History {
    /// The groups matching the search, sorted; within a group, only its matching projects
    /// (all of them when the requester's name matches), sorted the same way.
    pub fn select(&self, query: &Query) -> Vec<Group> {
        let needle = fold(query.search.trim());
        let matches = |text: &str| needle.is_empty() || crate::text::contains(&fold(text), &needle);
        let order = |a: &Row, b: &Row| {
            let ordering = compare(a, b, query.sort).then_with(|| a.requester.cmp(&b.requester));
            if query.descending { ordering.reverse() } else { ordering }
        };
        let mut selected: Vec<Group> = self
            .groups
            .iter()
            .filter_map(|group| {
                let mut projects: Vec<Row> = if matches(&group.total.requester) {
                    group.projects.clone()
                } else {
                    group.projects.iter().filter(|row| matches(&row.project)).cloned().collect()
                };
                if projects.is_empty() {
                    return None;
                }
                crate::sorting::sort_by(&mut projects, order);
                Some(Group { total: group.total.clone(), projects })
            })
            .collect();
        crate::sorting::sort_by(&mut selected, |a, b| order(&a.total, &b.total));
        selected
    }
}
