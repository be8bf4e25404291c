//! Prolific (`app.prolific.com`), a single-page app: the study list is search time, and a
//! study's reward, start, end and outcome come from the submission objects its own web app
//! fetches from Prolific's participant API, observed in the page (see `docs/extension.md`).

use analysis::{Outcome, Platform};

use super::{Adapter, ApiRule, PageRole, PageRule};
use crate::pay::PayState;
use crate::url::UrlPattern;

const HOST: &str = "app.prolific.com";

/// Where each figure sits in one submission object, as JSON pointers.
#[derive(Debug)]
pub struct SubmissionFields {
    pub id: &'static str,
    pub status: &'static str,
    pub started_at: &'static str,
    pub completed_at: &'static str,
    /// The reward in the currency's minor units (pence, cents).
    pub reward_minor: &'static str,
    pub currency: &'static str,
    /// An array of objects, each with an amount in minor units at `bonus_amount_minor`.
    pub bonuses: &'static str,
    pub bonus_amount_minor: &'static str,
    /// An array of screening payments, each with an amount in minor units.
    pub screened_out_payments: &'static str,
    pub study_name: &'static str,
    pub researcher: &'static str,
    /// The study's time limit in minutes.
    pub maximum_allowed_minutes: &'static str,
    /// The study's estimated completion time in minutes, and its advertised reward in minor
    /// units: what the study list promised.
    pub estimated_minutes: &'static str,
    pub study_reward_minor: &'static str,
    /// Status words and what they mean; a status missing here is an extraction error.
    pub statuses: &'static [(&'static str, Option<Outcome>)],
    /// Status words that say where a finished submission's pay stands.
    pub pay_states: &'static [(&'static str, PayState)],
}

pub static FIELDS: SubmissionFields = SubmissionFields {
    id: "/id",
    status: "/status",
    started_at: "/started_at",
    completed_at: "/completed_at",
    reward_minor: "/submission_reward/amount",
    currency: "/submission_reward/currency",
    bonuses: "/submission_bonuses",
    bonus_amount_minor: "/amount",
    screened_out_payments: "/screened_out_payments",
    study_name: "/study/name",
    researcher: "/study/researcher/name",
    maximum_allowed_minutes: "/study/maximum_allowed_time",
    estimated_minutes: "/study/estimated_completion_time",
    study_reward_minor: "/study/reward",
    statuses: &[
        ("RESERVED", None),
        ("ACTIVE", None),
        ("AWAITING REVIEW", Some(Outcome::Submitted)),
        ("APPROVED", Some(Outcome::Approved)),
        ("REJECTED", Some(Outcome::Rejected)),
        ("SCREENED OUT", Some(Outcome::ScreenedOut)),
        ("RETURNED", Some(Outcome::Returned)),
        ("TIMED-OUT", Some(Outcome::Abandoned)),
    ],
    pay_states: &[
        ("AWAITING REVIEW", PayState::Pending),
        ("APPROVED", PayState::Approved),
        ("REJECTED", PayState::Rejected),
    ],
};

const fn page(name: &'static str, path: &'static str, role: PageRole) -> PageRule {
    PageRule { name, pattern: UrlPattern { host: HOST, path, required_query: &[] }, role }
}

const fn api(name: &'static str, path: &'static str, submissions_at: &'static str) -> ApiRule {
    ApiRule { name, pattern: UrlPattern { host: HOST, path, required_query: &[] }, submissions_at }
}

pub static ADAPTER: Adapter = Adapter {
    platform: Platform::Prolific,
    pages: &[
        page("prolific studies", "/", PageRole::Search),
        page("prolific study list", "/studies", PageRole::Search),
        page("prolific other", "/**", PageRole::Neutral),
    ],
    site_probes: &[],
    alerts: &[],
    task_probes: &[],
    api: &[
        api("prolific reserve", "/api/v1/submissions/reserve", ""),
        api("prolific transition", "/api/v1/submissions/*/transition", ""),
        api("prolific submission", "/api/v1/participant/submissions/*", ""),
        api("prolific submission list", "/api/v1/participant/submissions", "/results"),
    ],
    submission_fields: Some(&FIELDS),
};
