//! Turning what the content script read (lists of strings per probe) and what the platform's
//! own web app fetched (JSON) into typed observations, following an adapter's table.

use analysis::json::Value;
use analysis::{Currency, Money, Outcome, Platform, Timestamp};
use rust_decimal::Decimal;

use super::prolific::SubmissionFields;
use super::{Adapter, Alert, Field, FieldRule, PageRole, PayStatusTable, ProbeValues, Source, adapter_for};
use crate::json::{Fields, FromJson, JsonError, ObjectBuilder, ToJson};
use crate::pay::PayState;
use crate::sorted_map::SortedMap;
use crate::url::ParsedUrl;

/// The most values one probe may bring, and the longest value: a hostile page cannot make
/// the extension parse megabytes.
pub(super) const MAX_VALUES_PER_PROBE: usize = 200;
pub(super) const MAX_VALUE_BYTES: usize = 64 * 1024;
/// The largest API response body looked at.
pub(super) const MAX_API_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Titles and requester names kept for the worker's own view are cut to this many characters.
pub(super) const MAX_LABEL_CHARS: usize = 200;
/// No task is given more time than a record may span (31 days).
const MAX_ALLOTTED_SECONDS: u64 = 31 * 24 * 3600;

/// A page or response that an adapter's table no longer fits: which rule, which field, what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{rule}: {field}: {problem}")]
pub struct ExtractionError {
    pub rule: &'static str,
    pub field: &'static str,
    pub problem: String,
}

impl ExtractionError {
    fn new(rule: &'static str, field: &'static str, problem: impl Into<String>) -> ExtractionError {
        ExtractionError { rule, field, problem: problem.into() }
    }
}

/// What a task page says about its task. Title and requester stay in the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskDetails {
    pub reward: Money,
    pub currency: Currency,
    pub title: Option<String>,
    pub requester: Option<String>,
    /// What the platform promised before the work: for the advertised hourly rate.
    pub advertised: Option<Advertised>,
    /// The task's own auto-approval delay, when its page shows one.
    pub auto_approval_seconds: Option<u64>,
}

impl TaskDetails {
    /// Details with nothing advertised (the manual timer, tests).
    pub fn plain(
        reward: Money,
        currency: Currency,
        title: Option<String>,
        requester: Option<String>,
    ) -> TaskDetails {
        TaskDetails { reward, currency, title, requester, advertised: None, auto_approval_seconds: None }
    }
}

/// A reward (in the task's currency) and the time the platform states for the task: Prolific's
/// estimated completion time, or MTurk's allotted time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advertised {
    pub reward: Money,
    pub seconds: u64,
}

impl ToJson for Advertised {
    fn to_json(&self) -> Value {
        ObjectBuilder::new().field("reward", self.reward.to_string()).field("seconds", self.seconds).build()
    }
}

impl FromJson for Advertised {
    fn from_json(value: &Value) -> Result<Advertised, JsonError> {
        let fields = Fields::of(value)?;
        Ok(Advertised { reward: fields.text_of("reward", Money::parse)?, seconds: fields.u64("seconds")? })
    }
}

impl ToJson for TaskDetails {
    fn to_json(&self) -> Value {
        ObjectBuilder::new()
            .field("reward", self.reward.to_string())
            .field("currency", self.currency.as_str())
            .optional("title", self.title.clone())
            .optional("requester", self.requester.clone())
            .optional("advertised", self.advertised.map(|a| a.to_json()))
            .optional("auto_approval_seconds", self.auto_approval_seconds)
            .build()
    }
}

/// Tracker states saved before advertised figures were kept have neither field: both optional.
impl FromJson for TaskDetails {
    fn from_json(value: &Value) -> Result<TaskDetails, JsonError> {
        let fields = Fields::of(value)?;
        let auto_approval = match fields.get("auto_approval_seconds") {
            None | Some(Value::Null) => None,
            Some(_) => Some(fields.u64("auto_approval_seconds")?),
        };
        Ok(TaskDetails {
            reward: fields.text_of("reward", Money::parse)?,
            currency: fields.text_of("currency", Currency::parse)?,
            title: fields.optional_string("title")?,
            requester: fields.optional_string("requester")?,
            advertised: fields.optional("advertised")?,
            auto_approval_seconds: auto_approval,
        })
    }
}

/// What a page of a supported platform is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageView {
    Search,
    Neutral,
    /// A task page; both times are 0 when the page states no time limit.
    Task {
        key: String,
        details: TaskDetails,
        allotted_seconds: u64,
        remaining_seconds: u64,
    },
    /// A status page: the pay state of each task it lists (searching time for the worker).
    PayStatus(Vec<(String, PayState)>),
    /// Working on a time-tier platform (see [`PageRole::Working`]).
    Working,
    /// A time-tier platform's page after a submission (see [`PageRole::Submitted`]).
    Submitted,
    /// The page should have been readable and was not: the table no longer fits the site.
    Unreadable(ExtractionError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub platform: Platform,
    pub view: PageView,
    pub alert: Option<Alert>,
}

/// Reads a page of a supported platform from the probe values; `None` for other sites.
pub fn observe_page(url: &str, values: &ProbeValues) -> Option<Observation> {
    let parsed = ParsedUrl::parse(url)?;
    let adapter = adapter_for(&parsed)?;
    let alert = adapter.alerts.iter().find_map(|rule| {
        let needle = rule.contains.to_ascii_lowercase();
        probe_values(values, rule.probe)
            .iter()
            .any(|text| crate::text::contains(&text.to_ascii_lowercase(), &needle))
            .then_some(rule.alert)
    });
    let view = match adapter.page_rule(&parsed) {
        None | Some(super::PageRule { role: PageRole::Neutral, .. }) => PageView::Neutral,
        Some(super::PageRule { role: PageRole::Search, .. }) => PageView::Search,
        Some(super::PageRule { role: PageRole::Working, .. }) => PageView::Working,
        Some(super::PageRule { role: PageRole::Submitted, .. }) => PageView::Submitted,
        Some(rule @ super::PageRule { role: PageRole::Task { key_query, fields, .. }, .. }) => {
            read_task(adapter, rule.name, &parsed, key_query, fields, values)
                .unwrap_or_else(PageView::Unreadable)
        }
        Some(rule @ super::PageRule { role: PageRole::PayStatus(table), .. }) => {
            read_status(rule.name, table, values).map_or_else(PageView::Unreadable, PageView::PayStatus)
        }
    };
    Some(Observation { platform: adapter.platform, view, alert })
}

fn probe_values<'a>(values: &'a ProbeValues, name: &str) -> &'a [String] {
    let list = values.get(name).map(Vec::as_slice).unwrap_or_default();
    &list[..list.len().min(MAX_VALUES_PER_PROBE)]
}

fn read_task(
    adapter: &Adapter,
    rule: &'static str,
    url: &ParsedUrl<'_>,
    key_query: &'static str,
    fields: &[FieldRule],
    values: &ProbeValues,
) -> Result<PageView, ExtractionError> {
    let key = url.query_value(key_query).unwrap_or_default();
    task_key(key).map_err(|problem| ExtractionError::new(rule, key_query, problem.to_string()))?;
    // Props by component: the class attribute names the component, the props are JSON.
    let classes = probe_values(values, "react_class");
    let props = probe_values(values, "react_props");
    let mut by_component: Vec<(&str, &str)> = Vec::new();
    for (class, props) in classes.iter().zip(props) {
        by_component.push((class.as_str(), props.as_str()));
    }
    let mut found: SortedMap<&'static str, Value> = SortedMap::new();
    for rule_field in fields {
        let name = field_name(rule_field.field);
        let value = match rule_field.source {
            Source::Props { component, pointer } => {
                props_value(rule, name, &by_component, component, pointer, rule_field.required)?
            }
            Source::Text { probe, after } => {
                let value = probe_values(values, probe).iter().find_map(|text| {
                    let rest = crate::text::after(text, after)?;
                    rest.split(' ').next().filter(|word| !word.is_empty()).map(str::to_owned)
                });
                if value.is_none() && rule_field.required {
                    return Err(ExtractionError::new(
                        rule,
                        name,
                        format!("no {probe} text containing '{after}'"),
                    ));
                }
                value.map(Value::String)
            }
            Source::Fixed(text) => Some(Value::String(text.to_owned())),
        };
        if let Some(value) = value {
            found.insert(name, value);
        }
    }
    let _ = adapter;
    let text = |name: &'static str| -> Option<String> {
        found.get(name).map(|value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
    };
    let reward_text = text("reward").unwrap_or_default();
    let reward = Money::parse(&reward_text)
        .map_err(|error| ExtractionError::new(rule, "reward", error.to_string()))?;
    let currency = Currency::parse(&text("currency").unwrap_or_default())
        .map_err(|error| ExtractionError::new(rule, "currency", error.to_string()))?;
    // A table without a timer (Microworkers' job page states none) leaves both at 0.
    let timed = fields.iter().any(|field| field.field == Field::AllottedSeconds);
    let timer = |name| if timed { seconds(rule, name, &text(name).unwrap_or_default()) } else { Ok(0) };
    let allotted_seconds = timer("allotted_seconds")?;
    let remaining_seconds = timer("remaining_seconds")?;
    if remaining_seconds > allotted_seconds {
        return Err(ExtractionError::new(
            rule,
            "remaining_seconds",
            format!("{remaining_seconds} s remaining is more than the {allotted_seconds} s allotted"),
        ));
    }
    let auto_approval_seconds = match text("auto_approval_seconds") {
        Some(value) => Some(seconds(rule, "auto_approval_seconds", &value)?),
        None => None,
    };
    Ok(PageView::Task {
        key: key.to_owned(),
        details: TaskDetails {
            reward,
            currency,
            title: text("title").map(|t| label(&t)),
            requester: text("requester").map(|t| label(&t)),
            // The allotted time is the most the requester gives, so reward over it is the lowest
            // rate the HIT can be said to promise.
            advertised: (allotted_seconds > 0).then_some(Advertised { reward, seconds: allotted_seconds }),
            auto_approval_seconds,
        },
        allotted_seconds,
        remaining_seconds,
    })
}

/// The most rows one status page may list: MTurk's pages hold a few dozen.
const MAX_STATUS_ROWS: usize = 1000;

/// Reads a status page's table: every row's task id and state, or an error naming the first
/// thing that does not fit; a page that lists nothing readable is never taken as "no tasks".
fn read_status(
    rule: &'static str,
    table: &PayStatusTable,
    values: &ProbeValues,
) -> Result<Vec<(String, PayState)>, ExtractionError> {
    let classes = probe_values(values, "react_class");
    let props = probe_values(values, "react_props");
    let Some((_, props)) =
        classes.iter().zip(props).find(|(class, _)| crate::text::contains(class, table.component))
    else {
        return Err(ExtractionError::new(
            rule,
            "rows",
            format!("no element with data-react-class containing '{}'", table.component),
        ));
    };
    if props.len() > MAX_VALUE_BYTES {
        return Err(ExtractionError::new(rule, "rows", "the props are larger than 64 KiB"));
    }
    let json = analysis::json::parse(props).map_err(|error| {
        ExtractionError::new(rule, "rows", format!("{} props are not JSON: {error}", table.component))
    })?;
    let Some(Value::Array(rows)) = json.pointer(table.rows) else {
        return Err(ExtractionError::new(
            rule,
            "rows",
            format!("{} props have no list at {}", table.component, table.rows),
        ));
    };
    if rows.len() > MAX_STATUS_ROWS {
        return Err(ExtractionError::new(
            rule,
            "rows",
            format!("{} rows, more than {MAX_STATUS_ROWS}", rows.len()),
        ));
    }
    let mut states = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let at = |field: &str| format!("row {index}: {field}");
        let key = row.pointer(table.key).and_then(Value::as_str).ok_or_else(|| {
            ExtractionError::new(rule, "assignment_id", format!("{}: no string at {}", at("id"), table.key))
        })?;
        task_key(key).map_err(|problem| {
            ExtractionError::new(rule, "assignment_id", format!("row {index}: {problem}"))
        })?;
        let word = row.pointer(table.state).and_then(Value::as_str).ok_or_else(|| {
            ExtractionError::new(rule, "state", format!("{}: no string at {}", at("state"), table.state))
        })?;
        let state =
            table.states.iter().find(|(known, _)| known.eq_ignore_ascii_case(word.trim())).ok_or_else(
                || {
                    ExtractionError::new(
                        rule,
                        "state",
                        format!("row {index}: '{}' is not a known state", shorten(word)),
                    )
                },
            )?;
        states.push((key.to_owned(), state.1));
    }
    Ok(states)
}

/// A field from the React props of the element whose class names `component`.
fn props_value(
    rule: &'static str,
    name: &'static str,
    by_component: &[(&str, &str)],
    component: &str,
    pointer: &str,
    required: bool,
) -> Result<Option<Value>, ExtractionError> {
    let Some((_, props)) = by_component.iter().find(|(class, _)| crate::text::contains(class, component))
    else {
        if required {
            return Err(ExtractionError::new(
                rule,
                name,
                format!("no element with data-react-class containing '{component}'"),
            ));
        }
        return Ok(None);
    };
    if props.len() > MAX_VALUE_BYTES {
        return Err(ExtractionError::new(rule, name, "the props are larger than 64 KiB"));
    }
    let json: Value = analysis::json::parse(props).map_err(|error| {
        ExtractionError::new(rule, name, format!("{component} props are not JSON: {error}"))
    })?;
    match json.pointer(pointer) {
        Some(value) if !value.is_null() => Ok(Some(value.clone())),
        _ if required => {
            Err(ExtractionError::new(rule, name, format!("{component} props have nothing at {pointer}")))
        }
        _ => Ok(None),
    }
}

fn field_name(field: Field) -> &'static str {
    match field {
        Field::Reward => "reward",
        Field::Currency => "currency",
        Field::Title => "title",
        Field::Requester => "requester",
        Field::AllottedSeconds => "allotted_seconds",
        Field::RemainingSeconds => "remaining_seconds",
        Field::AutoApprovalSeconds => "auto_approval_seconds",
    }
}

/// Task keys are platform ids; only plain ASCII ids are accepted, so a key is never text
/// a page chose to smuggle into storage.
fn task_key(key: &str) -> Result<(), BadTaskKey> {
    if key.is_empty()
        || key.len() > 64
        || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(BadTaskKey(key.chars().take(70).collect()));
    }
    Ok(())
}

/// A task key that is not a plain platform id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a task id (1 to 64 letters, digits, - or _)")]
struct BadTaskKey(String);

fn seconds(rule: &'static str, field: &'static str, text: &str) -> Result<u64, ExtractionError> {
    let value: u64 = text.trim().parse().map_err(|_| {
        ExtractionError::new(rule, field, format!("'{}' is not a whole number of seconds", shorten(text)))
    })?;
    if value > MAX_ALLOTTED_SECONDS {
        return Err(ExtractionError::new(rule, field, format!("{value} s is longer than 31 days")));
    }
    Ok(value)
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

/// A label for the worker's own view: control characters dropped, length bounded.
pub fn label(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| !c.is_control()).take(MAX_LABEL_CHARS).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a submission object says about a study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionState {
    Open,
    Finished(Outcome),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionObservation {
    pub platform: Platform,
    pub key: String,
    pub state: SubmissionState,
    /// Reward for a completed study, or the screening payment for a screened-out one.
    pub details: TaskDetails,
    pub bonus: Money,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub allowed_seconds: Option<u64>,
    /// Where the submission's pay stands, for statuses that say.
    pub pay: Option<PayState>,
}

/// Reads the submissions in an API response the platform's web app received; `Ok(None)`
/// when the URL is not one the adapters look at.
pub fn observe_api_response(
    url: &str,
    body: &str,
) -> Result<Option<Vec<SubmissionObservation>>, ExtractionError> {
    let Some(parsed) = ParsedUrl::parse(url) else { return Ok(None) };
    let Some(adapter) = adapter_for(&parsed) else { return Ok(None) };
    let (Some(rule), Some(fields)) =
        (adapter.api.iter().find(|rule| rule.pattern.matches(&parsed)), adapter.submission_fields)
    else {
        return Ok(None);
    };
    if body.len() > MAX_API_BODY_BYTES {
        return Err(ExtractionError::new(rule.name, "body", "the response is larger than 2 MiB"));
    }
    let json: Value = analysis::json::parse(body)
        .map_err(|error| ExtractionError::new(rule.name, "body", format!("not JSON: {error}")))?;
    let objects: Vec<&Value> = if rule.submissions_at.is_empty() {
        vec![&json]
    } else {
        match json.pointer(rule.submissions_at) {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => {
                return Err(ExtractionError::new(
                    rule.name,
                    "body",
                    format!("no array of submissions at {}", rule.submissions_at),
                ));
            }
        }
    };
    // A loop rather than collecting into a `Result`, which weighs kilobytes in the wasm module.
    let mut submissions = Vec::with_capacity(objects.len());
    for object in objects {
        submissions.push(read_submission(adapter.platform, rule.name, fields, object)?);
    }
    Ok(Some(submissions))
}

fn read_submission(
    platform: Platform,
    rule: &'static str,
    fields: &SubmissionFields,
    object: &Value,
) -> Result<SubmissionObservation, ExtractionError> {
    let string = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
    let id = string(fields.id)
        .ok_or_else(|| ExtractionError::new(rule, "id", format!("no string at {}", fields.id)))?;
    task_key(id).map_err(|problem| ExtractionError::new(rule, "id", problem.to_string()))?;
    let status = string(fields.status)
        .ok_or_else(|| ExtractionError::new(rule, "status", format!("no string at {}", fields.status)))?;
    let state = match fields.statuses.iter().find(|(word, _)| word.eq_ignore_ascii_case(status)) {
        Some((_, None)) => SubmissionState::Open,
        Some((_, Some(outcome))) => SubmissionState::Finished(*outcome),
        None => {
            return Err(ExtractionError::new(
                rule,
                "status",
                format!("'{}' is not a known status", shorten(status)),
            ));
        }
    };
    let currency_text = string(fields.currency).unwrap_or_default();
    let currency = Currency::parse(currency_text)
        .map_err(|error| ExtractionError::new(rule, "currency", error.to_string()))?;
    let minor = |value: Option<&Value>, field: &'static str| -> Result<Money, ExtractionError> {
        let Some(value) = value.filter(|v| !v.is_null()) else { return Ok(Money::ZERO) };
        let units = value.as_u64().ok_or_else(|| {
            ExtractionError::new(rule, field, format!("{value} is not a whole amount in minor units"))
        })?;
        let amount = Decimal::new(i64::try_from(units).unwrap_or(i64::MAX), 2);
        Money::parse(&amount.to_string())
            .map_err(|error| ExtractionError::new(rule, field, error.to_string()))
    };
    let sum = |list: Option<&Value>, field: &'static str| -> Result<Money, ExtractionError> {
        match list {
            None | Some(Value::Null) => Ok(Money::ZERO),
            Some(Value::Array(items)) => items.iter().try_fold(Money::ZERO, |total, item| {
                Ok(total + minor(item.pointer(fields.bonus_amount_minor), field)?)
            }),
            Some(other) => Err(ExtractionError::new(rule, field, format!("expected a list, got {other}"))),
        }
    };
    let reward = minor(object.pointer(fields.reward_minor), "reward")?;
    let screening = sum(object.pointer(fields.screened_out_payments), "screened_out_payments")?;
    let bonus = sum(object.pointer(fields.bonuses), "bonuses")?;
    let time = |pointer: &str, field: &'static str| -> Result<Option<Timestamp>, ExtractionError> {
        match string(pointer) {
            None => Ok(None),
            Some(text) => Timestamp::parse(text)
                .map(Some)
                .map_err(|error| ExtractionError::new(rule, field, error.to_string())),
        }
    };
    let allowed_seconds = match object.pointer(fields.maximum_allowed_minutes) {
        None | Some(Value::Null) => None,
        Some(value) => Some(
            value.as_u64().filter(|minutes| minutes * 60 <= MAX_ALLOTTED_SECONDS).ok_or_else(|| {
                ExtractionError::new(
                    rule,
                    "maximum_allowed_time",
                    format!("{value} is not a number of minutes up to 31 days"),
                )
            })? * 60,
        ),
    };
    let paid = if state == SubmissionState::Finished(Outcome::ScreenedOut) { screening } else { reward };
    let estimated_minutes = match object.pointer(fields.estimated_minutes) {
        None | Some(Value::Null) => None,
        Some(value) => {
            Some(value.as_u64().filter(|minutes| minutes * 60 <= MAX_ALLOTTED_SECONDS).ok_or_else(|| {
                ExtractionError::new(
                    rule,
                    "estimated_completion_time",
                    format!("{value} is not a number of minutes up to 31 days"),
                )
            })?)
        }
    };
    let study_reward = match object.pointer(fields.study_reward_minor) {
        None | Some(Value::Null) => reward,
        value => minor(value, "study_reward")?,
    };
    let advertised = estimated_minutes
        .filter(|minutes| *minutes > 0)
        .map(|minutes| Advertised { reward: study_reward, seconds: minutes * 60 });
    let pay =
        fields.pay_states.iter().find(|(word, _)| word.eq_ignore_ascii_case(status)).map(|(_, state)| *state);
    Ok(SubmissionObservation {
        platform,
        key: id.to_owned(),
        state,
        details: TaskDetails {
            reward: paid,
            currency,
            title: string(fields.study_name).map(label),
            requester: string(fields.researcher).map(label),
            advertised,
            auto_approval_seconds: None,
        },
        bonus,
        started_at: time(fields.started_at, "started_at")?,
        completed_at: time(fields.completed_at, "completed_at")?,
        allowed_seconds,
        pay,
    })
}
