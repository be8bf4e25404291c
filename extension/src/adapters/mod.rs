//! Platform adapters as data: which URLs of a platform are search, task or other pages, what
//! the content script must read from a page (CSS selectors), and how those raw strings become
//! a reward, a time limit or an outcome. Adding a platform is a new table plus fixtures; a
//! site change breaks one table with an [`ExtractionError`] naming the rule and the field,
//! never a silent wrong number.

mod extract;
pub mod microworkers;
pub mod mturk;
pub mod prolific;
pub mod time_tier;

use analysis::Platform;
use analysis::json::Value;

use crate::json::{ObjectBuilder, ToJson};
use crate::url::{ParsedUrl, UrlPattern};

pub use extract::{
    Advertised, ExtractionError, Observation, PageView, SubmissionObservation, SubmissionState, TaskDetails,
    label, observe_api_response, observe_page,
};

/// What the content script read from a page: the strings of each probe, by probe name.
pub type ProbeValues = crate::sorted_map::SortedMap<String, Vec<String>>;

/// How the content script reads one probe from every element matching its selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// The element's `textContent`, whitespace collapsed.
    Text,
    /// The value of one attribute.
    Attribute(&'static str),
}

/// One named list of strings the content script reads from the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub name: &'static str,
    pub selector: &'static str,
    pub read: Read,
}

/// A form whose submission means something (e.g. MTurk's Return button posts a form whose
/// input carries `delete`). The content script reports the watch's name when such a form is
/// submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Watch {
    pub name: WatchName,
    pub selector: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchName {
    /// The worker returned the task open in this tab.
    Return,
    /// The worker sent the task open in this tab (Microworkers' proof form).
    Submit,
}

/// A form name the extension does not watch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a watched form")]
pub struct UnknownWatch(String);

impl WatchName {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchName::Return => "return",
            WatchName::Submit => "submit",
        }
    }

    pub fn parse(text: &str) -> Result<WatchName, UnknownWatch> {
        match text {
            "return" => Ok(WatchName::Return),
            "submit" => Ok(WatchName::Submit),
            other => Err(UnknownWatch(other.chars().take(32).collect())),
        }
    }
}

/// A number the page gives in JSON, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Reward,
    Currency,
    Title,
    Requester,
    /// The time allotted for the task, in seconds.
    AllottedSeconds,
    /// Seconds left on the completion timer when the page was read.
    RemainingSeconds,
    /// The HIT's auto-approval delay, in seconds, when its page shows it.
    AutoApprovalSeconds,
}

/// Where one field is found on a task page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// In the JSON props of the page element whose `data-react-class` contains `component`,
    /// at a JSON pointer (MTurk).
    Props { component: &'static str, pointer: &'static str },
    /// In the text of the first value of the task probe `probe` that contains `after`: what
    /// follows it up to the next space (Microworkers' "You will earn: $0.30").
    Text { probe: &'static str, after: &'static str },
    /// A value the platform's documentation states for every task (Microworkers pays in US
    /// dollars).
    Fixed(&'static str),
}

/// One field of a task page and where it is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    pub field: Field,
    pub source: Source,
    pub required: bool,
}

/// What a page of a platform is, for the worker's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRole {
    /// Looking for work: unpaid `search` time.
    Search,
    /// A task in progress; the task's key is the value of this query parameter. A table
    /// without the allotted and remaining times opens the task when its page is first seen,
    /// with no time limit but the longest a record may span.
    Task { key_query: &'static str, fields: &'static [FieldRule], watches: &'static [Watch] },
    /// A page listing submitted tasks with their pay state (MTurk's daily status pages):
    /// searching time for the worker, and pay states for the store.
    PayStatus(&'static PayStatusTable),
    /// A platform page that is neither (settings, messages): not counted.
    Neutral,
    /// Working on a platform whose pages do not give the pay (the time tier): the time is
    /// measured into a stretch of work whose pay the worker types afterwards.
    Working,
    /// The page a platform shows once work is submitted (time tier): it ends the stretch of
    /// work, and the worker is back to looking for work.
    Submitted,
}

/// Where a status page lists its tasks: in the JSON props of the element whose
/// `data-react-class` contains `component`, an array at `rows`, each row with the task's id
/// and its state word at JSON pointers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayStatusTable {
    pub component: &'static str,
    pub rows: &'static str,
    pub key: &'static str,
    pub state: &'static str,
    /// State words (compared case-insensitively) and what they mean; any other word is an
    /// extraction error, never a guess.
    pub states: &'static [(&'static str, crate::pay::PayState)],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRule {
    pub name: &'static str,
    pub pattern: UrlPattern,
    pub role: PageRole,
}

/// What an alert shown on a page says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alert {
    Submitted,
    SubmitFailed,
}

/// An alert text (compared case-insensitively, as a fragment) found by a site-wide probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRule {
    pub probe: &'static str,
    pub contains: &'static str,
    pub alert: Alert,
}

/// JSON the platform's own web app fetches, observed in the page (Prolific is a single-page
/// app whose figures are only in its API responses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRule {
    pub name: &'static str,
    pub pattern: UrlPattern,
    /// Where the submission objects are: `""` for the whole body, or a pointer to an array.
    pub submissions_at: &'static str,
}

/// One platform's table.
#[derive(Debug)]
pub struct Adapter {
    pub platform: Platform,
    /// Pages are tried in order; the first match wins.
    pub pages: &'static [PageRule],
    /// Probes read on every page of the platform (alerts after a submission appear anywhere).
    pub site_probes: &'static [Probe],
    pub alerts: &'static [AlertRule],
    /// Probes read on task pages, for the task's [`FieldRule`]s.
    pub task_probes: &'static [Probe],
    pub api: &'static [ApiRule],
    pub submission_fields: Option<&'static prolific::SubmissionFields>,
}

/// Every adapter the extension ships: the full ones, then the time tier's.
pub const ADAPTERS: [&Adapter; 11] = [
    &mturk::ADAPTER,
    &prolific::ADAPTER,
    &microworkers::ADAPTER,
    &time_tier::TOLOKA,
    &time_tier::UHRS,
    &time_tier::CLICKWORKER,
    &time_tier::APPEN,
    &time_tier::SPROUTGIGS,
    &time_tier::REMOTASKS,
    &time_tier::OUTLIER,
    &time_tier::HIVE,
];

/// The adapter whose pages include this URL's host.
pub fn adapter_for(url: &ParsedUrl<'_>) -> Option<&'static Adapter> {
    ADAPTERS.into_iter().find(|adapter| {
        adapter.pages.iter().any(|page| page.pattern.host.eq_ignore_ascii_case(url.host))
            || adapter.api.iter().any(|api| api.pattern.host.eq_ignore_ascii_case(url.host))
    })
}

impl Adapter {
    /// The hosts of this adapter's pages and API rules, each once, in table order: what the
    /// worker grants when they turn the platform on (`https://HOST/*`).
    pub fn hosts(&self) -> Vec<&'static str> {
        let mut hosts: Vec<&'static str> = Vec::new();
        let all = self
            .pages
            .iter()
            .map(|page| page.pattern.host)
            .chain(self.api.iter().map(|api| api.pattern.host));
        for host in all {
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        hosts
    }

    pub fn page_rule(&self, url: &ParsedUrl<'_>) -> Option<&'static PageRule> {
        self.pages.iter().find(|rule| rule.pattern.matches(url))
    }
}

/// What the content script must read on a page: sent to it as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub supported: bool,
    pub probes: Vec<Probe>,
    pub watches: Vec<Watch>,
}

/// The plan as the content script reads it: probes `{name, selector, read: "text"}` or
/// `{name, selector, read: "attribute", attribute}`, watches `{name, selector}`.
impl ToJson for Plan {
    fn to_json(&self) -> Value {
        let probes = self.probes.iter().map(|probe| {
            let object = ObjectBuilder::new().field("name", probe.name).field("selector", probe.selector);
            match probe.read {
                Read::Text => object.field("read", "text"),
                Read::Attribute(name) => object.field("read", "attribute").field("attribute", name),
            }
            .build()
        });
        let watches = self.watches.iter().map(|watch| {
            ObjectBuilder::new().field("name", watch.name.as_str()).field("selector", watch.selector).build()
        });
        ObjectBuilder::new()
            .field("supported", self.supported)
            .field("probes", probes.collect::<Vec<Value>>())
            .field("watches", watches.collect::<Vec<Value>>())
            .build()
    }
}

/// The reading plan for a URL; an unsupported URL gets an empty plan.
pub fn plan_for(url: &str) -> Plan {
    let Some(parsed) = ParsedUrl::parse(url) else { return Plan::default() };
    let Some(adapter) = adapter_for(&parsed) else { return Plan::default() };
    let mut plan = Plan { supported: true, probes: adapter.site_probes.to_vec(), watches: Vec::new() };
    match adapter.page_rule(&parsed) {
        Some(PageRule { role: PageRole::Task { watches, .. }, .. }) => {
            plan.probes.extend_from_slice(adapter.task_probes);
            plan.watches.extend_from_slice(watches);
        }
        // The status table is in the same React props as a task's figures.
        Some(PageRule { role: PageRole::PayStatus(_), .. }) => {
            plan.probes.extend_from_slice(adapter.task_probes)
        }
        _ => {}
    }
    plan
}
