//! The time tier's URL tables against the fixture pages rebuilt from the platforms' facts
//! (`tests/fixtures/sites/SOURCES.md`) and against hostile addresses: each fixture page, and
//! each link and form on it, gets the role its fact gives; a look-alike host, a userinfo trick,
//! an overlong or percent-encoded path is no platform or counts as nothing.

use analysis::Platform;
use extension::adapters::{PageView, observe_page};

fn view_of(url: &str) -> Option<(Platform, PageView)> {
    observe_page(url, &Default::default()).map(|observation| (observation.platform, observation.view))
}

#[track_caller]
fn role(url: &str, platform: Platform, view: PageView) {
    assert_eq!(view_of(url), Some((platform, view)), "{url}");
}

#[test]
fn each_documented_url_has_the_role_its_fact_gives() {
    use PageView::{Neutral, Search, Working};
    let clickworker = Platform::Clickworker;
    // clickworker-uhrs.md, Clickworker C1 and C4.
    role("https://workplace.clickworker.com/en/workplace/jobs", clickworker, Search);
    role("https://workplace.clickworker.com/en/workplace/jobs/", clickworker, Search);
    role("https://workplace.clickworker.com/en/job_offers", clickworker, Search);
    role("https://workplace.clickworker.com/en/workplace/jobs/51749/edit", clickworker, Working);
    role(
        "https://workplace.clickworker.com/en/workplace/jobs/1225955/edit?instant_job_id=6f1c&instant_job_source=cint",
        clickworker,
        Working,
    );
    role("https://workplace.clickworker.com/en/workplace/payment_details", clickworker, Neutral);
    role("https://workplace.clickworker.com/en/workplace/jobs/51749/confirm_agreement", clickworker, Neutral);
    // UHRS U1, U2, U3 and the legacy judge view.
    let uhrs = Platform::Uhrs;
    role("https://www.uhrs.ai/marketplace/tasks/all", uhrs, Search);
    role("https://www.uhrs.ai/marketplace", uhrs, Search);
    role("https://www.uhrs.ai/marketplace/app/27841?taskgroupid=5512", uhrs, Working);
    role("https://www.uhrs.ai/uhrs/?returnUrl=/marketplace/tasks/all", uhrs, Neutral);
    role("https://www.uhrs.ai/faq", uhrs, Neutral);
    role("https://prod.uhrs.playmsn.com/marketplace/tasks/all", uhrs, Search);
    role("https://prod.uhrs.playmsn.com/marketplace/app/1234", uhrs, Working);
    role(
        "https://prod.uhrs.playmsn.com/Judge/Views/judge?hitappid=9&mode=judge&toolbar=false&g=1&fromHitApp=1",
        uhrs,
        Working,
    );
    role("https://prod.uhrs.playmsn.com/Judge/Views/judge", uhrs, Neutral);
    // appen.md: Appen Connect A1 to A4, ADAP F1 to F5.
    let appen = Platform::Appen;
    role("https://connect.appen.com/qrp/core/vendors/projects", appen, Search);
    role("https://connect.appen.com/qrp/core/vendors/task/view/1159", appen, Working);
    role("https://raterlabs.appen.com/qrp/core/vendors/task/view/1159", appen, Working);
    role("https://www.leapforceathome.com/qrp/core/vendors/projects", appen, Search);
    role("https://connect.appen.com/qrp/core/login", appen, Neutral);
    role("https://tasks.figure-eight.work/channels/clixsense/tasks?uid=123", appen, Search);
    role("https://account.appen.com/channels/feca/tasks?uid=9", appen, Search);
    role("https://tasks.figure-eight.work/assignments/abc123", appen, Working);
    role("https://render.figure-eight.io/assignments/abc123", appen, Working);
    role("https://tasks.figure-eight.work/channels/cf_internal/jobs/1775/work?secret=x", appen, Working);
    role("https://tasks.figure-eight.work/sessions/new", appen, Neutral);
    // remotasks-outlier.md: R1, R2, O1.
    let remotasks = Platform::Remotasks;
    role("https://www.remotasks.com/en/tasks", remotasks, Working);
    role("https://www.remotasks.com/en/tasks?forceClaim=1&subtaskId=64f0", remotasks, Working);
    role("https://www.remotasks.com/en/signup", remotasks, Neutral);
    role("https://app.outlier.ai/en/expert/tasks", Platform::Outlier, Working);
    role("https://app.outlier.ai/en/expert/marketplace", Platform::Outlier, Search);
    role("https://app.outlier.ai/en/expert/login", Platform::Outlier, Neutral);
    // sproutgigs.md: P1 to P6.
    let sproutgigs = Platform::Sproutgigs;
    role("https://sproutgigs.com/jobs.php?category=10&sub_category=1000", sproutgigs, Search);
    role("https://sproutgigs.com/jobs.php?sort=TTR", sproutgigs, Search);
    role("https://sproutgigs.com/jobs/submit-task.php?Id=8c1e2f", sproutgigs, Working);
    role("https://sproutgigs.com/jobs/submit-task.php", sproutgigs, Neutral);
    role("https://sproutgigs.com/jobs/task-submitted.php", sproutgigs, PageView::Submitted);
    // hivemicro.md: only the job list is documented; the rest is not counted.
    role("https://hivemicro.com/jobs", Platform::Hive, Search);
    role("https://hivemicro.com/jobs/42", Platform::Hive, Neutral);
    // Look-alike hosts are no platform at all.
    for url in [
        "https://www.uhrs.ai.evil.example/marketplace/tasks/all",
        "https://evil.example/www.uhrs.ai/marketplace/app/1",
        "https://www.uhrs.ai@evil.example/marketplace/app/1",
        "https://uhrs.ai/marketplace/app/1",
    ] {
        assert_eq!(view_of(url), None, "{url}");
    }
}

#[test]
fn each_documented_toloka_url_has_the_role_its_fact_gives() {
    use PageView::{Neutral, Search, Working};
    let toloka = Platform::Toloka;
    for host in ["toloka.yandex.com", "sandbox.toloka.yandex.com", "TOLOKA.yandex.com"] {
        // toloka.md: the list of tasks (S1, S2, S4), the queue of reserved tasks (S1).
        role(&format!("https://{host}/tasks"), toloka, Search);
        role(&format!("https://{host}/tasks/"), toloka, Search);
        role(&format!("https://{host}/tasks?sort=price"), toloka, Search);
        role(&format!("https://{host}/tasks/active"), toloka, Search);
        // A pool opened from the list (S1 interface.js), an assignment in it (S1 triggers.js).
        role(&format!("https://{host}/task/31415/"), toloka, Working);
        role(&format!("https://{host}/task/31415"), toloka, Working);
        role(&format!("https://{host}/task/31415/000d6a2e94--5f2b3c"), toloka, Working);
        // The profile, its history and money pages, the messages (S1, S4): not counted.
        for path in
            ["/profile", "/profile/history", "/profile/money", "/profile/referral", "/messages/requester"]
        {
            role(&format!("https://{host}{path}"), toloka, Neutral);
        }
        role(&format!("https://{host}/achievements"), toloka, Neutral);
        role(&format!("https://{host}/"), toloka, Neutral);
        // Deeper than an assignment is nothing the facts give.
        role(&format!("https://{host}/task/31415/abc/def"), toloka, Neutral);
    }
    // On toloka.yandex.ru only the pool link is documented (S3); the rest is not counted.
    role("https://toloka.yandex.ru/task/31415?refUuid=9f0e8d7c", toloka, Working);
    role("https://toloka.yandex.ru/profile/money", toloka, Neutral);
    role("https://toloka.yandex.ru/tasks", toloka, Neutral);
    // Hosts no fact gives a worker page of are not asked for, so they are no platform: the
    // newer site (a single unchecked source, S8), the help pages (S1, S4).
    for url in ["https://platform.toloka.ai/tasks", "https://we.toloka.ai/", "https://toloka.ai/tasks"] {
        assert_eq!(view_of(url), None, "{url}");
    }
}

#[test]
fn hostile_addresses_are_no_platform_or_count_as_nothing() {
    let not_matched = [
        // Look-alike hosts.
        "https://toloka.yandex.com.evil.example/task/1/2",
        "https://evil.example/toloka.yandex.com/task/1/2",
        "https://toloka-yandex.com/task/1/2",
        "https://xtoloka.yandex.com/task/1/2",
        "https://toloka.yandex.com./task/1/2",
        "https://workplace.clickworker.com.evil.example/en/workplace/jobs/1/edit",
        "https://sproutgigs.com.evil.example/jobs/submit-task.php?Id=1",
        // Userinfo: the real host is the one after the `@`.
        "https://toloka.yandex.com@evil.example/task/1/2",
        "https://toloka.yandex.com:443@evil.example/tasks",
        "https://user:pass@toloka.yandex.com/task/1/2",
        "https://evil.example\\@toloka.yandex.com/task/1/2",
        // Percent-encoded host, another scheme, no scheme.
        "https://toloka%2Eyandex.com/task/1/2",
        "ftp://toloka.yandex.com/task/1/2",
        "toloka.yandex.com/task/1/2",
        "javascript:location='https://toloka.yandex.com/task/1/2'",
    ];
    for url in not_matched {
        assert_eq!(view_of(url), None, "{url}");
    }
    let toloka = Platform::Toloka;
    let deep = format!("https://toloka.yandex.com/task/{}", "1/".repeat(20_000));
    let long_id = format!("https://toloka.yandex.com/tasks{}", "s".repeat(100_000));
    let neutral = [
        // Percent-encoded slashes and letters are one other segment, not the documented path.
        "https://toloka.yandex.com/task%2F31415%2F77",
        "https://toloka.yandex.com/%74asks",
        "https://toloka.yandex.com/tasks%2Factive",
        "https://sproutgigs.com/jobs%2Fsubmit-task.php?Id=1",
        "https://workplace.clickworker.com/en/workplace/jobs/1%2Fedit",
        // Overlong: a path of 20,000 segments, a segment of 100,000 characters.
        deep.as_str(),
        long_id.as_str(),
        // Dot segments are not resolved (the browser resolves them before the address is seen).
        "https://toloka.yandex.com/profile/../task/1/2",
    ];
    for url in neutral {
        let platform = if url.contains("sproutgigs") {
            Platform::Sproutgigs
        } else if url.contains("clickworker") {
            Platform::Clickworker
        } else {
            toloka
        };
        role(url, platform, PageView::Neutral);
    }
    // A long query or fragment does not change a page's role.
    role(
        &format!("https://toloka.yandex.com/task/1/2?x={}#{}", "a".repeat(50_000), "b".repeat(50_000)),
        toloka,
        PageView::Working,
    );
}

/// A fixture page, the address it stands for (`SOURCES.md`), its role, and the role of each
/// link and form target on it (placeholders `{{name}}` filled with `1`).
struct Fixture {
    file: &'static str,
    url: &'static str,
    platform: Platform,
    view: PageView,
    links: &'static [(&'static str, PageView)],
}

const FIXTURES: &[Fixture] = {
    use PageView::{Neutral, Search, Submitted, Working};
    &[
        Fixture {
            file: "toloka.yandex.com/tasks.html",
            url: "https://toloka.yandex.com/tasks",
            platform: Platform::Toloka,
            view: Search,
            links: &[
                ("/tasks", Search),
                ("/tasks/active", Search),
                ("/profile", Neutral),
                ("/messages", Neutral),
                ("/task/1/", Working),
            ],
        },
        Fixture {
            file: "toloka.yandex.com/active.html",
            url: "https://toloka.yandex.com/tasks/active",
            platform: Platform::Toloka,
            view: Search,
            links: &[("/tasks", Search), ("/tasks/active", Search), ("/task/1/1", Working)],
        },
        Fixture {
            file: "toloka.yandex.com/task.html",
            url: "https://toloka.yandex.com/task/31415/000d6a2e94--5f2b3c",
            platform: Platform::Toloka,
            view: Working,
            links: &[("/tasks", Search), ("/task/1/", Working)],
        },
        Fixture {
            file: "workplace.clickworker.com/jobs.html",
            url: "https://workplace.clickworker.com/en/workplace/jobs",
            platform: Platform::Clickworker,
            view: Search,
            links: &[
                ("/en/workplace/jobs/51749/edit", Working),
                ("/en/workplace/jobs/1137665/edit", Working),
                (
                    "/en/workplace/jobs/1225955/edit?instant_job_id=6f1c2d3e&amp;instant_job_source=cint",
                    Working,
                ),
                ("/en/workplace/payment_details", Neutral),
            ],
        },
        Fixture {
            file: "workplace.clickworker.com/job.html",
            url: "https://workplace.clickworker.com/en/workplace/jobs/1137665/edit",
            platform: Platform::Clickworker,
            view: Working,
            links: &[("/en/workplace/jobs/1137665/edit", Working), ("/en/workplace/jobs", Search)],
        },
        Fixture {
            file: "sproutgigs.com/jobs.html",
            url: "https://sproutgigs.com/jobs.php",
            platform: Platform::Sproutgigs,
            view: Search,
            links: &[("/jobs.php", Search), ("/jobs/submit-task.php?Id=8c1e2f", Working)],
        },
        Fixture {
            file: "sproutgigs.com/submit-task.html",
            url: "https://sproutgigs.com/jobs/submit-task.php?Id=8c1e2f",
            platform: Platform::Sproutgigs,
            view: Working,
            links: &[("/jobs/task-submitted.php", Submitted), ("/jobs.php", Search)],
        },
        Fixture {
            file: "sproutgigs.com/task-submitted.html",
            url: "https://sproutgigs.com/jobs/task-submitted.php",
            platform: Platform::Sproutgigs,
            view: Submitted,
            links: &[("/jobs.php", Search)],
        },
        Fixture {
            file: "connect.appen.com/projects.html",
            url: "https://connect.appen.com/qrp/core/vendors/projects",
            platform: Platform::Appen,
            view: Search,
            links: &[
                ("/qrp/core/vendors/task/view/1159", Working),
                ("/qrp/core/vendors/task/view/2071", Working),
            ],
        },
        Fixture {
            file: "connect.appen.com/task.html",
            url: "https://connect.appen.com/qrp/core/vendors/task/view/1159",
            platform: Platform::Appen,
            view: Working,
            links: &[("/qrp/core/vendors/projects", Search)],
        },
        Fixture {
            file: "tasks.figure-eight.work/tasks.html",
            url: "https://tasks.figure-eight.work/channels/clixsense/tasks?uid=4821",
            platform: Platform::Appen,
            view: Search,
            links: &[],
        },
        Fixture {
            file: "tasks.figure-eight.work/assignment.html",
            url: "https://tasks.figure-eight.work/assignments/5f0c2b7e",
            platform: Platform::Appen,
            view: Working,
            links: &[("/channels/clixsense/tasks?uid=1", Search)],
        },
        Fixture {
            file: "app.outlier.ai/marketplace.html",
            url: "https://app.outlier.ai/en/expert/marketplace",
            platform: Platform::Outlier,
            view: Search,
            links: &[("/en/expert/tasks", Working), ("/en/contributors/projects", Neutral)],
        },
        Fixture {
            file: "app.outlier.ai/tasks.html",
            url: "https://app.outlier.ai/en/expert/tasks",
            platform: Platform::Outlier,
            view: Working,
            links: &[("/en/expert/marketplace", Search)],
        },
        Fixture {
            file: "www.remotasks.com/tasks.html",
            url: "https://www.remotasks.com/en/tasks",
            platform: Platform::Remotasks,
            view: Working,
            links: &[("/en/tasks?forceClaim=1&amp;subtaskId=64f1c0a2", Working)],
        },
        Fixture {
            file: "hivemicro.com/jobs.html",
            url: "https://hivemicro.com/jobs",
            platform: Platform::Hive,
            view: Search,
            links: &[],
        },
        Fixture {
            file: "www.uhrs.ai/marketplace.html",
            url: "https://www.uhrs.ai/marketplace/tasks/all",
            platform: Platform::Uhrs,
            view: Search,
            links: &[("/marketplace/app/1?taskgroupid=1", Working)],
        },
        Fixture {
            file: "www.uhrs.ai/hitapp.html",
            url: "https://www.uhrs.ai/marketplace/app/27841?taskgroupid=5512",
            platform: Platform::Uhrs,
            view: Working,
            links: &[("/marketplace/app/1", Working), ("/marketplace/tasks/all", Search)],
        },
    ]
};

/// Every `href="..."` and `action="..."` of a page, its placeholders filled with `1`.
fn targets(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "action=\""] {
        for (at, _) in html.match_indices(attribute) {
            let rest = &html[at + attribute.len()..];
            let value = &rest[..rest.find('"').expect("a closed attribute")];
            let mut filled = String::new();
            let mut parts = value.split("{{");
            filled.push_str(parts.next().unwrap_or_default());
            for part in parts {
                let (_, after) = part.split_once("}}").expect("a closed placeholder");
                filled.push('1');
                filled.push_str(after);
            }
            found.push(filled);
        }
    }
    found
}

#[test]
fn each_fixture_page_and_every_link_on_it_has_the_role_its_fact_gives() {
    let sites = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/sites");
    let sources = std::fs::read_to_string(format!("{sites}/SOURCES.md")).unwrap();
    for fixture in FIXTURES {
        let html = std::fs::read_to_string(format!("{sites}/{}", fixture.file)).unwrap();
        assert!(sources.contains(&format!("`{}`", fixture.file)), "{} is not in SOURCES.md", fixture.file);
        assert!(html.contains("Rebuilt from platform-facts/"), "{} names no fact file", fixture.file);
        role(fixture.url, fixture.platform, fixture.view.clone());
        let host = fixture.url.trim_start_matches("https://").split('/').next().unwrap();
        let mut found = targets(&html);
        found.sort();
        found.dedup();
        let mut expected: Vec<String> = fixture.links.iter().map(|(link, _)| (*link).to_owned()).collect();
        expected.sort();
        assert_eq!(found, expected, "{}: every link must be given its role here", fixture.file);
        for (link, view) in fixture.links {
            role(&format!("https://{host}{}", link.replace("&amp;", "&")), fixture.platform, view.clone());
        }
    }
}
