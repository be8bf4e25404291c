//! Prolific's researcher export of a study's submissions to records: one submission, one task.
//!
//! The export has no reward column (on Prolific the reward belongs to the study), so the caller
//! supplies it. Rows that a spreadsheet wrapped whole in quotes are recognised and read back.

use std::io::Read;

use crate::codes::{CountryCode, Currency};
use crate::money::Money;
use crate::record::{Outcome, Platform, TaskCategory};
use crate::time::{Seconds, Timestamp};

use super::requester_time::parse_requester_time;
use super::table::{Table, text};
use super::{ImportError, Imported, Pseudonymizer, RequesterTask, require_columns, row_error};

const WHAT: &str = "a Prolific submissions export";

/// Settings of a Prolific import.
#[derive(Debug, Clone, Copy)]
pub struct ProlificExportOptions {
    /// The study's reward per submission.
    pub reward: Money,
    pub currency: Currency,
    pub country: Option<CountryCode>,
    pub category: Option<TaskCategory>,
    /// The study's maximum allowed time. Prolific's "Time taken" of a timed-out submission runs
    /// until the time-out was processed, often days; with this set such submissions count at
    /// most this long, without it they are skipped.
    pub max_time: Option<Seconds>,
}

/// Where the columns are, and their names in this export's layout (for messages).
#[derive(Debug)]
struct Columns {
    /// `None` in older exports without a `session_id`: the participant and start time then
    /// stand for the submission (a participant takes a study once).
    submission: Option<usize>,
    participant: usize,
    status: usize,
    started: usize,
    completed: usize,
    time_taken: usize,
    /// Prolific's demographic column, when the researcher exported it.
    country: Option<usize>,
    names: &'static Layout,
}

/// The column names of one layout of the export.
#[derive(Debug)]
struct Layout {
    submission: &'static str,
    participant: &'static str,
    status: &'static str,
    started: &'static str,
    completed: &'static str,
    time_taken: &'static str,
}

const CURRENT: Layout = Layout {
    submission: "Submission id",
    participant: "Participant id",
    status: "Status",
    started: "Started at",
    completed: "Completed at",
    time_taken: "Time taken",
};
/// Exports from 2023 and 2024 name the participant `PROLIFIC_PID`.
const PROLIFIC_PID: Layout = Layout { participant: "PROLIFIC_PID", ..CURRENT };
/// Exports before 2023, in snake case.
const OLDER: Layout = Layout {
    submission: "session_id",
    participant: "participant_id",
    status: "status",
    started: "started_datetime",
    completed: "completed_date_time",
    time_taken: "time_taken",
};

/// Prolific's column of the participant's country, a country's English name.
const COUNTRY_COLUMN: &str = "Country of residence";

/// Streams the records of one export.
#[derive(Debug)]
pub struct ProlificExport<'p> {
    table: Table,
    columns: Columns,
    pseudonyms: &'p Pseudonymizer,
    options: ProlificExportOptions,
    row: csv::ByteRecord,
}

/// Reads the header of an export (either the `PROLIFIC_PID` or the `Participant id` variant).
pub fn read_prolific_export(
    input: impl Read,
    pseudonyms: &Pseudonymizer,
    options: ProlificExportOptions,
) -> Result<ProlificExport<'_>, ImportError> {
    let table = Table::read(input, WHAT)?;
    let names = if table.column(OLDER.participant).is_some() {
        &OLDER
    } else if table.column(PROLIFIC_PID.participant).is_some() {
        &PROLIFIC_PID
    } else {
        &CURRENT
    };
    let (submission, [participant, status, started, completed, time_taken]) =
        match table.column(names.submission) {
            // Older exports may lack `session_id`; the participant and start then stand for it.
            None if std::ptr::eq(names, &OLDER) => (
                None,
                require_columns(
                    table.header(),
                    [names.participant, names.status, names.started, names.completed, names.time_taken],
                    WHAT,
                )?,
            ),
            _ => {
                let [submission, rest @ ..] = require_columns(
                    table.header(),
                    [
                        names.submission,
                        names.participant,
                        names.status,
                        names.started,
                        names.completed,
                        names.time_taken,
                    ],
                    WHAT,
                )?;
                (Some(submission), rest)
            }
        };
    let country = table.column(COUNTRY_COLUMN);
    let columns = Columns { submission, participant, status, started, completed, time_taken, country, names };
    Ok(ProlificExport { table, columns, pseudonyms, options, row: csv::ByteRecord::new() })
}

impl Iterator for ProlificExport<'_> {
    type Item = Result<Imported, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = match self.table.next_row(&mut self.row)? {
            Ok(line) => line,
            Err(error) => return Some(Err(error)),
        };
        let width = self.table.header().len();
        let repaired = self.row.len() == 1 && width > 1;
        if repaired {
            match unwrap_quoted_row(&self.row, width) {
                Some(inner) => self.row = inner,
                None => return Some(Err(self.width_error(line, width))),
            }
        } else if self.row.len() != width {
            return Some(Err(self.width_error(line, width)));
        }
        Some(self.convert(line, repaired))
    }
}

/// A spreadsheet round-trip sometimes wraps a whole row in one pair of quotes, doubling the
/// quotes inside: the CSV parser then sees one field. When that field is itself a CSV row of
/// exactly the header's width, it is that row.
fn unwrap_quoted_row(row: &csv::ByteRecord, width: usize) -> Option<csv::ByteRecord> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&row[0]);
    let mut inner = csv::ByteRecord::new();
    let found = reader.read_byte_record(&mut inner).ok()?;
    let mut rest = csv::ByteRecord::new();
    let nothing_more = !reader.read_byte_record(&mut rest).unwrap_or(true);
    (found && nothing_more && inner.len() == width).then_some(inner)
}

impl ProlificExport<'_> {
    fn width_error(&self, line: u64, width: usize) -> ImportError {
        row_error(line, "CSV", format!("the row has {} fields; the header has {width}", self.row.len()))
    }

    fn convert(&self, line: u64, repaired: bool) -> Result<Imported, ImportError> {
        let c = &self.columns;
        let n = c.names;
        let field = |index: usize, name: &str| text(&self.row, Some(index), name, line);
        let participant = field(c.participant, n.participant)?;
        let submission = match c.submission {
            Some(index) => field(index, n.submission)?,
            None => "",
        };
        for (value, name) in [(submission, n.submission), (participant, n.participant)] {
            if value.is_empty() && (name != n.submission || c.submission.is_some()) {
                return Err(row_error(line, name, "is empty"));
            }
        }
        let country = match c.country {
            Some(index) => country_of_residence(field(index, COUNTRY_COLUMN)?)
                .map_err(|problem| row_error(line, COUNTRY_COLUMN, problem))?
                .or(self.options.country),
            None => self.options.country,
        };
        let status = field(c.status, n.status)?;
        let outcome = match status.to_ascii_uppercase().replace('-', " ").as_str() {
            "APPROVED" => Outcome::Approved,
            "AWAITING REVIEW" => Outcome::Submitted,
            "REJECTED" => Outcome::Rejected,
            "RETURNED" => Outcome::Returned,
            "TIMED OUT" => Outcome::Abandoned,
            "SCREENED OUT" => Outcome::ScreenedOut,
            "ACTIVE" => return Ok(skipped(line, "ACTIVE: the submission is still in progress")),
            _ => {
                return Err(row_error(
                    line,
                    "Status",
                    format!(
                        "'{}' is not a submission status; expected APPROVED, AWAITING REVIEW, REJECTED, RETURNED, TIMED-OUT, SCREENED OUT or ACTIVE",
                        status.chars().take(32).collect::<String>()
                    ),
                ));
            }
        };
        let started_text = field(c.started, n.started)?;
        let started = match started_text {
            "" => {
                return Ok(skipped(
                    line,
                    &format!("{status} without a start time: no working time is recorded"),
                ));
            }
            text => parse_prolific_time(text).map_err(|problem| row_error(line, n.started, problem))?,
        };
        let completed_text = field(c.completed, n.completed)?;
        let completed = match completed_text {
            "" => None,
            text => Some(parse_prolific_time(text).map_err(|problem| row_error(line, n.completed, problem))?),
        };
        let time_taken = match field(c.time_taken, n.time_taken)? {
            "" => None,
            text => Some(parse_time_taken(text).map_err(|problem| row_error(line, n.time_taken, problem))?),
        };
        let span = match (completed, time_taken) {
            (Some(completed), _) => {
                exact_span(started, started_text, completed, completed_text).ok_or_else(|| {
                    row_error(line, n.completed, format!("{completed} is before {} {started}", n.started))
                })?
            }
            (None, Some(taken)) => taken,
            (None, None) => {
                return Ok(skipped(
                    line,
                    &format!("{status} before completion: no working time is recorded"),
                ));
            }
        };
        // Records keep whole seconds: the end is the start plus the whole seconds of the span,
        // so the record's span is the exact one rounded down, not the difference of two times
        // each rounded down (which can gain a second).
        let ended = started.plus(span);
        let mut active = time_taken.unwrap_or(span).min(span);
        if outcome == Outcome::Abandoned {
            match self.options.max_time {
                Some(max_time) => active = active.min(max_time),
                None => {
                    return Ok(skipped(
                        line,
                        &format!(
                            "TIMED-OUT: Prolific's time taken ({:.1} h) runs until the time-out was processed, not while the participant worked; give the study's maximum allowed time with --max-minutes to count it",
                            active.hours()
                        ),
                    ));
                }
            }
        }
        let submission = if submission.is_empty() {
            format!("{participant}\0{started_text}")
        } else {
            submission.to_owned()
        };
        let when = Span { started, ended, active };
        self.record(line, repaired, &submission, participant, country, outcome, when)
    }

    #[expect(clippy::too_many_arguments, reason = "the parts of one record, each checked by the caller")]
    fn record(
        &self,
        line: u64,
        repaired: bool,
        submission: &str,
        participant: &str,
        country: Option<CountryCode>,
        outcome: Outcome,
        Span { started, ended, active }: Span,
    ) -> Result<Imported, ImportError> {
        // A screen-out pays only what the researcher set for it, which the export does not say.
        let reward = if outcome == Outcome::ScreenedOut { Money::ZERO } else { self.options.reward };
        let task = RequesterTask {
            record_id: self.pseudonyms.record_id("prolific-submission", submission),
            install_id: self.pseudonyms.install_id("prolific-participant", participant),
            platform: Platform::Prolific,
            country,
            category: self.options.category,
            outcome,
            started_at: started,
            ended_at: ended,
            active,
            reward,
            currency: self.options.currency,
        };
        let n = self.columns.names;
        let record = task.into_record(line, |field| match field {
            "started_at" => n.started,
            "ended_at" => n.completed,
            "active_seconds" => n.time_taken,
            "reward" | "bonus" | "currency" => "reward (--reward)",
            "outcome" => n.status,
            _ => n.participant,
        })?;
        Ok(Imported::Record { line, record, repaired })
    }
}

/// When a submission started and ended, in whole seconds, and how long it was worked on.
struct Span {
    started: Timestamp,
    ended: Timestamp,
    active: Seconds,
}

/// Prolific writes its times in UTC: with `Z` in current exports, without a zone (`2019-10-24
/// 10:45:22.675000`) in older ones.
fn parse_prolific_time(text: &str) -> Result<Timestamp, String> {
    parse_requester_time(text, Some(0))
}

/// The whole seconds of the exact time between two times read from `start_text` and
/// `end_text` (their fractions of a second, which `Timestamp` drops, included); `None` when the
/// end is before the start.
fn exact_span(start: Timestamp, start_text: &str, end: Timestamp, end_text: &str) -> Option<Seconds> {
    let micros = (end.unix_seconds() - start.unix_seconds()) * 1_000_000 + fraction_micros(end_text)
        - fraction_micros(start_text);
    u64::try_from(micros.div_euclid(1_000_000)).ok().map(Seconds::new)
}

/// The fraction of a second written after the seconds (`.266000` in
/// `2024-07-15T20:16:52.266000Z`), in microseconds; 0 when there is none.
fn fraction_micros(text: &str) -> i64 {
    let Some((_, after)) = text.split_once('.') else { return 0 };
    let digits: Vec<i64> =
        after.bytes().take_while(u8::is_ascii_digit).take(6).map(|digit| i64::from(digit - b'0')).collect();
    digits.iter().chain(std::iter::repeat(&0)).take(6).fold(0, |micros, digit| micros * 10 + digit)
}

/// A participant's country from "Country of residence": `None` when Prolific withheld it
/// (empty, `CONSENT_REVOKED`, `DATA_EXPIRED`), an error when it names no country piecerate knows.
fn country_of_residence(name: &str) -> Result<Option<CountryCode>, String> {
    let name = name.trim();
    if name.is_empty()
        || (name.contains('_') && name.bytes().all(|byte| byte.is_ascii_uppercase() || byte == b'_'))
    {
        return Ok(None);
    }
    #[cfg(feature = "country-names")]
    let found = crate::codes::country_from_name(name).or_else(|| CountryCode::parse(name).ok());
    #[cfg(not(feature = "country-names"))]
    let found = CountryCode::parse(name).ok();
    found.map(Some).ok_or_else(|| {
        format!(
            "'{}' is not a country name piecerate knows; give ISO 3166-1 codes or --country",
            name.chars().take(40).collect::<String>()
        )
    })
}

fn skipped(line: u64, reason: &str) -> Imported {
    Imported::Skipped { line, reason: reason.to_owned() }
}

/// Seconds as an integer (`465`) or a float (`3323.0`), rounded to the nearest second.
fn parse_time_taken(text: &str) -> Result<Seconds, String> {
    let problem = || format!("'{}' is not a number of seconds", text.chars().take(24).collect::<String>());
    let seconds: f64 = text.parse().map_err(|_| problem())?;
    if !(0.0..=1e12).contains(&seconds) {
        return Err(problem());
    }
    Ok(Seconds::new(seconds.round() as u64))
}

#[cfg(test)]
mod tests;
