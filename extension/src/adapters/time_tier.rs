//! The time tier: platforms whose worker pages give the role of each URL (looking for work,
//! working, work submitted) but no machine-readable pay. The extension measures the time from
//! these tables alone and asks the worker for the pay of each finished stretch of work
//! (`docs/extension.md`, "Time-tier platforms"). Every row follows a fact of
//! `../shared/realdata/platform-facts/` (the file and its source key are named beside it); a
//! URL no fact gives a role falls to the last row of its host, `Neutral`: it is not counted,
//! rather than guessed. No row reads anything from the page: the content script only reports
//! the address, focus and input, as on the other platforms.

use analysis::Platform;

use super::{Adapter, PageRole, PageRule};
use crate::url::UrlPattern;

const fn page(name: &'static str, host: &'static str, path: &'static str, role: PageRole) -> PageRule {
    PageRule { name, pattern: UrlPattern { host, path, required_query: &[] }, role }
}

const fn with_query(
    name: &'static str,
    host: &'static str,
    path: &'static str,
    required_query: &'static [&'static str],
    role: PageRole,
) -> PageRule {
    PageRule { name, pattern: UrlPattern { host, path, required_query }, role }
}

/// A table of pages and nothing else: no probes, alerts or API rules.
const fn time_adapter(platform: Platform, pages: &'static [PageRule]) -> Adapter {
    Adapter {
        platform,
        pages,
        site_probes: &[],
        alerts: &[],
        task_probes: &[],
        api: &[],
        submission_fields: None,
    }
}

use PageRole::{Neutral, Search, Submitted, Working};

const CLICKWORKER_HOST: &str = "workplace.clickworker.com";

/// Clickworker's workplace (`clickworker-uhrs.md`, source C1; the job offers page C4, a single
/// source). Only the English paths are documented; other languages' pages are not counted.
pub static CLICKWORKER: Adapter = time_adapter(
    Platform::Clickworker,
    &[
        page("clickworker jobs", CLICKWORKER_HOST, "/en/workplace/jobs", Search),
        page("clickworker job offers", CLICKWORKER_HOST, "/en/job_offers", Search),
        // A job opened or started (UHRS access, surveys, onboarding: numeric ids).
        page("clickworker job", CLICKWORKER_HOST, "/en/workplace/jobs/*/edit", Working),
        page("clickworker other", CLICKWORKER_HOST, "/**", Neutral),
    ],
);

const UHRS_HOST: &str = "www.uhrs.ai";
const UHRS_OLD_HOST: &str = "prod.uhrs.playmsn.com";

/// Microsoft's UHRS (`clickworker-uhrs.md`: the marketplace U1 and C1, a HitApp U3; the host
/// before 2023 U2 and the legacy judge view, public source file id 14086575923). Its pay is
/// per HIT and differs by worker, and no page gives a HIT's outcome.
pub static UHRS: Adapter = time_adapter(
    Platform::Uhrs,
    &[
        page("uhrs marketplace", UHRS_HOST, "/marketplace", Search),
        page("uhrs task list", UHRS_HOST, "/marketplace/tasks/all", Search),
        page("uhrs hitapp", UHRS_HOST, "/marketplace/app/*", Working),
        page("uhrs other", UHRS_HOST, "/**", Neutral),
        page("uhrs task list (old host)", UHRS_OLD_HOST, "/marketplace/tasks/all", Search),
        page("uhrs hitapp (old host)", UHRS_OLD_HOST, "/marketplace/app/*", Working),
        with_query("uhrs judge (old host)", UHRS_OLD_HOST, "/Judge/Views/judge", &["hitappid"], Working),
        page("uhrs other (old host)", UHRS_OLD_HOST, "/**", Neutral),
    ],
);

const CONNECT_HOST: &str = "connect.appen.com";
const RATERLABS_HOST: &str = "raterlabs.appen.com";
const LEAPFORCE_HOST: &str = "www.leapforceathome.com";
const FIGURE_EIGHT_HOST: &str = "tasks.figure-eight.work";
const APPEN_ACCOUNT_HOST: &str = "account.appen.com";
const FIGURE_EIGHT_RENDER_HOST: &str = "render.figure-eight.io";

/// Appen's two worker systems (`appen.md`): Appen Connect, paid by the hour (the project list
/// A1 and A2, a project's task page A1, A3 and A4; the same paths on RaterLabs and Leapforce),
/// and ADAP / Figure Eight, paid per task (a channel's task list F1 to F4, an assignment F5, a
/// job's direct link F3).
pub static APPEN: Adapter = time_adapter(
    Platform::Appen,
    &[
        page("appen connect projects", CONNECT_HOST, "/qrp/core/vendors/projects", Search),
        page("appen connect task", CONNECT_HOST, "/qrp/core/vendors/task/view/*", Working),
        page("appen connect other", CONNECT_HOST, "/**", Neutral),
        page("raterlabs projects", RATERLABS_HOST, "/qrp/core/vendors/projects", Search),
        page("raterlabs task", RATERLABS_HOST, "/qrp/core/vendors/task/view/*", Working),
        page("raterlabs other", RATERLABS_HOST, "/**", Neutral),
        page("leapforce projects", LEAPFORCE_HOST, "/qrp/core/vendors/projects", Search),
        page("leapforce task", LEAPFORCE_HOST, "/qrp/core/vendors/task/view/*", Working),
        page("leapforce other", LEAPFORCE_HOST, "/**", Neutral),
        page("figure eight task list", FIGURE_EIGHT_HOST, "/channels/*/tasks", Search),
        page("figure eight assignment", FIGURE_EIGHT_HOST, "/assignments/**", Working),
        page("figure eight job", FIGURE_EIGHT_HOST, "/channels/*/jobs/*/work", Working),
        page("figure eight other", FIGURE_EIGHT_HOST, "/**", Neutral),
        page("appen channel task list", APPEN_ACCOUNT_HOST, "/channels/*/tasks", Search),
        page("appen account other", APPEN_ACCOUNT_HOST, "/**", Neutral),
        page("figure eight render", FIGURE_EIGHT_RENDER_HOST, "/assignments/**", Working),
        page("figure eight render other", FIGURE_EIGHT_RENDER_HOST, "/**", Neutral),
    ],
);

const REMOTASKS_HOST: &str = "www.remotasks.com";
const OUTLIER_HOST: &str = "app.outlier.ai";

/// Scale AI's Remotasks (`remotasks-outlier.md`: its task area R1 and R2, which the facts call
/// "task list / working area" without telling them apart, so it counts as work).
pub static REMOTASKS: Adapter = time_adapter(
    Platform::Remotasks,
    &[
        page("remotasks tasks", REMOTASKS_HOST, "/en/tasks", Working),
        page("remotasks other", REMOTASKS_HOST, "/**", Neutral),
    ],
);

/// Scale AI's Outlier (`remotasks-outlier.md`: the task queue O1, the marketplace R1).
pub static OUTLIER: Adapter = time_adapter(
    Platform::Outlier,
    &[
        page("outlier marketplace", OUTLIER_HOST, "/en/expert/marketplace", Search),
        page("outlier tasks", OUTLIER_HOST, "/en/expert/tasks", Working),
        page("outlier other", OUTLIER_HOST, "/**", Neutral),
    ],
);

const SPROUTGIGS_HOST: &str = "sproutgigs.com";

/// SproutGigs, formerly Picoworkers (`sproutgigs.md`: the job list P1 to P4, a job's page with
/// its proof form P2 and P5, the page its form posts to P6).
pub static SPROUTGIGS: Adapter = time_adapter(
    Platform::Sproutgigs,
    &[
        page("sproutgigs jobs", SPROUTGIGS_HOST, "/jobs.php", Search),
        with_query("sproutgigs job", SPROUTGIGS_HOST, "/jobs/submit-task.php", &["Id"], Working),
        page("sproutgigs submitted", SPROUTGIGS_HOST, "/jobs/task-submitted.php", Submitted),
        page("sproutgigs other", SPROUTGIGS_HOST, "/**", Neutral),
    ],
);

const HIVE_HOST: &str = "hivemicro.com";

/// Hive Micro (`hivemicro.md`, low coverage: the job list H2 and H3). No fact gives the address
/// of working on a job, so only the search is measured: work there needs the manual timer
/// until a fact gives it (`docs/extension.md`).
pub static HIVE: Adapter = time_adapter(
    Platform::Hive,
    &[page("hive jobs", HIVE_HOST, "/jobs", Search), page("hive other", HIVE_HOST, "/**", Neutral)],
);

const TOLOKA_HOST: &str = "toloka.yandex.com";
const TOLOKA_SANDBOX_HOST: &str = "sandbox.toloka.yandex.com";
const TOLOKA_RU_HOST: &str = "toloka.yandex.ru";

/// Toloka's Yandex-era worker site (`toloka.md`). Its JSON gives a task's reward, but no worker
/// page or answer gives its outcome: public tools infer a submission from a click or from a
/// pool leaving the active list (as a skip or an expiry also does), and the accepted and
/// rejected states come from the requester's API only. So Toloka is timed by its addresses and
/// its pay typed, like the platforms above, until a fact gives the outcome. The newer
/// `platform.toloka.ai` is named by one unchecked source (S8) with no path of a worker page
/// behind it: it is not asked for, since its access would measure nothing. On
/// `toloka.yandex.ru` only the pool link is documented (S3); its other pages are not counted.
pub static TOLOKA: Adapter = time_adapter(
    Platform::Toloka,
    &[
        // The task list (S1, S2, S4) and the queue of reserved tasks (S1), as MTurk's queue.
        page("toloka tasks", TOLOKA_HOST, "/tasks", Search),
        page("toloka active tasks", TOLOKA_HOST, "/tasks/active", Search),
        // A pool opened from the list (S1 interface.js) and an assignment in it (S1 triggers.js).
        page("toloka pool", TOLOKA_HOST, "/task/*", Working),
        page("toloka assignment", TOLOKA_HOST, "/task/*/*", Working),
        // The profile with its history and money pages, the messages, the achievements (S1, S4).
        page("toloka other", TOLOKA_HOST, "/**", Neutral),
        // The sandbox, by the same paths (S1 gives both hosts in each pattern).
        page("toloka tasks", TOLOKA_SANDBOX_HOST, "/tasks", Search),
        page("toloka active tasks", TOLOKA_SANDBOX_HOST, "/tasks/active", Search),
        page("toloka pool", TOLOKA_SANDBOX_HOST, "/task/*", Working),
        page("toloka assignment", TOLOKA_SANDBOX_HOST, "/task/*/*", Working),
        page("toloka other", TOLOKA_SANDBOX_HOST, "/**", Neutral),
        // A pool opened from the list, `?refUuid=` (S3); the money page (S4) falls to the last row.
        page("toloka pool", TOLOKA_RU_HOST, "/task/*", Working),
        page("toloka other", TOLOKA_RU_HOST, "/**", Neutral),
    ],
);

/// Every time-tier adapter, in the order the settings list them.
pub const ADAPTERS: [&Adapter; 8] =
    [&TOLOKA, &UHRS, &CLICKWORKER, &APPEN, &SPROUTGIGS, &REMOTASKS, &OUTLIER, &HIVE];
