//! The definition of an effective hourly wage, in one place: what a worker earned in US
//! dollars divided by the hours counted under an accounting [`Method`].
//! `docs/methodology.md` explains each method and where it comes from.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::record::{Activity, Record};
use crate::time::{Seconds, Timestamp};

/// Which hours an hourly wage divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Only the time of tasks that paid something.
    Paid,
    /// The time of every task, including returned, rejected, abandoned and screened-out ones.
    Task,
    /// Every task plus every record of unpaid time: the headline figure.
    All,
    /// Like `All`, plus the gaps of at most this many minutes between consecutive records of
    /// one worker on one platform, counted as unpaid time (for data without unpaid records).
    Session { max_gap_minutes: u32 },
}

/// The longest gap `session:M` accepts: one day. Longer "sessions" are not sessions.
pub const MAX_SESSION_GAP_MINUTES: u32 = 24 * 60;

impl Method {
    /// The methods a worker can switch between in the dashboard and the extension.
    pub const STANDARD: [Method; 3] = [Method::All, Method::Task, Method::Paid];
}

impl FromStr for Method {
    type Err = String;

    fn from_str(text: &str) -> Result<Method, String> {
        match text {
            "paid" => Ok(Method::Paid),
            "task" => Ok(Method::Task),
            "all" => Ok(Method::All),
            _ => match text.strip_prefix("session:") {
                Some(minutes) => match minutes.parse::<u32>() {
                    Ok(m) if (1..=MAX_SESSION_GAP_MINUTES).contains(&m) => {
                        Ok(Method::Session { max_gap_minutes: m })
                    }
                    _ => Err(format!(
                        "'{}' is not a valid session gap; expected whole minutes from 1 to {MAX_SESSION_GAP_MINUTES}, e.g. session:15",
                        minutes.chars().take(16).collect::<String>()
                    )),
                },
                None => Err(format!(
                    "'{}' is not an accounting method; expected all, paid, task or session:M",
                    text.chars().take(32).collect::<String>()
                )),
            },
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Paid => f.write_str("paid"),
            Method::Task => f.write_str("task"),
            Method::All => f.write_str("all"),
            Method::Session { max_gap_minutes } => write!(f, "session:{max_gap_minutes}"),
        }
    }
}

/// The kinds of time [`WorkerTotals`] keeps apart, which the methods count or leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeKind {
    PaidTask = 0,
    UnpaidTask = 1,
    UnpaidRecord = 2,
    SessionGap = 3,
}

impl TimeKind {
    pub const ALL: [TimeKind; 4] =
        [TimeKind::PaidTask, TimeKind::UnpaidTask, TimeKind::UnpaidRecord, TimeKind::SessionGap];

    /// Whether a method counts this kind of time.
    pub fn counted_by(self, method: Method) -> bool {
        match self {
            TimeKind::PaidTask => true,
            TimeKind::UnpaidTask => !matches!(method, Method::Paid),
            TimeKind::UnpaidRecord => matches!(method, Method::All | Method::Session { .. }),
            TimeKind::SessionGap => matches!(method, Method::Session { .. }),
        }
    }
}

/// What one worker earned and spent, split the ways the methods need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerTotals {
    pub earnings_usd: Decimal,
    /// Active time of tasks that paid something.
    pub paid_task_time: Seconds,
    /// Active time of tasks that paid nothing (rejected, returned, abandoned, unpaid screen-outs).
    pub unpaid_task_time: Seconds,
    /// Active time of unpaid records (search, qualifications, screeners, ...).
    pub unpaid_record_time: Seconds,
    /// Gaps inside sessions, under `session:M` only.
    pub session_gap_time: Seconds,
    pub tasks: u64,
}

impl WorkerTotals {
    /// Adds a record; says which kind of time its active seconds went to.
    pub fn add(&mut self, record: &Record) -> TimeKind {
        self.add_valued(record, record.earnings_usd())
    }

    /// Adds a record whose earnings were valued otherwise than at market rates (a report at
    /// purchasing-power parity); `earnings` are zero exactly when the record's are.
    pub fn add_valued(&mut self, record: &Record, earnings: Decimal) -> TimeKind {
        match record.activity() {
            Activity::Task { .. } => {
                self.tasks += 1;
                self.earnings_usd += earnings;
                if earnings > Decimal::ZERO {
                    self.paid_task_time += record.active();
                    TimeKind::PaidTask
                } else {
                    self.unpaid_task_time += record.active();
                    TimeKind::UnpaidTask
                }
            }
            Activity::Unpaid { .. } => {
                self.unpaid_record_time += record.active();
                TimeKind::UnpaidRecord
            }
        }
    }

    /// The seconds of one kind of time.
    pub fn time(&self, kind: TimeKind) -> Seconds {
        match kind {
            TimeKind::PaidTask => self.paid_task_time,
            TimeKind::UnpaidTask => self.unpaid_task_time,
            TimeKind::UnpaidRecord => self.unpaid_record_time,
            TimeKind::SessionGap => self.session_gap_time,
        }
    }

    pub fn merge(&mut self, other: &WorkerTotals) {
        self.earnings_usd += other.earnings_usd;
        self.paid_task_time += other.paid_task_time;
        self.unpaid_task_time += other.unpaid_task_time;
        self.unpaid_record_time += other.unpaid_record_time;
        self.session_gap_time += other.session_gap_time;
        self.tasks += other.tasks;
    }

    /// The time this method counts but does not pay for.
    pub fn unpaid_time(&self, method: Method) -> Seconds {
        match method {
            Method::Paid => Seconds::ZERO,
            Method::Task => self.unpaid_task_time,
            Method::All => self.unpaid_task_time + self.unpaid_record_time,
            Method::Session { .. } => self.unpaid_task_time + self.unpaid_record_time + self.session_gap_time,
        }
    }

    /// All the time this method counts.
    pub fn counted_time(&self, method: Method) -> Seconds {
        self.paid_task_time + self.unpaid_time(method)
    }

    /// US dollars per counted hour, or `None` when the method counts no time at all.
    pub fn hourly_wage_usd(&self, method: Method) -> Option<f64> {
        let hours = self.counted_time(method).hours();
        (hours > 0.0).then(|| self.earnings_usd.to_f64().unwrap_or(0.0) / hours)
    }
}

/// The effective hourly wage and its parts for one worker's records (the extension's view).
/// Records are those of one worker; under `session:M` gaps are found per platform.
pub fn worker_totals<'a>(records: impl IntoIterator<Item = &'a Record>, method: Method) -> WorkerTotals {
    let mut totals = WorkerTotals::default();
    let mut spans = Vec::new();
    for record in records {
        totals.add(record);
        if let Method::Session { .. } = method {
            spans.push((record.platform(), record.started_at(), record.ended_at()));
        }
    }
    if let Method::Session { max_gap_minutes } = method {
        spans.sort_unstable();
        for run in spans.chunk_by(|a, b| a.0 == b.0) {
            let intervals: Vec<(Timestamp, Timestamp)> =
                run.iter().map(|&(_, start, end)| (start, end)).collect();
            for (_, gap) in session_gaps(&intervals, max_gap_minutes) {
                totals.session_gap_time += gap;
            }
        }
    }
    totals
}

/// The gaps between consecutive records (sorted by start) that are at most `max_gap_minutes`
/// long, each as (index of the record that follows the gap, gap length). Overlapping records
/// leave no gap; the gap is measured from the latest end seen so far.
pub fn session_gaps(
    sorted_intervals: &[(Timestamp, Timestamp)],
    max_gap_minutes: u32,
) -> Vec<(usize, Seconds)> {
    let limit = Seconds::new(u64::from(max_gap_minutes) * 60);
    let mut gaps = Vec::new();
    let mut latest_end: Option<Timestamp> = None;
    for (index, &(start, end)) in sorted_intervals.iter().enumerate() {
        if let Some(gap) = latest_end.and_then(|previous_end| start.seconds_since(previous_end))
            && gap > Seconds::ZERO
            && gap <= limit
        {
            gaps.push((index, gap));
        }
        latest_end = Some(latest_end.map_or(end, |latest| latest.max(end)));
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse_and_print() {
        for text in ["paid", "task", "all", "session:15", "session:1440"] {
            assert_eq!(text.parse::<Method>().unwrap().to_string(), text);
        }
        for bad in ["", "ALL", "session:", "session:0", "session:1441", "session:-3", "hourly"] {
            assert!(bad.parse::<Method>().is_err(), "{bad}");
        }
    }

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_unix_seconds(1_700_000_000 + minute * 60).unwrap()
    }

    #[test]
    fn gaps_inside_sessions_only() {
        let intervals =
            [(at(0), at(10)), (at(12), at(20)), (at(15), at(18)), (at(50), at(60)), (at(61), at(62))];
        let gaps = session_gaps(&intervals, 15);
        // 10→12 is a 2-minute gap; 15 overlaps; 20→50 is too long; 60→61 is a 1-minute gap.
        assert_eq!(gaps, vec![(1, Seconds::new(120)), (4, Seconds::new(60))]);
    }
}
