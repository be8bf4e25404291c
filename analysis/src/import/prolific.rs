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

#[derive(Debug)]
struct Columns {
    submission: usize,
    participant: usize,
    participant_name: &'static str,
    status: usize,
    started: usize,
    completed: usize,
    time_taken: usize,
}

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
    let participant_name =
        if table.column("PROLIFIC_PID").is_some() { "PROLIFIC_PID" } else { "Participant id" };
    let [submission, participant, status, started, completed, time_taken] = require_columns(
        table.header(),
        ["Submission id", participant_name, "Status", "Started at", "Completed at", "Time taken"],
        WHAT,
    )?;
    let columns =
        Columns { submission, participant, participant_name, status, started, completed, time_taken };
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
        let field = |index: usize, name: &str| text(&self.row, Some(index), name, line);
        let submission = field(c.submission, "Submission id")?;
        let participant = field(c.participant, c.participant_name)?;
        for (value, name) in [(submission, "Submission id"), (participant, c.participant_name)] {
            if value.is_empty() {
                return Err(row_error(line, name, "is empty"));
            }
        }
        let status = field(c.status, "Status")?;
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
        let started = match field(c.started, "Started at")? {
            "" => {
                return Ok(skipped(
                    line,
                    &format!("{status} without a start time: no working time is recorded"),
                ));
            }
            text => {
                parse_requester_time(text, None).map_err(|problem| row_error(line, "Started at", problem))?
            }
        };
        let completed = match field(c.completed, "Completed at")? {
            "" => None,
            text => Some(
                parse_requester_time(text, None)
                    .map_err(|problem| row_error(line, "Completed at", problem))?,
            ),
        };
        let time_taken = match field(c.time_taken, "Time taken")? {
            "" => None,
            text => Some(parse_time_taken(text).map_err(|problem| row_error(line, "Time taken", problem))?),
        };
        let ended = match (completed, time_taken) {
            (Some(completed), _) => completed,
            (None, Some(taken)) => started.plus(taken),
            (None, None) => {
                return Ok(skipped(
                    line,
                    &format!("{status} before completion: no working time is recorded"),
                ));
            }
        };
        let span = ended.seconds_since(started).ok_or_else(|| {
            row_error(line, "Completed at", format!("{ended} is before Started at {started}"))
        })?;
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
        self.record(line, repaired, submission, participant, outcome, started, ended, active)
    }

    #[expect(clippy::too_many_arguments, reason = "the parts of one record, each checked by the caller")]
    fn record(
        &self,
        line: u64,
        repaired: bool,
        submission: &str,
        participant: &str,
        outcome: Outcome,
        started: Timestamp,
        ended: Timestamp,
        active: Seconds,
    ) -> Result<Imported, ImportError> {
        // A screen-out pays only what the researcher set for it, which the export does not say.
        let reward = if outcome == Outcome::ScreenedOut { Money::ZERO } else { self.options.reward };
        let task = RequesterTask {
            record_id: self.pseudonyms.record_id("prolific-submission", submission),
            install_id: self.pseudonyms.install_id("prolific-participant", participant),
            platform: Platform::Prolific,
            country: self.options.country,
            category: self.options.category,
            outcome,
            started_at: started,
            ended_at: ended,
            active,
            reward,
            currency: self.options.currency,
        };
        let record = task.into_record(line, |field| match field {
            "started_at" => "Started at",
            "ended_at" => "Completed at",
            "active_seconds" => "Time taken",
            "reward" | "bonus" | "currency" => "reward (--reward)",
            "outcome" => "Status",
            _ => "Participant id",
        })?;
        Ok(Imported::Record { line, record, repaired })
    }
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
