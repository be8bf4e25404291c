//! Amazon Mechanical Turk's worker site (`worker.mturk.com`). The URL patterns follow the
//! public gig-overhead tool's rules (Toxtli, Suri and Savage, CSCW 2021; copied with their
//! source under `tests/fixtures/sites/`); the task figures are the React props the site embeds
//! in `data-react-props` attributes (see `docs/extension.md`).

use analysis::Platform;

use super::{
    Adapter, Alert, AlertRule, Field, FieldRule, PageRole, PageRule, PayStatusTable, Probe, Read, Source,
    Watch, WatchName,
};
use crate::pay::PayState;
use crate::url::UrlPattern;

const HOST: &str = "worker.mturk.com";

const fn page(name: &'static str, path: &'static str, role: PageRole) -> PageRule {
    PageRule { name, pattern: UrlPattern { host: HOST, path, required_query: &[] }, role }
}

const fn field(field: Field, component: &'static str, pointer: &'static str, required: bool) -> FieldRule {
    FieldRule { field, source: Source::Props { component, pointer }, required }
}

const TASK_FIELDS: &[FieldRule] = &[
    field(Field::Reward, "ShowModal", "/modalOptions/monetaryReward/amountInDollars", true),
    field(Field::Currency, "ShowModal", "/modalOptions/monetaryReward/currencyCode", true),
    field(Field::Title, "ShowModal", "/modalOptions/projectTitle", false),
    field(Field::Requester, "ShowModal", "/modalOptions/requesterName", false),
    field(Field::AllottedSeconds, "CompletionTimer", "/originalTimeToCompleteInSeconds", true),
    field(Field::RemainingSeconds, "CompletionTimer", "/timeRemainingInSeconds", true),
    // Named like the other durations of these props after the API's `AutoApprovalDelayInSeconds`;
    // optional: without it, the longest delay MTurk allows is assumed (`crate::pay`).
    field(Field::AutoApprovalSeconds, "ShowModal", "/modalOptions/autoApprovalDelayInSeconds", false),
];

/// The daily status page (`/status_details/YYYY-MM-DD`) lists the HITs submitted that day, with
/// their state, in the props of its table component (see `tests/fixtures/sites/SOURCES.md`).
static STATUS_TABLE: PayStatusTable = PayStatusTable {
    component: "HitStatusDetailsTable",
    rows: "/bodyData",
    key: "/assignment_id",
    state: "/state",
    states: &[
        ("Submitted", PayState::Pending),
        ("Pending", PayState::Pending),
        ("Pending Approval", PayState::Pending),
        ("Approved", PayState::Approved),
        ("Rejected", PayState::Rejected),
        ("Paid", PayState::Paid),
    ],
};

const RETURN_FORM: Watch = Watch { name: WatchName::Return, selector: "form:has(input[value=\"delete\"])" };

pub static ADAPTER: Adapter = Adapter {
    platform: Platform::Mturk,
    pages: &[
        PageRule {
            name: "mturk task",
            pattern: UrlPattern {
                host: HOST,
                path: "/projects/*/tasks/*",
                required_query: &["assignment_id"],
            },
            role: PageRole::Task { key_query: "assignment_id", fields: TASK_FIELDS, watches: &[RETURN_FORM] },
        },
        page("mturk search", "/", PageRole::Search),
        page("mturk projects", "/projects", PageRole::Search),
        page("mturk project preview", "/projects/*/tasks", PageRole::Search),
        page("mturk requester projects", "/requesters/*/projects", PageRole::Search),
        page("mturk queue", "/tasks", PageRole::Search),
        page("mturk dashboard", "/dashboard", PageRole::Search),
        page("mturk status", "/status_details/*", PageRole::PayStatus(&STATUS_TABLE)),
        page("mturk status list", "/status_details/**", PageRole::Search),
        page("mturk earnings", "/earnings", PageRole::Search),
        page("mturk other", "/**", PageRole::Neutral),
    ],
    site_probes: &[Probe { name: "alert", selector: ".mturk-alert-content h3", read: Read::Text }],
    alerts: &[
        AlertRule { probe: "alert", contains: "not successful", alert: Alert::SubmitFailed },
        AlertRule { probe: "alert", contains: "HIT Submitted", alert: Alert::Submitted },
        AlertRule { probe: "alert", contains: "successfully submitted", alert: Alert::Submitted },
    ],
    task_probes: &[
        Probe {
            name: "react_class",
            selector: "[data-react-class]",
            read: Read::Attribute("data-react-class"),
        },
        Probe {
            name: "react_props",
            selector: "[data-react-class]",
            read: Read::Attribute("data-react-props"),
        },
    ],
    api: &[],
    submission_fields: None,
};
