//! MTurk requester batch results (the CSV the requester site downloads, or one written from the
//! API) to records: one assignment, one task record.

use std::io::Read;

use crate::codes::{CountryCode, Currency};
use crate::money::Money;
use crate::record::{Outcome, Platform, TaskCategory};
use crate::time::Seconds;

use super::requester_time::parse_requester_time;
use super::table::{Table, text};
use super::{ImportError, Imported, Pseudonymizer, RequesterTask, require_columns, row_error};

const WHAT: &str = "an MTurk batch-results file";

/// Settings of an MTurk import.
#[derive(Debug, Clone, Copy, Default)]
pub struct MturkBatchOptions {
    /// The workers' country, when the requester knows it (e.g. from a location qualification).
    pub country: Option<CountryCode>,
    pub category: Option<TaskCategory>,
    /// The zone of timestamps that carry none, in minutes east of UTC.
    pub assumed_zone: Option<i32>,
}

/// The columns an import reads.
#[derive(Debug)]
struct Columns {
    reward: usize,
    accept: usize,
    submit: usize,
    status: usize,
    worker: usize,
    assignment: usize,
    work_time: Option<usize>,
    approve: Option<usize>,
    reject: Option<usize>,
}

/// Streams the records of one batch file.
#[derive(Debug)]
pub struct MturkBatch<'p> {
    table: Table,
    columns: Columns,
    pseudonyms: &'p Pseudonymizer,
    options: MturkBatchOptions,
    row: csv::ByteRecord,
}

/// Reads the header of a batch file; the rows follow from the returned iterator.
pub fn read_mturk_batch(
    input: impl Read,
    pseudonyms: &Pseudonymizer,
    options: MturkBatchOptions,
) -> Result<MturkBatch<'_>, ImportError> {
    let table = Table::read(input, WHAT)?;
    let [reward, accept, submit, status, worker, assignment] = require_columns(
        table.header(),
        ["Reward", "AcceptTime", "SubmitTime", "AssignmentStatus", "WorkerId", "AssignmentId"],
        WHAT,
    )?;
    let columns = Columns {
        reward,
        accept,
        submit,
        status,
        worker,
        assignment,
        work_time: table.column("WorkTimeInSeconds"),
        approve: table.column("Approve"),
        reject: table.column("Reject"),
    };
    Ok(MturkBatch { table, columns, pseudonyms, options, row: csv::ByteRecord::new() })
}

impl Iterator for MturkBatch<'_> {
    type Item = Result<Imported, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let line = match self.table.next_row(&mut self.row)? {
            Ok(line) => line,
            Err(error) => return Some(Err(error)),
        };
        Some(self.convert(line))
    }
}

impl MturkBatch<'_> {
    fn convert(&self, line: u64) -> Result<Imported, ImportError> {
        let c = &self.columns;
        let field = |index: usize, name: &str| text(&self.row, Some(index), name, line);
        let worker = field(c.worker, "WorkerId")?;
        let assignment = field(c.assignment, "AssignmentId")?;
        for (value, name) in [(worker, "WorkerId"), (assignment, "AssignmentId")] {
            if value.is_empty() {
                return Err(row_error(line, name, "is empty"));
            }
        }
        let outcome = self.outcome(line)?;
        let reward =
            parse_reward(field(c.reward, "Reward")?).map_err(|problem| row_error(line, "Reward", problem))?;
        let zone = self.options.assumed_zone;
        let accepted = parse_requester_time(field(c.accept, "AcceptTime")?, zone)
            .map_err(|problem| row_error(line, "AcceptTime", problem))?;
        let submitted = parse_requester_time(field(c.submit, "SubmitTime")?, zone)
            .map_err(|problem| row_error(line, "SubmitTime", problem))?;
        let span = submitted.seconds_since(accepted).ok_or_else(|| {
            row_error(line, "SubmitTime", format!("{submitted} is before AcceptTime {accepted}"))
        })?;
        let active = match text(&self.row, c.work_time, "WorkTimeInSeconds", line)? {
            "" => span.get(),
            seconds => parse_work_time(seconds)
                .map_err(|problem| row_error(line, "WorkTimeInSeconds", problem))?
                .min(span.get()),
        };
        let task = RequesterTask {
            record_id: self.pseudonyms.record_id("mturk-assignment", assignment),
            install_id: self.pseudonyms.install_id("mturk-worker", worker),
            platform: Platform::Mturk,
            country: self.options.country,
            category: self.options.category,
            outcome,
            started_at: accepted,
            ended_at: submitted,
            active: Seconds::new(active),
            reward,
            currency: Currency::USD,
        };
        let record = task.into_record(line, |field| match field {
            "started_at" => "AcceptTime",
            "ended_at" => "SubmitTime",
            "active_seconds" => "WorkTimeInSeconds",
            "reward" | "bonus" => "Reward",
            "outcome" => "AssignmentStatus",
            _ => "WorkerId",
        })?;
        Ok(Imported::Record { line, record, repaired: false })
    }

    /// The outcome from `AssignmentStatus`, or from the `Approve`/`Reject` columns of a file
    /// the requester is about to upload to decide on submitted work.
    fn outcome(&self, line: u64) -> Result<Outcome, ImportError> {
        let c = &self.columns;
        let status = text(&self.row, Some(c.status), "AssignmentStatus", line)?;
        let approve = !text(&self.row, c.approve, "Approve", line)?.is_empty();
        let reject = !text(&self.row, c.reject, "Reject", line)?.is_empty();
        match status.to_ascii_lowercase().as_str() {
            "approved" => Ok(Outcome::Approved),
            "rejected" => Ok(Outcome::Rejected),
            "submitted" if approve && reject => {
                Err(row_error(line, "Reject", "both Approve and Reject are marked; the decision is unclear"))
            }
            "submitted" if reject => Ok(Outcome::Rejected),
            "submitted" if approve => Ok(Outcome::Approved),
            "submitted" => Ok(Outcome::Submitted),
            _ => Err(row_error(
                line,
                "AssignmentStatus",
                format!(
                    "'{}' is not an assignment status; expected Submitted, Approved or Rejected",
                    status.chars().take(32).collect::<String>()
                ),
            )),
        }
    }
}

/// `$0.10` (web downloads) or `0.65` (API exports), in US dollars.
fn parse_reward(text: &str) -> Result<Money, String> {
    let amount = text.strip_prefix('$').unwrap_or(text).trim();
    Money::parse(amount).map_err(|_| {
        format!("'{}' is not a reward like $0.10 or 0.65", text.chars().take(24).collect::<String>())
    })
}

/// A whole number of seconds; `12.0` is accepted, a fraction or a sign is not.
fn parse_work_time(text: &str) -> Result<u64, String> {
    let whole = text.strip_suffix(".0").unwrap_or(text);
    whole.parse::<u64>().map_err(|_| {
        format!(
            "'{}' is not a whole, non-negative number of seconds",
            text.chars().take(24).collect::<String>()
        )
    })
}

#[cfg(test)]
mod tests;
