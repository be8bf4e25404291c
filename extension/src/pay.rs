//! Pay states: what the platform says became of a submitted task's pay (pending, approved,
//! rejected, paid), kept in the browser beside the records, which do not change once written.
//! A task still pending after the platform's auto-approval period is flagged as overdue rather
//! than left pending forever.

use analysis::Platform;
use analysis::json::Value;

use crate::json::{Fields, FromJson, JsonError, ObjectBuilder, ToJson, map_of, object_of};
use crate::sorted_map::SortedMap;
use crate::tracker::{Finished, FinishedWhat, MANUAL_KEY, Millis};

/// What the platform reports about a task's pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PayState {
    Pending,
    Approved,
    Rejected,
    /// Approved and transferred to the worker's balance (MTurk's "Paid").
    Paid,
}

/// A pay state the store does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not pending, approved, rejected or paid")]
pub struct UnknownPayState(String);

impl PayState {
    pub fn as_str(self) -> &'static str {
        match self {
            PayState::Pending => "pending",
            PayState::Approved => "approved",
            PayState::Rejected => "rejected",
            PayState::Paid => "paid",
        }
    }

    pub fn parse(text: &str) -> Result<PayState, UnknownPayState> {
        match text {
            "pending" => Ok(PayState::Pending),
            "approved" => Ok(PayState::Approved),
            "rejected" => Ok(PayState::Rejected),
            "paid" => Ok(PayState::Paid),
            other => Err(UnknownPayState(other.chars().take(32).collect())),
        }
    }

    /// Approved and paid both mean the worker has the money (or will without further review).
    pub fn is_approved(self) -> bool {
        matches!(self, PayState::Approved | PayState::Paid)
    }
}

/// MTurk approves an assignment automatically after the HIT's auto-approval delay, which the
/// requester sets up to 30 days (2,592,000 s: the most `AutoApprovalDelayInSeconds` accepts,
/// Amazon Mechanical Turk API Reference, CreateHIT). When a HIT's page does not show its own
/// delay, an item pending longer than that is past any delay it can have had.
pub const MTURK_LONGEST_AUTO_APPROVAL_SECONDS: u64 = 30 * 24 * 3600;
/// Prolific approves unreviewed submissions automatically after 21 days (Prolific researcher
/// help centre, "Reviewing submissions: How do I decide who to accept/reject?").
pub const PROLIFIC_AUTO_APPROVAL_SECONDS: u64 = 21 * 24 * 3600;

/// The platform's auto-approval period, when it has a documented one.
pub fn default_auto_approval_seconds(platform: Platform) -> Option<u64> {
    match platform {
        Platform::Mturk => Some(MTURK_LONGEST_AUTO_APPROVAL_SECONDS),
        Platform::Prolific => Some(PROLIFIC_AUTO_APPROVAL_SECONDS),
        _ => None,
    }
}

/// A platform's report on one task's pay, seen at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayReport {
    pub platform: Platform,
    /// The platform's id of the task (MTurk's assignment id, Prolific's submission id).
    pub key: String,
    pub state: PayState,
    pub at: Millis,
}

/// One task's pay as last reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayEntry {
    pub state: PayState,
    /// When the task was submitted (its record's end), when the extension recorded it.
    pub submitted: Option<Millis>,
    /// When the extension first saw the current state.
    pub since: Millis,
    /// How long the platform waits before approving by itself, for this task.
    pub auto_approval_seconds: Option<u64>,
}

/// Where an item stands for the worker: a pending item past its auto-approval period is
/// overdue (the platform should have approved it; worth checking), never pending forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Pending,
    Overdue,
    Approved,
    Rejected,
}

impl PayEntry {
    pub fn standing(&self, now: Millis) -> Standing {
        match self.state {
            PayState::Approved | PayState::Paid => Standing::Approved,
            PayState::Rejected => Standing::Rejected,
            PayState::Pending => {
                let from = self.submitted.unwrap_or(self.since);
                match self.auto_approval_seconds {
                    Some(period) if now.saturating_sub(from) > period as Millis * 1000 => Standing::Overdue,
                    _ => Standing::Pending,
                }
            }
        }
    }

    /// Milliseconds from submission to approval, when both were seen.
    pub fn time_to_approval(&self) -> Option<Millis> {
        (self.state.is_approved()).then_some(self.submitted?).map(|submitted| (self.since - submitted).max(0))
    }
}

/// Every task's pay state, by the platform's task id. Platform ids do not collide across
/// platforms in practice, but the key carries the platform anyway: `"mturk:3X…"`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayBook {
    pub entries: SortedMap<String, PayEntry>,
}

/// The most entries kept: beyond it, the oldest settled ones (approved or rejected) go first.
pub const MAX_PAY_ENTRIES: usize = 200_000;

pub fn pay_key(platform: Platform, key: &str) -> String {
    format!("{platform}:{key}")
}

impl PayBook {
    pub fn get(&self, platform: Platform, key: &str) -> Option<&PayEntry> {
        self.entries.get(&pay_key(platform, key))
    }

    /// A task was just recorded as submitted: pending until the platform says otherwise.
    pub fn submitted(
        &mut self,
        platform: Platform,
        key: &str,
        at: Millis,
        auto_approval_seconds: Option<u64>,
    ) {
        let entry = self.entries.get_or_insert_with(pay_key(platform, key), || PayEntry {
            state: PayState::Pending,
            submitted: None,
            since: at,
            auto_approval_seconds: None,
        });
        entry.submitted = Some(at);
        entry.auto_approval_seconds = auto_approval_seconds.or(default_auto_approval_seconds(platform));
    }

    /// Takes note of a finished task: a submitted one is pending from its end, with its own
    /// auto-approval delay when its page showed one. Whether the platform already reported on
    /// it (Prolific's list may show it approved at once) is kept.
    pub fn record_finished(&mut self, finished: &Finished) {
        if let FinishedWhat::Task { key, outcome: analysis::Outcome::Submitted, details, .. } = &finished.what
            && key != MANUAL_KEY
        {
            self.submitted(finished.platform, key, finished.ended, details.auto_approval_seconds);
        }
    }

    /// Applies a platform's report; a repeated report keeps the time its state was first seen.
    /// Reports on tasks never recorded are kept too: their record may be imported later.
    pub fn apply(&mut self, report: &PayReport) {
        let entry = self.entries.get_or_insert_with(pay_key(report.platform, &report.key), || PayEntry {
            state: report.state,
            submitted: None,
            since: report.at,
            auto_approval_seconds: default_auto_approval_seconds(report.platform),
        });
        if entry.state != report.state {
            entry.state = report.state;
            entry.since = report.at;
        }
        self.prune();
    }

    fn prune(&mut self) {
        let excess = self.entries.len().saturating_sub(MAX_PAY_ENTRIES);
        if excess == 0 {
            return;
        }
        let mut settled: Vec<(Millis, String)> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.state != PayState::Pending)
            .map(|(key, entry)| (entry.since, key.clone()))
            .collect();
        crate::sorting::sort_by(&mut settled, Ord::cmp);
        for (_, key) in settled.into_iter().take(excess) {
            self.entries.remove(&key);
        }
    }
}

impl ToJson for PayEntry {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .field("state", self.state.as_str())
            .optional("submitted", self.submitted)
            .field("since", self.since)
            .optional("auto_approval_seconds", self.auto_approval_seconds)
            .build()
    }
}

impl FromJson for PayEntry {
    fn from_json(value: &Value) -> Result<PayEntry, JsonError> {
        let fields = Fields::of(value)?;
        let auto_approval = match fields.get("auto_approval_seconds") {
            None | Some(Value::Null) => None,
            Some(_) => Some(fields.u64("auto_approval_seconds")?),
        };
        Ok(PayEntry {
            state: fields.text_of("state", PayState::parse)?,
            submitted: fields.optional_i64("submitted")?,
            since: fields.i64("since")?,
            auto_approval_seconds: auto_approval,
        })
    }
}

/// `{"entries": {"mturk:3X…": {...}, ...}}`.
impl ToJson for PayBook {
    fn to_json(&self) -> Value {
        ObjectBuilder::new().field("entries", object_of(self.entries.iter())).build()
    }
}

impl FromJson for PayBook {
    fn from_json(value: &Value) -> Result<PayBook, JsonError> {
        let key = |name: &str| Ok(name.to_owned());
        let entries = Fields::of(value)?.with("entries", |value| map_of(value, key, PayEntry::from_json))?;
        Ok(PayBook { entries })
    }
}
