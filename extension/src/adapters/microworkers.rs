//! Microworkers' worker site (`www.microworkers.com`), from the facts in the shared
//! `platform-facts/microworkers.md` (source M1: a worker-side tool whose selectors were checked
//! on the live site in September 2026; fixtures and their sources under `tests/fixtures/sites/`).
//! A job's page is its task: there is no accept step, so the task opens when the page is first
//! seen, and it is sent when the worker submits the proof form (to `jobs_i_did_it.php`). Its
//! page states the reward ("You will earn: $0.30") but no time limit; the pay is in US dollars.
//! What the facts do not give stays out: the history page's rows carry no id of the job page,
//! so its statuses are not matched to tasks (a sent task stays `submitted`), and the TTV jobs
//! (`ttv.microworkers.com`), whose working page was never described, are not measured here.

use analysis::Platform;

use super::{Adapter, Field, FieldRule, PageRole, PageRule, Probe, Read, Source, Watch, WatchName};
use crate::url::UrlPattern;

const HOST: &str = "www.microworkers.com";

const fn page(name: &'static str, path: &'static str, role: PageRole) -> PageRule {
    PageRule { name, pattern: UrlPattern { host: HOST, path, required_query: &[] }, role }
}

const TASK_FIELDS: &[FieldRule] = &[
    FieldRule {
        field: Field::Reward,
        source: Source::Text { probe: "summary", after: "You will earn: $" },
        required: true,
    },
    FieldRule { field: Field::Currency, source: Source::Fixed("USD"), required: true },
];

/// The proof form posts to `jobs_i_did_it.php` (`hm_jobs_i_did_it.php` for Hire Group jobs).
const PROOF_FORM: Watch = Watch { name: WatchName::Submit, selector: "form[action*=\"jobs_i_did_it.php\"]" };

const TASK: PageRole = PageRole::Task { key_query: "Id", fields: TASK_FIELDS, watches: &[PROOF_FORM] };

pub static ADAPTER: Adapter = Adapter {
    platform: Platform::Microworkers,
    pages: &[
        page("microworkers job list", "/jobs.php", PageRole::Search),
        page("microworkers job", "/jobs_details.php", TASK),
        page("microworkers hire group job", "/hm_jobs_details.php", TASK),
        // After the proof is sent, the worker is back to looking for work.
        page("microworkers sent", "/jobs_i_did_it.php", PageRole::Search),
        page("microworkers hire group sent", "/hm_jobs_i_did_it.php", PageRole::Search),
        page("microworkers history", "/worker.php", PageRole::Search),
        page("microworkers history detail", "/worker_tasks_details.php", PageRole::Search),
        page("microworkers employer", "/userinfo.php", PageRole::Search),
        page("microworkers other", "/**", PageRole::Neutral),
    ],
    site_probes: &[],
    alerts: &[],
    task_probes: &[Probe { name: "summary", selector: ".jobdetailsnoteleft p", read: Read::Text }],
    api: &[],
    submission_fields: None,
};
